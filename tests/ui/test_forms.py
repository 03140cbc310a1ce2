from django import forms

from tests.html import without_csrf


class Choices(forms.Form):
    way = forms.ChoiceField(
        label="方式", choices=[("phone", "电话"), ("visit", "走访")], widget=forms.RadioSelect
    )
    risks = forms.MultipleChoiceField(
        label="风险",
        choices=[("a", "甲"), ("b", "乙")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def test_choice_lists_render_one_checkbox_per_option_and_no_checkbox_container():
    html = without_csrf(str(Choices(initial={"way": "visit"})))
    assert html.count('class="form-check-input') == 4
    assert '<div class="form-check-input' not in html
    assert 'value="visit" class="form-check-input" id="id_way_1" required checked' in html
    assert "电话" in html
    assert "乙" in html


def test_choice_list_errors_mark_each_option_invalid():
    form = Choices(data={})
    html = str(form)
    assert "form-check-input is-invalid" in html
