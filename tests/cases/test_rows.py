"""``core.rows`` on the cases' tables, the write paths it serves: ``insert`` writes the
row the ORM's own save would write, ``Read`` returns what the queryset it was compiled
from returns."""

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Case, Notification, TimelineEvent
from fengqiao.core.db.postgresql import numbered
from fengqiao.core.rows import Read, first_of, insert, prepared
from tests.cases.builders import register

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


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


# --- PostgreSQL: the hot paths' statements run prepared (core.db.postgresql) ------------


def test_placeholders_are_numbered_as_postgresql_numbers_them():
    assert numbered("UPDATE t SET a = %s WHERE b = %s AND c LIKE 'x%%'") == (
        "UPDATE t SET a = $1 WHERE b = $2 AND c LIKE 'x%'"
    )
    assert numbered("SELECT 1") == "SELECT 1"
    with pytest.raises(ValueError, match="only %s placeholders"):
        numbered("SELECT %(name)s")


def _prepared(fragment: str) -> dict[str, int]:
    """The connection's prepared statements containing ``fragment``: name -> runs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return dict(cursor.fetchall())


CASE_INSERT = 'INSERT INTO "cases_case"'


@postgresql
def test_a_registration_prepares_its_statements_once_per_connection(world):
    # when two cases are registered on one connection
    register(world.intake, world.grid1)
    after_first = _prepared("")
    second = register(world.intake, world.grid1)
    # then the first prepared the case's insert and the audit record with the figures,
    # and the second ran them again, preparing nothing more
    [(name, runs)] = _prepared(CASE_INSERT).items()
    assert _prepared('INTO "analytics_dailyfigure"')
    assert _prepared("").keys() == after_first.keys()
    assert runs == after_first[name] + 1
    # and what they wrote reads back as written (values sent apart from the text)
    stored = Case.objects.get(pk=second.pk)
    for field in Case._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(second, field.attname), field.name


@postgresql
def test_prepared_statements_are_logged_with_their_values(world):
    with CaptureQueriesContext(connection) as queries:
        register(world.intake, world.grid1, title="漏水纠纷记录测试")
    inserts = [q["sql"] for q in queries if q["sql"].startswith(CASE_INSERT)]
    assert len(inserts) == 1
    assert "漏水纠纷记录测试" in inserts[0]


@postgresql
def test_a_failing_prepared_statement_raises_djangos_error(db):
    with pytest.raises(DataError), transaction.atomic(), prepared() as cursor:
        cursor.execute("SELECT 1 / %s", [0])


@postgresql
def test_prepared_statements_can_be_switched_off(world, settings):
    # given a connection that has prepared the case's insert
    register(world.intake, world.grid1)
    before = _prepared(CASE_INSERT)
    # when a case is registered with prepared statements off
    settings.DATABASE_PREPARED = False
    register(world.intake, world.grid1)
    # then it ran on Django's own cursors, not the prepared statement
    assert _prepared(CASE_INSERT) == before
    with prepared() as cursor:
        assert type(cursor.cursor) is type(connection.cursor().cursor)
