"""Intake: registering a case from any channel, with its parties and attachments;
linking duplicates; adding attachments later."""

import datetime as dt
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from fengqiao.areas import access as area_access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area, chain_of
from fengqiao.audit.log import LockedWith, record_refusal
from fengqiao.core.rows import Read, first_of, insert, insert_many
from fengqiao.people.actions import PersonInvalid, create_person
from fengqiao.people.models import DataSource, Person, Sex
from fengqiao.search.index import index_case, new_row_from

from .. import intake
from ..access import may_take
from ..errors import CaseError, ErrorCode
from ..intake import PartyInput
from ..models import (
    Attachment,
    Case,
    CaseKind,
    CaseLink,
    Category,
    Channel,
    LinkKind,
    Party,
    PartyRole,
)
from ..states import OPEN_STATES, Action, State
from .base import (
    MAX_NARRATIVE,
    TRACKING_ALPHABET,
    check_choice,
    require_text,
    write_event,
)


def _registering_area(actor, area: Area, chain: list[Area]) -> Area:
    """The level registering the case: the actor's deepest grant covering the place.
    ``chain`` is the place's ancestors (itself included), read once for the number too;
    the grants are those ``has_perm`` has already read for this actor."""
    if getattr(actor, "is_superuser", False):
        return area
    held = [
        path
        for path in area_access.grant_paths(actor, Perm.CASE_REGISTER)
        if area.path.startswith(path)
    ]
    deepest = max(held, key=len, default=None)
    return next((a for a in chain if a.path == deepest), area)


# Compiled once (see core.rows.Read): the same reads as Person.objects.filter(…).first().
_BY_ID_NUMBER = Read(
    lambda city, id_number: first_of(Person.objects.filter(city_path=city, id_number=id_number)),
    str,
    str,
)
_BY_PHONE_AND_NAME = Read(
    lambda city, phone, name: first_of(
        Person.objects.filter(city_path=city, phone=phone, name=name)
    ),
    str,
    str,
    str,
)


def _person_for(party: PartyInput, area: Area, household, actor) -> Person:
    """The party's person: given, found by ID number (or phone and name) in the city,
    or registered now through the people register's own checks."""
    if party.person is not None:
        return party.person
    id_number = intake.normalize_id_number(party.id_number)
    phone = intake.normalize_phone(party.phone)
    name = (party.name or "").strip()
    city = intake.city_path(area)
    existing = None
    if id_number:
        existing = _BY_ID_NUMBER.first(city, id_number)
    elif phone and name:
        existing = _BY_PHONE_AND_NAME.first(city, phone, name)
    if existing is not None:
        return existing
    # The intake desk may register a party even without the right to edit the people
    # register; the case's own audit record then names who did it.
    editor = actor if area_access.has_perm(actor, Perm.PERSON_EDIT, area) else None
    try:
        return create_person(
            actor=editor,
            area=area,
            name=name,
            id_number=id_number,
            phone=phone,
            sex=party.sex or Sex.UNKNOWN,
            address=party.address,
            household=household,
            data_source=DataSource.INTAKE,
        )
    except PersonInvalid as exc:
        field, messages = next(iter(exc.errors.items()))
        raise CaseError(ErrorCode.INVALID, f"当事人：{messages[0]}", field=field) from exc


@contextmanager
def _files_rolled_back() -> Iterator[list]:
    """Storage is not transactional: files written inside the block (``_attach``
    appends them) are deleted again when the block fails, as its rows are rolled back.
    Wrap the whole ``transaction.atomic`` block; a caller that wraps the action in a
    transaction of its own and rolls back later owns that cleanup."""
    written: list = []
    try:
        yield written
    except BaseException:
        for stored in written:
            stored.storage.delete(stored.name)
        raise


def _attach(case: Case, upload, actor, written: list) -> Attachment:
    content_type, ext = intake.sniff_attachment(upload)
    row = Attachment(
        case=case,
        name=intake.display_name(upload),
        content_type=content_type,
        size=upload.size,
        sha256=intake.sha256_of(upload),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.file.save(intake.stored_name(ext), upload, save=False)
    written.append(row.file)
    row.save()
    return row


def _check_place(area: Area, building, household) -> Area:
    """The most precise area of the place; building and household must lie in ``area``."""
    for thing in (household, building):
        if thing is not None:
            if not thing.area.is_within(area):
                raise CaseError(ErrorCode.INVALID, "楼栋或住户不在所选区域内。")
            return thing.area
    return area


def _check_numbers(latitude, longitude, people_count, amount) -> None:
    if (latitude is None) != (longitude is None):
        raise CaseError(ErrorCode.INVALID, "经纬度须同时填写。")
    if latitude is not None and not (
        -90 <= Decimal(latitude) <= 90 and -180 <= Decimal(longitude) <= 180
    ):
        raise CaseError(ErrorCode.INVALID, "经纬度超出范围。")
    if not 1 <= int(people_count) <= 1_000_000:
        raise CaseError(ErrorCode.INVALID, "涉及人数须为正整数。")
    if amount is not None and not 0 <= Decimal(amount) < Decimal("1e12"):
        raise CaseError(ErrorCode.INVALID, "涉及金额无效。")


def register_case(
    *,
    actor,
    kind: str,
    channel: str,
    category: Category,
    title: str,
    narrative: str,
    area: Area,
    building=None,
    household=None,
    latitude=None,
    longitude=None,
    occurred_at=None,
    people_count: int = 1,
    amount=None,
    parties: Sequence[PartyInput] = (),
    attachments: Sequence = (),
    links: Sequence[tuple[Case, str]] = (),
) -> Case:
    """Register one case (登记) from any channel, with its parties and attachments."""
    if not area_access.has_perm(actor, Perm.CASE_REGISTER, area):
        record_refusal(actor=actor, perm=Perm.CASE_REGISTER, area=area)
        raise CaseError(ErrorCode.FORBIDDEN, "您无权在该区域登记事项。")
    check_choice(kind, CaseKind, "事项类型")
    check_choice(channel, Channel, "来源渠道")
    if category is None or not category.is_active:
        raise CaseError(ErrorCode.INVALID, "类别无效。", field="category")
    title = require_text(title, ErrorCode.INVALID, "标题不能为空。", limit=200)
    narrative = require_text(narrative, ErrorCode.INVALID, "事项描述不能为空。", MAX_NARRATIVE)
    place = _check_place(area, building, household)
    _check_numbers(latitude, longitude, people_count, amount)
    if occurred_at is not None and occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise CaseError(ErrorCode.INVALID, "发生时间不能晚于现在。", field="occurred_at")
    for party in parties:
        check_choice(party.role, PartyRole, "当事人类型")
    for upload in attachments:
        intake.sniff_attachment(upload)
    chain = chain_of(place)
    registered = _registering_area(actor, place, chain)
    with _files_rolled_back() as written, transaction.atomic():
        people = [_person_for(party, place, household, actor) for party in parties]
        tracking_code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12))
        case = Case(
            # A stand-in, unique as the tracking code, never committed: the number is
            # drawn last (``_draw_number``).
            number=f"~{tracking_code}",
            tracking_code=tracking_code,
            kind=kind,
            channel=channel,
            category=category,
            title=title,
            narrative=narrative,
            area=place,
            area_path=place.path,
            building=building,
            household=household,
            latitude=latitude,
            longitude=longitude,
            occurred_at=occurred_at,
            people_count=people_count,
            amount=amount,
            state=State.REGISTERED,
            handling_area=registered,
            handling_area_path=registered.path,
            registered_area=registered,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        insert(case)
        # The case is new, so its parties are too: one INSERT for all of them. A person
        # named twice stays one party, in the first role given.
        rows: dict[int, Party] = {}
        for party, person in zip(parties, people, strict=True):
            rows.setdefault(
                person.pk,
                Party(
                    case=case,
                    person=person,
                    role=party.role,
                    representative_name=party.representative_name,
                ),
            )
        insert_many(list(rows.values()))
        # The search row names the parties as their people are stored, in this order.
        names = [row.person.name for row in rows.values()]
        for upload in attachments:
            _attach(case, upload, actor, written)
        for other, link_kind in links:
            check_choice(link_kind, LinkKind, "关联类型")
            CaseLink.objects.create(case=case, other=other, kind=link_kind, created_by=actor)
        # The figures need not read back what was just written: the case is new and
        # its duplicate links are the ones given.
        repeat = any(kind == LinkKind.DUPLICATE for _, kind in links)
        fact = {"new": True, "repeat": repeat}
        write_event(
            case,
            actor=actor,
            action="register",
            from_state="",
            note="",
            data={},
            fact=fact,
            before_audit=lambda: _draw_number(case, place, chain, names),
        )
    return case


def _draw_number(case: Case, place: Area, chain: list[Area], names: list[str]) -> LockedWith | None:
    """The case's number, drawn as late as the registration allows: from the counter's
    UPDATE to the commit, the district's row is locked and its other desks wait, so only
    the number, the search row (it holds the number) and the audit record come after it.
    Numbers stay gapless: a registration that fails rolls its number back. On
    PostgreSQL the three writes go in the round trip that locks the audit chain's head
    (``LockedWith``): every registration of a district waits for the counter, so each
    round trip it is held costs them all. The first case of a district-year creates the
    counter (``intake.allocate_number``)."""
    if connection.vendor == "postgresql":
        prefix, year = intake.number_prefix(place, chain), timezone.localdate().year
        row_sql, row_params = new_row_from(case, "c", names)

        def then(number) -> None:
            if number is None:  # no counter for this district-year yet
                _allocate_number(case, place, chain, names)
            else:
                case.number = number

        return LockedWith(
            ctes=f"{_DRAW_AND_SET_CTES}, "
            f"s AS ({row_sql} RETURNING split_part(text, E'\\n', 1) AS number)",
            value="(SELECT number FROM s)",
            params=[prefix, year, f"{prefix}-{year}-", case.pk, *row_params],
            then=then,
        )
    _allocate_number(case, place, chain, names)
    return None


def _allocate_number(case: Case, place: Area, chain: list[Area], names: list[str]) -> None:
    case.number = intake.allocate_number(place, chain)
    with connection.cursor() as cursor:
        cursor.execute(_SET_NUMBER_SQL, [case.number, case.pk])
    index_case(case, new=True, names=names)  # commits or rolls back with the case


_SET_NUMBER_SQL = f"UPDATE {Case._meta.db_table} SET number = %s WHERE id = %s"  # noqa: S608 — our names
# PostgreSQL: intake.allocate_number's UPDATE and the number written as it writes it
# (six digits at least), as the row set ``c`` for the search row (whose text begins with
# the number, search.index.new_row_from); no row when the district-year has no counter.
_DRAW_AND_SET_CTES = (
    f"n AS ({intake.NEXT_NUMBER_SQL}), "  # noqa: S608 — our names
    f"c AS (UPDATE {Case._meta.db_table} SET number = "
    "%s || lpad(n.last::text, greatest(6, length(n.last::text)), '0') "
    f"FROM n WHERE {Case._meta.db_table}.id = %s RETURNING number)"
)


def link_cases(*, actor, case: Case, other: Case, kind: str) -> CaseLink:
    """Mark ``case`` as a duplicate of, or related to, ``other``."""
    check_choice(kind, LinkKind, "关联类型")
    if not may_take(actor, case, Action.ACCEPT):
        raise CaseError(ErrorCode.FORBIDDEN, "您无权关联该事项。")
    if other.pk == case.pk or not Case.objects.visible_to(actor).filter(pk=other.pk).exists():
        raise CaseError(ErrorCode.INVALID, "关联的事项不存在。", field="other")
    with transaction.atomic():
        link, _ = CaseLink.objects.get_or_create(
            case=case, other=other, defaults={"kind": kind, "created_by": actor}
        )
        write_event(
            case,
            actor=actor,
            action="link",
            from_state=case.state,
            note="",
            data={"other": other.number, "kind": kind},
        )
    return link


def add_attachment(*, actor, case: Case, upload) -> Attachment:
    """Add a photo or document to an open case: its handlers, or the centre handling it."""
    if not (may_take(actor, case, Action.COMPLETE) or may_take(actor, case, Action.ACCEPT)):
        record_refusal(actor=actor, perm="case.attach", obj=case)
        raise CaseError(ErrorCode.FORBIDDEN, "您无权为该事项上传附件。")
    if case.state not in OPEN_STATES:
        raise CaseError(ErrorCode.TRANSITION_NOT_ALLOWED, "事项已办结归档，不能再上传附件。")
    intake.sniff_attachment(upload)
    with _files_rolled_back() as written, transaction.atomic():
        row = _attach(case, upload, actor, written)
        write_event(
            case,
            actor=actor,
            action="attach",
            from_state=case.state,
            note=row.name,
            data={"attachment": row.pk, "size": row.size},
        )
    return row


# The states in which the centre may still correct what was registered: once a case is
# dispatched its facts are what the handler was given.
FACTS_EDITABLE_STATES = frozenset({State.REGISTERED, State.ACCEPTED, State.ASSESSED})
_FACT_FIELDS = ("title", "narrative", "category", "area", "occurred_at", "people_count", "amount")


def may_update_facts(actor, case: Case) -> bool:
    """May ``actor`` correct the case's facts now (the centre that accepts it)?"""
    return case.state in FACTS_EDITABLE_STATES and may_take(actor, case, Action.ACCEPT)


def update_case_facts(
    *,
    actor,
    case: Case,
    title: str,
    narrative: str,
    category: Category,
    area: Area,
    occurred_at=None,
    people_count: int = 1,
    amount=None,
    note: str = "",
) -> Case:
    """更正事项情况: correct title, narrative, category, place, time, people and amount
    before dispatch; the search row is rewritten in the same transaction."""
    if not may_take(actor, case, Action.ACCEPT):
        record_refusal(actor=actor, perm="case.update_facts", obj=case)
        raise CaseError(ErrorCode.FORBIDDEN, "您无权更正该事项。")
    if category is None or not category.is_active:
        raise CaseError(ErrorCode.INVALID, "类别无效。", field="category")
    title = require_text(title, ErrorCode.INVALID, "标题不能为空。", limit=200)
    narrative = require_text(narrative, ErrorCode.INVALID, "事项描述不能为空。", MAX_NARRATIVE)
    _check_numbers(None, None, people_count, amount)
    if occurred_at is not None and occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise CaseError(ErrorCode.INVALID, "发生时间不能晚于现在。", field="occurred_at")
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("area", "handling_area", "category")
            .get(pk=case.pk)
        )
        if locked.state not in FACTS_EDITABLE_STATES:
            raise CaseError(
                ErrorCode.TRANSITION_NOT_ALLOWED,
                f"事项当前为“{State(locked.state).label}”，已派单后不能更正事项情况。",
            )
        # The place stays where the case is handled, so that scope and deadlines hold;
        # moving it elsewhere is an escalation or a delegation.
        if not area.is_within(locked.handling_area):
            raise CaseError(
                ErrorCode.NOT_IN_TREE,
                f"地点须在办理层级（{locked.handling_area.name}）的辖区内。",
                field="area",
            )
        values = {
            "title": title,
            "narrative": narrative,
            "category": category,
            "area": area,
            "occurred_at": occurred_at,
            "people_count": int(people_count),
            "amount": None if amount is None else Decimal(amount),
        }
        changed = [name for name in _FACT_FIELDS if getattr(locked, name) != values[name]]
        if not changed:
            _copy_case(case, locked)
            return locked
        for name in changed:
            setattr(locked, name, values[name])
        fields = [*changed, "updated_at"]
        if "area" in changed:
            locked.area_path = area.path
            fields.append("area_path")
            # A building or household left outside the new place no longer describes it.
            for name in ("building", "household"):
                thing = getattr(locked, name)
                if thing is not None and not thing.area.is_within(area):
                    setattr(locked, name, None)
                    fields.append(name)
        locked.save(update_fields=fields)
        index_case(locked)  # found by its new words from this commit on
        write_event(
            locked,
            actor=actor,
            action="update_facts",
            from_state=locked.state,
            note=note.strip()[:2000],
            data={"fields": changed},
        )
    _copy_case(case, locked)
    return locked


def _copy_case(stale: Case, fresh: Case) -> None:
    stale.__dict__.update(fresh.__dict__)
