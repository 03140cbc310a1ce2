"""The case pages: intake (window and phone), the list with search, the case page with
the actions the user may take now, attachments, the to-do list and the inbox.

Every permission decision is asked of ``cases.access`` or ``areas.access``; every change
goes through ``cases.actions``; a refused action shows its Chinese message and changes
nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.models import User
from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.audit.log import record, record_refusal
from fengqiao.people.models import Person
from fengqiao.people.views import classify
from fengqiao.search.index import capped_count, normalize, search_cases

from . import deadlines, notify, workbench
from .access import get_case_for_user_or_404, may_take
from .actions import (
    ACTIONS,
    FACTS_EDITABLE_STATES,
    may_update_facts,
    register_case,
    update_case_facts,
)
from .errors import CaseError
from .forms import ACTION_FORMS, CaseFactsForm, CaseFilterForm, IntakeForm, PartyFormSet
from .models import (
    Attachment,
    Case,
    CaseLink,
    ExtensionStatus,
    LinkKind,
    Notification,
)
from .queries import SIMILAR_LIMIT, category_ids, find_similar
from .states import Action, State, allowed_actions

# What the case page shows beside the case, read with it. The four people are read by
# one statement of their own: on PostgreSQL a join of all twelve tables took 10–13 ms
# to plan (the plan itself ran in 0.1 ms); eight tables plan in ≈ 1.8 ms.
DETAIL_RELATED = (
    "area",
    "handling_area",
    "registered_area",
    "category__parent",
    "current_unit",
    "building",
    "household",
)
DETAIL_PEOPLE = ("registered_by", "current_handler", "lead_leader", "owner")
PAGE_SIZE = 25
COUNT_CAP = 1000
INBOX_PAGE = 30


def _require_somewhere(user, *perms: str) -> None:
    """The common 404 unless the user holds one of ``perms`` on some area."""
    if not any(access.has_perm(user, p) for p in perms):
        access.require(user, perms[0], None)


# --- Intake ------------------------------------------------------------------------------


def _links(post, user) -> list[tuple[Case, str]]:
    """The prior cases the officer chose to link, limited to cases the user can see."""
    chosen = {}
    for key, value in post.items():
        if key.startswith("link-") and key[5:].isdigit() and value in LinkKind.values:
            chosen[int(key[5:])] = value
    if not chosen:
        return []
    others = Case.objects.visible_to(user).filter(pk__in=chosen)
    return [(other, chosen[other.pk]) for other in others]


def _similar_for(user, form: IntakeForm, parties) -> list:
    area = form.cleaned_data.get("area") if form.is_bound and form.is_valid() else None
    category = None
    if area is not None:
        category = form.cleaned_data.get("subcategory") or form.cleaned_data.get("category")
    drafts = [f.draft() for f in parties.forms]
    return find_similar(parties=drafts, area=area, category=category, user=user)


def _intake_initial(user, phone: bool) -> dict:
    initial = {"channel": "grid_patrol" if phone else "walk_in", "kind": "dispute"}
    tops = list(access.top_areas(user, Perm.CASE_REGISTER)[:2])
    if len(tops) == 1:
        initial["area"] = tops[0].pk
    return initial


def _intake(request, *, phone: bool):
    user = request.user
    _require_somewhere(user, Perm.CASE_REGISTER)
    post = request.POST if request.method == "POST" else None
    form = IntakeForm(
        user,
        post,
        request.FILES if post is not None else None,
        phone=phone,
        initial=_intake_initial(user, phone),
    )
    parties = PartyFormSet(post, prefix="party", user=user)
    similar, stopped = [], False
    if post is not None and form.is_valid() and parties.is_valid():
        similar = _similar_for(user, form, parties)
        if similar and post.get("similar_checked") != "1":
            stopped = True  # shown once before saving; the officer decides and submits again
        else:
            try:
                case = register_case(
                    actor=user,
                    **form.register_arguments(),
                    parties=parties.party_inputs(),
                    links=_links(post, user),
                )
            except CaseError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(request, _("已登记事项 %(number)s。") % {"number": case.number})
                return redirect("cases:detail", pk=case.pk)
    context = {
        "form": form,
        "parties": parties,
        "similar": similar,
        "similar_limit": SIMILAR_LIMIT,
        "stopped": stopped,
        "phone": phone,
        "lost_files": stopped and bool(request.FILES),
        "crumbs": [
            (_("事项"), reverse("cases:list")),
            (_("随手报") if phone else _("登记事项"), ""),
        ],
    }
    return render(request, "cases/report.html" if phone else "cases/create.html", context)


@login_required
def create(request):
    """The staff window's intake form."""
    return _intake(request, phone=False)


@login_required
def report(request):
    """The grid worker's phone form: big targets, a camera photo, the phone's location."""
    return _intake(request, phone=True)


@require_GET
@login_required
def place(request):
    """The place fields again for the chosen area (htmx: drill down the tree)."""
    _require_somewhere(request.user, Perm.CASE_REGISTER)
    initial = {k: request.GET.get(k, "") for k in ("area", "building")}
    form = IntakeForm(request.user, initial=initial, phone=request.GET.get("phone") == "1")
    return render(request, "cases/_place.html", {"form": form})


@require_GET
@login_required
def subcategories(request):
    """The subtype select for the chosen top-level category (htmx)."""
    form = IntakeForm(request.user, initial={"category": request.GET.get("category", "")})
    return render(request, "cases/_subcategory.html", {"form": form})


@require_POST
@login_required
def similar(request):
    """The duplicate and repeat check on the draft (htmx, before saving)."""
    _require_somewhere(request.user, Perm.CASE_REGISTER)
    form = IntakeForm(request.user, request.POST)
    parties = PartyFormSet(request.POST, prefix="party", user=request.user)
    form.full_clean()
    area = form.cleaned_data.get("area")
    category = form.cleaned_data.get("subcategory") or form.cleaned_data.get("category")
    found = find_similar(
        parties=[f.draft() for f in parties.forms],
        area=area,
        category=category if area is not None else None,
        user=request.user,
    )
    return render(
        request,
        "cases/_similar.html",
        {"similar": found, "similar_limit": SIMILAR_LIMIT, "checked": True},
    )


@require_POST
@login_required
def person_search(request):
    """Registered people matching a name or number, to pick as a party (htmx)."""
    _require_somewhere(request.user, Perm.CASE_REGISTER)
    # Each party row posts its own box (``party-0-q`` …), alone (hx-params).
    boxes = [v for k, v in request.POST.items() if k == "q" or k.endswith("-q")]
    query = (boxes[0] if boxes else "").strip()[:50]
    people = []
    if query:
        kind, value = classify(query)
        lookup = {"name": "name__contains"}.get(kind, kind)
        scoped = access.scope(Person.objects.all(), request.user, Perm.PERSON_VIEW, "area_path")
        people = list(scoped.filter(**{lookup: value}).select_related("area").order_by("pk")[:8])
    return render(
        request, "cases/_person_results.html", {"people": people, "searched": bool(query)}
    )


# --- List ---------------------------------------------------------------------------------


def _holding_paths(user, area) -> list[str] | None:
    """Area paths whose subtrees hold every case the list may show: the chosen area, or
    the user's case-view grants when those are all the user sees (no cases by
    assignment); None when unknown. Lets a town's search read the town's rows."""
    if area is not None:
        return [area.path]
    if access.has_perm(user, Perm.CASE_VIEW_ASSIGNED):
        return None
    roots = access.area_paths_for(user, Perm.CASE_VIEW)
    return roots if roots and "" not in roots else None


def _filtered(user, form: CaseFilterForm):
    """The cases the form selects, the key to page them by and the same cases as they are
    best counted (``search_cases``)."""
    qs = Case.objects.visible_to(user)
    if not form.is_valid():
        return qs, F("pk"), qs
    d = form.cleaned_data
    if d.get("area"):
        qs = qs.within(d["area"])
    for name in ("state", "kind", "grade", "risk", "channel"):
        if d.get(name):
            qs = qs.filter(**{name: d[name]})
    if d.get("category"):
        qs = qs.filter(category_id__in=category_ids(d["category"]))
    if d.get("overdue"):
        qs = qs.overdue(timezone.now())
    if d.get("verify_overdue"):
        qs = qs.verify_overdue(timezone.now())
    if d.get("date_from"):
        qs = qs.filter(created_at__date__gte=d["date_from"])
    if d.get("date_to"):
        qs = qs.filter(created_at__date__lte=d["date_to"])
    if d.get("unit"):
        qs = qs.filter(current_unit=d["unit"])
    if d.get("handler"):
        name = d["handler"].strip()
        qs = qs.filter(
            Q(current_handler__full_name__contains=name) | Q(current_handler__username=name)
        )
    if normalize(d.get("q", "")):
        return search_cases(qs, d["q"], _holding_paths(user, d.get("area")))
    return qs, F("pk"), qs


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _page(qs, key, *, newest_first: bool) -> list[Case]:
    """One page and a row more, ordered by id (``key``: the id, or the search index's row
    id that equals it). The ids are chosen first and the rows read after, in one
    statement: a town's range on ``area_path`` cannot walk in id order, and sorting its
    ids (in the index) costs far less than sorting its whole rows with their joins
    (SQLite) or walking the table by id to find the town's rows (PostgreSQL). A search
    joined to SQLite's index is read in two: its join must stay at the top of a statement."""
    ids = qs.order_by(key.desc() if newest_first else key.asc()).values("pk")[: PAGE_SIZE + 1]
    if not isinstance(key, F):
        ids = list(ids.values_list("pk", flat=True))
    rows = Case.objects.filter(pk__in=ids).order_by("-pk" if newest_first else "pk")
    return list(rows.select_related("area", "category", "current_unit", "current_handler"))


@never_cache
@login_required
def case_list(request):
    """Cases within reach, filtered and searched; newest first, a page at a time by key
    (no OFFSET), with a count that stops at COUNT_CAP."""
    user = request.user
    _require_somewhere(user, Perm.CASE_VIEW, Perm.CASE_VIEW_ASSIGNED)
    form = CaseFilterForm(user, request.GET or None)
    qs, key, counted = _filtered(user, form)
    after, before = _int(request.GET.get("after")), _int(request.GET.get("before"))
    keyed = qs.alias(page_key=key)
    if before is not None:
        page = _page(keyed.filter(page_key__gt=before), key, newest_first=False)
        has_prev = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE][::-1]
        has_next = True
    else:
        rows = qs if after is None else keyed.filter(page_key__lt=after)
        page = _page(rows, key, newest_first=True)
        has_next = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]
        has_prev = after is not None
    count = capped_count(counted, COUNT_CAP)
    now = timezone.now()
    for case in page:
        case.light = workbench.stored_light(case, now)
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {
        "form": form,
        "cases": page,
        "count": min(count, COUNT_CAP),
        "count_capped": count > COUNT_CAP,
        "next_after": page[-1].pk if page and has_next else None,
        "prev_before": page[0].pk if page and has_prev else None,
        "base_query": query.urlencode(),
        "can_register": access.has_perm(user, Perm.CASE_REGISTER),
    }
    template = "cases/_list_results.html" if request.htmx else "cases/list.html"
    return render(request, template, context)


# --- The case page and its actions --------------------------------------------------------


def _linked(user, case: Case) -> list[dict]:
    """Links in both directions, to cases the user may see. The case's few links are read
    first and only those are checked against the user's reach: testing each link against
    everything the user may see costs a scan of the city (bench/README.md, finding 1)."""
    links = list(
        CaseLink.objects.filter(Q(case=case) | Q(other=case)).select_related("case", "other")
    )
    far = {link.other_id if link.case_id == case.pk else link.case_id for link in links}
    visible = set(
        Case.objects.visible_to(user).filter(pk__in=far).values_list("pk", flat=True) if far else ()
    )
    out = []
    for link in links:
        outgoing = link.case_id == case.pk
        other = link.other if outgoing else link.case
        if other.pk in visible:
            out.append({"case": other, "kind": link.get_kind_display(), "outgoing": outgoing})
    return out


def _light(case: Case):
    try:
        return deadlines.light(case)
    except ValueError:  # no time-limit rule matches: show the stored due dates only
        return workbench.stored_light(case, timezone.now())


def available_actions(user, case: Case) -> list[Action]:
    """The actions the user may take on the case now (and only those)."""
    return [a for a in allowed_actions(case.state) if may_take(user, case, a)]


def _action_forms(user, case: Case, failed=None) -> list[dict]:
    forms = []
    for action in available_actions(user, case):
        form = failed if failed is not None and failed.prefix == action else None
        form = form or ACTION_FORMS[action](case=case, user=user, prefix=action)
        forms.append({"action": action, "label": action.label, "form": form})
    return forms


def _read_people(case: Case) -> None:
    """Attach the case's registrar, handler, lead leader and owner in one statement."""
    fields = [Case._meta.get_field(name) for name in DETAIL_PEOPLE]
    ids = {getattr(case, field.attname) for field in fields} - {None}
    people = User.objects.in_bulk(ids) if ids else {}
    for field in fields:
        field.set_cached_value(case, people.get(getattr(case, field.attname)))


@never_cache
@login_required
def detail(request, pk: int):
    """Everything about one case, and the actions the user may take now."""
    user = request.user
    case = get_case_for_user_or_404(user, pk, related=DETAIL_RELATED)
    _read_people(case)
    context = {
        "case": case,
        "parties": list(case.parties.select_related("person").order_by("role", "pk")),
        "attachments": list(case.attachments.order_by("pk")),
        "linked": _linked(user, case),
        "timeline": list(case.timeline.select_related("actor").order_by("at", "pk")),
        "co_handlers": list(case.co_handlers.select_related("unit", "user")),
        "extensions": list(case.extensions.select_related("requested_by").order_by("-pk")),
        "supervisions": list(case.supervisions.select_related("by").order_by("-at")),
        "light": _light(case),
        "actions": _action_forms(user, case),
        "facts_form": (
            CaseFactsForm(case=case, user=user) if may_update_facts(user, case) else None
        ),
        "pending_extension": ExtensionStatus.REQUESTED,
        "crumbs": [(_("事项"), reverse("cases:list")), (case.number, "")],
    }
    return render(request, "cases/detail.html", context)


def _refusal(case: Case, action: Action, user) -> str | None:
    if action not in allowed_actions(case.state):
        return _("事项当前为“%(state)s”，不能“%(action)s”。") % {
            "state": State(case.state).label,
            "action": action.label,
        }
    if not may_take(user, case, action):
        record_refusal(actor=user, perm=f"case.{action.value}", obj=case)
        return _("您无权对该事项执行“%(action)s”。") % {"action": action.label}
    return None


@require_POST
@login_required
def act(request, pk: int, action: str):
    """Take one action on a case; its form's fields become the action's arguments."""
    user = request.user
    case = get_case_for_user_or_404(user, pk)
    try:
        action = Action(action)
    except ValueError as e:
        raise Http404 from e
    refusal = _refusal(case, action, user)
    if refusal is not None:
        context = {"case": case, "message": refusal}
        if request.htmx:  # htmx swaps only 2xx answers: the modal shows the refusal
            return render(request, "cases/_refused.html", context)
        return render(request, "cases/refused.html", context, status=403)
    form = ACTION_FORMS[action](request.POST, case=case, user=user, prefix=action)
    if form.is_valid():
        try:
            ACTIONS[action](actor=user, case=case, **form.arguments())
        except CaseError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已%(action)s。") % {"action": action.label})
            url = reverse("cases:detail", args=[case.pk])
            if request.htmx:
                response = HttpResponse()
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    if request.htmx:
        return render(
            request,
            "cases/_action_form.html",
            {"case": case, "item": {"action": action, "label": action.label, "form": form}},
        )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("cases:detail", pk=case.pk)


@require_POST
@login_required
def facts(request, pk: int):
    """更正事项情况 before dispatch (the centre that accepts the case)."""
    user = request.user
    case = get_case_for_user_or_404(user, pk)
    if not may_update_facts(user, case):
        if case.state in FACTS_EDITABLE_STATES:
            record_refusal(actor=user, perm="case.update_facts", obj=case)
        context = {"case": case, "message": _("您现在不能更正该事项的情况。")}
        if request.htmx:
            return render(request, "cases/_refused.html", context)
        return render(request, "cases/refused.html", context, status=403)
    form = CaseFactsForm(request.POST, case=case, user=user)
    if form.is_valid():
        try:
            update_case_facts(actor=user, case=case, **form.arguments())
        except CaseError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("已更正事项情况。"))
            url = reverse("cases:detail", args=[case.pk])
            if request.htmx:
                response = HttpResponse()
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    if request.htmx:
        return render(request, "cases/_facts_form.html", {"case": case, "facts_form": form})
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("cases:detail", pk=case.pk)


@never_cache
@login_required
def attachment(request, pk: int, attachment_pk: int):
    """One attachment of a case the user may see, streamed from private storage."""
    case = get_case_for_user_or_404(request.user, pk)
    row = get_object_or_404(Attachment, case=case, pk=attachment_pk)
    record("case.attachment_view", actor=request.user, area=case.area, obj=row)
    inline = row.content_type.startswith("image/") or row.content_type == "application/pdf"
    response = FileResponse(
        row.file.open("rb"),
        content_type=row.content_type,
        as_attachment=not inline,
        filename=row.name,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# --- To-do list and inbox --------------------------------------------------------------------


@never_cache
@login_required
def todo(request):
    """The user's to-do list, grouped, most urgent and soonest due first."""
    groups = workbench.todo_for(request.user)
    return render(
        request,
        "cases/workbench.html",
        {"groups": groups, "total": sum(len(g.cases) for g in groups)},
    )


@never_cache
@login_required
def inbox(request):
    """The user's notifications, newest first."""
    rows = Notification.objects.filter(recipient=request.user).select_related("case")
    before = _int(request.GET.get("before"))
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-pk")[: INBOX_PAGE + 1])
    has_more = len(page) > INBOX_PAGE
    page = page[:INBOX_PAGE]
    return render(
        request,
        "cases/inbox.html",
        {
            "notifications": page,
            "next_before": page[-1].pk if has_more else None,
            "unread": Notification.objects.filter(
                recipient=request.user, read_at__isnull=True
            ).count(),
        },
    )


@require_POST
@login_required
def inbox_read(request, pk: int | None = None):
    """Mark one notification (or all of them) as read."""
    notify.mark_read(actor=request.user, pk=pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("cases:inbox")
    return redirect(target)
