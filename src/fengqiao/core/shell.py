"""What the layout shows around every page (the navigation badges, the user's roles),
kept per signed-in browser for a few seconds.

Every full page showed three badge counts and the role list: about seven statements
and a quarter of a list page's CPU. They are kept in the ``shell`` cache under the
session, the user and a *write mark*:

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
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches

WRITE_MARK_COOKIE = "fq_shell"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_ATTR = "_fengqiao_shell"


class Shell:
    """The cached values of one request's shell: read once, written back per value."""

    def __init__(self, key: str | None):
        self.key = key
        self.values: dict[str, Any] = {}
        if key is not None:
            self.values = caches["shell"].get(key) or {}

    def get(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self.values:
            self.values[name] = compute()
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
