"""The evidence sentence with its matched words marked, fitted to a length limit.

Shared by the Slack, text and console renderers, which differ only in the markers and the
escaping. Mark offsets come from the detector relative to the article; here they become spans
of the evidence that never split a letter from its diacritics (and, for Slack, cover whole words
so `*bold*` renders). Long evidence is cut around the marks at word boundaries, never inside a
mark, with an ellipsis where text was left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from alerts.render.bidi import PDI, opposite_runs
from worker.detect.model import Event

ELLIPSIS = "…"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: str) -> str:
    """One line, same length: line breaks and control characters to spaces, lone surrogates to U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text.replace("\n", " ").replace("\t", " ")))


def is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" or ch in "\u200c\u200d"


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def utf16_len(text: str) -> int:
    """Length as JavaScript (and Slack) counts it: astral characters count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def mark_spans(event: Event, *, whole_words: bool) -> list[tuple[int, int]]:
    """The marks as sorted, non-overlapping spans of `event.evidence`.

    Always extended over trailing diacritics; with `whole_words`, extended to the whole word
    (a mark on "أغلقت" in "وأغلقت" covers "وأغلقت"), which Slack needs to render bold.
    """
    text, base = event.evidence, event.evidence_start
    n = len(text)
    spans = []
    for m in event.marks:
        s, e = max(m.start - base, 0), min(m.end - base, n)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        while s > 0 and _is_mark(text[s]):
            s -= 1
        while e < n and _is_mark(text[e]):
            e += 1
        if whole_words:
            while s > 0 and is_word_char(text[s - 1]) and is_word_char(text[s]):
                s -= 1
            while e < n and is_word_char(text[e]) and is_word_char(text[e - 1]):
                e += 1
        spans.append((s, e))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def compose(
    text: str,
    spans: list[tuple[int, int]],
    *,
    open_: str,
    close: str,
    escape: Callable[[str], str] = lambda s: s,
    base: str | None = "rtl",
) -> str:
    """`text` with `spans` wrapped in open_/close, runs against `base` isolated, the rest escaped.

    Where a mark and an isolated run share an edge, the marker goes outside the isolate, so
    `*` stays next to a space or punctuation as Slack wants.
    """
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for s, e in spans:
        opens.setdefault(s, []).append(open_)
        closes.setdefault(e, []).append(close)
    if base:
        for s, e, opener in opposite_runs(text, base):
            opens.setdefault(s, []).append(opener)
            closes.setdefault(e, []).insert(0, PDI)
    cuts = sorted(set(opens) | set(closes) | {0, len(text)})
    out: list[str] = []
    for i, pos in enumerate(cuts):
        out += closes.get(pos, [])
        out += opens.get(pos, [])
        if i + 1 < len(cuts):
            out.append(escape(text[pos : cuts[i + 1]]))
    return "".join(out)


_MAX_SNAP = 40  # how far a cut may move to reach a word boundary before it settles for a letter boundary


def _snap_start(text: str, a: int) -> int:
    """Move a cut forward to the start of a word (never between a letter and its diacritics)."""
    n = len(text)
    if a <= 0:
        return 0
    i = a
    while i < n and i - a <= _MAX_SNAP and is_word_char(text[i]) and is_word_char(text[i - 1]):
        i += 1
    if i - a > _MAX_SNAP:  # one enormous word: cut between two letters instead
        i = a
        while i < n and _is_mark(text[i]):
            i += 1
    while i < n and text[i].isspace():
        i += 1
    return i


def _snap_end(text: str, b: int) -> int:
    """Move a cut back to the end of a word (or, failing that, of a letter with its diacritics)."""
    n = len(text)
    if b >= n:
        return n
    i = b
    while i > 0 and b - i <= _MAX_SNAP and is_word_char(text[i - 1]) and is_word_char(text[i]):
        i -= 1
    if b - i > _MAX_SNAP:
        i = b
        while i > 0 and _is_mark(text[i]):
            i -= 1
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return i


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """A [a, b) of at most `width` characters around the first mark, with whole words and marks."""
    n = len(text)
    fs, fe = spans[0] if spans else (0, 0)
    before = min(fs, max(width - (fe - fs), 0) // 4)
    a = fs - before
    b = min(n, a + width)
    if b == n:
        a = max(0, min(fs, n - width))
    a, b = _snap_start(text, a), _snap_end(text, b)
    if spans:
        a, b = min(a, fs), max(b, fe)
    for s, e in spans:  # a cut inside a mark drops the whole mark instead
        if s < a < e:
            a = e
        if s < b < e:
            b = s
    return a, max(a, b)


def fitted(
    text: str,
    spans: list[tuple[int, int]],
    *,
    limit: int,
    render: Callable[[str, list[tuple[int, int]]], str],
) -> str:
    """`render(text, spans)`, cut around the marks so that it is at most `limit` UTF-16 units long."""
    full = render(text, spans)
    if utf16_len(full) <= limit:
        return full
    n = len(text)
    if spans and spans[0][1] - spans[0][0] > limit // 2:
        spans = []  # a mark longer than half the room is a detector bug: show text, not markers
    width = limit
    while width > 0:
        a, b = _window(text, spans, width)
        inner = [(s - a, e - a) for s, e in spans if a <= s and e <= b]
        out = (ELLIPSIS if a > 0 else "") + render(text[a:b], inner) + (ELLIPSIS if b < n else "")
        size = utf16_len(out)
        if size <= limit:
            return out
        width -= max(size - limit, 1)
    return ELLIPSIS if limit >= 1 else ""
