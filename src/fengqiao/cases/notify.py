"""Notifications: an in-app inbox row written with the change, and an outbound message
(SMS, WeCom …) sent only after the change commits, through ``settings.NOTIFY_CHANNEL``:
"log" (the default) writes to the log, "none" sends nothing, anything else is the dotted
path of a callable ``send(notification)``."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from fengqiao.core.rows import insert

from .models import Notification

logger = logging.getLogger("fengqiao.notify")


def _log_channel(notification: Notification) -> None:
    logger.info(
        "通知 %s → 用户 %s：%s", notification.kind, notification.recipient_id, notification.text
    )


def channel():
    name = getattr(settings, "NOTIFY_CHANNEL", "log") or "log"
    if name == "log":
        return _log_channel
    if name == "none":
        return lambda notification: None
    return import_string(name)


def _send(notification: Notification) -> None:
    try:
        channel()(notification)
    except Exception:
        # An outbound failure must not undo the committed change; the inbox row stays.
        logger.exception("通知发送失败：%s", notification.pk)


def notify(recipients, *, case, kind: str, text: str) -> list[Notification]:
    """Put a notification in each recipient's inbox; send it out after commit."""
    rows = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        row = insert(Notification(recipient=user, case=case, kind=kind, text=text[:300]))
        transaction.on_commit(lambda row=row: _send(row))
        rows.append(row)
    return rows


def mark_read(*, actor, pk: int | None = None) -> int:
    """Mark one of the actor's notifications (or all of them) as read; only their own."""
    rows = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())
