"""Slack incoming webhooks: post a Block Kit payload and classify Slack's answer.

Slack answers `ok` on success and a short error word otherwise
(https://api.slack.com/messaging/webhooks#handling_errors). Words that mean the webhook will never
work again (the channel was archived, the app removed, the token revoked) disable the destination
after one attempt; a malformed payload will never be accepted, so it is not retried.
"""

from __future__ import annotations

import json

import httpx

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

# The webhook is gone for good: stop using it until ops fix it.
DISABLING = frozenset({
    "channel_is_archived",
    "channel_not_found",
    "no_service",
    "no_service_id",
    "no_team",
    "team_disabled",
    "invalid_token",
    "user_not_found",
    "action_prohibited",
    "posting_to_general_channel_denied",
})
# This message will never be accepted: dead-letter it, keep the destination.
REJECTED = frozenset({"invalid_payload", "too_many_attachments", "no_text"})


def send(dest: Destination, url: str, payload: dict, *, settings: Settings,
         client: httpx.Client | None = None, secrets: list[str] | None = None) -> Outcome:
    """POST one message to a Slack incoming webhook."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": settings.user_agent}
    http = client or shared_client(settings)
    try:
        with http.stream("POST", url, content=body, headers=headers, timeout=httpx.Timeout(dest.timeout)) as resp:
            text = read_limited(resp).decode("utf-8", "replace").strip()
            return classify(resp.status_code, text, resp.headers)
    except Exception as exc:  # the network, the SSRF guard, a soft time limit: all retried
        return network_failure(exc, secrets or secret_variants(url, None))


def classify(status: int, text: str, headers: httpx.Headers | dict) -> Outcome:
    """What Slack's answer means for this delivery."""
    word = text.split()[0].strip().lower()[:80] if text else ""
    if 200 <= status < 300:
        return Outcome("delivered", status)
    if status == 429:
        return Outcome("retry", status, "HTTP 429: rate limited by Slack",
                       retry_after=parse_retry_after(headers.get("retry-after")))
    if word in DISABLING or status in (404, 410):
        return Outcome("disable", status, f"HTTP {status}: {word or 'webhook gone'}")
    if word in REJECTED:
        return Outcome("dead", status, f"HTTP {status}: {word}: Slack will not accept this message")
    if 300 <= status < 400:
        return redirect_failure(status, headers.get("location"))
    if status >= 500 or status == 408:
        return Outcome("retry", status, f"HTTP {status}{': ' + word if word else ''}",
                       retry_after=parse_retry_after(headers.get("retry-after")))
    # Any other 4xx is a request Slack will keep refusing.
    return Outcome("dead", status, f"HTTP {status}{': ' + word if word else ''}")
