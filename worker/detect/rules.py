"""Rule files: load, validate and merge the YAML an analyst edits (worker/detect/rules/*.yaml).

A rule file may hold four sections, each optional:

``classes``     named word lists (crossing nouns, aid nouns, agents, look-alike objects ...)
``modalities``  cue words the engine understands (negation, denial, demand, threat, future ...)
                and how far before/after a trigger they reach
``types``       per event type: what each modality does to an event of that type
``rules``       trigger words plus what must (``require``) and must not (``exclude``) stand
                near them; a ``lookalike`` silences the rule when it stands nearer to the
                trigger than the required argument (أغلق المحل قرب المعبر: the shop is what
                closed), or than the ``object`` when the rule names one without requiring it
                (خطف سائقين بعد إحراق شاحنات: the drivers are who was taken). Each rule carries
                examples the test suite checks.

Every problem is reported as ``RuleFileError`` naming the file, the rule or section, and the key.
Files are merged in order: later files add words to classes and modalities, add rules (ids must
stay unique) and override per-type effects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import EVENT_TYPES, STATUSES
from .native import SOURCE_DIR
from .patterns import PatternError, WordForm, expand
from .yaml_loaders import UniqueKeyLoader

RULES_DIR = SOURCE_DIR / "rules"

# The cue classes the engine knows. Order is precedence: the first one present decides.
MODALITIES: tuple[str, ...] = (
    "question",  # the sentence asks (هل ...؟)
    "denial",  # نفى، لا صحة، شائعات
    "negation",  # لم، لن، لا، عدم
    "demand",  # طالب، دعا إلى، ناشد (a call, not an event)
    "hypothetical",  # في حال، احتمال، ربما
    "cessation",  # وقف، تعليق (of the action itself: وقف القصف)
    "threat",  # يهدد، مخاوف، تحذير، خطر، شبح، قد
    "attempt",  # يسعى، محاولة، يستعد
    "nearing",  # على بعد كيلومترات من (close to it, not there yet)
    "purpose",  # بهدف، من أجل (and a ل prefix where the rule asks for it)
    "agreement",  # اتفاق، مفاوضات، اتصالات للتوصل
    "future",  # سـ، سوف، قرر، اعتبارا من، غدا
    "background",  # بعد إغلاق، المغلق منذ (a past state mentioned beside its reversal)
)
# Classes the engine itself uses; the lexicon must define them.
ENGINE_CLASSES: tuple[str, ...] = (
    "crossing", "place", "agent", "name_stop", "scope_break", "report_break", "generic_word", "carrier",
)
# What a modality can do to an event: drop it, set its status, or change type and status.
SIMPLE_EFFECTS = ("drop", *STATUSES)
DEFAULT_EFFECTS: dict[str, str] = {
    "question": "drop",
    "denial": "drop",
    "negation": "drop",
    "demand": "drop",
    "hypothetical": "drop",
    "cessation": "drop",
    "threat": "threatened",
    "attempt": "threatened",
    "nearing": "occurred",
    "purpose": "drop",
    "agreement": "threatened",
    "future": "announced",
    "background": "occurred",
}

_RULE_KEYS = {
    "id", "type", "doc", "triggers", "require", "exclude", "lookalike", "object", "modality", "only_negated",
    "headline_only",
    "purpose_prefix", "confidence", "examples",
}
_WINDOW_KEYS = {"class", "before", "after"}


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class Window:
    """Word classes looked for within `before` words before and `after` words after a trigger."""

    classes: tuple[str, ...]
    before: int
    after: int


@dataclass(frozen=True)
class Example:
    text: str
    type: str | None = None
    status: str | None = None


@dataclass
class Rule:
    id: str
    type: str
    triggers: list[WordForm]
    require: list[Window] = field(default_factory=list)
    exclude: list[Window] = field(default_factory=list)
    lookalike: list[Window] = field(default_factory=list)
    object: list[Window] = field(default_factory=list)  # not required; a nearer one outranks a lookalike
    modality: dict[str, str] = field(default_factory=dict)
    only_negated: bool = False
    headline_only: bool = False  # only in a headline: news headlines tell past events in the present tense
    purpose_prefix: bool = False
    confidence: float = 0.8
    doc: str = ""
    positive: list[Example] = field(default_factory=list)
    negative: list[Example] = field(default_factory=list)
    source: str = ""


@dataclass
class Modality:
    """Cue words: `words` count within `before` words before a trigger, `after_words` within
    `after` words after it ("في حال" after the event it conditions)."""

    name: str
    words: list[WordForm]
    after_words: list[WordForm]
    before: int
    after: int


@dataclass
class RuleSet:
    """Everything the engine needs, merged from one or more rule files."""

    classes: dict[str, list[WordForm]] = field(default_factory=dict)
    modalities: dict[str, Modality] = field(default_factory=dict)
    effects: dict[str, dict[str, str]] = field(default_factory=dict)  # type -> modality -> effect
    rules: list[Rule] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def effect(self, rule: Rule, modality: str) -> str:
        """What `modality` does to an event of `rule` (rule override, then type, then default)."""
        if modality in rule.modality:
            return rule.modality[modality]
        return self.effects.get(rule.type, {}).get(modality, DEFAULT_EFFECTS[modality])

    def check_complete(self) -> None:
        """The engine's own classes must exist somewhere among the loaded files."""
        missing = [c for c in ENGINE_CLASSES if c not in self.classes]
        if missing:
            raise RuleFileError(f"{', '.join(self.files)}: classes: missing {', '.join(missing)} (the engine needs them)")
        for rule in self.rules:
            for w in (*rule.require, *rule.exclude, *rule.lookalike, *rule.object):
                for c in w.classes:
                    if c not in self.classes:
                        raise RuleFileError(f"{rule.source}: rule {rule.id!r}: class {c!r} is not defined in any rule file")


def load_rules(paths: Iterable[str | Path]) -> RuleSet:
    """Load and merge rule files in order; raises RuleFileError on the first problem."""
    rs = RuleSet()
    seen_ids: dict[str, str] = {}
    for path in paths:
        _load_file(Path(path), rs, seen_ids)
    rs.check_complete()
    return rs


def default_rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yaml"))


def _load_file(path: Path, rs: RuleSet, seen_ids: dict[str, str]) -> None:
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RuleFileError(f"{where}: cannot read: {e.strerror or e}") from None
    try:
        doc = yaml.load(raw, Loader=UniqueKeyLoader)  # a SafeLoader: plain data only
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        raise RuleFileError(f"{where}{at}: not valid YAML: {getattr(e, 'problem', None) or e}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise RuleFileError(f"{where}: the file must be a mapping with classes/modalities/types/rules")
    unknown = set(doc) - {"classes", "modalities", "types", "rules", "version", "doc"}
    if unknown:
        raise RuleFileError(f"{where}: unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    rs.files.append(where)

    for name, spec in _mapping(doc.get("classes"), f"{where}: classes").items():
        ctx = f"{where}: class {name!r}"
        spec = _mapping(spec, ctx)
        _only(spec, {"words", "doc"}, ctx)
        rs.classes.setdefault(str(name), []).extend(_words(spec.get("words"), f"{ctx}: words"))

    for name, spec in _mapping(doc.get("modalities"), f"{where}: modalities").items():
        ctx = f"{where}: modality {name!r}"
        if name not in MODALITIES:
            raise RuleFileError(f"{ctx}: unknown modality (known: {', '.join(MODALITIES)})")
        spec = _mapping(spec, ctx)
        _only(spec, {"words", "after_words", "before", "after", "doc"}, ctx)
        words = _words(spec["words"], f"{ctx}: words") if "words" in spec else []
        after_words = _words(spec["after_words"], f"{ctx}: after_words") if "after_words" in spec else []
        before = _int(spec.get("before", 0), f"{ctx}: before")
        after = _int(spec.get("after", 0), f"{ctx}: after")
        if not words and not after_words:
            raise RuleFileError(f"{ctx}: words: give 'words' (cues before a trigger) and/or 'after_words'")
        if words and not before:
            raise RuleFileError(f"{ctx}: before: how many words before a trigger 'words' reach (1 or more)")
        if after_words and not after:
            raise RuleFileError(f"{ctx}: after: how many words after a trigger 'after_words' reach (1 or more)")
        m = rs.modalities.setdefault(name, Modality(name, [], [], 0, 0))
        m.words.extend(words)
        m.after_words.extend(after_words)
        m.before, m.after = max(m.before, before), max(m.after, after)

    for etype, effects in _mapping(doc.get("types"), f"{where}: types").items():
        ctx = f"{where}: types: {etype!r}"
        if etype not in EVENT_TYPES:
            raise RuleFileError(f"{ctx}: unknown event type (known: {', '.join(EVENT_TYPES)})")
        for mod, eff in _mapping(effects, ctx).items():
            rs.effects.setdefault(etype, {})[_modality_name(mod, ctx)] = _effect(eff, f"{ctx}: {mod}")

    rules = doc.get("rules") or []
    if not isinstance(rules, list):
        raise RuleFileError(f"{where}: rules: must be a list")
    for n, spec in enumerate(rules, 1):
        rule = _rule(spec, f"{where}: rule #{n}")
        rule.source = where
        if rule.id in seen_ids:
            raise RuleFileError(f"{where}: rule {rule.id!r}: id already used in {seen_ids[rule.id]}")
        seen_ids[rule.id] = where
        rs.rules.append(rule)


def _rule(spec: Any, ctx: str) -> Rule:
    if not isinstance(spec, dict):
        raise RuleFileError(f"{ctx}: must be a mapping")
    rid = spec.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise RuleFileError(f"{ctx}: id: missing (every rule needs an id)")
    ctx = f"{ctx.rsplit(': ', 1)[0]}: rule {rid!r}"
    _only(spec, _RULE_KEYS, ctx)
    etype = spec.get("type")
    if etype not in EVENT_TYPES:
        raise RuleFileError(f"{ctx}: type: {etype!r} is not an event type (known: {', '.join(EVENT_TYPES)})")
    triggers = _words(spec.get("triggers"), f"{ctx}: triggers")
    modality = {
        _modality_name(k, f"{ctx}: modality"): _effect(v, f"{ctx}: modality: {k}")
        for k, v in _mapping(spec.get("modality"), f"{ctx}: modality").items()
    }
    conf = spec.get("confidence", 0.8)
    if not isinstance(conf, int | float) or isinstance(conf, bool) or not 0 < conf <= 1:
        raise RuleFileError(f"{ctx}: confidence: must be a number in (0, 1]")
    for key in ("only_negated", "purpose_prefix", "headline_only"):
        if not isinstance(spec.get(key, False), bool):
            raise RuleFileError(f"{ctx}: {key}: must be true or false")
    rule = Rule(
        id=rid,
        type=etype,
        triggers=triggers,
        require=_windows(spec.get("require"), f"{ctx}: require"),
        exclude=_windows(spec.get("exclude"), f"{ctx}: exclude"),
        lookalike=_windows(spec.get("lookalike"), f"{ctx}: lookalike"),
        object=_windows(spec.get("object"), f"{ctx}: object"),
        modality=modality,
        only_negated=spec.get("only_negated", False),
        headline_only=spec.get("headline_only", False),
        purpose_prefix=spec.get("purpose_prefix", False),
        confidence=float(conf),
        doc=str(spec.get("doc") or ""),
    )
    ex = _mapping(spec.get("examples"), f"{ctx}: examples")
    _only(ex, {"match", "no_match"}, f"{ctx}: examples")
    rule.positive = _examples(ex.get("match"), f"{ctx}: examples: match")
    rule.negative = _examples(ex.get("no_match"), f"{ctx}: examples: no_match")
    if not rule.positive or not rule.negative:
        raise RuleFileError(f"{ctx}: examples: give at least one 'match' and one 'no_match' phrase")
    return rule


def _examples(value: Any, ctx: str) -> list[Example]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RuleFileError(f"{ctx}: must be a list")
    out = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append(Example(item))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            _only(item, {"text", "type", "status"}, ctx)
            if item.get("type") is not None and item["type"] not in EVENT_TYPES:
                raise RuleFileError(f"{ctx}: type: {item['type']!r} is not an event type")
            if item.get("status") is not None and item["status"] not in STATUSES:
                raise RuleFileError(f"{ctx}: status: {item['status']!r} is not one of {', '.join(STATUSES)}")
            out.append(Example(item["text"], item.get("type"), item.get("status")))
        else:
            raise RuleFileError(f"{ctx}: each example is a phrase or {{text, type, status}}")
    return out


def _windows(value: Any, ctx: str) -> list[Window]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RuleFileError(f"{ctx}: must be a list of {{class, before, after}}")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise RuleFileError(f"{ctx}: each item is a mapping {{class, before, after}}")
        _only(item, _WINDOW_KEYS, ctx)
        cls = item.get("class")
        classes = (cls,) if isinstance(cls, str) else tuple(cls) if isinstance(cls, list) else ()
        if not classes or not all(isinstance(c, str) and c for c in classes):
            raise RuleFileError(f"{ctx}: class: a class name or a list of them")
        before = _int(item.get("before", 0), f"{ctx}: before")
        after = _int(item.get("after", 0), f"{ctx}: after")
        if before == after == 0:
            raise RuleFileError(f"{ctx}: give 'before' and/or 'after' (words around the trigger)")
        out.append(Window(classes, before, after))
    return out


def _words(value: Any, ctx: str) -> list[WordForm]:
    if not isinstance(value, list) or not value:
        raise RuleFileError(f"{ctx}: must be a non-empty list of words")
    out: list[WordForm] = []
    for w in value:
        if not isinstance(w, str):
            raise RuleFileError(f"{ctx}: {w!r} is not a word")
        try:
            out.extend(expand(w))
        except PatternError as e:
            raise RuleFileError(f"{ctx}: {e}") from None
    return out


def _mapping(value: Any, ctx: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RuleFileError(f"{ctx}: must be a mapping")
    return value


def _only(spec: dict, allowed: set[str], ctx: str) -> None:
    extra = set(map(str, spec)) - allowed
    if extra:
        raise RuleFileError(f"{ctx}: unknown key(s) {', '.join(sorted(extra))} (allowed: {', '.join(sorted(allowed))})")


def _int(value: Any, ctx: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 40:
        raise RuleFileError(f"{ctx}: must be a whole number of words from 0 to 40")
    return value


def _modality_name(name: Any, ctx: str) -> str:
    if name not in MODALITIES:
        raise RuleFileError(f"{ctx}: {name!r} is not a modality (known: {', '.join(MODALITIES)})")
    return str(name)


def _effect(value: Any, ctx: str) -> str:
    """`drop`, a status, or `type/status` (e.g. siege_risk/threatened)."""
    if isinstance(value, str):
        if value in SIMPLE_EFFECTS:
            return value
        etype, _, status = value.partition("/")
        if etype in EVENT_TYPES and status in STATUSES:
            return value
    raise RuleFileError(
        f"{ctx}: {value!r} is not an effect (drop, {', '.join(STATUSES)}, or type/status such as siege_risk/threatened)"
    )
