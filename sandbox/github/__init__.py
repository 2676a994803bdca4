"""A loopback stand-in for GitHub's REST and GraphQL APIs, serving a dataset directory."""

from sandbox.github.app import GitHubSandbox
from sandbox.github.data import GitHubData, RepoData, load_github_data
from sandbox.github.faults import FaultSpec
from sandbox.github.testing import serve_in_thread

__all__ = ["FaultSpec", "GitHubData", "GitHubSandbox", "RepoData", "load_github_data", "serve_in_thread"]
