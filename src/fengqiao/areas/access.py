"""Every permission decision in Fengqiao is made here.

A user holds roles on areas (``Assignment``); a role grants a fixed set of permissions
(``ROLE_PERMISSIONS``); a grant on an area covers its whole subtree. Views, API routes,
exports and commands ask this module and nothing else. "Missing" and "forbidden" both
become the same 404, so a probe learns nothing about records outside its reach.
"""

from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from fengqiao.accounts.models import Assignment, Role
from fengqiao.core.rows import Read

from . import paths
from .models import Area


class Perm:
    AREA_VIEW = "area.view"  # browse the tree and its counts
    AREA_MANAGE = "area.manage"  # import/export and edit the tree
    PERSON_VIEW = "person.view"
    PERSON_EDIT = "person.edit"
    PERSON_UNMASK = "person.unmask"  # see full ID numbers and phones (audited)
    PERSON_EXPORT = "person.export"
    USER_MANAGE = "user.manage"  # accounts and assignments
    ADMIN_SITE = "admin.site"  # Django admin
    AUDIT_VIEW = "audit.view"
    CASE_VIEW = "case.view"  # every case in the area subtree
    CASE_VIEW_ASSIGNED = "case.view_assigned"  # only cases dispatched to the user or their unit
    CASE_REGISTER = "case.register"
    CASE_ACCEPT = "case.accept"
    CASE_ASSESS = "case.assess"
    CASE_DISPATCH = "case.dispatch"
    CASE_HANDLE = "case.handle"  # only on cases where the user is a handler
    CASE_VERIFY = "case.verify"
    CASE_SUPERVISE = "case.supervise"
    CASE_EXPORT = "case.export"
    FIGURES_VIEW = "figures.view"  # dashboard, figures, performance review, ledgers, reports
    MEETING_MANAGE = "meeting.manage"  # plan and hold assessment meetings, assign action items


P = Perm
# One table: which role may do what. Read a row as "a <role> on an area may …, there
# and below". Which case action needs which permission is in cases/states.py.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.LEADER: frozenset(
        {
            P.AREA_VIEW,
            P.PERSON_VIEW, P.PERSON_UNMASK, P.PERSON_EXPORT,
            P.CASE_VIEW, P.CASE_REGISTER, P.CASE_ACCEPT, P.CASE_ASSESS, P.CASE_DISPATCH,
            P.CASE_HANDLE, P.CASE_VERIFY, P.CASE_SUPERVISE, P.CASE_EXPORT,
            P.FIGURES_VIEW, P.MEETING_MANAGE,
        }
    ),
    Role.INTAKE_OFFICER: frozenset(
        {
            P.AREA_VIEW,
            P.PERSON_VIEW, P.PERSON_EDIT,
            P.CASE_VIEW, P.CASE_REGISTER, P.CASE_ACCEPT, P.CASE_ASSESS, P.CASE_DISPATCH,
            P.CASE_VERIFY,
        }
    ),
    Role.MEDIATOR: frozenset(
        {P.AREA_VIEW, P.PERSON_VIEW, P.CASE_VIEW, P.CASE_REGISTER, P.CASE_HANDLE}
    ),
    Role.GRID_WORKER: frozenset(
        {P.AREA_VIEW, P.PERSON_VIEW, P.PERSON_EDIT, P.CASE_VIEW, P.CASE_REGISTER, P.CASE_HANDLE}
    ),
    # A unit handler sees only the cases sent to their unit, not the area's.
    Role.UNIT_HANDLER: frozenset({P.AREA_VIEW, P.CASE_VIEW_ASSIGNED, P.CASE_HANDLE}),
    Role.AUDITOR: frozenset({P.AREA_VIEW, P.AUDIT_VIEW, P.CASE_VIEW, P.FIGURES_VIEW}),
    # An administrator keeps the tree, the accounts and the logs; cases are not theirs.
    Role.ADMIN: frozenset(
        {
            P.AREA_VIEW, P.AREA_MANAGE,
            P.PERSON_VIEW, P.PERSON_EDIT, P.PERSON_EXPORT,
            P.USER_MANAGE, P.ADMIN_SITE, P.AUDIT_VIEW,
            P.FIGURES_VIEW,
        }
    ),
}  # fmt: skip

_CACHE_ATTR = "_fengqiao_grants"


# Read on nearly every request (an API call's first permission check): compiled once
# (see core.rows.Read).
_GRANTS = Read(
    lambda user_id: Assignment.objects.filter(user_id=user_id).values("role", "area__path"), int
)


def _grants(user) -> list[tuple[str, str]]:
    """(role, area path) pairs of the user, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = [(row["role"], row["area__path"]) for row in _GRANTS(user.pk)]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants (after an assignment changes)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user) -> set[str]:
    return {role for role, _ in _grants(user)}


def grant_paths(user, perm: str) -> list[str]:
    """The path of every area where one of ``user``'s grants holds ``perm``, nested ones
    included (read once per user object, like every check here)."""
    return [path for role, path in _grants(user) if perm in ROLE_PERMISSIONS.get(role, ())]


def area_paths_for(user, perm: str) -> list[str]:
    """The roots of the subtrees where ``user`` holds ``perm`` (outermost only)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return [""]
    return paths.minimal_roots(grant_paths(user, perm))


def has_perm(user, perm: str, area: Area | None = None) -> bool:
    """Does ``user`` hold ``perm`` on ``area`` (or anywhere, when area is None)?"""
    if area is None:
        return bool(area_paths_for(user, perm))
    return holds_at(user, perm, area.path)


def holds_at(user, perm: str, path: str) -> bool:
    """Does ``user`` hold ``perm`` at the area path ``path`` (a row's ``area_path``)?
    The test ``scope`` makes in SQL, on the grants already read for the user."""
    return any(path.startswith(root) for root in area_paths_for(user, perm))


def scope_q(user, perm: str, field: str = "area__path") -> Q:
    """A filter selecting the rows whose area path lies within the user's grants."""
    roots = area_paths_for(user, perm)
    if "" in roots:
        return Q()
    return paths.any_subtree_q(field, roots)


def scope(queryset: QuerySet, user, perm: str, field: str = "area__path") -> QuerySet:
    return queryset.filter(scope_q(user, perm, field))


def visible_areas(user, perm: str = Perm.AREA_VIEW) -> QuerySet:
    return scope(Area.objects.all(), user, perm, field="path")


def top_areas(user, perm: str = Perm.AREA_VIEW) -> QuerySet:
    """The highest areas the user may see: the roots of their grants."""
    roots = area_paths_for(user, perm)
    if "" in roots:
        return Area.objects.filter(parent__isnull=True)
    return Area.objects.filter(path__in=roots)


def require(user, perm: str, area: Area | None, *, obj: Model | None = None) -> None:
    """Raise the common 404 unless ``user`` holds ``perm`` on ``area``; record refusals."""
    if area is not None and has_perm(user, perm, area):
        return
    from fengqiao.audit.log import record_refusal

    record_refusal(actor=user, perm=perm, area=area, obj=obj)
    raise Http404


def get_for_user_or_404(
    queryset: QuerySet, user, perm: str, *, field: str = "area__path", **lookup
) -> Model:
    """Fetch one row the user may reach with ``perm``; otherwise the common 404."""
    obj = scope(queryset, user, perm, field).filter(**lookup).first()
    if obj is None:
        from fengqiao.audit.log import record_refusal

        record_refusal(
            actor=user,
            perm=perm,
            area=None,
            object_type=queryset.model._meta.label_lower,
            object_id=str(lookup.get("pk", lookup)),
        )
        raise Http404
    return obj


def permissions_of(user, area: Area) -> set[str]:
    """All permissions the user holds on ``area`` — for templates that show actions."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return set().union(*ROLE_PERMISSIONS.values())
    held: set[str] = set()
    for role, path in _grants(user):
        if area.path.startswith(path):
            held |= ROLE_PERMISSIONS.get(role, frozenset())
    return held


def all_permissions() -> Iterable[str]:
    return sorted(set().union(*ROLE_PERMISSIONS.values()))


def require_whole_tree(user, perm: str) -> None:
    """Raise the common 404 unless ``user`` holds ``perm`` on every root area — for
    imports and exports of the whole tree. While the tree is empty, only a superuser."""
    roots = list(Area.objects.filter(parent__isnull=True))
    if not roots and "" in area_paths_for(user, perm):
        return
    for root in roots or [None]:
        require(user, perm, root)


def sees_unscoped(user, perm: str) -> bool:
    """Does ``user`` hold ``perm`` on a root area (so also over rows tied to no area,
    such as login records)?"""
    return any(len(root) <= paths.SEGMENT for root in area_paths_for(user, perm))


def may_manage_user(actor, user=None) -> bool:
    """May ``actor`` change ``user``'s account? Only if every role the user holds lies
    within the actor's USER_MANAGE areas; superusers only by superusers. ``user=None``
    asks whether the actor may create accounts at all."""
    roots = area_paths_for(actor, Perm.USER_MANAGE)
    if not roots:
        return False
    if user is None:
        return True
    if user.is_superuser and not getattr(actor, "is_superuser", False):
        return False
    return all(
        any(path.startswith(root) for root in roots)
        for path in user.assignments.values_list("area__path", flat=True)
    )
