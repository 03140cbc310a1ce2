"""The pages of cases use the cases tests' small world (工业街道) and its personas."""

import pytest

from tests.cases.conftest import World, world  # noqa: F401 — the shared fixture
from tests.factories import PASSWORD


@pytest.fixture
def signed_in(client):
    """Sign ``user`` into the test client and return the client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


__all__ = ["PASSWORD", "World", "world"]
