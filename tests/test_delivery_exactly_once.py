"""Checklist 4 and 18: a delivery makes no second request after a recorded success.

Duplicated calls, racing threads, and a real Celery worker killed with SIGKILL in the middle of
the request: the receiver ends up with the alert, and once a success is recorded nothing more.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from receivers import WebhookReceiver, config_with, new_secret, saved_alert, wait_until

from alerts import ledger
from alerts.delivery import DELIVER_TASK, deliver, dispatch_due_retries

ROOT = Path(__file__).resolve().parents[1]
PATH = "/hooks/once"


@pytest.fixture
def hook(rasd_env, http_server, monkeypatch):
    secret = new_secret()
    receiver = WebhookReceiver(http_server, PATH, secret)
    monkeypatch.setenv("TEST_HOOK_URL", receiver.url)
    monkeypatch.setenv("TEST_HOOK_SECRET", secret)
    config = config_with({"name": "ops-hook", "type": "webhook", "url_env": "TEST_HOOK_URL",
                          "secret_env": "TEST_HOOK_SECRET", "rate_per_second": 100, "timeout": 5})
    return receiver, config


def test_running_deliver_twice_makes_one_request(hook):
    receiver, config = hook
    alert = saved_alert()
    first = deliver(alert.id, "ops-hook", config=config)
    second = deliver(alert.id, "ops-hook", config=config)
    assert (first.status, first.requested) == ("delivered", True)
    assert (second.status, second.requested) == ("delivered", False)
    assert receiver.count == 1
    assert ledger.get(first.delivery_id).duplicates == 1


def test_racing_threads_make_one_request(hook):
    receiver, config = hook
    receiver.hold = threading.Event()
    alert = saved_alert()
    n = 8
    finished = []

    def run(_):
        r = deliver(alert.id, "ops-hook", config=config)
        finished.append(r)
        return r

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(run, i) for i in range(n)]
        # One thread is inside the request (held by the receiver); the others must come back without one.
        wait_until(lambda: receiver.count == 1 and len(finished) == n - 1, what="the losers to return")
        receiver.hold.set()
        results = [f.result(timeout=20) for f in futures]
    assert sorted(r.status for r in results) == ["busy"] * (n - 1) + ["delivered"]
    assert sum(r.requested for r in results) == 1
    assert receiver.count == 1
    assert ledger.get(results[0].delivery_id).attempts == 1


def test_a_killed_claim_expires_and_the_delivery_is_retried(hook):
    receiver, config = hook
    alert = saved_alert()
    did = ledger.ensure(alert.id, 1, "ops-hook", msg_type="alert.created", now=1.0).id
    # A worker that claimed the delivery and died: its lease simply runs out.
    assert ledger.claim(did, "dead-worker", lease=0.2, now=1.0).state == "claimed"
    assert deliver(alert.id, "ops-hook", config=config).status == "busy"
    wait_until(lambda: not ledger.claim_held(did), what="the lease to run out")
    r = deliver(alert.id, "ops-hook", config=config)
    assert r.status == "delivered" and ledger.get(did).attempts == 2
    assert receiver.count == 1


# -- a real Celery worker, killed mid-request ------------------------------------------------------


class Workers:
    """Real `celery worker` processes on the alerts queue, each in its own process group."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.logs: list = []
        (tmp_path / "feeds.yaml").write_text(
            "settings:\n  allow_private_networks: true\n"
            "destinations:\n  - name: ops-hook\n    type: webhook\n    url_env: TEST_HOOK_URL\n"
            "    secret_env: TEST_HOOK_SECRET\n    rate_per_second: 100\n    timeout: 5\n",
            encoding="utf-8",
        )

    def start(self) -> subprocess.Popen:
        log = open(self.tmp_path / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "RASD_DELIVERY_LEASE": "2", "RASD_CONFIG": str(self.tmp_path / "feeds.yaml"),
               "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-Q", "alerts", "-c", "1",
             "-P", "prefork", "--without-mingle", "--without-gossip", "-l", "info",
             "-n", f"w{len(self.procs)}-{uuid.uuid4().hex[:6]}@test"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.procs.append(proc)
        self.logs.append(log)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL the whole worker: the main process and its pool."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    @staticmethod
    def pool_children(proc: subprocess.Popen) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == proc.pid:
                children.append(int(stat.parent.name))
        return children

    def log_text(self) -> str:
        return "".join(p.read_text("utf-8", "replace") for p in self.tmp_path.glob("worker-*.log"))

    def stop(self) -> None:
        for proc in self.procs:
            self.kill(proc)
        for log in self.logs:
            log.close()


@pytest.fixture
def workers(tmp_path):
    w = Workers(tmp_path)
    yield w
    w.stop()


@pytest.fixture
def broker(rasd_env):
    from worker.celery_app import make_app

    return make_app()  # configured from this test's REDIS_URL and key prefix


def test_a_pool_process_killed_mid_request_is_handed_back_and_delivered_once(hook, workers, broker):
    receiver, _ = hook
    alert = saved_alert()
    did = ledger.ensure(alert.id, 1, "ops-hook", msg_type="alert.created", now=0.0, due_at=10**10).id
    receiver.hold = threading.Event()
    worker = workers.start()
    broker.send_task(DELIVER_TASK, args=[alert.id, "ops-hook"])
    receiver.wait_for(1, timeout=30)
    (child,) = workers.pool_children(worker)
    os.kill(child, signal.SIGKILL)  # reject_on_worker_lost: the main process hands the task back
    receiver.hold.set()
    # No sweep here: the redelivered task finds the dead child's claim, and looks again after its lease.
    wait_until(lambda: ledger.get(did).status == "delivered", timeout=30, what="the delivery")
    assert receiver.count == 2
    assert len({a.request.headers["webhook-id"] for a in receiver.arrivals}) == 1
    assert ledger.get(did).attempts == 2
    assert "WorkerLostError" in workers.log_text()


def test_a_worker_killed_mid_request_loses_nothing_and_sends_nothing_twice(hook, workers, broker):
    receiver, _ = hook
    app = broker
    alert = saved_alert()
    did = ledger.ensure(alert.id, 1, "ops-hook", msg_type="alert.created", now=0.0, due_at=10**10).id
    receiver.hold = threading.Event()
    first = workers.start()
    try:
        app.send_task(DELIVER_TASK, args=[alert.id, "ops-hook"])
        receiver.wait_for(1, timeout=30)  # the worker is inside the request, held by the receiver
        assert ledger.get(did).status == "in_flight"
        workers.kill(first)  # main process and pool: the message stays unacknowledged in the broker
        receiver.hold.set()

        workers.start()
        wait_until(lambda: not ledger.claim_held(did), timeout=10, what="the dead worker's lease to run out")

        def send(name, args):
            app.send_task(name, args=args)

        wait_until(lambda: dispatch_due_retries(send=send) == 1, timeout=10, what="the sweep to re-send it")
        wait_until(lambda: ledger.get(did).status == "delivered", timeout=30, what="the delivery")
        assert receiver.count == 2

        # The broker hands the original message out again (its visibility timeout ran out): nothing is sent.
        app.send_task(DELIVER_TASK, args=[alert.id, "ops-hook"])
        wait_until(lambda: ledger.get(did).duplicates >= 1, timeout=30, what="the duplicate to be handled")
        assert dispatch_due_retries(send=send) == 0
    finally:
        workers.stop()
    arrivals = receiver.arrivals
    assert len(arrivals) == 2 and all(a.problem is None for a in arrivals)
    assert len({a.request.headers["webhook-id"] for a in arrivals}) == 1  # the receiver can dedupe
    d = ledger.get(did)
    assert (d.status, d.attempts) == ("delivered", 2)
    logs = workers.log_text()
    assert "delivered to ops-hook" in logs and alert.id in logs
    assert PATH not in logs and receiver.secret not in logs  # arguments and log lines carry ids only
