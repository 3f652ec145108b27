"""Quality on passages the rules were not written from, beside the dev set (tests/test_detect_eval.py).

Three sets in tests/data, each in the style of outlets not in ../shared, with the same targets:
- detect_unseen.jsonl (199): scored micro F1 0.847 when written; rules were then written from its misses.
- detect_holdout.jsonl (160): written blind to the rules; 0.891 before rules were written from its misses.
- detect_holdout2.jsonl (199): written from TAXONOMY.md alone; 0.904 before any change, and no rule
  has been written from it. Keep it that way: it is the honest measure of how the rules carry over.
Scoring follows the shared evaluator (/work/shared/tools/eval-events): a type counts for a passage
when any event has it, gold events marked optional are neither required nor penalised, and a
crossing name is right when one name contains the other's distinctive word.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from worker.detect import detect

DATA = Path(__file__).resolve().parent / "data"
SETS = ("detect_unseen.jsonl", "detect_holdout.jsonl", "detect_holdout2.jsonl")
TYPES = (
    "crossing_closure", "crossing_reopening", "siege", "siege_risk", "aid_blocked",
    "evacuation", "control_change", "strike", "detention", "displacement",
)
CROSSING_TYPES = ("crossing_closure", "crossing_reopening")
# The targets of the issue, the same as for the dev set; never loosen them.
MICRO_F1 = 0.90
TYPE_F1 = 0.80
PRECISION = {"crossing_closure": 0.90, "siege": 0.90, "siege_risk": 0.90}
CROSSING_NAMES = 0.90

_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")
_GENERIC = {"معبر", "المعبر", "منفذ", "المنفذ", "البري", "الحدودي", "حاجز", "بوابة"}


def _norm(s: str) -> str:
    s = _DIACRITICS.sub("", s or "")
    s = re.sub("[أإآٱ]", "ا", s).replace("ى", "ي").replace("ة", "ه")
    return re.sub(r"[^\w\s]", " ", s)


def _distinctive(name: str) -> set[str]:
    return {w for w in _norm(name).split() if w not in _GENERIC and len(w) > 1}


def crossing_match(gold: str, pred: str) -> bool:
    """A predicted name is right when it shares the gold name's distinctive word (any, if it has none)."""
    g, p = _distinctive(gold), _distinctive(pred)
    return bool(g & p) if g else True


@dataclass
class Score:
    """Counts per type, as eval-events keeps them."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    names_right: int = 0
    names_checked: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, item: dict, predicted: list[tuple[str, str | None]]) -> None:
        """One passage: gold events from the data, predicted (type, crossing name) pairs."""
        required = {e["type"] for e in item["events"] if not e.get("optional")}
        optional = {e["type"] for e in item["events"] if e.get("optional")}
        types = {t for t, _ in predicted}
        for t in TYPES:
            if t in types and t in required:
                self.tp[t] += 1
            elif t in types and t not in optional:
                self.fp[t] += 1
                self.errors.append(f"{item['id']} FP {t}")
            elif t in required and t not in types:
                self.fn[t] += 1
                self.errors.append(f"{item['id']} FN {t}")
        for g in item["events"]:
            if g["type"] in CROSSING_TYPES and g.get("crossing") and not g.get("optional"):
                names = [n for t, n in predicted if t == g["type"] and n]
                if names:
                    self.names_checked += 1
                    self.names_right += any(crossing_match(g["crossing"], n) for n in names)

    def precision(self, t: str) -> float:
        return self.tp[t] / (self.tp[t] + self.fp[t]) if self.tp[t] + self.fp[t] else 1.0

    def f1(self, t: str) -> float:
        p = self.precision(t)
        r = self.tp[t] / (self.tp[t] + self.fn[t]) if self.tp[t] + self.fn[t] else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def micro_f1(self) -> float:
        tp, fp, fn = (sum(c.values()) for c in (self.tp, self.fp, self.fn))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def report(self) -> str:
        rows = [f"{t:20} tp {self.tp[t]:3} fp {self.fp[t]:3} fn {self.fn[t]:3} f1 {self.f1(t):.2f}" for t in TYPES]
        return "\n".join([*rows, f"micro F1 {self.micro_f1():.3f}", *self.errors])


def _predicted(text: str) -> list[tuple[str, str | None]]:
    return [(e.type, e.crossing.name if e.crossing else None) for e in detect(text)]


@pytest.fixture(scope="module", params=SETS)
def score(request: pytest.FixtureRequest) -> Score:
    lines = (DATA / request.param).read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    assert len(items) >= 150, f"{request.param} has lost passages"
    s = Score()
    for item in items:
        s.add(item, _predicted(item["text"]))
    return s


def test_unseen_micro_f1(score: Score) -> None:
    assert score.micro_f1() >= MICRO_F1, score.report()


@pytest.mark.parametrize("etype", TYPES)
def test_unseen_type_f1(score: Score, etype: str) -> None:
    assert score.tp[etype] + score.fn[etype], f"no gold {etype} in this set"
    assert score.f1(etype) >= TYPE_F1, score.report()


@pytest.mark.parametrize("etype", sorted(PRECISION))
def test_unseen_precision_of_access_types(score: Score, etype: str) -> None:
    assert score.precision(etype) >= PRECISION[etype], score.report()


def test_unseen_crossing_names(score: Score) -> None:
    assert score.names_checked >= 20, score.report()
    assert score.names_right / score.names_checked >= CROSSING_NAMES, (
        f"{score.names_right}/{score.names_checked} crossing names right"
    )


def test_scoring_follows_the_shared_evaluator() -> None:
    """The scorer itself: optional gold is free, a wrong crossing name is counted, extra types are FPs."""
    s = Score()
    item = {"id": "a", "events": [
        {"type": "crossing_reopening", "crossing": "معبر نصيب"},
        {"type": "crossing_closure", "optional": True},
    ]}
    s.add(item, [("crossing_reopening", "معبر جابر"), ("crossing_closure", "معبر نصيب"), ("strike", None)])
    assert (s.tp["crossing_reopening"], s.fp["crossing_closure"], s.fp["strike"]) == (1, 0, 1)
    assert (s.names_right, s.names_checked) == (0, 1)
    s.add({"id": "b", "events": [{"type": "siege"}]}, [])
    assert s.fn["siege"] == 1 and s.f1("siege") == 0.0
    assert crossing_match("منفذ رأس اجدير", "معبر راس جدير الحدودي")
    assert crossing_match("المعبر الحدودي", "معبر نصيب")
