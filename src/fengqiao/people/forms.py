from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Household

from .masking import mask_id, mask_phone
from .models import DataSource, Sex


class PersonForm(forms.Form):
    """The fields of a person. Checks of substance (ID number, phone, duplicates) are
    made by the action, so that every way in gets the same ones."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    area = forms.ModelChoiceField(label=_("所属区域"), queryset=None)
    household = forms.ModelChoiceField(
        label=_("户编号（可选）"),
        queryset=None,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    data_source = forms.ChoiceField(
        label=_("数据来源"), choices=DataSource.choices, initial=DataSource.INTAKE
    )

    def __init__(self, user, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = access.visible_areas(user, Perm.PERSON_EDIT)
        self.fields["household"].queryset = access.scope(
            Household.objects.all(), user, Perm.PERSON_EDIT
        )
        if person is not None:
            # Never put the full values into the page: blank keeps them unchanged.
            for name, masked in (("id_number", mask_id), ("phone", mask_phone)):
                value = getattr(person, name)
                self.fields[name].widget.attrs["placeholder"] = masked(value) if value else ""
                self.fields[name].help_text = _("留空则保持不变。") if value else ""
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def changes(self, person) -> dict:
        """The cleaned data as action arguments; blank ID number or phone on an edit
        keeps the stored value."""
        data = dict(self.cleaned_data)
        if person is not None:
            for name in ("id_number", "phone"):
                if not data[name]:
                    data.pop(name)
        return data

    def add_action_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
