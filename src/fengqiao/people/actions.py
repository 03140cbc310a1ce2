"""Writes to the register of people. Each validates every field first and saves
nothing when any is wrong; each writes its audit record in the same transaction.
Audit records name the fields changed, never their values."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fengqiao.areas import access, paths
from fengqiao.areas.access import Perm
from fengqiao.audit.log import record
from fengqiao.search.index import index_cases_of_person

from .models import DataSource, Person, Sex
from .validation import FieldError, clean_id_number, clean_phone

EDITABLE = (
    "name",
    "sex",
    "ethnicity",
    "id_number",
    "phone",
    "address",
    "area",
    "household",
    "data_source",
)


class PersonInvalid(ValueError):
    """Field errors, ``{field: [message, …]}``; ``duplicate`` is the person already
    registered with the same ID number, when the actor may see them."""

    def __init__(self, errors: dict[str, list[str]], duplicate: Person | None = None):
        super().__init__(errors)
        self.errors = errors
        self.duplicate = duplicate


def city_path_of(area) -> str:
    # The root of the tree is always a city (areas.actions.create_area enforces it).
    return area.path[: paths.SEGMENT]


def _check(actor, values: dict, exclude_pk: int | None) -> tuple[dict, Person | None]:
    """Cleaned values, or PersonInvalid with every field's errors at once."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    cleaned["name"] = (values.get("name") or "").strip()
    if not cleaned["name"]:
        errors["name"] = [_("请填写姓名。")]
    elif len(cleaned["name"]) > 50:
        errors["name"] = [_("姓名不能超过 50 个字。")]
    if values.get("sex") not in Sex.values:
        errors["sex"] = [_("请选择性别。")]
    if values.get("data_source") not in DataSource.values:
        errors["data_source"] = [_("请选择数据来源。")]
    try:
        cleaned["id_number"] = clean_id_number(values.get("id_number") or "", values.get("sex"))
    except FieldError as e:
        errors["id_number"] = [str(e)]
    try:
        cleaned["phone"] = clean_phone(values.get("phone") or "")
    except FieldError as e:
        errors["phone"] = [str(e)]
    area, household = values.get("area"), values.get("household")
    if area is None:
        errors["area"] = [_("请选择所属区域。")]
    elif household is not None and not household.area.path.startswith(area.path):
        errors["household"] = [_("所选户不在该人员所属区域内。")]
    duplicate = None
    if area is not None and "id_number" not in errors and cleaned["id_number"]:
        existing = (
            Person.objects.filter(city_path=city_path_of(area), id_number=cleaned["id_number"])
            .exclude(pk=exclude_pk)
            .select_related("area")
            .first()
        )
        if existing is not None:
            errors["id_number"] = [_("该身份证号在本市已有登记，不能重复登记。")]
            if access.has_perm(actor, Perm.PERSON_VIEW, existing.area):
                duplicate = existing
    if errors:
        raise PersonInvalid(errors, duplicate)
    return cleaned, duplicate


def _duplicate_refused() -> PersonInvalid:
    return PersonInvalid({"id_number": [_("该身份证号在本市已有登记，不能重复登记。")]})


def create_person(
    *,
    actor,
    area,
    name: str,
    id_number: str = "",
    phone: str = "",
    sex: str = Sex.UNKNOWN,
    ethnicity: str = "",
    address: str = "",
    household=None,
    data_source: str = DataSource.INTAKE,
) -> Person:
    """Register a person in ``area``; area_path, city_path and id_tail follow from it."""
    if actor is not None:
        access.require(actor, Perm.PERSON_EDIT, area)
    values, _dup = _check(
        actor,
        {
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "sex": sex,
            "ethnicity": ethnicity.strip(),
            "address": address.strip(),
            "area": area,
            "household": household,
            "data_source": data_source,
        },
        exclude_pk=None,
    )
    person = Person(**values)
    _derive(person)
    try:
        with transaction.atomic():
            person.save(force_insert=True)
            record("person.create", actor=actor, area=area, obj=person)
    except IntegrityError as e:  # a parallel registration of the same number won
        raise _duplicate_refused() from e
    return person


def update_person(*, actor, person: Person, **changes) -> Person:
    """Change some of a person's fields; moving them needs PERSON_EDIT on both areas."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if actor is not None:
        access.require(actor, Perm.PERSON_EDIT, person.area, obj=person)
        if "area" in changes and changes["area"] is not None:
            access.require(actor, Perm.PERSON_EDIT, changes["area"], obj=person)
    current = {name: getattr(person, name) for name in EDITABLE}
    values, _dup = _check(actor, {**current, **changes}, exclude_pk=person.pk)
    changed = [name for name in EDITABLE if values[name] != current[name]]
    if not changed:
        return person
    try:
        with transaction.atomic():
            locked = Person.objects.select_for_update().get(pk=person.pk)
            for name in changed:
                setattr(locked, name, values[name])
            _derive(locked)
            fields = [*changed, "area_path", "city_path", "id_tail", "updated_at"]
            locked.save(update_fields=fields)
            if "name" in changed:
                # Cases are found by their parties' names: the index follows the rename.
                index_cases_of_person(locked)
            record(
                "person.update",
                actor=actor,
                area=locked.area,
                obj=locked,
                detail={"fields": changed},
            )
    except IntegrityError as e:
        raise _duplicate_refused() from e
    return locked


def _derive(person: Person) -> None:
    person.area_path = person.area.path
    person.city_path = city_path_of(person.area)
    person.id_tail = person.id_number[-4:] if person.id_number else ""


def view_person(*, actor, person: Person) -> None:
    """Every opening of a person's page is on record."""
    record("person.view", actor=actor, area=person.area, obj=person)


def unmask_person(*, actor, person: Person) -> None:
    """Showing the full ID number and phone: permission checked, then recorded."""
    access.require(actor, Perm.PERSON_UNMASK, person.area, obj=person)
    record("person.unmask", actor=actor, area=person.area, obj=person)


def record_search(*, actor, by: str) -> None:
    """Searches are recorded by kind (name, ID number, phone), not by the value."""
    record("person.search", actor=actor, detail={"by": by})


def record_export(*, actor, area, count: int) -> None:
    """An export is recorded with its area and size, never its contents."""
    record("person.export", actor=actor, area=area, detail={"count": count})
