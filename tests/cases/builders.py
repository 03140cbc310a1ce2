"""Builders for case tests."""

from fengqiao.cases import actions
from fengqiao.cases.intake import PartyInput
from fengqiao.cases.models import CaseKind, Category, Channel


def dispute_category() -> Category:
    return Category.objects.get(code="D17")  # 婚姻家庭邻里等民间纠纷


def register(actor, area, **overrides):
    """Register a walk-in neighbour dispute with sensible defaults."""
    fields = {
        "kind": CaseKind.DISPUTE,
        "channel": Channel.WALK_IN,
        "category": dispute_category(),
        "title": "楼上漏水引发邻里纠纷",
        "narrative": "3号楼502室漏水至402室，双方就维修费用协商未果。",
        "area": area,
        "parties": [],
    }
    fields.update(overrides)
    return actions.register_case(actor=actor, **fields)


def party(role="applicant", name="张三", id_number="", phone="", **kw) -> PartyInput:
    return PartyInput(role=role, name=name, id_number=id_number, phone=phone, **kw)
