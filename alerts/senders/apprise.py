"""Any channel Apprise knows (Teams, Telegram, e-mail, ntfy, Matrix, plain JSON ...), as plain text.

Apprise does its own networking (`requests`, smtplib, paho-mqtt ...), so the protections the
other senders get from `worker.net` are applied around it: redirects off, time-outs from the
destination, and the same private-address rule at connect time for every scheme. While we send,
the name lookups made for us (our thread, and Apprise's worker threads, which run in a copy of
our context) through `socket.getaddrinfo` (which urllib3, smtplib and socket.create_connection
all go through, and whose answer is what they then connect to) get a deadline and are refused if
any answer is loopback, private, link-local and so on, unless settings.allow_private_networks is
on. A scheme that names no host of ours (tgram://, discord://) resolves the provider's public API
and passes; one that does (json://, ntfy://, mailto://...smtp=, gotify://) is checked whatever it
is called. `rsyslog://` sends UDP without Python's resolver, so it is refused unless the opt-in is on.
Apprise reports success as a yes/no; its warnings are captured to explain a failure.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import apprise
import httpcore

from alerts.destinations import redact, secret_variants
from alerts.senders import Outcome
from worker.config import Destination, Settings
from worker.net import blocked_reason, lookup

_STATUS = re.compile(r"error=(\d{3})")
# Schemes that reach the network without socket.getaddrinfo: the guard cannot see them.
UNGUARDABLE_SCHEMES = frozenset({"rsyslog"})


@dataclass
class Guard:
    """In force for one send: the lookup deadline, and why an address was refused (if one was)."""

    timeout: float
    refused: str | None = None


# A context variable, not a thread-local: Apprise hands each send to a worker thread with
# contextvars.copy_context(), so the guard travels with it (and stays on a send it abandons).
_guard: ContextVar[Guard | None] = ContextVar("rasd_apprise_guard", default=None)
_install_lock = threading.Lock()
_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list:
    """socket.getaddrinfo; inside `guarded()` with a deadline, and refusing blocked addresses."""
    guard = _guard.get()
    if guard is None:  # anything else in the process: untouched
        return _real_getaddrinfo(host, port, *args, **kwargs)
    try:
        infos = lookup(host, port, guard.timeout, _real_getaddrinfo, *args, **kwargs)
    except httpcore.ConnectTimeout as exc:
        raise socket.gaierror(socket.EAI_AGAIN, str(exc)) from None
    except httpcore.ConnectError as exc:
        raise socket.gaierror(socket.EAI_NONAME, str(exc)) from None
    for info in infos:
        reason = blocked_reason(str(info[4][0]))
        if reason:
            guard.refused = reason
            raise socket.gaierror(socket.EAI_FAIL, f"refused: the host resolves to a {reason} address")
    return infos


def _install() -> None:
    """Put the guard in front of socket.getaddrinfo once per process (it is inert outside `guarded`)."""
    with _install_lock:
        if socket.getaddrinfo is not _guarded_getaddrinfo:
            socket.getaddrinfo = _guarded_getaddrinfo


@contextmanager
def guarded(timeout: float) -> Iterator[Guard]:
    """While inside, lookups made for this send are deadline-bound and refuse blocked addresses."""
    _install()
    guard = Guard(timeout)
    token = _guard.set(guard)
    try:
        yield guard
    finally:
        _guard.reset(token)


def refusal(reason: str) -> str:
    """The ledger's error for a send refused at lookup (it names the kind of address, never the host)."""
    return f"refused: the host resolves to a {reason} address (settings.allow_private_networks is off)"


def with_timeouts(url: str, timeout: float) -> str:
    """Add Apprise's connect/read time-out arguments unless the URL sets its own."""
    query = urlsplit(url).query
    extra = [f"{name}={timeout:g}" for name in ("cto", "rto") if not re.search(rf"(^|&){name}=", query)]
    if not extra:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(extra)


def send(dest: Destination, url: str, title: str, body: str, *, settings: Settings,
         secrets: list[str] | None = None) -> Outcome:
    """Notify through Apprise; failures are retried like webhooks."""
    secrets = secrets or secret_variants(url, None)
    scheme = urlsplit(url).scheme.lower()
    if scheme in UNGUARDABLE_SCHEMES and not settings.allow_private_networks:
        return Outcome("retry", error=f"refused: {scheme}:// cannot be checked against private addresses "
                                      "(settings.allow_private_networks is off)")
    asset = apprise.AppriseAsset(http_redirects=False, secure_logging=True)
    notifier = apprise.Apprise(asset=asset)
    if not notifier.add(with_timeouts(url, dest.timeout)):
        return Outcome("retry", error=f"the URL in {dest.url_env} is not one Apprise understands")
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            if settings.allow_private_networks:
                ok, refused = bool(notifier.notify(title=title, body=body)), None
            else:
                with guarded(dest.timeout) as guard:
                    ok = bool(notifier.notify(title=title, body=body))
                    refused = guard.refused
        log_text = captured.getvalue()
    except Exception as exc:
        return Outcome("retry", error=redact(f"apprise failed ({type(exc).__name__}: {exc})", secrets)[:500])
    if refused:
        return Outcome("retry", error=refusal(refused))
    if ok:
        return Outcome("delivered")
    found = _STATUS.findall(log_text)
    status = int(found[-1]) if found else None
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    reason = redact(lines[-1], secrets)[:300] if lines else "Apprise reported a failure"
    return Outcome("retry", status, reason)
