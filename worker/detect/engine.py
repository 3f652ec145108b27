"""The detector: fold once, one regex pass, then rules on the sentences that hold a trigger.

Steps for one article:

1. ``fold()`` the text (normalize.py); all matching runs on the folded copy.
2. One combined regex (patterns.py) finds every lexicon word: triggers, argument nouns and
   cue words. No trigger, no further work.
3. For each sentence holding a trigger: tokenise it, then for each trigger's rule check the
   arguments it needs (``require``), the look-alikes that silence it (``exclude``) and the cue
   words around it (negation, denial, demand, threat, future ...) that drop the event or set its
   status (and turn a siege into a siege risk).
4. Attach the crossing, places and actor as written, mapped back to the original text, and
   merge repeated mentions of one event.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import datetime

from .arguments import ArgumentFinder
from .gazetteer_link import GazetteerLink
from .model import Crossing, Event, Mark
from .normalize import Folded, fold
from .patterns import compile_words
from .rules import MODALITIES, Rule, RuleSet

# Sentence ends: newlines, ! ? ؟ ؛ and full stops that are not decimal points.
_SENT_END = re.compile(r"[\n!?؟؛]+|\.+(?!\d)|(?<!\d)\.")
_WORD = re.compile(r"\w+")
_QUESTION_END = re.compile(r"[?؟]\s*[\"'»”)]*\s*$")
CROSSING_TYPES = ("crossing_closure", "crossing_reopening")
# Kinds of lexicon entry a stem can carry.
_TRIGGER, _CLASS, _MODALITY = 0, 1, 2


@dataclass(slots=True)
class Hit:
    """One matched word (or multi-word phrase) in the folded text."""

    start: int
    end: int
    stem_start: int
    prefix: str
    suffix: str
    rules: list[Rule] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    mods: set[str] = field(default_factory=set)
    ti: int = 0  # first and last token of the hit in its sentence
    tj: int = 0
    crossing: Crossing | None = None  # from the gazetteer
    place: object | None = None


@dataclass
class Sentence:
    start: int
    end: int
    hits: list[Hit]
    starts: list[int] = field(default_factory=list)  # token offsets (folded)
    ends: list[int] = field(default_factory=list)
    at_token: dict[int, Hit] = field(default_factory=dict)


class Detector:
    """Rules compiled for matching. Build one with ``load_detector()``; it is safe to share."""

    def __init__(self, ruleset: RuleSet, gazetteer: GazetteerLink | None = None) -> None:
        self.ruleset = ruleset
        self.gazetteer = gazetteer or GazetteerLink.default()
        self._entries: dict[str, list[tuple[int, object, bool, bool]]] = {}
        trigger_forms: list[str] = []
        for rule in ruleset.rules:
            for f in rule.triggers:
                self._add(f.text, (_TRIGGER, rule, f.prefix_ok, f.suffix_ok))
                trigger_forms.append(f.text)
        for name, forms in ruleset.classes.items():
            if name == "name_stop":  # matched per word by the argument finder, not by the regex
                continue
            for f in forms:
                self._add(f.text, (_CLASS, name, f.prefix_ok, f.suffix_ok))
        for name, mod in ruleset.modalities.items():
            for f in mod.words:
                self._add(f.text, (_MODALITY, name, f.prefix_ok, f.suffix_ok))
        self.regex = compile_words(list(self._entries))
        self.trigger_regex = compile_words(trigger_forms)  # the benchmark's floor
        self.trigger_forms = sorted(set(trigger_forms))
        self.args = ArgumentFinder(ruleset)

    def _add(self, text: str, entry: tuple[int, object, bool, bool]) -> None:
        self._entries.setdefault(text, []).append(entry)

    # -- the public entry point ---------------------------------------------------------------

    def detect(self, text: str, *, title: str | None = None, published: str | datetime | None = None) -> list[Event]:
        """Events stated in `text` (an article body), evidence and marks in `text`'s offsets.

        `title` is used as the text when the body is empty (feeds that carry only a headline),
        and otherwise to confirm body events of the same type (a small confidence boost).
        `published` is accepted for callers that have it; relative dates are not resolved yet.
        """
        text = text or ""
        if not text.strip():
            return self._detect(title or "") if title else []
        events = self._detect(text)
        if title and events:
            title_types = {e.type for e in self._detect(title)}
            for e in events:
                if e.type in title_types:
                    e.confidence = min(0.99, e.confidence + 0.05)
        return events

    # -- the pipeline -------------------------------------------------------------------------

    def _detect(self, text: str) -> list[Event]:
        folded = fold(text)
        ft = folded.text
        hits, any_trigger = self._scan(ft)
        if not any_trigger:
            return []
        doc = _Doc(self, folded, hits)
        found: list[Event] = []
        for sent in doc.trigger_sentences():
            found.extend(self._sentence_events(doc, sent))
        return _merge(found)

    def _scan(self, ft: str) -> tuple[list[Hit], bool]:
        hits: list[Hit] = []
        any_trigger = False
        entries = self._entries
        for m in self.regex.finditer(ft):
            stem = m.group("s")
            table = entries.get(stem)
            if table is None:
                table = entries.get(" ".join(stem.split()), ())
            prefix, suffix = m.group("p"), m.group("x")
            hit = Hit(m.start(), m.end(), m.start("s"), prefix, suffix)
            for kind, obj, prefix_ok, suffix_ok in table:
                if (prefix and not prefix_ok) or (suffix and not suffix_ok):
                    continue
                if kind == _TRIGGER:
                    hit.rules.append(obj)  # type: ignore[arg-type]
                    any_trigger = True
                elif kind == _CLASS:
                    hit.classes.add(obj)  # type: ignore[arg-type]
                else:
                    hit.mods.add(obj)  # type: ignore[arg-type]
            if hit.rules or hit.classes or hit.mods:
                hits.append(hit)
        return hits, any_trigger

    def _sentence_events(self, doc: _Doc, sent: Sentence) -> list[Event]:
        events: list[Event] = []
        question = bool(_QUESTION_END.search(doc.folded.text, sent.start, sent.end))
        for hit in sent.hits:
            for rule in hit.rules:
                ev = self._apply(doc, sent, hit, rule, question)
                if ev is not None:
                    events.append(ev)
        # A past state named beside its reversal ("reopened after a closure") is background.
        kinds = {e.type for e in events}
        if {"crossing_closure", "crossing_reopening"} <= kinds:
            events = [e for e in events if not (e.type in CROSSING_TYPES and "background" in e._mods)]  # type: ignore[attr-defined]
        return events

    def _apply(self, doc: _Doc, sent: Sentence, hit: Hit, rule: Rule, question: bool) -> Event | None:
        for w in rule.exclude:
            if _nearest(sent, hit, w.classes, w.before, w.after) is not None:
                return None
        args: list[tuple[str, Hit]] = []
        reach = 10**6  # distance to the nearest required argument (the object)
        for w in rule.require:
            found = _nearest(sent, hit, w.classes, w.before, w.after)
            if found is None:
                return None
            args.append((next(c for c in w.classes if c in found.classes), found))
            reach = min(reach, _distance(hit, found))
        for w in rule.lookalike:
            other = _nearest(sent, hit, w.classes, w.before, w.after)
            if other is not None and _distance(hit, other) < reach:
                return None
        mods = self._modalities(sent, hit, rule, question)
        if rule.only_negated:  # "no aid was let in": the negation is what makes the event
            if "negation" not in mods:
                return None
            mods.discard("negation")
        etype, status = rule.type, "occurred"
        for mod in MODALITIES:
            if mod not in mods:
                continue
            effect = self.ruleset.effect(rule, mod)
            if effect == "drop":
                return None
            if "/" in effect:
                etype, status = effect.split("/", 1)
            else:
                status = effect
            break
        return self._build(doc, sent, hit, rule, etype, status, args, mods)

    def _modalities(self, sent: Sentence, hit: Hit, rule: Rule, question: bool) -> set[str]:
        found: set[str] = set()
        if question:
            found.add("question")
        plain = hit.prefix.lstrip("وف")
        if "س" in plain:
            found.add("future")
        if rule.purpose_prefix and plain in ("ل", "لل"):
            found.add("purpose")
        mods = self.ruleset.modalities
        barrier = hit.ti
        # Walk back from the trigger: cue words reach forward to it unless a clause break
        # (relative pronoun, "but", a new reporting verb) stands between.
        for h in reversed(sent.hits):
            if h.tj >= hit.ti or h is hit:
                continue
            if "scope_break" in h.classes:
                barrier = min(barrier, h.ti)
            for name in h.mods:
                if hit.ti - h.tj <= mods[name].before and h.tj < barrier:
                    found.add(name)
        for h in sent.hits:
            if h.ti <= hit.tj:
                continue
            for name in h.mods:
                if h.ti - hit.tj <= mods[name].after:
                    found.add(name)
        return found

    def _build(
        self, doc: _Doc, sent: Sentence, hit: Hit, rule: Rule, etype: str, status: str,
        args: list[tuple[str, Hit]], mods: set[str],
    ) -> Event:
        folded = doc.folded
        marks = [Mark(*folded.span(hit.start, hit.end), "trigger")]
        for cls, a in args:
            marks.append(Mark(*folded.span(a.start, a.end), "crossing" if cls == "crossing" else "object"))
        conf = rule.confidence
        crossing = None
        taken: list[tuple[int, int]] = [(hit.start, hit.end)]
        if etype in CROSSING_TYPES:
            cross_hit = next((a for c, a in args if c == "crossing"), None)
            if cross_hit is not None:
                crossing, span, named = self.args.crossing(doc, sent, cross_hit)
                taken.append(span)
                conf += 0.05 if named else -0.1
        actor = self.args.actor(doc, sent, hit)
        if actor is not None:
            text, span = actor
            taken.append(span)
            marks.append(Mark(*folded.span(*span), "actor"))
        places = self.args.places(doc, sent, hit, taken)
        for p, span in places:
            marks.append(Mark(*folded.span(*span), "place"))
        if status != "occurred":
            conf -= 0.05
        s0, s1 = doc.evidence_span(sent)
        ev = Event(
            type=etype,
            status=status,
            confidence=max(0.05, min(0.99, conf)),
            evidence=folded.original[s0:s1],
            evidence_start=s0,
            marks=sorted(set(marks), key=lambda m: (m.start, m.end)),
            crossing=crossing,
            places=[p for p, _ in places],
            actor=actor[0] if actor else None,
            rule=rule.id,
        )
        ev._mods = mods  # type: ignore[attr-defined]  # for merging decisions only, never serialised
        ev._pos = hit.start  # type: ignore[attr-defined]
        return ev


class _Doc:
    """Per-article state: the folded text, the hits, sentences and lazily built caches."""

    def __init__(self, detector: Detector, folded: Folded, hits: list[Hit]) -> None:
        self.detector = detector
        self.folded = folded
        self.hits = hits
        self.hit_starts = [h.start for h in hits]
        ft = folded.text
        bounds = [0]
        for m in _SENT_END.finditer(ft):
            bounds.append(m.end())
        if bounds[-1] != len(ft):
            bounds.append(len(ft))
        self.bounds = bounds
        self._sentences: dict[int, Sentence] = {}
        self._gaz: tuple[list[Hit], list[Hit]] | None = None

    def sentence_index(self, pos: int) -> int:
        return bisect_right(self.bounds, pos) - 1

    def trigger_sentences(self) -> list[Sentence]:
        idxs = sorted({self.sentence_index(h.start) for h in self.hits if h.rules})
        return [self.sentence(i) for i in idxs]

    def sentence(self, i: int) -> Sentence:
        sent = self._sentences.get(i)
        if sent is not None:
            return sent
        start, end = self.bounds[i], self.bounds[i + 1]
        hits = self.hits[bisect_left(self.hit_starts, start) : bisect_left(self.hit_starts, end)]
        cross, places = self.gazetteer_hits()
        hits += [h for h in cross if start <= h.start < end]
        hits += [h for h in places if start <= h.start < end]
        hits.sort(key=lambda h: (h.start, -h.end))
        sent = Sentence(start, end, hits)
        for m in _WORD.finditer(self.folded.text, start, end):
            sent.starts.append(m.start())
            sent.ends.append(m.end())
        for h in hits:
            h.ti = max(0, bisect_right(sent.starts, h.stem_start) - 1)
            h.tj = max(h.ti, bisect_right(sent.starts, h.end - 1) - 1)
            sent.at_token.setdefault(h.ti, h)
        self._sentences[i] = sent
        return sent

    def gazetteer_hits(self) -> tuple[list[Hit], list[Hit]]:
        if self._gaz is None:
            gz = self.detector.gazetteer
            ft = self.folded.text
            cross = [Hit(s, e, s, "", "", classes={"crossing"}, crossing=c) for s, e, c in gz.find_crossings(ft)]
            places = [Hit(s, e, s, "", "", classes={"place", "place_name"}, place=p) for s, e, p in gz.find_places(ft)]
            self._gaz = (cross, places)
        return self._gaz

    def evidence_span(self, sent: Sentence) -> tuple[int, int]:
        """The sentence in original offsets, without surrounding white space."""
        s0, s1 = self.folded.span(sent.start, sent.end)
        original = self.folded.original
        while s0 < s1 and original[s0].isspace():
            s0 += 1
        while s1 > s0 and original[s1 - 1].isspace():
            s1 -= 1
        return s0, s1


def _nearest(sent: Sentence, hit: Hit, classes: tuple[str, ...], before: int, after: int) -> Hit | None:
    """The hit of one of `classes` nearest to `hit` within the window (after wins a tie)."""
    best: Hit | None = None
    best_d = 10**6
    for h in sent.hits:
        if h is hit or not (h.classes and any(c in h.classes for c in classes)):
            continue
        if h.tj < hit.ti:
            d = hit.ti - h.tj
            if d <= before and d < best_d:
                best, best_d = h, d
        elif h.ti > hit.tj:
            d = h.ti - hit.tj
            if d <= after and d <= best_d:
                best, best_d = h, d
    return best


def _distance(a: Hit, b: Hit) -> int:
    return a.ti - b.tj if b.tj < a.ti else b.ti - a.tj if b.ti > a.tj else 0


def _merge(events: list[Event]) -> list[Event]:
    """One event per crossing (per type) in an article, one per type in a sentence otherwise."""
    best: dict[tuple, Event] = {}
    order: list[tuple] = []
    for e in events:
        if e.type in CROSSING_TYPES:
            key: tuple = (e.type, e.crossing.id or _key_name(e.crossing.name) if e.crossing else "")
        else:
            key = (e.type, e.evidence_start)
        cur = best.get(key)
        if cur is None:
            best[key] = e
            order.append(key)
            continue
        win, lose = (e, cur) if _rank(e) > _rank(cur) else (cur, e)
        if not win.actor and lose.actor:
            win.actor = lose.actor
        if not win.places and lose.places and win.evidence_start == lose.evidence_start:
            win.places = lose.places
        best[key] = win
    out = [best[k] for k in order]
    out.sort(key=lambda e: e._pos)  # type: ignore[attr-defined]
    return out


def _rank(e: Event) -> tuple:
    return (e.status == "occurred", e.confidence, bool(e.crossing), bool(e.actor), -e._pos)  # type: ignore[attr-defined]


def _key_name(name: str) -> str:
    f = fold(name).text
    return " ".join(re.findall(r"\w+", f))


def with_name(obj, name: str):
    """A gazetteer record renamed to the text as written."""
    return replace(obj, name=name)
