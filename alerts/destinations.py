"""A destination's URL and signing secret, read from the environment only when a message is sent.

feeds.yaml names environment variables (`url_env`, `secret_env`), never the values, so the
configuration can be shared and a task argument or log line never carries a secret. Every value
read here is also registered with a logging filter that blanks it out of the log records of the
HTTP libraries underneath (httpx logs every request URL at INFO; urllib3 and Apprise log theirs
at DEBUG).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from worker.config import Destination
from worker.redis_conn import get_redis, key

REDACTED = "[redacted]"
# URL schemes whose host part is a network address rather than a token.
_HOST_IS_AN_ADDRESS = frozenset({"http", "https", "json", "jsons", "form", "forms", "xml", "xmls"})

# Loggers that may print a request URL. A filter only sees records logged on its own logger (not
# those propagated from children), so each one that logs is listed.
_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "urllib3",
    "urllib3.connectionpool",
    "apprise",
    "requests",
)


class DestinationError(RuntimeError):
    """A destination cannot be used as configured; the message names it and the variable, never a value."""


@dataclass(frozen=True)
class Resolved:
    """A destination with its URL and secret read from the environment."""

    dest: Destination
    url: str
    secret: str | None = None

    @property
    def secrets(self) -> list[str]:
        return secret_variants(self.url, self.secret)

    @property
    def fingerprint(self) -> str:
        return url_fingerprint(self.url)


def resolve(dest: Destination, environ: Mapping[str, str] | None = None) -> Resolved:
    """Read the destination's URL (and signing secret) from the environment, now."""
    env = os.environ if environ is None else environ
    if dest.type == "console":
        return Resolved(dest, url="console:")
    if not dest.url_env:
        raise DestinationError(f"destination {dest.name!r} ({dest.type}) has no url_env: "
                               "name the environment variable that holds its URL")
    url = (env.get(dest.url_env) or "").strip()
    if not url:
        raise DestinationError(f"destination {dest.name!r}: environment variable {dest.url_env} is not set")
    secret = None
    if dest.type == "webhook":
        if not dest.secret_env:
            raise DestinationError(f"destination {dest.name!r} (webhook) has no secret_env: name the "
                                   "environment variable that holds its whsec_ signing secret")
        secret = (env.get(dest.secret_env) or "").strip()
        if not secret:
            raise DestinationError(
                f"destination {dest.name!r}: environment variable {dest.secret_env} is not set")
    elif dest.secret_env:
        secret = (env.get(dest.secret_env) or "").strip() or None
    if dest.type in ("slack", "webhook") and not url.lower().startswith(("http://", "https://")):
        raise DestinationError(f"destination {dest.name!r}: the URL in {dest.url_env} is not an http(s) URL")
    resolved = Resolved(dest, url, secret)
    register_secrets(resolved.secrets)
    return resolved


def url_fingerprint(url: str) -> str:
    """A short one-way digest of a URL: tells whether ops changed it, without storing it."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def secret_variants(url: str | None, secret: str | None) -> list[str]:
    """The forms in which a URL or secret may turn up in an error or log text."""
    out: set[str] = set()
    if url and url != "console:":
        out |= {url, quote(url, safe=":/?&=%@+,;~"), unquote(url)}
        parts = urlsplit(url)
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        # The secret part of a Slack or webhook URL is its path (and query); a bare host is not secret.
        pieces = [p for p, shortest in ((tail, 8), (parts.path, 8), (parts.query, 6)) if len(p) >= shortest]
        for piece in pieces:
            out |= {piece, unquote(piece)}
        if parts.password:
            out.add(parts.password)
        # Apprise service URLs (tgram://TOKEN/CHAT, discord://ID/TOKEN ...) keep tokens in the "host" too.
        if parts.scheme.lower() not in _HOST_IS_AN_ADDRESS and len(parts.netloc) >= 6:
            out.add(parts.netloc)
    if secret:
        out.add(secret)
        if secret.startswith("whsec_") and len(secret) > 10:
            out.add(secret[len("whsec_"):])
    # Longest first, so a URL is replaced whole before its path is.
    return sorted((s for s in out if s), key=len, reverse=True)


def redact(text: object, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by a marker."""
    out = str(text)
    for s in sorted(set(secrets), key=len, reverse=True):
        if s and s in out:
            out = out.replace(s, REDACTED)
    return out


# -- logs ------------------------------------------------------------------------------------------

_known: set[str] = set()
_lock = threading.Lock()
_installed = False


class RedactingFilter(logging.Filter):
    """Blanks every registered secret out of a log record before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _lock:
            known = sorted(_known, key=len, reverse=True)
        if not known:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        clean = redact(message, known)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def register_secrets(values: Iterable[str]) -> None:
    """Remember values to blank out of library logs in this process."""
    global _installed
    with _lock:
        _known.update(v for v in values if v and len(v) >= 6)
        first = not _installed
        _installed = True
    if first:
        install_log_redaction()


def install_log_redaction() -> None:
    flt = RedactingFilter()
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)


# -- disabled destinations ------------------------------------------------------------------------
# A webhook that answered "gone" (Slack 404/410/channel_is_archived..., a webhook's 410) is disabled
# after one attempt: later deliveries are recorded as `disabled` without a request. The record keeps
# a fingerprint of the URL, so when ops put a new URL in the environment the destination comes back
# by itself; `rasd destinations enable NAME` brings it back by hand.


def _state_key(name: str) -> str:
    return key("destination", name)


def disable(name: str, *, reason: str, fingerprint: str | None, now: float, alert_id: str = "",
            http_status: int | None = None) -> bool:
    """Mark a destination disabled; True only for the call that disabled it (so ops are told once)."""
    r = get_redis()
    k = _state_key(name)
    if not r.hsetnx(k, "disabled_at", repr(now)):
        return False
    r.hset(k, mapping={"reason": reason[:500], "fingerprint": fingerprint or "", "alert_id": alert_id,
                       "http_status": "" if http_status is None else str(http_status)})
    return True


def disabled_state(name: str, fingerprint: str | None = None) -> dict[str, str] | None:
    """Why a destination is disabled, or None. A changed URL (new fingerprint) lifts the block."""
    state = get_redis().hgetall(_state_key(name))
    if not state.get("disabled_at"):
        return None
    if fingerprint and state.get("fingerprint") and state["fingerprint"] != fingerprint:
        enable(name)
        logging.getLogger(__name__).warning(
            "destination %s: its URL changed since it was disabled; enabled again", name)
        return None
    return state


def enable(name: str) -> bool:
    return bool(get_redis().delete(_state_key(name)))
