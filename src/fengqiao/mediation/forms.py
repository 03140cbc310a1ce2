"""The mediation pages' forms; each maps its fields to an action's keywords."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.units.models import Unit

from . import access
from .actions import PERFORMANCE, ROUTES, ClauseInput, RevisitFinding
from .models import (
    ConfirmationResult,
    FlareUpRisk,
    PlaceKind,
    RevisitMethod,
    Satisfaction,
    SignMethod,
)

CLAUSE_ROWS = 5
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, required=True, rows=3, max_length=5000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _when(label):
    return forms.DateTimeField(
        label=label, widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name or obj.username}（{obj.username}）"


class UserMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name or obj.username}（{obj.username}）"


def eligible_mediators(case):
    """The area's mediators, and those skipped for a conflict of interest (with why)."""
    eligible, skipped = [], []
    for user in access.mediators_for(case):
        reasons = access.conflicts_of(user, case)
        (skipped if reasons else eligible).append((user, reasons))
    return [u for u, _r in eligible], skipped


class AssignForm(forms.Form):
    mediator = UserChoice(label=_("主调解员"), queryset=None)
    panel = UserMultiChoice(
        label=_("其他调解员（合议）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    committee = forms.ModelChoiceField(label=_("人民调解委员会"), queryset=None, required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        eligible, self.skipped = eligible_mediators(case)
        from django.contrib.auth import get_user_model

        queryset = get_user_model().objects.filter(pk__in=[u.pk for u in eligible])
        self.fields["mediator"].queryset = queryset
        self.fields["panel"].queryset = queryset
        self.fields["committee"].queryset = access.committees_for(case)
        if self.skipped:
            self.fields["mediator"].help_text = "；".join(
                f"{u}须回避（{'、'.join(r)}）" for u, r in self.skipped
            )

    def arguments(self) -> dict:
        d = self.cleaned_data
        return {
            "mediator": d["mediator"],
            "panel": list(d["panel"] or []),
            "committee": d["committee"],
            "note": d["note"],
        }


class ChangeMediatorForm(forms.Form):
    mediator = UserChoice(label=_("新调解员"), queryset=None)
    reason = forms.CharField(label=_("更换理由"), max_length=500)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        eligible, _skipped = eligible_mediators(case)
        from django.contrib.auth import get_user_model

        self.fields["mediator"].queryset = get_user_model().objects.filter(
            pk__in=[u.pk for u in eligible]
        )

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class ConsentForm(forms.Form):
    until = forms.DateField(label=_("延长至"), widget=DATE)
    note = forms.CharField(label=_("双方当事人同意的情况"), max_length=500)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class SessionForm(forms.Form):
    scheduled_at = _when(_("调解时间"))
    place_kind = forms.ChoiceField(label=_("地点类型"), choices=PlaceKind.choices)
    place = forms.CharField(label=_("地点"), max_length=200)
    participants = _text(_("参加人员"), required=False, rows=2, max_length=2000)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class PostponeForm(forms.Form):
    scheduled_at = _when(_("改期至"))
    reason = forms.CharField(label=_("延期原因"), max_length=500)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class NoShowForm(forms.Form):
    note = forms.CharField(label=_("未到场情况"), max_length=500)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class RecordForm(forms.Form):
    is_simple = forms.BooleanField(label=_("简易程序（只记调解事项和结果）"), required=False)
    matter = _text(_("调解事项"), rows=2)
    rights_notice_given = forms.BooleanField(label=_("已告知当事人权利义务"), required=False)
    applicant_statement = _text(_("申请人陈述"), required=False)
    respondent_statement = _text(_("被申请人陈述"), required=False)
    verification = _text(_("调查核实情况"), required=False)
    risk_notice = _text(_("风险告知"), required=False, rows=2)
    outcome = _text(_("调解结果"), rows=2)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = list(session.mediation.case.parties.select_related("person"))
        for p in self.parties:
            self.fields[f"present_{p.pk}"] = forms.BooleanField(
                label=_("%(role)s%(name)s到场")
                % {"role": p.get_role_display(), "name": p.person.name},
                required=False,
                initial=True,
            )
        order = [f"present_{p.pk}" for p in self.parties]
        self.order_fields(order + [n for n in self.fields if n not in order])

    def arguments(self) -> dict:
        d = dict(self.cleaned_data)
        attendance = {str(p.pk): d.pop(f"present_{p.pk}") for p in self.parties}
        return {"attendance": attendance, **d}


class AgreementForm(forms.Form):
    is_oral = forms.BooleanField(label=_("口头协议（只记录协议内容）"), required=False)
    facts = _text(_("纠纷主要事实"), required=False)
    disputed_matters = _text(_("争议事项"), required=False, rows=2)
    responsibilities = _text(_("各方责任"), required=False, rows=2)
    oral_content = _text(_("口头协议内容"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, CLAUSE_ROWS + 1):
            self.fields[f"clause_{n}_content"] = _text(
                _("第%(n)s条 协议内容") % {"n": n}, required=False, rows=2, max_length=2000
            )
            self.fields[f"clause_{n}_way"] = forms.CharField(
                label=_("第%(n)s条 履行方式") % {"n": n}, required=False, max_length=300
            )
            self.fields[f"clause_{n}_deadline"] = forms.DateField(
                label=_("第%(n)s条 履行期限（默认 30 日）") % {"n": n},
                required=False,
                widget=DATE,
            )

    @classmethod
    def initial_from(cls, agreement) -> dict:
        if agreement is None:
            return {}
        data = {
            name: getattr(agreement, name)
            for name in ("is_oral", "facts", "disputed_matters", "responsibilities", "oral_content")
        }
        for c in agreement.clauses.all():
            data[f"clause_{c.number}_content"] = c.content
            data[f"clause_{c.number}_way"] = c.performance_way
            data[f"clause_{c.number}_deadline"] = c.deadline
        return data

    def clause_rows(self):
        return [
            [self[f"clause_{n}_{part}"] for part in ("content", "way", "deadline")]
            for n in range(1, CLAUSE_ROWS + 1)
        ]

    def arguments(self) -> dict:
        d = self.cleaned_data
        clauses = [
            ClauseInput(d[f"clause_{n}_content"], d[f"clause_{n}_way"], d[f"clause_{n}_deadline"])
            for n in range(1, CLAUSE_ROWS + 1)
        ]
        return {
            "is_oral": d["is_oral"],
            "facts": d["facts"],
            "disputed_matters": d["disputed_matters"],
            "responsibilities": d["responsibilities"],
            "oral_content": d["oral_content"],
            "clauses": clauses,
        }


class SignForm(forms.Form):
    signer = forms.CharField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label=_("方式"), choices=SignMethod.choices, initial=SignMethod.SIGNATURE
    )

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class ConfirmApplyForm(forms.Form):
    applied_on = forms.DateField(label=_("申请日期"), widget=DATE, initial=timezone.localdate)
    court = forms.CharField(label=_("受理法院"), max_length=100)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class ConfirmResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("结果"),
        choices=[(c.value, c.label) for c in ConfirmationResult if c.value != "pending"],
    )
    decided_on = forms.DateField(label=_("裁定日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class FailForm(forms.Form):
    reason = _text(_("调解不成的原因"), rows=2)
    routes = forms.MultipleChoiceField(
        label=_("已告知当事人的其他途径"),
        choices=list(ROUTES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    then = forms.ChoiceField(
        label=_("后续处理（须中心决定）"),
        required=False,
        choices=[("", _("交中心决定")), ("refer_out", _("转法定途径")), ("shelve", _("挂账"))],
    )
    explanation = _text(_("书面说明"), required=False, rows=2)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class RiskForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("通报单位"), queryset=None)
    note = _text(_("风险情况"), rows=2, max_length=1000)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        from fengqiao.areas import paths

        near = Unit.objects.active().filter(
            paths.subtree_q("area_path", case.handling_area.path)
        ) | Unit.objects.active().filter(area_path__in=access._ancestor_paths(case.area.path))
        self.fields["unit"].queryset = near.distinct()

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("免予回访的理由"), max_length=500)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class RevisitForm(forms.Form):
    method = forms.ChoiceField(label=_("回访方式"), choices=RevisitMethod.choices)
    contacted = forms.CharField(label=_("回访对象"), max_length=100)
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    dissatisfaction_reason = forms.CharField(label=_("不满意原因"), required=False, max_length=500)
    within_duty = forms.BooleanField(label=_("不满意原因属本中心职责"), required=False)
    has_sued = forms.BooleanField(label=_("当事人已起诉"), required=False)
    flare_up_risk = forms.ChoiceField(
        label=_("反弹风险"), choices=FlareUpRisk.choices, initial=FlareUpRisk.NONE
    )
    measures = forms.CharField(label=_("采取的措施"), required=False, max_length=500)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, revisit, **kwargs):
        super().__init__(*args, **kwargs)
        self.clauses = list(revisit.agreement.clauses.all()) if revisit.agreement_id else []
        today = timezone.localdate()
        for c in self.clauses:
            self.fields[f"clause_{c.pk}"] = forms.ChoiceField(
                label=_("第%(n)s条履行情况：%(text)s") % {"n": c.number, "text": c.content[:40]},
                choices=list(PERFORMANCE.items()),
                initial="not_due" if c.deadline > today else "performed",
            )
        order = ["method", "contacted"] + [f"clause_{c.pk}" for c in self.clauses]
        self.order_fields(order + [n for n in self.fields if n not in order])

    def finding(self) -> RevisitFinding:
        d = dict(self.cleaned_data)
        performance = {str(c.pk): d.pop(f"clause_{c.pk}") for c in self.clauses}
        return RevisitFinding(performance=performance, **d)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("评价"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("意见（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TrackForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=16)
