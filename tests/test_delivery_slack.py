"""Checklist 5: Slack delivery against a real local Slack-like receiver."""

from __future__ import annotations

import logging
import random
import threading
import time

import pytest
from conftest import Response
from receivers import SlackReceiver, config_with, saved_alert

from alerts import destinations, ledger
from alerts.delivery import SLACK_POLICY, RetryPolicy, deliver
from alerts.senders.slack import classify

PATH = "/services/T000/B000/secretslackpath"


@pytest.fixture
def slack(rasd_env, http_server, monkeypatch):
    receiver = SlackReceiver(http_server, PATH)
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url)
    config = config_with({"name": "ops-slack", "type": "slack", "url_env": "TEST_SLACK_URL",
                          "rate_per_second": 100, "timeout": 2})
    return receiver, config


def test_a_delivered_message_parses_as_block_kit_and_is_recorded(slack):
    receiver, config = slack
    alert = saved_alert()
    result = deliver(alert.id, "ops-slack", config=config)
    assert result.status == "delivered" and result.requested and result.http_status == 200
    (arrival,) = receiver.wait_for(1)
    assert arrival.problem is None
    assert "Crossing closed" in arrival.message["text"]
    assert len(arrival.message["_parsed_blocks"]) >= 3
    d = ledger.get(result.delivery_id)
    assert (d.status, d.attempts, d.http_status, d.msg_type) == ("delivered", 1, 200, "alert.created")
    assert d.delivered_at and d.created_at


def test_429_is_not_retried_before_retry_after(slack):
    receiver, config = slack
    receiver.script = [Response(429, b"rate_limited", {"Retry-After": "30"})]
    alert = saved_alert()
    t0 = 1_900_000_000.0
    first = deliver(alert.id, "ops-slack", config=config, now=t0)
    assert first.status == "retrying" and first.http_status == 429
    assert first.next_attempt_at >= t0 + 30
    # A task that fires early (a duplicate, a sweep) does nothing.
    early = deliver(alert.id, "ops-slack", config=config, now=t0 + 29)
    assert early.status == "not_due" and not early.requested
    assert receiver.count == 1
    second = deliver(alert.id, "ops-slack", config=config, now=first.next_attempt_at)
    assert second.status == "delivered"
    assert receiver.count == 2
    d = ledger.get(first.delivery_id)
    assert d.attempts == 2 and d.status == "delivered"


def test_5xx_retries_with_full_jitter_then_one_success(slack):
    receiver, config = slack
    receiver.script = [Response(500, b"oops"), Response(503, b"")]
    alert = saved_alert()
    t = 1_900_000_000.0
    waits = []
    for _ in range(2):
        r = deliver(alert.id, "ops-slack", config=config, now=t, rng=random.Random(7))
        assert r.status == "retrying"
        waits.append(r.next_attempt_at - t)
        t = r.next_attempt_at
    ok = deliver(alert.id, "ops-slack", config=config, now=t)
    assert ok.status == "delivered" and receiver.count == 3
    # Attempt n waits somewhere in (floor, 2**n s]: exponential with full jitter.
    assert SLACK_POLICY.floor <= waits[0] <= 2 and SLACK_POLICY.floor <= waits[1] <= 4
    again = deliver(alert.id, "ops-slack", config=config, now=t + 100)
    assert again.status == "delivered" and not again.requested and receiver.count == 3
    assert ledger.get(ok.delivery_id).duplicates == 1


def test_full_jitter_spreads_waits_over_the_whole_step():
    rng = random.Random(1)
    waits = [SLACK_POLICY.wait(5, rng) for _ in range(400)]
    assert min(waits) < 4 and max(waits) > 28 and all(SLACK_POLICY.floor <= w <= 32 for w in waits)


@pytest.mark.parametrize(("status", "word"), [
    (410, "channel_is_archived"), (404, "no_service"), (403, "invalid_token"), (404, "channel_not_found"),
    (404, "no_team"), (404, ""),
])
def test_a_gone_webhook_disables_the_destination_and_ops_are_told_once(slack, caplog, status, word):
    receiver, config = slack
    receiver.default = Response(status, word.encode())
    caplog.set_level(logging.INFO)
    first = deliver(saved_alert(1).id, "ops-slack", config=config)
    assert first.status == "disabled" and first.requested
    state = destinations.disabled_state("ops-slack")
    assert state and (word or str(status)) in state["reason"]
    later = [deliver(saved_alert(n).id, "ops-slack", config=config) for n in (2, 3)]
    assert [r.status for r in later] == ["disabled", "disabled"]
    assert not any(r.requested for r in later)
    assert receiver.count == 1
    told = [r for r in caplog.records if r.levelno == logging.ERROR and "disabled" in r.getMessage()]
    assert len(told) == 1 and "ops-slack" in told[0].getMessage()


def test_a_new_url_lifts_the_block(slack, http_server, monkeypatch):
    receiver, config = slack
    receiver.default = Response(410, b"channel_is_archived")
    deliver(saved_alert(1).id, "ops-slack", config=config)
    fresh = SlackReceiver(http_server, "/services/T000/B000/newwebhookpath")
    monkeypatch.setenv("TEST_SLACK_URL", fresh.url)
    assert deliver(saved_alert(2).id, "ops-slack", config=config).status == "delivered"
    assert fresh.count == 1 and destinations.disabled_state("ops-slack") is None


def test_invalid_payload_is_dead_lettered_without_retry(slack):
    receiver, config = slack
    receiver.default = Response(400, b"invalid_payload")
    alert = saved_alert()
    result = deliver(alert.id, "ops-slack", config=config)
    assert result.status == "dead" and "invalid_payload" in result.error
    assert [d.id for d in ledger.dead_letters()] == [result.delivery_id]
    assert deliver(alert.id, "ops-slack", config=config, now=time.time() + 86400).status == "dead"
    assert receiver.count == 1
    assert destinations.disabled_state("ops-slack") is None


def test_a_hanging_receiver_times_out_and_is_retried(slack, http_server, monkeypatch):
    _, config = slack
    release = threading.Event()
    hanging = SlackReceiver(http_server, "/services/T000/B000/hanging", hold=release)
    monkeypatch.setenv("TEST_SLACK_URL", hanging.url)
    config = config_with({"name": "ops-slack", "type": "slack", "url_env": "TEST_SLACK_URL",
                          "rate_per_second": 100, "timeout": 0.5})
    started = time.monotonic()
    try:
        result = deliver(saved_alert().id, "ops-slack", config=config)
    finally:
        release.set()
    assert time.monotonic() - started < 3
    assert result.status == "retrying" and "timed out" in result.error
    assert result.next_attempt_at is not None


def test_retries_end_in_a_dead_letter(slack):
    receiver, config = slack
    receiver.default = Response(502, b"")
    policy = RetryPolicy((1, 2))
    alert = saved_alert()
    t = 1_900_000_000.0
    statuses = []
    for _ in range(3):
        r = deliver(alert.id, "ops-slack", config=config, now=t, policy=policy)
        statuses.append(r.status)
        t = (r.next_attempt_at or t) + 0.01
    assert statuses == ["retrying", "retrying", "dead"]
    d = ledger.get(r.delivery_id)
    assert d.attempts == 3 and "gave up after 3 attempts" in d.last_error and "HTTP 502" in d.last_error
    assert receiver.count == 3


@pytest.mark.parametrize(("status", "body", "result"), [
    (200, "ok", "delivered"), (429, "rate_limited", "retry"), (404, "no_service", "disable"),
    (403, "action_prohibited", "disable"), (400, "invalid_payload", "dead"), (400, "no_text", "dead"),
    (500, "", "retry"), (408, "", "retry"), (301, "", "retry"), (400, "something_else", "dead"),
])
def test_every_slack_answer_has_a_meaning(status, body, result):
    assert classify(status, body, {}).result == result
