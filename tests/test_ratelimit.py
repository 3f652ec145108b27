"""Checklist 5: one token bucket per destination in Redis, shared by every worker process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from receivers import WebhookReceiver, config_with, new_secret, saved_alert

from alerts import ratelimit
from worker.config import Destination

ROOT = Path(__file__).resolve().parents[1]

SENDER = """
import json, sys
from alerts.delivery import deliver
from worker.config import Config
config = Config.model_validate(json.loads(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps([deliver(a, "ops-hook", config=config).status for a in sys.argv[2:]]), flush=True)
"""


def test_default_rates():
    assert ratelimit.rate_for(Destination(name="s", type="slack", url_env="X")) == 1.0
    assert ratelimit.rate_for(Destination(name="s", type="slack", url_env="X", rate_per_second=0.5)) == 0.5
    hook = Destination(name="w", type="webhook", url_env="X", secret_env="Y")
    assert ratelimit.rate_for(hook) == ratelimit.DEFAULT_RATE


def test_slots_are_one_interval_apart_and_reserved_only_within_max_wait(rasd_env):
    assert ratelimit.reserve("d", 2.0, max_wait=0) == (True, 0.0)
    reserved, wait = ratelimit.reserve("d", 2.0, max_wait=0)
    assert not reserved and 0.4 < wait <= 0.5  # nothing reserved: the next caller still gets this slot
    reserved, wait = ratelimit.reserve("d", 2.0, max_wait=2)
    assert reserved and 0.4 < wait <= 0.5
    reserved, wait = ratelimit.reserve("d", 2.0, max_wait=2)
    assert reserved and 0.9 < wait <= 1.0
    assert ratelimit.reserve("other", 2.0, max_wait=0) == (True, 0.0)  # one schedule per destination


def test_acquire_sleeps_until_its_slot_or_hands_back(rasd_env):
    slept: list[float] = []
    assert ratelimit.acquire("d", 0.1, max_wait=1.0, sleep=slept.append) == 0.0 and slept == []
    left = ratelimit.acquire("d", 0.1, max_wait=1.0, sleep=slept.append)
    assert 9.0 < left <= 10.0 and slept == []
    assert ratelimit.acquire("e", 4.0, max_wait=1.0, sleep=slept.append) == 0.0
    assert ratelimit.acquire("e", 4.0, max_wait=1.0, sleep=slept.append) == 0.0
    assert len(slept) == 1 and 0.2 < slept[0] <= 0.25


@pytest.mark.timeout(60)
def test_two_processes_together_stay_under_the_rate(rasd_env, http_server, monkeypatch):
    secret = new_secret()
    receiver = WebhookReceiver(http_server, "/hooks/rate", secret)
    monkeypatch.setenv("TEST_HOOK_URL", receiver.url)
    monkeypatch.setenv("TEST_HOOK_SECRET", secret)
    rate = 5.0
    raw = {"settings": {"allow_private_networks": True},
           "destinations": [{"name": "ops-hook", "type": "webhook", "url_env": "TEST_HOOK_URL",
                             "secret_env": "TEST_HOOK_SECRET", "rate_per_second": rate}]}
    config_with(*raw["destinations"])  # valid
    alerts = [saved_alert(n).id for n in range(8)]
    procs = [
        subprocess.Popen([sys.executable, "-c", SENDER, json.dumps(raw), *alerts[i::2]], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
        for i in range(2)
    ]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        statuses = [json.loads(p.stdout.readline()) for p in procs]
    finally:
        for p in procs:
            p.kill()
            p.wait()
    assert statuses == [["delivered"] * 4] * 2
    times = sorted(a.at for a in receiver.wait_for(8))
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # Eight messages at 5/s cannot take less than 7/5 s; each gap is about 1/rate (network jitter aside).
    assert times[-1] - times[0] >= (len(times) - 1) / rate - 0.05, gaps
    assert min(gaps) >= 0.75 / rate, gaps
