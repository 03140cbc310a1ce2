"""Who may see and act on which case. Built on ``areas.access``: most roles see their
area subtree; unit handlers see only what was dispatched to them or their unit."""

from django.db.models import Q
from django.http import Http404

from fengqiao.areas import access, paths
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area
from fengqiao.units.models import Unit

from .states import ACTION_PERMS, Action

# Above this many co-handled cases the list is left to the database as a subquery, so
# that a statement stays far below SQLite's limit of 32,766 bound parameters.
CO_HANDLED_LIST_CAP = 2000


def unit_ids(user) -> list[int]:
    """The ids of the units the user belongs to (read first, so that filters on them are
    plain indexed comparisons: see ``visible_q``)."""
    return list(Unit.objects.of_user(user).values_list("pk", flat=True))


def co_handled_ids(user, units: list[int], states=None):
    """The cases the user or one of their units co-handles: a list of ids, or a subquery
    when there are more than ``CO_HANDLED_LIST_CAP`` of them."""
    from .models import CoHandler

    rows = CoHandler.objects.filter(Q(user=user) | Q(unit_id__in=units))
    if states is not None:
        rows = rows.filter(case__state__in=states)
    ids = rows.values_list("case_id", flat=True)
    found = list(ids[: CO_HANDLED_LIST_CAP + 1])
    return ids if len(found) > CO_HANDLED_LIST_CAP else found


def visible_q(user) -> Q:
    """The filter selecting the cases ``user`` may see.

    The user's units and co-handled cases are read first: a subquery inside the OR
    keeps PostgreSQL from combining the indexes, so it scans the table instead
    (bench/README.md, finding 4). A grant covering every root area is no filter at all,
    so the database is not handed a range over the whole table (finding 3).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if sees_everything(user):
        return Q()
    q = access.scope_q(user, Perm.CASE_VIEW, field="area_path")
    if access.has_perm(user, Perm.CASE_VIEW_ASSIGNED):
        units = unit_ids(user)
        q |= (
            Q(current_handler=user)
            | Q(current_unit__in=units)
            | Q(pk__in=co_handled_ids(user, units))
        )
    return q


_WHOLE_TREE_ATTR = "_fengqiao_sees_all_cases"


def sees_everything(user) -> bool:
    """Does the user hold the case-view permission on every root area (a city-wide
    grant in a one-city deployment)? Asked once per user object and set of grants."""
    roots = tuple(access.area_paths_for(user, Perm.CASE_VIEW))
    cached = getattr(user, _WHOLE_TREE_ATTR, None)
    if cached is not None and cached[0] == roots:
        return cached[1]
    tops = [r for r in roots if len(r) <= paths.SEGMENT]
    answer = "" in roots or (
        bool(tops) and not Area.objects.filter(parent__isnull=True).exclude(path__in=tops).exists()
    )
    setattr(user, _WHOLE_TREE_ATTR, (roots, answer))
    return answer


def is_handler(user, case) -> bool:
    """Is ``user`` one of the people the case is dispatched to (or co-handling it)?"""
    if case.current_handler_id == user.pk:
        return True
    my_units = set(Unit.objects.of_user(user).values_list("pk", flat=True))
    if case.current_unit_id in my_units:
        return True
    return case.co_handlers.filter(Q(user=user) | Q(unit__in=my_units)).exists()


def may_take(user, case, action: str) -> bool:
    """May ``user`` take ``action`` on ``case`` (regardless of its current state)?

    Handling needs the handling permission on the case's place and being a handler;
    everything else needs the permission on the level that handles the case now.
    """
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    for perm in ACTION_PERMS[Action(action)]:
        if perm == Perm.CASE_HANDLE:
            if access.has_perm(user, perm, case.area) and is_handler(user, case):
                return True
        elif access.has_perm(user, perm, case.handling_area):
            return True
    return False


def get_case_for_user_or_404(user, pk, *, related: tuple[str, ...] = ()):
    """One case the user may see; the same 404 for missing and forbidden. ``related``:
    the relations to read with it (``select_related``), in the same statement."""
    from .models import Case

    case = Case.objects.visible_to(user).filter(pk=pk).select_related(*related).first()
    if case is None:
        from fengqiao.audit.log import record_refusal

        record_refusal(actor=user, perm=Perm.CASE_VIEW, object_type="cases.case", object_id=pk)
        raise Http404
    return case
