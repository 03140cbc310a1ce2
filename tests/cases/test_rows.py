"""``cases.rows.insert`` writes the row the ORM's own save would write."""

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Case, Notification, TimelineEvent
from fengqiao.cases.rows import insert
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
