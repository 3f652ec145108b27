"""Checklist 7: webhook URLs and signing secrets never reach logs, the ledger, errors or the broker."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import uuid

import pytest
from conftest import Response
from receivers import JsonReceiver, SlackReceiver, WebhookReceiver, config_with, new_secret, saved_alert

from alerts import ledger
from alerts.delivery import deliver
from alerts.destinations import DestinationError, resolve
from alerts.tasks import enqueue_deliveries
from worker.config import Destination


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_dump(r, prefix: str) -> str:
    """Every value under the test's key prefix, with broker message bodies decoded."""
    out = []
    for k in r.scan_iter(match=prefix + "*"):
        kind = r.type(k)
        if kind == "string":
            values = [r.get(k)]
        elif kind == "hash":
            values = [f"{f}={v}" for f, v in r.hgetall(k).items()]
        elif kind == "list":
            values = r.lrange(k, 0, -1)
        elif kind == "set":
            values = list(r.smembers(k))
        elif kind == "zset":
            values = r.zrange(k, 0, -1)
        else:
            values = []
        for v in values:
            out.append(f"{k} {v}")
            try:
                message = json.loads(v)
                out.append(base64.b64decode(message["body"]).decode("utf-8"))
            except (ValueError, KeyError, TypeError):
                pass
    return "\n".join(out)


@pytest.fixture
def secrets_everywhere(rasd_env, http_server, monkeypatch):
    token = uuid.uuid4().hex
    slack = SlackReceiver(http_server, f"/services/T1/B1/{token}slack")
    secret = new_secret()
    hook = WebhookReceiver(http_server, f"/hooks/{token}hook", secret)
    apprise_rx = JsonReceiver(http_server, f"/apprise/{token}apprise")
    env = {
        "S_SLACK": slack.url,
        "S_HOOK": hook.url + f"?key={token}query",
        "S_HOOK_SECRET": secret,
        "S_APPRISE": f"json://127.0.0.1:{http_server.port}/apprise/{token}apprise",
        "S_DOWN": f"http://127.0.0.1:{_closed_port()}/down/{token}down",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    config = config_with(
        {"name": "s-slack", "type": "slack", "url_env": "S_SLACK", "rate_per_second": 100},
        {"name": "s-hook", "type": "webhook", "url_env": "S_HOOK", "secret_env": "S_HOOK_SECRET",
         "rate_per_second": 100},
        {"name": "s-apprise", "type": "apprise", "url_env": "S_APPRISE", "rate_per_second": 100},
        {"name": "s-down", "type": "webhook", "url_env": "S_DOWN", "secret_env": "S_HOOK_SECRET",
         "rate_per_second": 100, "timeout": 1},
    )
    secret_values = [token, secret, secret.removeprefix("whsec_"), slack.url, env["S_APPRISE"]]
    return slack, hook, apprise_rx, config, secret_values


def test_no_secret_in_logs_ledger_errors_or_task_arguments(secrets_everywhere, caplog, rasd_env):
    from worker.celery_app import make_app

    slack, hook, apprise_rx, config, secret_values = secrets_everywhere
    caplog.set_level(logging.DEBUG)
    slack.script = [Response(500, b"")]
    hook.script = [Response(302, b"", {"Location": hook.url + "?again=1"})]
    apprise_rx.script = [Response(500, b"")]
    alert = saved_alert()
    results = []
    for name in ("s-slack", "s-hook", "s-apprise", "s-down"):
        first = deliver(alert.id, name, config=config)
        results.append(first)
        if first.next_attempt_at:
            results.append(deliver(alert.id, name, config=config, now=first.next_attempt_at))
    assert [r.status for r in results] == ["retrying", "delivered", "retrying", "delivered", "retrying",
                                           "delivered", "retrying", "retrying"]
    assert all(a.problem is None for a in hook.arrivals + slack.arrivals)

    app = make_app()
    queued = enqueue_deliveries(alert, "created", config,
                                send=lambda name, args: app.send_task(name, args=args))
    assert queued == ["s-slack", "s-hook", "s-apprise", "s-down"]

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logs = "\n".join(formatter.format(r) for r in caplog.records)
    assert "HTTP Request: POST" in logs  # httpx did log its requests, with the URL blanked out
    errors = "\n".join(r.error or "" for r in results)
    ledger_text = "\n".join(str(d) for d in ledger.for_alert(alert.id))
    stored = _redis_dump(rasd_env, os.environ["RASD_PREFIX"])
    assert f'["{alert.id}", "s-hook"]' in stored  # the broker holds the task: ids only
    for value in secret_values:
        for where, text in (("logs", logs), ("errors", errors), ("ledger", ledger_text), ("redis", stored)):
            assert value not in text, f"a secret leaked into the {where}"


def test_a_missing_variable_names_the_destination_and_the_variable(monkeypatch):
    monkeypatch.delenv("NOPE_URL", raising=False)
    dest = Destination(name="ops-x", type="slack", url_env="NOPE_URL")
    with pytest.raises(DestinationError, match="ops-x.*NOPE_URL is not set"):
        resolve(dest)


def test_a_value_is_never_echoed_in_the_error(monkeypatch):
    monkeypatch.setenv("BAD_URL", "ftp://secret-host/very-secret-path")
    dest = Destination(name="ops-x", type="slack", url_env="BAD_URL")
    with pytest.raises(DestinationError) as info:
        resolve(dest)
    assert "BAD_URL" in str(info.value) and "very-secret-path" not in str(info.value)


def test_the_celery_task_arguments_are_ids_only():
    import inspect

    from alerts.tasks import deliver_task

    assert list(inspect.signature(deliver_task.run).parameters) == ["alert_id", "destination_name"]


def test_redaction_covers_the_forms_a_url_takes_in_error_texts():
    from alerts.destinations import redact, secret_variants

    url = "https://hooks.example.org/services/T0/B0/XyZ%20token?sig=abcdef123"
    text = (f"POST {url} failed; path /services/T0/B0/XyZ token; query sig=abcdef123; "
            "host hooks.example.org is fine to show")
    clean = redact(text, secret_variants(url, "whsec_c2VjcmV0c2VjcmV0c2VjcmV0"))
    assert "XyZ" not in clean and "abcdef123" not in clean and "hooks.example.org is fine" in clean


def test_an_apprise_token_in_the_host_part_is_redacted_too():
    from alerts.destinations import redact, secret_variants

    url = "tgram://123456789:AAbbCCddEEff/-100200300"
    clean = redact(f"could not notify {url}; bot 123456789:AAbbCCddEEff", secret_variants(url, None))
    assert "AAbbCCddEEff" not in clean
