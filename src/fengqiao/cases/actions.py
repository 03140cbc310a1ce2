"""Every write to a case. Views, the API and commands call these and nothing else.

Each transition goes through ``_move``: one transaction, the case row locked, the move
checked against ``states.TRANSITIONS`` and the actor against ``access.may_take``, then
exactly one timeline event and one audit record; notifications leave after commit.
"""

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Assignment, Role
from fengqiao.areas import access as area_access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area, Level
from fengqiao.audit.log import record, record_refusal
from fengqiao.people.actions import PersonInvalid, create_person
from fengqiao.people.models import DataSource, Person, Sex
from fengqiao.search.index import index_case
from fengqiao.units.models import Unit, UnitKind

from . import deadlines, intake
from .access import may_take
from .errors import CaseError, ErrorCode
from .intake import PartyInput
from .models import (
    Attachment,
    Case,
    CaseKind,
    CaseLink,
    Category,
    Channel,
    CoHandler,
    Extension,
    ExtensionStatus,
    Grade,
    LinkKind,
    Party,
    PartyRole,
    Risk,
    Supervision,
    SupervisionLevel,
    TimelineEvent,
    Urgency,
)
from .notify import notify
from .states import OPEN_STATES, Action, State, next_state

TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone
MAX_NARRATIVE = 10000
# The level each grade is handled at by default (工业街道: 微事 in the compound,
# 小事 by the grid worker, 大事 by the community, 难事 at the street centre).
GRADE_LEVEL = {
    Grade.MICRO: Level.GRID,
    Grade.MINOR: Level.GRID,
    Grade.MAJOR: Level.COMMUNITY,
    Grade.HARD: Level.TOWN,
}
UNIT_TARGET_KINDS = (UnitKind.PROPERTY_COMPANY, UnitKind.OWNERS_COMMITTEE)


def _require_text(value: str, code: ErrorCode, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(code, message)
    if len(value) > limit:
        raise CaseError(ErrorCode.INVALID, f"内容过长（不超过 {limit} 字）。")
    return value


def _choice(value: str, choices, label: str) -> str:
    if value not in choices.values:
        raise CaseError(ErrorCode.INVALID, f"{label}无效：{value}", field=label)
    return value


def _event(case: Case, *, actor, action: str, from_state: str, note: str, data: dict) -> None:
    TimelineEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state,
        to_state=case.state,
        note=note,
        data=data,
    )
    record(
        f"case.{action}",
        actor=actor,
        area=case.area,
        obj=case,
        detail={"number": case.number, "from": from_state, "to": case.state},
    )


def handlers_of(case: Case) -> list:
    """The users a case is dispatched to: the person, or the unit's members."""
    users = [case.current_handler] if case.current_handler_id else []
    if case.current_unit_id:
        users += [m.user for m in case.current_unit.members.select_related("user")]
    return users


def _deciders_at(area: Area) -> list:
    """Leaders and intake officers placed exactly on ``area``: they dispatch there."""
    return [
        a.user
        for a in Assignment.objects.filter(
            area=area, role__in=[Role.LEADER, Role.INTAKE_OFFICER]
        ).select_related("user")
    ]


# A change applied to the locked case; returns the case fields it changed.
Change = Callable[[Case], list[str]]


def _move(
    case: Case,
    *,
    actor,
    action: Action,
    note: str = "",
    data: dict | None = None,
    change: Change | None = None,
    tell: Callable[[Case], list] | None = None,
    text: str = "",
) -> Case:
    """The one door for every transition of the state table."""
    try:
        with transaction.atomic():
            locked = (
                Case.objects.select_for_update(of=("self",))
                .select_related("area", "handling_area", "current_unit")
                .get(pk=case.pk)
            )
            target = next_state(locked.state, action)
            if target is None:
                raise CaseError(
                    ErrorCode.TRANSITION_NOT_ALLOWED,
                    f"事项当前为“{State(locked.state).label}”，不能“{action.label}”。",
                )
            if not may_take(actor, locked, action):
                raise CaseError(ErrorCode.FORBIDDEN, f"您无权对该事项执行“{action.label}”。")
            from_state = locked.state
            fields = change(locked) if change else []
            locked.state = target
            locked.save(update_fields=sorted({*fields, "state", "updated_at"}))
            _event(
                locked,
                actor=actor,
                action=action,
                from_state=from_state,
                note=note,
                data=data or {},
            )
            if tell is not None:
                notify(tell(locked), case=locked, kind=action, text=text or _default_text(locked))
    except CaseError as exc:
        if exc.code == ErrorCode.FORBIDDEN:
            # Recorded outside the rolled-back transaction so that the refusal stays.
            record_refusal(actor=actor, perm=f"case.{action}", obj=case)
        raise
    _copy_onto(case, locked)
    return locked


def _copy_onto(stale: Case, fresh: Case) -> None:
    """Refresh the caller's object so that it sees the new state."""
    stale.__dict__.update(fresh.__dict__)


def _default_text(case: Case) -> str:
    return f"事项 {case.number}「{case.title}」：{State(case.state).label}"


# --- Intake ---------------------------------------------------------------------


def _registering_area(actor, area: Area) -> Area:
    """The level registering the case: the actor's deepest grant covering the place."""
    if getattr(actor, "is_superuser", False):
        return area
    roots = [
        a.area
        for a in actor.assignments.select_related("area")
        if Perm.CASE_REGISTER in area_access.ROLE_PERMISSIONS.get(a.role, ())
        and area.path.startswith(a.area.path)
    ]
    return max(roots, key=lambda a: len(a.path)) if roots else area


def _person_for(party: PartyInput, case: Case, actor) -> Person:
    """The party's person: given, found by ID number (or phone and name) in the city,
    or registered now through the people register's own checks."""
    if party.person is not None:
        return party.person
    id_number = intake.normalize_id_number(party.id_number)
    phone = intake.normalize_phone(party.phone)
    name = (party.name or "").strip()
    city = intake.city_path(case.area)
    known = Person.objects.filter(city_path=city)
    existing = None
    if id_number:
        existing = known.filter(id_number=id_number).first()
    elif phone and name:
        existing = known.filter(phone=phone, name=name).first()
    if existing is not None:
        return existing
    # The intake desk may register a party even without the right to edit the people
    # register; the case's own audit record then names who did it.
    editor = actor if area_access.has_perm(actor, Perm.PERSON_EDIT, case.area) else None
    try:
        return create_person(
            actor=editor,
            area=case.area,
            name=name,
            id_number=id_number,
            phone=phone,
            sex=party.sex or Sex.UNKNOWN,
            address=party.address,
            household=case.household,
            data_source=DataSource.INTAKE,
        )
    except PersonInvalid as exc:
        field, messages = next(iter(exc.errors.items()))
        raise CaseError(ErrorCode.INVALID, f"当事人：{messages[0]}", field=field) from exc


def _attach(case: Case, upload, actor) -> Attachment:
    content_type, ext = intake.sniff_attachment(upload)
    row = Attachment(
        case=case,
        name=intake.display_name(upload),
        content_type=content_type,
        size=upload.size,
        sha256=intake.sha256_of(upload),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.file.save(intake.stored_name(ext), upload, save=False)
    row.save()
    return row


def _check_place(area: Area, building, household) -> Area:
    """The most precise area of the place; building and household must lie in ``area``."""
    for thing in (household, building):
        if thing is not None:
            if not thing.area.is_within(area):
                raise CaseError(ErrorCode.INVALID, "楼栋或住户不在所选区域内。")
            return thing.area
    return area


def _check_numbers(latitude, longitude, people_count, amount) -> None:
    if (latitude is None) != (longitude is None):
        raise CaseError(ErrorCode.INVALID, "经纬度须同时填写。")
    if latitude is not None and not (
        -90 <= Decimal(latitude) <= 90 and -180 <= Decimal(longitude) <= 180
    ):
        raise CaseError(ErrorCode.INVALID, "经纬度超出范围。")
    if not 1 <= int(people_count) <= 1_000_000:
        raise CaseError(ErrorCode.INVALID, "涉及人数须为正整数。")
    if amount is not None and not 0 <= Decimal(amount) < Decimal("1e12"):
        raise CaseError(ErrorCode.INVALID, "涉及金额无效。")


def register_case(
    *,
    actor,
    kind: str,
    channel: str,
    category: Category,
    title: str,
    narrative: str,
    area: Area,
    building=None,
    household=None,
    latitude=None,
    longitude=None,
    occurred_at=None,
    people_count: int = 1,
    amount=None,
    parties: Sequence[PartyInput] = (),
    attachments: Sequence = (),
    links: Sequence[tuple[Case, str]] = (),
) -> Case:
    """Register one case (登记) from any channel, with its parties and attachments."""
    if not area_access.has_perm(actor, Perm.CASE_REGISTER, area):
        record_refusal(actor=actor, perm=Perm.CASE_REGISTER, area=area)
        raise CaseError(ErrorCode.FORBIDDEN, "您无权在该区域登记事项。")
    _choice(kind, CaseKind, "事项类型")
    _choice(channel, Channel, "来源渠道")
    if category is None or not category.is_active:
        raise CaseError(ErrorCode.INVALID, "类别无效。", field="category")
    title = _require_text(title, ErrorCode.INVALID, "标题不能为空。", limit=200)
    narrative = _require_text(narrative, ErrorCode.INVALID, "事项描述不能为空。", MAX_NARRATIVE)
    place = _check_place(area, building, household)
    _check_numbers(latitude, longitude, people_count, amount)
    if occurred_at is not None and occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise CaseError(ErrorCode.INVALID, "发生时间不能晚于现在。", field="occurred_at")
    for party in parties:
        _choice(party.role, PartyRole, "当事人类型")
    for upload in attachments:
        intake.sniff_attachment(upload)
    registered = _registering_area(actor, place)
    with transaction.atomic():
        case = Case.objects.create(
            number=intake.allocate_number(place),
            tracking_code="".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12)),
            kind=kind,
            channel=channel,
            category=category,
            title=title,
            narrative=narrative,
            area=place,
            area_path=place.path,
            building=building,
            household=household,
            latitude=latitude,
            longitude=longitude,
            occurred_at=occurred_at,
            people_count=people_count,
            amount=amount,
            state=State.REGISTERED,
            handling_area=registered,
            handling_area_path=registered.path,
            registered_area=registered,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for party in parties:
            Party.objects.get_or_create(
                case=case,
                person=_person_for(party, case, actor),
                defaults={"role": party.role, "representative_name": party.representative_name},
            )
        for upload in attachments:
            _attach(case, upload, actor)
        for other, link_kind in links:
            _choice(link_kind, LinkKind, "关联类型")
            CaseLink.objects.create(case=case, other=other, kind=link_kind, created_by=actor)
        index_case(case)  # the search row commits or rolls back with the case
        _event(case, actor=actor, action="register", from_state="", note="", data={})
    return case


def link_cases(*, actor, case: Case, other: Case, kind: str) -> CaseLink:
    """Mark ``case`` as a duplicate of, or related to, ``other``."""
    _choice(kind, LinkKind, "关联类型")
    if not may_take(actor, case, Action.ACCEPT):
        raise CaseError(ErrorCode.FORBIDDEN, "您无权关联该事项。")
    if other.pk == case.pk or not Case.objects.visible_to(actor).filter(pk=other.pk).exists():
        raise CaseError(ErrorCode.INVALID, "关联的事项不存在。", field="other")
    with transaction.atomic():
        link, _ = CaseLink.objects.get_or_create(
            case=case, other=other, defaults={"kind": kind, "created_by": actor}
        )
        _event(
            case,
            actor=actor,
            action="link",
            from_state=case.state,
            note="",
            data={"other": other.number, "kind": kind},
        )
    return link


def add_attachment(*, actor, case: Case, upload) -> Attachment:
    """Add a photo or document to an open case: its handlers, or the centre handling it."""
    if not (may_take(actor, case, Action.COMPLETE) or may_take(actor, case, Action.ACCEPT)):
        record_refusal(actor=actor, perm="case.attach", obj=case)
        raise CaseError(ErrorCode.FORBIDDEN, "您无权为该事项上传附件。")
    if case.state not in OPEN_STATES:
        raise CaseError(ErrorCode.TRANSITION_NOT_ALLOWED, "事项已办结归档，不能再上传附件。")
    intake.sniff_attachment(upload)
    with transaction.atomic():
        row = _attach(case, upload, actor)
        _event(
            case,
            actor=actor,
            action="attach",
            from_state=case.state,
            note=row.name,
            data={"attachment": row.pk, "size": row.size},
        )
    return row


# --- Acceptance and assessment -------------------------------------------------------


def accept_case(*, actor, case: Case, note: str = "") -> Case:
    """受理."""
    return _move(case, actor=actor, action=Action.ACCEPT, note=note)


def decline_case(*, actor, case: Case, reason: str) -> Case:
    """不予受理, with the reason told to the resident."""

    def change(c: Case) -> list[str]:
        _require_text(reason, ErrorCode.REASON_REQUIRED, "不予受理须填写理由。")
        return []

    return _move(case, actor=actor, action=Action.DECLINE, note=reason, change=change)


def default_handling_area(case: Case, grade: str) -> Area:
    """The area that should handle a case of ``grade``: the place's ancestor at the
    grade's level, or the place itself when it lies above that level."""
    level = GRADE_LEVEL[Grade(grade)]
    for node in case.area.ancestors():
        if node.level == level:
            return node
    return case.area


def _set_handling_area(case: Case, area: Area) -> list[str]:
    case.handling_area, case.handling_area_path = area, area.path
    # Handled above the level that registered it: not a local resolution any more.
    if case.registered_area.path.startswith(area.path) and area.pk != case.registered_area_id:
        case.was_escalated = True
    return ["handling_area", "handling_area_path", "was_escalated"]


def assess_case(
    *,
    actor,
    case: Case,
    grade: str,
    risk: str,
    urgency: str = Urgency.LOW,
    lead_leader=None,
    owner=None,
    responsibility: str = "",
    deadline=None,
    note: str = "",
) -> Case:
    """研判定级: grade, risk and urgency; the handling level follows from the grade."""

    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError as exc:
            raise CaseError(ErrorCode.INVALID, "时限日期格式不正确。", field="deadline") from exc

    def change(c: Case) -> list[str]:
        _choice(grade, Grade, "等级")
        _choice(risk, Risk, "风险等级")
        _choice(urgency, Urgency, "紧急程度")
        if risk == Risk.RED and lead_leader is None:
            raise CaseError(ErrorCode.LEAD_LEADER_REQUIRED, "红色风险事项须确定包案领导。")
        if lead_leader is not None and not area_access.has_perm(
            lead_leader, Perm.CASE_SUPERVISE, c.area
        ):
            raise CaseError(ErrorCode.INVALID, "包案领导须为本区域的领导。", field="lead_leader")
        if grade == Grade.HARD:
            missing = [
                label
                for label, value in (
                    ("定人", owner),
                    ("定责", responsibility),
                    ("定时限", deadline),
                )
                if not value
            ]
            if missing:
                raise CaseError(
                    ErrorCode.THREE_FIXES_REQUIRED,
                    f"难事须落实“三定”，缺少：{'、'.join(missing)}。",
                )
        c.grade, c.risk, c.urgency = grade, risk, urgency
        c.lead_leader, c.owner = lead_leader, owner
        c.responsibility, c.deadline = (responsibility or "").strip()[:500], deadline
        fields = ["grade", "risk", "urgency", "lead_leader", "owner", "responsibility", "deadline"]
        return fields + _set_handling_area(c, default_handling_area(c, grade))

    data = {"grade": grade, "risk": risk, "urgency": urgency}
    return _move(
        case,
        actor=actor,
        action=Action.ASSESS,
        note=note,
        data=data,
        change=change,
        tell=lambda c: [c.lead_leader, c.owner],
    )


# --- Dispatch, sign-for, return ------------------------------------------------------


def default_target(case: Case) -> tuple[Unit | None, object | None]:
    """Who a case goes to when the dispatcher names no one: for a micro case, the
    compound's property company (else its owners' committee); otherwise the only
    grid worker or mediator placed on the handling area."""
    compound = case.building.compound if case.building_id and case.building.compound_id else None
    if case.grade == Grade.MICRO and compound is not None:
        for kind in UNIT_TARGET_KINDS:
            unit = Unit.objects.active().filter(compound=compound, kind=kind).first()
            if unit is not None:
                return unit, None
    role = Role.GRID_WORKER if case.handling_area.level == Level.GRID else Role.MEDIATOR
    people = list(Assignment.objects.filter(area=case.handling_area, role=role)[:2])
    if len(people) == 1:
        return None, people[0].user
    raise CaseError(ErrorCode.NO_TARGET, "请指定承办单位或承办人。")


def _check_target(case: Case, unit: Unit | None, handler) -> None:
    if unit is not None:
        if not unit.is_active:
            raise CaseError(ErrorCode.INVALID, f"单位“{unit.name}”已停用。")
        here = case.handling_area.path
        if not (here.startswith(unit.area_path) or unit.area_path.startswith(here)):
            raise CaseError(ErrorCode.NOT_IN_TREE, f"单位“{unit.name}”不在办理层级的辖区内。")
    if handler is not None and not area_access.has_perm(handler, Perm.CASE_HANDLE, case.area):
        raise CaseError(ErrorCode.INVALID, f"“{handler}”无权办理该区域的事项。")


def _start_clock(c: Case, actor) -> list[str]:
    c.dispatched_at, c.dispatched_by, c.extension_days = timezone.now(), actor, 0
    return ["dispatched_at", "dispatched_by", "extension_days", *_store_due(c)]


def _store_due(c: Case) -> list[str]:
    for field, value in deadlines.due_instants(c).items():
        setattr(c, field, value)
    return ["sign_due_at", "warning_at", "due_at", "red_at"]


def dispatch_case(
    *, actor, case: Case, unit: Unit | None = None, handler=None, note: str = ""
) -> Case:
    """派单 to a unit or a person; the clock starts now."""

    def change(c: Case) -> list[str]:
        target_unit, target_user = unit, handler
        if target_unit is None and target_user is None:
            target_unit, target_user = default_target(c)
        _check_target(c, target_unit, target_user)
        c.current_unit, c.current_handler = target_unit, target_user
        return ["current_unit", "current_handler", *_start_clock(c, actor)]

    return _move(
        case,
        actor=actor,
        action=Action.DISPATCH,
        note=note,
        change=change,
        tell=handlers_of,
        data={"unit": getattr(unit, "pk", None), "handler": getattr(handler, "pk", None)},
    )


def sign_for_case(*, actor, case: Case) -> Case:
    """签收."""
    return _move(case, actor=actor, action=Action.SIGN_FOR)


def return_case(*, actor, case: Case, reason: str, basis: str) -> Case:
    """退单: a reason and its basis (law, policy, remit) are both required; counted."""

    def change(c: Case) -> list[str]:
        _require_text(reason, ErrorCode.REASON_REQUIRED, "退单须填写理由。")
        _require_text(basis, ErrorCode.REASON_REQUIRED, "退单须填写依据。")
        c.return_count += 1
        return ["return_count"]

    return _move(
        case,
        actor=actor,
        action=Action.RETURN,
        note=reason,
        data={"basis": basis},
        change=change,
        tell=lambda c: [c.dispatched_by],
    )


def overrule_return(*, actor, case: Case, note: str) -> Case:
    """The centre refuses a return: back to the same handler; the clock keeps running."""

    def change(c: Case) -> list[str]:
        _require_text(note, ErrorCode.REASON_REQUIRED, "驳回退单须说明理由。")
        return []

    return _move(
        case, actor=actor, action=Action.OVERRULE_RETURN, note=note, change=change, tell=handlers_of
    )


def _clear_dispatch(c: Case) -> list[str]:
    c.current_unit = c.current_handler = None
    c.dispatched_at = c.sign_due_at = c.warning_at = c.due_at = c.red_at = None
    return ["current_unit", "current_handler", "dispatched_at", *_store_due(c)]


def escalate_case(*, actor, case: Case, note: str, to_area: Area | None = None) -> Case:
    """上报: move the handling level up the tree; it waits there to be dispatched again."""

    def change(c: Case) -> list[str]:
        _require_text(note, ErrorCode.REASON_REQUIRED, "上报须说明理由。")
        target = to_area or c.handling_area.parent
        if target is None or not c.handling_area.is_within(target) or target == c.handling_area:
            raise CaseError(ErrorCode.NOT_IN_TREE, "只能上报到上级区域。")
        return _set_handling_area(c, target) + _clear_dispatch(c)

    return _move(
        case,
        actor=actor,
        action=Action.ESCALATE,
        note=note,
        change=change,
        tell=lambda c: _deciders_at(c.handling_area),
        data={"to": getattr(to_area, "pk", None)},
    )


def delegate_case(*, actor, case: Case, to_area: Area, note: str = "") -> Case:
    """下派: move the handling level down, towards the place of the case."""

    def change(c: Case) -> list[str]:
        if to_area == c.handling_area or not to_area.is_within(c.handling_area):
            raise CaseError(ErrorCode.NOT_IN_TREE, "只能下派到下级区域。")
        if not c.area.is_within(to_area):
            raise CaseError(ErrorCode.NOT_IN_TREE, "只能下派到事发地所在的区域。")
        return _set_handling_area(c, to_area) + _clear_dispatch(c)

    return _move(
        case,
        actor=actor,
        action=Action.DELEGATE,
        note=note,
        change=change,
        tell=lambda c: _deciders_at(c.handling_area),
        data={"to": to_area.pk},
    )


def add_co_handler(
    *, actor, case: Case, unit: Unit | None = None, user=None, note: str = ""
) -> Case:
    """联办: another unit or person works on the case beside the main handler."""

    def change(c: Case) -> list[str]:
        if unit is None and user is None:
            raise CaseError(ErrorCode.NO_TARGET, "请指定协办单位或协办人。")
        _check_target(c, unit, user)
        CoHandler.objects.create(case=c, unit=unit, user=user, added_by=actor)
        return []

    tell = lambda c: [user] + ([m.user for m in unit.members.all()] if unit else [])  # noqa: E731
    return _move(
        case, actor=actor, action=Action.ADD_CO_HANDLER, note=note, change=change, tell=tell
    )


# --- Extensions, supervision, urgency -----------------------------------------------


def request_extension(*, actor, case: Case, days: int, reason: str) -> Case:
    """申请延期, only before the deadline has passed."""

    def change(c: Case) -> list[str]:
        _require_text(reason, ErrorCode.REASON_REQUIRED, "申请延期须说明理由。")
        if not isinstance(days, int) or not 1 <= days <= 30:
            raise CaseError(ErrorCode.INVALID, "延期天数须为 1–30 个工作日。", field="days")
        if c.due_at is not None and timezone.now() >= c.due_at:
            raise CaseError(ErrorCode.EXTENSION_TOO_LATE, "已超过办理期限，不能再申请延期。")
        if c.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
            raise CaseError(ErrorCode.EXTENSION_PENDING, "已有待审批的延期申请。")
        Extension.objects.create(
            case=c,
            days=days,
            reason=reason.strip()[:500],
            status=ExtensionStatus.REQUESTED,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        return []

    return _move(
        case,
        actor=actor,
        action=Action.REQUEST_EXTENSION,
        note=reason,
        data={"days": days},
        change=change,
        tell=lambda c: [c.dispatched_by, c.lead_leader],
    )


def _decide_extension(case: Case, actor, action: Action, note: str) -> Case:
    approve = action == Action.APPROVE_EXTENSION

    def change(c: Case) -> list[str]:
        pending = c.extensions.select_for_update().filter(status=ExtensionStatus.REQUESTED).first()
        if pending is None:
            raise CaseError(ErrorCode.NO_PENDING_EXTENSION, "没有待审批的延期申请。")
        if not approve:
            _require_text(note, ErrorCode.REASON_REQUIRED, "驳回延期须说明理由。")
        pending.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        pending.decided_by, pending.decided_at, pending.decision_note = actor, timezone.now(), note
        pending.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if not approve:
            return []
        c.extension_days += pending.days
        return ["extension_days", *_store_due(c)]

    return _move(case, actor=actor, action=action, note=note, change=change, tell=handlers_of)


def approve_extension(*, actor, case: Case, note: str = "") -> Case:
    """批准延期: the approved working days are added to the limit."""
    return _decide_extension(case, actor, Action.APPROVE_EXTENSION, note)


def refuse_extension(*, actor, case: Case, note: str) -> Case:
    """驳回延期."""
    return _decide_extension(case, actor, Action.REFUSE_EXTENSION, note)


def supervise_case(*, actor, case: Case, level: str, note: str = "") -> Case:
    """督办 (普通 / 黄牌 / 红牌)."""

    def change(c: Case) -> list[str]:
        _choice(level, SupervisionLevel, "督办级别")
        Supervision.objects.create(
            case=c, level=level, note=note[:500], by=actor, at=timezone.now()
        )
        c.supervision_level = level
        return ["supervision_level"]

    return _move(
        case,
        actor=actor,
        action=Action.SUPERVISE,
        note=note,
        data={"level": level},
        change=change,
        tell=handlers_of,
    )


def mark_urgent(*, actor, case: Case, note: str = "") -> Case:
    """加急."""

    def change(c: Case) -> list[str]:
        c.is_urgent, c.urgency = True, Urgency.HIGH
        return ["is_urgent", "urgency"]

    return _move(
        case, actor=actor, action=Action.MARK_URGENT, note=note, change=change, tell=handlers_of
    )


# --- Handling and verification -------------------------------------------------------


def start_handling(*, actor, case: Case, note: str = "") -> Case:
    """开始办理 (mediation or handling), also after a send-back."""
    return _move(case, actor=actor, action=Action.START_HANDLING, note=note)


def complete_case(*, actor, case: Case, feedback: str) -> Case:
    """办结, with the handler's feedback."""

    def change(c: Case) -> list[str]:
        c.feedback = _require_text(feedback, ErrorCode.REASON_REQUIRED, "办结须填写反馈。", 5000)
        c.completed_at = timezone.now()
        return ["feedback", "completed_at"]

    return _move(
        case,
        actor=actor,
        action=Action.COMPLETE,
        note=feedback,
        change=change,
        tell=lambda c: [c.dispatched_by],
    )


def verify_case(*, actor, case: Case, note: str = "") -> Case:
    """核查通过."""
    return _move(case, actor=actor, action=Action.VERIFY, note=note)


def send_back(*, actor, case: Case, reason: str) -> Case:
    """核查退回: back to the handler, counted as rework."""

    def change(c: Case) -> list[str]:
        _require_text(reason, ErrorCode.REASON_REQUIRED, "退回须说明理由。")
        c.rework_count += 1
        return ["rework_count"]

    return _move(
        case, actor=actor, action=Action.SEND_BACK, note=reason, change=change, tell=handlers_of
    )


# --- Part 2's moves, for now plain moves with a note ---------------------------------


def start_revisit(*, actor, case: Case, note: str = "") -> Case:
    """转入回访."""
    return _move(case, actor=actor, action=Action.REVISIT, note=note)


def close_case(*, actor, case: Case, note: str = "") -> Case:
    """结案."""

    def change(c: Case) -> list[str]:
        c.closed_at = timezone.now()
        return ["closed_at"]

    return _move(case, actor=actor, action=Action.CLOSE, note=note, change=change)


def _with_reason(action: Action, message: str):
    def act(*, actor, case: Case, note: str) -> Case:
        def change(c: Case) -> list[str]:
            _require_text(note, ErrorCode.REASON_REQUIRED, message)
            if action == Action.REOPEN:
                c.closed_at = None
                return ["closed_at"]
            return []

        return _move(case, actor=actor, action=action, note=note, change=change, tell=handlers_of)

    act.__doc__ = f"{action.label}（须说明理由）."
    return act


shelve_case = _with_reason(Action.SHELVE, "挂账须说明理由。")
refer_out = _with_reason(Action.REFER_OUT, "转法定途径须说明去向和理由。")
reopen_case = _with_reason(Action.REOPEN, "重新办理须说明理由。")


# One entry per action, for the API and the pages that act by name.
ACTIONS: dict[Action, Callable[..., Case]] = {
    Action.ACCEPT: accept_case,
    Action.DECLINE: decline_case,
    Action.ASSESS: assess_case,
    Action.DISPATCH: dispatch_case,
    Action.SIGN_FOR: sign_for_case,
    Action.RETURN: return_case,
    Action.OVERRULE_RETURN: overrule_return,
    Action.ESCALATE: escalate_case,
    Action.DELEGATE: delegate_case,
    Action.ADD_CO_HANDLER: add_co_handler,
    Action.REQUEST_EXTENSION: request_extension,
    Action.APPROVE_EXTENSION: approve_extension,
    Action.REFUSE_EXTENSION: refuse_extension,
    Action.SUPERVISE: supervise_case,
    Action.MARK_URGENT: mark_urgent,
    Action.START_HANDLING: start_handling,
    Action.COMPLETE: complete_case,
    Action.VERIFY: verify_case,
    Action.SEND_BACK: send_back,
    Action.REVISIT: start_revisit,
    Action.CLOSE: close_case,
    Action.SHELVE: shelve_case,
    Action.REFER_OUT: refer_out,
    Action.REOPEN: reopen_case,
}
