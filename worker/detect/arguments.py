"""Who, where, which crossing: argument phrases around a trigger, as written in the article.

A phrase starts at a head word the rule files know (a crossing noun ``معبر``, a place noun
``حي``/``مدينة``, an agent ``قوات``/``السلطات``) or at a gazetteer name, and runs on over the
following words until punctuation, a stop word (prepositions, dates, auxiliaries: the
``name_stop`` class), another cue or trigger, or a few words. Names are always slices of the
original text, so they keep the article's own spelling.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from typing import TYPE_CHECKING

from .model import Crossing, Place
from .rules import RuleSet

if TYPE_CHECKING:
    from .engine import Hit, Sentence, _Doc

_NEXT_WORD = re.compile(r"(\W*)(\w+)")
_CROSSING = frozenset({"crossing"})
_CROSSING_NAME = frozenset({"crossing", "place"})  # "معبر القدم جنوب دمشق": a place word ends the name
_AGENT = frozenset({"agent"})
_PEOPLE = frozenset({"people", "person"})
_PLURAL_CROSSINGS = frozenset({"معابر", "منافذ", "حواجز", "بوابات", "موانء", "جسور", "نقاط", "حدود"})
# Crossing-class nouns that, alone, name no crossing: "الإغلاق قرب الحدود" closes no crossing "الحدود".
_NOT_A_NAME = frozenset({"حدود"})
_GAP_OK = set(" \t\"'«»“”‘’-")
_QUOTES = "\"'«»“”‘’"
# Lexicon classes a name may run through; any other lexicon word ends it.
_NAME_CLASSES = frozenset({"generic_word", "place"})
MAX_NAME_WORDS = 4
_PLACE = frozenset({"place"})
# A supporter, not the doer: "مدعومة بمليشيات"، "مدعومين من"، "بدعم من الطيران"، "بمساندة قوات".
_SUPPORT = re.compile(r"(?<!\w)[وف]?(?:ال)?(?:مدعوم\w*|ب(?:دعم|مسانده|اسناد|مءازره|غطاء|مساعده))(?:\s+من)?\s+$")
_L_PARTICLES = frozenset({"لم", "لن", "لا", "لكن", "لقد", "لدى", "لذلك", "لاحقا"})
_PREPOSITIONS = frozenset({"من", "في", "على", "عن", "الى", "بعد", "قبل", "خلال", "عقب", "اثر", "جراء", "بسبب", "حول",
                           "رغم", "اجل", "بهدف"})
# Verbal nouns whose genitive is what they act on (حصار المدينة، اعتقال الناشطين، إغلاق المعبر);
# a strike's or a takeover's genitive is its doer (قصف الطيران، سيطرة القوات).
_OBJECT_GENITIVE = frozenset({"siege", "siege_risk", "detention", "evacuation", "crossing_closure",
                              "crossing_reopening", "aid_blocked"})
_GOVERNING = frozenset({"carrier", "light_verb", "success"})  # verbs that take a masdar as object
_CONJUNCTIONS = frozenset({"و", "او", "ثم"})  # written apart, they end a name: "ولاية توزر و إشعال"


class ArgumentFinder:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.stop_words = frozenset(f.text for f in ruleset.classes.get("name_stop", ()))

    # -- crossings ----------------------------------------------------------------------------

    def crossing(self, doc: _Doc, sent: Sentence, head: Hit) -> tuple[Crossing | None, tuple[int, int], bool]:
        """The crossing named at `head`; a bare "المعبر" or "معبراً حيوياً" is resolved to the
        nearest named mention before it (same noun first), else to one in the next sentences.
        None for a bare "الحدود" that nothing names: a border is no crossing's name."""
        start, end, named, gaz = self._phrase(doc, sent, head, stop_extra=_CROSSING_NAME)
        if not named:
            other = self.resolve(doc, head)
            if other is not None:
                return other, (start, end), True
            if end == head.end and _stem(doc, head) in _NOT_A_NAME:
                return None, (start, end), False
        return self._crossing_record(doc, start, end, gaz), (start, end), named

    def resolve(self, doc: _Doc, head: Hit) -> Crossing | None:
        stem = _stem(doc, head)
        if stem in _PLURAL_CROSSINGS:  # "المعابر الحدودية" are several: no single name fits
            return None
        here = doc.sentence_index(head.start)
        mentions = self._named_mentions(doc)
        i = bisect_left(doc.named_positions, head.start)
        before = mentions[max(0, i - 20) : i][::-1]  # the nearest earlier mentions
        after = []
        if not doc.folded.text.startswith("ال", _strip_clitics(head)):
            # "أغلقت السلطات معبراً حيوياً ... معبر القدم": an indefinite mention is named later.
            after = [m for m in mentions[i : i + 20] if m[0] > head.start and doc.sentence_index(m[0]) <= here + 2]
        for group in (before, after):
            for same_noun in (True, False):
                for _, noun, crossing in group:
                    if not same_noun or noun == stem:
                        return crossing
        return None

    def _named_mentions(self, doc: _Doc) -> list[tuple[int, str, Crossing]]:
        """Every crossing mention in the article that carries a name, in text order (once)."""
        if doc.named_crossings is None:
            found = []
            # Crossing nouns only: a gazetteer name alone may be the town (قرقميش، رفح).
            for h in (h for h in doc.hits if "crossing" in h.classes):
                sent = doc.sentence(doc.sentence_index(h.start))
                real = next((x for x in sent.hits if x.start == h.start and x.end == h.end), h)
                start, end, named, gaz = self._phrase(doc, sent, real, stop_extra=_CROSSING_NAME)
                if named:
                    found.append((h.start, _stem(doc, h), self._crossing_record(doc, start, end, gaz)))
            doc.named_crossings = found
            doc.named_positions = [m[0] for m in found]
        return doc.named_crossings

    def _crossing_record(self, doc: _Doc, start: int, end: int, gaz: Hit | None) -> Crossing:
        written = self.written(doc, start, end)
        if gaz is not None and gaz.crossing is not None:
            return replace(gaz.crossing, name=written)
        return Crossing(name=written)

    # -- actors and targets -------------------------------------------------------------------

    def actor(self, doc: _Doc, sent: Sentence, trigger: Hit) -> tuple[str, tuple[int, int]] | None:
        """The agent next to the trigger: after it first (verb-subject order), else before it.

        Not a supporter ("قوات النظام مدعومة بمليشيات أجنبية سيطرت"), and not the noun right after
        a masdar, which is what it acts on ("فرضت القوات حصار التنظيم"), unless a ل or على object
        follows that noun ("حصار قوات النظام للمدينة": then it is the doer)."""
        agents = self._agents(doc, sent)
        after = [h for h in agents if 0 < h.ti - trigger.tj <= 3]
        before = [h for h in agents if 0 < trigger.ti - h.tj <= 6]
        if after and _acts_on_genitive(doc, sent, trigger) and not self._doer(doc, sent, after[0]):
            after = []  # "اعتقال عناصر من التنظيم": a verbal noun has no subject after it
        if after:
            head = after[0]
        elif before:
            head = before[-1]
        else:
            return None
        start, end, _, _ = self._phrase(doc, sent, head, stop_extra=_CROSSING, allow=_AGENT, max_words=3,
                                      agent=True)
        # "فرع المخابرات الجوية": take in agent words right before the head, up to a "و".
        ft = doc.folded.text
        cur = head
        while not cur.prefix.startswith(("و", "ف")):
            prev = sent.hit_ending_before(cur.start)
            if prev is None or "agent" not in prev.classes or ft[prev.end : cur.start].strip():
                break
            start, cur = _strip_clitics(prev), prev
        end = _close_quote(doc.folded.text, start, end)
        return self.written(doc, start, end), (start, end)

    def _agents(self, doc: _Doc, sent: Sentence) -> list[Hit]:
        """The sentence's agent words that may be a doer: not a supporter's (مدعومة ب، بدعم من),
        not the object of a verbal noun (حصار التنظيم، اعتقال عناصر). Cached per sentence."""
        key = ("agents", sent.start)
        cached = doc.phrases.get(key)
        if cached is not None:
            return cached
        ft = doc.folded.text
        out: list[Hit] = []
        doc.phrases[key] = out
        skip_to = -1
        for h in sent.hits:
            if "agent" not in h.classes or h.start < skip_to:
                continue
            if _SUPPORT.search(ft, max(sent.start, h.start - 40), h.start) or self._object(doc, sent, h):
                skip_to = self._phrase(doc, sent, h, stop_extra=_CROSSING, allow=_AGENT, max_words=3, agent=True)[1]
                continue
            out.append(h)
        return out

    def _object(self, doc: _Doc, sent: Sentence, h: Hit) -> bool:
        """Whether the agent phrase at `h` is the genitive object of the verbal noun right before it:
        "فرضت القوات حصار التنظيم"، but not "حصار قوات النظام للمدينة" (a ل or على object follows:
        the genitive is the doer), nor after a strike or control noun ("قصف الطيران"، "سيطرة القوات")."""
        for t in sent.triggers:
            if t.tj == h.ti - 1 and not _gap(doc, t.end, h.start):
                return _acts_on_genitive(doc, sent, t) and not self._doer(doc, sent, h)
        return False

    def _doer(self, doc: _Doc, sent: Sentence, head: Hit) -> bool:
        """Whether the agent phrase at `head` is followed by a ل or على object (the masdar's doer)."""
        end = self._phrase(doc, sent, head, stop_extra=_CROSSING, allow=_AGENT, max_words=3, agent=True)[1]
        m = _NEXT_WORD.match(doc.folded.text, end, sent.end)
        if m is None or any(c not in _GAP_OK for c in m.group(1)):
            return False
        tok = m.group(2)
        return tok.startswith(("على", "علي", "ضد")) or (tok.startswith("ل") and tok not in _L_PARTICLES)

    def target(
        self, doc: _Doc, sent: Sentence, trigger: Hit, taken: list[tuple[int, int]]
    ) -> tuple[str, tuple[int, int]] | None:
        """The people an event happens to: the first people noun after the trigger
        ("اعتقلت القوات عشرات الناشطين", "إجلاء الجرحى"), or just before a passive one."""
        cands = [h for h in sent.hits if h.classes & _PEOPLE and 0 < h.ti - trigger.tj <= 6]
        cands += [h for h in sent.hits if h.classes & _PEOPLE and 0 < trigger.ti - h.tj <= 2]
        for head in cands:
            start, end, _, _ = self._phrase(doc, sent, head, stop_extra=_CROSSING, allow=_PEOPLE, max_words=2)
            if not any(s < end and start < e for s, e in taken):
                return self.written(doc, start, end), (start, end)
        return None

    # -- places -------------------------------------------------------------------------------

    def places(
        self, doc: _Doc, sent: Sentence, trigger: Hit, taken: list[tuple[int, int]]
    ) -> list[tuple[Place, tuple[int, int]]]:
        """Up to three places near the trigger (nearest first), listed in text order."""
        found: list[tuple[int, int, int, Place]] = []  # distance, start, end, place
        covered: list[tuple[int, int]] = list(taken)
        cands = [h for h in sent.hits if "place" in h.classes and (h.place is not None or not h.rules)]
        cands.sort(key=lambda h: (h.place is not None, h.start))  # head words first: they cover names
        for h in cands:
            if h.tj < trigger.ti:
                d = trigger.ti - h.tj
                if d > 10:
                    continue
            elif h.ti > trigger.tj:
                d = h.ti - trigger.tj
                if d > 12:
                    continue
            else:
                continue
            if h.place is not None:
                start, end, gaz = h.start, h.end, h
            else:
                start, end, named, gaz = self._phrase(doc, sent, h, stop_extra=_CROSSING, max_words=3)
                if not named:
                    continue
            if any(s < end and start < e for s, e in covered):
                continue
            written = self.written(doc, start, end)
            if any(p.name == written for _, _, _, p in found):
                continue
            covered.append((start, end))
            place = replace(gaz.place, name=written) if gaz is not None and gaz.place is not None else Place(name=written)
            found.append((d, start, end, place))
        found.sort(key=lambda t: t[0])
        best = sorted(found[:3], key=lambda t: t[1])
        return [(p, (s, e)) for _, s, e, p in best]

    # -- shared -------------------------------------------------------------------------------

    def _phrase(
        self, doc: _Doc, sent: Sentence, head: Hit, stop_extra: frozenset[str] = frozenset(),
        allow: frozenset[str] = frozenset(), max_words: int = MAX_NAME_WORDS, agent: bool = False,
    ) -> tuple[int, int, bool, Hit | None]:
        """Cached `_extend`: events in one sentence share their argument phrases."""
        key = (id(head), stop_extra, allow, max_words, agent)
        found = doc.phrases.get(key)
        if found is None:
            found = doc.phrases[key] = self._extend(doc, sent, head, stop_extra, allow, max_words, agent)
        return found

    def _extend(
        self, doc: _Doc, sent: Sentence, head: Hit, stop_extra: frozenset[str], allow: frozenset[str],
        max_words: int, agent: bool,
    ) -> tuple[int, int, bool, Hit | None]:
        """Span (folded) of the phrase headed by `head`; whether it holds a non-generic word;
        the gazetteer hit inside it, if any.

        After an indefinite head the next words are its name (معبر القدم، حي العمال). After a
        definite one they are adjectives (المعبر الحدودي), so only generic words, gazetteer names
        and a ب-place after an adjective (المعبر الحدودي بحزوة) are taken.
        """
        ft = doc.folded.text
        start = _strip_clitics(head)
        end = head.end
        gaz = head if (head.crossing is not None or head.place is not None) else None
        named = gaz is not None
        gaz_at = sent.gazetteer_at()
        g0 = gaz_at.get(head.start)
        if gaz is None and g0 is not None and g0 is not head:  # the gazetteer span starts at the head
            gaz, named, end = g0, True, max(end, g0.end)
        definite = ft.startswith("ال", start) or head.prefix.endswith("لل")  # "للمدينة" = ل + المدينة
        allowed = (_NAME_CLASSES | allow) - stop_extra
        heads = (allow or head.classes & _PLACE) - stop_extra
        words, took_generic, free, closed = 0, False, 0, False
        pos = end
        while words < max_words and free < 2:
            m = _NEXT_WORD.match(ft, pos, sent.end)
            if m is None or any(c not in _GAP_OK for c in m.group(1)):
                break
            ws = m.start(2)
            g = gaz_at.get(ws)
            if g is not None and (agent and g.crossing is not None or gaz is not None and gaz.crossing is not None):
                break  # a doer does not run into a crossing's name; a known crossing's name is complete
            if g is not None and agent and words:
                break  # "قوات النظام الزبداني": a place after the doer's name is what it acts on
            if g is not None and g is not head and g is not gaz:
                end = pos = g.end
                gaz = gaz or g
                named = True
                words += 1 + ft.count(" ", g.start, g.end)
                continue
            h = sent.hit_at.get(ws)
            tok = m.group(2)
            # A word of the phrase's own kind runs on whatever else it is: "أحياء جنوبي العاصمة"
            # (العاصمة is also a territory), "قوات النظام" (النظام is also a fighters' word).
            if h is not None and (h.rules or h.mods or h.mods_after or (h.classes - allowed and not h.classes & heads)):
                break
            if closed and not tok.startswith("ال"):
                break  # "محيط المدينة مما": after a definite complement only adjectives follow
            own_kind = h is not None and bool(h.classes - allowed)  # taken for its kind only: names nothing
            closed = closed or ((own_kind or agent) and tok.startswith("ال"))  # "طيران التحالف لاجتماع"
            if tok == "من" and took_generic and definite and heads == _PLACE:
                g = _place_after(ft, m.end(2), sent.end, gaz_at)
                if g is not None:  # "الأحياء الجنوبية من دمشق": the whole is the place
                    end, gaz, named = g.end, gaz or g, True
                break
            if tok in self.stop_words or (tok[:1] == "و" and tok[1:] in self.stop_words) or (
                tok.startswith("ال") and tok[2:] in self.stop_words
            ):
                break
            if tok.isdigit() or (tok.startswith("و") and len(tok) > 3) or tok in _CONJUNCTIONS:
                break
            if words and (tok[:1] in "يت" and len(tok) >= 4 or tok[:2] in ("سي", "ست", "سن") and len(tok) >= 5):
                break  # a verb after the name: "مدينة الأبيض تتدفق"، "معبر المصنع سيبقى"
            generic = h is not None and "generic_word" in h.classes
            if gaz is not None and gaz.crossing is not None and not generic:
                break  # "معبر القدم" is known: "جنوب دمشق" after it is not part of the name
            if definite and agent and tok.startswith("ال"):
                generic = True  # "القوات التركية"، "المخابرات الجوية": the adjective is part of the doer
            if definite and not generic:
                if free == 0 and took_generic and tok.startswith("ب"):
                    free = 1
                elif free == 1:
                    free = 2
                else:
                    break
            if not generic and not own_kind:  # "جنوب المدينة" names no place
                named = True
            took_generic = took_generic or generic
            end = pos = m.end(2)
            words += 1
        return start, _close_quote(ft, start, end), named, gaz

    def written(self, doc: _Doc, start: int, end: int) -> str:
        s, e = doc.folded.span(start, end)
        return doc.folded.original[s:e].strip().strip("،,؛:")


def _place_after(ft: str, pos: int, stop: int, gaz_at: dict[int, Hit]) -> Hit | None:
    """The gazetteer place that is the next word after `pos`, if it is one."""
    m = _NEXT_WORD.match(ft, pos, stop)
    if m is None or any(c not in _GAP_OK for c in m.group(1)):
        return None
    g = gaz_at.get(m.start(2))
    return g if g is not None and g.place is not None else None


def _gap(doc: _Doc, start: int, end: int) -> bool:
    """Whether anything but spaces stands between two words."""
    return bool(doc.folded.text[start:end].strip())


def _acts_on_genitive(doc: _Doc, sent: Sentence, trigger: Hit) -> bool:
    return any(r.type in _OBJECT_GENITIVE for r in trigger.rules) and _construct(doc, sent, trigger)


def _construct(doc: _Doc, sent: Sentence, trigger: Hit) -> bool:
    """Whether the trigger reads as a verbal noun whose next word is its genitive: without the
    article or a pronoun (not "القصف الإسرائيلي", "حاصرتها القوات"), and with a preposition on it
    (بحصار، لحصار), after a preposition (من حصار، بعد حصار), or a little after a verb that takes
    it as its object (فرضت القوات حصار، تمكنت من، أعلنت اعتقال)."""
    ft = doc.folded.text
    p = trigger.prefix.lstrip("وف")
    if p.endswith(("ال", "لل")) or trigger.suffix not in ("", "ه"):
        return False
    if p[:1] in ("ب", "ك") or (p == "ل" and ft[trigger.stem_start : trigger.stem_start + 1] != "ي"):
        return True
    before = ft[max(sent.start, trigger.start - 12) : trigger.start].split()
    if before and before[-1].lstrip("وف") in _PREPOSITIONS:
        return True
    return any(
        h.classes & _GOVERNING and 0 < trigger.ti - h.tj <= 3 for h in sent.hits if h.tj < trigger.ti
    )


def _stem(doc: _Doc, h: Hit) -> str:
    return doc.folded.text[h.stem_start : h.end - len(h.suffix)]


def _close_quote(ft: str, start: int, end: int) -> int:
    """Keep a closing quote when the phrase opened one inside itself."""
    if end < len(ft) and ft[end] in _QUOTES and sum(ft.count(q, start, end) for q in _QUOTES) % 2 == 1:
        return end + 1
    return end


def _strip_clitics(h: Hit) -> int:
    """Start of the word without conjunction/preposition clitics; the article ال is kept."""
    p = h.prefix
    if not p:
        return h.start
    if p.endswith("ال"):
        return h.start + len(p) - 2
    return h.start + len(p)
