"""The detector's view of the gazetteer (worker/detect/gazetteer.py, owned by another module).

The detector codes against the agreed interface: ``Gazetteer.default()`` and ``find(folded)``, the
crossings and places named in folded text, as spans. When the gazetteer module is not importable
the detector still works: names come from the rule patterns alone (``معبر X``, ``حي X`` ...).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from .model import Crossing, Place

log = logging.getLogger(__name__)


class GazetteerLink:
    """Calls the gazetteer when there is one, answers "nothing known" when there is none."""

    def __init__(self, gazetteer: Any | None) -> None:
        self.gazetteer = gazetteer

    @classmethod
    def default(cls) -> GazetteerLink:
        try:
            from .gazetteer import Gazetteer
        except ImportError:
            return cls(None)
        try:
            return cls(Gazetteer.default())
        except Exception as e:  # a broken data file must not stop detection
            log.warning("gazetteer unavailable, detecting without it: %s", e)
            return cls(None)

    def find(
        self, folded: str, starts: list[int] | None = None
    ) -> tuple[list[tuple[int, int, Crossing]], list[tuple[int, int, Place]]]:
        if self.gazetteer is None:
            return [], []
        crossings, places = self.gazetteer.find(folded, starts)
        return _trimmed(folded, crossings), [sp for sp in _trimmed(folded, places) if not _unit_name(folded, sp[0])]

    def may_begin(self, word: str) -> tuple[str, ...] | None:
        """Whether a name may begin at this word (see `Gazetteer.may_begin`)."""
        return None if self.gazetteer is None else self.gazetteer.may_begin(word)


# Armed units named after a place are not that place: "فيلق القدس"، "سرايا القدس"، "لواء القدس"،
# "كتيبة جنين"، "فيلق الشام" (folded spellings; a clitic و ف ب ل and the article may come first).
_UNIT_NOUNS: Final = ("فيلق", "فيالق", "سرايا", "سريه", "لواء", "الويه", "كتاءب", "كتيبه", "فرقه", "فوج", "افواج", "جيش")
_UNIT_LAST: Final = "".join(sorted({n[-1] for n in _UNIT_NOUNS}))  # the letters they end with
_UNIT_BEFORE: Final = re.compile(rf"(?:^|[^\w])[وف]?[بل]?(?:ال)?(?:{'|'.join(_UNIT_NOUNS)})[\s_\-]+$")


def _unit_name(folded: str, start: int) -> bool:
    """Whether the place name at `start` is part of a unit's name (the word before is a unit noun)."""
    low = max(0, start - 16)
    end = start
    while end > low and (folded[end - 1].isspace() or folded[end - 1] in "_-"):
        end -= 1
    if end == start or folded[end - 1] not in _UNIT_LAST or not folded.endswith(_UNIT_NOUNS, low, end):
        return False  # no unit noun right before: the regex below cannot match (it is the slow part)
    return _UNIT_BEFORE.search(folded, low, start) is not None


def _trimmed(folded: str, spans) -> list:
    """Spans without quotes or punctuation at their edges, so names read as written."""
    out = []
    for start, end, obj in spans:
        while start < end and not folded[start].isalnum():
            start += 1
        while end > start and not folded[end - 1].isalnum():
            end -= 1
        if start < end:
            out.append((start, end, obj))
    return out
