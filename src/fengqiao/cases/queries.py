"""Reads that span cases and parties: duplicate and repeat detection at intake, and
each user's to-do list."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case as DbCase
from django.db.models import Count, DateTimeField, F, Q, When
from django.utils import timezone

from fengqiao.areas import access
from fengqiao.areas.access import Perm

from . import access as case_access
from .errors import CaseError
from .intake import normalize_id_number, normalize_phone
from .models import Case, CaseKind, Extension, ExtensionStatus, Party
from .states import OPEN_STATES, TRANSITIONS, Action, State

RECENT_DAYS = 90
# The check shows the most telling matches, not every case a busy party ever had: a
# property company's or a frequent petitioner's phone can be on thousands of cases (the
# bench's write person: 1.4 s of CPU and a 590 MB worker for one intake page).
SIMILAR_LIMIT = 20
# Party rows read per draft party and reason, newest first: enough to rank the shown ones.
PARTY_ROWS = 200


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
            ("当事人身份证号相同", Q(person__id_number__in=ids) if ids else None),
            ("当事人电话相同", Q(person__phone__in=phones) if phones else None),
        ):
            if q is None:
                continue
            rows = (
                Party.objects.filter(q)
                .filter(case__in=cases)
                .select_related("case")
                .order_by("-case_id")[:PARTY_ROWS]
            )
            for party in rows:
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


def todo_for(user):
    """The user's to-do list (工作台): cases waiting for their action, urgent first,
    then by deadline.

    The user's units, co-handled cases and pending extensions are read first (short
    lists), so that the filter is an OR of indexed comparisons: with subqueries inside
    the OR, PostgreSQL cannot combine the indexes and scans every open case of the city
    (bench/README.md, finding 4). The number of statements stays fixed per user.
    """
    q = Q(pk__in=[])
    for perm, states in _CENTRE_STEPS:
        if access.has_perm(user, perm):
            q |= Q(state__in=states) & access.scope_q(user, perm, "handling_area_path")
    if access.has_perm(user, Perm.CASE_SUPERVISE):
        q |= Q(pk__in=_pending_extensions(user))
    if access.has_perm(user, Perm.CASE_HANDLE):
        units = case_access.unit_ids(user)
        mine = Q(current_handler=user) | Q(current_unit__in=units)
        # Not a join: co-handling units' handlers work beside the main one.
        co_handled = case_access.co_handled_ids(user, units, states=_HANDLER_STATES)
        q |= Q(state__in=_HANDLER_STATES) & (mine | Q(pk__in=co_handled))
        q |= Q(state__in=_REVISIT_STATES) & mine
    return Case.objects.filter(q).order_by(
        "-is_urgent", DEADLINE.asc(nulls_last=True), "created_at"
    )


def _pending_extensions(user) -> list[int]:
    """The cases with an extension request the user may decide now (few: one request
    at a time per open case)."""
    rows = Extension.objects.filter(
        status=ExtensionStatus.REQUESTED, case__state__in=EXTENDABLE_STATES
    ).filter(access.scope_q(user, Perm.CASE_SUPERVISE, "case__handling_area_path"))
    return list(rows.values_list("case_id", flat=True))


def todo_counts(user) -> dict[str, int]:
    """How many cases wait for the user, per state (for the navigation badges)."""
    rows = todo_for(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}
