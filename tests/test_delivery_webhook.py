"""Checklist 6 (and 2): signed generic webhooks against a real verifying receiver."""

from __future__ import annotations

import socket
import threading
import time
from http.server import ThreadingHTTPServer

import pytest
from conftest import LocalServer, Response
from receivers import WebhookReceiver, config_with, new_secret, saved_alert

from alerts import destinations, ledger, store
from alerts.delivery import WEBHOOK_POLICY, RetryPolicy, deliver, dispatch_due_retries

PATH = "/hooks/ops/incoming"


@pytest.fixture
def hook(rasd_env, http_server, monkeypatch):
    secret = new_secret()
    receiver = WebhookReceiver(http_server, PATH, secret)
    monkeypatch.setenv("TEST_HOOK_URL", receiver.url)
    monkeypatch.setenv("TEST_HOOK_SECRET", secret)
    config = config_with({"name": "ops-hook", "type": "webhook", "url_env": "TEST_HOOK_URL",
                          "secret_env": "TEST_HOOK_SECRET", "rate_per_second": 100, "timeout": 2})
    return receiver, config


def test_the_body_is_signed_and_verifies(hook):
    receiver, config = hook
    alert = saved_alert()
    result = deliver(alert.id, "ops-hook", config=config)
    assert result.status == "delivered"
    (arrival,) = receiver.wait_for(1)
    assert arrival.problem is None, arrival.problem
    body = arrival.message
    assert body["type"] == "alert.created" and body["data"]["id"] == alert.id
    assert body["data"]["event"]["type"] == "crossing_closure"
    headers = arrival.request.headers
    assert headers["content-type"].startswith("application/json")
    assert headers["webhook-id"] == ledger.get(result.delivery_id).webhook_id
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60


def test_a_wrong_secret_fails_verification(hook, monkeypatch):
    receiver, config = hook
    monkeypatch.setenv("TEST_HOOK_SECRET", new_secret())
    result = deliver(saved_alert().id, "ops-hook", config=config)
    assert result.status == "retrying"
    assert "No matching signature" in receiver.wait_for(1)[0].problem


def test_webhook_id_is_stable_across_retries_and_new_for_a_new_version(hook):
    receiver, config = hook
    receiver.script = [Response(500, b""), Response(500, b"")]
    alert = saved_alert()
    t = 1_900_000_000.0
    while (r := deliver(alert.id, "ops-hook", config=config, now=t)).status == "retrying":
        t = r.next_attempt_at
    assert r.status == "delivered"
    arrivals = receiver.wait_for(3)
    assert all(a.problem is None for a in arrivals)
    assert len({a.request.headers["webhook-id"] for a in arrivals}) == 1
    assert len({a.request.body for a in arrivals}) == 1  # the same message each time

    alert.version, alert.sources = 2, alert.sources * 2
    store.save_alert(alert)
    v2 = deliver(alert.id, "ops-hook", config=config, now=t + 10)
    assert v2.status == "delivered" and v2.delivery_id != r.delivery_id
    latest = receiver.wait_for(4)[-1]
    assert latest.message["type"] == "alert.updated" and latest.message["data"]["version"] == 2
    assert latest.request.headers["webhook-id"] != arrivals[0].request.headers["webhook-id"]
    assert [d.version for d in ledger.for_alert(alert.id)] == [1, 2]


def test_an_unsent_older_version_is_superseded_and_the_receiver_learns_of_the_alert_once(hook):
    receiver, config = hook
    alert = saved_alert()
    ledger.ensure(alert.id, 1, "ops-hook", msg_type="alert.created", now=time.time())
    alert.version = 2
    store.save_alert(alert)
    assert deliver(alert.id, "ops-hook", config=config).status == "delivered"
    (arrival,) = receiver.wait_for(1)
    assert arrival.message["type"] == "alert.created" and arrival.message["data"]["version"] == 2
    old = ledger.get(ledger.delivery_id(alert.id, 1, "ops-hook"))
    assert old.status == "skipped" and "superseded by version 2" in old.last_error


def test_410_disables(hook):
    receiver, config = hook
    receiver.default = Response(410, b"")
    assert deliver(saved_alert(1).id, "ops-hook", config=config).status == "disabled"
    assert deliver(saved_alert(2).id, "ops-hook", config=config).status == "disabled"
    assert receiver.count == 1 and destinations.disabled_state("ops-hook")


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(hook, status):
    receiver, config = hook
    receiver.script = [Response(status, b"", {"Retry-After": "7200"})]
    alert = saved_alert()
    t = 1_900_000_000.0
    r = deliver(alert.id, "ops-hook", config=config, now=t)
    assert r.status == "retrying" and r.next_attempt_at >= t + 7200
    assert deliver(alert.id, "ops-hook", config=config, now=t + 7199).status == "not_due"
    assert deliver(alert.id, "ops-hook", config=config, now=r.next_attempt_at).status == "delivered"
    assert receiver.count == 2


def test_a_redirect_is_not_followed(hook, http_server):
    receiver, config = hook
    receiver.default = Response(302, b"", {"Location": http_server.url("/elsewhere")})
    http_server.add("/elsewhere", b"ok")
    r = deliver(saved_alert().id, "ops-hook", config=config)
    assert r.status == "retrying" and r.http_status == 302
    assert "redirect" in r.error and "not followed" in r.error
    assert http_server.hits("/elsewhere") == []


def test_a_hanging_receiver_is_cut_off_at_the_destination_timeout(hook, http_server, monkeypatch):
    _, config = hook
    release = threading.Event()
    hanging = WebhookReceiver(http_server, "/hooks/hang", hook[0].secret, hold=release)
    monkeypatch.setenv("TEST_HOOK_URL", hanging.url)
    config = config_with({"name": "ops-hook", "type": "webhook", "url_env": "TEST_HOOK_URL",
                          "secret_env": "TEST_HOOK_SECRET", "timeout": 0.4})
    started = time.monotonic()
    try:
        r = deliver(saved_alert().id, "ops-hook", config=config)
    finally:
        release.set()
    assert time.monotonic() - started < 2.5
    assert r.status == "retrying" and "timed out" in r.error


def test_a_receiver_that_is_down_then_up_gets_the_alert(rasd_env, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = new_secret()
    monkeypatch.setenv("TEST_HOOK_URL", f"http://127.0.0.1:{port}{PATH}")
    monkeypatch.setenv("TEST_HOOK_SECRET", secret)
    config = config_with({"name": "ops-hook", "type": "webhook", "url_env": "TEST_HOOK_URL",
                          "secret_env": "TEST_HOOK_SECRET", "timeout": 2})
    alert = saved_alert()
    t = time.time()
    down = deliver(alert.id, "ops-hook", config=config, now=t)
    assert down.status == "retrying" and "could not connect" in down.error

    server = LocalServer()
    server.httpd.server_close()
    server.httpd = ThreadingHTTPServer(("127.0.0.1", port), server.httpd.RequestHandlerClass)
    server.httpd.daemon_threads = True
    server.thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    receiver = WebhookReceiver(server, PATH, secret)
    server.thread.start()
    try:
        up = deliver(alert.id, "ops-hook", config=config, now=down.next_attempt_at)
        assert up.status == "delivered"
        assert receiver.wait_for(1)[0].problem is None
    finally:
        server.close()


def test_the_default_schedule_spans_about_a_day():
    assert WEBHOOK_POLICY.delays[:5] == (30, 120, 600, 1800, 3600)
    assert 20 * 3600 <= WEBHOOK_POLICY.horizon <= 30 * 3600


def test_long_waits_live_in_the_ledger_and_the_sweep_sends_them_when_due(hook):
    receiver, config = hook
    receiver.default = Response(500, b"")
    alert = saved_alert()
    t = 1_900_000_000.0
    sent: list[tuple[str, list]] = []

    def send(name, args):
        sent.append((name, args))

    policy = RetryPolicy((600, 3600, 7200), low=1.0, high=1.0)
    for step in (600, 3600):
        r = deliver(alert.id, "ops-hook", config=config, now=t, policy=policy)
        assert r.status == "retrying" and r.next_attempt_at == pytest.approx(t + step)
        assert dispatch_due_retries(now=t + step - 1, send=send) == 0
        assert dispatch_due_retries(now=t + step, send=send) == 1
        assert dispatch_due_retries(now=t + step + 1, send=send) == 0  # parked: not sent twice
        t += step
    assert sent == [("rasd.alerts.deliver", [alert.id, "ops-hook"])] * 2
    r = deliver(alert.id, "ops-hook", config=config, now=t, policy=policy)
    last = deliver(alert.id, "ops-hook", config=config, now=r.next_attempt_at, policy=policy)
    assert last.status == "dead" and "gave up after 4 attempts" in last.error
    assert [d.id for d in ledger.dead_letters()] == [last.delivery_id]
    assert dispatch_due_retries(now=t + 10**6, send=send) == 0


def test_the_sweep_resends_a_delivery_whose_task_was_lost(hook):
    receiver, config = hook
    alert = saved_alert()
    now = time.time()
    ledger.ensure(alert.id, 1, "ops-hook", msg_type="alert.created", now=now, due_at=now + 300)
    sent = []
    assert dispatch_due_retries(now=now + 10, send=lambda n, a: sent.append(a)) == 0
    assert dispatch_due_retries(now=now + 300, send=lambda n, a: sent.append(a)) == 1
    assert sent == [[alert.id, "ops-hook"]]
    assert receiver.count == 0  # the sweep only queues; the task delivers


def test_a_missing_variable_is_a_clear_error_without_the_value(hook, monkeypatch):
    receiver, config = hook
    monkeypatch.delenv("TEST_HOOK_SECRET")
    r = deliver(saved_alert().id, "ops-hook", config=config)
    assert r.status == "retrying" and not r.requested
    assert "ops-hook" in r.error and "TEST_HOOK_SECRET" in r.error and "is not set" in r.error
    assert receiver.count == 0


def test_a_destination_can_set_its_own_retry_delays():
    from alerts.delivery import policy_for
    from worker.config import Destination

    if "retry_delays" not in Destination.model_fields:
        pytest.skip("worker.config has no retry_delays key yet")
    dest = Destination(name="h", type="webhook", url_env="A", secret_env="B", retry_delays=["1s", "2m"])
    policy = policy_for(dest)
    assert policy.delays == (1.0, 120.0)
    assert 0.8 <= policy.wait(1) <= 1.2 and 96 <= policy.wait(2) <= 144 and policy.wait(3) is None
