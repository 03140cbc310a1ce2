"""Notifications: an inbox row with the change, the outbound message only after commit."""

import pytest

from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError
from fengqiao.cases.models import Grade, Notification, Risk
from tests import factories as f

from .builders import register

SENT: list = []


def collect(notification) -> None:
    """A stand-in outbound channel (SMS, WeCom) that remembers what it was given."""
    SENT.append((notification.recipient_id, notification.kind))


@pytest.fixture
def outbox(settings):
    settings.NOTIFY_CHANNEL = "tests.cases.test_notifications.collect"
    SENT.clear()
    return SENT


def assessed(world):
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    return case


def test_dispatch_notifies_the_unit_members_after_commit(
    world, outbox, django_capture_on_commit_callbacks
):
    case = assessed(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.dispatch_case(actor=world.intake, case=case, unit=world.judicial)
    # the inbox row is there at once; nothing has left before the commit
    assert Notification.objects.filter(recipient=world.judicial_handler, case=case).exists()
    assert outbox == []
    for callback in callbacks:
        callback()
    assert outbox == [(world.judicial_handler.pk, "dispatch")]


def test_a_refused_action_sends_nothing(world, outbox, django_capture_on_commit_callbacks):
    case = assessed(world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CaseError):
        actions.dispatch_case(actor=world.intake, case=case, handler=f.user("outsider"))
    assert outbox == []
    assert not Notification.objects.exists()


def test_the_default_channel_logs(world, settings, caplog, django_capture_on_commit_callbacks):
    settings.NOTIFY_CHANNEL = "log"
    case = assessed(world)
    with (
        caplog.at_level("INFO", logger="fengqiao.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.dispatch_case(actor=world.intake, case=case, unit=world.police)
    assert "dispatch" in caplog.text
    assert case.number in caplog.text
