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
    icon: str  # a Tabler icon name (https://tabler.io/icons), shown as "ti ti-<icon>"
    perm: str | None
    # One line under the entry's quick link on the workbench.
    description: str = ""


NAV: list[NavEntry] = [
    NavEntry("home", _("工作台"), "home", None),
    NavEntry("areas:browse", _("区域"), "map", Perm.AREA_VIEW, _("逐级查看区域、网格与综治中心")),
    NavEntry("people:search", _("人员"), "users", Perm.PERSON_VIEW, _("查询辖区实有人口")),
    NavEntry("areas:import", _("区划导入"), "upload", Perm.AREA_MANAGE, _("导入或导出区划与网格")),
    NavEntry("audit:list", _("审计日志"), "shield", Perm.AUDIT_VIEW, _("查看操作与访问记录")),
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
                "description": entry.description,
                "url_name": entry.url_name,
                "active": request.path.startswith(url) and (url != "/" or request.path == "/"),
            }
        )
    return items
