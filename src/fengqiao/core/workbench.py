"""The workbench (工作台): what the home page shows a signed-in user.

Later domains add their to-do lists by appending a ``Panel`` to ``PANELS``; the panel's
``context`` returns None when it has nothing for the user, and then it is not shown.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Panel:
    template: str  # included in the home page; what ``context`` returned is ``panel`` there
    context: Callable[..., dict | None]  # (request) -> dict, or None to hide the panel


PANELS: list[Panel] = []


def greeting(now: datetime | None = None) -> str:
    hour = timezone.localtime(now).hour
    if 5 <= hour < 11:
        return _("上午好")
    if 11 <= hour < 13:
        return _("中午好")
    if 13 <= hour < 18:
        return _("下午好")
    return _("晚上好")


def panels_for(request) -> list[dict]:
    shown = []
    for panel in PANELS:
        context = panel.context(request)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
