"""The one error base of oss-scout: library code raises these; only the CLI and the bot translate them."""

from __future__ import annotations


class OssScoutError(Exception):
    """Base of every error a user should see as a clear message (never a traceback)."""

    exit_code: int = 1


class ConfigError(OssScoutError):
    """The configuration file or environment is invalid."""

    exit_code = 2


class UnknownSubsystem(ConfigError):
    """A subsystem the repo's taxonomy does not know (a usage error, naming the nearest ones)."""


class DatasetError(OssScoutError):
    """A dataset directory is missing, corrupt or has objects of the wrong shape."""


class StorageError(OssScoutError):
    """The database cannot be reached, migrated or written."""


class CollectorError(OssScoutError):
    """A collection could not finish (the checkpoint keeps what was done)."""


class ClassifierError(OssScoutError):
    """Models are missing, stale or cannot be trained."""


class ReportError(OssScoutError):
    """A report cannot be produced (e.g. no data yet)."""
