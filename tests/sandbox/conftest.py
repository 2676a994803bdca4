"""Fixtures of the sandbox tests (the GitHub ones live in tests.helpers.github_fixtures)."""

from tests.helpers.github_fixtures import github_dataset, github_sandbox  # noqa: F401
