"""`rasd alerts` and `rasd destinations` against real receivers and the real ledger."""

from __future__ import annotations

import base64
import json
import os

import pytest
from conftest import Response
from receivers import SlackReceiver, WebhookReceiver, new_secret, saved_alert

from alerts import destinations, ledger
from alerts.delivery import RetryPolicy, deliver
from worker.cli import main
from worker.config import load_config


@pytest.fixture
def setup(rasd_env, http_server, monkeypatch, tmp_path):
    secret = new_secret()
    hook = WebhookReceiver(http_server, "/hooks/cli", secret)
    slack = SlackReceiver(http_server, "/services/T9/B9/clislack")
    monkeypatch.setenv("CLI_HOOK_URL", hook.url)
    monkeypatch.setenv("CLI_HOOK_SECRET", secret)
    monkeypatch.setenv("CLI_SLACK_URL", slack.url)
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "settings:\n  allow_private_networks: true\n"
        "destinations:\n"
        "  - name: ops-hook\n    type: webhook\n    url_env: CLI_HOOK_URL\n    secret_env: CLI_HOOK_SECRET\n"
        "    rate_per_second: 100\n"
        "  - name: ops-slack\n    type: slack\n    url_env: CLI_SLACK_URL\n    rate_per_second: 100\n",
        encoding="utf-8",
    )
    return hook, slack, str(path), load_config(path)


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_alerts_lists_deliveries_and_tells_ops_what_is_wrong(setup, capsys):
    hook, slack, path, config = setup
    assert run(capsys, "alerts", "--config", path)[1].strip() == "no alerts yet"
    slack.default = Response(410, b"channel_is_archived")
    alert = saved_alert()
    deliver(alert.id, "ops-hook", config=config)
    deliver(alert.id, "ops-slack", config=config)
    code, out = run(capsys, "alerts", "--config", path)
    assert code == 0
    assert alert.id in out and "crossing_closure" in out and "Nasib-Jaber crossing" in out
    assert "ops-hook:delivered" in out and "ops-slack:disabled" in out
    assert "destination ops-slack is DISABLED" in out and "channel_is_archived" in out
    newer = saved_alert(2, updated_at="2026-03-15T07:00:00Z")
    for argv in (["alerts", "--limit", "1"], ["alerts", "list", "--limit", "1", "--config", path]):
        out = run(capsys, *argv)[1]
        assert newer.id in out and alert.id not in out


def test_show_prints_the_alert_and_every_delivery(setup, capsys):
    hook, _, path, config = setup
    hook.script = [Response(503, b"", {"Retry-After": "60"})]
    alert = saved_alert()
    first = deliver(alert.id, "ops-hook", config=config)
    deliver(alert.id, "ops-hook", config=config, now=first.next_attempt_at)
    code, out = run(capsys, "alerts", "show", alert.id, "--config", path)
    assert code == 0
    assert "crossing_closure, occurred" in out and "نَصِيب" in out and alert.sources[0].url in out
    assert "v1 -> ops-hook: DELIVERED" in out and "2 attempts" in out
    assert "last error: HTTP 503" in out and ledger.webhook_id_for(alert.id, 1, "ops-hook") in out
    assert run(capsys, "alerts", "show", "NOPE", "--config", path)[0] == 1


def test_retry_requeues_a_dead_letter_and_the_task_reaches_the_broker(setup, capsys, rasd_env):
    hook, _, path, config = setup
    hook.default = Response(500, b"")
    alert = saved_alert()
    dead = deliver(alert.id, "ops-hook", config=config, policy=RetryPolicy(()))
    assert dead.status == "dead"
    assert "1 dead-lettered delivery" in run(capsys, "alerts", "--config", path)[1]
    code, out = run(capsys, "alerts", "retry", alert.id, "--destination", "ops-hook", "--config", path)
    assert code == 0 and "re-queued v1 -> ops-hook" in out
    assert ledger.get(dead.delivery_id).status == "pending" and ledger.dead_letters() == []
    queued = rasd_env.lrange(os.environ["RASD_PREFIX"] + "celery:alerts", 0, -1)
    bodies = [json.loads(base64.b64decode(json.loads(m)["body"])) for m in queued]
    assert [b[0] for b in bodies] == [[alert.id, "ops-hook"]]
    hook.default = Response(200, b"ok")
    assert deliver(alert.id, "ops-hook", config=config).status == "delivered"
    assert run(capsys, "alerts", "retry", alert.id, "--config", path)[0] == 1  # nothing left to retry


def test_destinations_lists_state_and_enable_lifts_a_disable(setup, capsys, monkeypatch):
    _, slack, path, config = setup
    slack.default = Response(404, b"no_service")
    deliver(saved_alert().id, "ops-slack", config=config)
    monkeypatch.delenv("CLI_HOOK_SECRET")
    code, out = run(capsys, "destinations", "--config", path)
    assert code == 0
    assert "ops-slack" in out and "DISABLED" in out and "no_service" in out
    assert "ops-hook" in out and "CLI_HOOK_SECRET is not set" in out
    assert slack.url not in out
    code, out = run(capsys, "destinations", "enable", "ops-slack", "--config", path)
    assert code == 0 and destinations.disabled_state("ops-slack") is None


def test_destinations_test_sends_a_marked_test_alert(setup, capsys):
    hook, slack, path, _ = setup
    code, out = run(capsys, "destinations", "test", "ops-hook", "--config", path)
    assert code == 0 and "ops-hook (webhook): delivered" in out
    (arrival,) = hook.wait_for(1)
    assert arrival.problem is None
    assert arrival.message["type"] == "alert.test" and arrival.message["data"]["test"] is True
    code, out = run(capsys, "destinations", "test", "ops-slack", "--config", path)
    assert code == 0
    assert slack.wait_for(1)[0].message["text"].startswith("[TEST]")
    assert ledger.dead_letters() == []  # nothing recorded for a test


def test_a_failing_test_send_says_so(setup, capsys):
    hook, _, path, _ = setup
    hook.default = Response(500, b"")
    code, out = run(capsys, "destinations", "test", "ops-hook", "--config", path)
    assert code == 1 and "FAILED" in out and "HTTP 500" in out
    assert hook.url not in out
    assert run(capsys, "destinations", "test", "nope", "--config", path)[0] == 1
