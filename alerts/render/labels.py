"""Words every renderer shows the same way: event and status labels, outlets, names, times."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlsplit

from alerts.model import Alert, Source, parse_time
from worker.detect.model import EVENT_LABELS_AR, EVENT_LABELS_EN, Event

STATUS_EN = {"occurred": "Occurred", "announced": "Announced", "threatened": "Threatened"}


def label_en(event_type: str) -> str:
    return EVENT_LABELS_EN.get(event_type, event_type.replace("_", " ").capitalize())


def label_ar(event_type: str) -> str:
    return EVENT_LABELS_AR.get(event_type, "")


def status_en(status: str) -> str:
    return STATUS_EN.get(status, status.capitalize())


def confidence_text(confidence: float) -> str:
    word = "high" if confidence >= 0.8 else "medium" if confidence >= 0.5 else "low"
    return f"{confidence:.0%} ({word})"


def outlet(source: Source) -> str:
    """The name ops know the source by: its outlet, else its feed id, else the site's host."""
    return source.outlet or source.feed or urlsplit(source.url).hostname or source.url


def outlets(alert: Alert) -> list[str]:
    """Distinct outlets, in the order they reported."""
    seen: dict[str, None] = {}
    for s in alert.sources:
        seen.setdefault(outlet(s), None)
    return list(seen)


def evidence_source(alert: Alert) -> Source | None:
    """The source the quoted evidence came from (the first one when unknown)."""
    for s in alert.sources:
        if s.url == alert.evidence_url:
            return s
    return alert.sources[0] if alert.sources else None


def published_at(source: Source | None) -> datetime | None:
    if source is None or not source.published:
        return None
    try:
        return parse_time(source.published)
    except ValueError:
        return None


def human_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def crossing_parts(event: Event) -> tuple[str, str | None] | None:
    """(Arabic name as written, English name) of the crossing, if any."""
    if not event.crossing:
        return None
    return event.crossing.name, event.crossing.name_en


def place_parts(event: Event) -> list[tuple[str, str | None]]:
    """(name as written, English name) of each distinct place, in the order written."""
    return list(dict.fromkeys((p.name, p.name_en) for p in event.places))


def web_url(url: str | None, max_length: int = 3000) -> str | None:
    """`url` as an ASCII http(s) URL (Arabic paths percent-encoded), or None if it is not one.

    Characters that end a Slack link (`|`, `<`, `>`) and spaces are percent-encoded too.
    """
    if not url or any(ch.isspace() for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    safe = quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")
    return safe if len(safe) <= max_length else None


def is_web_url(url: str | None) -> bool:
    return web_url(url) is not None
