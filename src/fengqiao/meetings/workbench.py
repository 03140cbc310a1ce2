"""The owner's workbench panel: open action items, with their deadline lights."""

import datetime as dt

from django.utils import timezone

from .models import ActionItem, ActionItemStatus

WARNING_DAYS = 2


def light(item: ActionItem, today: dt.date) -> str:
    """red past the deadline, yellow on its day, warning shortly before, else normal."""
    if item.status != ActionItemStatus.OPEN:
        return ""
    if today > item.deadline:
        return "red"
    if today == item.deadline:
        return "yellow"
    if (item.deadline - today).days <= WARNING_DAYS:
        return "warning"
    return "normal"


def open_items_of(user):
    return (
        ActionItem.objects.filter(owner=user, status=ActionItemStatus.OPEN)
        .select_related("meeting")
        .order_by("deadline", "pk")
    )


def panel_context(request) -> dict | None:
    """The panel on the home page; None when the user owns no open item."""
    if not getattr(request.user, "is_authenticated", False):
        return None
    items = list(open_items_of(request.user)[:20])
    if not items:
        return None
    today = timezone.localdate()
    for item in items:
        item.light = light(item, today)
    return {"items": items}
