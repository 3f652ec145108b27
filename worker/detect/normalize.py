"""Arabic text folding for matching, with a way back to offsets in the original text.

Matching runs on a folded copy of the text: diacritics, tatweel and invisible controls removed;
alef and hamza forms, alef maqsura, ta marbuta, Persian letters and Arabic-Indic digits unified.
Evidence and marks are always reported against the original text, so every folded offset
must map back; `Folded.to_original` does that.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Removed: harakat and Quranic marks, superscript alef, tatweel, zero-width and bidi controls.
_DELETE: Final = (
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u00ad"
)
_DELETE_RE: Final = re.compile(f"[{_DELETE}]+")
_PRESENTATION_RE: Final = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")

_ONE_TO_ONE: Final = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ێ": "ي",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ھ": "ه",
    "ؤ": "ء", "ئ": "ء",
    "ک": "ك", "گ": "ك", "ڪ": "ك",
    "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف", "ڨ": "ق",
    "٫": ".", "٬": ",",
}
for _i in range(10):
    _ONE_TO_ONE[chr(0x0660 + _i)] = str(_i)
    _ONE_TO_ONE[chr(0x06F0 + _i)] = str(_i)
_TABLE: Final = str.maketrans(_ONE_TO_ONE)
# str.translate with a dict table costs ~0.1 us per character on non-ASCII text; a handful of
# str.replace calls (only for letters present) is ~20x faster on news text, and fold() runs once
# per article on the hot path.
_PAIRS: Final = tuple(_ONE_TO_ONE.items())
# One scan finds both what to delete and whether the slow (presentation-form) path is needed.
# A word broken by tatweels around a space ("الحـ ـصار", written to slip past filters) is joined.
# It begins with a character set (not an alternation) so that the regex engine skips plain
# letters in a tight loop; the lookbehind picks the tatweel case.
_SCAN_RE: Final = re.compile(
    f"[{_DELETE}\ufb50-\ufdff\ufe70-\ufefe]"
    f"(?:(?<=\u0640)[ \u00a0]+\u0640[{_DELETE}]*|[{_DELETE}\ufb50-\ufdff\ufe70-\ufefe]*)"
)


def _map_letters(s: str) -> str:
    for a, b in _PAIRS:
        if a in s:
            s = s.replace(a, b)
    return s


def fold_word(s: str) -> str:
    """Fold a short string (a lexicon entry, a gazetteer name) the same way as article text."""
    return fold(s).text


class Folded:
    """A folded text and the map of its offsets back to the original. (A plain class: one is made
    per article, and the compiled build runs a dataclass's generated __init__ as Python.)"""

    __slots__ = ("text", "original", "_gap_at", "_gap_total", "_index")

    def __init__(self, text: str, original: str, gap_at: list[int] | None = None,
                 gap_total: list[int] | None = None, index: list[int] | None = None) -> None:
        self.text = text
        self.original = original
        # Sorted folded offsets at which original characters were dropped, and the running total
        # of dropped characters there (fast path). `index` is used instead when characters expanded.
        self._gap_at: list[int] = gap_at if gap_at is not None else []
        self._gap_total: list[int] = gap_total if gap_total is not None else []
        self._index = index

    def __repr__(self) -> str:
        return f"Folded({self.text!r})"

    def to_original(self, i: int) -> int:
        """Map a folded offset (start or exclusive end) to the original text.

        Characters dropped right at `i` (such as a diacritic after the last matched letter) are
        counted in, so a marked word keeps its diacritics.
        """
        if self._index is not None:
            return self._index[min(max(i, 0), len(self._index) - 1)]
        if not self._gap_at:  # nothing was dropped (most text): offsets are the same
            return i
        k = bisect_after(self._gap_at, i)
        return i + (self._gap_total[k - 1] if k else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded [start, end) span to the original text."""
        return self.to_original(start), self.to_original(end)


def bisect_after(values: list[int], x: int) -> int:
    """`bisect.bisect_right(values, x)` written out: compiled, the loop is several times cheaper
    than the call, and the detector maps offsets and finds words this way on its hot path."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < values[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def bisect_before(values: list[int], x: int) -> int:
    """`bisect.bisect_left(values, x)` written out, for the same reason as `bisect_after`."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def fold(text: str) -> Folded:
    """Fold `text` for matching; see the module docstring for what is unified."""
    gap_at: list[int] = []
    gap_total: list[int] = []
    pieces: list[str] = []
    dropped = prev = 0
    for m in _SCAN_RE.finditer(text):
        start, end = m.span()
        if _PRESENTATION_RE.search(text, start, end):  # ligatures expand: map per character
            return _fold_slow(text)
        pieces.append(text[prev:start])
        gap_at.append(start - dropped)
        dropped += end - start
        gap_total.append(dropped)
        prev = end
    if dropped:
        pieces.append(text[prev:])
        stripped = "".join(pieces)
    else:
        stripped = text
    return Folded(_map_letters(stripped).lower(), text, gap_at, gap_total)


def _fold_slow(text: str) -> Folded:
    """Per-character path for text with presentation forms (ligatures expand to two letters)."""
    out: list[str] = []
    index: list[int] = []
    for pos, ch in enumerate(text):
        if _DELETE_RE.match(ch):
            continue
        if _PRESENTATION_RE.match(ch):
            ch = unicodedata.normalize("NFKC", ch)
        for c in ch.translate(_TABLE).lower():
            if _DELETE_RE.match(c):
                continue
            out.append(c)
            index.append(pos)
    # index[i] is where folded character i starts; one more entry maps the final end offset.
    return Folded("".join(out), text, index=index + [len(text)])
