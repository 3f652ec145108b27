"""Keep mixed Arabic/English lines readable: wrap runs of the other direction in Unicode isolates.

Without isolates, an English name inside an Arabic sentence (or an Arabic name inside an English
label) lets neighbouring punctuation and numbers jump to the wrong side. Wrapping the run in
LRI ... PDI (left-to-right) or RLI ... PDI (right-to-left) lays it out as one opaque unit; the
controls are invisible, and every current browser, Slack client and mail client honours them.
"""

from __future__ import annotations

import unicodedata

LRI = "\u2066"  # left-to-right isolate
RLI = "\u2067"  # right-to-left isolate
FSI = "\u2068"  # first-strong isolate
PDI = "\u2069"  # pop directional isolate

_RTL_CLASSES = frozenset({"R", "AL"})
# Explicit embeddings, overrides and isolates already in the text: never wrap across them.
_EXPLICIT = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
# What may end an isolated run: letters of its direction and numbers ("Windows 11", "F-16").
_RUN_END = frozenset({"EN", "AN"})


def direction_of(ch: str) -> str | None:
    """'ltr' or 'rtl' for a strong letter, else None (digits, spaces, punctuation, format marks)."""
    if unicodedata.category(ch) == "Cf":  # LRM/RLM/ALM are strong but invisible: no run starts there
        return None
    cls = unicodedata.bidirectional(ch)
    if cls == "L":
        return "ltr"
    if cls in _RTL_CLASSES:
        return "rtl"
    return None


def first_strong(text: str) -> str | None:
    """The direction of the first strong letter, as the Unicode paragraph rule would find it."""
    for ch in text:
        d = direction_of(ch)
        if d:
            return d
    return None


def has_rtl(text: str) -> bool:
    return any(direction_of(ch) == "rtl" for ch in text)


def isolate(text: str, direction: str | None = None) -> str:
    """`text` as one isolated unit: LRI/RLI for a known direction, FSI to let it find its own."""
    if not text:
        return text
    opener = {"ltr": LRI, "rtl": RLI}.get(direction or "", FSI)
    return f"{opener}{text}{PDI}"


def opposite_runs(text: str, base: str) -> list[tuple[int, int, str]]:
    """Spans `(start, end, opener)` of the runs in `text` that go against the `base` direction.

    A run starts at a strong letter of the other direction and ends at the last such letter (or a
    number right after it) before a letter of the base direction, so the spaces and punctuation
    around it stay with the surrounding sentence.
    """
    if base not in ("ltr", "rtl"):
        raise ValueError("base must be 'ltr' or 'rtl'")
    other = "ltr" if base == "rtl" else "rtl"
    opener = LRI if other == "ltr" else RLI
    runs: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        if direction_of(text[i]) != other:
            i += 1
            continue
        start, last = i, i + 1
        j = i + 1
        while j < n:
            ch = text[j]
            d = direction_of(ch)
            if d == base or unicodedata.bidirectional(ch) in _EXPLICIT:
                break
            if d == other or unicodedata.bidirectional(ch) in _RUN_END or unicodedata.category(ch).startswith("M"):
                last = j + 1
            j += 1
        runs.append((start, last, opener))
        i = max(j, last)
    return runs


def isolate_runs(text: str, base: str | None = None) -> str:
    """`text` with each run of the other direction wrapped in isolates.

    `base` is the direction of the line ('rtl' for an Arabic sentence); by default the direction
    of its first strong letter.
    """
    base = base or first_strong(text) or "ltr"
    out, pos = [], 0
    for start, end, opener in opposite_runs(text, base):
        out += [text[pos:start], opener, text[start:end], PDI]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def ltr_label(text: str) -> str:
    """A value shown in an English (left-to-right) line: Arabic inside it isolated."""
    return isolate_runs(text, "ltr")


def rtl_line(text: str) -> str:
    """An Arabic line: Latin runs inside it isolated."""
    return isolate_runs(text, "rtl")
