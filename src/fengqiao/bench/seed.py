"""``fengqiao bench seed``: a whole city with years of cases, written through bulk paths.

Areas, units and staff go in with the demo's builders; residents, households, cases and
everything beside them are streamed in batches, one transaction per batch (COPY on
PostgreSQL, executemany on SQLite with the PRAGMAs of a bulk load), and never held in
memory. The search rows are written with the cases, so the trigram index is complete.
"""

import copy
import datetime as dt
import operator
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from fengqiao.areas.models import Area, Household
from fengqiao.audit.log import record
from fengqiao.cases.actions import TRACKING_ALPHABET
from fengqiao.cases.models import (
    Case,
    CaseCounter,
    Category,
    Extension,
    Party,
    Supervision,
    TimelineEvent,
)
from fengqiao.people.models import Person
from fengqiao.search import index as search_index
from fengqiao.search.models import CaseSearch

from . import mediation, sink
from .cases import CaseMaker, Generated
from .city import Residents, Shape, build_city, write_residents
from .clock import FastClock

YEARS = 5
BATCH = 5000
SEED = 20260601

CASE_FIELDS = ["id", "number", "tracking_code"] + [
    "kind",
    "channel",
    "category_id",
    "title",
    "narrative",
    "area_id",
    "area_path",
    "building_id",
    "household_id",
    "latitude",
    "longitude",
    "occurred_at",
    "people_count",
    "amount",
    "state",
    "grade",
    "risk",
    "urgency",
    "handling_area_id",
    "handling_area_path",
    "registered_area_id",
    "was_escalated",
    "current_unit_id",
    "current_handler_id",
    "lead_leader_id",
    "owner_id",
    "responsibility",
    "deadline",
    "supervision_level",
    "is_urgent",
    "feedback",
    "return_count",
    "rework_count",
    "dispatched_at",
    "dispatched_by_id",
    "sign_due_at",
    "warning_at",
    "due_at",
    "red_at",
    "extension_days",
    "clock_started_at",
    "completed_at",
    "verify_warning_at",
    "verify_due_at",
    "verify_red_at",
    "closed_at",
    "registered_by_id",
    "created_at",
    "updated_at",
]
EVENT_FIELDS = ["id", "case_id", "at", "actor_id", "action", "from_state", "to_state", "note"]
EVENT_FIELDS += ["data"]
PARTY_FIELDS = ["id", "case_id", "person_id", "role", "representative_name"]
EXTENSION_FIELDS = ["id", "case_id", "days", "reason", "status", "requested_by_id"]
EXTENSION_FIELDS += ["requested_at", "decided_by_id", "decided_at", "decision_note"]
SUPERVISION_FIELDS = ["id", "case_id", "level", "note", "by_id", "at"]
SEARCH_FIELDS = ["case_id", "area_path", "text"]
_CASE_VALUES = operator.itemgetter(*CASE_FIELDS[3:])


CASE_MODELS = [Case, Party, TimelineEvent, Extension, Supervision, CaseSearch]
CASE_MODELS += mediation.MODELS
KEYED_MODELS = [Case, Party, TimelineEvent, Extension, Supervision, *mediation.MODELS]
# The keys of the rows nothing refers to are left to the database (it numbers them in the
# order the writer writes them: by case, whichever drawer drew it).
_NUMBERED = {TimelineEvent: EVENT_FIELDS[1:], Extension: EXTENSION_FIELDS[1:]}
_NUMBERED[Supervision] = SUPERVISION_FIELDS[1:]


class CityExists(Exception):
    """The database already holds areas: the bench city needs an empty one."""


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _bulk_pragmas(on: bool) -> None:
    """SQLite: no fsync, a big page cache and no foreign-key checks while loading (the
    generator writes keys it has just made); back to the settings' values after. Inside
    a transaction (a test's) these cannot change, and need not."""
    if connection.in_atomic_block:
        return
    if connection.vendor != "sqlite":
        if on:
            with connection.cursor() as c:
                c.execute("SET synchronous_commit = off")
        return
    statements = (
        [
            "PRAGMA synchronous=OFF",
            "PRAGMA foreign_keys=OFF",
            "PRAGMA cache_size=-1000000",
            "PRAGMA temp_store=MEMORY",
        ]
        if on
        else [
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA cache_size=-64000",
        ]
    )
    with connection.cursor() as c:
        for sql in statements:
            c.execute(sql)


@contextmanager
def _deferred_search():
    """The search app indexes the loaded rows in one pass at the end (SQLite's trigram
    and bigram tables) instead of one trigger call per row; timed for the summary."""
    with search_index.deferred_indexing():
        yield
        started = time.perf_counter()
    sink.spent["(search rebuild)"] = time.perf_counter() - started


def day_counts(total: int, first: dt.date, days: int, rng: random.Random) -> list[int]:
    """Cases per day summing to ``total``: growing over the years, fewer at weekends."""
    weights = [
        (1 + 0.6 * d / days) * (0.45 if (first + dt.timedelta(days=d)).weekday() >= 5 else 1)
        for d in range(days)
    ]
    scale = total / sum(weights)
    counts, carried = [], 0.0
    for w in weights:
        carried += w * scale
        n = int(carried)
        carried -= n
        counts.append(n)
    counts[-1] += total - sum(counts)
    return counts


def seed(
    cases: int,
    *,
    shape: Shape | None = None,
    rng_seed: int = SEED,
    parallel: bool = True,
    drawers: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Summary:
    """Build the bench city with ``cases`` cases over five years, ending now; the cases
    are drawn in ``drawers`` forked processes (default: one per core) unless
    ``parallel`` is false."""
    shape = shape or Shape()
    summary = Summary()
    rng = random.Random(rng_seed)
    started = time.perf_counter()
    if Area.objects.exists():
        raise CityExists("数据库中已有区域：基准城市须载入空库（先 migrate 一个新库）。")
    _bulk_pragmas(True)
    try:
        with transaction.atomic():
            city = build_city(shape, cases, rng)
        summary.seconds["city"] = time.perf_counter() - started
        summary.counts["areas"] = len(city.areas)
        summary.counts["grids"] = len(city.grids)
        with sink.deferred_indexes([Household, Person]):
            households, people = write_residents(city, Residents(), transaction.atomic, progress)
        summary.counts |= {"households": households, "people": people}
        summary.seconds["people"] = time.perf_counter() - started - summary.seconds["city"]
        mark = time.perf_counter()
        with _deferred_search(), sink.deferred_indexes(CASE_MODELS):
            if not parallel:
                drawers = 1
            summary.counts |= _write_cases(city, cases, rng, progress, drawers or sink.cores())
        summary.seconds["cases"] = time.perf_counter() - mark
        summary.seconds["(indexes)"] = sink.spent.get("(indexes)", 0.0)
        mark = time.perf_counter()
        summary.counts["facts"] = _analytics_facts()
        summary.seconds["analytics"] = time.perf_counter() - mark
        with transaction.atomic():
            root = next(a for a in city.areas.values() if a.parent_id is None)
            record("bench.seed", area=root, actor_name="fengqiao bench", detail=summary.counts)
    finally:
        _bulk_pragmas(False)
    mark = time.perf_counter()
    with connection.cursor() as c:
        c.execute("ANALYZE")
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    summary.seconds["analyze"] = time.perf_counter() - mark
    summary.seconds["total"] = time.perf_counter() - started
    return summary


def _write_cases(city, total: int, rng: random.Random, progress, drawers: int) -> dict:
    """Draw the cases in ``drawers`` forked processes (or here, when 1) and write them in
    this one: on two cores the drawing's Python and the database's inserts overlap."""
    now = timezone.now().replace(microsecond=0)
    local_today = timezone.localdate()
    first_day = local_today - dt.timedelta(days=365 * YEARS)
    clock = FastClock(first_day - dt.timedelta(days=2), local_today + dt.timedelta(days=400))
    categories = dict(Category.objects.values_list("code", "pk"))
    _warm_rules(clock, city, categories)
    ids = {m: sink.next_id(m) for m in KEYED_MODELS}
    maker = CaseMaker(city, clock, categories, rng, now, ids, _names(city))
    plan = (maker, city, total, rng, first_day, ids, connection.vendor)
    counts = dict.fromkeys(("cases", "parties", "events", "extensions", "supervisions"), 0)
    counts |= dict.fromkeys((m._meta.model_name for m in mediation.MODELS), 0)
    counters: dict = {}

    def write(batch: dict) -> None:
        with transaction.atomic():
            for model, fields, rows in batch["tables"]:
                sink.write(model, fields, rows, prepared=True)
        for key, n in batch["counts"].items():
            counts[key] += n
        if progress:
            progress("cases", counts["cases"])

    with _fewer_collections():
        if drawers > 1 and _may_fork():
            counters = _in_children(plan, drawers, write)
        else:  # the same shares one after the other (a test's transaction cannot fork)
            for j in range(drawers):
                counters = _generate(*plan, write, share=(j, drawers))
    with transaction.atomic():
        for (prefix, year), last in counters.items():
            CaseCounter.objects.update_or_create(prefix=prefix, year=year, defaults={"last": last})
    sink.reset_sequences(KEYED_MODELS)
    return counts


@contextmanager
def _fewer_collections():
    """The objects there are now (the city, Django) are frozen out of the garbage
    collector's walks, and it runs less often: drawing and writing allocate millions of
    short-lived objects, and each full collection walked the whole city (drawing
    20,000 cases: 3.7 → 2.6 s CPU). A forked drawer inherits this."""
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _names(city) -> dict:
    """The names the mediation actions write into notes: mediators' and committees'."""
    from django.contrib.auth import get_user_model

    from fengqiao.units.models import Unit, UnitKind

    mediators = {s.mediator for s in city.staff.values()}
    names: dict = {
        pk: full or username
        for pk, full, username in get_user_model()
        .objects.filter(pk__in=mediators)
        .values_list("pk", "full_name", "username")
    }
    for pk, name in Unit.objects.filter(kind=UnitKind.MEDIATION_COMMITTEE).values_list(
        "pk", "name"
    ):
        names[("unit", pk)] = name
    return names


def _warm_rules(clock: FastClock, city, categories: dict[str, int]) -> None:
    """Read every time-limit rule the generator can need now, so that it never reads the
    database itself (it may run in a forked process)."""
    from fengqiao.areas.models import Level
    from fengqiao.units.models import UnitScope

    from .cases import CATEGORIES

    for kind, pairs in CATEGORIES.items():
        for code, _w in pairs:
            for level in (Level.CITY, Level.DISTRICT, Level.TOWN, Level.COMMUNITY, Level.GRID):
                for scope in UnitScope.values:
                    for stage in ("accept", "handle", "verify"):
                        clock.rule(stage, kind, categories[code], level, scope)


def _analytics_facts() -> int:
    """The figures' facts and daily roll-up, through the analytics app's own rebuild
    (the same rows its hook writes case by case); 0 when the app is not installed."""
    from django.apps import apps

    if not apps.is_installed("fengqiao.analytics"):
        return 0
    from fengqiao.analytics import rebuild

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The rebuild builds its indexes again inside this transaction: PostgreSQL
            # refuses while deferred foreign-key checks are pending, so check as we go.
            with connection.cursor() as c:
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        count = rebuild.rebuild(batch=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SET CONSTRAINTS ALL DEFERRED")
        return count


def _may_fork() -> bool:
    """Fork only from a file database or a server, outside any transaction (never in a
    test's in-memory database)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or connection.in_atomic_block:
        return False
    return connection.vendor != "sqlite" or not connection.is_in_memory_db()


def _in_children(plan, drawers: int, write) -> dict:
    """Run ``drawers`` forked drawers, each over its share of the cases, and write their
    batches in turn (batch k is drawer k mod n's: the rows arrive in case order);
    returns the case counters."""
    import multiprocessing
    import traceback

    from django.db import connections

    ctx = multiprocessing.get_context("fork")
    queues = [ctx.Queue(maxsize=2) for _ in range(drawers)]

    def child(share: int):
        queue = queues[share]
        try:
            emit = lambda batch: queue.put(("rows", batch))  # noqa: E731
            counters = _generate(*plan, emit, share=(share, drawers))
            queue.put(("done", counters))
        except BaseException:  # noqa: BLE001 — reported to the parent, which raises
            queue.put(("error", traceback.format_exc()))

    connections.close_all()  # the children must not share the parent's connection
    processes = [ctx.Process(target=child, args=(j,), daemon=True) for j in range(drawers)]
    for process in processes:
        process.start()
    _bulk_pragmas(True)  # settings that lived on the closed connection
    counters: dict = {}
    live = set(range(drawers))
    k = 0
    try:
        while live:
            j, k = k % drawers, k + 1  # batch k is drawer k mod n's
            if j not in live:
                continue
            kind, payload = queues[j].get()
            if kind == "rows":
                write(payload)
            elif kind == "done":
                counters = payload  # every drawer counts every case
                live.discard(j)
            else:
                raise RuntimeError(f"生成进程出错：\n{payload}")
        return counters
    finally:
        for process in processes:
            process.join(timeout=0 if live else 30)
            if process.is_alive():
                process.terminate()


def _generate(maker, city, total, plan_rng, first_day, ids, vendor, emit, share=(0, 1)) -> dict:
    """Draw the cases, day by day, and hand batches of ready rows to ``emit``.

    ``share`` = (j, n): the stream of cases is cut into batches of BATCH; this drawer
    draws batch k when k mod n = j. Every drawer walks the same stream of registration
    times and grids (``plan_rng``, cheap), so each knows every case's id (the first id
    plus its index) and number (the counters run over every case); the drawing itself
    (the case's life) takes the drawer's own random stream. The parties' and the
    mediations' keys (which rows refer to) are the drawer's j-th of each n (interleaved
    ranges, no gaps but the last few); the database numbers the other rows."""
    j, n = share
    # Each drawer starts from the same state, whether forked or run one after the other.
    rng = random.Random()
    rng.setstate(plan_rng.getstate())
    ids = dict(ids)
    maker = copy.copy(maker)
    maker.ids = ids
    residents = Residents()
    grid_cum, acc = [], 0.0
    for _g in city.grids:  # busy and quiet grids: a fixed weight per grid
        acc += rng.uniform(0.2, 1.8)
        grid_cum.append(acc)
    draw_seed = rng.getrandbits(64)
    maker.rng = draw = random.Random(draw_seed + j)
    maker.step = n
    first_case = ids[Case]
    for model in ids:
        ids[model] += j
    counters: dict[tuple[str, int], int] = {}
    tz = timezone.get_current_timezone()
    now = maker.now
    grids = city.grids
    index = 0
    pending: list[Generated] = []
    for d, count in enumerate(day_counts(total, first_day, 365 * YEARS, rng)):
        day = first_day + dt.timedelta(days=d + 1)
        start = dt.datetime.combine(day, dt.time(7, 0), tzinfo=tz)
        for s in sorted(rng.randrange(14 * 3600) for _ in range(count)):
            created = (start + dt.timedelta(seconds=s)).astimezone(dt.UTC)
            if created >= now:
                created = now - dt.timedelta(seconds=rng.randint(60, 3600))
            grid = rng.choices(grids, cum_weights=grid_cum)[0]
            key = (grid.prefix, created.astimezone(tz).year)
            counters[key] = last = counters.get(key, 0) + 1
            if (index // BATCH) % n == j:
                ids[Case] = first_case + index
                g = maker.make(grid, created)
                g.fields["_number"] = f"{key[0]}-{key[1]}-{last:06d}"
                pending.append(g)
                if len(pending) == BATCH:
                    emit(_rows(pending, residents, draw, city, vendor))
                    pending = []
            index += 1
    if pending:
        emit(_rows(pending, residents, draw, city, vendor))
    return counters


def _rows(batch, residents, rng, city, vendor) -> dict:
    """The rows of a batch of cases, converted for the database's driver."""
    case_rows, party_rows, event_rows, ext_rows, sup_rows, search_rows = [], [], [], [], [], []
    mediation_rows: dict = {m: [] for m in mediation.MODELS}
    for g in batch:
        f = g.fields
        case_id = g.case_id
        number = f.pop("_number")
        tracking = "".join(rng.choices(TRACKING_ALPHABET, k=12))
        case_rows.append((case_id, number, tracking, *_CASE_VALUES(f)))
        names = []
        for (resident, role), party_id in zip(g.parties, g.party_ids, strict=True):
            party_rows.append((party_id, case_id, city.people_base + resident, role, ""))
            names.append(residents.name(resident))
        for model, rows in g.rows.items():
            mediation_rows[model] += rows
        for e in g.events:
            event_rows.append(
                (case_id, e.at, e.actor, e.action, e.from_state, e.to_state, e.note, e.data)
            )
        for ext in g.extensions:
            ext_rows.append((case_id, *ext))
        for sup in g.supervisions:
            sup_rows.append((case_id, *sup))
        # The same text as search.index.text_of: number, title, narrative, party names.
        text = "\n".join([number, f["title"], f["narrative"], " ".join(names)])
        search_rows.append((case_id, f["area_path"], text))
    tables = [
        (Case, CASE_FIELDS, case_rows),
        (Party, PARTY_FIELDS, party_rows),
        (TimelineEvent, _NUMBERED[TimelineEvent], event_rows),
        (Extension, _NUMBERED[Extension], ext_rows),
        (Supervision, _NUMBERED[Supervision], sup_rows),
        (CaseSearch, SEARCH_FIELDS, search_rows),
    ] + [(m, fields, mediation_rows[m]) for m, fields in mediation.TABLES]
    return {
        "tables": [
            (m, fields, sink.prepare(m, fields, rows, vendor)) for m, fields, rows in tables
        ],
        "counts": {
            "cases": len(case_rows),
            "parties": len(party_rows),
            "events": len(event_rows),
            "extensions": len(ext_rows),
            "supervisions": len(sup_rows),
        }
        | {m._meta.model_name: len(mediation_rows[m]) for m in mediation.MODELS},
    }
