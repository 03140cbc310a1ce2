import json

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

# The user's roles on areas, outermost area first (by area path, then role), as one JSON
# array: a column of the shell's one statement.
_ROLES = (
    "SELECT a.id, a.role, r.id AS area_id, r.name, r.level, r.path, "
    "row_number() OVER (ORDER BY r.path, a.role) AS place "
    "FROM accounts_assignment a JOIN areas_area r ON r.id = a.area_id WHERE a.user_id = %s"
)
# The two databases name their JSON aggregate and array differently.
_JSON = {
    "postgresql": ("json_agg", "json_build_array"),
    "sqlite": ("json_group_array", "json_array"),
}


def _roles(user):
    """The roles column of the shell's statement."""
    from fengqiao.core.shell import Column

    aggregate, array = _JSON[connections[DEFAULT_DB_ALIAS].vendor]
    # Constant text; the user's id is a parameter.
    columns = f"{array}(id, role, area_id, name, level, path, place)"
    sql = f"(SELECT {aggregate}({columns}) FROM ({_ROLES}) roles)"  # noqa: S608
    return Column(sql, (user.pk,), lambda value: _assignments(user, value))


def _assignments(user, value) -> list:
    """The roles' JSON rows as ``Assignment`` objects with their areas, in order (the
    rows' fields that the layout does not show are read if asked for)."""
    from fengqiao.accounts.models import Assignment
    from fengqiao.areas.models import Area

    if isinstance(value, str):  # SQLite; psycopg decodes json itself
        value = json.loads(value)
    found = []
    for pk, role, area_id, name, level, path, _place in sorted(value or [], key=lambda r: r[6]):
        assignment = Assignment.from_db(
            DEFAULT_DB_ALIAS, ["id", "user_id", "area_id", "role"], [pk, user.pk, area_id, role]
        )
        assignment.area = Area.from_db(
            DEFAULT_DB_ALIAS, ["id", "name", "level", "path"], [area_id, name, level, path]
        )
        found.append(assignment)
    return found


def shell(request):
    """What every page's layout needs: the product name, the nav and the user's roles."""
    from fengqiao.core.nav import navigation_for
    from fengqiao.core.shell import shell_of

    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    if signed_in:
        shell_of(request).offer("assignments", lambda: _roles(user))
    return {
        "product_name": _("枫桥"),
        "nav_items": navigation_for(user, request) if signed_in else [],
        # Lazy: htmx fragments rendered with this context never query for it.
        "user_assignments": SimpleLazyObject(
            lambda: shell_of(request).get("assignments") if signed_in else []
        ),
        "debug": settings.DEBUG,
    }
