"""The bench city, small: what the generator writes passes the checks real input passes,
and one pass of every benchmark runs — so that the full benchmark never rots."""

import datetime as dt
import io
import random

import pytest
from django.db import transaction
from django.db.models import Count, F, Max, Sum
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
from fengqiao.cases.states import OPEN_STATES, Action, State, next_state
from fengqiao.mediation import access as mediation_access
from fengqiao.mediation import queries as mediation_queries
from fengqiao.mediation.actions import HANDLING, MEDIATION_DAYS, PERFORMANCE, record_missing
from fengqiao.mediation.actions.revisits import ensure_revisits_done
from fengqiao.mediation.hooks import EVENT_LABELS
from fengqiao.mediation.models import (
    Agreement,
    AgreementStatus,
    Mediation,
    MediationSession,
    MediationStatus,
    Revisit,
    RevisitKind,
    RevisitStatus,
    SessionRecord,
    SessionStatus,
)
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
        # Two drawers' shares (one after the other: a test's transaction cannot fork), so
        # that the interleaved keys and the shared numbering pass the checks below.
        summary = seed.seed(CASES, shape=SHAPE, drawers=2)
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
    moves = set(Action.values)
    last: dict[int, tuple[str, dt.datetime]] = {}
    for case_id, action, from_state, to_state, at in events:
        if case_id not in last:
            assert (action, from_state, to_state) == ("register", "", "registered")
        else:
            before, previous_at = last[case_id]
            assert from_state == before
            if action in moves:
                assert next_state(from_state, action) == to_state
            else:  # the mediation's events annotate the case without moving it
                assert action in EVENT_LABELS
                assert to_state == from_state
            assert at > previous_at
        last[case_id] = (to_state, at)
    assert {pk: state for pk, (state, _) in last.items()} == states


def test_the_handling_clock_starts_where_the_actions_start_it(city):
    """Dispatching starts it; a send-back or a reopening restarts it; escalating stops it."""
    starts = {}
    events = TimelineEvent.objects.filter(
        action__in=["dispatch", "send_back", "reopen", "escalate"]
    ).order_by("case_id", "at", "pk")
    for case_id, action, at in events.values_list("case_id", "action", "at"):
        starts[case_id] = None if action == "escalate" else at
    clocks = Case.objects.values_list("pk", "dispatched_at", "clock_started_at")
    restarted = 0
    for pk, dispatched_at, started_at in clocks:
        assert started_at == starts.get(pk)
        assert (started_at is None) == (dispatched_at is None)
        restarted += bool(started_at and started_at != dispatched_at)
    assert restarted > 0


def test_stored_verification_instants_are_what_deadlines_computes(city):
    completed = list(
        Case.objects.filter(completed_at__isnull=False).select_related(
            "handling_area", "current_unit"
        )
    )
    assert len(completed) > CASES // 3
    assert not Case.objects.filter(completed_at__isnull=True, verify_due_at__isnull=False).exists()
    for case in random.Random(2).sample(completed, 300):
        expected = deadlines.verify_instants(case)
        assert {name: getattr(case, name) for name in expected} == expected


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
    # The days approved since the handling clock last started (a send-back or a reopening
    # starts a fresh limit: earlier extensions do not carry over).
    approved = Extension.objects.filter(
        status=ExtensionStatus.APPROVED, decided_at__gt=F("case__clock_started_at")
    ).aggregate(d=Sum("days"))
    assert Case.objects.aggregate(d=Sum("extension_days"))["d"] == approved["d"]
    assert (
        Extension.objects.filter(status=ExtensionStatus.APPROVED).aggregate(d=Sum("days"))["d"]
        > approved["d"]
    )


def test_the_mix_is_that_of_a_working_centre(city):
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Case.objects.exclude(grade="").values_list("grade", flat=True)) == set(Grade.values)
    year_ago = timezone.now() - dt.timedelta(days=365)
    old = Case.objects.filter(created_at__lt=year_ago)
    assert old.filter(state="closed").count() > 0.8 * old.count()
    assert list(old.filter(state__in=OPEN_STATES).exclude(state="shelved").values("state")) == []
    recent = Case.objects.filter(created_at__gte=timezone.now() - dt.timedelta(days=2))
    assert recent.filter(state__in=OPEN_STATES).exists()
    first = Case.objects.order_by("created_at").first().created_at
    assert timezone.now() - first > dt.timedelta(days=365 * 5 - 3)


def test_case_numbers_continue_from_the_counters(city):
    for counter in CaseCounter.objects.all():
        numbers = Case.objects.filter(number__startswith=f"{counter.prefix}-{counter.year}-")
        assert numbers.count() == counter.last
        assert numbers.aggregate(m=Max("number"))["m"].endswith(f"{counter.last:06d}")


def test_case_ids_and_numbers_follow_the_registration_order(city):
    """Whichever drawer drew a case, its id is its place in the city's stream and its
    number its place in its district's year."""
    cases = list(Case.objects.order_by("pk").values_list("pk", "number", "created_at"))
    ids = [pk for pk, _, _ in cases]
    assert ids == list(range(ids[0], ids[0] + CASES))
    # (Today's cases past "now" are moved into the last hour, out of order.)
    days_ago = [at for _, _, at in cases if at < timezone.now() - dt.timedelta(days=1)]
    assert days_ago == sorted(days_ago)
    last: dict[str, int] = {}
    for _pk, number, _at in cases:
        key, serial = number.rsplit("-", 1)
        assert int(serial) == last.get(key, 0) + 1
        last[key] = int(serial)


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


def _event_counts() -> dict[str, int]:
    return dict(TimelineEvent.objects.values_list("action").annotate(n=Count("pk")))


def test_mediated_disputes_have_a_mediator_who_may_mediate_them(city):
    mediations = list(Mediation.objects.select_related("case__area", "committee"))
    disputes = Case.objects.filter(kind=CaseKind.DISPUTE).count()
    assert 0.1 * disputes < len(mediations) < 0.8 * disputes
    assert city.counts["mediation"] == len(mediations)
    for m in random.Random(3).sample(mediations, 150):
        case = m.case
        assert case.kind == CaseKind.DISPUTE
        assert {"applicant", "respondent"} <= set(case.parties.values_list("role", flat=True))
        # The checks assign_mediation makes: a mediator of the area or above, no conflict,
        # a committee of the area or above.
        assert mediation_access.mediators_for(case).filter(pk=m.mediator_id).exists()
        assert mediation_access.conflicts_of(m.mediator, case) == []
        if m.committee_id:
            assert mediation_access.committees_for(case).filter(pk=m.committee_id).exists()
    assert _event_counts()["med_assign"] == len(mediations)
    assert {m.status for m in mediations} == set(MediationStatus.values)


def test_mediation_events_happen_while_the_case_is_handled(city):
    handled = {s.value for s in HANDLING}
    steps = ["med_assign", "med_session", "med_record", "agr_draft", "agr_effective", "med_failed"]
    states = TimelineEvent.objects.filter(action__in=steps).values_list("from_state", flat=True)
    assert set(states) <= handled
    for m in Mediation.objects.prefetch_related("sessions", "agreements"):
        limit = m.started_at + dt.timedelta(days=MEDIATION_DAYS)
        assert all(m.started_at < s.scheduled_at <= limit for s in m.sessions.all())
        assert all(a.created_at <= limit for a in m.agreements.all())


def test_every_session_record_is_complete_and_names_the_cases_parties(city):
    records = list(SessionRecord.objects.select_related("session__mediation"))
    assert records
    counts = _event_counts()
    assert counts["med_record"] == len(records)
    sessions = MediationSession.objects.count()
    assert counts["med_session"] + counts.get("med_postpone", 0) == sessions
    assert not MediationSession.objects.filter(status=SessionStatus.HELD, record=None).exists()
    parties = dict(Case.objects.values_list("pk").annotate(n=Count("parties")))
    for r in records:
        fields = ("matter", "outcome", "applicant_statement", "respondent_statement")
        fields += ("verification", "risk_notice")
        texts = {name: getattr(r, name) for name in fields}
        assert (
            record_missing(
                is_simple=r.is_simple, rights_notice_given=r.rights_notice_given, **texts
            )
            == []
        )
        session = r.session
        assert session.status == SessionStatus.HELD
        assert len(session.attendance) == parties[session.mediation.case_id]


def test_effective_agreements_have_every_element_and_signature(city):
    """make_effective's own check: nothing missing, so the documents print whole."""
    effective = list(
        Agreement.objects.filter(status=AgreementStatus.EFFECTIVE).select_related("mediation")
    )
    assert len(effective) == _event_counts()["agr_effective"]
    assert any(a.is_oral for a in effective)
    assert not all(a.is_oral for a in effective)
    for a in effective:
        assert mediation_queries.missing_elements(a) == []
        assert a.mediation.status == MediationStatus.SUCCEEDED
        case_parties = set(a.mediation.case.parties.values_list("pk", flat=True))
        assert set(a.parties.values_list("party_id", flat=True)) == case_parties
    assert (
        not Mediation.objects.filter(status=MediationStatus.SUCCEEDED)
        .exclude(agreements__status=AgreementStatus.EFFECTIVE)
        .exists()
    )
    for m in Mediation.objects.filter(status=MediationStatus.FAILED):
        assert m.failure_reason
        assert m.routes_told


def test_revisits_are_booked_at_completion_and_done_before_closing(city):
    mediated = Case.objects.filter(mediation__isnull=False)
    completed = mediated.filter(completed_at__isnull=False)
    assert completed.exists()
    planned = TimelineEvent.objects.filter(action="revisits_planned")
    assert sum(e.data["revisits"] for e in planned) == Revisit.objects.count()
    for case in completed.select_related("mediation").prefetch_related("revisits"):
        revisits = list(case.revisits.all())
        tomorrow = timezone.localdate(case.completed_at) + dt.timedelta(days=1)
        current = [r for r in revisits if r.status != RevisitStatus.CANCELLED]
        next_day = [r for r in current if r.kind == RevisitKind.NEXT_DAY]
        assert [r.due_on for r in next_day] == [tomorrow]
        agreement = case.mediation.agreements.filter(status=AgreementStatus.EFFECTIVE).first()
        clauses = list(agreement.clauses.all()) if agreement else []
        assert len(current) == 1 + len(clauses)
        for r in revisits:
            assert r.owner_id == case.mediation.mediator_id
        if case.state == State.CLOSED:
            ensure_revisits_done(case)  # the close guard lets it close
        for r in current:
            if r.status == RevisitStatus.DONE:
                assert case.completed_at < r.done_at <= (case.closed_at or timezone.now())
                assert r.done_by_id == r.owner_id
                ids = {str(c.pk) for c in clauses}
                assert set(r.performance) == ids
                assert set(r.performance.values()) <= set(PERFORMANCE)
    done = Revisit.objects.filter(status=RevisitStatus.DONE).select_related("agreement")
    assert done.exists()
    assert Revisit.objects.filter(status=RevisitStatus.DUE).exists()
    notes = dict(
        TimelineEvent.objects.filter(action="revisit_done").values_list("data__revisit", "note")
    )
    assert len(notes) == done.count()
    for r in done[:300]:
        assert notes[r.pk] == mediation_queries.revisit_summary(r)
    assert not mediated.filter(completed_at__isnull=True).filter(revisits__isnull=False).exists()
    assert not Revisit.objects.exclude(case__kind=CaseKind.DISPUTE).exists()
