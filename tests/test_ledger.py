"""The delivery ledger: records, claims, the due and dead sets, and surviving a Redis restart."""

from __future__ import annotations

import redis

from alerts import ledger
from worker import redis_conn


def _new(now: float = 100.0, version: int = 1, dest: str = "ops-hook") -> str:
    return ledger.ensure("01ALERT", version, dest, msg_type="alert.created", now=now).id


def test_ensure_creates_once_and_keeps_what_is_recorded(rasd_env):
    did = _new(now=100.0)
    ledger.finish(did, status="retrying", now=101.0, http_status=500, error="HTTP 500", next_attempt_at=131.0)
    again = ledger.ensure("01ALERT", 1, "ops-hook", msg_type="alert.updated", now=200.0)
    assert (again.status, again.created_at, again.msg_type, again.http_status) == ("retrying", 100.0,
                                                                                  "alert.created", 500)
    assert again.next_attempt_at == 131.0 and again.last_error == "HTTP 500"
    assert again.webhook_id == ledger.webhook_id_for("01ALERT", 1, "ops-hook")
    assert again.webhook_id.startswith("msg_")
    assert ledger.webhook_id_for("01ALERT", 2, "ops-hook") != again.webhook_id


def test_claim_refuses_while_held_early_and_after_success(rasd_env):
    did = _new()
    first = ledger.claim(did, "a", lease=30, now=100.0)
    assert (first.state, first.detail) == ("claimed", "1")
    assert ledger.claim(did, "b", lease=30, now=100.0).state == "busy"
    ledger.finish(did, status="retrying", now=101.0, token="a", next_attempt_at=200.0)
    assert not ledger.claim_held(did)
    early = ledger.claim(did, "b", lease=30, now=199.0)
    assert (early.state, float(early.detail)) == ("early", 200.0)
    assert ledger.claim(did, "b", lease=30, now=200.0).state == "claimed"
    assert ledger.finish(did, status="delivered", now=201.0, token="b", http_status=200) == "delivered"
    done = ledger.claim(did, "c", lease=30, now=300.0)
    assert (done.state, done.detail) == ("done", "delivered")
    d = ledger.get(did)
    assert (d.attempts, d.duplicates, d.delivered_at) == (2, 1, 201.0)


def test_a_late_failure_never_overwrites_a_recorded_success(rasd_env):
    did = _new()
    ledger.claim(did, "slow", lease=30, now=100.0)
    ledger.finish(did, status="delivered", now=101.0, token="other", http_status=200)
    assert ledger.finish(did, status="retrying", now=102.0, token="slow", error="timed out",
                         next_attempt_at=200.0) == "delivered"
    assert ledger.get(did).status == "delivered" and ledger.due_ids(10**10) == []


def test_due_and_dead_sets(rasd_env):
    a, b = _new(dest="a"), _new(dest="b")
    ledger.finish(a, status="retrying", now=100.0, next_attempt_at=500.0)
    ledger.finish(b, status="dead", now=100.0, error="gave up")
    assert ledger.due_ids(499) == [] and ledger.due_ids(500) == [a]
    assert [d.id for d in ledger.dead_letters()] == [b]
    assert ledger.requeue(b, now=600.0)
    assert ledger.dead_letters() == [] and set(ledger.due_ids(600)) == {a, b}
    d = ledger.get(b)
    assert (d.status, d.attempts, d.last_error) == ("pending", 0, "gave up")
    assert not ledger.requeue(a, now=600.0)  # only dead or disabled deliveries are re-queued


def test_deliveries_of_an_alert_in_version_order(rasd_env):
    for version, dest in ((2, "b"), (1, "b"), (1, "a")):
        _new(version=version, dest=dest)
    assert [(d.version, d.destination) for d in ledger.for_alert("01ALERT")] == [(1, "a"), (1, "b"), (2, "b")]


def test_the_ledger_survives_a_redis_restart(tmp_path, monkeypatch):
    server = redis_conn.EmbeddedRedis(tmp_path / "redis", persist=True)
    url = server.start()
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("RASD_PREFIX", "restart-test:")
    try:
        did = _new()
        ledger.claim(did, "a", lease=30, now=100.0)
        ledger.finish(did, status="delivered", now=101.0, token="a", http_status=200)
        server.stop()
        server.start()
        redis_conn._client.cache_clear()
        assert ledger.get(did).status == "delivered"
        assert ledger.claim(did, "b", lease=30, now=200.0).state == "done"  # still no second request
    finally:
        server.stop()
        redis_conn._client.cache_clear()


def test_records_are_plain_redis_hashes_ops_can_read(rasd_env):
    did = _new()
    raw = redis.Redis.from_url(redis_conn.configured_url(), decode_responses=True).hgetall(
        redis_conn.key("delivery", "01ALERT", 1, "ops-hook"))
    assert raw["status"] == "pending" and raw["destination"] == "ops-hook" and did
