"""Verifying the audit chain: walk every record in ``seq`` order, recompute its hash
and name the first record that was changed, deleted, inserted or reordered.

The chain has no secret key, so someone who can write to the database *and* recompute
every later hash and the chain head can rewrite history unnoticed; operators who need
protection against that note the head (printed by ``fengqiao audit verify``) somewhere
the database administrator cannot reach, and compare.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .log import GENESIS, HASHED, hash_of
from .models import AuditRecord, ChainHead

# How far from its present seq a moved record's original position is searched for.
REORDER_WINDOW = 1000


class Kind:
    CHANGED = "changed"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class Problem:
    kind: str
    seq: int
    message: str


@dataclass(frozen=True)
class Result:
    checked: int
    head_seq: int
    head_hash: str
    problem: Problem | None

    @property
    def is_intact(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Row:
    fields: dict
    prev_hash: str
    hash: str

    @property
    def seq(self) -> int:
        return self.fields["seq"]

    def is_consistent(self) -> bool:
        return hash_of(self.prev_hash, self.fields) == self.hash


def rows(chunk_size: int = 5000) -> Iterator[Row]:
    """Every record in seq order, streamed (a server-side cursor on PostgreSQL)."""
    qs = AuditRecord.objects.order_by("seq").values_list(*HASHED, "prev_hash", "hash")
    n = len(HASHED)
    for values in qs.iterator(chunk_size=chunk_size):
        yield Row(dict(zip(HASHED, values[:n], strict=True)), values[n], values[n + 1])


def verify_chain(chunk_size: int = 5000) -> Result:
    """Check the whole chain and the chain head; stop at the first problem."""
    checked, prev_hash, before_prev_hash = 0, GENESIS, None
    for row in rows(chunk_size):
        problem = _diagnose(row, checked + 1, prev_hash, before_prev_hash)
        if problem is not None:
            return _result(checked, problem)
        checked += 1
        before_prev_hash, prev_hash = prev_hash, row.hash
    return _result(checked, _check_head(checked, prev_hash))


def _result(checked: int, problem: Problem | None) -> Result:
    head = ChainHead.objects.filter(pk=1).first()
    return Result(
        checked=checked,
        head_seq=head.seq if head else 0,
        head_hash=head.hash if head else GENESIS,
        problem=problem,
    )


def _diagnose(row: Row, expected: int, prev_hash: str, before_prev_hash: str | None):
    if row.seq != expected:
        last = row.seq - 1
        span = f"{expected}" if last == expected else f"{expected}–{last}"
        return Problem(
            Kind.DELETED, expected, _("序号 %(span)s 的记录缺失（被删除）。") % {"span": span}
        )
    linked = row.prev_hash == prev_hash
    consistent = row.is_consistent()
    if linked and consistent:
        return None
    if linked:
        return Problem(Kind.CHANGED, row.seq, _("记录 %(seq)s 的内容被修改。") % {"seq": row.seq})
    if row.prev_hash == before_prev_hash:
        # This record follows the one two places back: the record between was slipped in.
        seq = row.seq - 1
        return Problem(Kind.INSERTED, seq, _("记录 %(seq)s 是插入的记录。") % {"seq": seq})
    if consistent:
        return Problem(
            Kind.INSERTED, row.seq, _("记录 %(seq)s 不属于原链（插入或伪造）。") % {"seq": row.seq}
        )
    return _moved(row)


def _moved(row: Row) -> Problem:
    """A record whose hash only fits another seq was moved; name where it came from."""
    for seq in range(max(1, row.seq - REORDER_WINDOW), row.seq + REORDER_WINDOW + 1):
        if seq != row.seq and hash_of(row.prev_hash, dict(row.fields, seq=seq)) == row.hash:
            if AuditRecord.objects.filter(hash=row.prev_hash).exists():
                msg = _("记录 %(seq)s 原本位于序号 %(orig)s（顺序被调换）。")
                return Problem(Kind.REORDERED, row.seq, msg % {"seq": row.seq, "orig": seq})
            msg = _("序号 %(seq)s 之前的记录被删除，之后的记录被重新编号（原序号 %(orig)s）。")
            return Problem(Kind.DELETED, row.seq, msg % {"seq": row.seq, "orig": seq})
    return Problem(Kind.CHANGED, row.seq, _("记录 %(seq)s 被篡改或伪造。") % {"seq": row.seq})


def _check_head(last_seq: int, last_hash: str) -> Problem | None:
    head = ChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    if head_seq > last_seq:
        span = f"{last_seq + 1}" if head_seq == last_seq + 1 else f"{last_seq + 1}–{head_seq}"
        msg = _("链尾缺少序号 %(span)s 的记录（被截断）。") % {"span": span}
        return Problem(Kind.TRUNCATED, last_seq + 1, msg)
    if head_seq < last_seq:
        msg = _("记录 %(seq)s 在链头之后，是插入的记录。") % {"seq": head_seq + 1}
        return Problem(Kind.INSERTED, head_seq + 1, msg)
    if head is not None and head.hash != last_hash:
        msg = _("链头与最后一条记录 %(seq)s 不符（记录或链头被修改）。") % {"seq": last_seq}
        return Problem(Kind.CHANGED, last_seq, msg)
    return None
