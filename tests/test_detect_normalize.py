"""Folding for matching, and marks that slice the original text exactly."""

from __future__ import annotations

import bisect
import random

import pytest

from worker.detect import detect
from worker.detect.normalize import bisect_after, bisect_before, fold


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("أُغْلِقَ", "اغلق"),  # diacritics, hamza on alef
        ("إغـــلاق", "اغلاق"),  # tatweel, hamza under alef
        ("آمنة", "امنه"),  # madda, ta marbuta
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("مسؤول", "مسءول"),  # hamza on waw
        ("بيروتی", "بيروتي"),  # Persian ya
        ("گذرگاه", "كذركاه"),  # Persian gaf, heh
        ("٢٠١٥ و۱۲", "2015 و12"),  # Arabic-Indic and extended digits
        ("معبر\u200c\u200fالقدم", "معبرالقدم"),  # zero-width non-joiner, RLM
        ("\u202bرفح\u202c", "رفح"),  # bidi embedding
        ("ﻻ", "لا"),  # presentation-form ligature
        ("الحـ ـصار", "الحصار"),  # a word broken by tatweels around a space
        ("كلمة ـ ثانية", "كلمه  ثانيه"),  # a lone tatweel is dropped, its spaces kept
    ],
)
def test_fold(raw: str, folded: str):
    assert fold(raw).text == folded


@pytest.mark.parametrize(
    "raw",
    [
        "أغلقت السلطاتُ معبرَ رفح",
        "أغـــلقت الســلطات معبـــر رفح",
        "أغلقت\u200c السلطات\u200f معبر\u200b رفح",
        "",
    ],
)
def test_every_folded_character_maps_to_its_original(raw: str):
    f = fold(raw)
    positions = [f.to_original(i) for i in range(len(f.text) + 1)]
    assert positions == sorted(positions)
    assert positions[-1] == len(raw)
    for i, ch in enumerate(f.text):
        s, e = f.span(i, i + 1)
        assert fold(raw[s:e]).text == ch


def test_a_ligature_maps_as_one_unit():
    raw = "ﻻ أغلقت"
    f = fold(raw)
    assert f.text == "لا اغلقت"
    assert f.span(0, 2) == (0, 1)  # the two letters of ﻻ are the one original character
    s, e = f.span(3, 8)
    assert raw[s:e] == "أغلقت"


def _marked(text: str, event_type: str) -> list[str]:
    [event] = [e for e in detect(text) if e.type == event_type]
    assert text[event.evidence_start : event.evidence_start + len(event.evidence)] == event.evidence
    return [text[m.start : m.end] for m in event.marks if m.role == "trigger"]


def test_marks_keep_diacritics_and_tatweel():
    text = "وفي تطور جديد، أَغْلَقَتْ قواتُ الاحتلال مَعْبَرَ بيت حانون بالكامل."
    assert _marked(text, "crossing_closure") == ["أَغْلَقَتْ"]
    text = "وقد أغـــلقت القوات معبر بيت حانون اليوم."
    assert _marked(text, "crossing_closure") == ["أغـــلقت"]


def test_marks_skip_invisible_controls_and_digits():
    text = "في ٣ آذار\u200f، أغلقت\u200c السلطات منفذ طريبيل لمدة ٤٨ ساعة."
    [event] = detect(text)
    trigger = next(m for m in event.marks if m.role == "trigger")
    assert text[trigger.start : trigger.end].startswith("أغلقت")
    assert text[event.evidence_start :].startswith(event.evidence)
    assert event.crossing is not None
    assert event.crossing.name == "منفذ طريبيل"


def test_marked_evidence_wraps_the_words_as_written():
    text = "قال مصدر إن الجيش أغلقَ معبرَ الكرامة الحدودي صباح اليوم."
    [event] = detect(text)
    assert "[[أغلقَ]]" in event.marked_evidence()
    assert event.crossing.name.startswith("معبرَ الكرامة")


def test_presentation_forms_map_back():
    text = "ﻻ يزال الجيش يحاصر البلدة، وأغلق الجيش معبر الكرامة."
    events = detect(text)
    for e in events:
        for m in e.marks:
            assert 0 <= m.start < m.end <= len(text)
        assert text[e.evidence_start : e.evidence_start + len(e.evidence)] == e.evidence
    assert {"siege", "crossing_closure"} <= {e.type for e in events}


def test_bisects_agree_with_the_bisect_module():
    """The compiled detector's written-out bisects answer as bisect_left and bisect_right do,
    repeated values and both ends included."""
    rng = random.Random(7)
    for _ in range(300):
        values = sorted(rng.randrange(40) for _ in range(rng.randrange(12)))
        for x in range(-2, 43):
            assert bisect_before(values, x) == bisect.bisect_left(values, x), (values, x)
            assert bisect_after(values, x) == bisect.bisect_right(values, x), (values, x)
