import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ui.urls")]


def _normalised(response, path: str) -> str:
    """CSRF tokens are masked afresh on every render and the page links back to its own
    path (language switcher); everything else must match."""
    html = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode())
    return html.replace(path, "PATH")


def test_forbidden_and_missing_records_show_the_same_404(client, tree, grid_worker):
    client.force_login(grid_worker)
    other_town = tree["town_b_grid1"]
    missing_pk = other_town.pk + 1000

    forbidden_path = reverse("probe", args=[other_town.pk])
    missing_path = reverse("probe", args=[missing_pk])

    own = client.get(reverse("probe", args=[tree["town_a_grid1"].pk]))
    forbidden = client.get(forbidden_path)
    missing = client.get(missing_path)

    assert own.status_code == 200
    assert forbidden.status_code == missing.status_code == 404
    assert "页面不存在或无权访问" in forbidden.content.decode()
    assert _normalised(forbidden, forbidden_path) == _normalised(missing, missing_path)
