"""The Django admin: only for ADMIN_SITE holders, every list scoped to their areas,
role changes through the audited actions."""

import pytest
from django.urls import reverse

from fengqiao.accounts.models import Assignment, Role
from fengqiao.audit.log import record
from fengqiao.audit.models import AuditRecord
from fengqiao.people.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def person_in(area, name):
    return Person.objects.create(name=name, area=area, area_path=area.path, city_path=area.path[:5])


def test_admin_is_refused_to_non_admins_with_the_common_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("admin:index")).status_code == 404
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 404
    refusal = AuditRecord.objects.filter(action="access.denied").first()
    assert (refusal.actor_id, refusal.detail) == (alice.pk, {"perm": "admin.site"})


def test_anonymous_visitor_is_sent_to_the_platform_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "next=" in response.redirect_chain[-1][0]


def test_admin_index_opens_for_admins(client, town_admin):
    client.force_login(town_admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_user_list_is_scoped_to_the_admins_areas(client, tree, town_admin, alice):
    f.user("bert", Role.MEDIATOR, tree["town_b"])
    client.force_login(town_admin)
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "alice" in html
    assert "bert" not in html
    bert = Assignment.objects.get(user__username="bert").user
    response = client.get(reverse("admin:accounts_user_change", args=[bert.pk]))
    assert response.status_code == 302  # "does not exist", like a missing id


def test_person_list_is_scoped_and_masked(client, tree, town_admin):
    mine = person_in(tree["town_a_grid1"], "甲镇居民")
    mine.id_number = "11010519491231002X"
    Person.objects.filter(pk=mine.pk).update(id_number=mine.id_number)
    person_in(tree["town_b_grid1"], "乙镇居民")
    client.force_login(town_admin)
    html = client.get(reverse("admin:people_person_changelist")).content.decode()
    assert "甲镇居民" in html
    assert "乙镇居民" not in html
    assert "11010519491231002X" not in html
    assert "1101**********002X" in html
    detail = client.get(reverse("admin:people_person_change", args=[mine.pk])).content.decode()
    assert "11010519491231002X" not in detail


def test_area_list_is_scoped(client, tree, town_admin):
    client.force_login(town_admin)
    html = client.get(reverse("admin:areas_area_changelist")).content.decode()
    assert "甲镇一村" in html
    assert "乙镇一村" not in html


def test_audit_list_is_scoped_and_read_only(client, tree, town_admin):
    record("test.in_a", area=tree["town_a"])
    record("test.in_b", area=tree["town_b"])
    record("test.nowhere")
    client.force_login(town_admin)
    html = client.get(reverse("admin:audit_auditrecord_changelist")).content.decode()
    assert "test.in_a" in html
    assert "test.in_b" not in html
    assert "test.nowhere" not in html
    rec = AuditRecord.objects.get(action="test.in_a")
    response = client.post(
        reverse("admin:audit_auditrecord_change", args=[rec.pk]), {"action": "x"}
    )
    assert response.status_code == 403
    assert client.post(reverse("admin:audit_auditrecord_delete", args=[rec.pk])).status_code in {
        302,
        403,
    }
    assert AuditRecord.objects.filter(action="test.in_a").exists()


def test_assignment_added_in_admin_goes_through_the_audited_action(client, tree, town_admin):
    bob = f.user("bob")
    client.force_login(town_admin)
    response = client.post(
        reverse("admin:accounts_assignment_add"),
        {"user": bob.pk, "area": tree["town_a_grid2"].pk, "role": Role.GRID_WORKER},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Assignment.objects.filter(user=bob, area=tree["town_a_grid2"]).exists()
    assert AuditRecord.objects.filter(action="assignment.create", actor_id=town_admin.pk).exists()


def test_assignment_outside_the_admins_area_is_refused_in_admin(client, tree, town_admin):
    bob = f.user("bob")
    client.force_login(town_admin)
    client.post(
        reverse("admin:accounts_assignment_add"),
        {"user": bob.pk, "area": tree["town_b"].pk, "role": Role.LEADER},
    )
    assert not Assignment.objects.filter(user=bob).exists()


def test_assignment_deleted_in_admin_is_revoked_and_recorded(client, tree, town_admin, alice):
    assignment = alice.assignments.get()
    client.force_login(town_admin)
    response = client.post(
        reverse("admin:accounts_assignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert AuditRecord.objects.filter(action="assignment.revoke").exists()


def test_user_created_in_admin_goes_through_the_action(client, town_admin):
    client.force_login(town_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "dora",
            "full_name": "多拉",
            "phone": "",
            "password1": "granite-willow-42x",
            "password2": "granite-willow-42x",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AuditRecord.objects.filter(action="user.create", detail__username="dora").exists()


def test_weak_password_is_refused_in_admin_in_chinese(client, town_admin):
    client.force_login(town_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "dora", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    assert "密码太短" in response.content.decode()


def test_person_changed_in_admin_goes_through_the_action(client, tree, town_admin):
    person = person_in(tree["town_a_grid1"], "甲镇居民")
    client.force_login(town_admin)
    response = client.post(
        reverse("admin:people_person_change", args=[person.pk]),
        {
            "name": "甲镇居民改",
            "sex": "unknown",
            "ethnicity": "蒙古族",
            "address": "",
            "area": tree["town_a_grid2"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.name, person.area_path) == ("甲镇居民改", tree["town_a_grid2"].path)
    rec = AuditRecord.objects.get(action="person.update")
    assert rec.detail == {"fields": ["name", "ethnicity", "area"]}


def test_person_cannot_be_moved_out_of_the_admins_area(client, tree, town_admin):
    person = person_in(tree["town_a_grid1"], "甲镇居民")
    client.force_login(town_admin)
    client.post(
        reverse("admin:people_person_change", args=[person.pk]),
        {"name": "甲镇居民", "sex": "unknown", "area": tree["town_b_grid1"].pk},
    )
    person.refresh_from_db()
    assert person.area_path == tree["town_a_grid1"].path
