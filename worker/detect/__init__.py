"""Arabic event detection: `detect(text)` for the default rules, `load_detector()` for custom ones.

Plain Python (no Celery, no Redis), so it runs the same in a worker, a test and the benchmark;
compiled with mypyc when a build of these very sources is there (see native.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from . import native

native.activate(__path__)  # the compiled modules, when built from these sources (see native.py)

from .engine import Detector  # noqa: E402
from .model import ACCESS_EVENTS, EVENT_TYPES, Crossing, Event, Mark, Place  # noqa: E402
from .rules import RuleFileError, default_rule_files, load_rules  # noqa: E402

__all__ = [
    "ACCESS_EVENTS", "EVENT_TYPES", "Crossing", "Detector", "Event", "Mark", "Place", "RuleFileError",
    "default_detector", "detect", "load_detector",
]


def load_detector(extra_rule_files: Sequence[str | Path] = ()) -> Detector:
    """A detector with the built-in rules plus `extra_rule_files` (feeds.yaml `settings.extra_rules`).

    Raises RuleFileError naming the file, rule and key when a rule file is wrong.
    """
    return Detector(load_rules([*default_rule_files(), *extra_rule_files]))


@lru_cache(maxsize=1)
def default_detector() -> Detector:
    """The built-in rules, compiled once per process."""
    return load_detector()


def detect(text: str, *, title: str | None = None, published: str | datetime | None = None) -> list[Event]:
    """Events stated in an Arabic article body (see `Detector.detect`)."""
    return default_detector().detect(text, title=title, published=published)
