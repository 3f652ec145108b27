"""feeds.yaml as validated data: settings, feeds and destinations."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from worker.detect.model import ACCESS_EVENTS, EVENT_TYPES, STATUSES

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: object) -> float:
    """'90s', '2m', '1h', or a number of seconds, to seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 90s, 2m or 1h")
    if isinstance(value, int | float):
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError(f"{value!r} is not a duration such as 90s, 2m or 1h")
    return float(m.group(1)) * _UNITS[m.group(2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Settings(Strict):
    allow_private_networks: bool = False
    tick: float = 10.0  # seconds between scheduler ticks
    backfill_hours: float = 24.0
    max_response_bytes: int = 10 * 1024 * 1024
    per_host_concurrency: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    failures_before_failing: int = 5
    max_backoff: float = 6 * 3600.0
    user_agent: str = "rasd/0.1 (+https://github.com/rasd-news/rasd; Arabic news monitor)"
    extra_rules: list[str] = Field(default_factory=list)  # paths to more detector rule files
    alerts_file: str = "var/alerts.jsonl"
    group_window_hours: float = 48.0

    @field_validator("tick", "max_backoff", "connect_timeout", "read_timeout", mode="before")
    @classmethod
    def _duration(cls, v: object) -> float:
        return parse_duration(v)


class Feed(Strict):
    id: str = Field(pattern=r"^[a-z0-9_-]+$", max_length=64)
    url: str
    interval: float = 300.0
    name: str | None = None  # outlet name shown in alerts
    tags: list[str] = Field(default_factory=list)
    country: str | None = None
    encoding: str | None = None  # override when a feed declares the wrong charset
    enabled: bool = True
    backfill_hours: float | None = None

    @field_validator("interval", mode="before")
    @classmethod
    def _interval(cls, v: object) -> float:
        seconds = parse_duration(v)
        if seconds < 30 or seconds > 86400:
            raise ValueError("interval must be between 30s and 24h")
        return seconds

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/?#]+", v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v


class Destination(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    type: Literal["slack", "webhook", "apprise", "console"]
    url_env: str | None = None  # the environment variable holding the URL (never the URL itself)
    secret_env: str | None = None  # webhook signing secret ("whsec_...")
    events: list[str] = Field(default_factory=lambda: list(ACCESS_EVENTS))
    statuses: list[str] = Field(default_factory=lambda: list(STATUSES))
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    feeds: list[str] = Field(default_factory=list)  # empty: all feeds
    tags: list[str] = Field(default_factory=list)  # empty: any tag
    countries: list[str] = Field(default_factory=list)  # ISO codes of places; empty: anywhere
    places: list[str] = Field(default_factory=list)  # place names as written (folded match)
    rate_per_second: float | None = None  # default: 1 for slack, 5 for others
    timeout: float = Field(default=15.0, gt=0, le=30)

    @field_validator("events")
    @classmethod
    def _events(cls, v: list[str]) -> list[str]:
        unknown = [t for t in v if t not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"unknown event type(s) {unknown}; known: {', '.join(EVENT_TYPES)}")
        return v

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, v: list[str]) -> list[str]:
        unknown = [s for s in v if s not in STATUSES]
        if unknown:
            raise ValueError(f"unknown status(es) {unknown}; known: {', '.join(STATUSES)}")
        return v


class Config(Strict):
    settings: Settings = Field(default_factory=Settings)
    feeds: list[Feed] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)

    def feed(self, feed_id: str) -> Feed | None:
        return next((f for f in self.feeds if f.id == feed_id), None)

    def destination(self, name: str) -> Destination | None:
        return next((d for d in self.destinations if d.name == name), None)
