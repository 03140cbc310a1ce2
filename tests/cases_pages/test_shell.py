"""The layout's badges and role list are kept per signed-in browser for a few seconds
(``fengqiao.core.shell``): a user's own change shows at once, others' within the TTL."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengqiao.accounts.models import Assignment
from fengqiao.cases.models import Notification
from fengqiao.core.shell import WRITE_MARK_COOKIE

from .helpers import dispatched_to_grid_worker

TTL = 30


@pytest.fixture(autouse=True)
def shell_cache(settings):
    settings.SHELL_CACHE_SECONDS = TTL
    caches["shell"].clear()
    yield
    caches["shell"].clear()


def badges(response) -> list[str]:
    return re.findall(r'data-testid="nav-badge">(\d+)<', response.content.decode())


def queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_a_second_page_reuses_the_badges_and_roles(signed_in, world):
    # Given a grid worker with one case to sign for and one notification
    dispatched_to_grid_worker(world)
    client = signed_in(world.grid_worker)

    # When they open two pages
    first, page1 = queries(client, reverse("cases:workbench"))
    second, page2 = queries(client, reverse("cases:workbench"))

    # Then the second shows the same badges and roles for fewer statements
    assert badges(page1) == badges(page2) == ["1", "1"]
    assert world.grid1.name in page2.content.decode()
    assert second < first


def test_the_users_own_change_shows_at_once(signed_in, world):
    # Given a grid worker whose inbox badge is cached at 1
    dispatched_to_grid_worker(world)
    client = signed_in(world.grid_worker)
    assert badges(client.get(reverse("cases:inbox"))) == ["1", "1"]

    # When they read the notification (a POST: a new write mark)
    note = Notification.objects.get(recipient=world.grid_worker)
    response = client.post(reverse("cases:inbox-read", args=[note.pk]))
    assert WRITE_MARK_COOKIE in response.cookies

    # Then the next page no longer shows the inbox badge
    assert badges(client.get(reverse("cases:inbox"))) == ["1"]


def test_others_changes_show_within_the_ttl(signed_in, world):
    # Given a grid worker who has seen one case waiting
    dispatched_to_grid_worker(world)
    client = signed_in(world.grid_worker)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert badges(client.get(reverse("cases:workbench")))[0] == "1"

        # When the centre dispatches a second case to them
        dispatched_to_grid_worker(world)

        # Then the badge may lag, but not beyond the TTL
        clock.shift(TTL + 1)
        assert badges(client.get(reverse("cases:workbench")))[0] == "2"


def test_another_browser_of_the_same_user_is_not_served_this_ones_shell(world):
    # Given a grid worker whose shell is cached in one browser
    dispatched_to_grid_worker(world)
    one = Client()
    one.force_login(world.grid_worker)
    assert badges(one.get(reverse("cases:workbench")))[0] == "1"
    dispatched_to_grid_worker(world)

    # When they sign in from another browser
    other = Client()
    other.force_login(world.grid_worker)

    # Then that one counts afresh
    assert badges(other.get(reverse("cases:workbench")))[0] == "2"


def test_permissions_are_not_cached(signed_in, world):
    # Given the street's intake officer, who sees the registration entry
    client = signed_in(world.intake)
    assert reverse("cases:create") in client.get(reverse("cases:list")).content.decode()

    # When an administrator removes their roles
    Assignment.objects.filter(user=world.intake).delete()

    # Then the next page refuses them at once, cached shell or not
    assert client.get(reverse("cases:list")).status_code == 404


def test_a_write_computes_the_shell_afresh_and_stores_nothing(signed_in, world):
    # Given a grid worker with a cached shell
    dispatched_to_grid_worker(world)
    client = signed_in(world.grid_worker)
    client.get(reverse("cases:workbench"))
    note = Notification.objects.get(recipient=world.grid_worker)

    # When a POST is answered (here with a redirect) under the old write mark
    client.cookies.pop(WRITE_MARK_COOKIE, None)
    client.post(reverse("cases:inbox-read", args=[note.pk]))

    # Then a page under the new mark counts afresh
    first, _page = queries(client, reverse("cases:inbox"))
    second, _page = queries(client, reverse("cases:inbox"))
    assert second < first
