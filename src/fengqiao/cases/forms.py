"""Forms of the case pages: intake (window and phone), parties, the list's filters and
one small form per action. Checks of substance stay in ``cases.actions``; these forms
only turn posted text into the actions' arguments, with messages in Chinese."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Assignment, Role, User
from fengqiao.areas import access, paths
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area, Building, Household
from fengqiao.people.models import Person, Sex
from fengqiao.people.validation import FieldError, clean_id_number, clean_phone
from fengqiao.units.models import Unit

from .intake import MAX_ATTACHMENT_BYTES, PartyInput
from .models import (
    CaseKind,
    Category,
    Channel,
    Grade,
    PartyRole,
    Risk,
    SupervisionLevel,
    Urgency,
)
from .states import Action, State

MAX_ATTACHMENTS = 10
MAX_PARTIES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by the intake action."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("附件最多 %(n)s 个。") % {"n": MAX_ATTACHMENTS})
        for upload in files:
            if upload.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(_("附件“%(name)s”超过 10 MB。") % {"name": upload.name})
        return files


def _area_label(area: Area, depth_from: int) -> str:
    return "　" * max(area.depth - depth_from, 0) + area.name


def _area_rows(areas) -> list[tuple[int, str, int]]:
    """(pk, name, depth) of areas: a long select needs no model instances."""
    rows = areas.values_list("pk", "name", "path")
    return [(pk, name, len(path) // paths.SEGMENT) for pk, name, path in rows]


def _indented(rows: list[tuple[int, str, int]], depth_from: int) -> list[tuple[int, str]]:
    """The choices of ``_area_rows``, labelled as ``_area_label`` does."""
    return [(pk, "　" * max(depth - depth_from, 0) + name) for pk, name, depth in rows]


def place_areas(user, current: Area | None) -> list[Area]:
    """The areas offered by the drill-down place picker: the user's top areas, or the
    chosen area's ancestors within reach, the area itself and its children."""
    roots = access.area_paths_for(user, Perm.CASE_REGISTER)
    if current is None:
        return list(access.top_areas(user, Perm.CASE_REGISTER).order_by("path"))
    chain = [a for a in current.ancestors() if any(a.path.startswith(r) for r in roots)]
    children = list(current.children.order_by("path")[:500])
    return chain + children


class IntakeForm(forms.Form):
    """The facts of a new case (parties and links are posted beside it)."""

    kind = forms.ChoiceField(label=_("事项类型"), choices=CaseKind.choices)
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none())
    subcategory = forms.ModelChoiceField(
        label=_("细类"), queryset=Category.objects.none(), required=False
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    narrative = forms.CharField(
        label=_("事项描述"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    area = forms.ModelChoiceField(label=_("所在区域"), queryset=Area.objects.none())
    building = forms.ModelChoiceField(
        label=_("楼栋（可选）"), queryset=Building.objects.none(), required=False
    )
    household = forms.ModelChoiceField(
        label=_("住户（可选）"), queryset=Household.objects.none(), required=False
    )
    latitude = forms.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, required=False, min_value=-90
    )
    longitude = forms.DecimalField(
        label=_("经度"), max_digits=9, decimal_places=6, required=False, min_value=-180
    )
    occurred_at = forms.DateTimeField(
        label=_("发生时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    people_count = forms.IntegerField(
        label=_("涉及人数"), min_value=1, max_value=1_000_000, initial=1
    )
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    attachments = MultipleFileField(label=_("照片或材料"), required=False)

    def __init__(self, user, *args, phone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = Category.objects.filter(
            parent__isnull=True, is_active=True
        )
        self.fields["category"].label_from_instance = lambda c: c.name
        self.fields["subcategory"].queryset = Category.objects.filter(
            parent__isnull=False, is_active=True
        )
        self.fields["subcategory"].label_from_instance = lambda c: c.name
        self.fields["area"].queryset = access.visible_areas(user, Perm.CASE_REGISTER)
        scoped = access.scope_q(user, Perm.CASE_REGISTER)
        self.fields["building"].queryset = Building.objects.filter(scoped)
        self.fields["household"].queryset = Household.objects.filter(scoped)
        upload = self.fields["attachments"].widget.attrs
        if phone:
            upload.update({"accept": "image/*", "capture": "environment"})
            self.fields["attachments"].label = _("现场照片")
        else:
            upload["accept"] = "image/jpeg,image/png,application/pdf,.docx"
        self._offer_place()
        self._offer_subcategories()

    def _value(self, name: str) -> str:
        return str(self.data.get(name) or self.initial.get(name) or "")

    def _chosen(self, name: str, queryset):
        value = self._value(name)
        return queryset.filter(pk=value).first() if value.isdigit() else None

    def _offer_place(self) -> None:
        """Only the chosen area's neighbourhood is put into the page, not a city."""
        area = self._chosen("area", self.fields["area"].queryset)
        self.chosen_area = area
        offered = place_areas(self.user, area)
        depth = min((a.depth for a in offered), default=0)
        self.fields["area"].widget.choices = [("", _("请选择区域"))] + [
            (a.pk, _area_label(a, depth)) for a in offered
        ]
        if area is None:
            self.fields["building"].widget.choices = [("", "—")]
            self.fields["household"].widget.choices = [("", "—")]
            return
        buildings = Building.objects.filter(area=area).order_by("name")[:300]
        self.fields["building"].widget.choices = [("", "—")] + [(b.pk, b.name) for b in buildings]
        building = self._chosen("building", Building.objects.filter(area=area))
        households = Household.objects.filter(building=building) if building else []
        self.fields["household"].widget.choices = [("", "—")] + [
            (h.pk, h.address) for h in list(households)[:300]
        ]

    def _offer_subcategories(self) -> None:
        parent = self._value("category")
        children = (
            list(Category.objects.filter(parent_id=parent, is_active=True))
            if parent.isdigit()
            else []
        )
        self.has_subcategories = bool(children)
        self.fields["subcategory"].widget.choices = [("", _("（不细分）"))] + [
            (c.pk, c.name) for c in children
        ]

    def clean_occurred_at(self):
        value = self.cleaned_data.get("occurred_at")
        if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("发生时间不能晚于现在。"))
        return value

    def clean(self):
        data = super().clean()
        sub, parent = data.get("subcategory"), data.get("category")
        if sub is not None and parent is not None and sub.parent_id != parent.pk:
            self.add_error("subcategory", _("细类不属于所选类别。"))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("经纬度须同时填写。"))
        building, household = data.get("building"), data.get("household")
        area = data.get("area")
        if building is not None and area is not None and building.area_id != area.pk:
            self.add_error("building", _("楼栋不在所选区域内。"))
        if household is not None and building is not None and household.building_id != building.pk:
            self.add_error("household", _("住户不在所选楼栋内。"))
        return data

    def register_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "channel": data["channel"],
            "category": data.get("subcategory") or data["category"],
            "title": data["title"],
            "narrative": data["narrative"],
            "area": data["area"],
            "building": data.get("building"),
            "household": data.get("household"),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "occurred_at": data.get("occurred_at"),
            "people_count": data["people_count"],
            "amount": data.get("amount"),
            "attachments": data.get("attachments") or [],
        }


class PartyForm(forms.Form):
    """One party: a person picked from the register, or a new one typed in."""

    role = forms.ChoiceField(label=_("当事人类型"), choices=PartyRole.choices)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, required=False, widget=forms.TextInput()
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    representative_name = forms.CharField(label=_("代理人"), max_length=50, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.picked = None
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "data-duplicate-check": ""}
        )
        self.fields["phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "off", "data-duplicate-check": ""}
        )

    def clean_id_number(self):
        try:
            return clean_id_number(self.cleaned_data.get("id_number", ""))
        except FieldError as e:
            raise forms.ValidationError(str(e)) from e

    def clean_phone(self):
        try:
            return clean_phone(self.cleaned_data.get("phone", ""))
        except FieldError as e:
            raise forms.ValidationError(str(e)) from e

    def clean(self):
        data = super().clean()
        pk = data.get("person")
        if pk:
            people = access.scope(Person.objects.all(), self.user, Perm.PERSON_VIEW, "area_path")
            self.picked = people.filter(pk=pk).first()
            if self.picked is None:
                raise forms.ValidationError(_("所选人员不存在或不在您的辖区内。"))
        elif not data.get("name") and (
            data.get("id_number") or data.get("phone") or data.get("representative_name")
        ):
            self.add_error("name", _("请填写当事人姓名。"))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("person") and not data.get("name")

    def party_input(self) -> PartyInput:
        data = self.cleaned_data
        if self.picked is not None:
            return PartyInput(
                role=data["role"],
                person=self.picked,
                representative_name=data.get("representative_name", ""),
            )
        return PartyInput(
            role=data["role"],
            name=data["name"],
            id_number=data.get("id_number", ""),
            phone=data.get("phone", ""),
            sex=data.get("sex", ""),
            representative_name=data.get("representative_name", ""),
        )

    def draft(self) -> dict:
        """What the duplicate check needs, from raw posted values (before validation)."""
        pk = self.data.get(self.add_prefix("person"), "")
        if str(pk).isdigit():
            people = access.scope(Person.objects.all(), self.user, Perm.PERSON_VIEW, "area_path")
            person = people.filter(pk=pk).first()
            if person is not None:
                return {"id_number": person.id_number, "phone": person.phone}
        return {
            "id_number": self.data.get(self.add_prefix("id_number"), ""),
            "phone": self.data.get(self.add_prefix("phone"), ""),
        }


class BasePartyFormSet(forms.BaseFormSet):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user}

    def clean(self):
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.is_blank:
                continue
            key = form.cleaned_data.get("person") or form.cleaned_data.get("id_number")
            if key and key in seen:
                raise forms.ValidationError(_("同一人不能重复列为当事人。"))
            if key:
                seen.add(key)

    def party_inputs(self) -> list[PartyInput]:
        return [f.party_input() for f in self.forms if not f.is_blank]


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=1, max_num=MAX_PARTIES, validate_max=True
)


class CaseFactsForm(forms.Form):
    """更正事项情况: the facts the centre may correct before dispatch."""

    title = forms.CharField(label=_("标题"), max_length=200)
    narrative = forms.CharField(
        label=_("事项描述"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none())
    area = forms.ModelChoiceField(label=_("所在区域"), queryset=Area.objects.none())
    occurred_at = IntakeForm.base_fields["occurred_at"]
    people_count = IntakeForm.base_fields["people_count"]
    amount = IntakeForm.base_fields["amount"]
    note = forms.CharField(
        label=_("更正说明"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, case, user=None, **kwargs):
        initial = {
            "title": case.title,
            "narrative": case.narrative,
            "category": case.category_id,
            "area": case.area_id,
            "occurred_at": case.occurred_at,
            "people_count": case.people_count,
            "amount": case.amount,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.case, self.user = case, user
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related(
            "parent"
        )
        # The place stays within the level handling the case (``update_case_facts``).
        within = Area.objects.filter(path__startswith=case.handling_area.path)
        self.fields["area"].queryset = within
        depth = case.handling_area.depth
        self.fields["area"].widget.choices = _indented(
            _area_rows(within.order_by("path")[:500]), depth
        )

    def clean_occurred_at(self):
        value = self.cleaned_data.get("occurred_at")
        if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("发生时间不能晚于现在。"))
        return value

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


# --- The list's filters ------------------------------------------------------------------

_ANY = [("", _("全部"))]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)
    area = forms.ModelChoiceField(label=_("区域"), queryset=Area.objects.none(), required=False)
    state = forms.ChoiceField(label=_("状态"), choices=_ANY + State.choices, required=False)
    kind = forms.ChoiceField(label=_("事项类型"), choices=_ANY + CaseKind.choices, required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.filter(parent__isnull=True), required=False
    )
    grade = forms.ChoiceField(label=_("等级"), choices=_ANY + Grade.choices, required=False)
    risk = forms.ChoiceField(label=_("风险"), choices=_ANY + Risk.choices, required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=_ANY + Channel.choices, required=False)
    overdue = forms.BooleanField(label=_("仅超期"), required=False)
    verify_overdue = forms.BooleanField(label=_("仅核查超期"), required=False)
    date_from = forms.DateField(
        label=_("登记自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("登记至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), required=False)
    handler = forms.CharField(label=_("承办人"), max_length=50, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = access.visible_areas(user, Perm.CASE_VIEW)
        # Choosing an area reloads the list, offering that area's children next.
        self.fields["area"].widget.attrs["data-autosubmit"] = ""
        self.fields["category"].label_from_instance = lambda c: c.name
        units = Unit.objects.filter(access.scope_q(user, Perm.CASE_VIEW, "area_path"))
        self.fields["unit"].queryset = units
        value = str(self.data.get("area") or "")
        chosen = self.fields["area"].queryset.filter(pk=value).first() if value.isdigit() else None
        roots = access.area_paths_for(user, Perm.CASE_VIEW)
        if chosen is None:
            offered = _area_rows(access.top_areas(user, Perm.CASE_VIEW).order_by("path")[:50])
        else:
            chain = [a for a in chosen.ancestors() if any(a.path.startswith(r) for r in roots)]
            offered = [(a.pk, a.name, a.depth) for a in chain]
            offered += _area_rows(chosen.children.order_by("path")[:500])
        depth = min((row[2] for row in offered), default=0)
        self.fields["area"].widget.choices = _ANY + _indented(offered, depth)
        # Pairs, not model instances: a city's 300 units are a long select on every list.
        self.fields["unit"].widget.choices = _ANY + list(
            units.order_by("area_path", "name").values_list("pk", "name")[:300]
        )


# --- One form per action -----------------------------------------------------------------


class ActionForm(forms.Form):
    """The fields an action needs; ``arguments`` maps them to the action's keywords."""

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


NOTE_LABEL = _("说明")


def _note(label=NOTE_LABEL, required=False, rows=2) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class NoteForm(ActionForm):
    note = _note()


class RequiredNoteForm(ActionForm):
    note = _note(_("理由"), required=True)


class DeclineForm(ActionForm):
    reason = _note(_("不予受理理由"), required=True)


class ReturnForm(ActionForm):
    reason = _note(_("退单理由"), required=True)
    basis = _note(_("退单依据（法规、政策或职责）"), required=True)


class SendBackForm(ActionForm):
    reason = _note(_("退回理由"), required=True)


class CompleteForm(ActionForm):
    feedback = _note(_("办结反馈"), required=True, rows=4)


class SignForForm(ActionForm):
    pass


def leaders_over(area: Area):
    """Users who may supervise cases in ``area`` (leaders on it or above)."""
    ancestors = Area.objects.ancestors_of(area).values("pk")
    return User.objects.filter(
        assignments__area__in=ancestors, assignments__role=Role.LEADER, is_active=True
    ).distinct()


def handlers_for(area: Area):
    """Users who may handle cases placed in ``area``."""
    ancestors = Area.objects.ancestors_of(area).values("pk")
    roles = [r for r, perms in access.ROLE_PERMISSIONS.items() if Perm.CASE_HANDLE in perms]
    ids = Assignment.objects.filter(area__in=ancestors, role__in=roles).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def _user_label(u) -> str:
    return str(u)


class AssessForm(ActionForm):
    grade = forms.ChoiceField(label=_("等级"), choices=Grade.choices)
    risk = forms.ChoiceField(label=_("风险等级"), choices=Risk.choices, initial=Risk.BLUE)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    lead_leader = forms.ModelChoiceField(
        label=_("包案领导（红色风险必填）"), queryset=User.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("定人（难事必填）"), queryset=User.objects.none(), required=False
    )
    responsibility = forms.CharField(label=_("定责（难事必填）"), max_length=500, required=False)
    deadline = forms.DateField(
        label=_("定时限（难事必填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = _note(_("研判意见"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_leader"].queryset = leaders_over(self.case.area)
        self.fields["owner"].queryset = handlers_for(self.case.area)
        for name in ("lead_leader", "owner"):
            self.fields[name].label_from_instance = _user_label
        if self.case.grade:
            self.initial.update(
                {"grade": self.case.grade, "risk": self.case.risk, "urgency": self.case.urgency}
            )


def dispatch_units(case):
    """Units the case may go to: at the handling level, above it on its branch or below."""
    here = case.handling_area.path
    above = [here[:i] for i in range(5, len(here) + 1, 5)]
    return Unit.objects.active().filter(Q(area_path__in=above) | Q(area_path__startswith=here))


class DispatchForm(ActionForm):
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), required=False)
    handler = forms.ModelChoiceField(
        label=_("承办人"), queryset=User.objects.none(), required=False
    )
    note = _note(_("派单说明"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = dispatch_units(self.case)
        self.fields["unit"].empty_label = _("（不指定）")
        self.fields["handler"].queryset = handlers_for(self.case.area)
        self.fields["handler"].empty_label = _("（不指定）")
        self.fields["handler"].label_from_instance = _user_label
        self.fields["unit"].help_text = _("单位和承办人都不选时，按等级派给默认承办方。")


class CoHandlerForm(ActionForm):
    unit = forms.ModelChoiceField(label=_("协办单位"), queryset=Unit.objects.none(), required=False)
    user = forms.ModelChoiceField(label=_("协办人"), queryset=User.objects.none(), required=False)
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = dispatch_units(self.case)
        self.fields["user"].queryset = handlers_for(self.case.area)
        self.fields["user"].label_from_instance = _user_label


class EscalateForm(ActionForm):
    to_area = forms.ModelChoiceField(
        label=_("上报至"), queryset=Area.objects.none(), required=False
    )
    note = _note(_("上报理由"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        handling = self.case.handling_area
        self.fields["to_area"].queryset = Area.objects.ancestors_of(handling).exclude(
            pk=handling.pk
        )
        self.fields["to_area"].empty_label = _("上一级")


class DelegateForm(ActionForm):
    to_area = forms.ModelChoiceField(label=_("下派至"), queryset=Area.objects.none())
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        handling = self.case.handling_area
        self.fields["to_area"].queryset = (
            Area.objects.ancestors_of(self.case.area)
            .filter(path__startswith=handling.path)
            .exclude(pk=handling.pk)
        )


class ExtensionForm(ActionForm):
    days = forms.IntegerField(label=_("延期工作日"), min_value=1, max_value=30)
    reason = _note(_("延期理由"), required=True)


class SuperviseForm(ActionForm):
    level = forms.ChoiceField(label=_("督办级别"), choices=SupervisionLevel.choices)
    note = _note(_("督办意见"))


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ACCEPT: NoteForm,
    Action.DECLINE: DeclineForm,
    Action.ASSESS: AssessForm,
    Action.DISPATCH: DispatchForm,
    Action.SIGN_FOR: SignForForm,
    Action.RETURN: ReturnForm,
    Action.OVERRULE_RETURN: RequiredNoteForm,
    Action.ESCALATE: EscalateForm,
    Action.DELEGATE: DelegateForm,
    Action.ADD_CO_HANDLER: CoHandlerForm,
    Action.REQUEST_EXTENSION: ExtensionForm,
    Action.APPROVE_EXTENSION: NoteForm,
    Action.REFUSE_EXTENSION: RequiredNoteForm,
    Action.SUPERVISE: SuperviseForm,
    Action.MARK_URGENT: NoteForm,
    Action.START_HANDLING: NoteForm,
    Action.COMPLETE: CompleteForm,
    Action.VERIFY: NoteForm,
    Action.SEND_BACK: SendBackForm,
    Action.REVISIT: NoteForm,
    Action.CLOSE: NoteForm,
    Action.SHELVE: RequiredNoteForm,
    Action.REFER_OUT: RequiredNoteForm,
    Action.REOPEN: RequiredNoteForm,
}
