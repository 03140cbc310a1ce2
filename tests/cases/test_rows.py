"""``core.rows`` on the cases' tables, the write paths it serves: ``insert`` writes the
row the ORM's own save would write, ``Read`` returns what the queryset it was compiled
from returns."""

import pytest

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Case, Notification, TimelineEvent
from fengqiao.core.rows import Read, first_of, insert
from tests.cases.builders import register


def _row(model, pk) -> dict:
    found = model.objects.filter(pk=pk).values().get()
    found.pop("id")
    return found


def test_insert_writes_what_save_writes(world):
    # given a registered case (itself written by ``insert``)
    case = register(world.intake, world.grid1)
    # when the same notification is written by the ORM and by insert
    by_orm = Notification.objects.create(
        recipient=world.grid_worker, case=case, kind="dispatch", text="事项派单"
    )
    by_insert = insert(
        Notification(recipient=world.grid_worker, case=case, kind="dispatch", text="事项派单")
    )
    # then the rows read back alike, and the object knows its new key
    assert by_insert.pk != by_orm.pk
    assert not by_insert._state.adding
    mine, theirs = _row(Notification, by_insert.pk), _row(Notification, by_orm.pk)
    assert abs((mine.pop("created_at") - theirs.pop("created_at")).total_seconds()) < 5
    assert mine == theirs


def test_a_registered_case_reads_back_as_written(world):
    # when a case is registered (its row written by insert)
    case = register(world.intake, world.grid1)
    # then every field of the object equals the stored row, auto times included
    stored = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(case, field.attname), field.name
    # and its timeline event and audit record are written with it
    event = TimelineEvent.objects.get(case=case)
    assert (event.action, event.to_state, event.actor_id) == (
        "register",
        "registered",
        world.intake.pk,
    )
    record = AuditRecord.objects.latest_first().first()
    assert (record.action, record.object_id) == ("case.register", str(case.pk))


def test_a_compiled_read_returns_what_the_queryset_returns(world):
    # given a case and a read compiled from a queryset with select_related and ordering
    case = register(world.intake, world.grid1)
    read = Read(
        lambda pk: first_of(Case.objects.filter(pk=pk).select_related("area", "category")), int
    )
    # when it runs twice (compiled once) and beside the ORM
    found, again = read.first(case.pk), read.first(case.pk)
    expected = Case.objects.select_related("area", "category").get(pk=case.pk)
    # then the same instance, related rows included, without further queries
    for obj in (found, again):
        assert not obj._state.adding
        assert model_dict(obj) == model_dict(expected)
        assert Case.area.is_cached(obj)
        assert obj.area.path == expected.area.path
        assert obj.category.code == expected.category.code
    assert read.first(-1) is None


def test_a_compiled_values_read_converts_like_the_orm(world):
    case = register(world.intake, world.grid1)
    read = Read(lambda pk: Case.objects.filter(pk=pk).values("created_at", "state", "area_id"), int)
    assert read(case.pk) == list(
        Case.objects.filter(pk=case.pk).values("created_at", "state", "area_id")
    )


def test_a_stand_in_that_does_not_reach_the_statement_is_refused(db):
    read = Read(lambda code: Case.objects.filter(number__startswith=code), str)
    with pytest.raises(ValueError, match="stand-in"):
        read("150602")


def model_dict(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}
