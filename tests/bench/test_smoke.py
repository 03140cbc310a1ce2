"""The bench city, small: what the generator writes passes the checks real input passes,
and one pass of every benchmark runs — so that the full benchmark never rots."""

import datetime as dt
import io
import random

import pytest
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from fengqiao.areas.models import Area, Level
from fengqiao.bench import run, seed
from fengqiao.bench.city import Shape
from fengqiao.cases import deadlines
from fengqiao.cases.models import (
    Case,
    CaseCounter,
    CaseKind,
    Channel,
    Extension,
    ExtensionStatus,
    Grade,
    Supervision,
    TimelineEvent,
)
from fengqiao.cases.states import OPEN_STATES, next_state
from fengqiao.people.models import Person
from fengqiao.people.validation import clean_id_number, clean_phone
from fengqiao.search.index import matching_q, text_of
from fengqiao.search.models import CaseSearch

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CASES = 3000
SHAPE = Shape(towns=9, communities_per_town=2, grids_per_community=3)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """A small bench city, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = seed.seed(CASES, shape=SHAPE, parallel=False)
        yield summary
        transaction.set_rollback(True)


def test_the_city_has_the_asked_shape(city):
    levels = dict(Area.objects.values_list("level").annotate(n=Count("pk")))
    assert levels[Level.CITY] == 1
    assert levels[Level.DISTRICT] == 9
    assert levels[Level.TOWN] == 9
    assert levels[Level.COMMUNITY] == 18
    assert levels[Level.GRID] == 54
    assert Case.objects.count() == CASES == city.counts["cases"]


def test_every_resident_has_a_valid_id_number_and_phone(city):
    people = list(Person.objects.values_list("id_number", "sex", "phone"))
    assert len(people) == city.counts["people"] >= SHAPE.min_people
    for number, sex, phone in people:
        # The people register's own checks: checksum, birth date, county code valid on
        # that date (1506xx from 2001, 1527xx before), and the sex digit.
        assert clean_id_number(number, sex) == number
        if phone:
            assert clean_phone(phone) == phone
    assert len({n for n, _, _ in people}) == len(people)


def test_every_timeline_follows_the_state_table_to_the_cases_state(city):
    states = dict(Case.objects.values_list("pk", "state"))
    events = TimelineEvent.objects.order_by("case_id", "at", "pk").values_list(
        "case_id", "action", "from_state", "to_state", "at"
    )
    last: dict[int, tuple[str, dt.datetime]] = {}
    for case_id, action, from_state, to_state, at in events:
        if case_id not in last:
            assert (action, from_state, to_state) == ("register", "", "registered")
        else:
            before, previous_at = last[case_id]
            assert from_state == before
            assert next_state(from_state, action) == to_state
            assert at > previous_at
        last[case_id] = (to_state, at)
    assert {pk: state for pk, (state, _) in last.items()} == states


def test_stored_due_instants_are_what_deadlines_computes(city):
    dispatched = list(
        Case.objects.filter(dispatched_at__isnull=False).select_related(
            "handling_area", "current_unit"
        )
    )
    assert len(dispatched) > CASES // 2
    for case in random.Random(1).sample(dispatched, 300):
        expected = deadlines.due_instants(case)
        assert {name: getattr(case, name) for name in expected} == expected


def test_undispatched_cases_have_no_deadline(city):
    assert not Case.objects.filter(dispatched_at__isnull=True, due_at__isnull=False).exists()


def test_extensions_and_supervisions_match_their_events(city):
    events = dict(
        TimelineEvent.objects.filter(
            action__in=["request_extension", "supervise", "approve_extension"]
        )
        .values_list("action")
        .annotate(n=Count("pk"))
    )
    assert Extension.objects.count() == events["request_extension"]
    assert (
        Extension.objects.filter(status=ExtensionStatus.APPROVED).count()
        == events["approve_extension"]
    )
    assert Supervision.objects.count() == events["supervise"]
    approved = Extension.objects.filter(status=ExtensionStatus.APPROVED).aggregate(d=Sum("days"))
    assert Case.objects.aggregate(d=Sum("extension_days"))["d"] == approved["d"]


def test_the_mix_is_that_of_a_working_centre(city):
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Case.objects.exclude(grade="").values_list("grade", flat=True)) == set(Grade.values)
    year_ago = timezone.now() - dt.timedelta(days=365)
    old = Case.objects.filter(created_at__lt=year_ago)
    assert old.filter(state="closed").count() > 0.8 * old.count()
    assert old.filter(state__in=OPEN_STATES).exclude(state="shelved").count() == 0
    recent = Case.objects.filter(created_at__gte=timezone.now() - dt.timedelta(days=2))
    assert recent.filter(state__in=OPEN_STATES).exists()
    first = Case.objects.order_by("created_at").first().created_at
    assert timezone.now() - first > dt.timedelta(days=365 * 5 - 3)


def test_case_numbers_continue_from_the_counters(city):
    for counter in CaseCounter.objects.all():
        numbers = Case.objects.filter(number__startswith=f"{counter.prefix}-{counter.year}-")
        assert numbers.count() == counter.last
        assert numbers.aggregate(m=Max("number"))["m"].endswith(f"{counter.last:06d}")


def test_every_case_has_its_search_row_and_search_finds_it(city):
    assert CaseSearch.objects.count() == CASES
    cases = list(Case.objects.order_by("pk")[:200])
    rows = dict(CaseSearch.objects.filter(case__in=cases).values_list("case_id", "text"))
    for case in cases:
        # text_of lists the parties in no set order (PostgreSQL may return them in any).
        *head, names = rows[case.pk].split("\n")
        *expected_head, expected_names = text_of(case).split("\n")
        assert head == expected_head
        assert sorted(names.split()) == sorted(expected_names.split())
    sample = cases[7]
    assert Case.objects.filter(matching_q(sample.title[-6:])).filter(pk=sample.pk).exists()


def test_one_pass_of_every_benchmark_runs(city):
    out = io.StringIO()
    personas = run.personas()
    reads = run.time_reads(personas, repeat=1, only=[], out=out.write)
    writes = run.client_writes(personas, repeat=3, out=out.write)
    names = [r.name for r in reads + writes]
    assert len(reads) == len(run.reads(personas)) >= 10
    assert all(r.floor_ms and r.floor_ms > 0 for r in reads)
    assert all(r.queries for r in reads)
    assert {"intake: API (test client)", "transition: API dispatch (test client)"} <= set(names)
    assert personas.case_20.timeline.count() in range(15, 26)


def test_every_case_has_its_figures_fact(city):
    from django.apps import apps

    if not apps.is_installed("fengqiao.analytics"):
        pytest.skip("no analytics app")
    from fengqiao.analytics.models import CaseFact, DailyFigure

    assert CaseFact.objects.count() == CASES == city.counts["facts"]
    assert DailyFigure.objects.aggregate(n=Sum("n"))["n"] == CASES
