from tests.reports.conftest import watch, world  # noqa: F401 - the planted world and the bundled config
