import time

from django.conf import settings
from django.contrib.auth import logout


class IdleTimeoutMiddleware:
    """Log a user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request.

    The time of the last request is written at most once a ``RESOLUTION``: a session
    write per page view would be a write transaction per page (on SQLite, a turn at the
    one writer). The timeout can therefore strike up to ``RESOLUTION`` seconds early,
    never late. Signing in starts the clock (``started``), so the first pages after it
    write nothing either.
    """

    KEY = "fengqiao_last_seen"
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                from .actions import record_logout

                record_logout(user=request.user, reason="session.timeout")
                logout(request)
            elif last is None or now - last >= self.RESOLUTION:
                request.session[self.KEY] = now
        return self.get_response(request)


def started(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the session's idle clock starts at sign-in."""
    if request is not None and hasattr(request, "session"):
        request.session[IdleTimeoutMiddleware.KEY] = int(time.time())
