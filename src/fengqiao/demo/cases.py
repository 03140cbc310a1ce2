"""The demo's cases: about 1,500 over the last 18 months in the three towns.

Each case's life is drawn by the bench generator (``bench.cases.CaseMaker``): every
action allowed by the state table from the state before it, with the fields and rows
those actions leave, cut at "now". The demo only chooses where and what: land and
grassland disputes dominate in 白泥井镇, neighbour and property disputes in the two
streets. A few cases are then drawn on purpose so that every state of the loop is
present and the documented accounts find work waiting on their workbench: recent cases,
and stalled ones (a life cut short days ago, so now past its deadline).
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.areas.models import Area, Building, Level
from fengqiao.bench import sink
from fengqiao.bench.cases import CaseMaker, Generated
from fengqiao.bench.city import City, GridInfo, LevelStaff
from fengqiao.bench.clock import FastClock
from fengqiao.bench.seed import (
    CASE_FIELDS,
    EVENT_FIELDS,
    EXTENSION_FIELDS,
    PARTY_FIELDS,
    SEARCH_FIELDS,
    SUPERVISION_FIELDS,
    day_counts,
)
from fengqiao.cases.actions import TRACKING_ALPHABET
from fengqiao.cases.models import (
    Case,
    CaseCounter,
    Category,
    Extension,
    ExtensionStatus,
    Party,
    Supervision,
    TimelineEvent,
)
from fengqiao.cases.queries import EXTENDABLE_STATES
from fengqiao.cases.states import CLOCK_STATES, State
from fengqiao.people.models import DataSource, Person
from fengqiao.search.models import CaseSearch
from fengqiao.units.models import Unit, UnitKind, UnitMember

from . import city
from .mediations import add_mediations

MONTHS = 18
# Cases per town over the 18 months (the drawn extras come on top: about 60).
CASES_PER_TOWN = {city.BAINIJING_CODE: 620, city.GONGYE_CODE: 380, city.ZHAOJUN_CODE: 440}
LAND = {"D05", "D0501", "D0502", "D0504"}  # 土地、草牧场、牛羊越界 …
NEIGHBOURS_AND_PROPERTY = {"D17", "D04"}  # 婚姻家庭邻里, 建筑工程质量及物业管理
TOWN_PREFIX = {city.BAINIJING_CODE: "bnj", city.GONGYE_CODE: "gy", city.ZHAOJUN_CODE: "zj"}


@dataclass
class Town:
    area: Area
    grids: list[GridInfo]
    keeps: Callable[[str, str, random.Random], bool]  # (kind, category code) → keep?


def _keeps_rural(kind: str, code: str, rng: random.Random) -> bool:
    if kind != "dispute":
        return rng.random() < 0.45
    return code in LAND or rng.random() < 0.12


def _keeps_urban(kind: str, code: str, rng: random.Random) -> bool:
    if kind != "dispute":
        return rng.random() < 0.6
    if code in LAND:
        return rng.random() < 0.02
    return code in NEIGHBOURS_AND_PROPERTY or rng.random() < 0.25


class DemoCases:
    """The demo city seen as the bench generator's ``City``, and the cases drawn in it."""

    def __init__(self, areas: dict[str, Area], rng: random.Random, now: dt.datetime):
        self.rng, self.now = rng, now
        self.codes = dict(Category.objects.values_list("code", "pk"))
        self.code_of = {pk: c for c, pk in self.codes.items()}
        self.users = dict(User.objects.values_list("username", "pk"))
        by_id = {a.pk: a for a in areas.values()}
        self.people: list[tuple[int, str]] = []
        self.towns = {code: self._town(areas[code], by_id) for code in TOWN_PREFIX}
        grids = [g for t in self.towns.values() for g in t.grids]
        self.city = City(
            areas=by_id,
            grids=grids,
            staff=self._staff(areas, by_id),
            unit_handler=self._unit_handlers(),
        )
        today = timezone.localdate()
        self.first_day = today - dt.timedelta(days=MONTHS * 30 + 10)
        clock = FastClock(self.first_day - dt.timedelta(days=2), today + dt.timedelta(days=400))
        self.maker = CaseMaker(self.city, clock, self.codes, rng, now)
        self.cases: list[Generated] = []
        # (case id, number, drawn case, [(party id, person index, role)]) once written.
        self.written: list[tuple[int, str, Generated, list[tuple[int, int, str]]]] = []

    # --- the city as the generator sees it --------------------------------------------

    def _town(self, town: Area, by_id: dict[int, Area]) -> Town:
        grids = sorted(
            (a for a in by_id.values() if a.level == Level.GRID and a.path.startswith(town.path)),
            key=lambda a: a.path,
        )
        workers = dict(
            User.objects.filter(
                assignments__area__in=grids, assignments__role="grid_worker"
            ).values_list("assignments__area_id", "pk")
        )
        property_of = dict(
            Unit.objects.filter(kind=UnitKind.PROPERTY_COMPANY, area__in=grids).values_list(
                "area_id", "pk"
            )
        )
        buildings: dict[int, list[int]] = {}
        for pk, area_id in Building.objects.filter(area__in=grids).values_list("pk", "area_id"):
            buildings.setdefault(area_id, []).append(pk)
        residents: dict[int, list[tuple[int, str]]] = {}
        people = Person.objects.filter(area__in=grids, data_source=DataSource.DEMO)
        for pk, area_id, name in people.order_by("pk").values_list("pk", "area_id", "name"):
            residents.setdefault(area_id, []).append((pk, name))
        infos = []
        for g in grids:
            first = len(self.people)
            self.people += residents.get(g.pk, [])
            infos.append(
                GridInfo(
                    id=g.pk,
                    path=g.path,
                    name=g.name,
                    community=g.parent_id,
                    town=town.pk,
                    district=town.parent_id,
                    prefix=town.code[:6],
                    worker=workers[g.pk],
                    is_urban=g.pk in property_of,
                    property_unit=property_of.get(g.pk),
                    buildings=buildings.get(g.pk, []),
                    people_first=first,
                    people_count=len(self.people) - first,
                )
            )
        keeps = _keeps_rural if town.code == city.BAINIJING_CODE else _keeps_urban
        return Town(area=town, grids=[i for i in infos if i.people_count], keeps=keeps)

    def _staff(self, areas: dict[str, Area], by_id: dict[int, Area]) -> dict[int, LevelStaff]:
        """Leader, intake officer and mediator of the city, 达拉特旗, the towns and every
        village or community in them, with the units placed at each."""
        u = self.users
        staff = {}
        for code, prefix in city.ROLE_ACCOUNT_AREAS.items():
            a = areas[code]
            staff[a.pk] = LevelStaff(
                area=a,
                leader=u[f"{prefix}_leader"],
                intake=u[f"{prefix}_intake_officer"],
                mediator=u[f"{prefix}_mediator"],
            )
            if code not in TOWN_PREFIX:
                continue
            communities = sorted(
                (c for c in by_id.values() if c.parent_id == a.pk), key=lambda c: c.path
            )
            for n, c in enumerate(communities, start=1):
                staff[c.pk] = LevelStaff(
                    area=c,
                    leader=u[f"{prefix}_c{n:02d}_leader"],
                    mediator=u[f"{prefix}_c{n:02d}_mediator"],
                )
        units = Unit.objects.exclude(kind=UnitKind.PROPERTY_COMPANY)
        for pk, area_id, kind, scope in units.values_list("pk", "area_id", "kind", "scope"):
            staff[area_id].units[kind] = (pk, scope)
        return staff

    def _unit_handlers(self) -> dict[int, int]:
        return dict(UnitMember.objects.order_by("pk").values_list("unit_id", "user_id"))

    # --- drawing -----------------------------------------------------------------------

    def draw(self, town: Town, created: dt.datetime) -> Generated:
        """One case in ``town``, drawn until its kind and category suit the town."""
        rng = self.rng
        while True:
            grid = town.grids[rng.randrange(len(town.grids))]
            g = self.maker.make(grid, created)
            code = self.code_of[g.fields["category_id"]]
            if town.keeps(g.fields["kind"], code, rng):
                return g

    def draw_all(self) -> None:
        """The 18 months, day by day: busier lately, quieter at weekends."""
        rng = self.rng
        tz = timezone.get_current_timezone()
        days = (timezone.localdate() - self.first_day).days
        for code, total in CASES_PER_TOWN.items():
            town = self.towns[code]
            for d, n in enumerate(day_counts(total, self.first_day, days, rng)):
                day = self.first_day + dt.timedelta(days=d + 1)
                start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz)
                for _ in range(n):
                    created = start + dt.timedelta(seconds=rng.randrange(11 * 3600))
                    if created >= self.now:
                        created = self.now - dt.timedelta(minutes=rng.randint(5, 600))
                    self.cases.append(self.draw(town, created))

    def draw_until(
        self,
        wanted: Callable[[Generated], bool],
        *,
        count: int,
        towns: list[str],
        days: tuple[float, float],
        stalled: bool = False,
        tries: int = 4000,
    ) -> int:
        """Draw cases registered ``days`` ago until ``count`` of them satisfy ``wanted``;
        a stalled case's life stops a few days after it began (nobody acted since)."""
        rng, found = self.rng, 0
        for _ in range(tries):
            if found >= count:
                break
            created = self.now - dt.timedelta(days=rng.uniform(*days))
            if stalled:
                cut = created + dt.timedelta(hours=rng.uniform(6, 24 * 6))
                self.maker.now = min(cut, self.now)
            try:
                g = self.draw(self.towns[rng.choice(towns)], created)
            finally:
                self.maker.now = self.now
            if wanted(g):
                self.cases.append(g)
                found += 1
        return found

    def draw_waiting_work(self) -> None:
        """Work on the documented accounts' workbenches, overdue and red-risk cases, and
        at least one case in every state."""
        u, bnj = self.users, [city.BAINIJING_CODE]
        units = dict(Unit.objects.values_list("name", "pk"))
        judicial = units["白泥井镇司法所"]
        state = lambda g: g.fields["state"]  # noqa: E731
        handler_states = {"dispatched", "signed_for", "in_progress", "sent_back"}
        is_centre_step = {"registered", "accepted", "assessed", "returned", "completed"}
        recent = (0.1, 4.0)
        for code, count in (
            (city.BAINIJING_CODE, 6),
            (city.GONGYE_CODE, 3),
            (city.ZHAOJUN_CODE, 3),
        ):
            self.draw_until(
                lambda g: state(g) in is_centre_step, count=count, towns=[code], days=recent
            )
        # zj_property1_handler's service centres (the README names that account).
        members = UnitMember.objects.filter(user__username="zj_property1_handler")
        property_units = set(members.values_list("unit_id", flat=True))
        self.draw_until(
            lambda g: g.fields["current_unit_id"] in property_units and state(g) in handler_states,
            count=3,
            towns=[city.ZHAOJUN_CODE],
            days=(0.5, 8),
            stalled=True,
        )
        self.draw_until(
            lambda g: (
                any(e[2] == ExtensionStatus.REQUESTED for e in g.extensions)
                and state(g) in EXTENDABLE_STATES
            ),
            count=3,
            towns=bnj,
            days=(3, 20),
            stalled=True,
        )
        grid001 = u["bnj_grid001"]
        first_grid = [g for g in self.towns[city.BAINIJING_CODE].grids if g.worker == grid001]
        saved = self.towns[city.BAINIJING_CODE].grids
        self.towns[city.BAINIJING_CODE].grids = first_grid  # bnj_grid001's own grid
        try:
            self.draw_until(
                lambda g: (
                    g.fields["current_handler_id"] == grid001
                    and state(g) in handler_states | {"verified"}
                ),
                count=4,
                towns=bnj,
                days=(0.5, 12),
                stalled=True,
            )
        finally:
            self.towns[city.BAINIJING_CODE].grids = saved
        for who in ({"current_handler_id": u["bnj_mediator"]}, {"current_unit_id": judicial}):
            key, value = next(iter(who.items()))
            self.draw_until(
                lambda g, k=key, v=value: g.fields[k] == v and state(g) in handler_states,
                count=4,
                towns=bnj,
                days=(0.5, 12),
                stalled=True,
            )
        everywhere = list(TOWN_PREFIX)
        due = lambda g: g.fields["due_at"] or self.now  # noqa: E731
        overdue = lambda g: state(g) in CLOCK_STATES and due(g) < self.now  # noqa: E731
        self.draw_until(overdue, count=12, towns=everywhere, days=(10, 60), stalled=True)
        self.draw_until(
            lambda g: g.fields["risk"] == "red" and state(g) in handler_states,
            count=4,
            towns=everywhere,
            days=(1, 20),
            stalled=True,
        )
        present = {state(g) for g in self.cases}
        for s in State:
            if s.value not in present:
                self.draw_until(
                    lambda g, s=s.value: state(g) == s,
                    count=1,
                    towns=everywhere,
                    days=(1, 30),
                    stalled=True,
                )

    # --- writing -----------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        """Insert the cases in order of registration, numbered per district and year, with
        their parties, timelines, extensions, supervisions and search rows."""
        self.cases.sort(key=lambda g: g.fields["created_at"])
        ids = {m: sink.next_id(m) for m in (Case, Party, TimelineEvent, Extension, Supervision)}
        counters: dict[tuple[str, int], int] = {}
        tables: dict = {m: [] for m in (Case, Party, TimelineEvent, Extension, Supervision)}
        tables[CaseSearch] = []
        for g in self.cases:
            f = g.fields
            prefix = self.city.areas[f["area_id"]].code[:6]
            f.pop("_prefix", None)
            year = timezone.localtime(f["created_at"]).year
            counters[(prefix, year)] = counters.get((prefix, year), 0) + 1
            number = f"{prefix}-{year}-{counters[(prefix, year)]:06d}"
            case_id = ids[Case]
            ids[Case] += 1
            tracking = "".join(self.rng.choices(TRACKING_ALPHABET, k=12))
            tables[Case].append((case_id, number, tracking, *(f[n] for n in CASE_FIELDS[3:])))
            names, parties = [], []
            for resident, role in g.parties:
                person, name = self.people[resident]
                tables[Party].append((ids[Party], case_id, person, role, ""))
                parties.append((ids[Party], person, role))
                ids[Party] += 1
                names.append(name)
            self.written.append((case_id, number, g, parties))
            for e in g.events:
                row = (e.at, e.actor, e.action, e.from_state, e.to_state, e.note, e.data)
                tables[TimelineEvent].append((ids[TimelineEvent], case_id, *row))
                ids[TimelineEvent] += 1
            for model, rows in ((Extension, g.extensions), (Supervision, g.supervisions)):
                for row in rows:
                    tables[model].append((ids[model], case_id, *row))
                    ids[model] += 1
            # The same text as search.index.text_of: number, title, narrative, party names.
            text = "\n".join([number, f["title"], f["narrative"], " ".join(names)])
            tables[CaseSearch].append((case_id, f["area_path"], text))
        fields = {
            Case: CASE_FIELDS,
            Party: PARTY_FIELDS,
            TimelineEvent: EVENT_FIELDS,
            Extension: EXTENSION_FIELDS,
            Supervision: SUPERVISION_FIELDS,
            CaseSearch: SEARCH_FIELDS,
        }
        for model, rows in tables.items():
            sink.write(model, fields[model], rows)
        CaseCounter.objects.bulk_create(
            [CaseCounter(prefix=p, year=y, last=n) for (p, y), n in counters.items()]
        )
        sink.reset_sequences([Case, Party, TimelineEvent, Extension, Supervision])
        return {
            "cases": len(tables[Case]),
            "timeline_events": len(tables[TimelineEvent]),
            "extensions": len(tables[Extension]),
            "supervisions": len(tables[Supervision]),
        }


def add_cases(areas: dict[str, Area], rng: random.Random) -> dict[str, int]:
    """Draw and insert the demo's cases; returns counts."""
    demo = DemoCases(areas, rng, timezone.now().replace(microsecond=0))
    demo.draw_all()
    demo.draw_waiting_work()
    counts = demo.write()
    counts["mediations"] = add_mediations(demo)
    return counts
