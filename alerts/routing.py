"""Which destinations an alert goes to: the filters of each destination in feeds.yaml.

Every filter that is set must pass (AND); within one filter any value may match (OR). A filter
that cannot be checked (a tag filter without the feeds' tags, a country filter on an alert with
no known country) does not match: a team that asked for Syria only should not get an alert
because its country is unknown. Test alerts are never routed; they go where they were sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from alerts.grouping import fold_crossing, fold_name, fold_place
from alerts.model import Alert
from worker.config import Destination, Feed


def _names(alert: Alert) -> list[str]:
    """Every folded name the alert's crossing and places go by (Arabic and English)."""
    event = alert.event
    names: list[str] = []
    if event.crossing:
        c = event.crossing
        names += [fold_name(c.name), fold_crossing(c.name)]
        names += [fold_name(n) for n in (c.name_en, c.id) if n]
    for p in event.places:
        names += [fold_name(p.name), fold_place(p.name)]
        names += [fold_name(n) for n in (p.name_en, p.id) if n]
    return [n for n in names if n]


def _contains_words(haystack: str, needle: str) -> bool:
    """`needle`'s words appear together, whole, in `haystack` ("دمشق" is in "ريف دمشق", not in "دمشقي")."""
    h, n = haystack.split(), needle.split()
    return bool(n) and any(h[i : i + len(n)] == n for i in range(len(h) - len(n) + 1))


def _countries(alert: Alert) -> set[str]:
    event = alert.event
    codes = {p.country for p in event.places if p.country}
    if event.crossing:
        codes.update(event.crossing.countries)
    return {c.upper() for c in codes}


def _feed_tags(alert: Alert, feed_tags: dict[str, list[str]] | None) -> set[str]:
    tags: set[str] = set()
    for s in alert.sources:
        tags.update((feed_tags or {}).get(s.feed, ()))
    return tags


def matches(alert: Alert, dest: Destination, *, feed_tags: dict[str, list[str]] | None = None) -> bool:
    """True when `alert` passes every filter `dest` sets. `feed_tags` maps feed id to its tags."""
    event = alert.event
    if alert.test:
        return False
    if event.type not in dest.events or event.status not in dest.statuses:
        return False
    if event.confidence < dest.min_confidence:
        return False
    if dest.feeds and not {s.feed for s in alert.sources} & set(dest.feeds):
        return False
    if dest.tags and not _feed_tags(alert, feed_tags) & set(dest.tags):
        return False
    if dest.countries and not _countries(alert) & {c.upper() for c in dest.countries}:
        return False
    if dest.places:
        names = _names(alert)
        wanted = [w for w in (fold_name(p) for p in dest.places) if w]
        if not any(_contains_words(n, w) for n in names for w in wanted):
            return False
    return True


def route(
    alert: Alert, destinations: Iterable[Destination], *, feed_tags: dict[str, list[str]] | None = None
) -> list[Destination]:
    """The destinations whose filters `alert` passes, in configuration order."""
    return [d for d in destinations if matches(alert, d, feed_tags=feed_tags)]


def feed_tags_of(feeds: Iterable[Feed]) -> dict[str, list[str]]:
    """`{feed id: tags}` from `Config.feeds`, the shape `matches` and `route` take."""
    return {f.id: list(f.tags) for f in feeds}
