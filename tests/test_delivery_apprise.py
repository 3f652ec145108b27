"""Apprise destinations, through Apprise's own json:// plugin to a real local receiver."""

from __future__ import annotations

import pytest
from conftest import Response
from receivers import JsonReceiver, config_with, saved_alert

from alerts import ledger
from alerts.delivery import deliver
from alerts.senders.apprise import with_timeouts

PATH = "/notify/apprise-token-path"


@pytest.fixture
def target(rasd_env, http_server, monkeypatch):
    receiver = JsonReceiver(http_server, PATH)
    monkeypatch.setenv("TEST_APPRISE_URL", f"json://127.0.0.1:{http_server.port}{PATH}")
    config = config_with({"name": "ops-apprise", "type": "apprise", "url_env": "TEST_APPRISE_URL",
                          "rate_per_second": 100, "timeout": 2})
    return receiver, config


def test_plain_text_arrives_through_apprise(target):
    receiver, config = target
    alert = saved_alert()
    r = deliver(alert.id, "ops-apprise", config=config)
    assert r.status == "delivered" and r.requested
    (arrival,) = receiver.wait_for(1)
    message = arrival.message
    assert "Crossing closed" in message["title"]
    assert "نَصِيب" in message["message"] and alert.sources[0].url in message["message"]
    assert ledger.get(r.delivery_id).status == "delivered"


def test_a_failure_is_retried_like_a_webhook_then_delivered(target):
    receiver, config = target
    receiver.script = [Response(500, b"down")]
    alert = saved_alert()
    t = 1_900_000_000.0
    first = deliver(alert.id, "ops-apprise", config=config, now=t)
    assert first.status == "retrying" and first.http_status == 500
    assert 24 <= first.next_attempt_at - t <= 36  # the webhook schedule: 30 s +- 20 %
    assert deliver(alert.id, "ops-apprise", config=config, now=first.next_attempt_at).status == "delivered"
    assert receiver.count == 2


def test_private_addresses_are_refused_without_the_opt_in(target, monkeypatch):
    receiver, _ = target
    config = config_with({"name": "ops-apprise", "type": "apprise", "url_env": "TEST_APPRISE_URL"},
                         allow_private=False)
    r = deliver(saved_alert().id, "ops-apprise", config=config)
    assert r.status == "retrying" and "loopback" in r.error
    assert receiver.count == 0


def test_a_url_apprise_does_not_know_is_a_clear_error(target, monkeypatch):
    _, config = target
    monkeypatch.setenv("TEST_APPRISE_URL", "nosuchscheme://x/y")
    r = deliver(saved_alert().id, "ops-apprise", config=config)
    assert r.status == "retrying" and "TEST_APPRISE_URL" in r.error and "nosuchscheme" not in r.error


def test_timeouts_are_added_unless_set():
    assert with_timeouts("json://h/p", 5) == "json://h/p?cto=5&rto=5"
    assert with_timeouts("json://h/p?rto=2", 5) == "json://h/p?rto=2&cto=5"
