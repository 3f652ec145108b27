"""A per-host cap on concurrent requests, shared by every worker process through Redis.

Each host has a sorted set of leases (member: a random token, score: when the lease expires, in
Redis server milliseconds so the clocks of different machines do not matter). Taking a slot drops
expired leases and adds ours only while fewer than `limit` remain; a holder renews its lease from
a background thread, so a process killed while holding a slot frees it when the lease runs out.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from worker import redis_conn

log = logging.getLogger(__name__)

DEFAULT_TTL = 60.0

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""

_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class HostBusy(TimeoutError):
    """No request slot for this host freed up in time; try again later."""


def slot_key(host: str) -> str:
    return redis_conn.key("hostslots", host.lower().strip("[]"))


def active(host: str) -> int:
    """How many unexpired leases a host has now (for health pages and tests)."""
    r = redis_conn.get_redis()
    now_s, now_us = r.time()
    return int(r.zcount(slot_key(host), now_s * 1000 + now_us // 1000, "+inf"))


def try_acquire(host: str, limit: int, token: str, ttl: float = DEFAULT_TTL) -> bool:
    r = redis_conn.get_redis()
    return bool(r.eval(_ACQUIRE, 1, slot_key(host), token, int(limit), int(ttl * 1000)))


def release(host: str, token: str) -> None:
    redis_conn.get_redis().zrem(slot_key(host), token)


class _Renewer(threading.Thread):
    def __init__(self, host: str, token: str, ttl: float) -> None:
        super().__init__(name=f"hostslot-renew-{host}", daemon=True)
        self.host, self.token, self.ttl = host, token, ttl
        self.stopped = threading.Event()

    def run(self) -> None:
        r = redis_conn.get_redis()
        while not self.stopped.wait(self.ttl / 3):
            try:
                if not r.eval(_RENEW, 1, slot_key(self.host), self.token, int(self.ttl * 1000)):
                    log.warning("request slot for %s expired while held; the host may see one extra request",
                                self.host)
                    return
            except Exception:  # a Redis blip must not kill the request; the lease just may lapse
                log.warning("could not renew the request slot for %s", self.host, exc_info=True)


@contextmanager
def host_slot(host: str, limit: int, *, wait: float = 30.0, ttl: float = DEFAULT_TTL) -> Iterator[str | None]:
    """Hold one of `limit` concurrent-request slots for `host`; raise HostBusy after `wait` seconds.

    A limit of 0 or less means no limit. Yields the lease token (None when unlimited).
    """
    if limit <= 0:
        yield None
        return
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    pause = 0.02
    while not try_acquire(host, limit, token, ttl):
        left = deadline - time.monotonic()
        if left <= 0:
            raise HostBusy(f"all {limit} request slots for {host} stayed busy for {wait:g} s")
        time.sleep(min(left, pause * random.uniform(0.5, 1.5)))
        pause = min(pause * 2, 0.5)
    renewer = _Renewer(host, token, ttl)
    renewer.start()
    try:
        yield token
    finally:
        renewer.stopped.set()
        try:
            release(host, token)
        except Exception:
            log.warning("could not release the request slot for %s; it expires in %g s", host, ttl,
                        exc_info=True)
