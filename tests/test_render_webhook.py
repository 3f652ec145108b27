"""The webhook body: DESIGN.md's shape, valid against alerts/schema/alert-v1.json, and the schema bites."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alert_examples import aid_event, alert_of, closure_event, rafah_event, siege_risk_event, source
from jsonschema import Draft202012Validator

from alerts.render.webhook import load_schema, schema_errors, validate_body, webhook_body

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "alerts" / "schema" / "alert-v1.json"
WHEN = datetime(2026, 3, 14, 7, 5, 9, tzinfo=UTC)


def test_schema_is_a_documented_draft_2020_12_schema():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert load_schema() == schema
    assert "v1" in schema["$id"] and schema["description"]


def test_body_has_the_design_shape():
    body = webhook_body(alert_of(closure_event(), [source(1), source(2, "syria-tv", None)], version=2),
                        msg_type="alert.updated", timestamp=WHEN)
    assert body["type"] == "alert.updated" and body["timestamp"] == "2026-03-14T07:05:09Z"
    data = body["data"]
    assert data["id"] == "01JQ3Z8K4M2V9X7T5R6P0N1B2C" and data["version"] == 2 and data["schema"] == "rasd.alert/v1"
    event = data["event"]
    assert event["type"] == "crossing_closure" and event["status"] == "occurred"
    assert event["place"] == ["درعا"] and event["crossing"] == "مَعْبَرَ نَصِيب" and event["actor"] == "السُّلُطَاتُ"
    assert event["evidence"] == closure_event().evidence
    assert event["crossing_id"] == "nasib-jaber" and event["crossing_en"] == "Nasib-Jaber crossing"
    assert event["crossing_countries"] == ["SY", "JO"]
    assert event["places"] == [{"name": "درعا", "id": "170794", "name_en": "Daraa", "country": "SY",
                                "lat": 32.62, "lon": 36.10}]
    assert event["labels"] == {"en": "Crossing closed", "ar": "إغلاق معبر"}
    assert [s["feed"] for s in data["sources"]] == ["enab", "syria-tv"]
    assert set(data["sources"][0]) >= {"url", "title", "feed", "published"}
    validate_body(body)


def test_marks_are_offsets_into_the_evidence():
    body = webhook_body(alert_of(closure_event()))
    evidence = body["data"]["event"]["evidence"]
    marks = body["data"]["event"]["marks"]
    assert [(m["text"], m["role"]) for m in marks] == [("أَغْلَقَ", "trigger"), ("مَعْبَرَ نَصِيب", "object")]
    assert all(evidence[m["start"] : m["end"]] == m["text"] for m in marks)
    assert body["data"]["event"]["evidence_start"] == 250


@pytest.mark.parametrize("event", [closure_event(), rafah_event(), siege_risk_event(), aid_event()],
                         ids=["closure", "rafah", "siege_risk", "aid"])
@pytest.mark.parametrize("msg_type", ["alert.created", "alert.updated", "alert.test"])
def test_every_kind_of_body_validates(event, msg_type):
    body = webhook_body(alert_of(event), msg_type=msg_type)
    assert schema_errors(body) == []
    json.dumps(body)  # plain JSON, nothing exotic


def test_a_body_without_place_crossing_or_actor_validates():
    bare = siege_risk_event()
    bare.places, bare.marks = [], []
    body = webhook_body(alert_of(bare, [source(1, outlet=None)]))
    assert body["data"]["event"]["place"] == [] and body["data"]["event"]["crossing"] is None
    validate_body(body)


def _broken(mutate) -> dict:
    body = copy.deepcopy(webhook_body(alert_of(closure_event()), timestamp=WHEN))
    mutate(body)
    return body


@pytest.mark.parametrize(
    ("what", "mutate"),
    [
        ("no id", lambda b: b["data"].pop("id")),
        ("unknown status", lambda b: b["data"]["event"].update(status="rumoured")),
        ("unknown event type", lambda b: b["data"]["event"].update(type="flood")),
        ("version 0", lambda b: b["data"].update(version=0)),
        ("bad timestamp", lambda b: b.update(timestamp="14/03/2026 07:05")),
        ("bad message type", lambda b: b.update(type="created")),
        ("place as a string", lambda b: b["data"]["event"].update(place="درعا")),
        ("confidence above 1", lambda b: b["data"]["event"].update(confidence=1.5)),
        ("no sources", lambda b: b["data"].update(sources=[])),
        ("source without url", lambda b: b["data"]["sources"][0].pop("url")),
        ("other schema", lambda b: b["data"].update(schema="rasd.alert/v2")),
        ("latitude out of range", lambda b: b["data"]["event"]["places"][0].update(lat=123.0)),
    ],
)
def test_invalid_bodies_fail_validation(what, mutate):
    body = _broken(mutate)
    assert schema_errors(body), what
    with pytest.raises(ValueError, match="rasd.alert/v1"):
        validate_body(body)


def test_a_test_message_may_have_no_sources():
    body = webhook_body(alert_of(rafah_event(), test=True), msg_type="alert.test")
    body["data"]["sources"] = []
    validate_body(body)
    body["data"]["test"] = False
    assert any("sources" in e for e in schema_errors(body))


def test_message_type_is_checked():
    with pytest.raises(ValueError, match="alert"):
        webhook_body(alert_of(closure_event()), msg_type="created")


def _described(schema: dict, node: dict) -> dict:
    return schema["$defs"][node["$ref"].split("/")[-1]] if "$ref" in node else node


def test_every_field_we_send_is_described_in_the_schema():
    """The schema is the documentation: a field added to the body must be added there too."""
    schema = load_schema()
    body = webhook_body(alert_of(closure_event()))

    def walk(value, node, path):
        node = _described(schema, node)
        if isinstance(value, dict) and "properties" in node:
            for k, v in value.items():
                assert k in node["properties"], f"{path}.{k} is not in alert-v1.json"
                walk(v, node["properties"][k], f"{path}.{k}")
        elif isinstance(value, list) and "items" in node:
            for v in value:
                walk(v, node["items"], f"{path}[]")

    walk(body, schema, "body")
