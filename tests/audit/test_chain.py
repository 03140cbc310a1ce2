"""The audit log is append-only, and ``fengqiao audit verify`` names the first record
that was tampered with. Tampering needs the triggers out of the way, as a database
superuser would do; every test runs in a transaction, so they come back afterwards."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from fengqiao.audit import triggers
from fengqiao.audit.log import GENESIS, compute_hash, record
from fengqiao.audit.models import AppendOnlyError, AuditRecord, ChainHead
from fengqiao.audit.verify import Kind, verify_chain

pytestmark = pytest.mark.django_db


def chain_of(n: int) -> None:
    for i in range(n):
        record("test.event", object_type="test", object_id=str(i), detail={"i": i})


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def tamper():
    """What an attacker with database superuser rights does first."""
    triggers.remove(connection)
    return sql


def run_verify() -> tuple[int, str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, out.getvalue(), err.getvalue() + str(e)
    return 0, out.getvalue(), err.getvalue()


def test_intact_chain_verifies_with_a_summary():
    chain_of(5)
    code, out, _ = run_verify()
    assert code == 0
    assert "已校验 5 条记录" in out
    assert ChainHead.objects.get().hash in out


def test_empty_log_is_intact():
    assert verify_chain().is_intact


def test_changed_record_is_named(tamper):
    chain_of(5)
    tamper("UPDATE audit_auditrecord SET action = 'test.innocent' WHERE seq = 3")
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.CHANGED, 3)
    code, _, err = run_verify()
    assert code != 0
    assert "记录 3 的内容被修改" in err


def test_deleted_record_is_named(tamper):
    chain_of(5)
    tamper("DELETE FROM audit_auditrecord WHERE seq = 2")
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.DELETED, 2)
    assert run_verify()[0] != 0


def test_deleted_and_renumbered_records_are_named(tamper):
    chain_of(5)
    tamper("DELETE FROM audit_auditrecord WHERE seq = 3")
    tamper("UPDATE audit_auditrecord SET seq = seq + 100 WHERE seq > 3")
    tamper("UPDATE audit_auditrecord SET seq = seq - 101 WHERE seq > 100")
    tamper("UPDATE audit_chainhead SET seq = 4")
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.DELETED, 3)


def test_record_inserted_in_the_middle_is_named(tamper):
    chain_of(5)
    # Make room at seq 3, then forge a record there whose hash is computed correctly.
    tamper("UPDATE audit_auditrecord SET seq = seq + 100 WHERE seq >= 3")
    tamper("UPDATE audit_auditrecord SET seq = seq - 99 WHERE seq > 100")
    forged = AuditRecord(
        seq=3,
        at=AuditRecord.objects.get(seq=2).at,
        action="test.forged",
        outcome="ok",
        prev_hash=AuditRecord.objects.get(seq=2).hash,
    )
    forged.hash = compute_hash(forged.prev_hash, forged)
    forged.save(force_insert=True)
    tamper("UPDATE audit_chainhead SET seq = 6")
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.INSERTED, 3)
    assert run_verify()[0] != 0


def test_record_appended_behind_the_head_is_named():
    chain_of(3)
    last = AuditRecord.objects.get(seq=3)
    forged = AuditRecord(seq=4, at=last.at, action="test.forged", outcome="ok", prev_hash=last.hash)
    forged.hash = compute_hash(forged.prev_hash, forged)
    forged.save(force_insert=True)
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.INSERTED, 4)


def test_reordered_records_are_named(tamper):
    chain_of(5)
    tamper("UPDATE audit_auditrecord SET seq = -1 WHERE seq = 2")
    tamper("UPDATE audit_auditrecord SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_auditrecord SET seq = 3 WHERE seq = -1")
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.REORDERED, 2)
    code, _, err = run_verify()
    assert code != 0
    assert "原本位于序号 3" in err


def test_truncated_tail_is_named(tamper):
    chain_of(5)
    tamper("DELETE FROM audit_auditrecord WHERE seq >= 4")
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.TRUNCATED, 4)
    code, _, err = run_verify()
    assert code != 0
    assert "4–5" in err


def test_changed_last_record_is_named(tamper):
    chain_of(3)
    tamper("UPDATE audit_auditrecord SET detail = %s WHERE seq = 3", ['{"i": 99}'])
    problem = verify_chain().problem
    assert (problem.kind, problem.seq) == (Kind.CHANGED, 3)


def test_first_record_must_start_from_genesis(tamper):
    chain_of(2)
    tamper("UPDATE audit_auditrecord SET prev_hash = %s WHERE seq = 1", ["1" * 64])
    assert AuditRecord.objects.get(seq=1).prev_hash != GENESIS
    assert verify_chain().problem.seq == 1


def test_model_refuses_to_change_a_record():
    chain_of(1)
    rec = AuditRecord.objects.get()
    rec.action = "test.other"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.update(action="x")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditrecord SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_auditrecord WHERE seq = 1",
    ],
)
def test_database_refuses_to_change_a_record(statement):
    chain_of(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        sql(statement)
    assert AuditRecord.objects.get(seq=1).action == "test.event"


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_log_and_keeps_the_triggers():
    chain_of(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditRecord.objects.exists()
    chain_of(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("DELETE FROM audit_auditrecord")
