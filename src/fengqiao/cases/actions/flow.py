"""The loop from acceptance to verification: assess, dispatch, sign for or return,
escalate or delegate, co-handle, extend, supervise, handle, complete, verify."""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from fengqiao.accounts.models import Assignment, Role
from fengqiao.areas import access as area_access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area, Level
from fengqiao.units.models import Unit, UnitKind

from .. import deadlines
from ..errors import CaseError, ErrorCode
from ..models import (
    Case,
    CoHandler,
    Extension,
    ExtensionStatus,
    Grade,
    Risk,
    Supervision,
    SupervisionLevel,
    Urgency,
)
from ..states import Action
from .base import (
    check_choice,
    deciders_at,
    handlers_of,
    move,
    require_text,
)

# The level each grade is handled at by default (工业街道: 微事 in the compound,
# 小事 by the grid worker, 大事 by the community, 难事 at the street centre).
GRADE_LEVEL = {
    Grade.MICRO: Level.GRID,
    Grade.MINOR: Level.GRID,
    Grade.MAJOR: Level.COMMUNITY,
    Grade.HARD: Level.TOWN,
}
UNIT_TARGET_KINDS = (UnitKind.PROPERTY_COMPANY, UnitKind.OWNERS_COMMITTEE)


# --- Acceptance and assessment -------------------------------------------------------


def accept_case(*, actor, case: Case, note: str = "") -> Case:
    """受理."""
    return move(case, actor=actor, action=Action.ACCEPT, note=note)


def decline_case(*, actor, case: Case, reason: str) -> Case:
    """不予受理, with the reason told to the resident."""

    def change(c: Case) -> list[str]:
        require_text(reason, ErrorCode.REASON_REQUIRED, "不予受理须填写理由。")
        return []

    return move(case, actor=actor, action=Action.DECLINE, note=reason, change=change)


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
        check_choice(grade, Grade, "等级")
        check_choice(risk, Risk, "风险等级")
        check_choice(urgency, Urgency, "紧急程度")
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
    return move(
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
    c.dispatched_at, c.dispatched_by = timezone.now(), actor
    c.clock_started_at, c.extension_days = c.dispatched_at, 0
    return [
        "dispatched_at",
        "dispatched_by",
        "clock_started_at",
        "extension_days",
        *_store_due(c),
    ]


def restart_handling_clock(c: Case) -> list[str]:
    """Back to the handler (核查退回, 重新办理): a fresh handling limit from now; the
    extensions approved for the earlier round do not carry over."""
    c.clock_started_at, c.extension_days = timezone.now(), 0
    return ["clock_started_at", "extension_days", *_store_due(c)]


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

    return move(
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
    return move(case, actor=actor, action=Action.SIGN_FOR)


def return_case(*, actor, case: Case, reason: str, basis: str) -> Case:
    """退单: a reason and its basis (law, policy, remit) are both required; counted."""

    def change(c: Case) -> list[str]:
        require_text(reason, ErrorCode.REASON_REQUIRED, "退单须填写理由。")
        require_text(basis, ErrorCode.REASON_REQUIRED, "退单须填写依据。")
        c.return_count += 1
        return ["return_count"]

    return move(
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
        require_text(note, ErrorCode.REASON_REQUIRED, "驳回退单须说明理由。")
        return []

    return move(
        case, actor=actor, action=Action.OVERRULE_RETURN, note=note, change=change, tell=handlers_of
    )


def _clear_dispatch(c: Case) -> list[str]:
    c.current_unit = c.current_handler = None
    c.dispatched_at = c.clock_started_at = None
    return ["current_unit", "current_handler", "dispatched_at", "clock_started_at", *_store_due(c)]


def escalate_case(*, actor, case: Case, note: str, to_area: Area | None = None) -> Case:
    """上报: move the handling level up the tree; it waits there to be dispatched again."""

    def change(c: Case) -> list[str]:
        require_text(note, ErrorCode.REASON_REQUIRED, "上报须说明理由。")
        target = to_area or c.handling_area.parent
        if target is None or not c.handling_area.is_within(target) or target == c.handling_area:
            raise CaseError(ErrorCode.NOT_IN_TREE, "只能上报到上级区域。")
        return _set_handling_area(c, target) + _clear_dispatch(c)

    return move(
        case,
        actor=actor,
        action=Action.ESCALATE,
        note=note,
        change=change,
        tell=lambda c: deciders_at(c.handling_area),
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

    return move(
        case,
        actor=actor,
        action=Action.DELEGATE,
        note=note,
        change=change,
        tell=lambda c: deciders_at(c.handling_area),
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
    return move(
        case, actor=actor, action=Action.ADD_CO_HANDLER, note=note, change=change, tell=tell
    )


# --- Extensions, supervision, urgency -----------------------------------------------


def request_extension(*, actor, case: Case, days: int, reason: str) -> Case:
    """申请延期, only before the deadline has passed."""

    def change(c: Case) -> list[str]:
        require_text(reason, ErrorCode.REASON_REQUIRED, "申请延期须说明理由。")
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

    return move(
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
            require_text(note, ErrorCode.REASON_REQUIRED, "驳回延期须说明理由。")
        pending.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        pending.decided_by, pending.decided_at, pending.decision_note = actor, timezone.now(), note
        pending.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if not approve:
            return []
        c.extension_days += pending.days
        return ["extension_days", *_store_due(c)]

    return move(case, actor=actor, action=action, note=note, change=change, tell=handlers_of)


def approve_extension(*, actor, case: Case, note: str = "") -> Case:
    """批准延期: the approved working days are added to the limit."""
    return _decide_extension(case, actor, Action.APPROVE_EXTENSION, note)


def refuse_extension(*, actor, case: Case, note: str) -> Case:
    """驳回延期."""
    return _decide_extension(case, actor, Action.REFUSE_EXTENSION, note)


def supervise_case(*, actor, case: Case, level: str, note: str = "") -> Case:
    """督办 (普通 / 黄牌 / 红牌)."""

    def change(c: Case) -> list[str]:
        check_choice(level, SupervisionLevel, "督办级别")
        Supervision.objects.create(
            case=c, level=level, note=note[:500], by=actor, at=timezone.now()
        )
        c.supervision_level = level
        return ["supervision_level"]

    return move(
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

    return move(
        case, actor=actor, action=Action.MARK_URGENT, note=note, change=change, tell=handlers_of
    )


# --- Handling and verification -------------------------------------------------------


def start_handling(*, actor, case: Case, note: str = "") -> Case:
    """开始办理 (mediation or handling), also after a send-back."""
    return move(case, actor=actor, action=Action.START_HANDLING, note=note)


# What other apps do when a case is completed, inside the completion's transaction with
# the case locked (mediation: schedule the mediator's revisits). Each takes (case, actor).
COMPLETION_HOOKS: list[Callable[[Case, object], None]] = []


def complete_case(*, actor, case: Case, feedback: str) -> Case:
    """办结, with the handler's feedback."""

    def change(c: Case) -> list[str]:
        c.feedback = require_text(feedback, ErrorCode.REASON_REQUIRED, "办结须填写反馈。", 5000)
        c.completed_at = timezone.now()
        # A request nobody decided lapses: it would otherwise wait on a leader's list
        # for a case that can no longer be extended, and add days to a later round.
        c.extensions.filter(status=ExtensionStatus.REQUESTED).update(
            status=ExtensionStatus.REFUSED,
            decided_at=c.completed_at,
            decision_note="办结时尚未审批，自动失效",
        )
        # The verification clock starts now (核查时限).
        for field, value in deadlines.verify_instants(c).items():
            setattr(c, field, value)
        for hook in COMPLETION_HOOKS:
            hook(c, actor)
        return ["feedback", "completed_at", "verify_warning_at", "verify_due_at", "verify_red_at"]

    return move(
        case,
        actor=actor,
        action=Action.COMPLETE,
        note=feedback,
        change=change,
        tell=lambda c: [c.dispatched_by],
    )


def verify_case(*, actor, case: Case, note: str = "") -> Case:
    """核查通过."""
    return move(case, actor=actor, action=Action.VERIFY, note=note)


def send_back(*, actor, case: Case, reason: str) -> Case:
    """核查退回: back to the handler, counted as rework, with a fresh handling limit."""

    def change(c: Case) -> list[str]:
        require_text(reason, ErrorCode.REASON_REQUIRED, "退回须说明理由。")
        c.rework_count += 1
        return ["rework_count", *restart_handling_clock(c)]

    return move(
        case, actor=actor, action=Action.SEND_BACK, note=reason, change=change, tell=handlers_of
    )
