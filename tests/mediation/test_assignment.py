"""Choosing the mediator: the area's mediators only, and never someone who must recuse
(a party, or declared related to one)."""

import pytest
from django.test import Client

from fengqiao.accounts.models import Role
from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import TimelineEvent
from fengqiao.mediation import access, actions
from fengqiao.mediation.errors import MediationError
from fengqiao.mediation.models import Mediation
from fengqiao.people.models import Person
from tests import factories as f
from tests.factories import PASSWORD


def test_a_mediator_who_is_a_partys_relative_cannot_be_assigned(desk, case):
    # given the community mediator 张表哥 declared to be 张三's cousin
    zhang = Person.objects.get(name="张三")
    actions.declare_relation(
        actor=desk.world.director, mediator=desk.cousin_mediator, person=zhang, relation="表兄"
    )
    # when the handler tries to assign him
    with pytest.raises(MediationError) as refused:
        actions.assign_mediation(
            actor=desk.world.mediator, case=case, mediator=desk.cousin_mediator
        )
    # then it is refused, saying why, and nothing is written
    assert refused.value.code == "conflict_of_interest"
    assert "须回避" in refused.value.message
    assert "系当事人张三的表兄" in refused.value.message
    assert not Mediation.objects.filter(case=case).exists()
    assert not TimelineEvent.objects.filter(case=case, action="med_assign").exists()


def test_a_relative_cannot_join_the_panel_either(desk, case):
    zhang = Person.objects.get(name="张三")
    actions.declare_relation(
        actor=None, mediator=desk.cousin_mediator, person=zhang, relation="表兄"
    )
    with pytest.raises(MediationError, match="须回避"):
        actions.assign_mediation(
            actor=desk.world.mediator,
            case=case,
            mediator=desk.world.mediator,
            panel=[desk.cousin_mediator],
        )


def test_a_mediator_who_is_a_party_by_phone_or_name_must_recuse(desk, case):
    desk.cousin_mediator.phone = "13812345678"  # 张三's phone
    desk.cousin_mediator.save()
    reasons = access.conflicts_of(desk.cousin_mediator, case)
    assert reasons == ["与当事人张三电话相同"]
    namesake = f.user("mediator_li4", Role.MEDIATOR, desk.world.community, full_name="李四")
    assert access.conflicts_of(namesake, case) == ["与当事人李四同名"]


def test_the_assign_form_skips_the_relative_and_says_why(desk, case):
    zhang = Person.objects.get(name="张三")
    actions.declare_relation(
        actor=None, mediator=desk.cousin_mediator, person=zhang, relation="表兄"
    )
    client = Client()
    client.login(username=desk.world.mediator.username, password=PASSWORD)
    page = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    form = page[page.index('data-testid="assign-form"') :]
    assert f'value="{desk.street_mediator.pk}"' in form
    assert f'value="{desk.cousin_mediator.pk}"' not in form
    assert "张表哥须回避（系当事人张三的表兄）" in form


def test_only_mediators_of_the_area_or_above_may_be_assigned(desk, case):
    other_town = f.area("昭君街道", "town", desk.world.district)
    outsider = f.user("mediator_far", Role.MEDIATOR, other_town, full_name="远调解")
    with pytest.raises(MediationError, match="不是本区域"):
        actions.assign_mediation(actor=desk.world.mediator, case=case, mediator=outsider)
    # the street's mediator (above the community) is fine, with the committee and a panel
    mediation = actions.assign_mediation(
        actor=desk.world.intake,
        case=case,
        mediator=desk.street_mediator,
        panel=[desk.world.mediator],
        committee=desk.committee,
    )
    assert mediation.mediator == desk.street_mediator
    assert [m.user for m in mediation.panel.all()] == [desk.world.mediator]
    event = TimelineEvent.objects.get(case=case, action="med_assign")
    assert "吕调解、吴调解" in event.note
    assert AuditRecord.objects.filter(action="case.med_assign", object_id=str(case.pk)).exists()


def test_a_grid_worker_of_another_grid_may_not_assign_and_the_refusal_is_recorded(desk, case):
    with pytest.raises(MediationError) as refused:
        actions.assign_mediation(
            actor=desk.world.other_grid_worker, case=case, mediator=desk.world.mediator
        )
    assert refused.value.code == "forbidden"
    assert AuditRecord.objects.filter(action="access.denied", object_id=str(case.pk)).exists()


def test_pages_of_a_case_out_of_reach_answer_404(desk, case):
    client = Client()
    client.login(username=desk.world.other_grid_worker.username, password=PASSWORD)
    assert client.get(f"/mediation/cases/{case.pk}/").status_code == 404
    assert client.get("/mediation/cases/999999/").status_code == 404
    assert client.get("/mediation/agreements/999999/print/").status_code == 404
    assert client.get(f"/mediation/cases/{case.pk}/file.zip").status_code == 404
