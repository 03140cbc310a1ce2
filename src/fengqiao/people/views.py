"""Search, detail (masked), unmask (audited), create and edit of people."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.paths import subtree_q

from . import actions
from .forms import PersonForm
from .masking import mask_id, mask_phone
from .models import Person, Sex
from .validation import FieldError, clean_phone

PAGE_SIZE = 20
ID_NUMBER = re.compile(r"\d{17}[\dX]")
ID_TAIL = re.compile(r"\d{3}[\dX]")
PHONE_LIKE = re.compile(r"\+?[\d\- ]{7,16}")


def people_for(user, perm: str = Perm.PERSON_VIEW):
    return access.scope(Person.objects.select_related("area"), user, perm, field="area_path")


def classify(query: str) -> tuple[str, str]:
    """What a search box entry means: a full ID number, its last four, a phone or a name."""
    compact = query.replace(" ", "").upper()
    if ID_NUMBER.fullmatch(compact):
        return "id_number", compact
    if ID_TAIL.fullmatch(compact):
        return "id_tail", compact
    if PHONE_LIKE.fullmatch(query):
        try:
            return "phone", clean_phone(query)
        except FieldError:
            return "phone", re.sub(r"\D", "", query)
    return "name", query


def _page(request) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


def _form_crumbs(person: Person | None) -> list[tuple[str, str]]:
    crumbs = [(_("人员"), reverse("people:search"))]
    if person is None:
        return [*crumbs, (_("登记"), "")]
    return [*crumbs, (person.name, reverse("people:detail", args=[person.pk])), (_("编辑"), "")]


def _require_somewhere(user, perm: str) -> None:
    if not access.has_perm(user, perm):
        access.require(user, perm, None)


# Full ID numbers and phones are searched by POST and never echoed back, so that they
# stay out of URLs (server logs, browser history) and out of the page.
SENSITIVE_KINDS = {"id_number", "phone"}
MASKS = {"id_number": mask_id, "phone": mask_phone}


@login_required
def search(request):
    _require_somewhere(request.user, Perm.PERSON_VIEW)
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "").strip()[:50]
    page, people, has_next, kind, shown = _page(request), [], False, None, query
    if query:
        kind, value = classify(query)
        if kind in SENSITIVE_KINDS:
            page, shown = 1, ""
        lookup = {"name": "name__contains"}.get(kind, kind)
        qs = people_for(request.user).filter(**{lookup: value}).order_by("pk")
        start = (page - 1) * PAGE_SIZE
        people = list(qs[start : start + PAGE_SIZE + 1])
        has_next = len(people) > PAGE_SIZE
        people = people[:PAGE_SIZE]
        actions.record_search(actor=request.user, by=kind)
    context = {
        "query": shown,
        "searched": bool(query),
        "masked_query": MASKS[kind](value) if kind in SENSITIVE_KINDS else "",
        "kind": kind,
        "people": people,
        "page": page,
        "has_next": has_next and kind not in SENSITIVE_KINDS,
        "truncated": has_next and kind in SENSITIVE_KINDS,
        "page_size": PAGE_SIZE,
        "can_create": access.has_perm(request.user, Perm.PERSON_EDIT),
    }
    template = "people/_results.html" if request.htmx else "people/search.html"
    return render(request, template, context)


def _person_or_404(user, pk: int) -> Person:
    return access.get_for_user_or_404(
        Person.objects.select_related("area", "household"),
        user,
        Perm.PERSON_VIEW,
        field="area_path",
        pk=pk,
    )


def _detail_context(user, person: Person, unmasked: bool) -> dict:
    held = access.permissions_of(user, person.area)
    return {
        "crumbs": [(_("人员"), reverse("people:search")), (person.name, "")],
        "person": person,
        "unmasked": unmasked,
        "can_unmask": Perm.PERSON_UNMASK in held,
        "can_edit": Perm.PERSON_EDIT in held,
    }


@never_cache
@login_required
def detail(request, pk: int):
    person = _person_or_404(request.user, pk)
    actions.view_person(actor=request.user, person=person)
    return render(request, "people/detail.html", _detail_context(request.user, person, False))


@never_cache
@require_POST
@login_required
def unmask(request, pk: int):
    person = _person_or_404(request.user, pk)
    actions.unmask_person(actor=request.user, person=person)
    context = _detail_context(request.user, person, True)
    template = "people/_identity.html" if request.htmx else "people/detail.html"
    return render(request, template, context)


@login_required
def create(request):
    _require_somewhere(request.user, Perm.PERSON_EDIT)
    form = PersonForm(request.user, request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.create_person(actor=request.user, **form.changes(None))
        except actions.PersonInvalid as e:
            form.add_action_errors(e.errors)
            duplicate = e.duplicate
        else:
            messages.success(request, _("已登记：%(name)s") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "person": None, "duplicate": duplicate, "crumbs": _form_crumbs(None)},
    )


@login_required
def edit(request, pk: int):
    person = _person_or_404(request.user, pk)
    access.require(request.user, Perm.PERSON_EDIT, person.area, obj=person)
    initial = {
        name: getattr(person, name)
        for name in ("name", "sex", "ethnicity", "address", "area", "household", "data_source")
    }
    form = PersonForm(request.user, request.POST or None, person=person, initial=initial)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_person(actor=request.user, person=person, **form.changes(person))
        except actions.PersonInvalid as e:
            form.add_action_errors(e.errors)
            duplicate = e.duplicate
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "person": person, "duplicate": duplicate, "crumbs": _form_crumbs(person)},
    )


EXPORT_LIMIT = 50_000


@never_cache
@login_required
def export(request):
    """The people of one area the user may export, as XLSX, identifiers masked."""
    from fengqiao.areas.models import Area
    from fengqiao.core.xlsx import workbook_bytes, xlsx_response

    area_id = request.GET.get("area", "")
    area = access.get_for_user_or_404(
        Area.objects.all(),
        request.user,
        Perm.PERSON_EXPORT,
        field="path",
        pk=int(area_id) if area_id.isdigit() else 0,
    )
    people = (
        people_for(request.user, Perm.PERSON_EXPORT)
        .filter(subtree_q("area_path", area.path))
        .order_by("area_path", "pk")
        .values_list("name", "sex", "ethnicity", "id_number", "phone", "address", "area__name")
    )
    sexes = dict(Sex.choices)
    rows = [
        (name, str(sexes.get(sex, "")), eth, mask_id(idn), mask_phone(ph), addr, area_name)
        for name, sex, eth, idn, ph, addr, area_name in people[:EXPORT_LIMIT]
    ]
    actions.record_export(actor=request.user, area=area, count=len(rows))
    headers = [_("姓名"), _("性别"), _("民族"), _("身份证号"), _("手机号"), _("住址")]
    headers.append(_("所属区域"))
    content = workbook_bytes([(str(_("人员")), headers, rows)])
    return xlsx_response(content, f"人员-{area.name}.xlsx")
