"""Writing audit records. Call ``record`` inside the transaction of the change it
describes, so the record and the change commit or roll back together."""

import contextvars
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from fengqiao.core.rows import insert, prepared

from .models import AuditRecord, ChainHead, Outcome

GENESIS = "0" * 64


@dataclass(frozen=True)
class RequestContext:
    client_ip: str = ""


_NO_REQUEST = RequestContext()
_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "fengqiao_audit_context", default=None
)


def set_context(ctx: RequestContext) -> contextvars.Token:
    return _context.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _context.reset(token)


def canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# The fields a record's hash covers, in the order ``verify`` reads them.
HASHED = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "area_path",
    "area_name",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "client_ip",
    "detail",
)


def hashed_fields(rec: AuditRecord) -> dict:
    return {name: getattr(rec, name) for name in HASHED}


def hash_of(prev_hash: str, fields: dict) -> str:
    """The hash of one record given its hashed fields (``at`` as a datetime)."""
    data = dict(fields, at=int(fields["at"].timestamp()))
    return hashlib.sha256(prev_hash.encode() + canonical(data)).hexdigest()


def compute_hash(prev_hash: str, rec: AuditRecord) -> str:
    return hash_of(prev_hash, hashed_fields(rec))


@dataclass(frozen=True)
class LockedWith:
    """Writes run in the round trip that locks the chain's head (PostgreSQL): ``ctes``,
    data-modifying WITH clauses (``name AS (…)``, their values ``params``), and
    ``value``, a scalar subquery on them (e.g. a RETURNING column). ``then`` receives
    that value (None when they wrote no row) before the record is made. For a write
    whose row many writers share: it is then locked only from the head's lock to the
    commit, one round trip less than a statement of its own before the head."""

    ctes: str
    value: str
    params: list
    then: Callable[[object], None]


def record(
    action: str,
    *,
    actor=None,
    area=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = Outcome.OK,
    detail: dict | Callable[[], dict] | None = None,
    actor_name: str = "",
    along: list[tuple[str, list]] = (),
    locked_with: LockedWith | None = None,
) -> AuditRecord:
    """Append one record to the chain. ``detail`` must never hold sensitive values; a
    callable is asked for it once the head is locked (after ``locked_with.then``).
    ``along``: the caller's last writes (INSERT, UPDATE or DELETE), run with the record
    in one round trip (``core.rows.together``) once the head is locked — for rows that
    many writers share, which are then held only while the head is. ``locked_with``
    (PostgreSQL only): writes run in the head's own round trip."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    rec = AuditRecord(
        # Second precision: the hash input (epoch seconds) is then identical after a
        # round trip through either database.
        at=timezone.now().replace(microsecond=0),
        actor_id=actor.pk if authenticated else None,
        actor_name=actor_name or (actor.get_username() if authenticated else ""),
        area_path=area.path if area is not None else "",
        area_name=area.name if area is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        outcome=outcome,
        client_ip=(_context.get() or _NO_REQUEST).client_ip,
    )
    # No savepoint inside the caller's transaction: a failure here fails the change it
    # records anyway, and a savepoint is two more statements on every write. The head
    # is locked as late as possible: from here to the commit every other writer waits.
    with transaction.atomic(savepoint=False), prepared() as cursor:
        if locked_with is None:
            cursor.execute(_HEAD_SQL[connection.features.has_select_for_update])
            head = cursor.fetchone()
        else:
            cursor.execute(
                f"WITH {locked_with.ctes}, h AS ({_HEAD_SQL[True]}) "  # noqa: S608 — our clauses
                f"SELECT (SELECT seq FROM h), (SELECT hash FROM h), {locked_with.value}",
                locked_with.params,
            )
            seq, hash_, value = cursor.fetchone()
            head = None if seq is None else (seq, hash_)
        if head is None:  # the first record ever
            ChainHead.objects.select_for_update().get_or_create(pk=1)
            head = (0, GENESIS)
        if locked_with is not None:
            locked_with.then(value)
        rec.detail = (detail() if callable(detail) else detail) or {}
        rec.seq, rec.prev_hash = head[0] + 1, head[1]
        rec.hash = compute_hash(rec.prev_hash, rec)
        # Raw statements: the ORM's INSERT and UPDATE machinery cost more CPU than the
        # rest of the record (an insert is all an append-only record's save() allows).
        # The head's update and ``along`` go with the record: from the head's lock to
        # the commit every writer waits, so each round trip saved there is saved for all.
        insert(rec, along=[(_HEAD_UPDATE_SQL, [rec.seq, rec.hash]), *along])
    return rec


_HEAD_SQL = {
    False: "SELECT seq, hash FROM audit_chainhead WHERE id = 1",
    True: "SELECT seq, hash FROM audit_chainhead WHERE id = 1 FOR UPDATE",
}
_HEAD_UPDATE_SQL = "UPDATE audit_chainhead SET seq = %s, hash = %s WHERE id = 1"


def record_refusal(*, actor, perm: str, area=None, obj=None, object_type="", object_id=""):
    """A refused access is recorded in its own transaction: the request that caused it
    is about to fail and roll back, but the refusal must stay on record."""
    with transaction.atomic(durable=False):
        return record(
            "access.denied",
            actor=actor,
            area=area,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            outcome=Outcome.DENIED,
            detail={"perm": perm},
        )
