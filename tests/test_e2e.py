"""End to end: feeds.yaml -> scheduler -> real Celery worker -> local feed and article -> alert file.

Everything is real: the Redis from the fixtures, a Celery worker and the scheduler as subprocesses,
and an HTTP server on 127.0.0.1 serving a feed and article pages written for this test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from worker import feedstate, scheduler

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

CLOSURE_ARTICLE = """<html><head><meta charset="utf-8"><title>إغلاق معبر باب الهوى</title></head><body>
<nav>الرئيسية | سياسة | اقتصاد | رياضة</nav>
<article><h1>إغلاق معبر باب الهوى أمام المسافرين</h1>
<p>أغلقت السلطات التركية صباح اليوم معبرَ باب الهوى الحدودي مع سوريا أمام حركة المسافرين والشاحنات
التجارية حتى إشعار آخر، بحسب ما أفاد مسؤول في إدارة المعبر لوكالات الأنباء.</p>
<p>وقال المسؤول إن القرار جاء بعد تدهور الأوضاع الأمنية في المنطقة القريبة من الحدود، مضيفاً أن
العشرات من الشاحنات المحملة بالبضائع علقت على جانبي الحدود منذ ساعات الصباح الأولى.</p>
<p>ويعد المعبر شرياناً رئيسياً لدخول البضائع إلى محافظة إدلب شمال غربي البلاد.</p>
</article><footer>جميع الحقوق محفوظة</footer></body></html>"""

SIEGE_ARTICLE = """<html><head><meta charset="utf-8"><title>حصار بلدة</title></head><body><article>
<h1>قوات النظام تفرض حصاراً على بلدة في ريف درعا</h1>
<p>فرضت قوات النظام السوري حصاراً خانقاً على مدينة طفس في ريف درعا الغربي منذ ثلاثة أيام، ومنعت
دخول المواد الغذائية والطبية إلى الأهالي، وفق ما ذكرت مصادر محلية.</p>
<p>وأضافت المصادر أن الأهالي يعانون نقصاً حاداً في الخبز والوقود مع استمرار إغلاق الطرق المؤدية إلى
المدينة من جميع الجهات.</p></article></body></html>"""


def rss(items: list[tuple[str, str, str]]) -> str:
    now = format_datetime(datetime.now(UTC))
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{now}</pubDate>"
        f"<description>{d}</description></item>"
        for t, link, d in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>أخبار محلية</title>'
            f"<link>http://127.0.0.1/</link><description>test</description>{body}</channel></rss>")


def wait_for(condition, timeout: float, what: str, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        for p in procs:
            assert p.poll() is None, f"{p.args[0]} exited early with {p.returncode}"
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def read_alerts(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def start_service(tmp_path: Path, server, *, destinations_yaml: str = "", env: dict | None = None) -> dict:
    """Write a feeds.yaml for the local server and start a worker and a scheduler on it."""
    state = {"items": [("إغلاق معبر باب الهوى", server.url("/news/1"), "أغلقت السلطات معبر باب الهوى")]}
    from conftest import Response

    def feed_handler(req):
        return Response(200, rss(state["items"]).encode("utf-8"),
                        {"Content-Type": "application/rss+xml; charset=utf-8"})

    server.add("/feed.xml", feed_handler)
    server.add("/mirror.xml", feed_handler)  # a second outlet carrying the same links
    server.add("/news/1", CLOSURE_ARTICLE, Content_Type="text/html; charset=utf-8")
    server.add("/news/2", SIEGE_ARTICLE, Content_Type="text/html; charset=utf-8")
    alerts_file = tmp_path / "alerts.jsonl"
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "settings:\n"
        "  allow_private_networks: true\n"
        "  tick: 1s\n"
        f"  alerts_file: {alerts_file}\n"
        "feeds:\n"
        f"  - id: local\n    url: {server.url('/feed.xml')}\n    interval: 30m\n"
        f"  - id: mirror\n    url: {server.url('/mirror.xml')}\n    interval: 30m\n"
        + destinations_yaml,
        encoding="utf-8",
    )
    child_env = {**os.environ, **(env or {}), "RASD_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = [
        subprocess.Popen(
            [str(BIN / "celery"), "-A", "worker.celery_app", "worker", "-Q", "feeds,articles,detect,alerts",
             "-c", "2", "--without-gossip", "--without-mingle", "-l", "info", "-n", f"e2e-{os.getpid()}@%h"],
            cwd=tmp_path, env=child_env, stdout=open(logs / "worker.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [str(BIN / "rasd"), "beat", "--config", str(config)],
            cwd=tmp_path, env=child_env, stdout=open(logs / "beat.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
    ]
    return {"alerts": alerts_file, "state": state, "procs": procs, "server": server, "logs": logs}


def stop_service(service: dict) -> None:
    procs = service["procs"]
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def dump_logs(service: dict) -> None:
    for log in service["logs"].iterdir():
        print(f"--- {log.name}\n{log.read_text()[-6000:]}")


@pytest.fixture
def service(rasd_env, http_server, tmp_path):
    svc = start_service(tmp_path, http_server)
    yield svc
    stop_service(svc)


def test_a_closure_article_in_a_feed_becomes_one_alert(service):
    alerts_file, server, procs = service["alerts"], service["server"], service["procs"]
    try:
        alerts = wait_for(lambda: [a for a in read_alerts(alerts_file)
                                   if a["data"]["event"]["type"] == "crossing_closure"],
                          90, "a crossing_closure alert", procs)
        event = alerts[0]["data"]["event"]
        assert "باب الهوى" in event["crossing"]
        assert "باب الهوى" in event["evidence"]
        assert alerts[0]["data"]["sources"][0]["url"] == server.url("/news/1")

        # Both feeds were polled and the shared link was processed once.
        wait_for(lambda: all(feedstate.load_state(f).polls >= 1 for f in ("local", "mirror")), 30,
                 "both feeds polled", procs)
        assert len(server.hits("/news/1")) == 1

        # A new article appears while the service runs; polls again pick it up, and only it.
        service["state"]["items"].append(
            ("حصار طفس", server.url("/news/2"), "قوات النظام تفرض حصاراً على مدينة طفس"))
        for fid in ("local", "mirror"):
            scheduler.mark_due(fid)
        wait_for(lambda: any(a["data"]["event"]["type"] == "siege" for a in read_alerts(alerts_file)), 60,
                 "a siege alert for the new article", procs)
        wait_for(lambda: all(feedstate.load_state(f).polls >= 2 for f in ("local", "mirror")), 30,
                 "second polls recorded", procs)
    except AssertionError:
        dump_logs(service)
        raise
    closures = [a for a in read_alerts(alerts_file) if a["data"]["event"]["type"] == "crossing_closure"]
    assert len(closures) == 1, "the closure was alerted more than once"
    assert len(server.hits("/news/1")) == 1
    assert len(server.hits("/news/2")) == 1


def test_alerts_reach_slack_and_a_signed_webhook_once_after_the_webhook_recovers(rasd_env, http_server,
                                                                                  tmp_path):
    from conftest import Response
    from receivers import SlackReceiver, WebhookReceiver, new_secret

    from alerts import ledger

    secret = new_secret()
    slack = SlackReceiver(http_server, "/slack")
    # The webhook is down at first: unavailable, then a bad gateway, then it recovers.
    hook = WebhookReceiver(http_server, "/hook", secret,
                           script=[Response(503, b"down", {"Retry-After": "1"}), Response(502, b"bad gateway")])
    destinations = (
        "destinations:\n"
        "  - name: ops-slack\n    type: slack\n    url_env: E2E_SLACK_URL\n"
        "  - name: ops-hook\n    type: webhook\n    url_env: E2E_HOOK_URL\n    secret_env: E2E_HOOK_SECRET\n"
        "    retry_delays: [1s, 1s, 1s]\n"
    )
    env = {"E2E_SLACK_URL": slack.url, "E2E_HOOK_URL": hook.url, "E2E_HOOK_SECRET": secret}
    svc = start_service(tmp_path, http_server, destinations_yaml=destinations, env=env)
    try:
        slack.wait_for(1, timeout=60)
        arrivals = hook.wait_for(3, timeout=60)
        alert_id = arrivals[0].message["data"]["id"]
        wait_for(lambda: {d.destination: d.status for d in ledger.for_alert(alert_id)}
                 == {"ops-slack": "delivered", "ops-hook": "delivered"}, 30, "both deliveries recorded",
                 svc["procs"])
        # Poll both feeds again and let the scheduler sweep: nothing more may be sent.
        for fid in ("local", "mirror"):
            scheduler.mark_due(fid)
        wait_for(lambda: all(feedstate.load_state(f).polls >= 2 for f in ("local", "mirror")), 30,
                 "second polls recorded", svc["procs"])
    except AssertionError:
        dump_logs(svc)
        raise
    finally:
        stop_service(svc)
    assert all(a.problem is None for a in hook.arrivals), [a.problem for a in hook.arrivals]
    assert len({a.request.headers["webhook-id"] for a in hook.arrivals}) == 1  # one delivery, retried
    assert hook.count == 3 and slack.count == 1
    body = hook.arrivals[-1].message
    assert body["type"] == "alert.created"
    assert body["data"]["event"]["type"] == "crossing_closure"
    assert "باب الهوى" in body["data"]["event"]["crossing"]
    assert "باب الهوى" in slack.arrivals[0].message["text"] or "Bab" in slack.arrivals[0].message["text"]
