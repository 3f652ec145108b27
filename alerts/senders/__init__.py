"""Senders: one request to one destination, and what its answer means for the delivery.

Each sender's `send(...)` returns an `Outcome` and never raises for anything the network or the
receiver does: the caller decides when to retry from `Outcome.result` alone. Error texts are built
here from status codes and exception class names and then redacted, so no URL or secret leaks.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Literal

import httpx

from alerts.destinations import redact
from worker.config import Settings
from worker.net import BlockedAddressError, make_client, parse_retry_after

__all__ = ["Outcome", "parse_retry_after", "network_failure", "redirect_failure", "read_limited", "shared_client"]

Result = Literal["delivered", "retry", "dead", "disable"]

# Enough of a response body to classify it (Slack answers a word; receivers may answer a page).
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    """What one attempt achieved."""

    result: Result
    http_status: int | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds the receiver asked us to wait, if it did

    @property
    def delivered(self) -> bool:
        return self.result == "delivered"


def network_failure(exc: BaseException, secrets: list[str]) -> Outcome:
    """A request that got no HTTP answer: time-outs and connection errors are worth retrying."""
    if isinstance(exc, BlockedAddressError):
        what = "refused by the private-address guard (settings.allow_private_networks is off)"
    elif isinstance(exc, httpx.TimeoutException):
        what = "timed out"
    elif isinstance(exc, httpx.ConnectError):
        what = "could not connect"
    elif isinstance(exc, httpx.TooManyRedirects | httpx.UnsupportedProtocol | httpx.InvalidURL):
        what = "bad URL"
    elif isinstance(exc, httpx.HTTPError):
        what = "request failed"
    else:
        what = "unexpected error"
    detail = redact(str(exc), secrets).strip()
    text = f"{what} ({type(exc).__name__}{': ' + detail if detail else ''})"
    return Outcome("retry", error=text[:500])


def redirect_failure(status: int, location: str | None) -> Outcome:
    """Redirects are not followed (a redirect could point a signed request anywhere)."""
    target = httpx.URL(location).host if location else ""
    where = f" to host {target}" if target else ""
    return Outcome("retry", status, f"HTTP {status}: redirect{where} not followed; "
                                    "set the destination URL to the final address")


def read_limited(response: httpx.Response, limit: int = MAX_BODY) -> bytes:
    """At most `limit` bytes of a streamed response body."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


_clients: dict[tuple, httpx.Client] = {}
_clients_lock = threading.Lock()


def shared_client(settings: Settings) -> httpx.Client:
    """One guarded client per process and network setting: kept-alive connections, and no TLS set-up
    between taking a rate-limit slot and sending. Never follows redirects."""
    k = (os.getpid(), settings.allow_private_networks, settings.connect_timeout, settings.read_timeout,
         settings.user_agent)
    with _clients_lock:
        client = _clients.get(k)
        if client is None:
            client = _clients[k] = make_client(settings, follow_redirects=False)
        return client
