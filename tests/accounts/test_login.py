"""Login: lockout after repeated failures, identical answers for real and unknown
accounts, audit records without passwords, Argon2 hashes, logout by POST only."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from fengqiao.accounts.models import LoginThrottle
from fengqiao.audit.models import AuditRecord
from tests import factories as f
from tests.html import without_csrf

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def post_login(client, username, password=f.PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def fail(client, username, times):
    for _ in range(times):
        post_login(client, username, "wrong-password-123")


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_correct_password_logs_in_and_is_recorded(client, alice):
    response = post_login(client, "alice")
    assert response.status_code == 302
    assert is_logged_in(client)
    assert AuditRecord.objects.filter(action="login.success", actor_id=alice.pk).exists()


def test_wrong_password_gives_a_chinese_message_and_is_recorded(client, alice):
    response = post_login(client, "alice", "not-her-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    rec = AuditRecord.objects.get(action="login.failure")
    assert (rec.actor_name, rec.outcome) == ("alice", "failed")


def test_five_failures_lock_the_account_even_for_the_right_password(client, alice):
    fail(client, "alice", settings.LOGIN_MAX_FAILURES)
    assert AuditRecord.objects.filter(action="login.lockout", actor_name="alice").exists()
    response = post_login(client, "alice")
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert AuditRecord.objects.filter(action="login.locked", actor_name="alice").exists()


def test_four_failures_do_not_lock(client, alice):
    fail(client, "alice", settings.LOGIN_MAX_FAILURES - 1)
    post_login(client, "alice")
    assert is_logged_in(client)


def test_lock_lifts_after_the_lockout_period(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        fail(client, "alice", settings.LOGIN_MAX_FAILURES)
        clock.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES - 1))
        post_login(client, "alice")
        assert not is_logged_in(client)
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        post_login(client, "alice")
        assert is_logged_in(client)
    assert not LoginThrottle.objects.filter(username="alice").exists()


def test_unknown_username_gets_the_identical_answer(client, alice):
    real = [post_login(client, "alice", "wrong-password-123") for _ in range(6)]
    ghost = [post_login(client, "nobody", "wrong-password-123") for _ in range(6)]
    for a, b in zip(real, ghost, strict=True):
        assert a.status_code == b.status_code
        assert without_csrf(a.content.decode()).replace("alice", "X") == without_csrf(
            b.content.decode()
        ).replace("nobody", "X")
    assert LoginThrottle.objects.get(username="nobody").locked_until is not None


def test_locked_and_wrong_password_answers_are_identical(client, alice):
    first = post_login(client, "alice", "wrong-password-123")
    fail(client, "alice", settings.LOGIN_MAX_FAILURES)
    while_locked = post_login(client, "alice")
    assert without_csrf(first.content.decode()) == without_csrf(while_locked.content.decode())


def test_password_never_reaches_the_audit_log(client, alice):
    post_login(client, "alice", "secret-guess-9876")
    post_login(client, "alice")
    text = " ".join(str(r.detail) + r.actor_name for r in AuditRecord.objects.all())
    assert "secret-guess-9876" not in text
    assert f.PASSWORD not in text


def test_passwords_are_stored_with_argon2(alice):
    assert alice.password.startswith("argon2")


def test_next_parameter_cannot_leave_the_site(client, alice):
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "alice", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_logout_needs_post_and_is_recorded(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)
    assert AuditRecord.objects.filter(action="logout", actor_id=alice.pk).exists()
