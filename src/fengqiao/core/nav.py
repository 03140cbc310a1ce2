"""The navigation, by role. Each entry is shown only to users holding its permission
somewhere; later domains append their entries to ``NAV``."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from fengqiao.areas.access import Perm, has_perm
from fengqiao.core.shell import Column, count_of, shell_of


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    icon: str  # a Tabler icon name (https://tabler.io/icons), shown as "ti ti-<icon>"
    perm: str | None
    # One line under the entry's quick link on the workbench.
    description: str = ""
    # Dotted path of a function shown as a badge, evaluated only if shown: (user) -> int,
    # or a column of the one statement that reads the page's badges and roles
    # (``core.shell``): a ``Column``, or a QuerySet | None whose rows are counted.
    badge: str = ""


NAV: list[NavEntry] = [
    NavEntry("home", _("工作台"), "home", None),
    NavEntry(
        "cases:workbench",
        _("待办"),
        "checklist",
        None,
        _("等待我办理的事项"),
        badge="fengqiao.cases.workbench.todo_badge",
    ),
    NavEntry("cases:list", _("事项"), "files", Perm.CASE_VIEW, _("查询、筛选辖区内的事项")),
    NavEntry("cases:create", _("登记事项"), "file-plus", Perm.CASE_REGISTER, _("窗口统一受理登记")),
    NavEntry("cases:report", _("随手报"), "camera", Perm.CASE_REGISTER, _("用手机拍照上报事项")),
    NavEntry(
        "cases:inbox",
        _("消息"),
        "bell",
        None,
        _("派单、退单、督办等通知"),
        badge="fengqiao.cases.workbench.unread_badge",
    ),
    NavEntry(
        "analytics:dashboard",
        _("领导驾驶舱"),
        "chart-bar",
        Perm.FIGURES_VIEW,
        _("辖区综治数据与指标"),
    ),
    NavEntry(
        "analytics:performance", _("绩效考核"), "award", Perm.FIGURES_VIEW, _("单位与个人考核排名")
    ),
    NavEntry(
        "meetings:list",
        _("研判会"),
        "presentation",
        Perm.MEETING_MANAGE,
        _("按期研判，决定事项三定"),
    ),
    NavEntry("areas:browse", _("区域"), "map", Perm.AREA_VIEW, _("逐级查看区域、网格与综治中心")),
    NavEntry("people:search", _("人员"), "users", Perm.PERSON_VIEW, _("查询辖区实有人口")),
    NavEntry("areas:import", _("区划导入"), "upload", Perm.AREA_MANAGE, _("导入或导出区划与网格")),
    NavEntry("audit:list", _("审计日志"), "shield", Perm.AUDIT_VIEW, _("查看操作与访问记录")),
]


def _badge(entry: NavEntry, user, request):
    """The entry's badge, counted only if the page shows it, with the other badges and
    the roles, and kept with the shell for a few seconds (``core.shell``)."""
    if not entry.badge:
        return None
    badge = import_string(entry.badge)
    shell = shell_of(request)
    shell.offer(entry.badge, lambda: _count(badge(user)))
    return SimpleLazyObject(lambda: shell.get(entry.badge))


def _count(value):
    return value if isinstance(value, int | Column) else count_of(value)


@lru_cache(maxsize=256)
def _address(url_name: str, prefix: str, urlconf: str) -> str | None:
    """The entry's URL, reversed once per process (every page shows the nav)."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:  # an entry whose app is not installed yet
        return None


def navigation_for(user, request) -> list[dict]:
    items = []
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    for entry in NAV:
        if entry.perm is not None and not has_perm(user, entry.perm):
            continue
        url = _address(entry.url_name, prefix, urlconf)
        if url is None:
            continue
        items.append(
            {
                "url": url,
                "label": entry.label,
                "icon": entry.icon,
                "description": entry.description,
                "url_name": entry.url_name,
                "badge": _badge(entry, user, request),
                "active": request.path.startswith(url) and (url != "/" or request.path == "/"),
            }
        )
    # Only the most specific entry is current: /cases/todo/ is 待办, not also 事项.
    current = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is current
    return items
