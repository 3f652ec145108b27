"""One periodic tick that finds due feeds and enqueues a poll for each.

Next-due times live in a Redis sorted set, so intervals, back-off and Retry-After waits of any
length are just scores: nothing waits in the broker (checklist 2). A leader lease makes a second
scheduler started by mistake stand by instead of double-dispatching (checklist 3), and a per-feed
poll lock means a feed is never polled twice at once.
"""

from __future__ import annotations

import logging
import random
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from worker.config import Config, Feed, Settings
from worker.redis_conn import get_redis, key

log = logging.getLogger(__name__)

POLL_LEASE = 300  # seconds; longer than the poll task's hard time limit

_LEADER_LUA = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""

Send = Callable[[str, list], None]


def _due_key() -> str:
    return key("schedule", "due")


def _poll_lock_key(feed_id: str) -> str:
    return key("feed", feed_id, "polling")


def acquire_leadership(token: str, ttl: float) -> bool:
    """Take or renew the scheduler lease; False while another scheduler holds it."""
    return bool(get_redis().eval(_LEADER_LUA, 1, key("schedule", "leader"), token, int(ttl * 1000)))


def release_leadership(token: str) -> None:
    r = get_redis()
    if r.get(key("schedule", "leader")) == token:
        r.delete(key("schedule", "leader"))


def sync_feeds(config: Config, now: float) -> None:
    """Add new feeds (spread over the first tick interval) and drop removed or disabled ones."""
    r = get_redis()
    wanted = {f.id: f for f in config.feeds if f.enabled}
    present = set(r.zrange(_due_key(), 0, -1))
    fresh = {fid: now + random.uniform(0, min(f.interval, config.settings.tick)) for fid, f in wanted.items()
             if fid not in present}
    if fresh:
        r.zadd(_due_key(), fresh, nx=True)
    gone = present - wanted.keys()
    if gone:
        r.zrem(_due_key(), *gone)


def due_feeds(now: float) -> list[str]:
    return list(get_redis().zrangebyscore(_due_key(), "-inf", now))


def next_due(feed: Feed, settings: Settings, *, ok: bool, failures: int, retry_after: float | None,
             now: float) -> float:
    """When to poll again: the interval with ±10% jitter; exponential back-off after failures;
    never before a server's Retry-After (capped at max_backoff)."""
    if ok:
        wait = feed.interval * random.uniform(0.9, 1.1)
    else:
        wait = min(feed.interval * 2 ** min(failures, 16), settings.max_backoff) * random.uniform(0.8, 1.0)
    if retry_after is not None:
        wait = max(wait, min(retry_after, settings.max_backoff))
    return now + wait


def schedule_at(feed_id: str, when: float) -> None:
    get_redis().zadd(_due_key(), {feed_id: when})


def mark_due(feed_id: str) -> None:
    """Poll this feed at the next tick (ops, tests)."""
    schedule_at(feed_id, 0)


def release_poll(feed_id: str) -> None:
    get_redis().delete(_poll_lock_key(feed_id))


def tick(config: Config, *, token: str, send: Send, now: float | None = None) -> list[str]:
    """One scheduler step; returns the ids of the feeds it enqueued."""
    now = time.time() if now is None else now
    if not acquire_leadership(token, ttl=max(3 * config.settings.tick, 5)):
        return []
    sync_feeds(config, now)
    r = get_redis()
    dispatched = []
    for feed_id in due_feeds(now):
        if not r.set(_poll_lock_key(feed_id), token, nx=True, ex=POLL_LEASE):
            continue  # still being polled
        # Parked until the poll reports back; if the poll is lost, the lease ends and it is due again.
        r.zadd(_due_key(), {feed_id: now + POLL_LEASE})
        send("rasd.feeds.poll", [feed_id])
        dispatched.append(feed_id)
    _dispatch_delivery_retries(now)
    return dispatched


def _dispatch_delivery_retries(now: float) -> None:
    try:
        from alerts.delivery import dispatch_due_retries
    except ImportError:  # delivery not installed in this build
        return
    try:
        dispatch_due_retries(now=now)
    except Exception:  # a delivery problem must not stop feed polling
        log.exception("dispatching due delivery retries failed")


def celery_send(name: str, args: list) -> None:
    from worker.celery_app import app

    app.send_task(name, args=args)


def run_forever(config_path: str | Path) -> int:
    """The `rasd beat` loop: reload feeds.yaml when it changes, tick, sleep until the next tick."""
    from worker.config import ConfigWatcher

    watcher = ConfigWatcher(config_path)
    token = uuid.uuid4().hex
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler %s started with %s", token[:8], config_path)
    was_leader = None
    try:
        while not stopping:
            config = watcher.current()
            started = time.monotonic()
            try:
                sent = tick(config, token=token, send=celery_send)
                leader = bool(get_redis().get(key("schedule", "leader")) == token)
                if leader != was_leader:
                    log.info("scheduler %s is %s", token[:8], "acting" if leader else "standing by")
                    was_leader = leader
                if sent:
                    log.info("enqueued polls: %s", ", ".join(sent))
            except Exception:
                log.exception("scheduler tick failed; trying again next tick")
            delay = config.settings.tick - (time.monotonic() - started)
            end = time.monotonic() + max(delay, 0.1)
            while not stopping and time.monotonic() < end:
                time.sleep(min(0.2, max(end - time.monotonic(), 0)))
    finally:
        release_leadership(token)
    return 0
