"""Suite-wide fixtures."""

import importlib

import pytest

# Rows that data migrations seed (code lists, time limits, default weights and cadences).
# A transactional test ends with a flush that deletes them, so the next transactional
# test would start without them: they are seeded again before each such test.
SEEDS = [
    ("fengqiao.cases.migrations.0002_seed_categories", "cases.Category"),
    ("fengqiao.cases.migrations.0003_seed_time_limits", "cases.TimeLimit"),
    ("fengqiao.analytics.migrations.0002_seed_score_weights", "analytics.ScoreWeight"),
    ("fengqiao.meetings.migrations.0002_seed_cadences", "meetings.Cadence"),
]


def reseed() -> None:
    from django.apps import apps

    for module, label in SEEDS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not model.objects.exists():
            importlib.import_module(module).seed(apps, None)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _seeded_after_flush(request):
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")
        reseed()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """On SQLite, test in a file rather than in memory: the browser tests' live server
    then reads and writes through its own connection with the busy timeout, as in
    production, instead of sharing one in-memory connection across threads, which
    fails at random with "database table is locked"."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:  # Django's backend or fengqiao.core.db.sqlite
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _shell_not_kept(settings):
    """Pages compute their navigation badges on every request (``core.shell`` keeps them
    30 s in production): the query-count tests compare a first page with later ones and
    pin the uncached shell, the worst case. tests/cases_pages/test_shell.py turns it on."""
    settings.SHELL_CACHE_SECONDS = 0
