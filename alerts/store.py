"""Alerts in Redis: one JSON value per alert, a recency index, and a pointer from grouping key to alert.

Layout (every key under the RASD_PREFIX prefix):
- `alert:<id>`           the alert as JSON (`Alert.to_dict`), kept `RETENTION` after its last change
- `alerts:recent`        sorted set of alert ids scored by `updated_at` (epoch seconds)
- `alerts:by-key:<key>`  id of the latest alert with that grouping key (what `grouping.record` extends)

Values are JSON, so the state survives restarts whenever Redis persists, and ops can read it with
`redis-cli`. Writes go through `stage_save` so grouping can put them inside its own transaction.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import redis

from alerts.model import Alert, parse_time
from worker.redis_conn import get_redis, key

log = logging.getLogger(__name__)

RETENTION = timedelta(days=30)  # how long an alert is kept after its last change
MAX_RECENT = 10_000  # cap on the recency index, whatever the retention


def alert_redis_key(alert_id: str) -> str:
    return key("alert", alert_id)


def by_key_redis_key(group_key: str) -> str:
    return key("alerts", "by-key", group_key)


def recent_redis_key() -> str:
    return key("alerts", "recent")


def dumps(alert: Alert) -> str:
    return json.dumps(alert.to_dict(), ensure_ascii=False, separators=(",", ":"))


def loads(raw: str | None) -> Alert | None:
    """An alert from its stored JSON; None (and a log line) when it is missing or unreadable."""
    if raw is None:
        return None
    try:
        return Alert.from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        log.error("stored alert is unreadable and was skipped: %s", exc)
        return None


def _score(alert: Alert) -> float:
    try:
        return parse_time(alert.updated_at or alert.created_at).timestamp()
    except ValueError:
        return 0.0


def stage_save(pipe: redis.client.Pipeline, alert: Alert) -> None:
    """Queue the writes that save `alert` on a pipeline (in MULTI mode or not)."""
    if not alert.id or not alert.key:
        raise ValueError("an alert needs an id and a grouping key to be saved")
    ttl = int(RETENTION.total_seconds())
    score = _score(alert)
    pipe.set(alert_redis_key(alert.id), dumps(alert), ex=ttl)
    pipe.zadd(recent_redis_key(), {alert.id: score})
    pipe.zremrangebyscore(recent_redis_key(), "-inf", f"({score - ttl}")
    pipe.zremrangebyrank(recent_redis_key(), 0, -MAX_RECENT - 1)
    if not alert.test:  # a test alert must never become the alert real events are grouped into
        pipe.set(by_key_redis_key(alert.key), alert.id, ex=ttl)


def save_alert(alert: Alert) -> None:
    """Save (create or replace) an alert, atomically."""
    pipe = get_redis().pipeline(transaction=True)
    stage_save(pipe, alert)
    pipe.execute()


def load_alert(alert_id: str) -> Alert | None:
    return loads(get_redis().get(alert_redis_key(alert_id)))


def find_by_key(group_key: str) -> Alert | None:
    """The latest alert with this grouping key, however old (the caller judges its window)."""
    r = get_redis()
    alert_id = r.get(by_key_redis_key(group_key))
    return loads(r.get(alert_redis_key(alert_id))) if alert_id else None


def recent_alerts(limit: int = 50) -> list[Alert]:
    """The most recently created or updated alerts, newest first."""
    if limit <= 0:
        return []
    r = get_redis()
    ids = r.zrevrange(recent_redis_key(), 0, limit - 1)
    if not ids:
        return []
    raws = r.mget([alert_redis_key(i) for i in ids])
    return [a for a in (loads(raw) for raw in raws) if a is not None]
