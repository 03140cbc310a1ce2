import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from fengqiao.audit.models import AuditRecord
from tests import factories as f

pytestmark = pytest.mark.django_db
CHANGE = reverse("accounts:password_change")


def change(client, new, new2=None, old=f.PASSWORD):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new, "new_password2": new2 or new}
    )


def test_short_password_is_refused_in_chinese(client, alice):
    client.force_login(alice)
    response = change(client, "Short-9x")
    assert response.status_code == 200
    assert "密码太短，至少需要 12 个字符" in response.content.decode()


def test_common_password_is_refused_in_chinese(client, alice):
    client.force_login(alice)
    response = change(client, "qwerty123456")
    assert "这个密码太常见了" in response.content.decode()


def test_numeric_password_is_refused_in_chinese(client, alice):
    client.force_login(alice)
    response = change(client, "394857201938475")
    assert "密码只包含数字" in response.content.decode()


def test_wrong_old_password_is_refused(client, alice):
    client.force_login(alice)
    response = change(client, "a-much-better-passphrase", old="wrong-one-here")
    assert "旧密码不正确" in response.content.decode()


def test_good_password_is_stored_as_argon2_and_recorded(client, alice):
    client.force_login(alice)
    response = change(client, "river-lantern-meadow-7")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("river-lantern-meadow-7")
    assert alice.password.startswith("argon2")
    assert AuditRecord.objects.filter(action="user.password_change", actor_id=alice.pk).exists()
    # The session survives the change.
    assert client.get(CHANGE).status_code == 200


def test_password_page_needs_login(client):
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_idle_session_is_logged_out(client, alice):
    idle = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.force_login(alice)
        assert client.get(CHANGE).status_code == 200
        clock.shift(idle - dt.timedelta(seconds=5))
        assert client.get(CHANGE).status_code == 200  # activity renews the clock
        clock.shift(idle - dt.timedelta(seconds=5))
        assert client.get(CHANGE).status_code == 200
        clock.shift(idle + dt.timedelta(seconds=1))
        response = client.get(CHANGE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert AuditRecord.objects.filter(action="session.timeout", actor_id=alice.pk).exists()


def test_pages_within_a_minute_do_not_write_the_session(client, alice):
    from fengqiao.accounts.middleware import IdleTimeoutMiddleware as Idle

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.force_login(alice)
        client.get(CHANGE)
        first = client.session[Idle.KEY]
        clock.shift(dt.timedelta(seconds=Idle.RESOLUTION - 1))
        client.get(CHANGE)
        assert client.session[Idle.KEY] == first  # no session write for this page
        clock.shift(dt.timedelta(seconds=1))
        client.get(CHANGE)
        assert client.session[Idle.KEY] == first + Idle.RESOLUTION
