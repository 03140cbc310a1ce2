import pytest

from tests.ops.server import start_server


@pytest.fixture
def start_up(tmp_path):
    """Start `fengqiao up` on a free loopback port with an empty FENGQIAO_HOME."""
    servers = []

    def start(*, extra_env: dict[str, str] | None = None):
        server = start_server(tmp_path, extra_env or {})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()
