"""Fixtures of the collector tests (the GitHub sandbox ones live in tests.helpers.github_fixtures)."""

from tests.helpers.github_fixtures import github_dataset, github_sandbox  # noqa: F401
