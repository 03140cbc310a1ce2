"""The demo city is alive: units with handlers, about 1,500 cases in every state of the
loop with consistent timelines, work waiting for the documented accounts, figures that
match a recount, and a filled search index."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.analytics import figures
from fengqiao.analytics.periods import period_of
from fengqiao.areas.models import Area
from fengqiao.cases import queries
from fengqiao.cases.models import Case, Extension, ExtensionStatus, Party, TimelineEvent
from fengqiao.cases.states import State, next_state
from fengqiao.demo import city
from fengqiao.people.models import DataSource
from fengqiao.search.models import CaseSearch
from fengqiao.units.models import Unit, UnitKind, UnitMember

pytestmark = pytest.mark.django_db

TOWNS = (city.BAINIJING_CODE, city.GONGYE_CODE, city.ZHAOJUN_CODE)
DOCUMENTED = [
    "bnj_intake_officer",
    "bnj_leader",
    "bnj_grid001",
    "bnj_mediator",
    "bnj_unit_handler",
    "zj_property1_handler",
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo city, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = city.load_demo()
        yield summary
        transaction.set_rollback(True)


def town_cases(code: str):
    return Case.objects.within(Area.objects.get(code=code))


def test_about_1500_cases_all_in_the_three_towns(demo):
    counts = {code: town_cases(code).count() for code in TOWNS}
    assert 1400 <= Case.objects.count() <= 1650
    assert sum(counts.values()) == Case.objects.count()
    assert all(n >= 300 for n in counts.values()), counts


def test_cases_span_the_last_18_months(demo):
    now = timezone.now()
    first = Case.objects.order_by("created_at").first().created_at
    assert now - dt.timedelta(days=580) <= first <= now - dt.timedelta(days=500)
    assert not Case.objects.filter(created_at__gt=now).exists()


def test_land_disputes_dominate_in_bainijing_neighbour_and_property_in_the_streets(demo):
    def disputes_by_class(code: str) -> Counter:
        rows = town_cases(code).filter(kind="dispute").select_related("category__parent")
        return Counter(
            (c.category.parent or c.category).code for c in rows.only("category", "kind")
        )

    bnj = disputes_by_class(city.BAINIJING_CODE)
    assert bnj.most_common(1)[0][0] == "D05"  # 土地、矿产、山林、水利等权属 and its subtypes
    assert bnj["D05"] > sum(bnj.values()) / 2
    for street in (city.GONGYE_CODE, city.ZHAOJUN_CODE):
        by_class = disputes_by_class(street)
        assert by_class["D17"] + by_class["D04"] > sum(by_class.values()) / 2
        assert by_class["D05"] < sum(by_class.values()) / 10


def test_every_state_of_the_loop_is_present(demo):
    assert set(Case.objects.values_list("state", flat=True)) == set(State.values)


def test_every_timeline_follows_the_state_table_to_the_cases_state(demo):
    events: dict[int, list] = {}
    rows = TimelineEvent.objects.order_by("case_id", "at", "pk")
    for case_id, action, before, after, at in rows.values_list(
        "case_id", "action", "from_state", "to_state", "at"
    ):
        events.setdefault(case_id, []).append((action, before, after, at))
    now = timezone.now()
    for case in Case.objects.only("pk", "state", "created_at"):
        steps = events[case.pk]
        assert steps[0][:3] == ("register", "", State.REGISTERED)
        assert steps[0][3] == case.created_at
        state = State.REGISTERED
        for action, before, after, at in steps[1:]:
            assert before == state, (case.pk, action)
            assert next_state(before, action) == after, (case.pk, action)
            assert case.created_at <= at <= now
            state = after
        assert state == case.state, case.pk


def test_parties_are_demo_residents_of_the_cases_town(demo):
    parties = Party.objects.select_related("person", "case")
    assert parties.count() > 1000
    for p in parties[:500]:
        assert p.person.data_source == DataSource.DEMO
        assert p.person.area_path[:15] == p.case.area_path[:15]


def test_dispatched_cases_have_due_dates_and_some_open_ones_are_overdue_or_red(demo):
    now = timezone.now()
    assert not Case.objects.filter(dispatched_at__isnull=False, due_at__isnull=True).exists()
    assert Case.objects.overdue(now).count() >= 10
    assert Case.objects.open().filter(risk="red").count() >= 4
    assert Case.objects.filter(closed_at__isnull=False, completed_at__gt=F("due_at")).exists()


def test_extensions_supervision_and_a_pending_extension(demo):
    assert Extension.objects.filter(status=ExtensionStatus.APPROVED).count() >= 20
    assert Extension.objects.filter(status=ExtensionStatus.REQUESTED).exists()
    assert Case.objects.exclude(supervision_level="").count() >= 20


def test_units_at_every_town_with_members(demo):
    for code in TOWNS:
        kinds = set(Unit.objects.filter(area__code=code).values_list("kind", flat=True))
        assert {UnitKind.POLICE_STATION, UnitKind.JUDICIAL_OFFICE} <= kinds
        assert {UnitKind.MEDIATION_COMMITTEE, UnitKind.PETITIONS_OFFICE} <= kinds
    assert Unit.objects.filter(kind=UnitKind.COURT).count() == 1
    assert Unit.objects.filter(kind=UnitKind.PROPERTY_COMPANY, compound__isnull=False).count() == 23
    assert not Unit.objects.filter(members__isnull=True).exists()
    judicial = UnitMember.objects.get(user__username="bnj_unit_handler").unit
    assert judicial.name == "白泥井镇司法所"


@pytest.mark.parametrize("username", DOCUMENTED)
def test_the_documented_accounts_find_work_waiting(demo, username):
    user = User.objects.get(username=username)
    assert queries.todo_for(user).count() >= 3


def test_the_leader_has_an_extension_to_decide(demo):
    leader = User.objects.get(username="bnj_leader")
    pending = Extension.objects.filter(status=ExtensionStatus.REQUESTED).values("case_id")
    assert queries.todo_for(leader).filter(pk__in=pending).exists()


def test_the_figures_equal_a_recount_for_bainijing(demo):
    town = Area.objects.get(code=city.BAINIJING_CODE)
    last_year = timezone.localdate().year - 1
    period = period_of("year", dt.date(last_year, 6, 1))
    totals = figures.totals(town, period)
    cases = [
        c
        for c in town_cases(city.BAINIJING_CODE)
        if timezone.localtime(c.created_at).year == last_year
    ]
    assert len(cases) > 150
    assert totals.by_state == dict(Counter(c.state for c in cases))
    on_time = [c for c in cases if c.completed_at and c.due_at and c.completed_at <= c.due_at]
    assert totals["on_time"] == len(on_time) > 50
    assert totals["completed"] == sum(1 for c in cases if c.completed_at)


def test_closed_disputes_were_mediated_with_agreements_and_revisits(demo):
    from fengqiao.mediation.models import Agreement, Mediation, Revisit, RevisitStatus

    closed_disputes = Case.objects.filter(state=State.CLOSED, kind="dispute", parties__isnull=False)
    mediated = Mediation.objects.values("case_id")
    assert closed_disputes.distinct().count() == Mediation.objects.count() > 300
    assert not closed_disputes.exclude(pk__in=mediated).exists()
    assert Agreement.objects.count() > 0.9 * Mediation.objects.count()
    done = Revisit.objects.filter(status=RevisitStatus.DONE)
    assert done.count() > 300
    assert all(
        r.owner_id == r.case.mediation.mediator_id
        for r in done.select_related("case__mediation")[:100]
    )
    assert Revisit.objects.filter(status=RevisitStatus.DUE).exists()


def test_the_mediation_figures_equal_a_recount_for_bainijing(demo):
    from fengqiao.mediation.models import Mediation, MediationStatus

    town = Area.objects.get(code=city.BAINIJING_CODE)
    last_year = timezone.localdate().year - 1
    totals = figures.totals(town, period_of("year", dt.date(last_year, 6, 1)))
    ids = [
        c.pk
        for c in town_cases(city.BAINIJING_CODE)
        if timezone.localtime(c.created_at).year == last_year
    ]
    mediations = Mediation.objects.filter(case_id__in=ids)
    assert totals["mediated"] == mediations.count() > 30
    succeeded = mediations.filter(status=MediationStatus.SUCCEEDED)
    assert totals["mediation_success"] == succeeded.count()


def test_search_finds_a_demo_case_by_a_chinese_substring(demo):
    from fengqiao.search import index

    assert CaseSearch.objects.count() == Case.objects.count()
    case = Case.objects.filter(kind="dispute").order_by("pk").first()
    party = case.parties.select_related("person").first().person.name
    assert party in CaseSearch.objects.get(case=case).text
    needle = case.narrative[2:6]
    assert Case.objects.filter(index.matching_q(needle), pk=case.pk).exists()
    assert Case.objects.filter(index.matching_q(party), parties__person__name=party).exists()


def test_loading_again_adds_no_case(demo):
    before = (Case.objects.count(), Unit.objects.count(), TimelineEvent.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Case.objects.count(), Unit.objects.count(), TimelineEvent.objects.count()) == before
