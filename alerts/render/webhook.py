"""The generic webhook body (DESIGN.md, "Webhook delivery") and its JSON Schema.

The body is also what the console appends to the local alerts file, so one shape serves every
machine reader. `alerts/schema/alert-v1.json` documents it; `validate_body` checks a body
against it (tests do, and so can a receiver).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from alerts.model import Alert, iso_utc
from alerts.render import labels
from worker.detect.model import Event

SCHEMA_NAME = "rasd.alert/v1"
SCHEMA_FILE = "alert-v1.json"
_MSG_TYPE = re.compile(r"^alert\.[a-z][a-z_]*$")


def _marks(event: Event) -> list[dict[str, Any]]:
    """Marks as offsets into the evidence (the detector gives them into the article)."""
    out = []
    n = len(event.evidence)
    for m in sorted(event.marks, key=lambda m: (m.start, m.end)):
        s, e = m.start - event.evidence_start, m.end - event.evidence_start
        if 0 <= s < e <= n:
            out.append({"start": s, "end": e, "role": m.role, "text": event.evidence[s:e]})
    return out


def event_body(event: Event) -> dict[str, Any]:
    c = event.crossing
    return {
        "type": event.type,
        "status": event.status,
        "place": [p.name for p in event.places],
        "crossing": c.name if c else None,
        "actor": event.actor,
        "evidence": event.evidence,
        "confidence": round(min(max(event.confidence, 0.0), 1.0), 3),
        "marks": _marks(event),
        "evidence_start": max(event.evidence_start, 0),
        "crossing_id": c.id if c else None,
        "crossing_en": c.name_en if c else None,
        "crossing_countries": [x.upper() for x in c.countries] if c else [],
        "places": [
            {"name": p.name, "id": p.id, "name_en": p.name_en, "country": p.country.upper() if p.country else None,
             "lat": p.lat, "lon": p.lon}
            for p in event.places
        ],
        "target": event.target,
        "labels": {"en": labels.label_en(event.type), "ar": labels.label_ar(event.type)},
        "rule": event.rule,
    }


def webhook_body(alert: Alert, *, msg_type: str = "alert.created", timestamp: datetime | None = None) -> dict:
    """The JSON body POSTed to generic webhooks for `alert` (see alerts/schema/alert-v1.json)."""
    if not _MSG_TYPE.match(msg_type):
        raise ValueError(f"message type {msg_type!r} is not of the form alert.<word>")
    return {
        "type": msg_type,
        "timestamp": iso_utc(timestamp or datetime.now(UTC)),
        "data": {
            "id": alert.id,
            "schema": SCHEMA_NAME,
            "version": alert.version,
            "created_at": alert.created_at,
            "updated_at": alert.updated_at,
            "test": alert.test,
            "evidence_url": alert.evidence_url,
            "event": event_body(alert.event),
            "sources": [
                {"url": s.url, "title": s.title, "feed": s.feed, "published": s.published, "outlet": s.outlet}
                for s in alert.sources
            ],
        },
    }


@lru_cache(maxsize=1)
def load_schema() -> dict:
    """The JSON Schema of the webhook body (shipped as package data)."""
    text = resources.files("alerts").joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_errors(body: Any) -> list[str]:
    """Every way `body` breaks the schema, as `path: message` lines (empty when it is valid)."""
    errors = sorted(_validator().iter_errors(body), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(body)'}: {e.message}" for e in errors]


def validate_body(body: Any) -> None:
    """Raise ValueError naming every problem when `body` does not match the schema."""
    errors = schema_errors(body)
    if errors:
        raise ValueError("webhook body does not match rasd.alert/v1: " + "; ".join(errors))
