"""The Celery side of delivery: task options, countdowns kept short, and fan-out to destinations."""

from __future__ import annotations

import base64
import json
import os
import time

import pytest
from receivers import config_with, saved_alert

from alerts import ledger
from alerts.delivery import DELIVER_TASK, DeliveryResult, lease_seconds
from alerts.tasks import (
    COUNTDOWN_MAX,
    PENDING_GRACE,
    SWEEP_SAFETY,
    deliver_task,
    enqueue_deliveries,
    follow_up,
    sweep_task,
)
from worker.celery_app import VISIBILITY_TIMEOUT, app


def test_task_names_queue_and_reliability_options():
    assert deliver_task.name == "rasd.alerts.deliver" and sweep_task.name == "rasd.alerts.sweep"
    for task in (deliver_task, sweep_task):
        assert app.amqp.router.route({}, task.name, args=(), kwargs={})["queue"].name == "alerts"
        assert task.soft_time_limit < task.time_limit < VISIBILITY_TIMEOUT
    assert deliver_task.acks_late and deliver_task.reject_on_worker_lost


def test_no_countdown_comes_near_the_visibility_timeout():
    assert COUNTDOWN_MAX + SWEEP_SAFETY < VISIBILITY_TIMEOUT / 10


@pytest.mark.parametrize(("status", "wait", "scheduled"), [
    ("retrying", 30.0, True), ("deferred", 2.0, True), ("retrying", 3600.0, False),
    ("retrying", COUNTDOWN_MAX + 1, False), ("not_due", 10.0, False), ("delivered", 0.0, False),
    ("busy", 0.0, True),
])
def test_short_waits_ride_a_countdown_and_long_ones_wait_for_the_sweep(rasd_env, status, wait, scheduled):
    did = ledger.ensure("01A", 1, "d", msg_type="alert.created", now=1000.0).id
    ledger.finish(did, status="retrying", now=1000.0, next_attempt_at=1000.0 + wait)
    later = []
    result = DeliveryResult(status, did, 1, next_attempt_at=1000.0 + wait if status != "delivered" else None)
    assert follow_up(result, "01A", "d", now=1000.0, send_later=lambda *a: later.append(a)) is scheduled
    if status == "busy":  # looks again once the holder's lease could have run out
        assert later == [(DELIVER_TASK, ["01A", "d"], lease_seconds() + 1)]
    elif scheduled:
        assert later == [(DELIVER_TASK, ["01A", "d"], wait)]
        # The sweep still holds it, a little after the countdown, in case that task is lost.
        assert rasd_env.zscore(ledger.due_key(), did) == 1000.0 + wait + SWEEP_SAFETY
    else:
        assert later == []


def test_enqueue_routes_records_pending_and_sends_one_task_per_destination(rasd_env):
    from worker.celery_app import make_app

    config = config_with(
        {"name": "closures", "type": "webhook", "url_env": "A", "secret_env": "B", "events": ["crossing_closure"]},
        {"name": "sieges-only", "type": "slack", "url_env": "C", "events": ["siege"]},
        {"name": "everything", "type": "apprise", "url_env": "D"},
    )
    alert = saved_alert()
    fresh = make_app()
    before = time.time()
    queued = enqueue_deliveries(alert, "created", config,
                                send=lambda name, args: fresh.send_task(name, args=args))
    assert queued == ["closures", "everything"]
    records = ledger.for_alert(alert.id)
    assert [(d.destination, d.status, d.msg_type) for d in records] == [
        ("closures", "pending", "alert.created"), ("everything", "pending", "alert.created")]
    for d in records:
        assert before + PENDING_GRACE <= rasd_env.zscore(ledger.due_key(), d.id) <= time.time() + PENDING_GRACE
    messages = rasd_env.lrange(os.environ["RASD_PREFIX"] + "celery:alerts", 0, -1)
    args = sorted(json.loads(base64.b64decode(json.loads(m)["body"]))[0] for m in messages)
    assert args == [[alert.id, "closures"], [alert.id, "everything"]]
