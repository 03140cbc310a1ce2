from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.areas import access
from fengqiao.areas.access import Perm

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    area = forms.ModelChoiceField(label=_("区域"), queryset=None)
    period_start = forms.DateField(label=_("研判期间自"), widget=DATE)
    period_end = forms.DateField(label=_("研判期间至"), widget=DATE)
    title = forms.CharField(label=_("会议名称"), max_length=200, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = access.visible_areas(user, Perm.MEETING_MANAGE).order_by(
            "path"
        )


class MinutesForm(forms.Form):
    attendees = forms.CharField(label=_("参会人员"), widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=200)
    owner = forms.ModelChoiceField(label=_("定人（责任人）"), queryset=None)
    responsibility = forms.CharField(label=_("定责（责任内容）"), max_length=500)
    deadline = forms.DateField(label=_("定时限"), widget=DATE)

    def __init__(self, area, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People holding a role on the area, above it or inside it.
        prefixes = [area.path[:i] for i in range(5, len(area.path) + 1, 5)]
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True)
            .filter(
                Q(assignments__area__path__in=prefixes)
                | Q(assignments__area__path__startswith=area.path)
            )
            .distinct()
            .order_by("username")
        )


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))
