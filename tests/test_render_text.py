"""Plain text for Apprise channels and the console; the bidi and evidence helpers under every renderer."""

from __future__ import annotations

from alert_examples import CLOSURE_TEXT, aid_event, alert_of, closure_event, rafah_event, source

from alerts.render.bidi import LRI, PDI, RLI, first_strong, isolate, isolate_runs, opposite_runs
from alerts.render.evidence import clean, fitted, mark_spans
from alerts.render.text import plain_text
from worker.detect.model import Event, Mark


def test_title_and_body_carry_the_alert():
    title, body = plain_text(alert_of(closure_event()))
    assert title == f"Crossing closed: {RLI}مَعْبَرَ نَصِيب{PDI} (Nasib-Jaber crossing)"
    for line in (
        f"Crossing closed · {RLI}إغلاق معبر{PDI}",
        "Status: Occurred · Confidence: 90% (high)",
        f"Crossing: {RLI}مَعْبَرَ نَصِيب{PDI} (Nasib-Jaber crossing)",
        f"Place: {RLI}درعا{PDI} (Daraa)",
        f"Actor: {RLI}السُّلُطَاتُ{PDI}",
        "Sources (1):",
        f"  {source(1).url}",
        "Alert 01JQ3Z8K4M2V9X7T5R6P0N1B2C · version 1",
    ):
        assert line in body.splitlines(), line


def test_evidence_is_intact_with_marks_in_guillemets():
    _, body = plain_text(alert_of(closure_event()))
    evidence_line = body.splitlines()[body.splitlines().index("Evidence:") + 1]
    assert evidence_line.startswith("«وَأَغْلَقَتِ» السُّلُطَاتُ «مَعْبَرَ نَصِيب» الحدودي")
    # Remove what the renderer added and the article's sentence is back, letter for letter.
    for added in ("«", "»", LRI, PDI):
        evidence_line = evidence_line.replace(added, "")
    assert evidence_line == CLOSURE_TEXT


def test_updates_and_tests_are_named_in_the_title():
    alert = alert_of(rafah_event(), [source(1), source(2, "alaraby", "العربي الجديد")], version=2)
    title, body = plain_text(alert, "updated")
    assert title.startswith("Updated (2 sources): Crossing closed: ")
    assert f"- {RLI}العربي الجديد{PDI}" in body
    assert plain_text(alert_of(rafah_event(), test=True))[0].startswith("[TEST] ")
    assert plain_text(alert_of(rafah_event(status="announced")))[0].startswith("Crossing closed (announced): ")


def test_a_place_event_is_titled_with_its_place():
    title, body = plain_text(alert_of(aid_event()))
    assert title == f"Aid blocked: {RLI}الفاشر{PDI} (El Fasher)"
    assert f"{LRI}Save the Children{PDI}" in body


# -- bidi ----------------------------------------------------------------------------------------


def test_isolate_runs_in_an_arabic_line():
    line = "أعلنت وكالة AFP أن معبر Kerem Shalom 2 أُغلق."
    assert isolate_runs(line) == f"أعلنت وكالة {LRI}AFP{PDI} أن معبر {LRI}Kerem Shalom 2{PDI} أُغلق."
    # Numbers alone stay with the Arabic; nothing to isolate.
    assert isolate_runs("أُغلق المعبر عام 2024.") == "أُغلق المعبر عام 2024."


def test_isolate_runs_in_an_english_line():
    line = "Closed: معبر رفح (Rafah), 3 days"
    assert isolate_runs(line) == f"Closed: {RLI}معبر رفح{PDI} (Rafah), 3 days"
    assert first_strong(line) == "ltr" and first_strong("  معبر") == "rtl" and first_strong("123") is None


def test_invisible_direction_marks_start_no_run():
    assert opposite_runs("\u200eمعبر\u200e", "rtl") == []
    assert isolate("", "rtl") == "" and isolate("x") == "\u2068x\u2069"


# -- evidence spans and fitting -------------------------------------------------------------------


def _event(text: str, *marks: Mark) -> Event:
    return Event(type="siege", status="occurred", confidence=0.9, evidence=text, evidence_start=0, marks=list(marks))


def test_spans_widen_to_whole_words_and_merge():
    text = "فُرِضَ الحِصَارُ على البلدة"
    e = _event(text, Mark(0, 3), Mark(7, 11), Mark(9, 16))
    assert mark_spans(e, whole_words=True) == [(0, 6), (7, 16)]
    assert [text[s:e] for s, e in mark_spans(e, whole_words=True)] == ["فُرِضَ", "الحِصَارُ"]


def test_marks_outside_the_evidence_are_ignored():
    e = _event("حوصرت البلدة", Mark(50, 60), Mark(-5, -1))
    assert mark_spans(e, whole_words=True) == []


def test_clean_keeps_offsets():
    raw = "سطر\nثانٍ\t\x07\ud800"
    assert len(clean(raw)) == len(raw) and clean(raw) == "سطر ثانٍ  \ufffd"


def test_fitted_keeps_the_mark_in_the_window():
    text = "كلمة " * 1000 + "حصار" + " كلمة" * 1000

    def render(part, spans):
        out, pos = [], 0
        for s, e in spans:
            out += [part[pos:s], "[", part[s:e], "]"]
            pos = e
        return "".join(out + [part[pos:]])

    start = text.index("حصار")
    out = fitted(text, [(start, start + 4)], limit=200, render=render)
    assert len(out) <= 200 and "[حصار]" in out and out.startswith("…") and out.endswith("…")
    assert out[1:].split(" ")[0] == "كلمة"  # cut at a word boundary
