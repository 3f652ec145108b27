"""The delivery ledger: one Redis record per (alert, version, destination), kept across restarts.

A record says where a delivery stands (status), how often it was tried, what went wrong last
(redacted), when to try again, and the `webhook-id` receivers can dedupe on. A claim key with a
lease guards the send: `claim` is a single Lua script that refuses once a success is recorded, so a
duplicated or redelivered task never makes a second request; a lease left by a killed worker runs
out and the delivery becomes claimable again (at-least-once, with a stable id).

Two sorted sets index the records: `deliveries:due` (when the sweep should look at a delivery
again: retry times, and a safety net under every pending or in-flight delivery) and
`deliveries:dead` (dead letters for ops).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Literal

from worker.redis_conn import get_redis, key

Status = Literal["pending", "in_flight", "delivered", "retrying", "dead", "disabled", "skipped"]
STATUSES: tuple[str, ...] = ("pending", "in_flight", "delivered", "retrying", "dead", "disabled", "skipped")
FINAL = frozenset({"delivered", "dead", "disabled", "skipped"})
RETENTION = 90 * 86400  # seconds a finished record is kept
SEP = "|"  # delivery id: alert_id|version|destination


@dataclass
class Delivery:
    alert_id: str
    version: int
    destination: str
    msg_type: str = "alert.created"
    webhook_id: str = ""
    status: str = "pending"
    attempts: int = 0
    last_error: str = ""
    http_status: int | None = None
    next_attempt_at: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    delivered_at: float | None = None
    duplicates: int = 0  # tasks that arrived after the delivery was settled and did nothing

    @property
    def id(self) -> str:
        return delivery_id(self.alert_id, self.version, self.destination)

    @property
    def final(self) -> bool:
        return self.status in FINAL


_INTS = {"version", "attempts", "http_status", "duplicates"}
_FLOATS = {"next_attempt_at", "created_at", "updated_at", "delivered_at"}
_FIELDS = {f.name for f in fields(Delivery)}


def delivery_id(alert_id: str, version: int, destination: str) -> str:
    if SEP in alert_id:
        raise ValueError(f"alert id {alert_id!r} contains {SEP!r}")
    return f"{alert_id}{SEP}{int(version)}{SEP}{destination}"


def split_id(did: str) -> tuple[str, int, str]:
    alert_id, version, destination = did.split(SEP, 2)
    return alert_id, int(version), destination


def webhook_id_for(alert_id: str, version: int, destination: str) -> str:
    """Stable per delivery, so every retry carries the same `webhook-id`."""
    digest = hashlib.sha256(delivery_id(alert_id, version, destination).encode("utf-8")).hexdigest()
    return f"msg_{digest[:32]}"


def _record_key(did: str) -> str:
    alert_id, version, destination = split_id(did)
    return key("delivery", alert_id, version, destination)


def _claim_key(did: str) -> str:
    alert_id, version, destination = split_id(did)
    return key("delivery-claim", alert_id, version, destination)


def _by_alert_key(alert_id: str) -> str:
    return key("deliveries", "by-alert", alert_id)


def due_key() -> str:
    return key("deliveries", "due")


def dead_key() -> str:
    return key("deliveries", "dead")


def _decode(raw: dict[str, str]) -> Delivery | None:
    if not raw or "alert_id" not in raw:
        return None
    values: dict = {}
    for name, value in raw.items():
        if name not in _FIELDS:
            continue
        if name in _INTS or name in _FLOATS:
            if value != "":  # empty: the field's default (None or 0)
                values[name] = int(value) if name in _INTS else float(value)
        else:
            values[name] = value
    return Delivery(**values)


def _encode(d: Delivery) -> dict[str, str]:
    out = {}
    for f in fields(Delivery):
        v = getattr(d, f.name)
        out[f.name] = "" if v is None else repr(v) if isinstance(v, float) else str(v)
    return out


# -- reading ------------------------------------------------------------------------------------


def get(did: str) -> Delivery | None:
    return _decode(get_redis().hgetall(_record_key(did)))


def for_alert(alert_id: str) -> list[Delivery]:
    """Every delivery of an alert, oldest version first."""
    ids = sorted(get_redis().smembers(_by_alert_key(alert_id)), key=lambda i: (split_id(i)[1], split_id(i)[2]))
    found = [get(i) for i in ids]
    return [d for d in found if d is not None]


def dead_letters(limit: int = 100) -> list[Delivery]:
    """Dead-lettered deliveries, newest first."""
    r = get_redis()
    out = []
    for did in r.zrevrange(dead_key(), 0, max(0, limit - 1)):
        d = get(did)
        if d is None or d.status != "dead":
            r.zrem(dead_key(), did)  # expired or re-queued since
            continue
        out.append(d)
    return out


def due_ids(now: float, limit: int = 500) -> list[str]:
    """Deliveries the sweep should look at by `now`."""
    return list(get_redis().zrangebyscore(due_key(), "-inf", now, start=0, num=limit))


# -- writing ------------------------------------------------------------------------------------

# KEYS: record, by-alert set, due set. ARGV: the encoded record as field/value pairs..., then the
# member id and its due score. Creates the record only if absent; returns 1 when it did.
_ENSURE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = #ARGV
for i = 1, n - 2, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[2], ARGV[n - 1])
redis.call('EXPIRE', KEYS[2], RETENTION_S)
redis.call('ZADD', KEYS[3], tonumber(ARGV[n]), ARGV[n - 1])
return 1
""".replace("RETENTION_S", str(RETENTION))


def ensure(alert_id: str, version: int, destination: str, *, msg_type: str, now: float,
           due_at: float | None = None) -> Delivery:
    """The delivery's record, created as `pending` (and due at `due_at`) if it is not there yet."""
    d = Delivery(alert_id, int(version), destination, msg_type=msg_type,
                 webhook_id=webhook_id_for(alert_id, version, destination), created_at=now, updated_at=now)
    args: list[str] = []
    for k, v in _encode(d).items():
        args += [k, v]
    args += [d.id, repr(now if due_at is None else due_at)]
    get_redis().eval(_ENSURE, 3, _record_key(d.id), _by_alert_key(alert_id), due_key(), *args)
    return get(d.id) or d


# KEYS: record, claim, due. ARGV: token, lease ms, now, member, tolerance s.
_CLAIM = """
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'missing', ''} end
if st == 'delivered' or st == 'dead' or st == 'disabled' or st == 'skipped' then
  redis.call('HINCRBY', KEYS[1], 'duplicates', 1)
  return {'done', st}
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'busy', st} end
local now = tonumber(ARGV[3])
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next_attempt_at') or '')
if nxt and nxt > now + tonumber(ARGV[5]) then return {'early', tostring(nxt)} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', 'in_flight', 'updated_at', ARGV[3])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]) / 1000 + 1, ARGV[4])
return {'claimed', tostring(n)}
"""


@dataclass(frozen=True)
class Claim:
    state: Literal["claimed", "done", "busy", "early", "missing"]
    detail: str = ""  # the final status (done), the next attempt time (early), the attempt number (claimed)


def claim(did: str, token: str, *, lease: float, now: float, tolerance: float = 0.0) -> Claim:
    """Take the right to send this delivery now, unless it is settled, being sent, or not due yet."""
    state, detail = get_redis().eval(_CLAIM, 3, _record_key(did), _claim_key(did), due_key(),
                                     token, int(lease * 1000), repr(now), did, repr(tolerance))
    return Claim(state, detail)


# KEYS: claim. ARGV: token, lease ms.
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


def extend(did: str, token: str, *, lease: float) -> bool:
    """Keep the lease while a send is in progress (a heartbeat); False if it was lost."""
    return bool(get_redis().eval(_EXTEND, 1, _claim_key(did), token, int(lease * 1000)))


# KEYS: record, claim, due, dead. ARGV: token, member, now, status, http_status, error,
# next_attempt_at, due score ('' = drop from due), msg_type, retention. A recorded success is never
# overwritten by the late report of a failed attempt whose lease had run out.
_FINISH = """
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return 'missing' end
if current == 'delivered' and ARGV[4] ~= 'delivered' then return current end
redis.call('HSET', KEYS[1], 'status', ARGV[4], 'updated_at', ARGV[3], 'next_attempt_at', ARGV[7])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'http_status', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'last_error', ARGV[6]) end
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'msg_type', ARGV[9]) end
if ARGV[4] == 'delivered' then redis.call('HSET', KEYS[1], 'delivered_at', ARGV[3]) end
if ARGV[8] == '' then redis.call('ZREM', KEYS[3], ARGV[2]) else redis.call('ZADD', KEYS[3], tonumber(ARGV[8]), ARGV[2]) end
if ARGV[4] == 'dead' then redis.call('ZADD', KEYS[4], tonumber(ARGV[3]), ARGV[2]) else redis.call('ZREM', KEYS[4], ARGV[2]) end
if ARGV[4] == 'delivered' or ARGV[4] == 'dead' or ARGV[4] == 'disabled' or ARGV[4] == 'skipped' then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[10]))
end
return ARGV[4]
"""


def finish(did: str, *, status: str, now: float, token: str = "", http_status: int | None = None,
           error: str | None = None, next_attempt_at: float | None = None, due_at: float | None = None,
           msg_type: str | None = None) -> str:
    """Record how an attempt (or a decision not to attempt) ended, and release the claim.

    Returns the status now on record (`delivered` if a success was already recorded).
    """
    if status not in STATUSES:
        raise ValueError(f"unknown delivery status {status!r}")
    if due_at is None and status in ("retrying", "pending"):
        due_at = next_attempt_at if next_attempt_at is not None else now
    return get_redis().eval(
        _FINISH, 4, _record_key(did), _claim_key(did), due_key(), dead_key(),
        token, did, repr(now), status, "" if http_status is None else str(http_status), (error or "")[:1000],
        "" if next_attempt_at is None else repr(next_attempt_at), "" if due_at is None else repr(due_at),
        msg_type or "", RETENTION,
    )


def reschedule(did: str, due_at: float) -> None:
    """Move the sweep's next look at a delivery (its status stays)."""
    get_redis().zadd(due_key(), {did: due_at})


def forget_due(did: str) -> None:
    get_redis().zrem(due_key(), did)


def claim_held(did: str) -> bool:
    return bool(get_redis().exists(_claim_key(did)))


def requeue(did: str, *, now: float) -> bool:
    """Make a dead (or disabled) delivery pending again, for `rasd alerts retry`. False if it is not."""
    d = get(did)
    if d is None or d.status not in ("dead", "disabled"):
        return False
    r = get_redis()
    pipe = r.pipeline()
    pipe.hset(_record_key(did), mapping={"status": "pending", "next_attempt_at": "", "updated_at": repr(now),
                                         "attempts": "0"})
    pipe.persist(_record_key(did))
    pipe.zrem(dead_key(), did)
    pipe.zadd(due_key(), {did: now})
    pipe.execute()
    return True


_PARK = """
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
  return 1
end
return 0
"""


def park(did: str, *, now: float, until: float) -> bool:
    """Atomically move a due delivery to `until`; True for the one sweep that did (it sends the task)."""
    return bool(get_redis().eval(_PARK, 1, due_key(), did, repr(now), repr(until)))
