from tests.analytics.conftest import other_street  # noqa: F401
from tests.cases.conftest import World, world  # noqa: F401
