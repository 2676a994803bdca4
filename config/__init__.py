"""Typed settings and the bundled watch configs (vLLM's taxonomy)."""

from config.clock import iso_z, parse_utc, utcnow
from config.errors import (
    ClassifierError,
    CollectorError,
    ConfigError,
    DatasetError,
    OssScoutError,
    ReportError,
    StorageError,
)
from config.settings import Settings, get_settings
from config.watch import (
    BUNDLED_VLLM,
    BenchHardware,
    BenchMetric,
    BenchTarget,
    NoGpu,
    RepoWatch,
    Subsystem,
    Taxonomy,
    WatchConfig,
    load_watch_config,
)

__all__ = [
    "BUNDLED_VLLM",
    "BenchHardware",
    "BenchMetric",
    "BenchTarget",
    "ClassifierError",
    "CollectorError",
    "ConfigError",
    "DatasetError",
    "NoGpu",
    "OssScoutError",
    "RepoWatch",
    "ReportError",
    "Settings",
    "StorageError",
    "Subsystem",
    "Taxonomy",
    "WatchConfig",
    "get_settings",
    "iso_z",
    "load_watch_config",
    "parse_utc",
    "utcnow",
]
