"""Pytest fixtures for the GitHub sandbox (import them into a conftest or test module).

- `github_dataset`: a fresh, spec-valid dataset directory (tests.helpers.github_data) per test;
- `github_sandbox`: a factory `github_sandbox(dataset, **options) -> GitHubSandbox` serving it on
  loopback in a background thread (`.url`, `.requests` = the request log as dicts, `.data` = the
  live dataset, mutable between requests); every sandbox is stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from sandbox.github import GitHubSandbox, serve_in_thread
from tests.helpers.github_data import build_github_dataset


@pytest.fixture
def github_dataset(tmp_path: Path) -> Path:
    """40 issues and 25 pull requests with comments, reviews, review comments, events and files."""
    return build_github_dataset(tmp_path / "gh-dataset")


@pytest.fixture
def github_sandbox() -> Iterator[Callable[..., GitHubSandbox]]:
    with ExitStack() as stack:
        def start(dataset: Any, **options: Any) -> GitHubSandbox:
            return stack.enter_context(serve_in_thread(dataset, **options))
        yield start
