import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory

VENDORED = [
    "vendor/tabler/css/tabler.min.css",
    "vendor/tabler/js/tabler.min.js",
    "vendor/tabler/LICENSE",
    "vendor/tabler-icons/tabler-icons.min.css",
    "vendor/tabler-icons/fonts/tabler-icons.woff2",
    "vendor/tabler-icons/LICENSE",
    "vendor/htmx/htmx.min.js",
    "vendor/htmx/LICENSE",
    "vendor/echarts/echarts.min.js",
    "vendor/echarts/LICENSE",
    "vendor/echarts/NOTICE",
    "fengqiao/app.css",
    "fengqiao/favicon.svg",
]


@pytest.mark.parametrize("path", VENDORED)
def test_static_asset_is_found_by_the_staticfiles_finders(path):
    assert finders.find(path) is not None


def test_layout_loads_nothing_from_another_host(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    html = render_to_string("base.html", request=request)

    for attr in ("src=", "href="):
        for chunk in html.split(attr)[1:]:
            assert not chunk.lstrip("\"'").startswith(("http:", "https:", "//"))


def test_vendored_stylesheets_refer_only_to_files_we_ship():
    for css in ("vendor/tabler/css/tabler.min.css", "vendor/tabler-icons/tabler-icons.min.css"):
        text = Path(finders.find(css)).read_text(encoding="utf-8")
        assert "sourceMappingURL" not in text
        for url in re.findall(r"url\(\"?([^\")]+)\"?\)", text):
            if url.startswith("data:"):
                continue
            relative = url.split("?")[0].removeprefix("./")
            assert finders.find(css.rsplit("/", 1)[0] + "/" + relative), url
