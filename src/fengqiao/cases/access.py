"""Who may see and act on which case. Built on ``areas.access``: most roles see their
area subtree; unit handlers see only what was dispatched to them or their unit."""

from django.db.models import Q
from django.http import Http404

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.units.models import Unit

from .states import ACTION_PERMS, Action


def visible_q(user) -> Q:
    """The filter selecting the cases ``user`` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    q = access.scope_q(user, Perm.CASE_VIEW, field="area_path")
    if access.has_perm(user, Perm.CASE_VIEW_ASSIGNED):
        from .models import CoHandler

        units = Unit.objects.of_user(user).values("pk")
        # Subqueries, not joins: the list needs no DISTINCT over a million rows.
        co_handled = CoHandler.objects.filter(Q(unit__in=units) | Q(user=user)).values("case_id")
        q |= Q(current_handler=user) | Q(current_unit__in=units) | Q(pk__in=co_handled)
    return q


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


def get_case_for_user_or_404(user, pk):
    """One case the user may see; the same 404 for missing and forbidden."""
    from .models import Case

    case = Case.objects.visible_to(user).filter(pk=pk).first()
    if case is None:
        from fengqiao.audit.log import record_refusal

        record_refusal(actor=user, perm=Perm.CASE_VIEW, object_type="cases.case", object_id=pk)
        raise Http404
    return case
