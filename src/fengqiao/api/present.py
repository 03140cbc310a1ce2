"""Cases as the API shows them: parties masked, deadlines with their light, and only
the actions the caller may take now."""

from django.urls import reverse
from django.utils import timezone

from fengqiao.cases import deadlines
from fengqiao.cases.access import may_take
from fengqiao.cases.models import Case
from fengqiao.cases.states import CLOCK_STATES, Action, State, allowed_actions
from fengqiao.people.masking import mask_id, mask_phone


def area_of(area) -> dict | None:
    if area is None:
        return None
    return {"id": area.pk, "code": area.code, "name": area.name, "level": area.level}


def user_of(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": str(user)}


def ref_of(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj)}


def category_of(category) -> dict:
    parent = category.parent.code if category.parent_id else None
    return {"code": category.code, "name": category.name, "group": category.group, "parent": parent}


def attachment_of(row) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "created_at": row.created_at,
    }


def is_overdue(case: Case, now) -> bool:
    return case.state in CLOCK_STATES and case.due_at is not None and case.due_at < now


def summary_of(case: Case, now=None) -> dict:
    now = now or timezone.now()
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "kind": case.kind,
        "channel": case.channel,
        "category": category_of(case.category),
        "state": case.state,
        "state_label": str(State(case.state).label),
        "grade": case.grade,
        "risk": case.risk,
        "urgency": case.urgency,
        "is_urgent": case.is_urgent,
        "supervision_level": case.supervision_level,
        "area": area_of(case.area),
        "handling_area": area_of(case.handling_area),
        "current_unit": ref_of(case.current_unit),
        "current_handler": user_of(case.current_handler),
        "due_at": case.due_at,
        "is_overdue": is_overdue(case, now),
        "created_at": case.created_at,
    }


def detail_url(case: Case) -> str:
    return reverse("api:case-detail", args=[case.pk])


def ref_of_case(case: Case) -> dict:
    """The small answer of a write (register, transition): the detail has its own URL,
    so a write does not pay for reading the case again (bench finding 7)."""
    return {
        "id": case.pk,
        "number": case.number,
        "tracking_code": case.tracking_code,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "url": detail_url(case),
    }


def _light(case: Case, now) -> str | None:
    try:
        found = deadlines.light(case, now)
    except ValueError:  # no time-limit rule applies: no light rather than an error
        return None
    return None if found is None else str(found)


def _actions_for(user, case: Case) -> list[str]:
    return [str(a) for a in allowed_actions(case.state) if may_take(user, case, Action(a))]


def detail_of(case: Case, user) -> dict:
    now = timezone.now()
    parties = case.parties.select_related("person").order_by("pk")
    timeline = case.timeline.select_related("actor").order_by("at", "pk")
    return {
        **summary_of(case, now),
        "tracking_code": case.tracking_code,
        "narrative": case.narrative,
        "registered_area": area_of(case.registered_area),
        "was_escalated": case.was_escalated,
        "building": ref_of(case.building),
        "household": ref_of(case.household),
        "latitude": case.latitude,
        "longitude": case.longitude,
        "occurred_at": case.occurred_at,
        "people_count": case.people_count,
        "amount": case.amount,
        "lead_leader": user_of(case.lead_leader),
        "owner": user_of(case.owner),
        "responsibility": case.responsibility,
        "deadline": case.deadline,
        "feedback": case.feedback,
        "return_count": case.return_count,
        "rework_count": case.rework_count,
        "completed_at": case.completed_at,
        "closed_at": case.closed_at,
        "parties": [
            {
                "role": p.role,
                "role_label": p.get_role_display(),
                "name": p.person.name,
                "id_number": mask_id(p.person.id_number),
                "phone": mask_phone(p.person.phone),
                "representative_name": p.representative_name,
            }
            for p in parties
        ],
        "attachments": [attachment_of(a) for a in case.attachments.order_by("pk")],
        "co_handlers": [
            str(c.unit or c.user) for c in case.co_handlers.select_related("unit", "user")
        ],
        "extensions": [
            {
                "days": e.days,
                "reason": e.reason,
                "status": e.status,
                "requested_at": e.requested_at,
                "decided_at": e.decided_at,
            }
            for e in case.extensions.order_by("requested_at", "pk")
        ],
        "timeline": [
            {
                "at": e.at,
                "actor": str(e.actor) if e.actor_id else "",
                "action": e.action,
                "action_label": _action_label(e.action),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
            }
            for e in timeline
        ],
        "deadlines": {
            "light": _light(case, now),
            "is_overdue": is_overdue(case, now),
            "dispatched_at": case.dispatched_at,
            "sign_due_at": case.sign_due_at,
            "warning_at": case.warning_at,
            "due_at": case.due_at,
            "red_at": case.red_at,
            "extension_days": case.extension_days,
        },
        "allowed_actions": _actions_for(user, case),
    }


_OTHER_LABELS = {"register": "登记", "link": "关联", "attach": "上传附件"}


def _action_label(action: str) -> str:
    if action in Action.values:
        return str(Action(action).label)
    return _OTHER_LABELS.get(action, action)
