import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fengqiao.accounts import actions
from fengqiao.accounts.models import Assignment, Role, User
from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_assigning_a_role_grants_it_at_once_and_is_recorded(tree, town_admin, alice):
    assert not access.has_perm(alice, Perm.PERSON_EDIT, tree["town_a_grid1"])
    actions.assign_role(
        actor=town_admin, user=alice, area=tree["town_a_grid1"], role=Role.GRID_WORKER
    )
    assert access.has_perm(alice, Perm.PERSON_EDIT, tree["town_a_grid1"])
    rec = AuditRecord.objects.get(action="assignment.create")
    assert (rec.actor_id, rec.area_path) == (town_admin.pk, tree["town_a_grid1"].path)
    assert rec.detail == {"user": "alice", "role": Role.GRID_WORKER}


def test_revoking_a_role_removes_it_at_once_and_is_recorded(tree, town_admin, alice):
    assert access.has_perm(alice, Perm.PERSON_VIEW, tree["town_a"])
    assignment = alice.assignments.get()
    actions.revoke_role(actor=town_admin, assignment=assignment)
    assert not access.has_perm(alice, Perm.PERSON_VIEW, tree["town_a"])
    assert not Assignment.objects.filter(user=alice).exists()
    assert AuditRecord.objects.filter(action="assignment.revoke", actor_id=town_admin.pk).exists()


def test_admin_cannot_assign_roles_outside_their_area(tree, town_admin, alice):
    with pytest.raises(Http404):
        actions.assign_role(actor=town_admin, user=alice, area=tree["town_b"], role=Role.LEADER)
    assert not Assignment.objects.filter(area=tree["town_b"]).exists()
    assert not AuditRecord.objects.filter(action="assignment.create").exists()


def test_mediator_cannot_assign_roles(tree, alice):
    with pytest.raises(Http404):
        actions.assign_role(actor=alice, user=alice, area=tree["town_a"], role=Role.ADMIN)


def test_created_user_must_have_a_strong_password(town_admin):
    with pytest.raises(ValidationError):
        actions.create_user(actor=town_admin, username="bob", password="short")
    assert not User.objects.filter(username="bob").exists()
    bob = actions.create_user(actor=town_admin, username="bob", password="granite-willow-42x")
    assert bob.password.startswith("argon2")
    assert AuditRecord.objects.filter(action="user.create", object_id=str(bob.pk)).exists()


def test_deactivated_user_loses_every_permission(tree, town_admin, alice):
    actions.deactivate_user(actor=town_admin, user=alice)
    alice.refresh_from_db()
    assert not alice.is_active
    assert not access.has_perm(alice, Perm.PERSON_VIEW, tree["town_a"])
    assert AuditRecord.objects.filter(action="user.deactivate").exists()


def test_town_admin_cannot_deactivate_a_city_leader(tree, town_admin):
    from tests import factories as f

    leader = f.user("lee", Role.LEADER, tree["city"])
    with pytest.raises(actions.AccountError):
        actions.deactivate_user(actor=town_admin, user=leader)
    leader.refresh_from_db()
    assert leader.is_active
