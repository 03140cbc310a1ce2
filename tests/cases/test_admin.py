"""Time limits and the work calendar are edited by a city-wide administrator, audited."""

from fengqiao.accounts.models import Role
from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import TimeLimit
from tests import factories as f


def test_city_administrator_changes_a_time_limit_and_it_is_audited(world, client):
    admin_user = f.user("city_admin", Role.ADMIN, world.city)
    rule = TimeLimit.objects.get(stage="handle", unit_scope="functional")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/cases/timelimit/{rule.pk}/change/",
        {
            "stage": "handle",
            "case_kind": "",
            "category": "",
            "handling_level": "",
            "unit_scope": "functional",
            "yellow_limit": 7,
            "red_limit": 15,
            "time_unit": "days",
            "warning_percent": 70,
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.yellow_limit, rule.red_limit) == (7, 15)
    audit = AuditRecord.objects.get(action="cases.timelimit.change")
    assert audit.detail == {"fields": ["red_limit", "yellow_limit"]}


def test_a_district_administrator_may_only_look(world, client):
    district_admin = f.user("district_admin", Role.ADMIN, world.district)
    rule = TimeLimit.objects.get(stage="handle", unit_scope="functional")
    client.force_login(district_admin)
    assert client.get("/admin/cases/timelimit/").status_code == 200
    response = client.post(f"/admin/cases/timelimit/{rule.pk}/change/", {"yellow_limit": 99})
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.yellow_limit == 5
