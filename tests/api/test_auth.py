"""Bearer tokens: only a live key of an active user opens the API; keys are stored as
hashes; issuing and revoking leave audit records."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from fengqiao.api.actions import issue_token, revoke_token
from fengqiao.api.models import ApiToken
from fengqiao.audit.models import AuditRecord

from .conftest import BASE, Api


def test_a_request_without_a_token_is_refused_with_401(world):
    # when a client calls the API without an Authorization header
    response = Client().get(f"{BASE}/cases")
    # then it is refused, in Chinese, with a bearer challenge
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "令牌" in response.json()["message"]
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Bearer fq_not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "fq_no_scheme", "Bearer x" * 300],
)
def test_an_invalid_token_is_refused_with_401(world, header):
    response = Client().get(f"{BASE}/cases", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_is_refused_with_401(world):
    # given a key that worked
    issued = issue_token(actor=None, user=world.intake, name="对接")
    api = Api(Client(), issued.key)
    assert api.get("/cases").status_code == 200
    # when it is revoked
    revoke_token(actor=world.director, token=issued.token)
    # then it no longer opens anything
    assert api.get("/cases").status_code == 401


def test_the_token_of_a_deactivated_user_is_refused_with_401(world):
    issued = issue_token(actor=None, user=world.intake, name="对接")
    world.intake.is_active = False
    world.intake.save(update_fields=["is_active"])
    assert Api(Client(), issued.key).get("/cases").status_code == 401


def test_a_valid_token_acts_as_its_user_and_marks_when_it_was_used(world):
    issued = issue_token(actor=None, user=world.intake, name="对接")
    assert issued.token.last_used_at is None
    response = Api(Client(), issued.key).get("/cases")
    assert response.status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_only_the_hash_of_the_key_is_stored(world):
    issued = issue_token(actor=None, user=world.intake, name="对接")
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    assert issued.key not in {token.name, token.prefix, token.key_hash}
    assert issued.key.startswith(token.prefix)


def test_issuing_and_revoking_are_audited_without_the_key(world):
    issued = issue_token(actor=world.director, user=world.intake, name="12345 热线对接")
    revoke_token(actor=world.director, token=issued.token)
    revoke_token(actor=world.director, token=issued.token)  # twice: recorded once
    issue, revoke = AuditRecord.objects.filter(action__startswith="api_token.").order_by("seq")
    assert (issue.action, revoke.action) == ("api_token.issue", "api_token.revoke")
    assert AuditRecord.objects.filter(action="api_token.revoke").count() == 1
    assert issue.actor_id == world.director.pk
    assert issue.detail == {
        "user": "intake_sun",
        "name": "12345 热线对接",
        "prefix": issued.token.prefix,
    }
    assert issued.key not in str(issue.detail) + str(revoke.detail)


def test_the_command_prints_a_working_key_once(world):
    # when an operator issues a key from the command line
    out, err = StringIO(), StringIO()
    call_command("apitoken", "create", "intake_sun", "热线对接", stdout=out, stderr=err)
    key = out.getvalue().strip()
    # then stdout holds only the key, which works, and the issue is audited as the CLI
    assert key.startswith("fq_")
    assert "\n" not in key
    assert "只显示这一次" in err.getvalue()
    assert Api(Client(), key).get("/cases").status_code == 200
    assert AuditRecord.objects.get(action="api_token.issue").actor_name == "cli"
    # and the listing shows the prefix, never the key
    listing = StringIO()
    call_command("apitoken", "list", "intake_sun", stdout=listing)
    assert key[:9] in listing.getvalue()
    assert key not in listing.getvalue()


def test_the_command_revokes_by_prefix(world):
    issued = issue_token(actor=None, user=world.intake, name="对接")
    call_command("apitoken", "revoke", issued.token.prefix, stdout=StringIO())
    assert Api(Client(), issued.key).get("/cases").status_code == 401


def test_the_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("apitoken", "create", "nobody", "对接", stdout=StringIO())
    assert not ApiToken.objects.exists()
