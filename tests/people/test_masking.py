import pytest
from django.template import Context, Template

from fengqiao.people.masking import mask_id, mask_phone


def test_id_number_keeps_four_digits_at_each_end():
    assert mask_id("150621199001011234") == "1506**********1234"


def test_mobile_keeps_three_and_four():
    assert mask_phone("13812345678") == "138****5678"


def test_landline_keeps_area_code_and_last_four():
    assert mask_phone("0477-8123456") == "0477-***3456"


@pytest.mark.parametrize("value", ["", "12", "1234567"])
def test_short_values_never_show_in_full(value):
    assert mask_id(value) == "*" * len(value)


def test_template_filters_mask():
    html = Template("{% load masking %}{{ i|mask_id }} {{ p|mask_phone }}").render(
        Context({"i": "150621199001011234", "p": "13812345678"})
    )
    assert html == "1506**********1234 138****5678"
