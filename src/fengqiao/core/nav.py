"""The navigation, by role. Each entry is shown only to users holding its permission
somewhere; later domains append their entries to ``NAV``."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.areas.access import Perm, has_perm


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    icon: str
    perm: str | None


NAV: list[NavEntry] = [
    NavEntry("home", _("工作台"), "home", None),
    NavEntry("areas:browse", _("区域"), "map", Perm.AREA_VIEW),
    NavEntry("people:search", _("人员"), "users", Perm.PERSON_VIEW),
    NavEntry("areas:import", _("区划导入"), "upload", Perm.AREA_MANAGE),
    NavEntry("audit:list", _("审计日志"), "shield", Perm.AUDIT_VIEW),
]


def navigation_for(user, request) -> list[dict]:
    items = []
    for entry in NAV:
        if entry.perm is not None and not has_perm(user, entry.perm):
            continue
        try:
            url = reverse(entry.url_name)
        except Exception:  # noqa: S112 — an entry whose app is not installed yet
            continue
        items.append(
            {
                "url": url,
                "label": entry.label,
                "icon": entry.icon,
                "active": request.path.startswith(url) and (url != "/" or request.path == "/"),
            }
        )
    return items
