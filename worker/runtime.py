"""The configuration a worker or scheduler process runs with, reloaded when feeds.yaml changes."""

from __future__ import annotations

import os
from functools import lru_cache

from worker.config import Config, ConfigWatcher


def config_path() -> str:
    return os.environ.get("RASD_CONFIG", "feeds.yaml")


@lru_cache(maxsize=4)
def _watcher(path: str, pid: int) -> ConfigWatcher:
    return ConfigWatcher(path)


def current_config() -> Config:
    """The last good configuration (an invalid edit keeps the previous one and says so)."""
    return _watcher(config_path(), os.getpid()).current()
