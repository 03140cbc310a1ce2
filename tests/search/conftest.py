"""The search tests use the cases tests' small world (工业街道) and its personas."""

from tests.cases.conftest import World, world  # noqa: F401 — the shared fixture

__all__ = ["World", "world"]
