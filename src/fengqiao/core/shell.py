"""What the layout shows around every page (the navigation badges, the user's roles),
kept per signed-in browser for a few seconds.

Every full page shows the badge counts and the role list. When they are not kept (a
first page, a user idle longer than the TTL) they are read together, in one statement
of scalar subqueries (``Shell.get``): it was about seven statements. They are kept in the
``shell`` cache under the session, the user and a *write mark*:

- a request that may write (any method but GET, HEAD, OPTIONS, TRACE) computes them
  afresh, and its response sets a new write mark cookie, so every page after a user's
  own change — in any server process — shows that change at once;
- what others change (a case dispatched to the user, a notification) shows within
  ``SHELL_CACHE_SECONDS`` (30 s by default), as a badge that polls would;
- a new sign-in is a new session, hence a fresh shell.

Permissions are not cached: which entries the navigation shows, like every access
decision, is asked of ``areas.access`` on every request.
"""

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

WRITE_MARK_COOKIE = "fq_shell"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_ATTR = "_fengqiao_shell"


@dataclass(frozen=True)
class Column:
    """A shell value read in SQL: one scalar expression of the shell's one statement,
    and how to turn what it returns into the value."""

    sql: str
    params: tuple
    decode: Callable[[Any], Any] = int


def count_of(rows: QuerySet | None) -> Column | int:
    """How many rows ``rows`` has (slice it to cap the count), as a column of the shell's
    statement — the subquery ``QuerySet.count()`` would run; 0 for None."""
    if rows is None:
        return 0
    try:
        sql, params = rows.query.get_compiler(rows.db).as_sql()
    except EmptyResultSet:
        return 0
    return Column(f"(SELECT COUNT(*) FROM ({sql}) counted)", tuple(params))  # noqa: S608 — compiled


_COMPILED: dict[tuple, Column | int] = {}
_COMPILED_MAX = 1000
_compiled_lock = threading.Lock()


def count_once(key: tuple, rows: Callable[[], QuerySet | None]) -> Column | int:
    """``count_of(rows())``, built and compiled once per ``key`` in the process (for the
    last thousand keys): for rows whose statement depends on nothing but the key. A
    to-do filter costs more CPU to build and compile than to run."""
    key = (connections[DEFAULT_DB_ALIAS].vendor, *key)
    found = _COMPILED.get(key)
    if found is None:
        found = count_of(rows())
        with _compiled_lock:
            if len(_COMPILED) >= _COMPILED_MAX:
                del _COMPILED[next(iter(_COMPILED))]
            _COMPILED[key] = found
    return found


def read_columns(columns: dict[str, Column]) -> dict[str, Any]:
    """The columns' values, read in one statement."""
    if not columns:
        return {}
    sql = ", ".join(column.sql for column in columns.values())
    params = [param for column in columns.values() for param in column.params]
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)  # noqa: S608 — the parts' own compiled SQL
        row = cursor.fetchone()
    return {
        name: column.decode(value)
        for (name, column), value in zip(columns.items(), row, strict=True)
    }


class Shell:
    """The shell values of one request: what the page may show (``offer``), read when it
    first shows one of them (``get``), kept in the cache when the request has a key."""

    def __init__(self, key: str | None):
        self.key = key
        self.values: dict[str, Any] = {}
        self.offered: dict[str, Callable[[], Any]] = {}
        if key is not None:
            self.values = caches["shell"].get(key) or {}

    def offer(self, name: str, part: Callable[[], Any]) -> None:
        """Say how to compute ``name``: ``part()`` returns the value, or a ``Column``."""
        self.offered[name] = part

    def get(self, name: str) -> Any:
        """The value of ``name``. The first missing value read computes every offered
        one still missing — the layout shows them together — and the columns among
        them in one statement."""
        if name not in self.values:
            missing = {n: part() for n, part in self.offered.items() if n not in self.values}
            columns = {n: v for n, v in missing.items() if isinstance(v, Column)}
            self.values.update(read_columns(columns))
            self.values.update((n, v) for n, v in missing.items() if n not in columns)
            if self.key is not None:
                caches["shell"].set(self.key, self.values, settings.SHELL_CACHE_SECONDS)
        return self.values[name]


def _key(request) -> str | None:
    if settings.SHELL_CACHE_SECONDS <= 0 or request.method not in _SAFE_METHODS:
        return None
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or session.session_key is None or user is None:
        return None
    mark = request.COOKIES.get(WRITE_MARK_COOKIE, "")
    return f"shell:{session.session_key}:{user.pk}:{mark}"


def shell_of(request) -> Shell:
    """The request's shell values (one cache read per request)."""
    shell = getattr(request, _ATTR, None)
    if shell is None:
        shell = Shell(_key(request))
        setattr(request, _ATTR, shell)
    return shell


class WriteMarkMiddleware:
    """After a request that may have written, give the browser a new write mark, so that
    no process serves it a shell cached before that request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method not in _SAFE_METHODS and user is not None and user.is_authenticated:
            response.set_cookie(
                WRITE_MARK_COOKIE,
                secrets.token_urlsafe(6),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
