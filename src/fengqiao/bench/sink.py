"""Bulk writes for the generator: COPY on PostgreSQL, executemany on SQLite.

Rows are plain tuples in the column order of ``fields``; primary keys are chosen by the
generator, so that rows can refer to each other without reading anything back.
"""

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Model

UTC = dt.UTC
# Seconds spent writing, per table: where a seed run's time goes.
spent: dict[str, float] = {}
# Seconds each dropped index took to build again, by name.
built: dict[str, float] = {}


def columns(model: type[Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


_EPOCH = dt.date(1970, 1, 1)
_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
_DAYS: dict[int, str] = {}


def _sqlite_datetime(value):
    # The SQLite backend stores aware datetimes as naive UTC text: "YYYY-MM-DD HH:MM:SS"
    # (an aware isoformat costs four times what the epoch second and two lookups cost).
    if value is None:
        return None
    if value.microsecond:
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return value.isoformat(" ")[:-6]  # without "+00:00"
    day, second = divmod(int(value.timestamp()), 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = (_EPOCH + dt.timedelta(days=day)).strftime("%Y-%m-%d ")
    return prefix + _CLOCK[second]


# One encoder for every value: json.dumps with options builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _json(value):
    if value is None:
        return None
    if not value:  # most timeline events carry no data
        return "{}" if isinstance(value, dict) else "[]"
    return _encode(value)


def _converters(model: type[Model], fields: Sequence[str], vendor: str) -> list:
    """Per column, the conversion its values need before the driver sees them (or None)."""
    out = []
    for name in fields:
        kind = model._meta.get_field(name).get_internal_type()
        if kind == "JSONField":
            out.append(_json)
        elif kind == "DateTimeField" and vendor == "sqlite":
            out.append(_sqlite_datetime)
        elif kind == "DateField" and vendor == "sqlite":
            out.append(lambda v: None if v is None else v.isoformat())
        else:
            out.append(None)
    return out


def _converted(rows: Iterable[tuple], converters: list) -> Iterable[tuple]:
    todo = [(i, c) for i, c in enumerate(converters) if c is not None]
    if not todo:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i, convert in todo:
            row[i] = convert(row[i])
        yield row


def prepare(model: type[Model], fields: Sequence[str], rows, vendor: str) -> list:
    """The rows with each value as the driver of ``vendor`` takes it."""
    return list(_converted(rows, _converters(model, fields, vendor)))


def write(
    model: type[Model], fields: Sequence[str], rows: Iterable[tuple], prepared: bool = False
) -> int:
    """Insert ``rows`` into ``model``'s table on the current connection (the caller holds
    the transaction); returns the number of rows."""
    table = model._meta.db_table
    started = time.perf_counter()
    try:
        return _write(model, table, fields, rows, prepared)
    finally:
        spent[table] = spent.get(table, 0.0) + time.perf_counter() - started


def _write(model, table, fields, rows, prepared: bool) -> int:
    cols = columns(model, fields)
    if not prepared:
        rows = _converted(rows, _converters(model, fields, connection.vendor))
    count = 0
    if connection.vendor == "postgresql":
        raw = connection.connection
        sql = f'COPY "{table}" ({", ".join(cols)}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in cols)
    sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({marks})'  # noqa: S608 — names from this module, values bound
    batch = list(rows)
    with connection.cursor() as cursor:
        # The plain sqlite3 executemany: Django's wrapper would rewrite "%s" markers.
        sqlite3.Cursor.executemany(cursor.cursor, sql, batch)
    return len(batch)


def next_id(model: type[Model]) -> int:
    """The first free primary key of ``model``."""
    from django.db.models import Max

    last = model.objects.aggregate(m=Max("pk"))["m"]
    return (last or 0) + 1


def reset_sequences(models: Iterable[type[Model]]) -> None:
    """After inserting explicit keys, PostgreSQL's sequences must move past them (SQLite
    keeps sqlite_sequence in step by itself)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _droppable_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that no constraint owns."""
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
            return list(c.fetchall())
        c.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)",
            [table],
        )
        return list(c.fetchall())


class deferred_indexes:  # noqa: N801 — used as a context manager, like a function
    """Drop the secondary indexes of ``models`` for a bulk load and build them again
    after it (one sorted build beats millions of B-tree inserts), whatever happens."""

    def __init__(self, models: Iterable[type[Model]]):
        self.tables = [m._meta.db_table for m in models]
        self.saved: list[tuple[str, str]] = []

    def __enter__(self):
        # Inside a transaction (a test's) PostgreSQL refuses CREATE INDEX on a table
        # with pending deferred checks; a test's few thousand rows need no such trick.
        if connection.in_atomic_block:
            return self
        for table in self.tables:
            self.saved += _droppable_indexes(table)
        with connection.cursor() as c:
            for name, _sql in self.saved:
                c.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc):
        started = time.perf_counter()
        if connection.vendor == "postgresql" and self.saved:
            _build_side_by_side(self.saved)
        else:
            with connection.cursor() as c:
                for name, sql in self.saved:
                    mark = time.perf_counter()
                    c.execute(sql)
                    built[name] = time.perf_counter() - mark
        spent["(indexes)"] = spent.get("(indexes)", 0.0) + time.perf_counter() - started
        return False


def _build_side_by_side(saved: list[tuple[str, str]]) -> None:
    """PostgreSQL: build the indexes on one connection per core at once, the GIN indexes
    (the slowest builds, never parallel inside PostgreSQL) first and the rest as
    connections come free. On one connection the builds queue behind each other while
    the second core idles (a GIN build is one backend's work)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def build(item: tuple[str, str]) -> None:
        name, sql = item
        try:
            with connections["default"].cursor() as c:
                c.execute("SET maintenance_work_mem = '512MB'")
                mark = time.perf_counter()
                c.execute(sql)
                built[name] = time.perf_counter() - mark
        finally:
            connections["default"].close()

    slowest_first = sorted(saved, key=lambda item: " USING gin " not in item[1])
    with ThreadPoolExecutor(max_workers=max(2, cores())) as pool:
        list(pool.map(build, slowest_first))


def cores() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
