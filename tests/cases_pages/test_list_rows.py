"""The case list's rows are written in Python (``case_ui.case_row``): byte for byte the
template they replaced, for every kind of row, in both languages."""

import datetime as dt
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from fengqiao.cases import actions
from fengqiao.cases.deadlines import Light
from fengqiao.cases.models import Case, Grade, Risk
from fengqiao.cases.templatetags.case_ui import case_row
from tests.cases.builders import register

from .helpers import dispatched_to_grid_worker

# The row as ``cases/_list_results.html`` wrote it before ``case_row``.
TEMPLATE_ROW = Template(
    "{% load i18n case_ui %}"
    + (Path(__file__).parent / "list_row_before.html").read_text(encoding="utf-8").strip()
)


def from_template(case) -> str:
    return TEMPLATE_ROW.render(Context({"c": case}))


def rows(world) -> list[Case]:
    plain = register(world.intake, world.grid1, title="<b>标题</b> & 引号\"'")
    dispatched = dispatched_to_grid_worker(world)
    actions.mark_urgent(actor=world.director, case=dispatched, note="群体性")
    to_unit = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=to_unit)
    actions.assess_case(actor=world.intake, case=to_unit, grade=Grade.MAJOR, risk=Risk.ORANGE)
    actions.dispatch_case(actor=world.intake, case=to_unit, unit=world.police)
    related = ("area", "category", "current_unit", "current_handler")
    ids = [plain.pk, dispatched.pk, to_unit.pk]
    return list(Case.objects.filter(pk__in=ids).select_related(*related).order_by("pk"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("light", [None, *Light])
def test_a_row_is_the_templates_row(world, language, light):
    # Given cases plain, urgent to a person, to a unit with an orange risk, with every light
    cases = rows(world)
    assert cases[1].is_urgent
    assert cases[1].current_handler_id is not None
    assert cases[2].current_unit_id is not None
    for case in cases:
        case.light = light
    cases[0].due_at = timezone.now() + dt.timedelta(days=3)

    # When a row is written in Python and by the old template
    with translation.override(language):
        for case in cases:
            # Then they are the same bytes
            assert str(case_row(case)) == from_template(case)
