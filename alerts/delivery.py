"""Delivering one alert version to one destination: claim, render, rate-limit, send, record.

`deliver` is a plain function (the Celery task only wraps it): it may run twice for the same
delivery, concurrently or after a crash, and still sends at most once after a recorded success.
Waits are never slept through: a retry is a time in the ledger that a countdown (short waits) or
the scheduler's sweep (`dispatch_due_retries`, long waits) turns back into a task.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from alerts import destinations, ledger, ratelimit, store
from alerts.destinations import DestinationError, Resolved, redact
from alerts.model import Alert
from alerts.senders import Outcome, shared_client, slack, webhook
from worker.config import Config, Destination, Settings, parse_duration

log = logging.getLogger(__name__)

RATE_WAIT_MAX = 3.0  # seconds a task may wait for a rate-limit token before handing the message back
CLAIM_TOLERANCE = 0.0  # never early: a Retry-After is honoured to the second
REDISPATCH_GRACE = 300.0  # after the sweep re-sends a task, when to look again if it never ran
DELIVER_TASK = "rasd.alerts.deliver"


def lease_seconds() -> float:
    """How long a claim outlives a silent worker; a heartbeat renews it while a send is running."""
    return float(os.environ.get("RASD_DELIVERY_LEASE", "30"))


@dataclass(frozen=True)
class RetryPolicy:
    """Waits after each failed attempt; the wait is drawn from [low, high] x the step (jitter)."""

    delays: tuple[float, ...]
    low: float = 0.0
    high: float = 1.0
    floor: float = 1.0

    def wait(self, attempts: int, rng: random.Random | None = None) -> float | None:
        """Seconds before the next attempt after `attempts` failures, or None to give up."""
        if attempts < 1 or attempts > len(self.delays):
            return None
        step = self.delays[attempts - 1]
        factor = (rng or random).uniform(self.low, self.high)
        return max(self.floor, step * factor)

    @property
    def horizon(self) -> float:
        return sum(self.delays)


# Slack: exponential from 2 s to 10 min with full jitter, for about 12 hours of steps.
SLACK_POLICY = RetryPolicy(tuple(min(600.0, 2.0 * 2**i) for i in range(9)) + (600.0,) * 70)
# Webhooks and Apprise: 30 s, 2 m, 10 m, 30 m, 1 h, 2 h, then 4 h steps: about 24 hours (+-20 %).
WEBHOOK_POLICY = RetryPolicy((30, 120, 600, 1800, 3600, 7200) + (14400,) * 5, low=0.8, high=1.2)
POLICIES: dict[str, RetryPolicy] = {
    "slack": SLACK_POLICY,
    "webhook": WEBHOOK_POLICY,
    "apprise": WEBHOOK_POLICY,
    "console": RetryPolicy((5, 30, 120)),
}


def policy_for(dest: Destination) -> RetryPolicy:
    """The destination type's schedule, or the destination's own `retry_delays` when it sets them."""
    base = POLICIES.get(dest.type, WEBHOOK_POLICY)
    custom = getattr(dest, "retry_delays", None)
    if not custom:
        return base
    delays = tuple(parse_duration(d) for d in custom)
    return replace(base, delays=delays, floor=min(base.floor, *delays))


@dataclass(frozen=True)
class DeliveryResult:
    """What one call to `deliver` did.

    status: the ledger status afterwards (delivered, retrying, dead, disabled, skipped), or
    busy (another worker holds the claim), not_due (a retry time lies ahead), deferred (waiting
    for a rate-limit token), missing (the alert is gone).
    """

    status: str
    delivery_id: str | None = None
    attempts: int = 0
    http_status: int | None = None
    error: str | None = None
    next_attempt_at: float | None = None
    requested: bool = False  # whether this call sent a request


def initial_msg_type(alert: Alert, change: str | None = None) -> str:
    if alert.test:
        return "alert.test"
    if change:
        return change if change.startswith("alert.") else f"alert.{change}"
    return alert.kind


def _msg_type(alert: Alert, destination: str) -> str:
    """`alert.updated` only when this destination got an earlier version; else it learns of it now."""
    if alert.test:
        return "alert.test"
    if alert.version == 1:
        return "alert.created"
    earlier = any(d.destination == destination and d.version < alert.version and d.status == "delivered"
                  for d in ledger.for_alert(alert.id))
    return "alert.updated" if earlier else "alert.created"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Heartbeat:
    """Renews the claim while a send runs, so only a dead worker's claim runs out."""

    def __init__(self, did: str, token: str, lease: float) -> None:
        self.did, self.token, self.lease = did, token, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delivery-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                if not ledger.extend(self.did, self.token, lease=self.lease):
                    log.warning("delivery %s: claim lost while sending", self.did)
                    return
            except Exception:  # Redis away for a moment: the next beat tries again
                log.warning("delivery %s: could not renew the claim", self.did, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _change(msg_type: str) -> str:
    return "updated" if msg_type == "alert.updated" else "created"


def render(alert: Alert, dest: Destination, *, msg_type: str, created_at: float) -> Any:
    """The message for the destination's kind: a Slack payload, a webhook body, (title, text), or the alert."""
    change = _change(msg_type)
    if dest.type == "slack":
        from alerts.render.slack import slack_payload

        return slack_payload(alert, change=change)
    if dest.type == "webhook":
        from alerts.render.webhook import webhook_body

        return webhook_body(alert, msg_type=msg_type, timestamp=datetime.fromtimestamp(created_at, tz=UTC))
    if dest.type == "apprise":
        from alerts.render.text import plain_text
        from alerts.senders import apprise as _loaded_before_the_token  # noqa: F401

        return plain_text(alert, change)
    return alert


def send_rendered(resolved: Resolved, message: Any, *, msg_type: str, webhook_id: str,
                  settings: Settings) -> Outcome:
    """Make one request with an already rendered message. Never raises."""
    dest, secrets = resolved.dest, resolved.secrets
    try:
        if dest.type == "slack":
            return slack.send(dest, resolved.url, message, settings=settings, secrets=secrets)
        if dest.type == "webhook":
            return webhook.send(dest, resolved.url, message, secret=resolved.secret or "", webhook_id=webhook_id,
                                settings=settings, secrets=secrets)
        if dest.type == "apprise":
            from alerts.senders import apprise as apprise_sender

            title, text = message
            return apprise_sender.send(dest, resolved.url, title, text, settings=settings, secrets=secrets)
        if dest.type == "console":
            from alerts.console import emit_console

            emit_console(message, _change(msg_type), settings=settings)
            return Outcome("delivered")
        return Outcome("dead", error=f"unknown destination type {dest.type!r}")
    except Exception as exc:  # a bug or a time limit: keep the delivery, say what happened
        return Outcome("retry", error=redact(f"{type(exc).__name__}: {exc}", secrets)[:500])


def deliver(alert_id: str, destination_name: str, *, config: Config, now: float | None = None,
            policy: RetryPolicy | None = None, rng: random.Random | None = None,
            sleep: Callable[[float], None] = time.sleep, lease: float | None = None,
            environ: Mapping[str, str] | None = None) -> DeliveryResult:
    """Deliver the current version of an alert to one destination, at most once after a success.

    `now` fixes the clock for everything recorded (tests); the request itself happens at once.
    """
    clock: Callable[[], float] = (lambda: now) if now is not None else time.time
    t = clock()
    lease = lease_seconds() if lease is None else lease
    alert = store.load_alert(alert_id)
    if alert is None:
        _settle_missing(alert_id, destination_name, t)
        return DeliveryResult("missing", error="the alert is no longer stored")
    dest = config.destination(destination_name)
    rec = ledger.ensure(alert.id, alert.version, destination_name, msg_type=initial_msg_type(alert), now=t)
    did = rec.id
    _supersede_older(alert, destination_name, t)
    if dest is None:
        status = rec.status if rec.final else ledger.finish(
            did, status="skipped", now=t, error="the destination is no longer configured")
        return DeliveryResult(status, did, rec.attempts)

    resolved: Resolved | None = None
    problem: str | None = None  # why this attempt cannot send (a configuration or rendering error)
    message: Any = None
    msg_type = rec.msg_type
    if not rec.final:
        if rec.next_attempt_at is not None and rec.next_attempt_at > t + CLAIM_TOLERANCE:
            return _not_due(did, rec.next_attempt_at, rec.attempts)  # spares a rate-limit slot
        try:
            resolved = destinations.resolve(dest, environ)
        except DestinationError as exc:
            problem = str(exc)
        state = destinations.disabled_state(dest.name, resolved.fingerprint if resolved else None)
        if state is not None:
            reason = f"destination disabled since {_iso(float(state['disabled_at']))}: {state.get('reason', '')}"
            status = ledger.finish(did, status="disabled", now=t, error=reason)
            return DeliveryResult(status, did, rec.attempts, error=reason)
        # Rendered before the rate-limit token is taken, so the request follows the token at once.
        msg_type = _msg_type(alert, dest.name)
        try:
            message = render(alert, dest, msg_type=msg_type, created_at=rec.created_at)
        except Exception as exc:
            problem = problem or f"could not render the message ({type(exc).__name__}: {exc})"
        if problem is None:
            if dest.type in ("slack", "webhook"):
                shared_client(config.settings)  # built now, not between the rate-limit slot and the send
            wait = ratelimit.acquire(dest.name, ratelimit.rate_for(dest), max_wait=RATE_WAIT_MAX, sleep=sleep)
            if wait > 0:
                # Spread the deferred tasks so they do not all come back at the same instant.
                later = t + wait + (rng or random).uniform(0, min(wait, RATE_WAIT_MAX))
                ledger.reschedule(did, later)
                return DeliveryResult("deferred", did, rec.attempts, next_attempt_at=later)

    token = uuid.uuid4().hex
    c = ledger.claim(did, token, lease=lease, now=t, tolerance=CLAIM_TOLERANCE)
    if c.state == "done":
        return DeliveryResult(c.detail, did, rec.attempts, http_status=rec.http_status)
    if c.state == "busy":
        return DeliveryResult("busy", did, rec.attempts)
    if c.state == "early":
        return _not_due(did, float(c.detail), rec.attempts)
    if c.state == "missing":
        return DeliveryResult("missing", did, error="the delivery record is gone")
    attempt = int(c.detail)

    requested = False
    with _Heartbeat(did, token, lease):
        if problem is not None or resolved is None:
            outcome = Outcome("retry", error=problem or "destination could not be resolved")
        else:
            requested = True
            outcome = send_rendered(resolved, message, msg_type=msg_type, webhook_id=rec.webhook_id,
                                    settings=config.settings)
    secrets = resolved.secrets if resolved else []
    if outcome.error:
        outcome = Outcome(outcome.result, outcome.http_status, redact(outcome.error, secrets), outcome.retry_after)
    return _record(did, token, alert, dest, resolved, outcome, attempt=attempt, msg_type=msg_type,
                   now=clock(), policy=policy or policy_for(dest), rng=rng, requested=requested)


def _not_due(did: str, next_attempt_at: float, attempts: int) -> DeliveryResult:
    ledger.reschedule(did, next_attempt_at)
    return DeliveryResult("not_due", did, attempts, next_attempt_at=next_attempt_at)


def _record(did: str, token: str, alert: Alert, dest: Destination, resolved: Resolved | None, outcome: Outcome, *,
            attempt: int, msg_type: str, now: float, policy: RetryPolicy, rng: random.Random | None,
            requested: bool) -> DeliveryResult:
    """Write the attempt's outcome to the ledger and tell ops what they need to know."""
    common = {"now": now, "token": token, "http_status": outcome.http_status, "msg_type": msg_type}
    if outcome.result == "delivered":
        status = ledger.finish(did, status="delivered", **common)
        log.info("alert %s v%d delivered to %s (attempt %d%s)", alert.id, alert.version, dest.name, attempt,
                 f", HTTP {outcome.http_status}" if outcome.http_status else "")
        return DeliveryResult(status, did, attempt, outcome.http_status, requested=requested)
    if outcome.result == "disable":
        status = ledger.finish(did, status="disabled", error=outcome.error, **common)
        first = destinations.disable(dest.name, reason=outcome.error or "gone", now=now, alert_id=alert.id,
                                     fingerprint=resolved.fingerprint if resolved else None,
                                     http_status=outcome.http_status)
        if first:
            log.error("destination %s disabled: %s. Nothing more is sent to it until its URL changes or "
                      "`rasd destinations enable %s` is run", dest.name, outcome.error, dest.name)
        return DeliveryResult(status, did, attempt, outcome.http_status, outcome.error, requested=requested)
    wait = policy.wait(attempt, rng) if outcome.result == "retry" else None
    if wait is None:
        why = outcome.error or "failed"
        if outcome.result == "retry":
            why = f"gave up after {attempt} attempts; last: {why}"
        status = ledger.finish(did, status="dead", error=why, **common)
        log.error("alert %s v%d to %s dead-lettered: %s (see `rasd alerts show %s`)", alert.id, alert.version,
                  dest.name, why, alert.id)
        return DeliveryResult(status, did, attempt, outcome.http_status, why, requested=requested)
    if outcome.retry_after is not None:
        wait = max(wait, outcome.retry_after)  # never sooner than the receiver asked
    next_at = now + wait
    status = ledger.finish(did, status="retrying", error=outcome.error, next_attempt_at=next_at, **common)
    log.warning("alert %s v%d to %s failed (attempt %d: %s); next attempt in %.0f s", alert.id, alert.version,
                dest.name, attempt, outcome.error, wait)
    return DeliveryResult(status, did, attempt, outcome.http_status, outcome.error, next_at, requested=requested)


def _supersede_older(alert: Alert, destination: str, now: float) -> None:
    """Earlier versions still waiting for this destination are replaced by the current one."""
    if alert.version <= 1:
        return
    for d in ledger.for_alert(alert.id):
        if d.destination == destination and d.version < alert.version and d.status in ("pending", "retrying"):
            ledger.finish(d.id, status="skipped", now=now, error=f"superseded by version {alert.version}")


def _settle_missing(alert_id: str, destination: str, now: float) -> None:
    for d in ledger.for_alert(alert_id):
        if d.destination == destination and not d.final:
            ledger.finish(d.id, status="skipped", now=now, error="the alert is no longer stored")
    log.warning("alert %s is no longer stored; nothing delivered to %s", alert_id, destination)


# -- the sweep ------------------------------------------------------------------------------------


def _celery_send(name: str, args: list) -> None:
    from worker.celery_app import app

    app.send_task(name, args=args)


def dispatch_due_retries(now: float | None = None, *, send: Callable[[str, list], None] | None = None,
                         limit: int = 500) -> int:
    """Re-enqueue deliveries whose time has come; returns how many tasks were sent.

    Called by the scheduler tick. Covers retries too long for a countdown, tasks lost before they
    ran, and deliveries whose worker died mid-send (their claim ran out).
    """
    t = time.time() if now is None else now
    send = send or _celery_send
    sent = 0
    for did in ledger.due_ids(t, limit):
        d = ledger.get(did)
        if d is None or d.final:
            ledger.forget_due(did)
            continue
        if d.status == "in_flight" and ledger.claim_held(did):
            ledger.reschedule(did, t + lease_seconds())
            continue
        if d.next_attempt_at is not None and d.next_attempt_at > t + CLAIM_TOLERANCE:
            ledger.reschedule(did, d.next_attempt_at)
            continue
        if not ledger.park(did, now=t, until=t + REDISPATCH_GRACE):
            continue  # another sweep took it
        send(DELIVER_TASK, [d.alert_id, d.destination])
        sent += 1
    if sent:
        log.info("re-enqueued %d due deliveries", sent)
    return sent
