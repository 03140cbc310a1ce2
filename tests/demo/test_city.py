"""The demo city holds what the article describes, and loading it twice changes nothing."""

import io

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import transaction
from stdnum.cn import ric

from fengqiao.accounts.models import Assignment, Role, User
from fengqiao.areas import access
from fengqiao.areas.models import Area, Building, Center, CenterKind, Compound, Household, Level
from fengqiao.audit.models import AuditRecord
from fengqiao.demo import city
from fengqiao.people.models import DataSource, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo city, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = city.load_demo()
        yield summary
        transaction.set_rollback(True)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def test_city_has_the_real_districts_and_banners_of_ordos(demo):
    ordos = area(city.CITY_CODE)
    districts = Area.objects.filter(parent=ordos)
    assert ordos.name == "鄂尔多斯市"
    assert set(districts.values_list("name", flat=True)) == {
        "东胜区", "康巴什区", "达拉特旗", "准格尔旗", "鄂托克前旗",
        "鄂托克旗", "杭锦旗", "乌审旗", "伊金霍洛旗",
    }  # fmt: skip
    assert all(d.level == Level.DISTRICT and d.code.startswith("1506") for d in districts)


def test_every_area_path_extends_its_parents_path(demo):
    for a in Area.objects.within(area(city.CITY_CODE)).select_related("parent"):
        if a.parent is not None:
            assert a.path.startswith(a.parent.path)
            assert len(a.path) == len(a.parent.path) + 5


def test_bainijing_has_459_grids_each_with_exactly_one_grid_worker(demo):
    bnj = area(city.BAINIJING_CODE)
    grids = Area.objects.within(bnj).filter(level=Level.GRID)
    workers = Assignment.objects.filter(role=Role.GRID_WORKER, area__in=grids)
    assert grids.count() == 459
    assert workers.count() == 459
    assert workers.values("area").distinct().count() == 459
    assert workers.values("user").distinct().count() == 459
    assert User.objects.filter(username__in=["bnj_grid001", "bnj_grid459"]).count() == 2


def test_zhaojun_has_64_service_points_and_23_compounds_with_property_companies(demo):
    zj = area(city.ZHAOJUN_CODE)
    points = Center.objects.filter(kind=CenterKind.SERVICE_POINT, area__in=Area.objects.within(zj))
    compounds = Compound.objects.filter(area__in=Area.objects.within(zj))
    assert points.count() == 64
    assert compounds.count() == 23
    assert all(c.property_company for c in compounds)


def test_zhaojun_compounds_hold_buildings_and_households_with_residents(demo):
    zj_areas = Area.objects.within(area(city.ZHAOJUN_CODE))
    households = Household.objects.filter(area__in=zj_areas, building__isnull=False)
    assert Building.objects.filter(compound__isnull=False, area__in=zj_areas).count() == 69
    assert households.count() == 69 * city.HOUSEHOLDS_PER_BUILDING
    assert Person.objects.filter(household__in=households).count() > households.count()


def test_centres_stand_at_city_district_and_town_level(demo):
    levels = set(
        Center.objects.filter(kind=CenterKind.CENTER).values_list("area__level", flat=True)
    )
    assert levels == {Level.CITY, Level.DISTRICT, Level.TOWN}
    for code in (city.BAINIJING_CODE, city.GONGYE_CODE, city.ZHAOJUN_CODE):
        assert Center.objects.filter(kind=CenterKind.CENTER, area__code=code).exists()


@pytest.mark.parametrize("level", [lv.value for lv in Level if lv != Level.MICROGRID])
def test_every_role_has_a_demo_account_at_every_level(demo, level):
    roles = set(Assignment.objects.filter(area__level=level).values_list("role", flat=True))
    assert roles == set(Role.values)


def test_demo_password_logs_a_grid_worker_into_their_own_grid_only(demo, client):
    worker = User.objects.get(username="bnj_grid001")
    own_grid = worker.assignments.get().area
    other_grid = Area.objects.get(code=own_grid.code[:-3] + "002")
    assert client.login(username="bnj_grid001", password=city.DEMO_PASSWORD)
    assert access.has_perm(worker, access.Perm.PERSON_VIEW, own_grid)
    assert not access.has_perm(worker, access.Perm.PERSON_VIEW, other_grid)


def test_a_few_thousand_synthetic_people_live_in_households_of_their_grid(demo):
    people = Person.objects.filter(data_source=DataSource.DEMO)
    assert 2000 <= people.count() <= 10000
    assert not people.filter(household__isnull=True).exists()
    sample = people.select_related("household", "area")[:200]
    assert all(p.household.area_id == p.area_id and p.area.level == Level.GRID for p in sample)
    assert all(p.area_path == p.area.path and p.id_tail == p.id_number[-4:] for p in sample)


def test_every_demo_id_number_passes_the_gb_11643_checksum(demo):
    numbers = list(Person.objects.values_list("id_number", flat=True))
    assert numbers
    assert [n for n in numbers if not ric.is_valid(n)] == []
    assert len(set(numbers)) == len(numbers)


def test_every_demo_phone_is_a_valid_cn_mobile_number(demo):
    phones = list(Person.objects.exclude(phone="").values_list("phone", flat=True))
    phones += list(User.objects.exclude(phone="").values_list("phone", flat=True))
    assert len(phones) > 1000
    for phone in phones:
        parsed = phonenumbers.parse(phone, "CN")
        assert phonenumbers.is_valid_number(parsed), phone
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


def test_the_demo_load_is_one_audit_record(demo):
    records = AuditRecord.objects.filter(action="demo.load")
    assert records.count() == 1
    assert records.get().detail["people"] == demo.counts["people"]


def test_loading_the_demo_again_changes_nothing(demo):
    before = (Area.objects.count(), Person.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "已存在" in out.getvalue()
    assert (Area.objects.count(), Person.objects.count(), User.objects.count()) == before
    with pytest.raises(city.DemoExists):
        city.load_demo()
