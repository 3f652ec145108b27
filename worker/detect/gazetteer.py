"""Known crossings and places, found in folded Arabic text and resolved from names as written.

The detector asks two things: where in an article a known crossing or place is named, and what a name it
already holds refers to. Both run on text folded by `normalize.fold` (hamza forms, ة/ه, ى/ي and diacritics
unified), so every spelling in the data is folded the same way once, at load time.

Matching is one compiled regular expression per kind, built from a character trie of every folded name so
the regex engine walks the names instead of trying them one by one. A name matches as whole words only; it
may carry the proclitics و ف ب ل ك, and a name that starts with ال also matches in its ل+ال contracted form
("للقدس"). Two guards keep ordinary words out:

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
from pathlib import Path
from typing import Any

import yaml

from worker.detect.model import Crossing, Place
from worker.detect.normalize import fold_word

DATA_DIR = Path(__file__).with_name("data")
CROSSINGS_FILE = DATA_DIR / "crossings.yaml"
PLACES_FILE = DATA_DIR / "places.yaml"
GEONAMES_FILE = DATA_DIR / "places_geonames.json"
STOP_WORDS_FILE = DATA_DIR / "place_stop_words.yaml"

CROSSING_KINDS = ("border", "internal", "sea port", "airport")
PLACE_KINDS = ("country", "region", "governorate", "city", "town", "village", "district", "camp", "area")

# Words that introduce a crossing: "معبر رفح", "منفذ الوديعة", "حاجز قلنديا", "بوابة صلاح الدين".
CROSSING_WORDS = (
    "معبر", "معبرا", "معبري", "معبرين", "معابر",
    "منفذ", "منفذا", "منفذي", "منفذين", "منافذ",
    "بوابه", "بوابات", "حاجز", "حاجزا", "حاجزي", "حواجز",
)  # fmt: skip
# Dual and plural crossing words, after which "و" may join a second name: "معبري العريضة وجوسيه".
CROSSING_WORDS_MANY = ("معبري", "معبرين", "معابر", "منفذي", "منفذين", "منافذ", "بوابات", "حاجزي", "حواجز")
# Adjectives between a crossing word and its name, or after the name: "المعبر الحدودي بحزوة", "رفح البري".
CROSSING_ADJECTIVES = (
    "الحدودي", "الحدوديه", "الحدوديان", "الحدوديين", "الحدودين",
    "البري", "البريه", "الرئيسي", "التجاري", "الدولي",
)  # fmt: skip
# Words that introduce a place: "مدينة حلب", "بلدة حرستا", "حي العمال", "مخيم جباليا".
PLACE_WORDS = (
    "مدينه", "مدينتي", "مدينتا", "بلده", "بلدتي", "بلدات", "قريه", "قريتي", "قري", "قرى",
    "محافظه", "محافظتي", "ولايه", "منطقه", "منطقتي", "حي", "حيي", "احياء", "مخيم", "مخيمي",
    "ناحيه", "قضاء", "مديريه", "بلديه", "اقليم", "جزيره", "عاصمه",
)  # fmt: skip

# GeoNames single-word names match on their own only for towns of this size; smaller ones need a place word.
FREE_MIN_POPULATION = 10_000
# ... and a three-letter name (without ال) only for cities of this size: most short words are also names.
FREE_SHORT_MIN_POPULATION = 100_000
MIN_LETTERS = 2  # a name shorter than this, once folded and without ال, is refused
MERGE_KM = 35.0  # a curated place absorbs a GeoNames place of the same name and country this close

_SEP = r"[\s_\-]+"  # between the words of a name: spaces, a hashtag's underscores, a hyphen
_SEP_RE = re.compile(_SEP)
_PUNCT_RE = re.compile(r"[^\w\s\-]+")
_PLAIN_NAME_RE = re.compile(r"^\w+(?: \w+)*$")
_ISO2_RE = re.compile(r"^[A-Z]{2}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9:\-]*$")
_PROCLITICS = r"(?:[وف]??[بلك]??)"
_ARTICLE = r"(?:ال|(?<=ل)ل)"  # "ال", or its lam after the preposition ل ("للقدس" = ل + القدس)


class GazetteerError(ValueError):
    """A data file is malformed; the message names the file and the entry."""


# --------------------------------------------------------------------------------------------- loading


class _LineLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML loader that records each mapping's line, so errors can point at the entry."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.load(f, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
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

    def fail(self, what: str) -> None:
        raise GazetteerError(f"{self.where}: {what}")

    def text(self, key: str, optional: bool = False) -> str | None:
        v = self.raw.get(key)
        if v is None and optional:
            return None
        if not isinstance(v, str) or not v.strip():
            self.fail(f"{key}: expected a non-empty string, got {v!r}")
        return v.strip()

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


def _load_crossings(path: Path) -> tuple[list[Crossing], dict[str, Crossing], dict[str, Crossing]]:
    """The crossings, and their spellings: free-standing ones and those that need a crossing word."""
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("crossings"), list):
        raise GazetteerError(f"{path}: expected a top-level 'crossings:' list")
    keys = {"id", "name", "name_en", "kind", "countries", "lat", "lon", "approximate", "names", "short", "note"}
    crossings: list[Crossing] = []
    free: dict[str, Crossing] = {}
    short: dict[str, Crossing] = {}
    owner: dict[str, str] = {}
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
        e.text("note", optional=True)
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
            if words[0] in CROSSING_WORDS and len(words) > 1:
                shorts.append(" ".join(words[1:]))
            else:
                names.append(canonical)
        if not names and not shorts:
            e.fail("no usable spelling: give names or short")
        for table, spellings in ((free, names), (short, shorts)):
            for s in spellings:
                if owner.get(s, cid) != cid:
                    e.fail(f"spelling {s!r} already belongs to {owner[s]}")
                owner[s] = cid
                table[s] = crossing
        crossings.append(crossing)
    for s in list(short):
        if s in free:
            del short[s]  # listed in both: it may stand alone
    return crossings, free, short


def _load_stop_words(path: Path) -> set[str]:
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("stop_words"), list):
        raise GazetteerError(f"{path}: expected a top-level 'stop_words:' list")
    out = set()
    for i, w in enumerate(doc["stop_words"], 1):
        if not isinstance(w, str) or not _PLAIN_NAME_RE.match(fold_name(w)):
            raise GazetteerError(f"{path}: stop_words item {i}: {w!r} is not a word")
        out.add(fold_name(w))
    return out


def _load_curated_places(path: Path) -> list[_PlaceRecord]:
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("places"), list):
        raise GazetteerError(f"{path}: expected a top-level 'places:' list")
    keys = {"id", "name", "name_en", "kind", "country", "lat", "lon", "approximate", "names", "guarded", "note"}
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
        e.text("note", optional=True)
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
        out.append(_PlaceRecord(place, list(dict.fromkeys(names + sorted(guarded))), 10**9, True, guarded))
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
        e = _Entry(path, i, raw, keys, {"id", "country", "lat", "lon", "names"})
        pop = raw.get("population", 0)
        if isinstance(pop, bool) or not isinstance(pop, int) or pop < 0:
            e.fail(f"population: expected a whole number >= 0, got {pop!r}")
        spellings = raw["names"]
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            e.fail("names: expected a list of strings")
        names = [f for f in dict.fromkeys(folded[s] for s in spellings) if _letters(f) >= MIN_LETTERS]
        if not names:
            continue  # GeoNames spellings too short to use: nothing to match
        display = max(spellings, key=_display_score)
        place = Place(
            name=display,
            id=e.ident(),
            name_en=e.text("name_en", optional=True),
            country=e.country(raw["country"], "country"),
            lat=e.coord("lat", 90),
            lon=e.coord("lon", 180),
        )
        out.append(_PlaceRecord(place, names, pop))
    return out


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
_LETTER_FREQUENCY = "البميونهرتعدسفكقحجشطصءخثزضذغظ "
_BRANCH_RANK = {c: i for i, c in enumerate(_LETTER_FREQUENCY)}


def _branch_order(ch: str) -> tuple[int, str]:
    return (_BRANCH_RANK.get(ch, len(_BRANCH_RANK)), ch)


def _trie_regex(names: Iterable[str]) -> str:
    """A regex matching exactly `names` (folded, one space between words), shaped as a character trie.

    Each node is one alternation keyed by distinct characters, so the engine never retries a name from its
    start; a name that is a prefix of a longer one becomes an optional tail, tried longest first.
    """
    root: dict[str, Any] = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches, leaves = [], []
        for ch in sorted((k for k in node if k), key=_branch_order):
            piece = _SEP if ch == " " else re.escape(ch)
            child = node[ch]
            if set(child) == {""} and ch != " ":
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


def _names_regex(names: Iterable[str], group: str) -> str:
    """Names split on their article: `<group>a`+`<group>c` for "ال"/contracted names, `<group>n` for others."""
    names = sorted(set(names))
    with_article = [n[2:] for n in names if n.startswith("ال") and len(n) > 2]
    plain = [n for n in names if not (n.startswith("ال") and len(n) > 2)]
    parts = []
    if with_article:
        parts.append(f"(?P<{group}a>{_ARTICLE})(?P<{group}c>{_trie_regex(with_article)})")
    if plain:
        parts.append(f"(?P<{group}n>{_trie_regex(plain)})")
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


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


class _CrossingMatcher:
    def __init__(self, free: dict[str, Crossing], short: dict[str, Crossing]):
        self.table = {**short, **free}
        word = f"(?P<w>(?:ال|(?<=ل)ل)?{_trie_regex(CROSSING_WORDS)})"
        adjectives = f"(?:{_SEP}{_trie_regex(CROSSING_ADJECTIVES)})"
        any_name = _names_regex(self.table, "x")
        self.regex = re.compile(
            rf"\W{_PROCLITICS}(?P<s>{word}{adjectives}*{_SEP}(?:ب(?!ال))??{any_name}"
            rf"|{_names_regex(free, 'f')}){adjectives}*(?!\w)"
        )
        self.more = re.compile(rf"[\s،,]*و(?P<s>{_names_regex(self.table, 'x')}){adjectives}*(?!\w)")

    def find(self, folded: str) -> list[tuple[int, int, Crossing]]:
        text = " " + folded  # see _PlaceMatcher.find; offsets come back shifted by one
        out = []
        pos = 0
        while m := self.regex.search(text, pos):
            name = _name_from(m, "x") or _name_from(m, "f")
            crossing = self.table.get(name or "")
            pos = m.end()
            if crossing is None:
                continue
            out.append((m.start("s") - 1, pos - 1, crossing))
            w = m.group("w")
            if w and _core(w).lstrip("ل") in CROSSING_WORDS_MANY:
                while (more := self.more.match(text, pos)) and (c := self.table.get(_name_from(more, "x") or "")):
                    pos = more.end()
                    out.append((more.start("s") - 1, pos - 1, c))
        return out

    def resolve(self, name: str) -> Crossing | None:
        key = fold_name(name)
        if key in self.table:
            return self.table[key]
        found = self.find(key)
        if len(found) == 1:
            return found[0][2]
        words = [w for w in key.split(" ") if w not in CROSSING_ADJECTIVES]
        if words and _core(words[0]) in CROSSING_WORDS:
            words = words[1:]
        key = " ".join(words)
        for candidate in (key, _core(key), "ال" + key):
            if candidate in self.table:
                return self.table[candidate]
        return None


class _PlaceMatcher:
    def __init__(self, free: dict[str, Place], guarded: dict[str, Place]):
        self.table = {**guarded, **free}
        word = _trie_regex(PLACE_WORDS)
        self.regex = re.compile(
            rf"\W{_PROCLITICS}(?P<s>{word}{_SEP}(?:{_names_regex(free, 'f')}|{_names_regex(guarded, 'g')})"
            rf"|{_names_regex(free, 'F')})(?!\w)"
        )

    def find(self, folded: str) -> list[tuple[int, int, Place]]:
        # The pattern starts by consuming the non-word character before a name instead of looking behind
        # for it: a leading character class lets the regex engine skip ahead to candidate positions in C,
        # several times faster than trying a lookbehind at every character. The added space stands in for
        # the start of the text.
        out = []
        for m in self.regex.finditer(" " + folded):
            place = self.table.get(_name_from(m, "f") or _name_from(m, "g") or _name_from(m, "F") or "")
            if place is not None:
                out.append((m.start("s") - 1, m.end("s") - 1, place))
        return out

    def resolve(self, name: str) -> Place | None:
        key = fold_name(name)
        words = key.split(" ")
        candidates = [key]
        if len(words) > 1 and words[0] in PLACE_WORDS:
            candidates.append(" ".join(words[1:]))
        for c in list(candidates):
            candidates += [_core(c), "ال" + c]
        for c in candidates:
            if c in self.table:
                return self.table[c]
        found = self.find(key)
        return found[0][2] if len(found) == 1 else None


# ------------------------------------------------------------------------------------------- the API


class Gazetteer:
    """Crossings and places of the region, by name; see the module docstring for the matching rules."""

    def __init__(self, crossings_path: Path, places_path: Path | None, geonames_path: Path | None,
                 stop_words_path: Path | None):  # fmt: skip
        crossings, free_x, short_x = _load_crossings(crossings_path)
        self.crossings: tuple[Crossing, ...] = tuple(crossings)
        self._crossings = _CrossingMatcher(free_x, short_x)
        self._by_crossing_id = {c.id: c for c in crossings}
        stop = _load_stop_words(stop_words_path) if stop_words_path else set()
        curated = _load_curated_places(places_path) if places_path else []
        geonames = _load_geonames(geonames_path) if geonames_path else []
        records = _merge_places(curated, geonames)
        self.places: tuple[Place, ...] = tuple(r.place for r in records)
        free_p: dict[str, Place] = {}
        guarded_p: dict[str, Place] = {}
        for record in records:  # best first: curated, then by population
            for name in record.names:
                if name in free_p or name in guarded_p:
                    continue
                (free_p if _is_free(name, record, stop) else guarded_p)[name] = record.place
        self._places = _PlaceMatcher(free_p, guarded_p)
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
        """Crossings from `crossings_path`; places from a curated YAML file in the places.yaml format.

        With `places_path`, only that file's places are loaded (no GeoNames bulk), with the shipped stop list.
        """
        return cls(Path(crossings_path), Path(places_path) if places_path else None, None, STOP_WORDS_FILE)

    def find_crossings(self, folded: str) -> list[tuple[int, int, Crossing]]:
        """Spans [start, end) in folded text where a known crossing is named, left to right, no overlaps."""
        return self._crossings.find(folded)

    def find_places(self, folded: str) -> list[tuple[int, int, Place]]:
        """Spans [start, end) in folded text where a known place is named, left to right, no overlaps."""
        return self._places.find(folded)

    def crossing(self, name: str) -> Crossing | None:
        """The crossing a name refers to, as written (any spelling, with or without معبر/منفذ/ال), or its id."""
        return self._by_crossing_id.get(name.strip()) or self._crossings.resolve(name)

    def place(self, name: str) -> Place | None:
        """The place a name refers to, as written (any spelling, with or without مدينة/ال), its id or English."""
        name = name.strip()
        return (
            self._by_place_id.get(name) or self._places.resolve(name) or self._by_english.get(name.casefold())
        )


def _merge_places(curated: list[_PlaceRecord], geonames: list[_PlaceRecord]) -> list[_PlaceRecord]:
    """Curated places first, each absorbing the GeoNames place it duplicates; then GeoNames by population."""
    index: dict[str, list[_PlaceRecord]] = {}
    for r in geonames:
        for n in r.names:
            index.setdefault(n, []).append(r)
    absorbed: set[str] = set()
    for c in curated:
        for n in list(c.names):
            for g in index.get(n, ()):
                if g.place.id in absorbed or g.place.country != c.place.country or _km(g.place, c.place) > MERGE_KM:
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
