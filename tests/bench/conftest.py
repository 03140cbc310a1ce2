"""The bench tests use the case pages' small world and sign-in helper."""

from tests.cases_pages.conftest import signed_in, world  # noqa: F401 — shared fixtures
