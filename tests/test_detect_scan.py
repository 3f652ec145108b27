"""The word-by-word scan (Detector._scan) finds exactly what one pass of the combined regex finds,
and the gazetteer, tried only at the words the scan marks, finds exactly the names of a full pass.

The scan caches what each word reads as and asks the regex only for new words and where a listed
phrase may start; these tests keep the plain regex pass as the reference, on a fresh detector
(every word new) and again on a warm one (every word cached)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SHARED

from worker.detect.engine import Detector, Hit, _Doc, _split_words
from worker.detect.gazetteer_link import GazetteerLink
from worker.detect.normalize import fold
from worker.detect.rules import default_rule_files, load_rules

DATA = Path(__file__).resolve().parent / "data"

# Spacing, clitics and joins where the word walk and the regex could part ways.
TRICKY = [
    "المعابر لا تزال  مغلقة منذ أيام",  # a phrase with two spaces
    "ظل\nمغلقا، وبقيت مغلقةً",  # ... a newline, a diacritic
    "ولا تزال مغلقاتها، لا تزالُ مغلق",  # a longer word after the phrase, a diacritic inside it
    "الدعم السريع يحاصر الفاشر وللدعم السريع حواجز",
    "#دير_الزور و#معبر_رفح مغلق",  # hashtags: underscores are word letters
    "للقدس ولمعبر رفح وبمعبر كرم أبو سالم",
    "معبر \"طريبيل\" ومنفذ «عرعر» أغلقا",
    "دير-الزور، حلب–إدلب: إغلاق 7 معابر",
    "أسر 7 حوثيين في ذي قار و ان قزام",
    "في في في الي الي من من",
    "(رويترز) أغلقت السلطات معبر رفح.\n«المعبر»، [حلب]/إدلب – «الحدود»؛ غزة؟!",  # punctuation against words
    "_معبر_ -الحدود- معبر_رفح، ‹حلب› 'إدلب'",
    "قصف فيلق القدس وكتيبة جنين ولواء  القدس مواقع في غزة",  # units named after places
    "",
    "   ",
]


def _texts() -> list[str]:
    rules = load_rules(default_rule_files()).rules
    texts = [ex.text for r in rules for ex in (*r.positive, *r.negative)] + TRICKY
    for path in [*sorted(DATA.glob("detect_*.jsonl")), SHARED / "data" / "events-dev.jsonl"]:
        if path.exists():
            texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    seed = SHARED / "data" / "seed-article.txt"
    if seed.exists():
        texts.append(seed.read_text(encoding="utf-8"))
    return texts


def _regex_pass(det: Detector, ft: str) -> list[tuple]:
    """What one finditer of the combined regex reads (the scan's specification)."""
    out = []
    heads, skip_to = det._phrase_heads, 0
    for m in det.regex.finditer(ft):
        start, end = m.span()
        if start < skip_to:
            continue
        word = m.group()
        if m.group(1) and (word in heads or word[1:] in heads):
            whole = det._phrases_regex.match(ft, start)
            if whole is not None and whole.end() > end:
                m, end = whole, whole.end()
                skip_to = end
        r = det._read(m.group("p"), m.group("s"), m.group("x"))
        if r is not None:
            out.append((start, end, start + r.prefix_len, r.prefix, r.suffix, r.rules, r.classes, r.mods, r.mods_after))
    return out


def _hits(hits: list[Hit]) -> list[tuple]:
    return [(h.start, h.end, h.stem_start, h.prefix, h.suffix, h.rules, h.classes, h.mods, h.mods_after) for h in hits]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(load_rules(default_rule_files()), GazetteerLink.default())


def test_scan_reads_what_one_regex_pass_reads(detector):
    texts = _texts()
    assert len(texts) > 200
    for rnd in ("cold", "warm"):
        for text in texts:
            ft = fold(text).text
            assert _hits(detector._scan(ft).hits) == _regex_pass(detector, ft), (rnd, text[:80])


def test_words_are_the_runs_of_word_letters():
    for text in _texts():
        ft = fold(text).text
        words, starts = _split_words(ft)
        assert list(zip(words, starts, strict=True)) == [(m.group(), m.start()) for m in re.finditer(r"\w+", ft)], text[:80]


def test_next_word_is_what_the_word_regex_matches_next(detector):
    """_Doc.next_word answers from the scan's words what (\\W*)(\\w+) matched at an offset before it,
    the end of the text or a closer stop cutting the word."""
    next_word = re.compile(r"(\W*)(\w+)")
    checked = 0
    for i, text in enumerate(_texts()):
        ft = fold(text).text
        doc = _Doc(detector, fold(text), detector._scan(ft))
        step = 1 if i % 10 == 0 else 7  # every offset of some texts, a sample of the rest
        for pos in range(0, len(ft) + 1, step):
            for stop in (len(ft), min(len(ft), pos + 9)):
                m = next_word.match(ft, pos, stop)
                assert doc.next_word(pos, stop) == (m.span(2) if m else (-1, -1)), (ft[pos : pos + 30], stop - pos)
                checked += 1
    assert checked > 10_000


def test_a_phrase_is_read_whole_and_its_words_are_not_read_again(detector):
    ft = fold("المعابر لا تزال  مغلقة منذ أيام").text
    hits = detector._scan(ft).hits
    phrase = [h for h in hits if " " in ft[h.start : h.end]]
    assert [ft[h.start : h.end] for h in phrase] == ["لا تزال  مغلقه"]
    assert not any(phrase[0].start < h.start < phrase[0].end for h in hits)


def test_gazetteer_at_marked_words_finds_what_a_full_pass_finds(detector):
    gz = detector.gazetteer
    if gz.gazetteer is None:
        pytest.skip("no gazetteer here")
    found = 0
    for text in _texts():
        ft = fold(text).text
        starts = detector._scan(ft).name_starts
        full = gz.find(ft)
        assert gz.find(ft, starts) == full, text[:80]
        found += len(full[0]) + len(full[1])
    assert found > 300  # the texts do name places and crossings


def test_names_after_a_quote_a_hyphen_or_two_spaces_are_still_tried(detector):
    gz = detector.gazetteer
    if gz.gazetteer is None:
        pytest.skip("no gazetteer here")
    for text in ["سقطت دير  الزور", "سقطت دير-الزور", "معبر \"رفح\" مغلق", "في ذي قار"]:
        ft = fold(text).text
        full = gz.find(ft)
        assert full[0] or full[1], text
        assert gz.find(ft, detector._scan(ft).name_starts) == full, text
