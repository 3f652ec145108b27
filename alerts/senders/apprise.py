"""Any channel Apprise knows (Teams, Telegram, e-mail, ntfy, Matrix, plain JSON ...), as plain text.

Apprise does its own HTTP (with `requests`), so the protections the other senders get from
`worker.net` are applied around it: redirects off, time-outs from the destination, and for the
URL schemes that name a host to POST to (json://, form://, xml://) the same private-address check.
Apprise reports success as a yes/no; its warnings are captured to explain a failure.
"""

from __future__ import annotations

import logging
import re
import socket
from urllib.parse import urlsplit

import apprise

from alerts.destinations import redact, secret_variants
from alerts.senders import Outcome
from worker.config import Destination, Settings

# Schemes whose host part is the address Apprise will connect to.
_HOST_SCHEMES = {"json", "jsons", "form", "forms", "xml", "xmls"}
_STATUS = re.compile(r"error=(\d{3})")


def with_timeouts(url: str, timeout: float) -> str:
    """Add Apprise's connect/read time-out arguments unless the URL sets its own."""
    query = urlsplit(url).query
    extra = [f"{name}={timeout:g}" for name in ("cto", "rto") if not re.search(rf"(^|&){name}=", query)]
    if not extra:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(extra)


def check_host(url: str, settings: Settings) -> str | None:
    """Why this URL may not be used (a private address without the opt-in), or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _HOST_SCHEMES or settings.allow_private_networks:
        return None
    from worker.net import blocked_reason

    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"could not resolve the host ({type(exc).__name__})"
    for info in infos:
        reason = blocked_reason(info[4][0])
        if reason:
            return (f"refused: the host resolves to a {reason} address "
                    "(settings.allow_private_networks is off)")
    return None


def send(dest: Destination, url: str, title: str, body: str, *, settings: Settings,
         secrets: list[str] | None = None) -> Outcome:
    """Notify through Apprise; failures are retried like webhooks."""
    secrets = secrets or secret_variants(url, None)
    refused = check_host(url, settings)
    if refused:
        return Outcome("retry", error=refused)
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(http_redirects=False, secure_logging=True))
    if not notifier.add(with_timeouts(url, dest.timeout)):
        return Outcome("retry", error=f"the URL in {dest.url_env} is not one Apprise understands")
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            ok = bool(notifier.notify(title=title, body=body))
        log_text = captured.getvalue()
    except Exception as exc:
        return Outcome("retry", error=redact(f"apprise failed ({type(exc).__name__}: {exc})", secrets)[:500])
    if ok:
        return Outcome("delivered")
    found = _STATUS.findall(log_text)
    status = int(found[-1]) if found else None
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    reason = redact(lines[-1], secrets)[:300] if lines else "Apprise reported a failure"
    return Outcome("retry", status, reason)
