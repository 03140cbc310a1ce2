from django import forms
from django.utils.translation import gettext_lazy as _


class TreeImportForm(forms.Form):
    areas_file = forms.FileField(
        label=_("区划文件"),
        help_text=_("CSV，或含“区划”“网格”两个工作表的 XLSX；列：区划代码、名称、上级代码、层级"),
    )
    grids_file = forms.FileField(
        label=_("网格文件"),
        required=False,
        help_text=_("可选；列：网格编码、网格名称、所属社区代码、户数、网格员"),
    )
