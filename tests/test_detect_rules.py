"""Rule files: every rule's own examples, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.detect import RuleFileError, default_detector, load_detector
from worker.detect.rules import default_rule_files, load_rules

RULES = load_rules(default_rule_files()).rules
# siege rules give siege_risk under threat cues: a "no siege" example must give neither.
RELATED = {"siege": {"siege", "siege_risk"}}


def _cases(kind: str):
    for rule in RULES:
        for ex in rule.positive if kind == "match" else rule.negative:
            yield pytest.param(rule, ex, id=f"{rule.id}:{ex.text[:40]}")


def test_every_rule_has_examples_both_ways():
    assert RULES, "no rules loaded"
    for rule in RULES:
        assert rule.positive and rule.negative, rule.id


@pytest.mark.parametrize(("rule", "example"), list(_cases("match")))
def test_rule_matches_its_examples(rule, example):
    events = default_detector().detect(example.text)
    want_type = example.type or rule.type
    hits = [e for e in events if e.type == want_type]
    assert hits, f"{rule.id}: no {want_type} in {example.text!r}; got {[(e.type, e.rule) for e in events]}"
    if example.status:
        assert example.status in {e.status for e in hits}, [(e.type, e.status) for e in hits]


@pytest.mark.parametrize(("rule", "example"), list(_cases("no_match")))
def test_rule_stays_silent_on_its_counter_examples(rule, example):
    events = default_detector().detect(example.text)
    unwanted = RELATED.get(rule.type, {rule.type}) if example.type is None else {example.type}
    assert not [e for e in events if e.type in unwanted], (
        f"{rule.id}: {example.text!r} gave {[(e.type, e.status, e.rule) for e in events]}"
    )


# -- extra rule files (feeds.yaml settings.extra_rules) -----------------------------------------

EXTRA_RULE = """
classes:
  crossing:
    words: [منفذ]
rules:
  - id: local.roadblock
    type: crossing_closure
    triggers: [قطع]
    require:
      - {class: roadblock, after: 3}
    examples:
      match: [قطع المحتجون الطريق الدولي]
      no_match: [قطع الكهرباء عن الحي]
"""


def test_extra_rule_file_adds_rules(tmp_path: Path):
    path = tmp_path / "local.yaml"
    path.write_text(EXTRA_RULE.replace("classes:\n", "classes:\n  roadblock:\n    words: [الطريق]\n"), "utf-8")
    detector = load_detector([str(path)])
    events = detector.detect("قطع المحتجون الطريق الدولي صباح اليوم")
    assert [e.rule for e in events] == ["local.roadblock"]
    assert not default_detector().detect("قطع المحتجون الطريق الدولي صباح اليوم")


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    return str(path)


RULE_OK = """
rules:
  - id: my.rule
    type: crossing_closure
    triggers: [أغلق]
    require:
      - {class: crossing, after: 3}
    examples:
      match: [أغلق المعبر]
      no_match: [فتح المعبر]
"""


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("rules: [\n  - id: x\n", "not valid YAML"),
        ("rules:\n  - id: my.rule\n    type: closure\n", "rule 'my.rule': type: 'closure' is not an event type"),
        (RULE_OK.replace("triggers", "trigger"), "rule 'my.rule': unknown key(s) trigger"),
        (RULE_OK.replace("      no_match: [فتح المعبر]\n", ""), "rule 'my.rule': examples"),
        (RULE_OK.replace("[أغلق]", '["أغل[ق"]'), "rule 'my.rule': triggers"),
        (RULE_OK.replace("class: crossing", "class: nowhere"), "rule 'my.rule': class 'nowhere'"),
        (RULE_OK.replace("after: 3", "after: many"), "rule 'my.rule': require: after"),
        (RULE_OK.replace("id: my.rule", "id: closure.verb"), "rule 'closure.verb': id already used"),
        ("modalities:\n  maybe:\n    words: [ربما]\n    before: 2\n", "modality 'maybe': unknown modality"),
        ("types:\n  siege:\n    threat: siege_risk/worse\n", "types: 'siege': threat"),
        ("surprise: 1\n", "unknown top-level key(s): surprise"),
        ("classes:\n  mine:\n    words: [أ]\n  mine:\n    words: [ب]\n", "'mine' is written twice"),
    ],
)
def test_bad_rule_file_names_file_rule_and_key(tmp_path: Path, text: str, expect: str):
    path = _write(tmp_path, text)
    with pytest.raises(RuleFileError) as err:
        load_detector([path])
    message = str(err.value)
    assert path in message
    assert expect in message


def test_missing_rule_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(RuleFileError, match="cannot read"):
        load_detector([str(tmp_path / "absent.yaml")])
