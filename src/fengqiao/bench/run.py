"""``fengqiao bench run``: every benchmark of issue 6 against an already seeded city.

Reads are timed through the Django test client (the server's own time: middleware,
queries, templates) and each is set beside its raw-SQL floor — the same rows fetched by
hand-written SQL on the same connection. Writes go through the production server
(``fengqiao up``, gunicorn with 2 workers, on a loopback port) over HTTP for
requests per second, and through the test client for the server's time per request.
The server's resident memory is sampled while it serves.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import Role, User
from fengqiao.api.actions import issue_token
from fengqiao.areas import paths
from fengqiao.areas.models import Area
from fengqiao.cases.models import Case, Category
from fengqiao.cases.queries import _HANDLER_STATES
from fengqiao.people.models import Person
from fengqiao.search import index as search_index

from .city import BENCH_PASSWORD

PAGE_SIZE = 25  # cases.views.PAGE_SIZE
COUNT_CAP = 1000  # cases.views.COUNT_CAP
RSS_LIMIT_MB = 250
# Three characters (trigram index); two, rare and common, and one (bigram index).
SEARCH_TERMS = ("草牧场", "漏水", "纠纷", "草")
LIST_STATE, LIST_CATEGORY = "closed", "D17"
WRITE_MARK = "（基准）"  # in the titles of the cases the runner registers


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    floor_ms: float | None = None
    n: int = 0
    rps: float | None = None
    note: str = ""
    queries: int | None = None
    # The median CPU time of this process per request: on a busy machine, what the
    # request itself cost (all of it on SQLite; without the server's share on PostgreSQL).
    cpu_ms: float | None = None

    @property
    def ratio(self) -> float | None:
        if not self.floor_ms:
            return None
        return self.median_ms / self.floor_ms


@dataclass
class Report:
    vendor: str
    cases: int
    results: list[Result] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


CPU_SAMPLES: list[float] = []  # the CPU times of the last ``_time`` call


def _time(fn: Callable[[], object], repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    CPU_SAMPLES.clear()
    for _ in range(repeat):
        cpu = time.process_time()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
        CPU_SAMPLES.append(time.process_time() - cpu)
    return samples


def _cpu_ms() -> float:
    return statistics.median(CPU_SAMPLES) * 1000


def _sql(statements: list[tuple[str, list]]) -> Callable[[], None]:
    """A floor: hand-written statements on the same connection, every row fetched."""

    def run():
        with connection.cursor() as c:
            for sql, params in statements:
                c.execute(sql, params)
                c.fetchall()

    return run


# --- who and what ---------------------------------------------------------------------


@dataclass
class Personas:
    city: Area
    town: Area
    grid: Area
    city_leader: User
    town_intake: User
    town_mediator: User
    grid_worker: User
    case_20: Case
    person: Person
    # The writes go to another grid, so that repeated runs leave the read personas'
    # workbenches as the generator made them.
    write_grid: Area
    write_intake: User
    write_worker: User
    write_person: Person


def personas() -> Personas:
    """The grid with the most open cases, its town, their staff, and a case with 20
    events (or as near as the city has)."""
    city = Area.objects.get(parent__isnull=True)
    with connection.cursor() as c:
        # The grid with the most cases waiting for its grid worker, and its town.
        c.execute(
            "SELECT area_id, COUNT(*) FROM cases_case "
            "WHERE state IN ('dispatched', 'signed_for', 'in_progress', 'sent_back') "
            # Not the cases earlier runs wrote: those go to the write grid.
            "AND title NOT LIKE %s GROUP BY area_id ORDER BY 2 DESC, 1 LIMIT 1",
            [f"%{WRITE_MARK}%"],
        )
        grid_id = c.fetchone()[0]
        c.execute(
            "SELECT case_id, COUNT(*) AS n FROM cases_timelineevent GROUP BY case_id "
            "HAVING COUNT(*) BETWEEN 15 AND 25 ORDER BY ABS(COUNT(*) - 20), case_id DESC LIMIT 1"
        )
        row = c.fetchone()
    grid = Area.objects.get(pk=grid_id)
    town = Area.objects.get(path=grid.path[: 3 * paths.SEGMENT])
    # The writes go to a grid of another town, by that town's intake officer: written
    # into the read town, every run's thousands of new cases (titled …纠纷…) slowed the
    # next run's town search and town ledger (bench/README, session 4).
    write_town = Area.objects.filter(level="town").exclude(pk=town.pk).order_by("-path").first()
    write_grid = Area.objects.within(write_town).filter(level="grid").order_by("-path").first()
    if row is None:
        raise RuntimeError("没有约 20 条时间线的事项：城市太小？")
    return Personas(
        city=city,
        town=town,
        grid=grid,
        city_leader=User.objects.get(username=f"{city.code}_{Role.LEADER}"),
        town_intake=User.objects.get(username=f"{town.code}_{Role.INTAKE_OFFICER}"),
        town_mediator=User.objects.get(username=f"{town.code}_{Role.MEDIATOR}"),
        grid_worker=User.objects.get(username=f"{grid.code}_{Role.GRID_WORKER}"),
        case_20=Case.objects.get(pk=row[0]),
        person=Person.objects.filter(area=grid).order_by("pk").first(),
        write_grid=write_grid,
        write_intake=User.objects.get(username=f"{write_town.code}_{Role.INTAKE_OFFICER}"),
        write_worker=User.objects.get(username=f"{write_grid.code}_{Role.GRID_WORKER}"),
        write_person=Person.objects.filter(area=write_grid).order_by("pk").first(),
    )


# --- reads ------------------------------------------------------------------------------

LIST_COLUMNS = (
    "SELECT c.*, a.*, g.*, u.*, h.* FROM cases_case c "
    "JOIN areas_area a ON a.id = c.area_id JOIN cases_category g ON g.id = c.category_id "
    "LEFT JOIN units_unit u ON u.id = c.current_unit_id "
    "LEFT JOIN accounts_user h ON h.id = c.current_handler_id "
)


def _list_floor(
    where: str,
    params: list,
    after: int | None,
    join: str = "",
    key: str = "c.id",
    count: tuple[str, str, list] | None = None,
    counted: bool = True,
) -> Callable[[], None]:
    """The page (newest first by ``key``, after ``after``) and its count capped at
    COUNT_CAP; ``join``: more tables (a search index); ``count``: (join, where, params)
    when the count is best read another way than the page (as the list does);
    ``counted``: false for the page alone."""
    page_where = where + (f" AND {key} < %s" if after else "")
    page_params = params + ([after] if after else [])
    count_join, count_where, count_params = count or (join, where, params)
    statements = [
        (
            f"{LIST_COLUMNS}{join} WHERE {page_where} ORDER BY {key} DESC LIMIT %s",
            page_params + [PAGE_SIZE + 1],
        ),
        (
            f"SELECT COUNT(*) FROM (SELECT c.id FROM cases_case c{count_join} "  # noqa: S608 — names from this module, values bound
            f"WHERE {count_where} LIMIT %s) t",
            count_params + [COUNT_CAP + 1],
        ),
    ]
    return _sql(statements if counted else statements[:1])


def _cursor_for_page(where: str, params: list, page: int) -> int | None:
    """The ``after`` key of page ``page`` (the last id of the page before it)."""
    if page <= 1:
        return None
    with connection.cursor() as c:
        c.execute(
            f"SELECT c.id FROM cases_case c WHERE {where} ORDER BY c.id DESC LIMIT 1 OFFSET %s",  # noqa: S608 — names from this module, values bound
            params + [(page - 1) * PAGE_SIZE - 1],
        )
        row = c.fetchone()
    return row[0] if row else None


def _subtree(area: Area) -> tuple[str, list]:
    return "c.area_path BETWEEN %s AND %s", [area.path, paths.upper_bound(area.path)]


def _search_floor(term: str, area: Area | None = None) -> Callable[[], None]:
    """Hand-written SQL for the search page's rows and capped count: the city's through
    the term's index, joined so that it hands over matches newest first (SQLite: the FTS5
    table's rowid; PostgreSQL: ILIKE for a page of three characters or more, the bigram
    index for the rest); a town's (``area``) through its own search rows (SQLite: by area
    path; PostgreSQL: ``_town_search_floor``)."""
    like = search_index._like_pattern(term)  # the list's escaping, not its statement
    search = " JOIN search_casesearch s ON s.case_id = c.id"
    if area is not None and connection.vendor == "postgresql":
        return _town_search_floor(term, area)
    if area is not None:
        test, params = _subtree(area)
        test = test.replace("c.area_path", "s.area_path")
        if connection.vendor == "sqlite":
            test, params = f"{test} AND s.text LIKE %s ESCAPE '\\'", params + [like]
        else:
            test, params = f"{test} AND strpos(lower(s.text), lower(%s)) <> 0", params + [term]
        return _list_floor(test, params, None, join=search, key="s.case_id")
    if connection.vendor == "sqlite":
        table = search_index.TRIGRAM_TABLE if len(term) >= 3 else search_index.BIGRAM_TABLE
        match = search_index._fts_phrase(term) + (" *" if len(term) == 1 else "")
        join = f" JOIN {table} f ON f.rowid = c.id"
        return _list_floor(f"{table} MATCH %s", [match], None, join=join, key="f.rowid")
    pairs = search_index._query_bigrams(term)
    bigram = " AND ".join(["search_bigrams(s.text) @@ search_bigram_query(%s)"] * len(pairs))
    indexed = (f"strpos(lower(s.text), lower(%s)) <> 0 AND {bigram}", [term, *pairs])
    page = ("s.text ILIKE %s", [like]) if len(term) >= 3 else indexed
    floor = _list_floor(*page, None, join=search, key="s.case_id", count=(search, *indexed))
    if not search_index._maybe_common(term):
        return floor
    # As the list counts a term that looks common (search.index.Probed): the newest
    # PROBE_ROWS cases first, and all matches only when they hold no more than the cap.
    page_only = _list_floor(*page, None, join=search, key="s.case_id", counted=False)
    probe = (
        "SELECT COUNT(*) FROM (SELECT s.case_id FROM search_casesearch s "
        "WHERE s.case_id IN (SELECT c.id FROM cases_case c ORDER BY c.id DESC LIMIT %s) "
        "AND strpos(lower(s.text), lower(%s)) <> 0) t"
    )

    def run():
        with connection.cursor() as c:
            c.execute(probe, [search_index.PROBE_ROWS, term])
            found = c.fetchone()[0]
        (page_only if found > COUNT_CAP else floor)()

    return run


def _town_search_floor(term: str, area: Area) -> Callable[[], None]:
    """PostgreSQL, a town or deeper: the page's ids walked newest first along the town's
    rows, then their cases; the count through the bigram index's town and bigrams
    (search migration 0005), as the list reads them."""
    width = search_index.NARROW_PATH_LENGTH
    town = area.path[:width]
    text, narrower = "strpos(lower(s.text), lower(%s)) <> 0", ""
    bounds = []
    if len(area.path) > width:
        narrower, bounds = (
            " AND s.area_path BETWEEN %s AND %s",
            [area.path, paths.upper_bound(area.path)],
        )
    query, query_params = search_index.town_bigram_sql([town], term, table="s")
    return _sql(
        [
            (
                f"{LIST_COLUMNS}JOIN (SELECT s.case_id FROM search_casesearch s "  # noqa: S608 — names from this module, values bound
                f"WHERE left(s.area_path, {width}) = %s{narrower} AND {text} "
                "ORDER BY s.case_id DESC LIMIT %s) m ON m.case_id = c.id ORDER BY c.id DESC",
                [town, *bounds, term, PAGE_SIZE + 1],
            ),
            (
                "SELECT COUNT(*) FROM (SELECT s.case_id FROM search_casesearch s "  # noqa: S608 — names from this module, values bound
                f"WHERE ({query}){narrower} "
                f"AND {text} LIMIT %s) t",
                [*query_params, *bounds, term, COUNT_CAP + 1],
            ),
        ]
    )


def _workbench_floor(user: User) -> Callable[[], None]:
    states = list(_HANDLER_STATES)
    marks = ", ".join(["%s"] * len(states))
    return _sql(
        [
            (
                "SELECT c.*, a.*, ha.*, g.*, u.*, h.* FROM cases_case c "  # noqa: S608 — names from this module, values bound
                "JOIN areas_area a ON a.id = c.area_id "
                "JOIN areas_area ha ON ha.id = c.handling_area_id "
                "JOIN cases_category g ON g.id = c.category_id "
                "LEFT JOIN units_unit u ON u.id = c.current_unit_id "
                "LEFT JOIN accounts_user h ON h.id = c.current_handler_id "
                f"WHERE c.state IN ({marks}) AND (c.current_handler_id = %s OR "
                "c.current_unit_id IN (SELECT unit_id FROM units_unitmember WHERE user_id = %s)) "
                "ORDER BY c.is_urgent DESC, c.due_at ASC NULLS LAST, c.created_at LIMIT 200",
                [*states, user.pk, user.pk],
            )
        ]
    )


def _case_floor(case: Case) -> Callable[[], None]:
    return _sql(
        [
            (
                "SELECT c.*, a.*, ha.* FROM cases_case c JOIN areas_area a ON a.id = c.area_id "
                "JOIN areas_area ha ON ha.id = c.handling_area_id WHERE c.id = %s",
                [case.pk],
            ),
            (
                "SELECT p.*, pe.* FROM cases_party p JOIN people_person pe ON pe.id = p.person_id "
                "WHERE p.case_id = %s ORDER BY p.role, p.id",
                [case.pk],
            ),
            (
                "SELECT t.*, u.* FROM cases_timelineevent t "
                "LEFT JOIN accounts_user u ON u.id = t.actor_id WHERE t.case_id = %s "
                "ORDER BY t.at, t.id",
                [case.pk],
            ),
        ]
    )


@dataclass
class Read:
    name: str
    user: User
    url: str
    floor: Callable[[], None]
    note: str = ""


def reads(p: Personas) -> list[Read]:
    category = Category.objects.get(code=LIST_CATEGORY)
    out = [
        Read(
            "workbench: grid worker",
            p.grid_worker,
            reverse("cases:workbench"),
            _workbench_floor(p.grid_worker),
        ),
        Read(
            "workbench: town mediator",
            p.town_mediator,
            reverse("cases:workbench"),
            _workbench_floor(p.town_mediator),
        ),
    ]
    for scope_name, user, area in (
        ("town", p.town_intake, p.town),
        ("city", p.city_leader, p.city),
    ):
        where, params = _subtree(area)
        where += " AND c.state = %s AND c.category_id = %s"
        params += [LIST_STATE, category.pk]
        for page in (1, 100):
            after = _cursor_for_page(where, params, page)
            query = {"state": LIST_STATE, "category": category.pk}
            if after:
                query["after"] = after
            out.append(
                Read(
                    f"list: {scope_name}, state+category, page {page}",
                    user,
                    reverse("cases:list") + "?" + urlencode(query),
                    _list_floor(where, params, after),
                )
            )
    where, params = _subtree(p.town)
    out.append(
        Read(
            "list: town, no filter, page 1",
            p.town_intake,
            reverse("cases:list"),
            _list_floor(where, params, None),
        )
    )
    for term in SEARCH_TERMS:
        out.append(
            Read(
                f"search: city, “{term}” ({len(term)} chars)",
                p.city_leader,
                reverse("cases:list") + "?" + urlencode({"q": term}),
                _search_floor(term),
            )
        )
    # A common term where the town's intake officer searches: the town's own rows.
    out.append(
        Read(
            f"search: town, “{SEARCH_TERMS[2]}”",
            p.town_intake,
            reverse("cases:list") + "?" + urlencode({"q": SEARCH_TERMS[2]}),
            _search_floor(SEARCH_TERMS[2], p.town),
        )
    )
    out += figure_reads(p)
    out.append(
        Read(
            "case page: 20 timeline events",
            p.city_leader,
            reverse("cases:detail", args=[p.case_20.pk]),
            _case_floor(p.case_20),
        )
    )
    return out


class QueryCounter:
    """Counts the statements of a request (``CaptureQueriesContext`` cannot: every
    request starts by clearing the connection's query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _district_of(area: Area) -> Area:
    return Area.objects.get(path=area.path[: 2 * paths.SEGMENT])


def _dashboard_floor(area: Area, first, last) -> Callable[[], None]:
    """One grouped sum of the roll-up the dashboard reads: the monthly rows at the
    children's width for a city or district (whole months), else the daily rows."""
    from fengqiao.analytics.models import MONTHLY_WIDTHS

    sums = (
        "SELECT state, SUM(n), SUM(accepted), SUM(completed), SUM(on_time), SUM(timed), "
        "SUM(revisited), SUM(satisfied) "
    )
    width = len(area.path) + paths.SEGMENT
    if width in MONTHLY_WIDTHS:
        statement = (
            sums + "FROM analytics_monthlyfigure WHERE width = %s AND prefix BETWEEN %s AND %s "
            "AND month BETWEEN %s AND %s GROUP BY state"
        )
        params = [width, area.path, paths.upper_bound(area.path), first.replace(day=1), last]
    else:
        statement = (
            sums + "FROM analytics_dailyfigure WHERE area_path BETWEEN %s AND %s "
            "AND day BETWEEN %s AND %s GROUP BY state"
        )
        params = [area.path, paths.upper_bound(area.path), first, last]
    return _sql([(statement, params)])


def figure_reads(p: Personas) -> list["Read"]:
    """The leader's dashboard (city, district, town; month and year) and the ledger of a
    town-month — when the analytics app is installed."""
    from django.apps import apps

    if not apps.is_installed("fengqiao.analytics"):
        return []
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    month = (today.replace(day=1), today)
    year = (dt.date(today.year, 1, 1), today)
    out = []
    district = _district_of(p.town)
    for label, area, kind, (first, last) in (
        ("city, year", p.city, "year", year),
        ("city, month", p.city, "month", month),
        ("district, year", district, "year", year),
        ("town, month", p.town, "month", month),
    ):
        query = urlencode({"area": area.pk, "period": kind, "on": today.isoformat()})
        out.append(
            Read(
                f"dashboard: {label}",
                p.city_leader,
                "/analytics/?" + query,
                _dashboard_floor(area, first, last),
            )
        )
    query = urlencode({"area": p.town.pk, "period": "month", "on": today.isoformat()})
    start = timezone.make_aware(dt.datetime.combine(month[0], dt.time.min))
    out.append(
        Read(
            "ledger export: town, month (xlsx)",
            p.city_leader,
            "/analytics/ledger.xlsx?" + query,
            _sql(
                [
                    (
                        f"{LIST_COLUMNS} WHERE c.area_path BETWEEN %s AND %s "
                        "AND c.created_at >= %s ORDER BY c.created_at",
                        [p.town.path, paths.upper_bound(p.town.path), start],
                    )
                ]
            ),
        )
    )
    return out


def time_reads(p: Personas, repeat: int, only: list[str], out) -> list[Result]:
    results = []
    for r in reads(p):
        if only and not any(o in r.name for o in only):
            continue
        client = Client()
        client.force_login(r.user)
        response = client.get(r.url)
        if response.status_code != 200:
            raise RuntimeError(f"{r.name}: {r.url} → {response.status_code}")
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            client.get(r.url)
        page = _stats(_time(lambda url=r.url, c=client: c.get(url), repeat))
        cpu = _cpu_ms()
        floor = _stats(_time(r.floor, repeat))
        result = Result(
            r.name, *page, floor_ms=floor[0], n=repeat, queries=counter.count, cpu_ms=cpu
        )
        results.append(result)
        out(_line(result))
    return results


# --- writes over HTTP ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``fengqiao up`` in production mode on the seeded database: 2 gunicorn workers."""

    def __init__(self, log: Path):
        self.port = free_port()
        env = dict(
            os.environ,
            FENGQIAO_PRODUCTION="1",
            FENGQIAO_SECRET_KEY="bench-" + "x" * 50,
            FENGQIAO_HTTPS="0",
            FENGQIAO_NOTIFY_CHANNEL="none",
        )
        cmd = [sys.executable, "-m", "fengqiao", "up", "--no-demo", "--port", str(self.port)]
        cmd += ["--workers", "2"]
        self.log = log
        with log.open("wb") as f:
            self.process = subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fengqiao up 退出：\n{log.read_text()}")
            try:
                status = request(self.port, "GET", "/accounts/login/")[0]
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("fengqiao up 未能启动")

    def pids(self) -> list[int]:
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children

    def rss_mb(self, name: str = "VmRSS") -> dict[int, float]:
        """Resident memory per process: ``VmRSS`` (everything resident, shared pages
        included: the mapped database file, pages shared with the master since the fork),
        or ``USS`` (private pages only: what the process alone adds)."""
        found = {}
        for pid in [self.process.pid, *self.pids()]:
            try:
                if name == "USS":
                    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
                    keys = ("Private_Clean:", "Private_Dirty:")
                else:
                    text, keys = Path(f"/proc/{pid}/status").read_text(), (f"{name}:",)
            except OSError:
                continue
            kb = sum(int(line.split()[1]) for line in text.splitlines() if line.startswith(keys))
            found[pid] = kb / 1024
        return found

    def cpu_seconds(self) -> float:
        """CPU time (user + system) spent so far by the master and its workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in [self.process.pid, *self.pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def request(port: int, method: str, path: str, body: bytes = b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        conn.close()


def load(port: int, requests: list[tuple], concurrency: int, seconds: float, ok=(200, 201, 302)):
    """Send ``requests`` (method, path, body, headers) over ``concurrency`` keep-alive
    connections until they run out or ``seconds`` pass; (done, elapsed, latencies, errors)."""
    lock = threading.Lock()
    position = iter(range(len(requests)))
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < stop_at:
            with lock:
                index = next(position, None)
            if index is None:
                break
            method, path, body, headers = requests[index]
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            spent = time.perf_counter() - started
            with lock:
                latencies.append(spent)
                if response.status not in ok:
                    errors.append(f"{response.status} {payload[:200]!r}")
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), time.perf_counter() - started, latencies, errors


# wrk (Debian package ``wrk``), when installed, sends the intake POST as well: a client
# written in C that takes far less of the two cores than the threads above, which share
# them with the server. Both figures are reported; ``FENGQIAO_BENCH_WRK=0`` skips it.
_WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = io.open(os.getenv("FQ_BODY"), "rb"):read("*a")
wrk.headers["Authorization"] = os.getenv("FQ_AUTH")
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FQ %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_path() -> str | None:
    if os.environ.get("FENGQIAO_BENCH_WRK", "1") == "0":
        return None
    return shutil.which("wrk")


def wrk_post(port: int, path: str, body: bytes, auth: str, concurrency: int, seconds: float):
    """POST the same body for ``seconds`` with wrk over ``concurrency`` keep-alive
    connections (2 threads); (done, elapsed s, median s, p95 s, errors) or None."""
    wrk = wrk_path()
    if wrk is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script, body_file = Path(tmp) / "post.lua", Path(tmp) / "body.json"
        script.write_text(_WRK_SCRIPT)
        body_file.write_bytes(body)
        env = dict(os.environ, FQ_BODY=str(body_file), FQ_AUTH=auth)
        cmd = [wrk, "-t", "2", "-c", str(concurrency), "-d", f"{max(1, int(seconds))}s"]
        cmd += ["--timeout", "60s", "-s", str(script), f"http://127.0.0.1:{port}{path}"]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 90)
    line = next((x for x in out.stdout.splitlines() if x.startswith("FQ ")), None)
    if line is None:
        return None
    requests, micros, p50, p95, errors = (int(x) for x in line.split()[1:])
    return requests, micros / 1e6, p50 / 1e6, p95 / 1e6, errors


class RssSampler(threading.Thread):
    def __init__(self, server: Server):
        super().__init__(daemon=True)
        self.server, self.peak, self.private_peak, self.running = server, {}, {}, True

    def run(self):
        while self.running:
            for peak, name in ((self.peak, "VmRSS"), (self.private_peak, "USS")):
                for pid, mb in self.server.rss_mb(name).items():
                    peak[pid] = max(peak.get(pid, 0), mb)
            time.sleep(0.25)


def intake_body(p: Personas) -> dict:
    return {
        "kind": "dispute",
        "channel": "walk_in",
        "category": LIST_CATEGORY,
        "title": f"{p.write_grid.name}楼上漏水纠纷{WRITE_MARK}",
        "narrative": "居民反映楼上卫生间漏水，多次协商未果，双方因维修费用分摊发生争执，请求调解。",
        "area": p.write_grid.code,
        "parties": [
            {"role": "applicant", "person": p.write_person.pk},
            {"role": "respondent", "name": "基准被申请人", "phone": "13912345678"},
        ],
    }


def intake_form(p: Personas, csrf: str) -> dict:
    return {
        "csrfmiddlewaretoken": csrf,
        "kind": "dispute",
        "channel": "walk_in",
        "category": Category.objects.get(code=LIST_CATEGORY).pk,
        "title": f"{p.write_grid.name}邻里噪音纠纷{WRITE_MARK}",
        "narrative": "申请人称楼上住户长期夜间活动噪音扰民，双方多次口角，需要社区出面协调。",
        "area": p.write_grid.pk,
        "people_count": 2,
        "party-TOTAL_FORMS": 1,
        "party-INITIAL_FORMS": 0,
        "party-MIN_NUM_FORMS": 0,
        "party-MAX_NUM_FORMS": 50,
        "party-0-role": "applicant",
        "party-0-person": p.write_person.pk,
        "party-0-sex": "unknown",
        "similar_checked": "1",
    }


def _login(port: int, username: str) -> tuple[str, str]:
    """(cookie header, csrf token) of a signed-in browser session."""
    status, body, headers = request(port, "GET", "/accounts/login/")
    cookies = _cookies(headers)
    form = urlencode(
        {
            "csrfmiddlewaretoken": cookies["csrftoken"],
            "username": username,
            "password": BENCH_PASSWORD,
        }
    ).encode()
    status, body, headers = request(
        port,
        "POST",
        "/accounts/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    cookies |= _cookies(headers)
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"登录失败：{status}")
    header = f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}"
    return header, cookies["csrftoken"]


def _cookies(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key.strip()] = rest.split(";", 1)[0]
    return found


def http_writes(p: Personas, seconds: float, out, log_dir: Path) -> tuple[list[Result], dict]:
    results = []
    token = issue_token(actor=None, user=p.write_intake, name="bench", actor_name="fengqiao bench")
    auth = {"Authorization": f"Bearer {token.key}", "Content-Type": "application/json"}
    server = Server(log_dir / "bench-server.log")
    sampler = RssSampler(server)
    sampler.start()
    try:
        first_new = Case.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
        body = json.dumps(intake_body(p), ensure_ascii=False).encode()
        reqs = [("POST", "/api/v1/cases", body, auth)] * 100_000
        results.append(_http("intake: API POST /api/v1/cases", server, reqs, seconds, out))
        found = _wrk("intake: API POST /api/v1/cases", server, body, auth, seconds, out)
        results += [found] if found is not None else []

        cookie, csrf = _login(server.port, p.write_intake.username)
        form = urlencode(intake_form(p, csrf)).encode()
        headers = {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{server.port}/cases/create/",
        }
        reqs = [("POST", "/cases/create/", form, headers)] * 100_000
        results.append(_http("intake: page form POST /cases/create/", server, reqs, seconds, out))

        new = list(
            Case.objects.filter(pk__gte=first_new, state="registered")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        steps = [
            ("accept", {}),
            ("assess", {"grade": "minor", "risk": "blue"}),
            ("dispatch", {"handler": p.write_worker.username}),
        ]
        done = new
        for action, payload in steps:
            data = json.dumps(payload).encode()
            reqs = [("POST", f"/api/v1/cases/{pk}/{action}", data, auth) for pk in done]
            result = _http(f"transition: API {action}", server, reqs, seconds, out)
            results.append(result)
            state = {"accept": "accepted", "assess": "assessed", "dispatch": "dispatched"}[action]
            done = list(Case.objects.filter(pk__in=done, state=state).values_list("pk", flat=True))
    finally:
        sampler.running = False
        sampler.join(timeout=2)
        server.stop()
    master = server.process.pid
    rss = {
        "master": round(sampler.peak.get(master, 0), 1),
        "worker_max": round(max((v for k, v in sampler.peak.items() if k != master), default=0), 1),
        "worker_max_private": round(
            max((v for k, v in sampler.private_peak.items() if k != master), default=0), 1
        ),
    }
    out(
        f"server RSS peak: master {rss['master']} MB, worker {rss['worker_max']} MB, "
        f"of which private (USS) {rss['worker_max_private']} MB (limit {RSS_LIMIT_MB} MB)"
    )
    return results, rss


CONCURRENCY = 8  # client connections for the HTTP benchmarks (``--concurrency``)


def _http(name: str, server: Server, reqs, seconds: float, out) -> Result:
    cpu = server.cpu_seconds()
    done, elapsed, latencies, errors = load(
        server.port, reqs, concurrency=CONCURRENCY, seconds=seconds
    )
    # The server's CPU per request (gunicorn and Django; PostgreSQL's own processes
    # are not counted): what the request costs however busy the machine is.
    cpu_ms = (server.cpu_seconds() - cpu) / done * 1000 if done else None
    median, p95 = _stats(latencies) if latencies else (0, 0)
    note = f"{len(errors)} errors: {errors[0]}" if errors else ""
    result = Result(
        f"{name} ×{CONCURRENCY}", median, p95, n=done, rps=done / elapsed, note=note, cpu_ms=cpu_ms
    )
    out(_line(result))
    return result


def _wrk(name: str, server: Server, body: bytes, auth: dict, seconds: float, out):
    """The same intake load sent by wrk (None without wrk): the client's own CPU no
    longer competes with the server as much as the Python threads do."""
    cpu = server.cpu_seconds()
    found = wrk_post(
        server.port, "/api/v1/cases", body, auth["Authorization"], CONCURRENCY, seconds
    )
    if found is None:
        return None
    done, elapsed, median, p95, errors = found
    cpu_ms = (server.cpu_seconds() - cpu) / done * 1000 if done else None
    result = Result(
        f"{name} ×{CONCURRENCY} (wrk)",
        median * 1000,
        p95 * 1000,
        n=done,
        rps=done / elapsed if elapsed else 0,
        note=f"{errors} errors" if errors else "",
        cpu_ms=cpu_ms,
    )
    out(_line(result))
    return result


# --- writes through the test client (server time per request) --------------------------------


def client_writes(p: Personas, repeat: int, out) -> list[Result]:
    results = []
    token = issue_token(actor=None, user=p.write_intake, name="bench-client", actor_name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    body = json.dumps(intake_body(p), ensure_ascii=False)

    def post_api():
        response = client.post("/api/v1/cases", body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]
        created.append(response.json()["id"])

    created: list[int] = []
    samples = _time(post_api, repeat)
    results.append(
        Result("intake: API (test client)", *_stats(samples), n=repeat, cpu_ms=_cpu_ms())
    )
    out(_line(results[-1]))

    browser = Client()
    browser.force_login(p.write_intake)
    form = intake_form(p, "")
    form.pop("csrfmiddlewaretoken")

    def post_form():
        response = browser.post(reverse("cases:create"), form)
        assert response.status_code == 302, response.content[:300]

    samples = _time(post_form, repeat)
    results.append(
        Result("intake: page form (test client)", *_stats(samples), n=repeat, cpu_ms=_cpu_ms())
    )
    out(_line(results[-1]))
    for action, payload in (
        ("accept", {}),
        ("assess", {"grade": "minor", "risk": "blue"}),
        ("dispatch", {"handler": p.write_worker.username}),
    ):
        ids = iter(list(created))
        data = json.dumps(payload)

        def act(action=action, data=data, ids=ids):
            pk = next(ids)
            response = client.post(
                f"/api/v1/cases/{pk}/{action}", data, content_type="application/json"
            )
            assert response.status_code == 200, response.content[:300]

        samples = _time(act, len(created) - 2)
        results.append(
            Result(
                f"transition: API {action} (test client)",
                *_stats(samples),
                n=len(samples),
                cpu_ms=_cpu_ms(),
            )
        )
        out(_line(results[-1]))
    return results


# --- the whole run -------------------------------------------------------------------------


def _line(r: Result) -> str:
    parts = [f"{r.name:<44}", f"median {r.median_ms:8.1f} ms", f"p95 {r.p95_ms:8.1f} ms"]
    if r.cpu_ms is not None:
        parts.append(f"cpu {r.cpu_ms:7.1f} ms")
    if r.floor_ms is not None:
        parts.append(f"floor {r.floor_ms:7.2f} ms  ×{r.ratio:5.1f}")
    if r.rps is not None:
        parts.append(f"{r.rps:7.1f} req/s")
    if r.queries is not None:
        parts.append(f"{r.queries} queries")
    if r.note:
        parts.append(r.note[:120])
    return "  ".join(parts)


def pending_benchmarks() -> list[str]:
    from django.apps import apps

    missing = []
    if not apps.is_installed("fengqiao.analytics"):
        missing += [
            "leader dashboard figures (no analytics app yet)",
            "ledger export of a town-month (no analytics app yet)",
        ]
    return missing


def run_all(*, repeat: int, only: list[str], http_seconds: int, http: bool, out) -> Report:
    report = Report(vendor=connection.vendor, cases=Case.objects.count())
    out(f"{report.vendor}: {report.cases:,} cases")
    p = personas()
    out(f"town {p.town.name} ({p.town.code}), grid {p.grid.name}, case {p.case_20.number}")
    report.results += time_reads(p, repeat, only, out)
    if not only or any("intake" in o or "transition" in o for o in only):
        report.results += client_writes(p, min(repeat, 30), out)
        if http:
            # On PostgreSQL there may be no home folder: not the current directory (a
            # checkout) but the temporary one.
            logs = Path(os.environ.get("FENGQIAO_HOME") or tempfile.gettempdir())
            results, rss = http_writes(p, http_seconds, out, logs)
            report.results += results
            report.rss_mb = rss
    report.pending = pending_benchmarks()
    for item in report.pending:
        out(f"pending: {item}")
    return report


def save(report: Report, path: str) -> None:
    data = asdict(report)
    for r, raw in zip(report.results, data["results"], strict=True):
        raw["ratio"] = r.ratio
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2))
