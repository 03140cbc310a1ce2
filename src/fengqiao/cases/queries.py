"""Reads that span cases and parties: duplicate and repeat detection at intake, and
each user's to-do list."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case as DbCase
from django.db.models import Count, DateTimeField, F, Q, QuerySet, When
from django.db.models.lookups import In
from django.utils import timezone

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.people.models import Person
from fengqiao.units.models import UnitMember

from . import access as case_access
from .errors import CaseError
from .intake import normalize_id_number, normalize_phone
from .models import Case, CaseKind, CoHandler, Extension, ExtensionStatus, Party
from .states import OPEN_STATES, TRANSITIONS, Action, State

RECENT_DAYS = 90
# The check shows the most telling matches, not every case a busy party ever had: a
# property company's or a frequent petitioner's phone can be on thousands of cases (the
# bench's write person: 1.4 s of CPU and a 590 MB worker for one intake page).
SIMILAR_LIMIT = 20
# Party rows read per draft party and reason, newest first: enough to rank the shown ones.
PARTY_ROWS = 200
# People one ID number or phone may name (an ID number: one per city; a phone: a family).
PARTY_PEOPLE = 20


@dataclass
class Similar:
    """A prior case that looks like the draft, and why."""

    case: Case
    reasons: list[str] = field(default_factory=list)
    is_repeat: bool = False  # a dispute between the same parties again


def _clean(values, normalize) -> set[str]:
    cleaned = set()
    for value in values:
        try:
            if value := normalize(value):
                cleaned.add(value)
        except CaseError:
            continue  # the intake form reports malformed numbers itself
    return cleaned


def find_similar(
    *,
    parties: list[dict],
    area=None,
    category=None,
    user=None,
    now: dt.datetime | None = None,
) -> list[Similar]:
    """Open or recent (≤ 90 days) cases sharing a party's ID number or phone, or the
    place and category; and any earlier dispute between two of the same parties. At most
    ``SIMILAR_LIMIT``, repeats first, then the newest, from the newest ``PARTY_ROWS``
    party rows per reason.

    ``parties`` are draft parties as dicts with ``id_number`` and ``phone``.
    """
    now = now or timezone.now()
    cases = Case.objects.all() if user is None else Case.objects.visible_to(user)
    live = Q(state__in=OPEN_STATES) | Q(created_at__gte=now - dt.timedelta(days=RECENT_DAYS))
    found: dict[int, Similar] = {}

    def note(case: Case, reason: str) -> Similar:
        entry = found.setdefault(case.pk, Similar(case=case))
        if reason not in entry.reasons:
            entry.reasons.append(reason)
        return entry

    # Which draft party each prior party row matches, per case.
    matched_by_case: dict[int, set[int]] = defaultdict(set)
    for index, draft in enumerate(parties):
        ids = _clean([draft.get("id_number", "")], normalize_id_number)
        phones = _clean([draft.get("phone", "")], normalize_phone)
        for reason, q in (
            ("当事人身份证号相同", Q(id_number__in=ids) if ids else None),
            ("当事人电话相同", Q(phone__in=phones) if phones else None),
        ):
            if q is None:
                continue
            for party in _newest_parties(Person.objects.filter(q), cases):
                matched_by_case[party.case_id].add(index)
                if party.case.state in OPEN_STATES or party.case.created_at >= now - dt.timedelta(
                    days=RECENT_DAYS
                ):
                    note(party.case, reason)
                elif party.case.kind == CaseKind.DISPUTE:
                    found.setdefault(party.case_id, Similar(case=party.case))
    for case_id, indexes in matched_by_case.items():
        if len(indexes) >= 2 and case_id in found and found[case_id].case.kind == CaseKind.DISPUTE:
            found[case_id].is_repeat = True
            note(found[case_id].case, "同一当事人之间的重复纠纷")
    if area is not None and category is not None:
        for case in cases.filter(live, area=area, category=category)[:20]:
            note(case, "同一地点同类事项")
    return sorted(
        (s for s in found.values() if s.reasons),
        key=lambda s: (not s.is_repeat, -s.case.created_at.timestamp()),
    )[:SIMILAR_LIMIT]


def _newest_parties(people: QuerySet, cases: QuerySet) -> list[Party]:
    """The newest ``PARTY_ROWS`` party rows of ``people`` (at most ``PARTY_PEOPLE`` of
    them) on ``cases``, with their cases. Read person by person, each along the
    (person, case) index from the newest case back, so that a person on 20,000 cases
    costs as much as one on 200 (read as one statement, every row of every person was
    read and sorted: 60 ms a reason at 1M for the bench's write person)."""
    rows: list[Party] = []
    for person in people.order_by("pk").values_list("pk", flat=True)[:PARTY_PEOPLE]:
        rows += (
            Party.objects.filter(person_id=person, case__in=cases)
            .select_related("case")
            .order_by("-case_id")[:PARTY_ROWS]
        )
    return sorted(rows, key=lambda party: -party.case_id)[:PARTY_ROWS]


def category_ids(category) -> list[int]:
    """A top-level category and its subtypes, as ids: ``category_id IN (…)`` is served by
    the index on (state, category, id), where ``category = c OR category.parent = c``
    needs a join and an OR that no index serves (bench/README.md, finding 3)."""
    return [category.pk, *category.children.values_list("pk", flat=True)]


# What waits for whom: the centre's steps by permission, the handler's by dispatch.
_CENTRE_STEPS = (
    (Perm.CASE_ACCEPT, (State.REGISTERED,)),
    (Perm.CASE_ASSESS, (State.ACCEPTED,)),
    (Perm.CASE_DISPATCH, (State.ASSESSED, State.RETURNED)),
    (Perm.CASE_VERIFY, (State.COMPLETED,)),
)
_HANDLER_STATES = (State.DISPATCHED, State.SIGNED_FOR, State.IN_PROGRESS, State.SENT_BACK)
# Where a pending extension can still be decided (the state table's own answer).
EXTENDABLE_STATES = tuple(
    state for state, moves in TRANSITIONS.items() if Action.APPROVE_EXTENSION in moves
)
# A verified case waits for its handler to start the revisit (谁调解、谁负责).
_REVISIT_STATES = (State.VERIFIED,)

# The deadline that matters now: verification once completed, else handling.
DEADLINE = DbCase(
    When(state=State.COMPLETED, then=F("verify_due_at")),
    default=F("due_at"),
    output_field=DateTimeField(),
)


class _InSubquery(In):
    """``column IN (subquery)``, written ``column = ANY(ARRAY(subquery))`` on PostgreSQL:
    there the subquery runs once before the scan (an InitPlan) and the comparison stays
    one that an index serves and a BitmapOr combines, where ``IN (subquery)`` inside an
    OR is tested row by row (bench/README.md, session 2, finding 1)."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _among(column: str, rows: QuerySet) -> Q:
    return Q(_InSubquery(F(column), rows.order_by()))


def todo_q(user, *, subqueries: bool = False) -> Q:
    """The filter of the cases waiting for ``user``'s action (the to-do list and its
    badge): an OR of arms, each an AND of indexed comparisons.

    The user's units, co-handled cases and pending extensions are read first as short
    lists (``subqueries=False``, the to-do list), or written as subqueries (the badge, a
    column of the layout's one statement, ``workbench.todo_rows``). Either way each arm
    stays one that an index serves: with subqueries inside the OR, PostgreSQL could not
    combine the indexes and scanned every open case of the city (bench/README.md,
    finding 4), and with ``state AND (tie OR tie)`` SQLite reads every case in the state,
    so there is one arm per state list and tie.
    """
    q = Q(pk__in=[])
    for perm, states in _CENTRE_STEPS:
        if access.has_perm(user, perm):
            q |= Q(state__in=states) & access.scope_q(user, perm, "handling_area_path")
    if access.has_perm(user, Perm.CASE_SUPERVISE):
        pending = _pending_extension_rows(user)
        if subqueries:
            q |= _among("pk", pending.values("case_id"))
        else:
            q |= Q(pk__in=list(pending.values_list("case_id", flat=True)))
    if access.has_perm(user, Perm.CASE_HANDLE):
        if subqueries:
            # The user's units from the memberships alone: a join less to plan.
            units = UnitMember.objects.filter(user=user).values("unit_id")
            co_handlers = CoHandler.objects.filter(Q(user=user) | _among("unit_id", units))
            rows = co_handlers.filter(case__state__in=_HANDLER_STATES).values("case_id")
            in_units, co_handled = _among("current_unit_id", units), _among("pk", rows)
        else:
            units = case_access.unit_ids(user)
            # Not a join: co-handling units' handlers work beside the main one.
            ids = case_access.co_handled_ids(user, units, states=_HANDLER_STATES)
            in_units, co_handled = Q(current_unit__in=units), Q(pk__in=ids)
        mine = [Q(current_handler=user), in_units]
        for states, ties in ((_HANDLER_STATES, [*mine, co_handled]), (_REVISIT_STATES, mine)):
            for tie in ties:
                q |= Q(state__in=states) & tie
    return q


def todo_for(user):
    """The user's to-do list (工作台): cases waiting for their action, urgent first,
    then by deadline. The number of statements stays fixed per user."""
    return Case.objects.filter(todo_q(user)).order_by(
        "-is_urgent", DEADLINE.asc(nulls_last=True), "created_at"
    )


def _pending_extension_rows(user) -> QuerySet:
    """The extension requests the user may decide now (few: one request at a time per
    open case)."""
    return Extension.objects.filter(
        status=ExtensionStatus.REQUESTED, case__state__in=EXTENDABLE_STATES
    ).filter(access.scope_q(user, Perm.CASE_SUPERVISE, "case__handling_area_path"))


def todo_counts(user) -> dict[str, int]:
    """How many cases wait for the user, per state (for the navigation badges)."""
    rows = todo_for(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}
