"""工业街道 as a small world, and the people who work in it.

东胜区 → 工业街道 → 工业社区 → 第1网格 (with 阳光小区 and its property company) and
第2网格. Personas: the street's director (leader) and intake officer, the community's
leader and mediator, a grid worker per grid, the property company's handler, and the
handlers of the police station and the judicial office.
"""

from dataclasses import dataclass

import pytest

from fengqiao.accounts.models import Role
from fengqiao.areas.models import Area, Building, Compound, Level
from fengqiao.units.actions import add_unit_member, create_unit
from fengqiao.units.models import Unit, UnitKind, UnitScope
from tests import factories as f


@dataclass
class World:
    city: Area
    district: Area
    street: Area
    community: Area
    grid1: Area
    grid2: Area
    compound: Compound
    building: Building
    property_company: Unit
    police: Unit
    judicial: Unit
    director: object  # 工业街道综治中心主任 (leader on the street)
    intake: object  # the street centre's intake officer
    community_leader: object
    mediator: object  # community mediator
    grid_worker: object  # grid 1
    other_grid_worker: object  # grid 2
    property_handler: object
    police_handler: object
    judicial_handler: object


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "private"
    # Passwords play no part here; a fast hasher keeps the many-case tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city = f.area("鄂尔多斯市", Level.CITY, code="150600000000")
    district = f.area("东胜区", Level.DISTRICT, city, code="150602000000")
    street = f.area("工业街道", Level.TOWN, district, code="150602001000")
    community = f.area("工业社区", Level.COMMUNITY, street, code="150602001001")
    grid1 = f.area("工业社区第1网格", Level.GRID, community, code="150602001001001")
    grid2 = f.area("工业社区第2网格", Level.GRID, community, code="150602001001002")
    compound = Compound.objects.create(area=grid1, name="阳光小区", property_company="阳光物业")
    building = Building.objects.create(area=grid1, compound=compound, name="3号楼")
    property_company = create_unit(
        actor=None,
        name="阳光物业",
        kind=UnitKind.PROPERTY_COMPANY,
        area=grid1,
        compound=compound,
    )
    police = create_unit(
        actor=None,
        name="工业街道派出所",
        kind=UnitKind.POLICE_STATION,
        area=street,
        scope=UnitScope.FUNCTIONAL,
    )
    judicial = create_unit(
        actor=None, name="工业街道司法所", kind=UnitKind.JUDICIAL_OFFICE, area=street
    )
    property_handler = f.user("wuye_li", full_name="李物业")
    police_handler = f.user("police_zhao", full_name="赵警官")
    judicial_handler = f.user("sifa_qian", full_name="钱司法")
    add_unit_member(actor=None, unit=property_company, user=property_handler)
    add_unit_member(actor=None, unit=police, user=police_handler)
    add_unit_member(actor=None, unit=judicial, user=judicial_handler)
    return World(
        city=city,
        district=district,
        street=street,
        community=community,
        grid1=grid1,
        grid2=grid2,
        compound=compound,
        building=building,
        property_company=property_company,
        police=police,
        judicial=judicial,
        director=f.user("director_wang", Role.LEADER, street, full_name="王主任"),
        intake=f.user("intake_sun", Role.INTAKE_OFFICER, street, full_name="孙受理"),
        community_leader=f.user("shequ_zhou", Role.LEADER, community, full_name="周书记"),
        mediator=f.user("mediator_wu", Role.MEDIATOR, community, full_name="吴调解"),
        grid_worker=f.user("gw_zheng", Role.GRID_WORKER, grid1, full_name="郑网格"),
        other_grid_worker=f.user("gw_feng", Role.GRID_WORKER, grid2, full_name="冯网格"),
        property_handler=property_handler,
        police_handler=police_handler,
        judicial_handler=judicial_handler,
    )
