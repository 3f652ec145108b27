"""An alert: one real-world event, reported by one or more sources. Plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from worker.detect.model import Crossing, Event


def _event_to_dict(event: Event) -> dict[str, Any]:
    """`Event.to_dict` plus the crossing's countries and coordinates, which it leaves out."""
    d = event.to_dict()
    if event.crossing:
        d["crossing_info"] = {k: v for k, v in asdict(event.crossing).items() if v not in (None, ())}
    return d


def _event_from_dict(d: dict[str, Any]) -> Event:
    event = Event.from_dict(d)
    info = d.get("crossing_info")
    if info and event.crossing:
        event.crossing = Crossing(**{**info, "countries": tuple(info.get("countries", ()))})
    return event


@dataclass
class Source:
    """An article that reported the event."""

    url: str
    feed: str
    title: str | None = None
    published: str | None = None  # ISO 8601, UTC
    outlet: str | None = None  # the feed's display name


@dataclass
class Alert:
    id: str  # stable for the life of the alert (webhook `data.id`)
    key: str  # grouping key: same key, same alert
    event: Event  # the best evidence seen so far
    sources: list[Source] = field(default_factory=list)
    created_at: str = ""  # ISO 8601, UTC
    updated_at: str = ""
    version: int = 1  # 1 for alert.created; each new source or status change adds one
    test: bool = False  # a test alert from `rasd destinations test`
    evidence_url: str | None = None  # the source whose article gave `event` (the quoted evidence)

    @property
    def kind(self) -> str:
        return "alert.created" if self.version == 1 else "alert.updated"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "event": _event_to_dict(self.event),
            "sources": [asdict(s) for s in self.sources],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "version": self.version,
            "test": self.test,
            "evidence_url": self.evidence_url,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        return cls(
            id=d["id"],
            key=d["key"],
            event=_event_from_dict(d["event"]),
            sources=[Source(**s) for s in d.get("sources", [])],
            created_at=d.get("created_at", ""),
            updated_at=d.get("updated_at", ""),
            version=int(d.get("version", 1)),
            test=bool(d.get("test", False)),
            evidence_url=d.get("evidence_url"),
        )


def iso_utc(moment: datetime) -> str:
    """The timestamp format of alerts and webhook bodies: ISO 8601, UTC, seconds, `Z`."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime (UTC)")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (a trailing `Z` allowed); naive values are taken as UTC."""
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
