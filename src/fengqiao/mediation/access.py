"""Who may mediate, assign, revisit and waive — built on ``areas.access`` and
``cases.access`` (which decide what a user may see at all)."""

from django.db.models import Q

from fengqiao.accounts.models import Assignment, Role
from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.cases.access import is_handler, may_take
from fengqiao.cases.states import Action
from fengqiao.people.models import Person
from fengqiao.units.models import Unit, UnitKind


def _ancestor_paths(path: str) -> list[str]:
    """The path itself and every ancestor's path (fixed-width segments)."""
    from fengqiao.areas.paths import SEGMENT

    return [path[:end] for end in range(SEGMENT, len(path) + 1, SEGMENT)]


def mediators_for(case):
    """Users holding the mediator role on the case's area or any area above it."""
    from django.contrib.auth import get_user_model

    held = Assignment.objects.filter(
        role=Role.MEDIATOR, area__path__in=_ancestor_paths(case.area.path)
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=held, is_active=True).order_by("pk")


def committees_for(case):
    """People's mediation committees (调委会) on the case's area or above."""
    return Unit.objects.active().filter(
        kind=UnitKind.MEDIATION_COMMITTEE, area_path__in=_ancestor_paths(case.area.path)
    )


def conflicts_of(user, case) -> list[str]:
    """Why ``user`` may not mediate ``case`` (回避): they are a party — same name, same
    phone, or the ID number of the resident registered with their phone — or they
    declared a relation to a party. Empty when there is no conflict."""
    from .models import MediatorRelation

    parties = list(case.parties.select_related("person"))
    reasons = []
    own_ids = set()
    if user.phone:
        own_ids = set(
            Person.objects.filter(phone=user.phone)
            .exclude(id_number="")
            .values_list("id_number", flat=True)
        )
    related = dict(
        MediatorRelation.objects.filter(
            mediator=user, person__in=[p.person_id for p in parties]
        ).values_list("person_id", "relation")
    )
    for party in parties:
        person = party.person
        if user.full_name and person.name == user.full_name:
            reasons.append(f"与当事人{person.name}同名")
        elif user.phone and person.phone == user.phone:
            reasons.append(f"与当事人{person.name}电话相同")
        elif person.id_number and person.id_number in own_ids:
            reasons.append(f"与当事人{person.name}身份证号相同")
        if person.pk in related:
            reasons.append(f"系当事人{person.name}的{related[person.pk]}")
    return reasons


def is_on_mediation(user, case) -> bool:
    """Is ``user`` the case's mediator or on its panel?"""
    from .models import Mediation

    return (
        Mediation.objects.filter(case=case).filter(Q(mediator=user) | Q(panel__user=user)).exists()
    )


def _active(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def may_mediate(user, case) -> bool:
    """Hold sessions, keep records and draft agreements: a handler of the case or one of
    its mediators, holding the handling permission on the case's place."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if not access.has_perm(user, Perm.CASE_HANDLE, case.area):
        return False
    return is_handler(user, case) or is_on_mediation(user, case)


def may_assign(user, case) -> bool:
    """Choose the mediator: the centre that dispatches the case, or its handler."""
    if not _active(user):
        return False
    return may_take(user, case, Action.DISPATCH) or (
        access.has_perm(user, Perm.CASE_HANDLE, case.area) and is_handler(user, case)
    )


def may_decide(user, case) -> bool:
    """Centre decisions (refer out, shelve): the verification permission on the level."""
    return _active(user) and may_take(user, case, Action.VERIFY)


def may_revisit(user, revisit) -> bool:
    """The revisit's owner, or the centre verifying the case."""
    if not _active(user):
        return False
    return revisit.owner_id == user.pk or may_take(user, revisit.case, Action.VERIFY)


def may_waive(user, case) -> bool:
    """Waive revisits: a leader (supervision permission) of the level handling the case."""
    if not _active(user):
        return False
    return user.is_superuser or access.has_perm(user, Perm.CASE_SUPERVISE, case.handling_area)


def may_declare_relation(user, mediator, person) -> bool:
    """A mediator declares their own ties; otherwise a leader of the resident's area or
    one who may edit the resident's record."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.pk == mediator.pk:
        return access.has_perm(user, Perm.PERSON_VIEW, person.area)
    return any(
        access.has_perm(user, perm, person.area) for perm in (Perm.PERSON_EDIT, Perm.CASE_SUPERVISE)
    )


def revisit_scope_q(user) -> Q:
    """Revisits a user may list: their own."""
    return Q(owner=user)
