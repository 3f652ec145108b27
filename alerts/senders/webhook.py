"""Generic webhooks signed per Standard Webhooks (https://www.standardwebhooks.com/).

`webhook-id` is the delivery's id, the same on every retry, so a receiver that saw a message
before can drop the repeat; `webhook-timestamp` is the time of this attempt (receivers reject old
ones) and the signature covers id, timestamp and the exact body bytes.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

from alerts.destinations import secret_variants
from alerts.senders import (
    Outcome,
    network_failure,
    parse_retry_after,
    read_limited,
    redirect_failure,
    shared_client,
)
from worker.config import Destination, Settings


def encode(body: dict) -> str:
    """The exact text that is signed and sent."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def signed_headers(secret: str, webhook_id: str, data: str, *, now: float | None = None) -> dict[str, str]:
    """Standard Webhooks headers for one attempt."""
    stamp = datetime.fromtimestamp(int(time.time() if now is None else now), tz=UTC)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, stamp, data),
    }


def send(dest: Destination, url: str, body: dict, *, secret: str, webhook_id: str, settings: Settings,
         now: float | None = None, client: httpx.Client | None = None,
         secrets: list[str] | None = None) -> Outcome:
    """POST one signed JSON message."""
    data = encode(body)
    try:
        headers = signed_headers(secret, webhook_id, data, now=now)
    except Exception as exc:  # a secret that is not base64: fixable by ops, so retried
        return Outcome("retry", error=f"the signing secret in {dest.secret_env} is not a valid whsec_ secret "
                                      f"({type(exc).__name__})")
    headers |= {"Content-Type": "application/json", "User-Agent": settings.user_agent}
    http = client or shared_client(settings)
    try:
        with http.stream("POST", url, content=data.encode("utf-8"), headers=headers,
                         timeout=httpx.Timeout(dest.timeout)) as resp:
            read_limited(resp)
            return classify(resp.status_code, resp.headers)
    except Exception as exc:  # the network, the SSRF guard, a soft time limit: all retried
        return network_failure(exc, secrets or secret_variants(url, secret))


def classify(status: int, headers: httpx.Headers | dict) -> Outcome:
    """2xx delivered; 410 means the receiver is gone; everything else is retried."""
    if 200 <= status < 300:
        return Outcome("delivered", status)
    if status == 410:
        return Outcome("disable", status, "HTTP 410: the receiver says this endpoint is gone")
    if 300 <= status < 400:
        return redirect_failure(status, headers.get("location"))
    retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
    return Outcome("retry", status, f"HTTP {status}", retry_after=retry_after)
