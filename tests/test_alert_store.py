"""Alert storage in the real Redis: round trips, recency, keys, and what another process sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from alert_examples import alert_of, closure_event, rafah_event, source

from alerts import store
from alerts.model import Alert

ROOT = Path(__file__).resolve().parents[1]


def test_save_and_load_round_trip(rasd_env):
    alert = alert_of(closure_event(), [source(1), source(2, "syria-tv", None)], key="crossing_closure|x:nasib-jaber")
    store.save_alert(alert)
    loaded = store.load_alert(alert.id)
    assert loaded == alert
    assert store.load_alert("01NOSUCHALERT0000000000000") is None
    # Stored as readable JSON (ops can look with redis-cli), under the run's prefix.
    raw = rasd_env.get(store.alert_redis_key(alert.id))
    assert store.alert_redis_key(alert.id).startswith(os.environ["RASD_PREFIX"])
    assert "مَعْبَرَ نَصِيب" in raw
    assert json.loads(raw)["event"]["crossing_info"]["countries"] == ["SY", "JO"]
    assert rasd_env.ttl(store.alert_redis_key(alert.id)) > 29 * 86400


def test_recent_alerts_newest_first_with_limit(rasd_env):
    for hour in (3, 1, 5, 2):
        store.save_alert(alert_of(rafah_event(), id=f"A{hour}", key=f"k{hour}",
                                  updated_at=f"2026-03-14T0{hour}:00:00Z"))
    assert [a.id for a in store.recent_alerts()] == ["A5", "A3", "A2", "A1"]
    assert [a.id for a in store.recent_alerts(limit=2)] == ["A5", "A3"]
    assert store.recent_alerts(limit=0) == []
    # Updating an alert moves it to the front.
    store.save_alert(alert_of(rafah_event(), id="A1", key="k1", updated_at="2026-03-14T09:00:00Z"))
    assert [a.id for a in store.recent_alerts(limit=2)] == ["A1", "A5"]


def test_find_by_key_returns_the_latest_alert_of_the_key(rasd_env):
    store.save_alert(alert_of(closure_event(), id="OLD", key="crossing_closure|x:nasib-jaber"))
    store.save_alert(alert_of(closure_event(), id="NEW", key="crossing_closure|x:nasib-jaber"))
    assert store.find_by_key("crossing_closure|x:nasib-jaber").id == "NEW"
    assert store.find_by_key("crossing_closure|x:rafah") is None


def test_a_test_alert_never_becomes_a_grouping_target(rasd_env):
    store.save_alert(alert_of(closure_event(), id="REAL", key="crossing_closure|x:nasib-jaber"))
    store.save_alert(alert_of(closure_event(), id="test-1", key="crossing_closure|x:nasib-jaber", test=True))
    assert store.find_by_key("crossing_closure|x:nasib-jaber").id == "REAL"
    assert store.load_alert("test-1").test is True


def test_unreadable_records_are_skipped_not_fatal(rasd_env, caplog):
    store.save_alert(alert_of(rafah_event(), id="GOOD", key="k"))
    rasd_env.set(store.alert_redis_key("BROKEN"), "{not json")
    rasd_env.zadd(store.recent_redis_key(), {"BROKEN": 4e9})
    assert [a.id for a in store.recent_alerts()] == ["GOOD"]
    assert store.load_alert("BROKEN") is None
    assert "unreadable" in caplog.text


def test_save_refuses_an_alert_without_identity(rasd_env):
    with pytest.raises(ValueError, match="id"):
        store.save_alert(replace(alert_of(rafah_event()), id=""))


def test_another_process_reads_what_was_saved(rasd_env):
    """State is in Redis, not in the process: a fresh interpreter (a restarted worker) sees it."""
    alert = alert_of(closure_event(), id="01JQ3Z8K4M2V9X7T5R6P0N1B2D", key="crossing_closure|x:nasib-jaber")
    store.save_alert(alert)
    code = (
        "import json, sys; from alerts import store; "
        "a = store.find_by_key('crossing_closure|x:nasib-jaber'); "
        "print(json.dumps(a.to_dict(), ensure_ascii=False))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ), capture_output=True,
                         text=True, timeout=60, check=True)
    assert Alert.from_dict(json.loads(out.stdout)) == alert
