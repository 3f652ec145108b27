"""What rasd remembers about each feed in Redis: HTTP validators, health, and entries seen.

Kept in Redis so a restart (or another worker on another machine) resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field

from worker.redis_conn import get_redis, key

log = logging.getLogger(__name__)

SEEN_TTL = 60 * 86400  # an entry URL is remembered for 60 days
NOTICES_MAX = 500


@dataclass
class FeedState:
    etag: str | None = None
    last_modified: str | None = None
    first_poll_done: bool = False
    failures: int = 0  # consecutive
    failing: bool = False  # ops were told it is failing
    last_error: str | None = None
    last_attempt: float | None = None
    last_success: float | None = None
    last_new_entry: float | None = None
    mean_gap: float | None = None  # smoothed seconds between new entries, for "gone quiet"
    quiet_reported: bool = False
    retry_after_until: float | None = None
    polls: int = 0
    entries_new: int = 0
    not_modified: int = 0
    extra: dict = field(default_factory=dict)


def _state_key(feed_id: str) -> str:
    return key("feed", feed_id, "state")


def load_state(feed_id: str) -> FeedState:
    raw = get_redis().get(_state_key(feed_id))
    if not raw:
        return FeedState()
    data = json.loads(raw)
    known = FeedState.__dataclass_fields__
    return FeedState(**{k: v for k, v in data.items() if k in known})


def save_state(feed_id: str, state: FeedState) -> None:
    get_redis().set(_state_key(feed_id), json.dumps(asdict(state)))


def url_digest(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def claim_entry(url: str, *, ttl: int = SEEN_TTL, overwrite: bool = False) -> bool:
    """True for the first caller, across all feeds and processes, to see this canonical URL.

    A short `ttl` makes a provisional claim: if the claimer dies before handing the entry on,
    a later poll picks it up again; `overwrite` then makes the claim last.
    """
    return bool(get_redis().set(key("seen", url_digest(url)), "1", nx=not overwrite, ex=ttl))


def add_notice(kind: str, feed_id: str, message: str) -> None:
    """Tell ops something once: a log line and a record `rasd alerts` can show."""
    log.warning("feed %s: %s", feed_id, message)
    r = get_redis()
    r.lpush(key("notices"), json.dumps({"time": time.time(), "kind": kind, "feed": feed_id, "message": message}))
    r.ltrim(key("notices"), 0, NOTICES_MAX - 1)


def recent_notices(limit: int = 50) -> list[dict]:
    return [json.loads(x) for x in get_redis().lrange(key("notices"), 0, limit - 1)]
