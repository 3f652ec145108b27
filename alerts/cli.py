"""`rasd alerts ...` and `rasd destinations ...`: what was sent where, and what to do about failures.

    rasd alerts [--limit N]                      recent alerts and where each one went
    rasd alerts show ID                          one alert in full, with every delivery attempt record
    rasd alerts retry ID [--destination NAME]    re-queue its dead-lettered (or disabled) deliveries
    rasd destinations [list]                     destinations and their state
    rasd destinations test NAME                  send a marked test alert now and print the outcome
    rasd destinations enable NAME                lift a disable (after fixing the receiver)

Every command takes `--config feeds.yaml` (default: $RASD_CONFIG or ./feeds.yaml).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alerts import destinations, ledger, ratelimit, store
from alerts.delivery import DELIVER_TASK, REDISPATCH_GRACE, render, send_rendered
from alerts.destinations import DestinationError
from alerts.model import Alert, Source
from alerts.render.bidi import isolate
from worker.config import Config, ConfigError, check_environment, default_path, load_config
from worker.detect.model import Crossing, Event, Place

Send = Callable[[str, list], None]


def _when(value: float | str | None) -> str:
    if value in (None, "", 0, 0.0):
        return "-"
    if isinstance(value, str):
        return value.replace("T", " ")[:16] + "Z" if value else "-"
    return datetime.fromtimestamp(float(value), tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _where(alert: Alert) -> str:
    event = alert.event
    if event.crossing:
        return event.crossing.name_en or isolate(event.crossing.name)
    names = [p.name_en or isolate(p.name) for p in event.places[:2]]
    return ", ".join(names) or "-"


def _sources(alert: Alert) -> str:
    outlets = list(dict.fromkeys(s.outlet or s.feed for s in alert.sources))
    text = f"{len(alert.sources)}: " + ", ".join(isolate(o) for o in outlets[:2])
    return text + (" …" if len(outlets) > 2 else "")


def _latest_per_destination(alert_id: str) -> dict[str, ledger.Delivery]:
    latest: dict[str, ledger.Delivery] = {}
    for d in ledger.for_alert(alert_id):  # oldest version first
        latest[d.destination] = d
    return latest


def _table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _notices(config: Config | None) -> list[str]:
    """What ops must act on: disabled destinations and dead letters."""
    out = []
    for dest in config.destinations if config else []:
        state = destinations.disabled_state(dest.name)
        if state:
            out.append(f"! destination {dest.name} is DISABLED since {_when(float(state['disabled_at']))}: "
                       f"{state.get('reason', '')}. Fix it, then `rasd destinations enable {dest.name}`.")
    dead = ledger.dead_letters(limit=1000)
    if dead:
        out.append(f"! {len(dead)} dead-lettered deliver{'y' if len(dead) == 1 else 'ies'}: "
                   "`rasd alerts show ID` for why, `rasd alerts retry ID` to send again.")
    return out


def list_alerts(config: Config | None, limit: int) -> str:
    rows = []
    for alert in store.recent_alerts(limit):
        deliveries = _latest_per_destination(alert.id)
        sent = ", ".join(f"{name}:{d.status}" for name, d in deliveries.items()) or "(none)"
        kind = alert.event.type + (f" ({alert.event.status})" if alert.event.status != "occurred" else "")
        rows.append([alert.id, _when(alert.updated_at or alert.created_at), kind + (" [TEST]" if alert.test else ""),
                     _where(alert), _sources(alert), f"v{alert.version}", sent])
    parts = _notices(config)
    if not rows:
        parts.append("no alerts yet")
    else:
        parts.append(_table(rows, ["ID", "UPDATED", "TYPE", "WHERE", "SOURCES", "VER", "DELIVERIES"]))
    return "\n".join(parts)


def show_alert(alert: Alert) -> str:
    e = alert.event
    lines = [
        f"alert {alert.id}  (version {alert.version}{', TEST' if alert.test else ''})",
        f"  created {_when(alert.created_at)}  updated {_when(alert.updated_at)}  key {alert.key}",
        f"  event      {e.type}, {e.status}, confidence {e.confidence:.2f}"
        + (f", rule {e.rule}" if e.rule else ""),
    ]
    if e.crossing:
        lines.append(f"  crossing   {isolate(e.crossing.name)}" + (f" ({e.crossing.name_en})" if e.crossing.name_en else ""))
    for p in e.places:
        lines.append(f"  place      {isolate(p.name)}" + (f" ({p.name_en}, {p.country})" if p.name_en else ""))
    if e.actor:
        lines.append(f"  actor      {isolate(e.actor)}")
    if e.evidence:
        lines.append(f"  evidence   {isolate(e.marked_evidence('«', '»'))}")
    lines.append(f"  sources ({len(alert.sources)}):")
    for s in alert.sources:
        lines.append(f"    - {isolate(s.outlet or s.feed)}  {_when(s.published)}  {s.url}")
        if s.title:
            lines.append(f"      {isolate(s.title)}")
    deliveries = ledger.for_alert(alert.id)
    lines.append(f"  deliveries ({len(deliveries)}):")
    for d in deliveries:
        lines.append(f"    - v{d.version} -> {d.destination}: {d.status.upper()}  ({d.msg_type}, "
                     f"{d.attempts} attempt{'s' * (d.attempts != 1)}, webhook-id {d.webhook_id})")
        facts = [f"queued {_when(d.created_at)}", f"updated {_when(d.updated_at)}"]
        if d.delivered_at:
            facts.append(f"delivered {_when(d.delivered_at)}")
        if d.next_attempt_at and d.status in ("retrying", "pending"):
            facts.append(f"next attempt {_when(d.next_attempt_at)}")
        if d.http_status:
            facts.append(f"HTTP {d.http_status}")
        if d.duplicates:
            facts.append(f"{d.duplicates} duplicate task{'s' * (d.duplicates != 1)} ignored")
        lines.append("      " + ", ".join(facts))
        if d.last_error:
            lines.append(f"      last error: {d.last_error}")
    if not deliveries:
        lines.append("    (none: no destination matched, or only the console)")
    return "\n".join(lines)


def _celery_send(name: str, args: list) -> None:
    from worker.celery_app import make_app

    make_app().send_task(name, args=args)  # a fresh app: this process's REDIS_URL and key prefix


def retry_alert(alert_id: str, destination: str | None, *, now: float | None = None,
                send: Send | None = None) -> list[ledger.Delivery]:
    """Re-queue an alert's dead (or disabled) deliveries and send their tasks; returns them."""
    t = time.time() if now is None else now
    send = send or _celery_send
    done = []
    for d in ledger.for_alert(alert_id):
        if destination and d.destination != destination:
            continue
        if ledger.requeue(d.id, now=t):
            ledger.park(d.id, now=t, until=t + REDISPATCH_GRACE)  # the sweep stays out of the way
            send(DELIVER_TASK, [d.alert_id, d.destination])
            done.append(d)
    return done


def make_test_alert(now: datetime | None = None) -> Alert:
    """A clearly marked test alert: nothing here describes a real event."""
    from alerts.grouping import new_alert_id

    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    stamp = moment.isoformat().replace("+00:00", "Z")
    text = "رسالة اختبار من رصد: أُغلق معبر الاختبار أمام الشاحنات، ولا يوجد حدث حقيقي."
    event = Event(type="crossing_closure", status="occurred", confidence=1.0, evidence=text, evidence_start=0,
                  crossing=Crossing("معبر الاختبار", name_en="Test crossing"),
                  places=[Place("مدينة الاختبار", name_en="Test city")], rule="test")
    source = Source(url="https://example.org/rasd/test-message", feed="rasd-test", title="رسالة اختبار",
                    published=stamp, outlet="rasd")
    return Alert(id=new_alert_id(moment), key="test", event=event, sources=[source], created_at=stamp,
                 updated_at=stamp, version=1, test=True, evidence_url=source.url)


def send_test(config: Config, name: str, *, max_wait: float = 10.0) -> tuple[bool, str]:
    """Send a test alert to one destination now; (delivered, what happened). Nothing is recorded."""
    dest = config.destination(name)
    if dest is None:
        known = ", ".join(d.name for d in config.destinations) or "none configured"
        return False, f"no destination named {name!r} (known: {known})"
    try:
        resolved = destinations.resolve(dest)
    except DestinationError as exc:
        return False, str(exc)
    alert = make_test_alert()
    message = render(alert, dest, msg_type="alert.test", created_at=time.time())
    wait = ratelimit.acquire(dest.name, ratelimit.rate_for(dest), max_wait=max_wait)
    if wait > 0:
        return False, f"rate limit: the destination is busy; try again in {wait:.0f} s"
    outcome = send_rendered(resolved, message, msg_type="alert.test", settings=config.settings,
                            webhook_id=ledger.webhook_id_for(alert.id, 0, dest.name))
    text = f"{dest.name} ({dest.type}): " + ("delivered" if outcome.delivered else "FAILED")
    if outcome.http_status:
        text += f", HTTP {outcome.http_status}"
    if outcome.error:
        text += f": {destinations.redact(outcome.error, resolved.secrets)}"
    if outcome.retry_after is not None:
        text += f" (asked to wait {outcome.retry_after:.0f} s)"
    consequence = {"retry": "would be retried", "dead": "would be dead-lettered (not retried)",
                   "disable": "would disable this destination"}.get(outcome.result)
    if consequence:
        text += f"\n  a real alert {consequence}"
    state = destinations.disabled_state(dest.name, resolved.fingerprint)
    if state and outcome.delivered:
        text += f"\n  note: the destination is disabled; `rasd destinations enable {dest.name}` resumes deliveries"
    return outcome.delivered, text


def list_destinations(config: Config) -> str:
    if not config.destinations:
        return f"no destinations: alerts go to the console and {config.settings.alerts_file}"
    env_problems = {issue.key.split(".")[1]: issue.message for issue in check_environment(config)}
    rows = []
    for d in config.destinations:
        state = destinations.disabled_state(d.name)
        status = f"DISABLED since {_when(float(state['disabled_at']))}" if state else "enabled"
        if d.name in env_problems:
            status += " (environment incomplete)"
        variables = ", ".join(v for v in (d.url_env, d.secret_env) if v) or "-"
        rows.append([d.name, d.type, status, variables, f"{ratelimit.rate_for(d):g}/s", f"{d.timeout:g} s"])
    out = [_table(rows, ["NAME", "TYPE", "STATE", "ENVIRONMENT", "RATE", "TIMEOUT"])]
    for d in config.destinations:
        state = destinations.disabled_state(d.name)
        if state:
            out.append(f"{d.name}: disabled because {state.get('reason', '?')}")
        if d.name in env_problems:
            out.append(f"{d.name}: {env_problems[d.name]}")
    return "\n".join(out)


# -- the command line -----------------------------------------------------------------------------


def _load(path: str) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        for issue in exc.errors:
            print(issue, file=sys.stderr)
        return None


def _parser(name: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"rasd {name}", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=default_path(), help="feeds.yaml (default: %(default)s)")
    sub = parser.add_subparsers(dest="action")
    if name == "alerts":
        parser.add_argument("--limit", type=int, default=20, help="how many recent alerts to list")
        p = sub.add_parser("list", help="recent alerts and their deliveries")
        p.add_argument("--limit", type=int, default=argparse.SUPPRESS)
        p = sub.add_parser("show", help="one alert in full")
        p.add_argument("id")
        p = sub.add_parser("retry", help="re-queue dead-lettered deliveries of an alert")
        p.add_argument("id")
        p.add_argument("--destination")
    else:
        sub.add_parser("list", help="destinations and their state")
        p = sub.add_parser("test", help="send a test alert now")
        p.add_argument("name")
        p = sub.add_parser("enable", help="lift a disable")
        p.add_argument("name")
    for p in sub.choices.values():
        p.add_argument("--config", default=argparse.SUPPRESS, help="feeds.yaml")
    return parser


def command(name: str, argv: list[str]) -> int:
    """Entry point for `rasd alerts ...` and `rasd destinations ...`."""
    args = _parser(name).parse_args(argv)
    action = args.action or "list"
    if name == "alerts":
        if action == "list":
            config = _load(args.config) if Path(args.config).exists() else None
            print(list_alerts(config, args.limit))
            return 0
        alert = store.load_alert(args.id)
        if alert is None and not ledger.for_alert(args.id):
            print(f"no alert {args.id!r} (it may have expired)", file=sys.stderr)
            return 1
        if action == "show":
            print(show_alert(alert) if alert else "\n".join(str(d) for d in ledger.for_alert(args.id)))
            return 0
        done = retry_alert(args.id, args.destination)
        if not done:
            print(f"nothing to retry for {args.id}: no dead-lettered or disabled delivery"
                  + (f" to {args.destination}" if args.destination else ""))
            return 1
        for d in done:
            note = ""
            if destinations.disabled_state(d.destination):
                note = f" (the destination is still disabled: `rasd destinations enable {d.destination}` first)"
            print(f"re-queued v{d.version} -> {d.destination}{note}")
        return 0

    config = _load(args.config)
    if config is None:
        return 1
    if action == "list":
        print(list_destinations(config))
        return 0
    if action == "enable":
        if config.destination(args.name) is None:
            print(f"no destination named {args.name!r}", file=sys.stderr)
            return 1
        was = destinations.enable(args.name)
        print(f"{args.name}: enabled" + ("" if was else " (it was not disabled)"))
        return 0
    ok, text = send_test(config, args.name)
    print(text)
    return 0 if ok else 1
