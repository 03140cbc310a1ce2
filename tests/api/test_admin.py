"""API tokens in the admin: an admin sees the tokens of accounts in their areas, never
a key, and revokes them through the audited action."""

from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.api.actions import issue_token
from fengqiao.audit.models import AuditRecord
from tests import factories as f

from .conftest import Api


def test_an_admin_lists_and_revokes_tokens_of_their_area_only(world, elsewhere):
    street, _, stranger = elsewhere
    admin_user = f.user("admin_gy", Role.ADMIN, world.street)
    mine = issue_token(actor=None, user=world.intake, name="工业街道对接")
    theirs = issue_token(actor=None, user=stranger, name="昭君街道对接")
    client = Client()
    client.force_login(admin_user)
    changelist = reverse("admin:api_apitoken_changelist")
    html = client.get(changelist).content.decode()
    assert "工业街道对接" in html
    assert "昭君街道对接" not in html
    assert mine.key not in html
    # when the admin revokes both (the other street's is not in their list)
    response = client.post(
        changelist,
        {"action": "revoke", "_selected_action": [mine.token.pk, theirs.token.pk]},
    )
    assert response.status_code == 302
    assert Api(Client(), mine.key).get("/cases").status_code == 401
    assert Api(Client(), theirs.key).get("/cases").status_code == 200
    assert (
        AuditRecord.objects.filter(action="api_token.revoke", actor_id=admin_user.pk).count() == 1
    )


def test_the_token_admin_is_closed_to_non_admins(world):
    client = Client()
    client.force_login(world.intake)
    assert client.get(reverse("admin:api_apitoken_changelist")).status_code == 404
