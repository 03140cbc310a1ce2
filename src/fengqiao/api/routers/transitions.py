"""/cases/{id}/{action}: one route per action of the state table, each with its own
typed body. The case is fetched through ``cases.access`` (404 for missing and hidden
alike) and the move made by ``cases.actions``, which checks everything else."""

from collections.abc import Callable
from dataclasses import dataclass

from ninja import Path, Router

from fengqiao.cases import actions
from fengqiao.cases.access import get_case_for_user_or_404
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.states import Action

from .. import lookups, present
from ..schemas import (
    AssessIn,
    CaseRef,
    CoHandlerIn,
    CompleteIn,
    DelegateIn,
    DispatchIn,
    EscalateIn,
    ExtensionRequestIn,
    Id,
    NoteIn,
    ReasonIn,
    RequiredNoteIn,
    ReturnIn,
    SignForIn,
    SuperviseIn,
)
from .cases import ERRORS

router = Router(tags=["流转"])


@dataclass(frozen=True)
class ActionRoute:
    schema: type
    call: Callable  # (actor, case, payload) -> Case
    # The text fields the action requires; a blank one is named in the error.
    required_text: tuple[str, ...] = ()


def _note(fn):
    return lambda u, c, p: fn(actor=u, case=c, note=p.note)


ROUTES: dict[Action, ActionRoute] = {
    Action.ACCEPT: ActionRoute(NoteIn, _note(actions.accept_case)),
    Action.DECLINE: ActionRoute(
        ReasonIn,
        lambda u, c, p: actions.decline_case(actor=u, case=c, reason=p.reason),
        ("reason",),
    ),
    Action.ASSESS: ActionRoute(
        AssessIn,
        lambda u, c, p: actions.assess_case(
            actor=u,
            case=c,
            grade=p.grade,
            risk=p.risk,
            urgency=p.urgency,
            lead_leader=lookups.user_by_name(p.lead_leader, "lead_leader"),
            owner=lookups.user_by_name(p.owner, "owner"),
            responsibility=p.responsibility,
            deadline=p.deadline,
            note=p.note,
        ),
    ),
    Action.DISPATCH: ActionRoute(
        DispatchIn,
        lambda u, c, p: actions.dispatch_case(
            actor=u,
            case=c,
            unit=lookups.unit_by_id(p.unit),
            handler=lookups.user_by_name(p.handler, "handler"),
            note=p.note,
        ),
    ),
    Action.SIGN_FOR: ActionRoute(SignForIn, lambda u, c, p: actions.sign_for_case(actor=u, case=c)),
    Action.RETURN: ActionRoute(
        ReturnIn,
        lambda u, c, p: actions.return_case(actor=u, case=c, reason=p.reason, basis=p.basis),
        ("reason", "basis"),
    ),
    Action.OVERRULE_RETURN: ActionRoute(RequiredNoteIn, _note(actions.overrule_return), ("note",)),
    Action.ESCALATE: ActionRoute(
        EscalateIn,
        lambda u, c, p: actions.escalate_case(
            actor=u,
            case=c,
            note=p.note,
            to_area=lookups.area_by_code(p.to_area, "to_area") if p.to_area else None,
        ),
        ("note",),
    ),
    Action.DELEGATE: ActionRoute(
        DelegateIn,
        lambda u, c, p: actions.delegate_case(
            actor=u, case=c, to_area=lookups.area_by_code(p.to_area, "to_area"), note=p.note
        ),
    ),
    Action.ADD_CO_HANDLER: ActionRoute(
        CoHandlerIn,
        lambda u, c, p: actions.add_co_handler(
            actor=u,
            case=c,
            unit=lookups.unit_by_id(p.unit),
            user=lookups.user_by_name(p.user, "user"),
            note=p.note,
        ),
    ),
    Action.REQUEST_EXTENSION: ActionRoute(
        ExtensionRequestIn,
        lambda u, c, p: actions.request_extension(actor=u, case=c, days=p.days, reason=p.reason),
        ("reason",),
    ),
    Action.APPROVE_EXTENSION: ActionRoute(NoteIn, _note(actions.approve_extension)),
    Action.REFUSE_EXTENSION: ActionRoute(
        RequiredNoteIn, _note(actions.refuse_extension), ("note",)
    ),
    Action.SUPERVISE: ActionRoute(
        SuperviseIn,
        lambda u, c, p: actions.supervise_case(actor=u, case=c, level=p.level, note=p.note),
    ),
    Action.MARK_URGENT: ActionRoute(NoteIn, _note(actions.mark_urgent)),
    Action.START_HANDLING: ActionRoute(NoteIn, _note(actions.start_handling)),
    Action.COMPLETE: ActionRoute(
        CompleteIn,
        lambda u, c, p: actions.complete_case(actor=u, case=c, feedback=p.feedback),
        ("feedback",),
    ),
    Action.VERIFY: ActionRoute(NoteIn, _note(actions.verify_case)),
    Action.SEND_BACK: ActionRoute(
        ReasonIn, lambda u, c, p: actions.send_back(actor=u, case=c, reason=p.reason), ("reason",)
    ),
    Action.REVISIT: ActionRoute(NoteIn, _note(actions.start_revisit)),
    Action.CLOSE: ActionRoute(NoteIn, _note(actions.close_case)),
    Action.SHELVE: ActionRoute(RequiredNoteIn, _note(actions.shelve_case), ("note",)),
    Action.REFER_OUT: ActionRoute(RequiredNoteIn, _note(actions.refer_out), ("note",)),
    Action.REOPEN: ActionRoute(RequiredNoteIn, _note(actions.reopen_case), ("note",)),
}


def _name_blank_field(exc: CaseError, route: ActionRoute, payload) -> None:
    """The actions say "a reason is required"; the API also says which field."""
    if exc.field or exc.code != ErrorCode.REASON_REQUIRED:
        return
    for name in route.required_text:
        if not str(getattr(payload, name, "") or "").strip():
            exc.field = name
            return


def _add_action_route(action: Action, route: ActionRoute) -> None:
    schema = route.schema

    def run(request, case_id: int, payload):
        user = request.auth
        case = get_case_for_user_or_404(user, case_id)
        payload = payload if payload is not None else schema()
        try:
            route.call(user, case, payload)
        except CaseError as exc:
            _name_blank_field(exc, route, payload)
            raise
        return present.ref_of_case(case)

    # A body is required only when the action has required fields (sign-for has none).
    if any(f.is_required() for f in schema.model_fields.values()):

        def take_action(request, case_id: Path[Id], payload: schema):  # type: ignore[valid-type]
            return run(request, case_id, payload)

    else:

        def take_action(request, case_id: Path[Id], payload: schema = None):  # type: ignore[valid-type]
            return run(request, case_id, payload)

    take_action.__name__ = f"case_{action.value}"
    router.post(
        f"/cases/{{case_id}}/{action.value}",
        response={200: CaseRef, **ERRORS},
        summary=str(action.label),
        description="答复事项的新状态和详情地址（`url`）；详情用 `GET /cases/{id}` 读取。",
        operation_id=f"case_{action.value}",
    )(take_action)


for _action, _route in ROUTES.items():
    _add_action_route(_action, _route)
