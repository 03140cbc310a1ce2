"""Addresses reversed once per process (the nav's entries, the case page for long lists)
are the addresses ``reverse`` gives, under any script prefix."""

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from fengqiao.cases.templatetags.case_ui import case_url
from fengqiao.core.nav import _address


@pytest.fixture
def mounted_under_sub():
    set_script_prefix("/sub/")
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("pk", [1, 42, 99014, 10**9])
def test_case_url_is_the_reversed_address(pk):
    assert case_url(pk) == reverse("cases:detail", args=[pk])


def test_case_url_follows_the_script_prefix(mounted_under_sub):
    assert case_url(7) == reverse("cases:detail", args=[7])
    assert case_url(7).startswith("/sub/")


def test_case_url_in_a_template_matches_the_url_tag():
    template = engines["django"].from_string(
        "{% load case_ui %}{{ pk|case_url }}|{% url 'cases:detail' pk %}"
    )
    ours, django_s = template.render({"pk": 123}).split("|")
    assert ours == django_s


def test_nav_addresses_follow_the_script_prefix(mounted_under_sub):
    from django.conf import settings

    assert _address("cases:list", "/sub/", settings.ROOT_URLCONF) == reverse("cases:list")
    assert _address("nowhere:list", "/sub/", settings.ROOT_URLCONF) is None
