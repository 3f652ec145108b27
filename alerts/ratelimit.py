"""A token bucket per destination in Redis, shared by every worker process on every machine.

Celery's `rate_limit` counts per worker process, so four processes would send four times the rate
Slack allows. Here one Lua script refills and takes a token atomically, with Redis's own clock, so
all processes draw from the same bucket. The bucket holds one token by default: messages leave at
most one per 1/rate seconds, never in a burst.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from worker.config import Destination
from worker.redis_conn import get_redis, key

DEFAULT_RATES = {"slack": 1.0}  # Slack: about one message per second per webhook
DEFAULT_RATE = 5.0

# KEYS[1]: bucket; ARGV: rate per second, capacity. Returns 0 when a token was taken, else the
# microseconds until one will be there (the caller sleeps and asks again).
_TAKE = """
redis.replicate_commands()
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate / 1000000)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 60000)
return wait
"""


def rate_for(dest: Destination) -> float:
    """Messages per second allowed to this destination."""
    if dest.rate_per_second is not None and dest.rate_per_second > 0:
        return float(dest.rate_per_second)
    return DEFAULT_RATES.get(dest.type, DEFAULT_RATE)


def take(name: str, rate: float, capacity: float = 1.0) -> float:
    """Take a token for destination `name` if there is one: 0.0, else the seconds until there will be."""
    r = get_redis()
    micros = r.eval(_TAKE, 1, key("ratelimit", name), repr(float(rate)), repr(float(capacity)))
    return int(micros) / 1_000_000


def acquire(name: str, rate: float, *, max_wait: float, capacity: float = 1.0,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> float:
    """Wait for a token up to `max_wait` seconds: 0.0 once taken, else the seconds still to wait.

    A caller told to wait longer hands the message back for later rather than holding a worker.
    """
    deadline = clock() + max_wait
    while True:
        wait = take(name, rate, capacity)
        if wait <= 0:
            return 0.0
        left = deadline - clock()
        if wait > left:
            return wait
        sleep(wait)
