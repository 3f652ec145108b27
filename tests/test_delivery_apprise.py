"""Apprise destinations, through Apprise's own json:// and ntfy:// plugins to real local receivers."""

from __future__ import annotations

import socket
import threading

import pytest
from conftest import Response
from receivers import JsonReceiver, config_with, saved_alert

from alerts import ledger
from alerts.delivery import deliver
from alerts.senders.apprise import guarded, with_timeouts

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


# -- the private-address rule holds for every scheme, checked where Apprise connects --------------


def ntfy_config(http_server, monkeypatch, host: str, allow_private: bool):
    receiver = JsonReceiver(http_server, "/")  # ntfy:// posts {"topic", "title", "message"} to the root
    monkeypatch.setenv("TEST_NTFY_URL", f"ntfy://{host}:{http_server.port}/ops-alerts")
    config = config_with({"name": "ops-ntfy", "type": "apprise", "url_env": "TEST_NTFY_URL", "timeout": 2},
                         allow_private=allow_private)
    return receiver, config


def test_a_non_json_scheme_reaches_a_private_host_only_with_the_opt_in(rasd_env, http_server, monkeypatch):
    receiver, config = ntfy_config(http_server, monkeypatch, "127.0.0.1", allow_private=True)
    r = deliver(saved_alert().id, "ops-ntfy", config=config)
    assert r.status == "delivered"
    (arrival,) = receiver.wait_for(1)
    assert arrival.message["topic"] == "ops-alerts" and "Crossing closed" in arrival.message["title"]

    _, guarded = ntfy_config(http_server, monkeypatch, "127.0.0.1", allow_private=False)
    refused = deliver(saved_alert(2).id, "ops-ntfy", config=guarded)
    assert refused.status == "retrying" and "loopback" in refused.error
    assert "allow_private_networks" in refused.error
    assert receiver.count == 1


def test_a_name_resolving_to_loopback_is_refused_too(rasd_env, http_server, monkeypatch):
    receiver, config = ntfy_config(http_server, monkeypatch, "localhost", allow_private=False)
    r = deliver(saved_alert().id, "ops-ntfy", config=config)
    assert r.status == "retrying" and "loopback" in r.error
    assert receiver.count == 0


def test_email_to_a_private_smtp_server_never_connects(rasd_env, monkeypatch):
    """mailto:// goes through smtplib, not HTTP: the guard sits under both."""
    with socket.create_server(("127.0.0.1", 0)) as smtp:
        smtp.setblocking(False)
        port = smtp.getsockname()[1]
        monkeypatch.setenv("TEST_MAIL_URL", f"mailto://ops:pw@example.org:{port}?smtp=127.0.0.1"
                                            "&from=rasd@example.org&to=desk@example.org&mode=insecure")
        config = config_with({"name": "ops-mail", "type": "apprise", "url_env": "TEST_MAIL_URL", "timeout": 2},
                             allow_private=False)
        r = deliver(saved_alert().id, "ops-mail", config=config)
        assert r.status == "retrying" and "loopback" in r.error
        with pytest.raises(BlockingIOError):  # nothing ever connected
            smtp.accept()


def test_a_scheme_the_guard_cannot_see_is_refused_without_the_opt_in(rasd_env, monkeypatch):
    monkeypatch.setenv("TEST_SYSLOG_URL", "rsyslog://127.0.0.1:5514")
    config = config_with({"name": "ops-syslog", "type": "apprise", "url_env": "TEST_SYSLOG_URL"},
                         allow_private=False)
    r = deliver(saved_alert().id, "ops-syslog", config=config)
    assert r.status == "retrying" and "rsyslog:// cannot be checked" in r.error


def test_the_guard_is_off_outside_a_send():
    with guarded(1.0) as guard:
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("127.0.0.1", 80)
        assert guard.refused == "loopback"
    assert socket.getaddrinfo("127.0.0.1", 80)  # the rest of the process (Redis, tests) is untouched
    seen: list = []
    thread = threading.Thread(target=lambda: seen.append(socket.getaddrinfo("127.0.0.1", 80)))
    with guarded(1.0):
        thread.start()  # a thread started without our context is not guarded
        thread.join()
    assert seen and seen[0]
