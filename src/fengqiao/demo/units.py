"""The demo's handling units and the accounts that work in them.

Each of the three towns gets the units the article names (派出所, 司法所, 人民调解委员会,
信访办), 达拉特旗 a court, and each of 昭君街道's compounds its property company's service
centre. Every unit has a handler: the town's ``<prefix>_unit_handler`` works at the
judicial office (which the dispatchers use most), the others have their own account.
"""

from fengqiao.accounts.models import Role, User
from fengqiao.areas.models import Area, Compound
from fengqiao.units.models import Unit, UnitKind, UnitMember, UnitScope

from . import city

# (name suffix, kind, scope, handler username suffix) of each town's units.
TOWN_UNITS = [
    ("派出所", UnitKind.POLICE_STATION, UnitScope.FUNCTIONAL, "police_handler"),
    ("司法所", UnitKind.JUDICIAL_OFFICE, UnitScope.TERRITORIAL, "unit_handler"),
    ("人民调解委员会", UnitKind.MEDIATION_COMMITTEE, UnitScope.TERRITORIAL, "mediation_handler"),
    ("信访办", UnitKind.PETITIONS_OFFICE, UnitScope.FUNCTIONAL, "petitions_handler"),
]
TOWN_PREFIXES = {city.BAINIJING_CODE: "bnj", city.GONGYE_CODE: "gy", city.ZHAOJUN_CODE: "zj"}
COURT_NAME = "达拉特旗人民法院"
COURT_HANDLER = "dlt_unit_handler"


def property_handler(company: str) -> str:
    """One handler account per property company, for all the compounds it serves."""
    return f"zj_property{city.PROPERTY_COMPANIES.index(company) + 1}_handler"


def new_handler_accounts(areas: dict[str, Area]) -> list[tuple[str, Area, str]]:
    """The handler accounts the role scheme does not already hold: (username, area, role)."""
    plan = [
        (f"{prefix}_{suffix}", areas[code], Role.UNIT_HANDLER)
        for code, prefix in TOWN_PREFIXES.items()
        for _name, _kind, _scope, suffix in TOWN_UNITS
        if suffix != "unit_handler"
    ]
    zhaojun = areas[city.ZHAOJUN_CODE]
    plan += [(property_handler(c), zhaojun, Role.UNIT_HANDLER) for c in city.PROPERTY_COMPANIES]
    return plan


def add_units(areas: dict[str, Area], compounds: list[Compound]) -> int:
    """Insert the units and their handlers' memberships; returns how many units."""
    plan: list[tuple[Unit, str]] = []
    for code, prefix in TOWN_PREFIXES.items():
        town = areas[code]
        for name, kind, scope, suffix in TOWN_UNITS:
            unit = Unit(name=f"{town.name}{name}", kind=kind, scope=scope, area=town)
            plan.append((unit, f"{prefix}_{suffix}"))
    dalate = areas[city.DALATE_CODE]
    court = Unit(name=COURT_NAME, kind=UnitKind.COURT, scope=UnitScope.FUNCTIONAL, area=dalate)
    plan.append((court, COURT_HANDLER))
    for c in compounds:
        unit = Unit(
            name=f"{c.property_company}{c.name}服务中心",
            kind=UnitKind.PROPERTY_COMPANY,
            area=c.area,
            compound=c,
        )
        plan.append((unit, property_handler(c.property_company)))
    for unit, _username in plan:
        unit.area_path = unit.area.path
    Unit.objects.bulk_create([u for u, _ in plan], batch_size=city.BATCH)

    # The accounts themselves come with the others (``city._account_plan``).
    names = {u for _, u in plan}
    users = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    UnitMember.objects.bulk_create(
        [UnitMember(unit=unit, user_id=users[username]) for unit, username in plan],
        batch_size=city.BATCH,
    )
    return len(plan)
