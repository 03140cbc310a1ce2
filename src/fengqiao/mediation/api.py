"""/api/v1 routes for mediation, agreements, revisits, the case file and ratings: the
same actions as the pages (``mediation.actions``), the same access rules (the case's
404 for anything out of reach) and the same Chinese refusals."""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Path, Router, Schema, Status
from pydantic import ConfigDict, Field

from fengqiao.api import lookups
from fengqiao.api.errors import ApiError, ErrorOut
from fengqiao.api.schemas import Id, text
from fengqiao.cases.access import get_case_for_user_or_404

from . import actions, documents, queries, views
from .errors import MediationCode, MediationError
from .models import PlaceKind, RevisitMethod, Satisfaction, SignMethod

router = Router(tags=["调解与回访"])
public = Router(tags=["群众查询与评价"], auth=None)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
Note = text(2000)
Text500 = text(500)


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class AssignIn(In):
    mediator: text(150) = Field(description="调解员用户名")
    panel: list[text(150)] = Field([], max_length=10)
    committee: Id | None = None
    note: text(500) = ""


class RelationIn(In):
    person: Id
    relation: text(50) = Field(description="关系，如：表兄、雇主")


class ChangeIn(In):
    mediator: text(150)
    reason: text(500)


class ConsentIn(In):
    until: dt.date
    note: text(500)


class SessionIn(In):
    scheduled_at: dt.datetime
    place_kind: PlaceKind
    place: text(200)
    participants: text(2000) = ""


class PostponeIn(In):
    scheduled_at: dt.datetime
    reason: text(500)


class NoShowIn(In):
    note: text(500)


class RecordIn(In):
    attendance: dict[str, bool] = Field(default_factory=dict, description="{当事人ID: 是否到场}")
    is_simple: bool = False
    matter: text(10000)
    outcome: text(10000)
    rights_notice_given: bool = False
    applicant_statement: text(10000) = ""
    respondent_statement: text(10000) = ""
    verification: text(10000) = ""
    risk_notice: text(10000) = ""


class ClauseIn(In):
    content: text(2000)
    performance_way: text(300)
    deadline: dt.date | None = Field(None, description="履行期限，默认 30 日后")


class AgreementIn(In):
    is_oral: bool = False
    facts: text(5000) = ""
    disputed_matters: text(5000) = ""
    responsibilities: text(5000) = ""
    oral_content: text(5000) = ""
    clauses: list[ClauseIn] = Field([], max_length=50)


class SignIn(In):
    signer: text(30) = Field(description="当事人ID、mediator（调解员）或 seal（调委会盖章）")
    method: SignMethod = SignMethod.SIGNATURE


class ConfirmApplyIn(In):
    applied_on: dt.date
    court: text(100)


class ConfirmResultIn(In):
    result: Literal["confirmed", "rejected"]
    decided_on: dt.date
    note: text(500) = ""


class FailIn(In):
    reason: Note
    routes: list[Literal["litigation", "arbitration", "administrative"]]
    then: Literal["", "refer_out", "shelve"] = ""
    explanation: Note = ""


class RiskIn(In):
    unit: Id
    note: text(1000)


class RevisitIn(In):
    method: RevisitMethod
    contacted: text(100)
    performance: dict[str, Literal["performed", "not_performed", "not_due"]] = {}
    satisfaction: Satisfaction
    dissatisfaction_reason: text(500) = ""
    within_duty: bool = False
    has_sued: bool = False
    flare_up_risk: Literal["none", "low", "high"] = "none"
    measures: text(500) = ""
    note: text(500) = ""


class WaiveIn(In):
    reason: text(500)


class RatingIn(In):
    stars: int = Field(ge=1, le=5)
    text: Text500 = ""


# --- Presenting ------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def present(case) -> dict:
    """The mediation of a case as the API shows it (ID numbers masked)."""
    from fengqiao.people.masking import mask_id

    mediation = queries.mediation_of(case)
    body: dict = {"case": case.pk, "state": case.state, "mediation": None}
    body["revisits"] = [
        {
            "id": r.pk,
            "kind": r.kind,
            "due_on": _iso(r.due_on),
            "owner": r.owner.get_username(),
            "status": r.status,
            "clause": r.clause.number if r.clause_id else None,
            "satisfaction": r.satisfaction,
            "performance": r.performance,
            "reopened": r.reopened,
        }
        for r in case.revisits.select_related("owner", "clause").order_by("due_on", "pk")
    ]
    if mediation is None:
        return body
    body["mediation"] = {
        "mediator": mediation.mediator.get_username(),
        "panel": [m.user.get_username() for m in mediation.panel.select_related("user")],
        "committee": mediation.committee_id,
        "status": mediation.status,
        "started_at": _iso(mediation.started_at),
        "extended_until": _iso(mediation.extended_until),
        "failure_reason": mediation.failure_reason,
        "routes_told": mediation.routes_told,
        "sessions": [
            {
                "id": s.pk,
                "number": s.number,
                "scheduled_at": _iso(s.scheduled_at),
                "place_kind": s.place_kind,
                "place": s.place,
                "status": s.status,
                "attendance": s.attendance,
                "has_record": hasattr(s, "record"),
            }
            for s in mediation.sessions.all()
        ],
        "agreements": [
            {
                "id": a.pk,
                "number": a.number,
                "is_oral": a.is_oral,
                "status": a.status,
                "effective_at": _iso(a.effective_at),
                "facts": a.facts,
                "disputed_matters": a.disputed_matters,
                "responsibilities": a.responsibilities,
                "oral_content": a.oral_content,
                "parties": [
                    {
                        "party": p.party_id,
                        "name": p.name,
                        "role": p.role,
                        "id_number": mask_id(p.id_number),
                        "signed": p.signed_at is not None,
                        "method": p.sign_method,
                    }
                    for p in a.parties.all()
                ],
                "mediator_signed": a.mediator_signed_at is not None,
                "sealed": a.sealed_at is not None,
                "clauses": [
                    {
                        "id": c.pk,
                        "number": c.number,
                        "content": c.content,
                        "performance_way": c.performance_way,
                        "deadline": _iso(c.deadline),
                    }
                    for c in a.clauses.all()
                ],
                "missing": queries.missing_elements(a) if a.status == "draft" else [],
                "confirmation_warning": queries.confirmation_warning(a),
            }
            for a in mediation.agreements.all()
        ],
    }
    return body


def _call(fn, **kwargs):
    """Run an action; a completeness refusal lists what is missing as its fields."""
    try:
        return fn(**kwargs)
    except MediationError as exc:
        if exc.missing:
            raise ApiError(
                str(exc.code), exc.message, fields={"missing": exc.missing}, status=409
            ) from exc
        if exc.code in (MediationCode.CONSENT_REQUIRED, MediationCode.REVISITS_OPEN):
            raise ApiError(str(exc.code), exc.message, status=409) from exc
        raise


def _user(name: str, field: str):
    return lookups.user_by_name(name, field)


def _case(request, case_id):
    return get_case_for_user_or_404(request.auth, case_id)


def _session(request, session_id):
    return views._session_or_404(request.auth, session_id)


def _agreement(request, agreement_id):
    return views._agreement_or_404(request.auth, agreement_id)


# --- Routes ------------------------------------------------------------------------------

R = {200: dict, **ERRORS}


@router.get("/cases/{case_id}/mediation", response=R, summary="调解详情")
def read_mediation(request, case_id: Path[Id]):
    return present(_case(request, case_id))


@router.post("/cases/{case_id}/mediation/assign", response=R, summary="指派调解员")
def assign(request, case_id: Path[Id], payload: AssignIn):
    case = _case(request, case_id)
    _call(
        actions.assign_mediation,
        actor=request.auth,
        case=case,
        mediator=_user(payload.mediator, "mediator"),
        panel=[_user(n, "panel") for n in payload.panel],
        committee=lookups.unit_by_id(payload.committee, "committee"),
        note=payload.note,
    )
    return present(case)


@router.post("/mediators/{username}/relations", response=R, summary="登记调解员回避关系")
def declare_relation(request, username: Path[text(150)], payload: RelationIn):
    from fengqiao.areas import access as area_access
    from fengqiao.areas.access import Perm
    from fengqiao.people.models import Person

    mediator = _user(username, "username")
    people = area_access.scope(Person.objects.all(), request.auth, Perm.PERSON_VIEW, "area_path")
    person = people.filter(pk=payload.person).first()
    if person is None:
        raise lookups.unknown("person", f"人员不存在：{payload.person}")
    row = actions.declare_relation(
        actor=request.auth, mediator=mediator, person=person, relation=payload.relation
    )
    return {"mediator": mediator.get_username(), "person": person.pk, "relation": row.relation}


@router.post("/cases/{case_id}/mediation/change", response=R, summary="更换调解员")
def change(request, case_id: Path[Id], payload: ChangeIn):
    case = _case(request, case_id)
    mediator = _user(payload.mediator, "mediator")
    _call(
        actions.change_mediator,
        actor=request.auth,
        case=case,
        mediator=mediator,
        reason=payload.reason,
    )
    return present(case)


@router.post("/cases/{case_id}/mediation/consent", response=R, summary="记录双方同意延长调解")
def consent(request, case_id: Path[Id], payload: ConsentIn):
    case = _case(request, case_id)
    _call(
        actions.record_consent,
        actor=request.auth,
        case=case,
        until=payload.until,
        note=payload.note,
    )
    return present(case)


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.post("/cases/{case_id}/mediation/sessions", response=R, summary="安排调解")
def schedule(request, case_id: Path[Id], payload: SessionIn):
    case = _case(request, case_id)
    _call(
        actions.schedule_session,
        actor=request.auth,
        case=case,
        scheduled_at=_aware(payload.scheduled_at),
        place_kind=payload.place_kind,
        place=payload.place,
        participants=payload.participants,
    )
    return present(case)


@router.post("/mediation/sessions/{session_id}/postpone", response=R, summary="调解延期")
def postpone(request, session_id: Path[Id], payload: PostponeIn):
    session = _session(request, session_id)
    _call(
        actions.postpone_session,
        actor=request.auth,
        session=session,
        scheduled_at=_aware(payload.scheduled_at),
        reason=payload.reason,
    )
    return present(session.mediation.case)


@router.post("/mediation/sessions/{session_id}/no-show", response=R, summary="当事人未到场")
def no_show(request, session_id: Path[Id], payload: NoShowIn):
    session = _session(request, session_id)
    _call(actions.mark_no_show, actor=request.auth, session=session, note=payload.note)
    return present(session.mediation.case)


@router.post("/mediation/sessions/{session_id}/record", response=R, summary="调解笔录")
def record_session(request, session_id: Path[Id], payload: RecordIn):
    session = _session(request, session_id)
    _call(actions.record_session, actor=request.auth, session=session, **payload.dict())
    return present(session.mediation.case)


@router.post("/cases/{case_id}/mediation/agreement", response=R, summary="起草或修改调解协议")
def draft(request, case_id: Path[Id], payload: AgreementIn):
    case = _case(request, case_id)
    data = payload.dict()
    clauses = [actions.ClauseInput(**c) for c in data.pop("clauses")]
    _call(actions.draft_agreement, actor=request.auth, case=case, clauses=clauses, **data)
    return present(case)


@router.post("/mediation/agreements/{agreement_id}/sign", response=R, summary="登记签署")
def sign(request, agreement_id: Path[Id], payload: SignIn):
    agreement = _agreement(request, agreement_id)
    _call(
        actions.sign_agreement,
        actor=request.auth,
        agreement=agreement,
        signer=payload.signer,
        method=payload.method,
    )
    return present(agreement.mediation.case)


@router.post("/mediation/agreements/{agreement_id}/effective", response=R, summary="协议生效")
def effective(request, agreement_id: Path[Id]):
    agreement = _agreement(request, agreement_id)
    _call(actions.make_effective, actor=request.auth, agreement=agreement)
    return present(agreement.mediation.case)


@router.post(
    "/mediation/agreements/{agreement_id}/confirmation", response=R, summary="申请司法确认"
)
def confirmation(request, agreement_id: Path[Id], payload: ConfirmApplyIn):
    agreement = _agreement(request, agreement_id)
    _call(
        actions.apply_confirmation,
        actor=request.auth,
        agreement=agreement,
        applied_on=payload.applied_on,
        court=payload.court,
    )
    return present(agreement.mediation.case)


@router.post(
    "/mediation/agreements/{agreement_id}/confirmation/result", response=R, summary="司法确认结果"
)
def confirmation_result(request, agreement_id: Path[Id], payload: ConfirmResultIn):
    agreement = _agreement(request, agreement_id)
    _call(
        actions.record_confirmation_result,
        actor=request.auth,
        agreement=agreement,
        **payload.dict(),
    )
    return present(agreement.mediation.case)


@router.get(
    "/mediation/agreements/{agreement_id}/docx",
    summary="调解协议书 DOCX",
    response={200: None, **ERRORS},
)
def agreement_docx(request, agreement_id: Path[Id]):
    agreement = _agreement(request, agreement_id)
    case = agreement.mediation.case
    from fengqiao.audit.log import record

    record("mediation.document_docx", actor=request.auth, area=case.area, obj=agreement)
    data = documents.to_bytes(documents.agreement_document(agreement))
    return HttpResponse(data, content_type=views.DOCX)


@router.post("/cases/{case_id}/mediation/fail", response=R, summary="调解不成")
def fail(request, case_id: Path[Id], payload: FailIn):
    case = _case(request, case_id)
    _call(actions.fail_mediation, actor=request.auth, case=case, **payload.dict())
    return present(case)


@router.post("/cases/{case_id}/mediation/risk", response=R, summary="风险通报")
def risk(request, case_id: Path[Id], payload: RiskIn):
    case = _case(request, case_id)
    unit = lookups.unit_by_id(payload.unit, "unit")
    _call(actions.report_risk, actor=request.auth, case=case, unit=unit, note=payload.note)
    return present(case)


@router.get("/revisits", response=R, summary="我的待回访（今日及逾期）")
def my_revisits(request):
    due = queries.revisits_for(request.auth)
    rows = lambda items: [  # noqa: E731
        {"id": r.pk, "case": r.case_id, "kind": r.kind, "due_on": _iso(r.due_on)} for r in items
    ]
    return {"overdue": rows(due.overdue), "due_today": rows(due.due_today)}


@router.post("/revisits/{revisit_id}", response=R, summary="登记回访")
def record_revisit(request, revisit_id: Path[Id], payload: RevisitIn):
    revisit = views._revisit_or_404(request.auth, revisit_id)
    finding = actions.RevisitFinding(**payload.dict())
    _call(actions.record_revisit, actor=request.auth, revisit=revisit, finding=finding)
    revisit.case.refresh_from_db()
    return present(revisit.case)


@router.post("/cases/{case_id}/revisits/waive", response=R, summary="免予回访")
def waive(request, case_id: Path[Id], payload: WaiveIn):
    case = _case(request, case_id)
    _call(actions.waive_revisits, actor=request.auth, case=case, reason=payload.reason)
    return present(case)


@router.get("/cases/{case_id}/case-file", response=R, summary="卷宗目录")
def case_file(request, case_id: Path[Id]):
    case = _case(request, case_id)
    return {
        "documents": [
            {"key": e.key, "title": e.title, "required": e.required, "count": e.count}
            for e in queries.case_file(case)
        ]
    }


@router.get(
    "/cases/{case_id}/case-file.zip", summary="导出卷宗 ZIP", response={200: None, **ERRORS}
)
def case_file_zip(request, case_id: Path[Id]):
    case = _case(request, case_id)
    from fengqiao.audit.log import record

    record("mediation.case_file_export", actor=request.auth, area=case.area, obj=case)
    return HttpResponse(documents.case_file_zip(case), content_type="application/zip")


# --- Public: the tracking code ---------------------------------------------------------------


def _tracked(request, code: str):
    if views._limited(request):
        raise ApiError("rate_limited", "查询过于频繁，请稍后再试。", status=429)
    case = queries.find_by_tracking_code(code)
    if case is None:
        raise Http404
    return case


@public.get(
    "/track/{code}", response={200: dict, 404: ErrorOut, 429: ErrorOut}, summary="按查询码查询进度"
)
def track(request, code: Path[text(16)]):
    case = _tracked(request, code)
    return {
        "state": case.state,
        "state_label": case.get_state_display(),
        "timeline": [
            {"at": _iso(at), "step": label} for at, label in queries.public_timeline(case)
        ],
    }


@public.post(
    "/track/{code}/rating",
    response={201: dict, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="群众评价",
)
def rate(request, code: Path[text(16)], payload: RatingIn):
    case = _tracked(request, code)
    rating = actions.rate_case(case=case, stars=payload.stars, text=payload.text)
    return Status(201, {"stars": rating.stars})
