"""A rate limit per destination in Redis, shared by every worker process on every machine.

Celery's `rate_limit` counts per worker process, so four processes would send four times the rate
Slack allows. Here one Lua script keeps, per destination, the next free sending slot (GCRA, the
"virtual scheduling" form of a token bucket that holds one token) using Redis's own clock, so all
processes draw from the same schedule. A caller reserves a slot no further ahead than it is willing
to wait, sleeps until it and sends: messages leave at most one per 1/rate seconds, never in a burst.
A caller that would wait longer reserves nothing and learns when the queue ahead of it drains.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from worker.config import Destination
from worker.redis_conn import get_redis, key

DEFAULT_RATES = {"slack": 1.0}  # Slack: about one message per second per webhook
DEFAULT_RATE = 5.0

# KEYS[1]: the destination's next free slot (microseconds, Redis clock). ARGV: rate per second,
# longest acceptable wait (microseconds). Returns {1, wait} with a slot reserved `wait` from now,
# or {0, wait} without one when the free slot lies further ahead than the caller accepts.
_RESERVE = """
redis.replicate_commands()
local interval = 1000000 / tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local wait = slot - now
if wait > tonumber(ARGV[2]) then return {0, tostring(wait)} end
redis.call('SET', KEYS[1], string.format('%.0f', slot + interval), 'PX', math.ceil((wait + interval) / 1000) + 1000)
return {1, tostring(wait)}
"""


def rate_for(dest: Destination) -> float:
    """Messages per second allowed to this destination."""
    if dest.rate_per_second is not None and dest.rate_per_second > 0:
        return float(dest.rate_per_second)
    return DEFAULT_RATES.get(dest.type, DEFAULT_RATE)


def reserve(name: str, rate: float, *, max_wait: float) -> tuple[bool, float]:
    """Reserve the next sending slot for destination `name` if it is at most `max_wait` s away.

    Returns (reserved, seconds until the slot): sleep that long, then send; or, unreserved, how
    long until the queue ahead would let a message through.
    """
    granted, micros = get_redis().eval(_RESERVE, 1, key("ratelimit", name), repr(float(rate)),
                                       str(int(max_wait * 1_000_000)))
    return bool(int(granted)), float(micros) / 1_000_000


def acquire(name: str, rate: float, *, max_wait: float, sleep: Callable[[float], None] = time.sleep) -> float:
    """Wait for this destination's next slot, up to `max_wait` s: 0.0 once it has come, else the wait.

    A caller told to wait longer hands the message back for later rather than holding a worker.
    """
    reserved, wait = reserve(name, rate, max_wait=max_wait)
    if not reserved:
        return wait
    if wait > 0:
        sleep(wait)
    return 0.0
