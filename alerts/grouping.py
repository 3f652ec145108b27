"""Group detected events into alerts: several outlets reporting one closure make ONE alert.

An event's grouping key names the real-world event (type, threat or fact, and the crossing or
primary place). `record` finds the open alert with that key - one last changed within
`settings.group_window_hours` and not superseded by the opposite crossing event (a closure after
a reopening is news, not an update) - and extends it, or creates a new one. Each key is updated
in a Redis WATCH/MULTI transaction, so worker processes racing on the same event never make two
alerts, and a crash between read and write leaves nothing half-written (no lock to go stale).
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import secrets
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import redis

from alerts.model import Alert, Source, iso_utc, parse_time
from alerts.store import alert_redis_key, by_key_redis_key, loads, stage_save
from worker.config import Settings
from worker.detect.model import Event
from worker.detect.normalize import fold_word
from worker.redis_conn import get_redis

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

# How definite a report is; a more definite report replaces the alert's evidence.
STATUS_RANK = {"threatened": 1, "announced": 2, "occurred": 3}

# Types whose threatened form is a different real-world event from the act itself (a threat to
# close a crossing, then its closure, are two alerts). For siege_risk the threat IS the event.
_THREAT_IS_EVENT = frozenset({"siege_risk"})

# A crossing closure is ended by a reopening of the same crossing, and the other way round.
_OPPOSITE = {"crossing_closure": "crossing_reopening", "crossing_reopening": "crossing_closure"}

# Generic words that do not tell one crossing or place from another ("معبر رفح البري" = "رفح").
_CROSSING_WORDS = frozenset(
    fold_word(w) for w in ("معبر", "منفذ", "حاجز", "بوابة", "جسر", "نقطة", "ميناء", "مطار", "crossing", "checkpoint")
)
_CROSSING_ADJECTIVES = frozenset(
    fold_word(w) for w in ("الحدودي", "البري", "التجاري", "الحدودية", "الدولي", "border", "terminal")
)
_PLACE_WORDS = frozenset(
    fold_word(w) for w in ("مدينة", "بلدة", "قرية", "محافظة", "منطقة", "ناحية", "مخيم", "city", "town", "village")
)
_NON_WORD = re.compile(r"[\W_]+")

MAX_ATTEMPTS = 50  # transaction retries under contention before giving up loudly


def fold_name(name: str, *, lead: frozenset[str] = frozenset(), tail: frozenset[str] = frozenset()) -> str:
    """A name folded for comparison: Arabic folding, punctuation dropped, generic words trimmed."""
    words = _NON_WORD.sub(" ", fold_word(name)).split()
    while len(words) > 1 and words[0] in lead:
        words = words[1:]
    while len(words) > 1 and words[-1] in tail:
        words = words[:-1]
    return " ".join(words)


def fold_crossing(name: str) -> str:
    return fold_name(name, lead=_CROSSING_WORDS, tail=_CROSSING_ADJECTIVES)


def fold_place(name: str) -> str:
    return fold_name(name, lead=_PLACE_WORDS)


def _kind(event: Event) -> str:
    if event.status == "threatened" and event.type not in _THREAT_IS_EVENT:
        return f"{event.type}/threat"
    return event.type


def _subject(event: Event) -> str:
    if event.crossing:
        if event.crossing.id:
            return f"x:{event.crossing.id}"
        return f"xn:{fold_crossing(event.crossing.name)}"
    if event.places:
        place = event.places[0]
        return f"p:{place.id}" if place.id else f"pn:{fold_place(place.name)}"
    # Nothing to anchor on: only the same wording (a syndicated report) groups.
    digest = hashlib.sha1(fold_name(event.evidence).encode("utf-8")).hexdigest()[:16]
    return f"e:{digest}"


def alert_key(event: Event) -> str:
    """The identity of the real-world event an `Event` reports, e.g. `crossing_closure|x:rafah`."""
    return f"{_kind(event)}|{_subject(event)}"


def opposite_key(group_key: str) -> str | None:
    """The key of the event that ends this one (closure <-> reopening of the same crossing)."""
    kind, _, subject = group_key.partition("|")
    other = _OPPOSITE.get(kind)
    return f"{other}|{subject}" if other else None


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_alert_id(now: datetime | None = None) -> str:
    """A ULID: 48-bit milliseconds then 80 random bits, Crockford base32, sortable by creation time."""
    ms = int((now or datetime.now(UTC)).timestamp() * 1000) & ((1 << 48) - 1)
    value = (ms << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def _rank(event: Event) -> tuple[int, float]:
    return STATUS_RANK.get(event.status, 0), event.confidence


def _better(candidate: Event, current: Event) -> bool:
    return _rank(candidate) > _rank(current)


def _fill(best: Event, other: Event) -> Event:
    """The best evidence, completed with what only the other report knew."""
    changes = {}
    if not best.actor and other.actor:
        changes["actor"] = other.actor
    if not best.target and other.target:
        changes["target"] = other.target
    if not best.places and other.places:
        changes["places"] = list(other.places)
    if best.crossing and other.crossing and best.crossing.name_en is None and other.crossing.name_en:
        changes["crossing"] = replace(best.crossing, name_en=other.crossing.name_en)
    return replace(best, **changes) if changes else best


def _is_open(alert: Alert, now: datetime, window: timedelta, superseded_after: datetime | None) -> bool:
    try:
        last = parse_time(alert.updated_at or alert.created_at)
    except ValueError:
        return False
    if now - last > window:
        return False
    return superseded_after is None or superseded_after <= last


def _merge(current: Alert, event: Event, source: Source, now: datetime) -> tuple[Alert, str]:
    new_source = all(s.url != source.url for s in current.sources)
    more_definite = STATUS_RANK.get(event.status, 0) > STATUS_RANK.get(current.event.status, 0)
    if not new_source and not more_definite:
        return current, UNCHANGED
    alert = replace(current, sources=list(current.sources))
    if new_source:
        alert.sources.append(source)
    if _better(event, current.event):
        alert.event = _fill(event, current.event)
        alert.evidence_url = source.url
    else:
        alert.event = _fill(current.event, event)
    alert.version = current.version + 1
    try:  # never backwards, even when another worker's clock ran ahead
        alert.updated_at = iso_utc(max(now, parse_time(current.updated_at)))
    except ValueError:
        alert.updated_at = iso_utc(now)
    return alert, UPDATED


def _create(group_key: str, event: Event, source: Source, now: datetime) -> Alert:
    stamp = iso_utc(now)
    return Alert(
        id=new_alert_id(now), key=group_key, event=event, sources=[source],
        created_at=stamp, updated_at=stamp, version=1, evidence_url=source.url,
    )


def _superseded_after(r: redis.Redis, group_key: str) -> datetime | None:
    """When the opposite event (a reopening for a closure) was last reported, if ever."""
    other = opposite_key(group_key)
    if not other:
        return None
    other_id = r.get(by_key_redis_key(other))
    opposite = loads(r.get(alert_redis_key(other_id))) if other_id else None
    if opposite is None:
        return None
    try:
        return parse_time(opposite.updated_at or opposite.created_at)
    except ValueError:
        return None


def _record_one(group_key: str, event: Event, source: Source, window: timedelta, now: datetime) -> tuple[Alert, str]:
    r = get_redis()
    pointer = by_key_redis_key(group_key)
    with r.pipeline(transaction=True) as pipe:
        for attempt in range(MAX_ATTEMPTS):
            try:
                pipe.watch(pointer)
                alert_id = pipe.get(pointer)
                current = None
                if alert_id:
                    pipe.watch(alert_redis_key(alert_id))
                    current = loads(pipe.get(alert_redis_key(alert_id)))
                if current is not None and _is_open(current, now, window, _superseded_after(r, group_key)):
                    alert, change = _merge(current, event, source, now)
                else:
                    alert, change = _create(group_key, event, source, now), CREATED
                if change == UNCHANGED:
                    pipe.unwatch()
                    return alert, change
                pipe.multi()
                stage_save(pipe, alert)
                pipe.execute()
                return alert, change
            except redis.WatchError:
                # Another process changed this alert between our read and write: read again.
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
    raise RuntimeError(f"could not record an alert for {group_key!r}: {MAX_ATTEMPTS} conflicting writes in a row")


def _check_source(source: Source) -> None:
    if not source.url:
        raise ValueError("a source needs the article URL to be recorded")


def record(
    events: list[Event], source: Source, *, settings: Settings, now: datetime | None = None
) -> list[tuple[Alert, str]]:
    """Fold one article's events into alerts; returns the (alert, "created"|"updated") pairs to deliver.

    Events with the same key in one article collapse to the best of them. Reports already counted
    (the same article again) change nothing and are not returned.
    """
    _check_source(source)
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    window = timedelta(hours=settings.group_window_hours)
    best: dict[str, Event] = {}
    for event in events:
        k = alert_key(event)
        if k not in best:
            best[k] = event
        elif _better(event, best[k]):
            best[k] = _fill(event, best[k])
        else:
            best[k] = _fill(best[k], event)
    results = []
    for k, event in best.items():
        alert, change = _record_one(k, event, source, window, now)
        if change != UNCHANGED:
            log.info("alert %s %s (%s, version %d, %d sources)", alert.id, change, k, alert.version, len(alert.sources))
            results.append((alert, change))
    return results
