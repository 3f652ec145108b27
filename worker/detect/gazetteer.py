"""Known crossings and places, found in folded Arabic text and resolved from names as written.

The detector asks two things: where in an article a known crossing or place is named, and what a name it
already holds refers to. Both run on text folded by `normalize.fold` (hamza forms, ة/ه, ى/ي and diacritics
unified), so every spelling in the data is folded the same way once, at load time.

Matching is one pass of one compiled regular expression for both kinds (see `_Scanner`), built from a
character trie of the folded names so the regex engine walks the names instead of trying them one by one.
A caller that already walks the words (the detector) can instead give the offsets of the words where a name
may begin (`may_begin`), and the pattern is tried there only.
A name matches as whole words only; it may carry the proclitics و ف ب ل ك, and a name that starts with ال
also matches in its ل+ال contracted form ("للقدس"). Two guards keep ordinary words out:

- crossings: spellings that are also a town, a person or a word ("رفح", "نصيب", "القدم") match only right
  after a crossing word: "معبر رفح", "بمنفذ الوديعة", "المعبر الحدودي بحزوة";
- places: names that are also ordinary words (place_stop_words.yaml), very short names and single-word
  names of small villages match only right after a place word: "حي العمال", "مدينة الأبيض", "محافظة إب".

A reported span covers the crossing or place word when there is one ("معبر رفح البري", "مدينة حلب"),
never the proclitics: it is the name as the article writes it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, Final, NoReturn

import yaml

from worker.detect.model import Crossing, Place
from worker.detect.native import SOURCE_DIR
from worker.detect.normalize import bisect_before, fold_word
from worker.detect.yaml_loaders import LineLoader

DATA_DIR = SOURCE_DIR / "data"
CROSSINGS_FILE = DATA_DIR / "crossings.yaml"
PLACES_FILE = DATA_DIR / "places.yaml"
GEONAMES_FILE = DATA_DIR / "places_geonames.json"
STOP_WORDS_FILE = DATA_DIR / "place_stop_words.yaml"

CROSSING_KINDS = ("border", "internal", "sea port", "airport")
PLACE_KINDS = ("country", "region", "governorate", "city", "town", "village", "district", "camp", "area")


def _folded(*words: str) -> tuple[str, ...]:
    return tuple(fold_word(w) for w in words)


# Words that introduce a crossing: "معبر رفح", "منفذ الوديعة", "حاجز قلنديا", "بوابة صلاح الدين".
CROSSING_WORDS = _folded(
    "معبر", "معبرا", "معبري", "معبرين", "معابر",
    "منفذ", "منفذا", "منفذي", "منفذين", "منافذ",
    "بوابة", "بوابات", "حاجز", "حاجزا", "حاجزي", "حواجز", "ميناء",
)  # fmt: skip
# Dual and plural crossing words, after which "و" may join a second name: "معبري العريضة وجوسية".
CROSSING_WORDS_MANY = _folded(
    "معبري", "معبرين", "معابر", "منفذي", "منفذين", "منافذ", "بوابات", "حاجزي", "حواجز"
)
# Adjectives between a crossing word and its name, or after the name: "المعبر الحدودي بحزوة", "رفح البري".
CROSSING_ADJECTIVES = _folded(
    "الحدودي", "الحدودية", "الحدوديان", "الحدوديين", "الحدودين",
    "البري", "البرية", "الرئيسي", "التجاري", "الدولي",
)  # fmt: skip
# Words that introduce a place: "مدينة حلب", "بلدة حرستا", "حي العمال", "مخيم جباليا", "العاصمة صنعاء".
PLACE_WORDS = _folded(
    "مدينة", "مدينتي", "مدينتا", "بلدة", "بلدتي", "بلدات", "قرية", "قريتي", "قرى",
    "محافظة", "محافظتي", "ولاية", "منطقة", "منطقتي", "حي", "حيي", "أحياء", "مخيم", "مخيمي",
    "ناحية", "قضاء", "مديرية", "بلدية", "إقليم", "جزيرة", "عاصمة", "العاصمة", "خربة",
)  # fmt: skip

# GeoNames single-word names match on their own only for towns of this size; smaller ones need a place word.
FREE_MIN_POPULATION = 10_000
# ... and a three-letter name (without ال) only for cities of this size: most short words are also names.
FREE_SHORT_MIN_POPULATION = 100_000
MIN_LETTERS = 2  # a curated name shorter than this, once folded and without ال, is refused
GEONAMES_MIN_LETTERS = 3  # GeoNames two-letter names are mostly noise ("تل"); curated ones are kept (إب)
MERGE_KM = 35.0  # a curated place absorbs a GeoNames place of the same name and country this close

_SEP: Final = r"[\s_\-]+"  # between the words of a name: spaces, a hashtag's underscores, a hyphen
_SEP_RE: Final = re.compile(_SEP)
# Inside a name in the text, a quote may open before a word: 'مطار "معيتيقة"', "معبر «أرقين» البري".
_NAME_SEP: Final = r"""[\s_\-]+["'«“]?"""
_NAME_SEP_RE: Final = re.compile(_NAME_SEP)
_CLOSE: Final = r"""(?:["'»”)](?!\w))?"""  # the closing quote of 'منفذ "طريبيل"', kept in the span
_GAP: Final = r"[\s_\-\"'«»“”()]+"  # between a crossing word and its name: also quotes, as in 'منفذ "طريبيل"'
_PUNCT_RE: Final = re.compile(r"[^\w\s\-]+")
_WORD_RE: Final = re.compile(r"[^\s_\-]+")
_NEXT_WORD_RE: Final = re.compile(r"[\s_\-]+(\w+)")
_PLAIN_NAME_RE: Final = re.compile(r"^\w+(?: \w+)*$")
_ISO2_RE: Final = re.compile(r"^[A-Z]{2}$")
_ID_RE: Final = re.compile(r"^[a-z0-9][a-z0-9:\-]*$")
_PROCLITICS: Final = r"(?:[وف]??[بلك]??)"
_ARTICLE: Final = r"(?:ال|(?<=ل)ل)"  # "ال", or its lam after the preposition ل ("للقدس" = ل + القدس)


class GazetteerError(ValueError):
    """A data file is malformed; the message names the file and the entry."""


# --------------------------------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.load(f, Loader=LineLoader)  # a safe loader: plain data only
    except OSError as e:
        raise GazetteerError(f"{path}: cannot read: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise GazetteerError(f"{path}: not valid YAML: {e}") from None


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise GazetteerError(f"{path}: cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise GazetteerError(f"{path}: not valid JSON: line {e.lineno}: {e.msg}") from None


def fold_name(name: str) -> str:
    """The matching form of a name: folded, punctuation dropped, words separated by one space."""
    return " ".join(_SEP_RE.sub(" ", _PUNCT_RE.sub(" ", fold_word(name))).split())


def fold_names(names: list[str]) -> list[str]:
    """`fold_name` over many names at once: one fold of the joined text (folding never crosses a newline)."""
    if any("\n" in n for n in names):
        return [fold_name(n) for n in names]
    lines = _PUNCT_RE.sub(" ", fold_word("\n".join(names))).split("\n")
    return [" ".join(_SEP_RE.sub(" ", line).split()) for line in lines]


def _core(folded: str) -> str:
    return folded[2:] if folded.startswith("ال") and len(folded) > 2 else folded


def _letters(folded: str) -> int:
    return len(_core(folded).replace(" ", ""))


class _Entry:
    """Checks one mapping of a data file and names the file, entry and line in every complaint."""

    def __init__(self, path: Path, index: int, raw: Any, keys: set[str], required: set[str]):
        self.path, self.raw = path, raw
        if not isinstance(raw, dict):
            raise GazetteerError(f"{path}: entry {index}: expected a mapping, got {type(raw).__name__}")
        self.where = f"{path}:{raw['__line__']}" if "__line__" in raw else str(path)
        label = raw.get("id")
        self.where += f": entry {index}" + (f" ({label})" if isinstance(label, str) else "")
        unknown = sorted(set(raw) - keys - {"__line__"})
        if unknown:
            self.fail(f"unknown key(s) {', '.join(unknown)}")
        missing = sorted(k for k in required if raw.get(k) in (None, "", []))
        if missing:
            self.fail(f"missing {', '.join(missing)}")

    def fail(self, what: str) -> NoReturn:
        raise GazetteerError(f"{self.where}: {what}")

    def text(self, key: str) -> str:
        v = self.raw.get(key)
        if not isinstance(v, str) or not v.strip():
            self.fail(f"{key}: expected a non-empty string, got {v!r}")
        return v.strip()

    def optional_text(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.text(key)

    def ident(self) -> str:
        v = self.text("id")
        if not _ID_RE.match(v):
            self.fail(f"id: {v!r} is not lowercase letters, digits, '-' or ':'")
        return v

    def country(self, v: Any, key: str) -> str:
        if not isinstance(v, str) or not _ISO2_RE.match(v):
            self.fail(f"{key}: {v!r} is not an ISO 3166 alpha-2 code such as SY")
        return v

    def coord(self, key: str, limit: float) -> float:
        v = self.raw.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not -limit <= v <= limit:
            self.fail(f"{key}: expected a number between -{limit:g} and {limit:g}, got {v!r}")
        return float(v)

    def flag(self, key: str) -> bool:
        v = self.raw.get(key, False)
        if not isinstance(v, bool):
            self.fail(f"{key}: expected true or false, got {v!r}")
        return v

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        v = self.text(key)
        if v not in allowed:
            self.fail(f"{key}: {v!r} is not one of {', '.join(allowed)}")
        return v

    def names(self, key: str, values: Any = None) -> list[str]:
        """Folded spellings, checked: a list of plain names of at least MIN_LETTERS letters."""
        values = self.raw.get(key, []) if values is None else values
        if values is None:
            return []
        if not isinstance(values, list):
            self.fail(f"{key}: expected a list of names, got {type(values).__name__}")
        out = []
        for v in values:
            if not isinstance(v, str):
                self.fail(f"{key}: {v!r} is not a string")
            f = fold_name(v)
            if not _PLAIN_NAME_RE.match(f) or _letters(f) < MIN_LETTERS:
                self.fail(f"{key}: {v!r} is not a usable name (letters and spaces, {MIN_LETTERS}+ letters)")
            if f not in out:
                out.append(f)
        return out


@dataclass
class _PlaceRecord:
    place: Place
    names: list[str]
    population: int = 0
    curated: bool = False
    guarded: set[str] = field(default_factory=set)  # names declared as needing a place word
    borrowed: dict[str, int] = field(default_factory=dict)  # GeoNames names absorbed, with their population


class SharedName:
    """A spelling two crossings answer to ("معبر الكرامة": Allenby to Palestinians, Trebil to Iraqis).
    The article's other words choose: the crossing with a `context` word nearest to the mention; without
    any, the one listed first in the file."""

    def __init__(self, first: Crossing, context: tuple[str, ...]) -> None:
        self.choices: list[tuple[Crossing, tuple[str, ...]]] = [(first, context)]

    def choose(self, text: str, pos: int) -> Crossing:
        best, best_d = self.choices[0][0], len(text) + 1
        for crossing, words in self.choices:
            for w in words:
                before, after = text.rfind(w, 0, pos), text.find(w, pos)
                d = min(pos - before if before >= 0 else best_d, after - pos if after >= 0 else best_d)
                if d < best_d:
                    best, best_d = crossing, d
        return best


def _pick(found: Crossing | SharedName | None, text: str, pos: int = 0) -> Crossing | None:
    return found.choose(text, pos) if isinstance(found, SharedName) else found


CrossingTable = dict[str, "Crossing | SharedName"]


def _load_crossings(path: Path) -> tuple[list[Crossing], CrossingTable, CrossingTable]:
    """The crossings, and their spellings: free-standing ones and those that need a crossing word."""
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("crossings"), list):
        raise GazetteerError(f"{path}: expected a top-level 'crossings:' list")
    keys = set("id name name_en kind countries lat lon approximate names short context note".split())
    crossings: list[Crossing] = []
    free: CrossingTable = {}
    short: CrossingTable = {}
    owner: dict[str, str] = {}
    contexts: dict[str, tuple[str, ...]] = {}
    for i, raw in enumerate(doc["crossings"], 1):
        e = _Entry(path, i, raw, keys, {"id", "name", "name_en", "kind", "countries", "lat", "lon"})
        cid = e.ident()
        if cid in {c.id for c in crossings}:
            e.fail(f"id {cid!r} is used twice")
        countries = raw["countries"]
        if not isinstance(countries, list) or not countries:
            e.fail("countries: expected a list of ISO 3166 alpha-2 codes")
        e.choice("kind", CROSSING_KINDS)
        e.flag("approximate")
        e.optional_text("note")
        crossing = Crossing(
            name=e.text("name"),
            id=cid,
            name_en=e.text("name_en"),
            countries=tuple(e.country(c, "countries") for c in countries),
            lat=e.coord("lat", 90),
            lon=e.coord("lon", 180),
        )
        names, shorts = e.names("names"), e.names("short")
        canonical = fold_name(crossing.name)
        words = canonical.split(" ")
        if "(" not in crossing.name and _PLAIN_NAME_RE.match(canonical):
            # A port's or airport's bare name is its city: "البوابات الحديدة" (a typo for الحديدية) is no
            # gate of Hodeidah port. Their full names, ميناء ... and مطار ..., are listed as names.
            if words[0] in CROSSING_WORDS and len(words) > 1 and raw["kind"] not in ("sea port", "airport"):
                shorts.append(" ".join(words[1:]))
            else:
                names.append(canonical)
        if not names and not shorts:
            e.fail("no usable spelling: give names or short")
        context = tuple(e.names("context"))
        contexts[cid] = context
        for table, spellings in ((free, names), (short, shorts)):
            for s in spellings:
                other = owner.get(s, cid)
                if other == cid:
                    owner[s] = cid
                    table[s] = crossing
                elif not (context and contexts[other]):
                    e.fail(f"spelling {s!r} already belongs to {other} (two crossings may share a spelling "
                           "only when both list context words)")
                else:
                    shared = table.get(s)
                    if not isinstance(shared, SharedName):
                        shared = table[s] = SharedName(table[s], contexts[other])  # type: ignore[arg-type]
                    shared.choices.append((crossing, context))
        crossings.append(crossing)
    for s in list(short):
        if s in free:
            del short[s]  # listed in both: it may stand alone
    return crossings, free, short


def _load_stop_words(path: Path) -> tuple[set[str], set[str]]:
    """The names that need a place word before them, and those that never name a place."""
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("stop_words"), list):
        raise GazetteerError(f"{path}: expected a top-level 'stop_words:' list")
    if not isinstance(doc.get("never", []), list):
        raise GazetteerError(f"{path}: 'never:' must be a list")
    out: tuple[set[str], set[str]] = (set(), set())
    for key, words in zip(("stop_words", "never"), out, strict=True):
        for i, w in enumerate(doc.get(key) or [], 1):
            if not isinstance(w, str) or not _PLAIN_NAME_RE.match(fold_name(w)):
                raise GazetteerError(f"{path}: {key} item {i}: {w!r} is not a word")
            words.add(fold_name(w))
    return out


def _load_curated_places(path: Path) -> list[_PlaceRecord]:
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("places"), list):
        raise GazetteerError(f"{path}: expected a top-level 'places:' list")
    keys = set("id name name_en kind country lat lon approximate names guarded note".split())
    out: list[_PlaceRecord] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc["places"], 1):
        e = _Entry(path, i, raw, keys, {"id", "name", "name_en", "kind", "country", "lat", "lon"})
        pid = e.ident()
        if pid in seen:
            e.fail(f"id {pid!r} is used twice")
        seen.add(pid)
        e.choice("kind", PLACE_KINDS)
        e.flag("approximate")
        e.optional_text("note")
        place = Place(
            name=e.text("name"),
            id=pid,
            name_en=e.text("name_en"),
            country=e.country(raw.get("country"), "country"),
            lat=e.coord("lat", 90),
            lon=e.coord("lon", 180),
        )
        names = e.names("name", [place.name]) + e.names("names")
        guarded = set(e.names("guarded"))
        out.append(_PlaceRecord(place, list(dict.fromkeys(names + sorted(guarded))), 0, True, guarded))
    return out


def _load_geonames(path: Path) -> list[_PlaceRecord]:
    doc = _read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("places"), list):
        raise GazetteerError(f"{path}: expected an object with a 'places' list")
    keys = {"id", "name_en", "country", "lat", "lon", "population", "names"}
    out = []
    spellings_of = [p.get("names") if isinstance(p, dict) else None for p in doc["places"]]
    flat = [s for names in spellings_of if isinstance(names, list) for s in names if isinstance(s, str)]
    folded = dict(zip(flat, fold_names(flat), strict=True))
    for i, raw in enumerate(doc["places"], 1):
        if _plain_geonames_entry(raw, keys):  # the common case, checked without building an _Entry
            names = [
                f
                for f in dict.fromkeys(folded[s] for s in raw["names"])
                if _letters(f) >= GEONAMES_MIN_LETTERS
            ]
            if names:
                display = max(raw["names"], key=_display_score)
                place = Place(display, raw["id"], raw.get("name_en"), raw["country"], raw["lat"], raw["lon"])
                out.append(_PlaceRecord(place, names, raw.get("population", 0)))
            continue
        e = _Entry(path, i, raw, keys, {"id", "country", "lat", "lon", "names"})
        pop = raw.get("population", 0)
        if isinstance(pop, bool) or not isinstance(pop, int) or pop < 0:
            e.fail(f"population: expected a whole number >= 0, got {pop!r}")
        spellings = raw["names"]
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            e.fail("names: expected a list of strings")
        names = [
            f for f in dict.fromkeys(folded[s] for s in spellings) if _letters(f) >= GEONAMES_MIN_LETTERS
        ]
        if not names:
            continue  # GeoNames spellings too short to use: nothing to match
        display = max(spellings, key=_display_score)
        place = Place(
            name=display,
            id=e.ident(),
            name_en=e.optional_text("name_en"),
            country=e.country(raw["country"], "country"),
            lat=e.coord("lat", 90),
            lon=e.coord("lon", 180),
        )
        out.append(_PlaceRecord(place, names, pop))
    return out


def _plain_geonames_entry(raw: Any, keys: set[str]) -> bool:
    """Whether a GeoNames entry is well-formed; a False sends it through `_Entry` for the exact complaint."""
    return (
        type(raw) is dict
        and raw.keys() <= keys
        and type(raw.get("id")) is str
        and _ID_RE.match(raw["id"]) is not None
        and type(raw.get("name_en", "")) is str
        and type(raw.get("country")) is str
        and _ISO2_RE.match(raw["country"]) is not None
        and type(raw.get("lat")) in (int, float)
        and -90 <= raw["lat"] <= 90
        and type(raw.get("lon")) in (int, float)
        and -180 <= raw["lon"] <= 180
        and type(raw.get("population", 0)) is int
        and raw.get("population", 0) >= 0
        and type(raw.get("names")) is list
        and bool(raw["names"])
        and all(type(n) is str for n in raw["names"])
    )


def _display_score(spelling: str) -> tuple[int, int]:
    """Prefer a spelling written with hamza or final ة/ى, then fewer words; `max` keeps the first of equals."""
    marked = any(c in spelling for c in "أإآءؤئ") or spelling.endswith(("ة", "ى"))
    return (int(marked), -spelling.count(" "))


def _km(a: Place, b: Place) -> float:
    lat = math.radians(((a.lat or 0) + (b.lat or 0)) / 2)
    dx = ((a.lon or 0) - (b.lon or 0)) * math.cos(lat)
    dy = (a.lat or 0) - (b.lat or 0)
    return 111.2 * math.hypot(dx, dy)


def _is_free(name: str, record: _PlaceRecord, stop: set[str]) -> bool:
    """Whether a place name may match on its own, or only after a place word (see the module docstring)."""
    if name in stop or name in record.guarded or _letters(name) < 3:
        return False
    population = record.borrowed.get(name)
    if (record.curated and population is None) or " " in name:
        return True
    if population is None:
        population = record.population
    if _letters(name) == 3:
        return population >= FREE_SHORT_MIN_POPULATION
    return population >= FREE_MIN_POPULATION


# -------------------------------------------------------------------------------------------- matching


# The regex engine tries the branches of an alternation one after the other, so each trie node lists its
# characters in the order of their frequency in Arabic text: most words fail or succeed at the first tries.
_LETTER_FREQUENCY: Final = "البميونهرتعدسفكقحجشطصءخثزضذغظ "
_BRANCH_RANK: Final = {c: i for i, c in enumerate(_LETTER_FREQUENCY)}


_ESCAPED: Final = {c: c for c in "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي"}  # letters need no escaping


def _trie_regex(names: Iterable[str]) -> str:
    """A regex matching exactly `names` (folded, one space between words), shaped as a character trie.

    Each node is one alternation keyed by distinct characters, so the engine never retries a name from its
    start; a name that is a prefix of a longer one becomes an optional tail, tried longest first.
    """
    root: dict[str, Any] = {}
    # Inserting the names in branch order leaves every node's children in that order: no sort per node.
    for name in sorted(names, key=lambda n: [_BRANCH_RANK.get(c, len(_BRANCH_RANK)) for c in n] + [-1]):
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches, leaves = [], []
        for ch, child in node.items():
            if not ch:
                continue
            piece = _NAME_SEP if ch == " " else _ESCAPED.get(ch) or re.escape(ch)
            if len(child) == 1 and "" in child and ch != " ":
                leaves.append(piece)
            else:
                branches.append(piece + emit(child))
        if leaves:
            branches.append(leaves[0] if len(leaves) == 1 else "[" + "".join(leaves) + "]")
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a name ends here: try the longer ones first, then stop (cheaper than "(?:...)?")
            return "(?:" + "|".join(branches) + "|)"
        return body

    return emit(root)


def _names_regex(names: Iterable[str], group: str | None) -> str:
    """Names split on their article, so that "ال" may also be the lam of "لل" ("للقدس" = ل + القدس).

    With a `group`, `<group>a`+`<group>c` capture the article and the rest, `<group>n` a name without one
    (see `_name_from`); without, nothing is captured, which the main scan prefers for speed (see `_key`).
    """
    names = sorted(set(names))
    with_article = [n[2:] for n in names if n.startswith("ال") and len(n) > 2]
    plain = [n for n in names if not (n.startswith("ال") and len(n) > 2)]
    a, c, n = (f"?P<{group}a>", f"?P<{group}c>", f"?P<{group}n>") if group else ("?:", "?:", "?:")
    parts = []
    if with_article:
        parts.append(f"({a}{_ARTICLE})({c}{_trie_regex(with_article)})")
    if plain:
        parts.append(f"({n}{_trie_regex(plain)})")
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


def _key(name: str, known: dict[str, Any] | set[str]) -> str:
    """The folded form of a name the main scan matched: spaces normalised, the article of "لل" restored."""
    if name in known:
        return name
    if not name.isalpha():
        name = " ".join(_NAME_SEP_RE.split(name))
        if name in known:
            return name
    return "ا" + name  # "لقدس" from "للقدس"


def _name_from(m: re.Match[str], group: str) -> str | None:
    """The folded name a `_names_regex` group matched, with its article restored and spaces normalised."""
    groups = m.re.groupindex
    if group + "c" in groups and m.group(group + "c") is not None:
        text = "ال" + m.group(group + "c")
    elif group + "n" in groups and m.group(group + "n") is not None:
        text = m.group(group + "n")
    else:
        return None
    return " ".join(_SEP_RE.split(text))


Spans = list[tuple[int, int, Any]]


class _Scanner:
    """Finds crossings and places in one regex pass over the text.

    The pattern holds every free-standing crossing and place name plus the crossing words (معبر ...) and
    place words (مدينة ...). What follows a crossing or place word is then matched at that spot only: those
    words are rare, and leaving short crossing names and guarded place names out of the big pattern keeps
    it small. One pass finds both kinds (`Gazetteer.find`): the cost of a pass is mostly the engine stepping
    from word to word, not the names.
    """

    def __init__(self, crossings: CrossingTable, free_crossings: CrossingTable,
                 places: dict[str, Place], free_places: dict[str, Place]):  # fmt: skip
        self.crossings, self.free_crossings = crossings, free_crossings
        self.places, self.free_places = places, free_places
        self.crossing_words = {w for cw in CROSSING_WORDS for w in (cw, "ال" + cw)}
        self.place_words = set(PLACE_WORDS)
        names = {*free_crossings, *free_places, *self.crossing_words, *self.place_words}
        adjectives = f"(?:{_SEP}{_trie_regex(CROSSING_ADJECTIVES)})*"
        self.known = dict.fromkeys(names)
        # "\W" first: consuming the character before a name, instead of looking behind for it, lets the
        # engine skip from word to word in C (a leading character class); a space stands for the text start.
        self.regex = re.compile(rf"\W{_PROCLITICS}(?P<s>{_names_regex(names, None)}){adjectives}(?!\w)")
        any_crossing = _names_regex(crossings, "x")
        # After a crossing word and its adjectives: "معبر رفح", "المعبر الحدودي بحزوة", 'منفذ "طريبيل"'.
        self.after_crossing_word = re.compile(rf"{_GAP}ب??{any_crossing}{_CLOSE}{adjectives}(?!\w)")
        # After a dual or plural crossing word and its first name: "معبري العريضة وجوسية".
        self.more_crossings = re.compile(rf"[\s،,]*و(?P<s>{any_crossing}){adjectives}(?!\w)")
        # Every word-prefix of a place name ("دير" of "دير الزور"): the lookup after a place word stops as
        # soon as the words read so far begin no name.
        self.place_prefixes = {" ".join(n.split(" ")[:k]) for n in places for k in range(1, n.count(" ") + 2)}
        # First words of free crossing names: a place found after a place word is scanned again only when
        # it could begin one ("منطقة باب الهوى").
        self.crossing_starts = {n.split(" ")[0] for n in free_crossings}
        # A name's first word, as written after a clitic (the article of an "ال" name may be the lam of
        # "لل": "للقدس" = ل + لقدس), and the words that may follow it; "" when it is a name alone.
        self.next_words: dict[str, set[str]] = {}
        for n in names:
            first, _, rest = n.partition(" ")
            follow = rest.split(" ", 1)[0]
            self.next_words.setdefault(first, set()).add(follow)
            if first.startswith("ال") and len(n) > 2:
                self.next_words.setdefault("ل" + first[2:], set()).add(follow)

    def may_begin(self, word: str) -> tuple[str, ...] | None:
        """Where the big pattern may match at a word (a run of \\w): None, nowhere; (), at the word;
        otherwise only if one of the returned words comes next (a caller that cannot tell, because
        more than one space or a quote follows, must try the word)."""
        follows: set[str] = set()
        for k in range(min(3, len(word))):
            if k and not (word[0] in "وفبلك" if k == 1 else word[0] in "وف" and word[1] in "بلك"):
                continue  # not a clitic prefix
            part = word[k:]
            underscore = "_" in part  # a hashtag: the next word is in this one
            if underscore:
                part = part.split("_", 1)[0]
            found = self.next_words.get(part)
            if found is not None:
                if underscore or "" in found:
                    return ()
                follows |= found
        return tuple(sorted(follows)) if follows else None

    def scan(self, folded: str, starts: list[int] | None = None) -> tuple[Spans, Spans]:
        """(crossings, places) in `folded`, each left to right without overlaps. `starts`, when given,
        are the offsets (sorted) of every word where `may_begin` allows a name: the pattern is then
        tried at those words only, which finds the same names without a pass over the whole text."""
        text = " " + folded
        xs: Spans = []
        ps: Spans = []
        x_end = p_end = 0  # where the last crossing and the last place end: no overlaps within a kind
        pos = 0
        known = self.known
        free_crossings, free_places = self.free_crossings, self.free_places
        while m := (self.regex.search(text, pos) if starts is None else self._search_at(text, pos, starts)):
            start, name_end = m.span(1)  # group 1 is "s", the name without proclitics and adjectives
            pos = name_end
            key = m.group(1)
            if key not in known:
                key = _key(key, known)
            if key in self.crossing_words:
                if start >= x_end:
                    x_end = self._after_crossing_word(text, key, start, m.end(), xs) or x_end
                continue  # the name after it is scanned again, as a place
            if key in self.place_words:
                if start >= p_end:
                    end, place = self._after_place_word(text, name_end)
                    if place is not None:
                        ps.append((start - 1, end - 1, place))
                        p_end = end
                        if _first_word(text, name_end) not in self.crossing_starts:
                            pos = end
                continue
            crossing = _pick(free_crossings.get(key), text, start)
            if crossing is not None:
                if start >= x_end:
                    x_end = m.end()
                    xs.append((start - 1, x_end - 1, crossing))
                inner = text.find(" ", start, name_end)  # scan on from its second word, for places
                pos = inner if inner > 0 else name_end  # inside it: "مطار دمشق الدولي"
                place = free_places.get(key)
                if place is None:
                    name_end, place = self._place_starting(text, start, key)
            else:
                place = free_places.get(key)
            if place is not None and start >= p_end:
                ps.append((start - 1, name_end - 1, place))
                p_end = name_end
        return xs, ps

    def _search_at(self, text: str, pos: int, starts: list[int]) -> re.Match[str] | None:
        """`regex.search(text, pos)` where a match can only begin: the \\W before a word of `starts`
        (a folded offset o is text offset o + 1, so the \\W before it is at o)."""
        match = self.regex.match
        for i in range(bisect_before(starts, pos), len(starts)):
            m = match(text, starts[i])
            if m is not None:
                return m
        return None

    def _after_crossing_word(self, text: str, word: str, start: int, pos: int, out: Spans) -> int | None:
        """Match the name after a crossing word at `pos`; record it (and any "و" + name after a plural)."""
        after = self.after_crossing_word.match(text, pos)
        if after is None or (crossing := _pick(self.crossings.get(_name_from(after, "x") or ""), text, pos)) is None:
            return None
        end = after.end()
        out.append((start - 1, end - 1, crossing))
        if _core(word) in CROSSING_WORDS_MANY:
            while (more := self.more_crossings.match(text, end)) and (
                c := _pick(self.crossings.get(_name_from(more, "x") or ""), text, end)
            ):
                end = more.end()
                out.append((more.start("s") - 1, end - 1, c))
        return end

    def _after_place_word(self, text: str, pos: int) -> tuple[int, Place | None]:
        """The longest known place name right after a place word, and where it ends."""
        found, found_end, name = None, pos, ""
        while (m := _NEXT_WORD_RE.match(text, pos)) is not None:
            name = f"{name} {m.group(1)}" if name else m.group(1)
            if name not in self.place_prefixes:
                break
            pos = m.end()
            if name in self.places:
                found, found_end = self.places[name], pos
        return found_end, found

    def _place_starting(self, text: str, start: int, key: str) -> tuple[int, Place | None]:
        """A free place name that a longer crossing name begins with: "رفح" in "رفح البري"."""
        words = key.split(" ")
        for k in range(len(words) - 1, 0, -1):
            place = self.free_places.get(" ".join(words[:k]))
            if place is not None:
                ends = [w.end() for w in islice(_WORD_RE.finditer(text, start), k)]
                return ends[-1], place
        return start, None


def _first_word(text: str, pos: int) -> str:
    m = _WORD_RE.search(text, pos)
    return m.group() if m else ""


def _resolve_crossing(scanner: _Scanner, name: str) -> Crossing | None:
    key = fold_name(name)
    if key in scanner.crossings:
        return _pick(scanner.crossings[key], key)
    found = scanner.scan(key)[0]
    if len(found) == 1:
        return found[0][2]
    words = [w for w in key.split(" ") if w not in CROSSING_ADJECTIVES]
    if words and _core(words[0]) in CROSSING_WORDS:
        words = words[1:]
    key = " ".join(words)
    for candidate in (key, _core(key), "ال" + key):
        if candidate in scanner.crossings:
            return _pick(scanner.crossings[candidate], key)
    return None


def _resolve_place(scanner: _Scanner, name: str) -> Place | None:
    key = fold_name(name)
    words = key.split(" ")
    candidates = [key]
    if len(words) > 1 and words[0] in PLACE_WORDS:
        candidates.append(" ".join(words[1:]))
    for c in list(candidates):
        candidates += [_core(c), "ال" + c]
    for c in candidates:
        if c in scanner.places:
            return scanner.places[c]
    found = scanner.scan(key)[1]
    return found[0][2] if len(found) == 1 else None


# ------------------------------------------------------------------------------------------- the API


class Gazetteer:
    """Crossings and places of the region, by name; see the module docstring for the matching rules."""

    def __init__(self, crossings_path: Path, places_path: Path | None, geonames_path: Path | None,
                 stop_words_path: Path | None):  # fmt: skip
        crossings, free_x, short_x = _load_crossings(crossings_path)
        self.crossings: tuple[Crossing, ...] = tuple(crossings)
        self._by_crossing_id = {c.id: c for c in crossings}
        stop, never = _load_stop_words(stop_words_path) if stop_words_path else (set(), set())
        curated = _load_curated_places(places_path) if places_path else []
        geonames = _load_geonames(geonames_path) if geonames_path else []
        records = _merge_places(curated, geonames)
        self.places: tuple[Place, ...] = tuple(r.place for r in records)
        free_p: dict[str, Place] = {}
        guarded_p: dict[str, Place] = {}
        for record in records:  # best first: curated, then by population
            for name in record.names:
                if name in free_p or name in guarded_p or name in never:
                    continue
                (free_p if _is_free(name, record, stop) else guarded_p)[name] = record.place
        self._scanner = _Scanner({**short_x, **free_x}, free_x, {**guarded_p, **free_p}, free_p)
        self._by_place_id = {p.id: p for p in self.places}
        self._by_english: dict[str, Place] = {}
        for p in self.places:
            if p.name_en:
                self._by_english.setdefault(p.name_en.casefold(), p)

    @classmethod
    def default(cls) -> Gazetteer:
        """The shipped data, loaded once per process."""
        return _default()

    @classmethod
    def from_files(cls, crossings_path: str | Path, places_path: str | Path | None = None) -> Gazetteer:
        """Crossings from `crossings_path` (crossings.yaml format), and places:

        - without `places_path`, the shipped ones (places.yaml and places_geonames.json);
        - with a `.json` file, that file in the places_geonames.json format;
        - with any other file, that file in the places.yaml format.

        The shipped stop list applies in every case.
        """
        if places_path is None:
            return cls(Path(crossings_path), PLACES_FILE, GEONAMES_FILE, STOP_WORDS_FILE)
        places_path = Path(places_path)
        if places_path.suffix.lower() == ".json":
            return cls(Path(crossings_path), None, places_path, STOP_WORDS_FILE)
        return cls(Path(crossings_path), places_path, None, STOP_WORDS_FILE)

    def find(
        self, folded: str, starts: list[int] | None = None
    ) -> tuple[list[tuple[int, int, Crossing]], list[tuple[int, int, Place]]]:
        """Crossings and places named in folded text, in one pass: spans [start, end), left to right, no
        overlaps within a kind. A caller that already walks the words can pass `starts`, the offsets of
        those where `may_begin` allows a name, and save the pass."""
        return self._scanner.scan(folded, starts)

    def may_begin(self, word: str) -> tuple[str, ...] | None:
        """Whether a name may begin at this word (a run of \\w, folded); see `find`."""
        return self._scanner.may_begin(word)

    def find_crossings(self, folded: str) -> list[tuple[int, int, Crossing]]:
        """The crossings of `find` (a whole pass: ask `find` when both are wanted)."""
        return self._scanner.scan(folded)[0]

    def find_places(self, folded: str) -> list[tuple[int, int, Place]]:
        """The places of `find` (a whole pass: ask `find` when both are wanted)."""
        return self._scanner.scan(folded)[1]

    def crossing(self, name: str) -> Crossing | None:
        """The crossing a name refers to, as written (any spelling, with or without معبر/منفذ/ال), or its id.
        A spelling two crossings share gives the one listed first (there is no article to choose by)."""
        return self._by_crossing_id.get(name.strip()) or _resolve_crossing(self._scanner, name)

    def place(self, name: str) -> Place | None:
        """The place a name refers to, as written (any spelling, with or without مدينة/ال), its id or English."""
        name = name.strip()
        return (
            self._by_place_id.get(name)
            or _resolve_place(self._scanner, name)
            or self._by_english.get(name.casefold())
        )


def _merge_places(curated: list[_PlaceRecord], geonames: list[_PlaceRecord]) -> list[_PlaceRecord]:
    """Curated places first, each absorbing the GeoNames place it duplicates; then GeoNames by population."""
    index: dict[str, list[_PlaceRecord]] = {}
    for r in geonames:
        for n in r.names:
            index.setdefault(n, []).append(r)
    absorbed: set[str | None] = set()  # gazetteer places always have an id
    for c in curated:
        for n in list(c.names):
            for g in index.get(n, ()):
                if (
                    g.place.id in absorbed
                    or g.place.country != c.place.country
                    or _km(g.place, c.place) > MERGE_KM
                ):
                    continue
                absorbed.add(g.place.id)
                for x in g.names:
                    if x not in c.names:
                        c.names.append(x)
                        c.borrowed[x] = g.population
    rest = sorted((g for g in geonames if g.place.id not in absorbed), key=lambda r: -r.population)
    return curated + rest


@lru_cache(maxsize=1)
def _default() -> Gazetteer:
    return Gazetteer(CROSSINGS_FILE, PLACES_FILE, GEONAMES_FILE, STOP_WORDS_FILE)


def _main(argv: list[str] | None = None) -> int:
    """`python -m worker.detect.gazetteer find TEXT|-` shows what is found; `bench [FILE]` times it.
    With a compiled build, run it as `RASD_PURE_PYTHON=1 python -m ...` (-m runs source modules only)."""
    import argparse
    import os
    import statistics
    import sys
    import time

    from worker.detect.normalize import fold

    parser = argparse.ArgumentParser(prog="python -m worker.detect.gazetteer")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("find", help="print the crossings and places in a text").add_argument(
        "text", help="text, or -"
    )
    bench = sub.add_parser("bench", help="time loading and matching on the first 500 words of a file")
    bench.add_argument("file", nargs="?", help="an Arabic text file (default: a built-in, name-dense sample)")
    args = parser.parse_args(argv)

    started = time.process_time()
    g = Gazetteer.default()
    loaded = time.process_time() - started
    if args.command == "find":
        text = sys.stdin.read() if args.text == "-" else args.text
        folded = fold(text)
        crossings, places = g.find(folded.text)
        found: list[tuple[str, int, int, Crossing | Place]] = [("crossing", *c) for c in crossings]
        found += [("place", *p) for p in places]
        for kind, s, e, obj in found:
            o0, o1 = folded.span(s, e)
            print(f"{kind:8} {o0:>6}-{o1:<6} {text[o0:o1]}  ->  {obj.id}  {obj.name}  ({obj.name_en})")
        return 0

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sample = "أغلقت السلطات معبر رفح البري ومنفذ الوديعة، وقصفت مدينة حلب وحي العمال في دير الزور. "
    text = open(args.file, encoding="utf-8").read() if args.file else sample * 40
    words = text.split()
    long_text = fold(" ".join((words * (500 // max(len(words), 1) + 1))[:500])).text
    tokens = re.compile(r"\w+")
    timings: dict[str, list[float]] = {"find": [], "floor": []}
    for _ in range(600):
        t0 = time.perf_counter()
        g.find(long_text)
        t1 = time.perf_counter()
        tokens.findall(long_text)
        t2 = time.perf_counter()
        timings["find"].append(t1 - t0)
        timings["floor"].append(t2 - t1)
    scan, floor = (statistics.median(timings[k]) * 1e3 for k in ("find", "floor"))
    print(
        f"Gazetteer.default(): {loaded * 1e3:.0f} ms CPU ({len(g.crossings)} crossings, {len(g.places)} places)"
    )
    print(
        f"500 words, median: find (crossings and places) {scan:.3f} ms; "
        f"re.findall(r'\\w+') on the same text {floor:.3f} ms ({scan / floor:.1f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
