"""PostgreSQL connections read ``timestamptz`` values with psycopg's C loader.

Django registers a loader of its own, a subclass of psycopg's pure-Python one, to set
the connection's time zone on each value: 2.6 µs a value against 0.14 µs for the C
loader (measured with psycopg-binary 3.3), and a list page reads ≈ 400 of them (≈ 1 ms
of CPU a page). With ``USE_TZ`` the connection's time zone is UTC, and the C loader
already returns values in ``datetime.timezone.utc`` (the same object Django sets), so
on such connections it takes Django's place. The ``timezone`` attribute is the one
Django's cursors compare before registering a loader of their own.

They also keep the hot write paths' statements prepared (``preparing_cursor``).
"""

import datetime as dt
import re
from functools import cache, lru_cache

from django.conf import settings
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

TIMESTAMPTZ = "timestamptz"


@cache
def _utc_loader():
    """A loader that hands each value to psycopg's C loader, under the name Django's
    cursors look for; None when psycopg runs without its C extension. (The C class
    cannot be subclassed.)"""
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestamptzLoader

    fast = psycopg.adapters.get_loader(psycopg.adapters.types[TIMESTAMPTZ].oid, Format.TEXT)
    if fast is None or issubclass(fast, TimestamptzLoader):
        return None

    class UtcTimestamptzLoader(Loader):
        timezone = dt.UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # The C method itself on the instance: no Python frame per value.
            self.load = fast(oid, context).load  # type: ignore[method-assign]

        def load(self, data):  # replaced on each instance; Loader requires it
            raise NotImplementedError

    return UtcTimestamptzLoader


# psycopg counts executions towards ``prepare_threshold`` only when it is set (Django
# sets None: nothing prepared). Django's cursors bind client-side and never prepare,
# so the threshold is never reached by them; the preparing cursor asks on first use.
_NEVER_BY_COUNT = 2**31
_TIMESTAMPTZ_OID = 1184  # fixed in PostgreSQL's catalogue


@cache
def _preparing_class():
    """psycopg's raw cursor (server-side binding, PostgreSQL's own ``$1`` placeholders)
    with Django's cursor mixin, preparing every statement it runs (psycopg keeps up to
    100 per connection, the least recently used dropped). Statements come with Django's
    ``%s`` placeholders and are numbered once per text (``numbered``): psycopg's own
    conversion is cached only for statements under 4,096 characters and 50 values, and
    the case's INSERT (55 values) and the audit record with the figures (≈ 5,500
    characters, ≈ 150 values) were parsed again on every intake (≈ 1 ms of CPU)."""
    import psycopg
    from django.db.backends.postgresql.base import CursorMixin

    class PreparingCursor(CursorMixin, psycopg.RawCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            # Django passes no values for a statement without placeholders, whose
            # ``%`` are then literal.
            if params is not None:
                query = numbered(query)
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


_PLACEHOLDER = re.compile(r"%(.)", re.DOTALL)


@lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """``sql`` with Django's placeholders as PostgreSQL's: each ``%s`` the next ``$n``,
    ``%%`` a ``%`` (what psycopg's own conversion does for positional values)."""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match[1] == "%":
            return "%"
        if match[1] != "s":
            raise ValueError(f"only %s placeholders are supported, not %{match[1]}")
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def preparing_cursor(connection):
    """A cursor for statements run again and again with other values whose plan does
    not depend on them (inserts, updates and reads by key): PostgreSQL parses and plans
    each once per connection instead of on every execution, and psycopg sends the values
    apart (server-side binding) instead of quoting them into the text (bench/README,
    session 6). Not for searches and lists, whose best plan depends on the term and the
    scope (a prepared statement may settle on one generic plan). Wrapped as Django wraps
    its own cursors: logging, ``django_assert_num_queries`` and error translation see
    its statements. ``connection``: the connection itself, not Django's proxy (each
    attribute read through the proxy looks the connection up again). With
    ``settings.DATABASE_PREPARED`` False (``FENGQIAO_DATABASE_PREPARED=0``, behind a
    pooler that cannot keep prepared statements), Django's own cursor."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED:
        return connection.cursor()
    # What ``connection.cursor()`` does (BaseDatabaseWrapper._cursor and the backend's
    # create_cursor), with this cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _NEVER_BY_COUNT
    cursor = _preparing_class()(raw)
    if raw.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT).timezone != connection.timezone:
        register_tzloader(connection.timezone, cursor)
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return _debug_wrapper_class()(cursor, connection)
    return connection.make_cursor(cursor)


@cache
def _debug_wrapper_class():
    """Django's debug wrapper, logging the statement with its values as Django logs a
    client-side-bound one (its own wrapper reads them back from the cursor, which a
    server-side-binding cursor does not keep)."""
    from django.db.backends.postgresql.base import CursorDebugWrapper
    from django.db.backends.utils import CursorWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        def execute(self, sql, params=None):
            shown = sql if params is None else self.db.ops.compose_sql(sql, params)
            with self.debug_sql(shown, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedDebugWrapper


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or connection.timezone != dt.UTC:
        return
    loader = _utc_loader()
    if loader is not None:
        connection.connection.adapters.register_loader(TIMESTAMPTZ, loader)
