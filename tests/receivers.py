"""Real receivers for delivery tests, mounted on the conftest `http_server` (127.0.0.1, port 0).

A receiver answers from a script (one response per request, then its default), records what
arrived and when, and checks each message as the real thing would: the Slack receiver parses the
Block Kit payload back with slack_sdk's models; the webhook receiver verifies the Standard Webhooks
signature with the `standardwebhooks` library.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alert_examples import alert_of, closure_event
from conftest import LocalServer, Request, Response
from slack_sdk.models.blocks import Block
from standardwebhooks import Webhook

from alerts import store
from alerts.model import Alert
from worker.config import Config


@dataclass
class Arrival:
    at: float  # time.time() when the request arrived
    request: Request
    message: Any = None  # the parsed and checked message
    problem: str | None = None  # why the message was refused


@dataclass
class Receiver:
    server: LocalServer
    path: str
    script: list[Response | Callable[[Request], Response]] = field(default_factory=list)
    default: Response = field(default_factory=lambda: Response(200, b"ok"))
    hold: threading.Event | None = None  # when set, requests wait until it is set (or 30 s)

    def __post_init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.server.add(self.path, self._handle)

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    def check(self, req: Request) -> Any:
        return req.body

    def _handle(self, req: Request) -> Response:
        arrival = Arrival(time.time(), req)
        try:
            arrival.message = self.check(req)
        except Exception as exc:
            arrival.problem = f"{type(exc).__name__}: {exc}"
        with self.lock:
            self.arrivals.append(arrival)
            self.arrived.notify_all()
            step = self.script.pop(0) if self.script else self.default
        if self.hold is not None:
            self.hold.wait(30)
        if arrival.problem:
            return Response(400, b"invalid_payload")
        return step(req) if callable(step) else step

    def wait_for(self, n: int, timeout: float = 20.0) -> list[Arrival]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.arrivals) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.path}: {len(self.arrivals)} requests arrived, expected {n}")
                self.arrived.wait(left)
            return list(self.arrivals)

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)


class SlackReceiver(Receiver):
    """Answers like a Slack incoming webhook and parses the Block Kit payload back."""

    def check(self, req: Request) -> dict:
        payload = json.loads(req.body)
        if not isinstance(payload.get("text"), str) or not payload["text"].strip():
            raise ValueError("no top-level text")
        blocks = Block.parse_all(payload.get("blocks", []))
        if len(blocks) != len(payload.get("blocks", [])) or len(blocks) > 50:
            raise ValueError("blocks did not parse")
        for b in blocks:
            b.validate_json()
        payload["_parsed_blocks"] = blocks
        return payload


class WebhookReceiver(Receiver):
    """Verifies every request's signature with the destination's secret before accepting it."""

    def __init__(self, server: LocalServer, path: str, secret: str, **kw: Any) -> None:
        self.secret = secret
        super().__init__(server, path, **kw)

    def check(self, req: Request) -> dict:
        return Webhook(self.secret).verify(req.body, req.headers)


class JsonReceiver(Receiver):
    """What Apprise's json:// plugin posts."""

    def check(self, req: Request) -> dict:
        return json.loads(req.body)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()


def saved_alert(n: int = 1, **kw: Any) -> Alert:
    """A hand-built closure alert with its own id, saved in the store."""
    kw.setdefault("id", f"01TEST{uuid.uuid4().hex[:20].upper()}")
    kw.setdefault("key", f"crossing_closure|test-{n}-{uuid.uuid4().hex[:6]}")
    alert = alert_of(closure_event(), **kw)
    store.save_alert(alert)
    return alert


def config_with(*destinations: dict, allow_private: bool = True) -> Config:
    return Config.model_validate({
        "settings": {"allow_private_networks": allow_private},
        "destinations": list(destinations),
    })


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
