"""Delivery tasks: ids in, plain functions underneath.

Arguments are an alert id and a destination name only; Flower and the broker show task arguments,
so URLs, secrets and payloads never travel in them. One task per (alert, destination): a slow or
broken destination holds up its own task and nobody else's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis

from alerts import ledger
from alerts.delivery import (
    DELIVER_TASK,
    DeliveryResult,
    deliver,
    dispatch_due_retries,
    initial_msg_type,
    lease_seconds,
)
from alerts.model import Alert
from alerts.routing import feed_tags_of, route
from worker.celery_app import VISIBILITY_TIMEOUT, app
from worker.config import Config
from worker.runtime import current_config

log = logging.getLogger(__name__)

# Waits up to this long ride on a Celery countdown; longer ones wait in the ledger for the sweep.
COUNTDOWN_MAX = 120.0
# The sweep picks a countdown's delivery up anyway if the countdown task is lost.
SWEEP_SAFETY = 120.0
# A freshly queued delivery the sweep re-sends if its task never ran (lost message, Redis restart).
PENDING_GRACE = 300.0

assert COUNTDOWN_MAX + SWEEP_SAFETY < VISIBILITY_TIMEOUT


@app.task(name=DELIVER_TASK, acks_late=True, reject_on_worker_lost=True, soft_time_limit=75, time_limit=90,
          ignore_result=True, autoretry_for=(redis.ConnectionError, redis.TimeoutError), retry_backoff=5,
          retry_backoff_max=60, retry_jitter=True, max_retries=10)
def deliver_task(alert_id: str, destination_name: str) -> str:
    result = deliver(alert_id, destination_name, config=current_config())
    follow_up(result, alert_id, destination_name)
    return result.status


@app.task(name="rasd.alerts.sweep", soft_time_limit=30, time_limit=45, ignore_result=True)
def sweep_task() -> int:
    return dispatch_due_retries()


def _send(name: str, args: list) -> None:
    app.send_task(name, args=args)


def _send_later(name: str, args: list, countdown: float) -> None:
    app.send_task(name, args=args, countdown=countdown)


def follow_up(result: DeliveryResult, alert_id: str, destination_name: str, *, now: float | None = None,
              send_later: Callable[[str, list, float], None] | None = None) -> bool:
    """Schedule a short wait as a countdown; longer ones stay in the ledger for the sweep.

    Returns whether a countdown was set. Its delivery stays due a little later as a safety net.
    A task that found the delivery claimed (`busy`) looks again once that claim could have run out:
    the holder may be a pool process that was killed while its task was handed back to the broker.
    """
    send_later = send_later or _send_later
    if result.status == "busy" and result.delivery_id:
        send_later(DELIVER_TASK, [alert_id, destination_name], min(COUNTDOWN_MAX, lease_seconds() + 1))
        return True
    if result.status not in ("retrying", "deferred") or result.next_attempt_at is None or not result.delivery_id:
        return False
    wait = max(0.0, result.next_attempt_at - (time.time() if now is None else now))
    if wait > COUNTDOWN_MAX:
        return False  # the sweep sends it when it is due
    send_later(DELIVER_TASK, [alert_id, destination_name], wait)
    ledger.reschedule(result.delivery_id, result.next_attempt_at + SWEEP_SAFETY)
    return True


def enqueue_deliveries(alert: Alert, change: str, config: Config, *,
                       send: Callable[[str, list], None] | None = None) -> list[str]:
    """Route an alert version, record a pending delivery per destination and send the tasks.

    Returns the names of the destinations it was queued for. The pending records are also due in
    the ledger, so a task lost on the way is sent again by the sweep.
    """
    now = time.time()
    targets = route(alert, config.destinations, feed_tags=feed_tags_of(config.feeds))
    msg_type = initial_msg_type(alert, change)
    for dest in targets:
        ledger.ensure(alert.id, alert.version, dest.name, msg_type=msg_type, now=now, due_at=now + PENDING_GRACE)
    for dest in targets:
        (send or _send)(DELIVER_TASK, [alert.id, dest.name])
    if targets:
        log.info("alert %s v%d queued for %s", alert.id, alert.version, ", ".join(d.name for d in targets))
    return [d.name for d in targets]
