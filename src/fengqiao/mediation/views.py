"""The mediation pages: a case's mediation (mediator, sessions, agreements, revisits),
the session record and agreement forms, print views and DOCX, revisits, the case file,
and the public tracking page with its rating form.

Everything a page shows is gated by ``cases.access`` (the same 404 for missing and
forbidden); every change goes through ``mediation.actions``; a refusal is shown in
Chinese and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.audit.log import record, record_refusal
from fengqiao.cases.access import get_case_for_user_or_404
from fengqiao.cases.errors import CaseError
from fengqiao.cases.models import Case

from . import access, actions, documents, forms, queries
from .models import Agreement, MediationSession, Revisit, RevisitStatus

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PUBLIC_ATTEMPTS = 20  # tracking-code look-ups and ratings per client per window
PUBLIC_WINDOW = 600  # seconds


# --- Lookups: every object through the case it belongs to ---------------------------------


def _session_or_404(user, pk: int) -> MediationSession:
    visible = Case.objects.visible_to(user).values("pk")
    session = (
        MediationSession.objects.filter(pk=pk, mediation__case__in=visible)
        .select_related("mediation__case", "mediation__mediator")
        .first()
    )
    if session is None:
        record_refusal(actor=user, perm="case.view", object_type="mediation.session", object_id=pk)
        raise Http404
    return session


def _agreement_or_404(user, pk: int) -> Agreement:
    visible = Case.objects.visible_to(user).values("pk")
    agreement = (
        Agreement.objects.filter(pk=pk, mediation__case__in=visible)
        .select_related("mediation__case", "mediation__mediator", "mediation__committee")
        .first()
    )
    if agreement is None:
        record_refusal(
            actor=user, perm="case.view", object_type="mediation.agreement", object_id=pk
        )
        raise Http404
    return agreement


def _revisit_or_404(user, pk: int) -> Revisit:
    visible = Case.objects.visible_to(user).values("pk")
    revisit = (
        Revisit.objects.filter(pk=pk, case__in=visible)
        .select_related("case", "agreement", "clause", "owner")
        .first()
    )
    if revisit is None:
        record_refusal(actor=user, perm="case.view", object_type="mediation.revisit", object_id=pk)
        raise Http404
    return revisit


def _back(case) -> str:
    return reverse("mediation:case", args=[case.pk])


def _run(request, form, call, success: str, back: str):
    """Validate, call the action, show its Chinese refusal or the success message."""
    if form.is_valid():
        try:
            call(**form.arguments())
        except CaseError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, success)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
    return redirect(back)


# --- The case's mediation page ---------------------------------------------------------------


@never_cache
@login_required
def case_mediation(request, pk: int):
    """Everything about the case's mediation, with the forms the user may use now."""
    user = request.user
    case = get_case_for_user_or_404(user, pk)
    mediation = queries.mediation_of(case)
    can_mediate = access.may_mediate(user, case)
    can_assign = access.may_assign(user, case)
    agreements = []
    if mediation is not None:
        for a in mediation.agreements.prefetch_related("clauses", "parties").order_by("number"):
            a.missing = queries.missing_elements(a) if a.status == "draft" else []
            a.warning = queries.confirmation_warning(a)
            a.confirmation_row = getattr(a, "confirmation", None) if _has_conf(a) else None
            agreements.append(a)
    sessions = list(mediation.sessions.select_related("record")) if mediation else []
    for s in sessions:
        s.has_record = hasattr(s, "record")
    context = {
        "case": case,
        "mediation": mediation,
        "panel": list(mediation.panel.select_related("user")) if mediation else [],
        "sessions": sessions,
        "agreements": agreements,
        "revisits": list(case.revisits.select_related("owner", "clause").order_by("due_on", "pk")),
        "can_mediate": can_mediate,
        "can_assign": can_assign,
        "can_decide": access.may_decide(user, case),
        "can_waive": access.may_waive(user, case),
        "handling": case.state in actions.HANDLING,
        "assign_form": forms.AssignForm(case=case) if can_assign and not mediation else None,
        "change_form": forms.ChangeMediatorForm(case=case) if can_assign and mediation else None,
        "consent_form": forms.ConsentForm(),
        "session_form": forms.SessionForm(),
        "postpone_form": forms.PostponeForm(),
        "no_show_form": forms.NoShowForm(),
        "sign_form": forms.SignForm(),
        "apply_form": forms.ConfirmApplyForm(),
        "result_form": forms.ConfirmResultForm(),
        "fail_form": forms.FailForm(),
        "risk_form": forms.RiskForm(case=case),
        "waive_form": forms.WaiveForm(),
        "open_revisits": sum(1 for r in case.revisits.all() if r.status == RevisitStatus.DUE),
        "crumbs": [
            (_("事项"), reverse("cases:list")),
            (case.number, reverse("cases:detail", args=[case.pk])),
            (_("调解与回访"), ""),
        ],
    }
    return render(request, "mediation/case.html", context)


def _has_conf(agreement) -> bool:
    from .models import JudicialConfirmation

    return JudicialConfirmation.objects.filter(agreement=agreement).exists()


@require_POST
@login_required
def assign(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    form = forms.AssignForm(request.POST, case=case)
    call = lambda **kw: actions.assign_mediation(actor=request.user, case=case, **kw)  # noqa: E731
    return _run(request, form, call, _("已指派调解员。"), _back(case))


@require_POST
@login_required
def change(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    form = forms.ChangeMediatorForm(request.POST, case=case)
    call = lambda **kw: actions.change_mediator(actor=request.user, case=case, **kw)  # noqa: E731
    return _run(request, form, call, _("已更换调解员，未完成的回访已移交。"), _back(case))


@require_POST
@login_required
def consent(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    call = lambda **kw: actions.record_consent(actor=request.user, case=case, **kw)  # noqa: E731
    return _run(request, forms.ConsentForm(request.POST), call, _("已记录延长调解。"), _back(case))


@require_POST
@login_required
def schedule(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    call = lambda **kw: actions.schedule_session(actor=request.user, case=case, **kw)  # noqa: E731
    return _run(request, forms.SessionForm(request.POST), call, _("已安排调解。"), _back(case))


@require_POST
@login_required
def postpone(request, pk: int):
    session = _session_or_404(request.user, pk)
    call = lambda **kw: actions.postpone_session(actor=request.user, session=session, **kw)  # noqa: E731
    back = _back(session.mediation.case)
    return _run(request, forms.PostponeForm(request.POST), call, _("已延期。"), back)


@require_POST
@login_required
def no_show(request, pk: int):
    session = _session_or_404(request.user, pk)
    call = lambda **kw: actions.mark_no_show(actor=request.user, session=session, **kw)  # noqa: E731
    back = _back(session.mediation.case)
    return _run(request, forms.NoShowForm(request.POST), call, _("已记录未到场。"), back)


@never_cache
@login_required
def session_record(request, pk: int):
    """The session record (调解笔录) form."""
    session = _session_or_404(request.user, pk)
    case = session.mediation.case
    if not access.may_mediate(request.user, case):
        record_refusal(actor=request.user, perm="mediation.record", obj=case)
        raise Http404
    existing = getattr(session, "record", None) if hasattr(session, "record") else None
    initial = {}
    if existing is not None:
        initial = {
            f: getattr(existing, f)
            for f in (
                "is_simple",
                "matter",
                "rights_notice_given",
                "applicant_statement",
                "respondent_statement",
                "verification",
                "risk_notice",
                "outcome",
            )
        }
        initial.update({f"present_{k}": v for k, v in session.attendance.items()})
    form = forms.RecordForm(request.POST or None, session=session, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_session(actor=request.user, session=session, **form.arguments())
        except CaseError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已保存调解笔录。"))
            return redirect(_back(case))
    context = {
        "case": case,
        "session": session,
        "form": form,
        "crumbs": [
            (case.number, reverse("cases:detail", args=[case.pk])),
            (_("调解与回访"), _back(case)),
            (_("第%(n)s次调解笔录") % {"n": session.number}, ""),
        ],
    }
    return render(request, "mediation/record_form.html", context)


@never_cache
@login_required
def agreement_edit(request, pk: int):
    """Write or revise the draft agreement (Art. 29 elements and clauses)."""
    case = get_case_for_user_or_404(request.user, pk)
    if not access.may_mediate(request.user, case):
        record_refusal(actor=request.user, perm="mediation.agreement", obj=case)
        raise Http404
    mediation = queries.mediation_of(case)
    draft = mediation.agreements.filter(status="draft").first() if mediation else None
    form = forms.AgreementForm(
        request.POST or None, initial=forms.AgreementForm.initial_from(draft)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.draft_agreement(actor=request.user, case=case, **form.arguments())
        except CaseError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已保存调解协议草稿。"))
            return redirect(_back(case))
    context = {
        "case": case,
        "form": form,
        "draft": draft,
        "crumbs": [
            (case.number, reverse("cases:detail", args=[case.pk])),
            (_("调解与回访"), _back(case)),
            (_("调解协议"), ""),
        ],
    }
    return render(request, "mediation/agreement_form.html", context)


@require_POST
@login_required
def sign(request, pk: int):
    agreement = _agreement_or_404(request.user, pk)
    call = lambda **kw: actions.sign_agreement(actor=request.user, agreement=agreement, **kw)  # noqa: E731
    back = _back(agreement.mediation.case)
    return _run(request, forms.SignForm(request.POST), call, _("已登记签署。"), back)


@require_POST
@login_required
def effective(request, pk: int):
    agreement = _agreement_or_404(request.user, pk)
    case = agreement.mediation.case
    try:
        actions.make_effective(actor=request.user, agreement=agreement)
    except CaseError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("调解协议已生效；办结后将安排回访。"))
    return redirect(_back(case))


@require_POST
@login_required
def confirmation_apply(request, pk: int):
    agreement = _agreement_or_404(request.user, pk)
    call = lambda **kw: actions.apply_confirmation(actor=request.user, agreement=agreement, **kw)  # noqa: E731
    back = _back(agreement.mediation.case)
    return _run(
        request, forms.ConfirmApplyForm(request.POST), call, _("已登记司法确认申请。"), back
    )


@require_POST
@login_required
def confirmation_result(request, pk: int):
    agreement = _agreement_or_404(request.user, pk)
    call = lambda **kw: actions.record_confirmation_result(  # noqa: E731
        actor=request.user, agreement=agreement, **kw
    )
    back = _back(agreement.mediation.case)
    return _run(
        request, forms.ConfirmResultForm(request.POST), call, _("已登记司法确认结果。"), back
    )


@require_POST
@login_required
def fail(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    call = lambda **kw: actions.fail_mediation(actor=request.user, case=case, **kw)  # noqa: E731
    return _run(request, forms.FailForm(request.POST), call, _("已记录调解不成。"), _back(case))


@require_POST
@login_required
def risk(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    call = lambda **kw: actions.report_risk(actor=request.user, case=case, **kw)  # noqa: E731
    form = forms.RiskForm(request.POST, case=case)
    return _run(request, form, call, _("已通报风险。"), _back(case))


@require_POST
@login_required
def waive(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    call = lambda **kw: actions.waive_revisits(actor=request.user, case=case, **kw)  # noqa: E731
    return _run(request, forms.WaiveForm(request.POST), call, _("已免予回访。"), _back(case))


# --- Print views and DOCX --------------------------------------------------------------------


def _audited_document(request, case, kind: str, obj) -> None:
    record(f"mediation.document_{kind}", actor=request.user, area=case.area, obj=obj)


@never_cache
@login_required
def agreement_print(request, pk: int):
    """The agreement as a printable page: one copy per party and the archive copy."""
    agreement = _agreement_or_404(request.user, pk)
    case = agreement.mediation.case
    _audited_document(request, case, "print", agreement)
    parties = list(agreement.parties.all())
    for p in parties:
        p.line = documents.party_line(p)
    context = {
        "agreement": agreement,
        "case": case,
        "parties": parties,
        "clauses": list(agreement.clauses.all()),
        "copies": documents.copies_of(parties),
        "number": documents._number(case, "调", agreement.number),
        "count": len(parties) + 1,
    }
    return render(request, "mediation/agreement_print.html", context)


@never_cache
@login_required
def agreement_docx(request, pk: int):
    agreement = _agreement_or_404(request.user, pk)
    case = agreement.mediation.case
    _audited_document(request, case, "docx", agreement)
    data = documents.to_bytes(documents.agreement_document(agreement))
    return _download(data, f"{case.number}_调解协议书_{agreement.number}.docx", DOCX)


@never_cache
@login_required
def record_print(request, pk: int):
    session = _session_or_404(request.user, pk)
    if not hasattr(session, "record"):
        raise Http404
    case = session.mediation.case
    _audited_document(request, case, "print", session)
    parties = list(case.parties.select_related("person").order_by("role", "pk"))
    present = {str(k) for k, v in session.attendance.items() if v}
    for p in parties:
        p.present = str(p.pk) in present
    context = {
        "session": session,
        "record": session.record,
        "case": case,
        "parties": parties,
        "mediators": [session.mediation.mediator, *[m.user for m in session.mediation.panel.all()]],
        "copies": documents.copies_of([documents._PartyView(p) for p in parties]),
    }
    return render(request, "mediation/record_print.html", context)


@never_cache
@login_required
def record_docx(request, pk: int):
    session = _session_or_404(request.user, pk)
    if not hasattr(session, "record"):
        raise Http404
    case = session.mediation.case
    _audited_document(request, case, "docx", session)
    data = documents.to_bytes(documents.record_document(session))
    return _download(data, f"{case.number}_调解笔录_{session.number}.docx", DOCX)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Revisits -----------------------------------------------------------------------------------


@never_cache
@login_required
def revisits(request):
    """The user's revisits: overdue, due today, and the coming ones."""
    today = timezone.localdate()
    due = queries.revisits_for(request.user, today)
    upcoming = list(
        Revisit.objects.open()
        .filter(owner=request.user, due_on__gt=today)
        .select_related("case", "clause")
        .order_by("due_on")[:50]
    )
    return render(
        request,
        "mediation/revisits.html",
        {"due": due, "upcoming": upcoming, "today": today},
    )


@never_cache
@login_required
def revisit(request, pk: int):
    """Record one revisit."""
    row = _revisit_or_404(request.user, pk)
    if not access.may_revisit(request.user, row):
        record_refusal(actor=request.user, perm="mediation.revisit", obj=row.case)
        raise Http404
    form = forms.RevisitForm(request.POST or None, revisit=row)
    if request.method == "POST" and row.status == RevisitStatus.DUE and form.is_valid():
        try:
            actions.record_revisit(actor=request.user, revisit=row, finding=form.finding())
        except CaseError as e:
            form.add_error(None, e.message)
        else:
            row.refresh_from_db()
            if row.reopened:
                messages.warning(request, _("回访发现问题，事项已退回承办人重新办理。"))
            else:
                messages.success(request, _("已登记回访。"))
            return redirect(_back(row.case))
    context = {
        "revisit": row,
        "case": row.case,
        "form": form,
        "crumbs": [(_("回访"), reverse("mediation:revisits")), (row.case.number, "")],
    }
    return render(request, "mediation/revisit_form.html", context)


# --- The case file -----------------------------------------------------------------------------


@never_cache
@login_required
def case_file(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    entries = queries.case_file(case)
    context = {
        "case": case,
        "entries": entries,
        "missing": [_(e.title) for e in entries if e.required and not e.present],
        "crumbs": [
            (case.number, reverse("cases:detail", args=[case.pk])),
            (_("调解与回访"), _back(case)),
            (_("卷宗"), ""),
        ],
    }
    return render(request, "mediation/case_file.html", context)


@never_cache
@login_required
def case_file_zip(request, pk: int):
    case = get_case_for_user_or_404(request.user, pk)
    record("mediation.case_file_export", actor=request.user, area=case.area, obj=case)
    return _download(documents.case_file_zip(case), f"{case.number}_卷宗.zip", "application/zip")


# --- The public tracking page ---------------------------------------------------------------


def _client(request) -> str:
    from fengqiao.audit.middleware import client_ip

    return client_ip(request) or "unknown"


def _limited(request) -> bool:
    """Too many look-ups or ratings from this client in the window (guessing codes)."""
    key = f"fq-track:{_client(request)}"
    count = cache.get_or_set(key, 0, PUBLIC_WINDOW)
    if count >= PUBLIC_ATTEMPTS:
        return True
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_WINDOW)
    return False


@never_cache
def track(request):
    """Residents look up their case by its tracking code: state and step headlines only."""
    # The code travels in the POST body only: never in a URL, a log line or a Referer.
    form = forms.TrackForm(request.POST or None)
    case = None
    rating_form = None
    status = 200
    searched = form.is_bound
    if form.is_bound:
        if _limited(request):
            status = 429
            form.add_error(None, _("查询过于频繁，请稍后再试。"))
        elif form.is_valid():
            case = queries.find_by_tracking_code(form.cleaned_data["code"])
            if case is None:
                form.add_error("code", _("查询码不正确。"))
            elif request.method == "POST" and "stars" in request.POST:
                rating_form = forms.RatingForm(request.POST)
                if rating_form.is_valid():
                    try:
                        actions.rate_case(
                            case=case,
                            stars=rating_form.cleaned_data["stars"],
                            text=rating_form.cleaned_data["text"],
                        )
                    except CaseError as e:
                        rating_form.add_error(None, e.message)
                    else:
                        messages.success(request, _("感谢您的评价。"))
                        rating_form = None
    if case is not None and rating_form is None:
        rating_form = forms.RatingForm()
    context = {
        "form": form,
        "case": case,
        "searched": searched,
        "timeline": queries.public_timeline(case) if case else [],
        "may_rate": case is not None and case.state in actions.RATABLE,
        "rating_form": rating_form,
        "code": form.cleaned_data.get("code", "") if case else "",
    }
    return render(request, "mediation/track.html", context, status=status)
