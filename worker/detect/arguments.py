"""Who, where, which crossing: argument phrases around a trigger, as written in the article.

A phrase starts at a head word the rule files know (a crossing noun ``معبر``, a place noun
``حي``/``مدينة``, an agent ``قوات``/``السلطات``) or at a gazetteer name, and runs on over the
following words until punctuation, a stop word (prepositions, dates, auxiliaries: the
``name_stop`` class), another cue or trigger, or a few words. Names are always slices of the
original text, so they keep the article's own spelling (a ل contracted with the article gives
the article back: "للمعبر" is reported as "المعبر").

The doer is the agent phrase after the trigger (verb-subject order) or before it, taken whole
(coordinated doers, the body a nationality adjective describes), and never a complement: after a
preposition, the genitive of a place or a holding, a supporter, the members a detention verb
takes, or what a participle describes. With none near, the subject of an earlier clause in the
sentence may be the doer when the verb governing the trigger (تمكنت من، نجحت في) has no subject
of its own and only one agent can be it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Final, TypeVar

from .model import Crossing, Place
from .normalize import bisect_before, fold_word
from .rules import RuleSet

_R = TypeVar("_R", Crossing, Place)

if TYPE_CHECKING:
    from .engine import Hit, Sentence, _Doc

_CROSSING: Final = frozenset({"crossing"})
_CROSSING_NAME: Final = frozenset({"crossing", "place"})  # "معبر القدم جنوب دمشق": a place word ends the name
_AGENT: Final = frozenset({"agent"})
_PEOPLE: Final = frozenset({"people", "person"})
_PLURAL_CROSSINGS: Final = frozenset({"معابر", "منافذ", "حواجز", "بوابات", "موانء", "جسور", "نقاط", "حدود"})
# Crossing-class nouns that, alone, name no crossing: "الإغلاق قرب الحدود" closes no crossing "الحدود".
_NOT_A_NAME: Final = frozenset({"حدود"})
_GAP_OK: Final = " \t\"'«»“”‘’-"  # what may stand between two words of a phrase
_QUOTES: Final = "\"'«»“”‘’"
_SPACE_QUOTES: Final = " " + _QUOTES
# Lexicon classes a name may run through; any other lexicon word ends it.
_NAME_CLASSES: Final = frozenset({"generic_word", "place", "state_adjective"})  # "القوات التركية": an adjective, not a stop
MAX_NAME_WORDS = 4
_PLACE: Final = frozenset({"place"})
# A supporter, not the doer: "مدعومة بمليشيات"، "مدعومين من"، "بدعم من الطيران"، "بمساندة قوات".
_BACKING: Final = ("دعم", "مسانده", "اسناد", "مءازره", "غطاء", "مساعده")
_SUPPORT: Final = re.compile(rf"(?<!\w)[وف]?(?:ال)?(?:مدعوم\w*|ب(?:{'|'.join(_BACKING)}))(?:\s+من)?\s+$")
_SUPPORT_STEMS: Final = ("مدعوم", *("ب" + w for w in _BACKING))  # one of them is in any match of _SUPPORT
_L_PARTICLES: Final = frozenset({"لم", "لن", "لا", "لكن", "لقد", "لدى", "لذلك", "لاحقا"})
_PREPOSITIONS: Final = frozenset({"من", "في", "علي", "عن", "الي", "بعد", "قبل", "خلال", "عقب", "اثر", "جراء", "بسبب", "حول",
                           "رغم", "اجل", "بهدف"})  # folded spellings (على -> علي)
# Verbal nouns whose genitive is what they act on (حصار المدينة، اعتقال الناشطين، إغلاق المعبر);
# a strike's or a takeover's genitive is its doer (قصف الطيران، سيطرة القوات).
_OBJECT_GENITIVE: Final = frozenset({"siege", "siege_risk", "detention", "evacuation", "crossing_closure",
                              "crossing_reopening", "aid_blocked"})
_GOVERNING: Final = frozenset({"carrier", "light_verb", "success"})  # verbs that take a masdar as object
_CONJUNCTIONS: Final = frozenset({"و", "او", "ثم"})  # written apart, they end a name: "ولاية توزر و إشعال"


def _folded(words: str) -> frozenset[str]:
    """Word lists below are written as in text and folded like it."""
    return frozenset(fold_word(w) for w in words.split())


# -- who did it: the doer's phrase, and what is not one ------------------------------------------
# Agent nouns that take a genitive after them ("قوات النظام"، "عناصر الأمن"); any other agent word
# without the article is a proper name ("قسد"، "إسرائيل"), and after it only its adjectives follow:
# in "هددت قسد عصابات الأسد" the next noun is the object.
_CONSTRUCT_AGENTS: Final = _folded(
    "قوات جيش سلطات شرطة عناصر مليشيا ميليشيا مليشيات ميليشيات تنظيم فصائل فصيل احتلال طيران طائرات مقاتلات "
    "حكومة قوى فرع جماعة دورية دوريات إدارة هيئة وزارة استخبارات مخابرات سلطة أمن"
)
# Nouns naming members of a group: after a detention verb with nothing detained after them they are
# the detained ("اعتقلت عناصر من كتيبة جنين"), not the doer.
_MEMBERS: Final = _folded("عناصر عنصر أفراد مقاتلي مقاتلين مسلحي مسلحين أعضاء كوادر قادة قيادات ناشطي وحدات")
# Institutions whose name runs on to a nationality adjective ("وزارة الدفاع الإسرائيلية").
_INSTITUTIONS: Final = _folded("وزارة هيئة إدارة مديرية جهاز قيادة رئاسة دائرة مصلحة سلطة مجلس قوات قوى أجهزة")
# Definite plurals of state bodies a nationality adjective may describe: "الأجهزة الأمنية".
_BODIES: Final = _folded("الأجهزة الجهات الدوائر الوحدات الفرق المصالح الهيئات الإدارات الوزارات السلطات المؤسسات "
                  "الجانب الطرف")  # "الجانب الإسرائيلي"
NISBA = frozenset({"ي", "يه", "يون", "يين"})  # nationality adjective endings (folded)
# A word before an agent that makes it a complement, not a subject: "اتفاق بين قوات النظام وتنظيم داعش".
_GOVERNS_NOUN: Final = _PREPOSITIONS | _folded("بين مع ضد نحو لدى عبر لصالح تجاه باتجاه أمام")
# Nouns whose genitive an agent after them is ("مناطق تنظيم داعش"، "مواقع النظام").
_GENITIVE_HEADS: Final = frozenset({"place", "territory", "crossing", "people", "person"})
# What a group holds, before its name: "معقل تنظيم داعش"، "مقرات الفصائل" (besides place words).
_HOLDINGS: Final = _folded("معقل معاقل مقر مقرات مراكز مخازن مستودعات ثكنات")
# A part of a group, before من: "قام عدد من المحتجين"، "كلا من إسرائيل والأردن": the group acts.
_QUANTITIES: Final = _folded("عدد مجموعة مجموعات عشرات مئات آلاف بعض أحد إحدى قسم جزء كلا")
# Verbs that take the trigger (تمكنت من حصار، نجحت في، أعلنت اعتقال); تمكن and نجح take a subject
# between ("تمكن المسلحون من"), which is then the doer.
_SUBJECT_GOVERNORS: Final = frozenset({"success", "light_verb"})
_MANAGED: Final = re.compile(r"[يتن]?(?:تمكن|نجح)")
_SUBJECT_REACH: Final = 20  # words from a subject-less verb back to the subject of the clause before it
# "وسيطرتها على": its doer is the pronoun (a lone ه is also a folded ة: سيطره).
_PRONOUN_SUFFIXES: Final = ("ها", "هم", "هما", "ته", "تهم")
_POSSESSIVES: Final = frozenset({"ها", "هم", "هما", "هن", "كم", "نا"})  # a possessed noun takes no name after it

_THAT: Final = "ان"  # أن and إن folded: a clause of its own follows (see actor)

# -- where: a destination named before a detention is not where it happened -----------------------
_TOWARDS: Final = _folded("إلى نحو باتجاه صوب تجاه")  # "متوجهة إلى داخل دمشق"
_INSIDE: Final = _folded("داخل خارج عمق أطراف")


class ArgumentFinder:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.stop_words = frozenset(f.text for f in ruleset.classes.get("name_stop", ()))
        # Gazetteer records renamed as written, by (id of the record, name); the record is kept
        # beside its copy so that its id cannot be reused. dataclasses.replace is slow, names repeat.
        self._renamed: dict[tuple[int, str], tuple[object, object]] = {}
        # The word classes a phrase may run on and may be headed by, by the sets they are made from:
        # a few combinations recur, and set arithmetic on every phrase is not free.
        self._kinds: dict[tuple[frozenset[str], frozenset[str], frozenset[str]], tuple[frozenset[str], frozenset[str]]] = {}

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
        i = bisect_before(doc.named_positions, head.start)
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
                start, end, named, gaz = self._phrase(doc, sent, h, stop_extra=_CROSSING_NAME)
                if named:
                    found.append((h.start, _stem(doc, h), self._crossing_record(doc, start, end, gaz)))
            doc.named_crossings = found
            doc.named_positions = [m[0] for m in found]
        return doc.named_crossings

    def _crossing_record(self, doc: _Doc, start: int, end: int, gaz: Hit | None) -> Crossing:
        written = self.written(doc, start, end)
        if gaz is not None and gaz.crossing is not None:
            return self._as_written(gaz.crossing, written)
        return Crossing(name=written)

    def _as_written(self, record: _R, written: str) -> _R:
        """A gazetteer crossing or place under the name the text gives it."""
        key = (id(record), written)
        cached = self._renamed.get(key)
        if cached is not None and cached[0] is record:
            return cached[1]  # type: ignore[return-value]
        renamed = replace(record, name=written)  # type: ignore[type-var]
        if len(self._renamed) > 50_000:
            self._renamed.clear()
        self._renamed[key] = (record, renamed)
        return renamed

    # -- actors and targets -------------------------------------------------------------------

    def actor(
        self, doc: _Doc, sent: Sentence, trigger: Hit, etype: str = ""
    ) -> tuple[str, tuple[int, int]] | None:
        """The agent next to the trigger: after it first (verb-subject order), else before it.

        Not a supporter ("قوات النظام مدعومة بمليشيات أجنبية سيطرت"), and not the noun right after
        a masdar, which is what it acts on ("فرضت القوات حصار التنظيم"), unless a ل or على object
        follows that noun ("حصار قوات النظام للمدينة": then it is the doer). Not members detained
        ("اعتقلت عناصر من كتيبة جنين"), nor a complement before the trigger ("اتفاق بين قوات النظام
        وتنظيم داعش، لخروج"). With none near, the subject of an earlier clause when the trigger's
        governing verb has none of its own (see `_clause_subject`). Coordinated doers are taken
        whole ("قوات النظام ومرتزقة حزب الله")."""
        agents = self._agents(doc, sent)
        after = [h for h in agents if 0 < h.ti - trigger.tj <= 3]
        before = [h for h in agents if 0 < trigger.ti - h.tj <= 9]
        if after and _acts_on_genitive(doc, sent, trigger, etype) and not self._doer(doc, sent, after[0]):
            after = []  # "اعتقال عناصر من التنظيم": a verbal noun has no subject after it
        if after and etype == "detention" and self._members_detained(doc, sent, trigger, after[0]):
            after = []
        if before and self._describes(doc, sent, trigger):
            # "القوات المطوقة"، "جنوب دمشق المحاصر": what a participle describes undergoes it, and
            # the subject of its clause is someone else.
            before = []
        elif before and etype == "displacement":
            # The displaced are the subject of their flight ("طردت فصائل المعارضة منها، ما تسبب
            # بحركة نزوح"): a doer stands right before a verb ("الميليشيات هجّرت") or after it.
            before = [h for h in before if trigger.ti - h.tj == 1 and not _gap(doc, h.end, trigger.start)]
        if before:
            # "أعلنت وزارة الدفاع أن أذربيجان أغلقت الممر": who reports is not who acts; the doer
            # is in the clause that أن opens (but "قال الجيش إنه أغلق": the pronoun is the reporter).
            ft = doc.folded.text
            before = [h for h in before if _THAT not in ft[h.end : trigger.start].split()]
        if before and not after:
            # "أجرى الجيش مناورات، وتمكن المسلحون من السيطرة": the governing verb has its own subject.
            own = self._governor_with_subject(doc, sent, trigger)
            if own is not None:
                before = [h for h in before if h.start > own.end]
        span = None
        for h in after[:1]:
            h = self._group_of(doc, sent, h) or h  # "اقتحمت عناصر من الأمن الوقائي": the force acts
            cand = self._agent_span(doc, sent, h)
            # "حصارا خانقا على الحوثيين"، "غارات على مواقع للحوثيين"، "القبض على عشرات الحوثيين": objects.
            if cand is not None and not self._complement(doc, sent, cand[0], after=True):
                span = cand
        if span is None:
            bound = trigger.start
            for h in reversed(before):
                if h.end > bound:
                    continue
                cand = self._agent_span(doc, sent, h)
                if cand is None:
                    continue
                bound = min(bound, cand[0])
                if self._agent_right_before(doc, sent, cand[0]):
                    continue  # "هددت قسد فصائل العشائر بحصار": subject, then object
                if not self._complement(doc, sent, cand[0]):
                    span = cand
                    break
        if span is None:
            span = self._clause_subject(doc, sent, trigger) or _country_before(doc, sent, trigger)
            if span is None:
                return None
        start, end = span
        return self.written(doc, start, end), (start, end)

    def _agent_right_before(self, doc: _Doc, sent: Sentence, start: int) -> bool:
        """Whether another agent word ends right before the phrase at `start` (a space between)."""
        ft = doc.folded.text
        j = start
        while j > sent.start and ft[j - 1] in _SPACE_QUOTES:
            j -= 1
        if j == start or ft[j:start].strip(" "):
            return False
        prev = sent.hit_ending_before(j + 1)
        return prev is not None and prev.end == j and "agent" in prev.classes and not prev.rules

    def _describes(self, doc: _Doc, sent: Sentence, trigger: Hit) -> bool:
        """Whether the trigger is a definite participle right after the noun it describes ("القوات
        المطوقة"، "جنوب دمشق المحاصر"), not a verbal noun after a verb ("يمكنهم المغادرة")."""
        if not is_attributive(doc, trigger):
            return False
        ft = doc.folded.text
        word = word_before(ft, trigger.start, sent.start)
        if not word or ft[trigger.start - 1] != " ":
            return False
        if word.startswith(("ال", "لل")):
            return True
        kinds = _PLACE | _AGENT | _PEOPLE  # "دمشق المحاصرة"، "قسد المطوقة"
        return any(h.end == trigger.start - 1 and not h.classes.isdisjoint(kinds) for h in sent.hits)

    def _governor_with_subject(self, doc: _Doc, sent: Sentence, trigger: Hit) -> Hit | None:
        """A verb that takes the trigger (تمكن من، نجح في) a few words before it, with a word of its
        own between ("وتمكن المسلحون من السيطرة"): its subject, whatever it is, is the doer."""
        ft = doc.folded.text
        for h in _governors(sent):
            if h.tj >= trigger.ti:
                break
            if _MANAGED.match(ft, h.stem_start, h.end) and not h.rules and trigger.ti - h.tj <= 4:
                ws, we = doc.word_after(h.end, sent.end)
                if ws >= 0 and ws < trigger.start and (
                    ft[ws:we] not in ("من", "في") and "agent" not in getattr(sent.hit_at.get(ws), "classes", ())
                ):
                    return h
        return None

    def _agent_phrase(self, doc: _Doc, sent: Sentence, head: Hit) -> tuple[int, int]:
        """The agent's own name phrase at `head` (folded span), before any widening."""
        start, end, _, _ = self._phrase(doc, sent, head, stop_extra=_CROSSING, allow=_AGENT, max_words=3,
                                        agent=True)
        return start, end

    def _agent_span(self, doc: _Doc, sent: Sentence, head: Hit) -> tuple[int, int] | None:
        """The doer's phrase at `head` (folded span): its name, the agent words and the noun a
        nationality adjective belongs to before it, and the doers coordinated with it."""
        key = ("agent_span", id(head))
        if key in doc.phrases:
            return doc.phrases[key]
        simple = self._simple_agent_span(doc, sent, head)
        if simple is None:
            doc.phrases[key] = None
            return None
        start, end = simple
        ft = doc.folded.text
        # Coordinated doers after it: "القوات التركية وفصائل المعارضة".
        for _ in range(2):
            ws, we = doc.word_after(end, sent.end)
            if ws < 0 or not ft.startswith("و", ws):
                break
            nxt = sent.hit_at.get(ws)
            if nxt is None or "agent" not in nxt.classes or not nxt.prefix.startswith("و") or nxt.rules:
                break
            more = self._simple_agent_span(doc, sent, nxt)
            if more is None:
                break
            end = more[1]
        # ... and before it: "قوات النظام السوري ومرتزقة حزب الله" read from حزب الله.
        for _ in range(2):
            conj = self._conjunction_before(doc, sent, start)
            if conj is None:
                break
            prev = [h for h in sent.of_class("agent") if not h.rules and h.end <= conj]
            if not prev:
                break
            earlier = self._simple_agent_span(doc, sent, prev[-1])
            if earlier is None or ft[earlier[1] : conj].strip():
                break
            start = earlier[0]
        found = doc.phrases[key] = (start, end)
        return found

    def _simple_agent_span(self, doc: _Doc, sent: Sentence, head: Hit) -> tuple[int, int] | None:
        start, end = self._agent_phrase(doc, sent, head)
        # "فرع المخابرات الجوية": take in agent words right before the head, up to a "و".
        ft = doc.folded.text
        cur = head
        # "العمليات الأمنية للجيش": a head with a preposition on it starts its own phrase.
        while not cur.prefix.startswith(("و", "ف")) and head.prefix.lstrip("وف")[:1] not in ("ب", "ل", "ك"):
            prev = sent.hit_ending_before(cur.start)
            if prev is None or "agent" not in prev.classes or ft[prev.end : cur.start].strip(_SPACE_QUOTES):
                break  # "تنظيم "داعش"": a quoted name is still the head's
            if not ft.startswith("ال", _strip_clitics(cur)) and not _governs_genitive(doc, prev):
                break  # "هددت قسد فصائل العشائر": a name or a definite noun governs no genitive
            start, cur = _strip_clitics(prev), prev
        if start == _strip_clitics(head) and _nisba(doc, head):
            noun = self._noun_of_adjective(doc, sent, start)
            if noun is None:
                return None
            start = noun
        elif start == _strip_clitics(head) and head.suffix in NISBA and not head.prefix and _stem(doc, head) not in _CONSTRUCT_AGENTS:
            # An indefinite nationality adjective: "مقاتلات تركية" acts, "مصدر مصري" only speaks.
            word = word_before(ft, start, sent.start)
            prev = sent.hit_ending_before(start)
            if not word or prev is None or prev.end + 1 != start or not (prev.rules or "agent" in prev.classes):
                return None
            if not prev.rules:  # "قصف إسرائيلي": the trigger's own adjective names the doer alone
                start = _strip_clitics(prev)
        return start, _close_quote(ft, start, end)

    def _noun_of_adjective(self, doc: _Doc, sent: Sentence, start: int) -> int | None:
        """Where the doer a nationality adjective describes starts: "الأجهزة الأمنية"، "الأمن العام
        اللبناني"، "وزارة الدفاع الإسرائيلية"، "هيئة المنافذ الحدودية العراقية"; the adjective alone
        after a trigger ("القصف الإسرائيلي") or with nothing before it. None when it describes
        something else ("العمليات الأمنية للجيش"، "التوترات الأمنية"): no doer is named."""
        ft = doc.folded.text
        pos, taken = start, False
        for _ in range(4):
            word = word_before(ft, pos, sent.start)
            if not word:
                break
            i = pos
            while ft[i - 1] == " ":
                i -= 1
            i -= len(word)
            h = sent.hit_at.get(i)
            if h is not None and h.rules:
                # "القصف الإسرائيلي": the trigger's own adjective; "وتحاصر الدبابات الإسرائيلية": the
                # noun after the verb is its subject.
                return pos
            if h is not None and (h.mods or h.mods_after):
                break
            bare = word[1:] if word[:1] in "وف" and len(word) > 3 and word not in _INSTITUTIONS else word
            if bare in self.stop_words or bare in _GOVERNS_NOUN or word in self.stop_words:
                break
            at = i + len(word) - len(bare)
            if bare in _INSTITUTIONS or bare in _BODIES or (h is not None and "agent" in h.classes):
                return at  # "وزارة"، "الأجهزة"، "الأمن": the noun it belongs to
            if not bare.startswith("ال"):
                return None  # an indefinite noun of another kind: "مقاتلات"، "عمليات"
            pos, taken = at, True  # "الدفاع" in "وزارة الدفاع الإسرائيلية": go on to the institution
        return None if taken else start

    def _conjunction_before(self, doc: _Doc, sent: Sentence, start: int) -> int | None:
        """Where the conjunction joining the phrase at `start` to an earlier one stands (the و of
        "وتنظيم" or of a noun before it, "ومرتزقة حزب الله"), else None."""
        ft = doc.folded.text
        if start > 0 and ft[start - 1] == "و" and (start < 2 or not ft[start - 2].isalnum()):
            return start - 1
        j = start
        while j > sent.start and ft[j - 1] in _SPACE_QUOTES:
            j -= 1
        i = j
        while i > sent.start and ft[i - 1].isalnum():
            i -= 1
        word = ft[i:j]
        if j == start or len(word) < 4 or not word.startswith("و") or word[1:] in self.stop_words:
            return None
        h = sent.hit_at.get(i)
        if h is not None or word[1:2] in "يتن" or word.endswith("ت"):
            return None  # "وطردت داعش": a verb, a new clause
        return i

    def _complement(self, doc: _Doc, sent: Sentence, start: int, after: bool = False) -> bool:
        """Whether the phrase at `start` follows a preposition or a clitic ب ل ك (a complement:
        "بين قوات النظام"، "لمليشيات قسد"), a place, territory or holding noun it is the genitive of
        ("مناطق تنظيم داعش"، "معقل التنظيم"), or, `after` a trigger, a quantity ("على عشرات
        الحوثيين"). Not a part of a group ("عدد من المحتجين") nor the doer of a passive ("من قبل")."""
        ft = doc.folded.text
        w = start
        while w > sent.start and ft[w - 1].isalnum():
            w -= 1
        clitics = ft[w:start].lstrip("وف")
        if clitics[:1] in (("ب", "ك") if after else ("ب", "ل", "ك")):
            return True  # after a masdar a ل marks its doer: "القصف المتواصل للحوثيين على المدينة"
        while w > sent.start and (ft[w - 1] in _QUOTES or ft[w - 1] == "#"):  # "وتنظيم "داعش""، "على #الحوثيين"
            w -= 1
        j = w
        while j > sent.start and ft[j - 1] in _SPACE_QUOTES:
            j -= 1
        if j == w and j > sent.start:
            return False  # punctuation before it
        i = j
        while i > sent.start and ft[i - 1].isalnum():
            i -= 1
        word = ft[i:j]
        if after and (word in _QUANTITIES or word in ("يد", "ايدي") or word == "قبل" and word_before(ft, i, sent.start) == "من"):
            return word in _QUANTITIES  # "على عشرات الحوثيين" are held; "من قبل القوات"، "على يد" name the doer
        if word == "من" and word_before(ft, i, sent.start) in _QUANTITIES | _MEMBERS:
            return False  # "قام عدد من المحتجين بغلق المعبر"، "عناصر من فرع المخابرات": a part of them did it
        if word.lstrip("وف") in _GOVERNS_NOUN or word in _GOVERNS_NOUN:
            return True
        bare = word.lstrip("وف")
        if bare in _HOLDINGS or bare[:1] in ("ب", "ل") and bare[1:] in _HOLDINGS:
            return True  # "لمعقل تنظيم داعش"
        h = sent.hit_at.get(i)
        return h is not None and not word.startswith("ال") and not h.classes.isdisjoint(_GENITIVE_HEADS)

    def _members_detained(self, doc: _Doc, sent: Sentence, trigger: Hit, head: Hit) -> bool:
        """Whether members named right after a detention verb are the ones detained: "اعتقلت عناصر
        من كتيبة جنين" (nobody else detained after them), not "اعتقلت عناصر من الأمن ناشطين"."""
        if head.ti - trigger.tj != 1:
            return False
        if _stem(doc, head) not in _MEMBERS or head.prefix:
            return False
        end = self._members_span(doc, sent, head)[1]
        later = [h for h in sent.hits if not h.classes.isdisjoint(_PEOPLE) and h.start >= end and h.ti - head.tj <= 6]
        if later:
            return False
        doc.phrases[("detained", id(trigger))] = (_strip_clitics(head), end)
        return True

    def _group_of(self, doc: _Doc, sent: Sentence, head: Hit) -> Hit | None:
        """The agent word of the group members belong to: "عناصر من الأمن الوقائي" -> الأمن."""
        if _stem(doc, head) not in _MEMBERS:
            return None
        ft = doc.folded.text
        ws, we = doc.word_after(head.end, sent.end)
        if ws < 0 or ft[ws:we] != "من":
            return None
        ws2, _ = doc.word_after(we, sent.end, _SPACE_QUOTES)
        if ws2 < 0:
            return None
        h = sent.hit_at.get(ws2)
        return h if h is not None and "agent" in h.classes and not h.rules else None

    def _members_span(self, doc: _Doc, sent: Sentence, head: Hit) -> tuple[int, int]:
        """Members and the group they belong to: "عناصر من كتيبة جنين"."""
        start, end = _strip_clitics(head), self._agent_phrase(doc, sent, head)[1]
        ft = doc.folded.text
        ws, we = doc.word_after(end, sent.end)
        if ws < 0 or ft[ws:we] != "من":
            return start, end
        pos, group_end = we, end
        for _ in range(3):
            ws, we = doc.word_after(pos, sent.end)
            if ws < 0:
                break
            tok, h = ft[ws:we], sent.hit_at.get(ws)
            if tok in self.stop_words or tok in _GOVERNS_NOUN or tok[:1] == "و" or tok.isdigit() or (
                h is not None and (h.rules or h.mods or h.mods_after or not h.classes.isdisjoint(_PEOPLE))
            ):
                break
            pos = group_end = we
        return start, group_end

    def _clause_subject(self, doc: _Doc, sent: Sentence, trigger: Hit) -> tuple[int, int] | None:
        """The doer of a trigger whose verb has no subject of its own, named earlier in the sentence:
        "التقدم الذي أحرزته "قوات سورية الديمقراطية" في قرى ...، بعد أن تمكنت من حصار التنظيم".

        Only after a verb that takes the trigger (تمكنت من، نجحت في) with no subject of its own,
        or on a control or strike noun with a pronoun joined to what such a verb governs ("تمكنت من
        حصار التنظيم ... وسيطرتها على"), and only when one agent phrase before that verb in the
        sentence can be a subject (not a complement, not a masdar's object)."""
        ft = doc.folded.text
        word = ft[trigger.stem_start : trigger.end]
        # "وسيطرتها" joined to a verbal noun that such a verb governs shares its doer.
        pronoun = trigger.prefix[:1] == "و" and word.endswith(_PRONOUN_SUFFIXES) and not _acts_on_genitive_types(trigger)
        gov = None
        for h in _governors(sent):
            if h.tj >= trigger.ti:
                break
            if h.rules or trigger.ti - h.tj > (12 if pronoun else 2):
                continue
            ws, we = doc.word_after(h.end, sent.end)
            if ws < 0:
                continue
            if ft[ws:we] in ("من", "في") or (ws == trigger.start and not pronoun):
                gov = h  # "تمكنت من حصار": no subject between the verb and what it governs
        if gov is None:
            return None
        # Nearest first; two that can be the subject make it ambiguous.
        found: tuple[int, int] | None = None
        bound = gov.start
        for h in reversed(self._agents(doc, sent)):
            if h.end > bound:
                continue
            if gov.ti - h.tj > _SUBJECT_REACH:
                break
            span = self._agent_span(doc, sent, h)
            if span is None:
                continue
            bound = span[0]
            if self._complement(doc, sent, span[0]):
                continue
            if found is not None:
                return None
            found = span
        return found

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
        for h in sent.of_class("agent"):
            if h.start < skip_to:
                continue
            if _supported(ft, max(sent.start, h.start - 40), h.start) or self._object(doc, sent, h):
                skip_to = self._agent_phrase(doc, sent, h)[1]
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
        end = self._agent_phrase(doc, sent, head)[1]
        ws, we = doc.word_after(end, sent.end, _GAP_OK)
        if ws < 0:
            return False
        tok = doc.folded.text[ws:we]
        return tok.startswith(("على", "علي", "ضد")) or (tok.startswith("ل") and tok not in _L_PARTICLES)

    def target(
        self, doc: _Doc, sent: Sentence, trigger: Hit, taken: list[tuple[int, int]], etype: str = ""
    ) -> tuple[str, tuple[int, int]] | None:
        """The people an event happens to: the first people noun after the trigger
        ("اعتقلت القوات عشرات الناشطين", "إجلاء الجرحى"), or just before a passive one; members
        named right after a detention verb ("اعتقلت عناصر من كتيبة جنين")."""
        detained = doc.phrases.get(("detained", id(trigger)))
        if detained is not None and not any(s < detained[1] and detained[0] < e for s, e in taken):
            return self.written(doc, *detained), detained
        detention = etype == "detention"
        cands = [h for h in sent.hits if 0 < h.ti - trigger.tj <= 6 and (
            not h.classes.isdisjoint(_PEOPLE) or detention and "agent" in h.classes and not h.prefix and _stem(doc, h) in _MEMBERS)]
        cands += [h for h in sent.hits if not h.classes.isdisjoint(_PEOPLE) and 0 < trigger.ti - h.tj <= 2]
        for head in cands:
            if "agent" in head.classes and head.classes.isdisjoint(_PEOPLE):
                start, end = self._members_span(doc, sent, head)
            else:
                start, end, _, _ = self._phrase(doc, sent, head, stop_extra=_CROSSING, allow=_PEOPLE, max_words=2)
            if not any(s < end and start < e for s, e in taken):
                return self.written(doc, start, end), (start, end)
        return None

    # -- places -------------------------------------------------------------------------------

    def places(
        self, doc: _Doc, sent: Sentence, trigger: Hit, taken: list[tuple[int, int]], etype: str = ""
    ) -> list[tuple[Place, tuple[int, int]]]:
        """Up to three places near the trigger (nearest first), listed in text order. Not, for a
        detention, where someone was heading before it ("متوجهة إلى داخل دمشق، اعترف السائق وتم
        اعتقاله"); a siege's or aid's destination is the place itself ("للدخول إلى مخيم اليرموك")."""
        found: list[tuple[int, int, int, Place]] = []  # distance, start, end, place
        gaz: Hit | None
        covered: list[tuple[int, int]] = list(taken)
        # Head words first, as they cover names; each kind in text order.
        places = sent.of_class("place")
        cands = [h for h in places if h.place is None and not h.rules] + [h for h in places if h.place is not None]
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
            if h.place is not None and _outlet(doc.folded.text, start, sent.start):
                continue  # "قالت مصادر لـ"الرياض"": a newspaper named after a city
            if etype == "detention" and h.tj < trigger.ti and self._destination(doc, sent, start):
                covered.append((start, end))
                continue
            written = self.written(doc, start, end)
            if any(p.name == written for _, _, _, p in found):
                continue
            covered.append((start, end))
            place = self._as_written(gaz.place, written) if gaz is not None and gaz.place is not None else Place(name=written)
            found.append((d, start, end, place))
        found.sort(key=lambda t: t[0])
        best = sorted(found[:3], key=lambda t: t[1])
        return [(p, (s, e)) for _, s, e, p in best]

    def _destination(self, doc: _Doc, sent: Sentence, start: int) -> bool:
        """Whether the place at `start` is where someone was heading ("السيارة المتوجهة إلى داخل
        دمشق")."""
        ft = doc.folded.text
        w = start
        while w > sent.start and ft[w - 1].isalnum():
            w -= 1
        if ft[w:start].lstrip("وف") == "ل" or ft[w:start].lstrip("وف") == "لل":
            return False  # "لدمشق" is of Damascus more often than to it
        word = word_before(ft, w, sent.start)
        if word in _INSIDE:
            word = word_before(ft, w - len(word) - 1, sent.start)
        return word in _TOWARDS

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
        gaz_at = sent.gaz_at
        g0 = gaz_at.get(head.start)
        if gaz is None and g0 is not None and g0 is not head:  # the gazetteer span starts at the head
            gaz, named, end = g0, True, max(end, g0.end)
        # "للمدينة" = ل + المدينة; "حدودهما" is possessed: no name follows, only adjectives.
        definite = ft.startswith("ال", start) or head.prefix.endswith("لل") or head.suffix in _POSSESSIVES
        if agent and not definite and _stem(doc, head) not in _CONSTRUCT_AGENTS:
            definite = True  # a proper name ("قسد"، "إسرائيل") takes adjectives, not a genitive
        key = (allow, head.classes, stop_extra)
        kinds = self._kinds.get(key)
        if kinds is None:
            kinds = self._kinds[key] = ((_NAME_CLASSES | allow) - stop_extra, (allow or head.classes & _PLACE) - stop_extra)
        allowed, heads = kinds
        words, took_generic, free, closed = 0, False, 0, False
        pos = end
        while words < max_words and free < 2:
            ws, we = doc.word_after(pos, sent.end, _GAP_OK)
            if ws < 0:
                break
            g = gaz_at.get(ws)
            if g is not None and (agent and g.crossing is not None or gaz is not None and gaz.crossing is not None):
                break  # a doer does not run into a crossing's name; a known crossing's name is complete
            if g is not None and agent and (words or definite or g.word_start < g.start):
                # "قوات النظام الزبداني"، "قصفت الطائرات مدينة خان يونس"، "استعادة الجيش للعاصمة": a place
                # after the doer is what it acts on (but "شرطة دبي": an indefinite head takes its genitive)
                break
            if g is not None and g is not head and g is not gaz:
                end = pos = g.end
                gaz = gaz or g
                named = True
                words += 1 + ft.count(" ", g.start, g.end)
                continue
            h = sent.hit_at.get(ws)
            tok = ft[ws:we]
            # A word of the phrase's own kind runs on whatever else it is: "أحياء جنوبي العاصمة"
            # (العاصمة is also a territory), "قوات النظام" (النظام is also a fighters' word).
            site = False
            if h is not None and (h.rules or h.mods or h.mods_after or (not h.classes <= allowed and h.classes.isdisjoint(heads))):
                # "القوات التركية"، "مقاتلات تركية" (no "ترك"): a nationality agreeing with the doer is
                # its adjective; "حي المطار"، "قرية السد": right after a bare place noun a site word is its name.
                site = (not words and not definite and heads == _PLACE and "territory" in h.classes
                        and h.classes.isdisjoint(_PLACE))
                if not (site or agent and h.suffix in NISBA and tok.startswith("ال") == definite):
                    break
            if closed and not tok.startswith("ال"):
                break  # "محيط المدينة مما": after a definite complement only adjectives follow
            own_kind = h is not None and not h.classes <= allowed and not site  # taken for its kind only: names nothing
            closed = closed or ((own_kind or agent) and tok.startswith("ال"))  # "طيران التحالف لاجتماع"
            if tok == "من" and took_generic and definite and heads == _PLACE:
                g = _place_after(doc, we, sent.end, gaz_at)
                if g is not None:  # "الأحياء الجنوبية من دمشق": the whole is the place
                    end, gaz, named = g.end, gaz or g, True
                break
            if tok in self.stop_words or (tok[:1] == "و" and tok[1:] in self.stop_words) or (
                tok.startswith("ال") and tok[2:] in self.stop_words
            ):
                break
            if tok.isdigit() or (tok.startswith("و") and len(tok) > 3) or tok in _CONJUNCTIONS:
                break
            if (words and tok[:1] in "يت" and len(tok) >= 4) or (tok[:2] in ("سي", "ست", "سن") and len(tok) >= 5):
                break  # a verb after the name: "مدينة الأبيض تتدفق"، "معبر المصنع سيبقى"، "حدودهما ستبقى"
            generic = h is not None and "generic_word" in h.classes
            if gaz is not None and not generic and (gaz.crossing is not None or not tok.startswith("ال")):
                # "معبر القدم" is known: "جنوب دمشق" after it is not part of the name; after a known place
                # only an adjective is ("أحياء حمص القديمة"، not "مدينة دهوك تسبب")
                break
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
            end = pos = we
            words += 1
        return start, _close_quote(ft, start, end), named, gaz

    def written(self, doc: _Doc, start: int, end: int) -> str:
        """The phrase as the article writes it; a ل contracted with the article gives the article
        back ("للمعبر" -> "المعبر"), as the clitics are left out."""
        s, e = doc.folded.span(start, end)
        text = doc.folded.original[s:e].strip().strip("،,؛:")
        ft = doc.folded.text
        w = start
        while w > 0 and ft[w - 1].isalnum():
            w -= 1
        if w < start and ft[w:start].lstrip("وف") == "لل":
            text = "ال" + text
        return text


def _place_after(doc: _Doc, pos: int, stop: int, gaz_at: dict[int, Hit]) -> Hit | None:
    """The gazetteer place that is the next word after `pos`, if it is one."""
    ws, _ = doc.word_after(pos, stop, _GAP_OK)
    if ws < 0:
        return None
    g = gaz_at.get(ws)
    return g if g is not None and g.place is not None else None


def _outlet(ft: str, start: int, stop: int) -> bool:
    """Whether a name is quoted right after a ل ("لـ"الرياض""، "ل«الشرق»"): a newspaper or channel."""
    i = start
    if i > stop and ft[i - 1] in _QUOTES:
        i -= 1
        while i > stop and ft[i - 1] in " ـ":
            i -= 1
        return i > stop and ft[i - 1] == "ل" and (i - 1 == stop or not ft[i - 2].isalnum() or ft[i - 2] in "وف")
    return False


def _supported(ft: str, start: int, end: int) -> bool:
    """Whether the words ending at `end` say who backs a doer (مدعومة من، بدعم من). The regex is tried
    at every letter of its window, so a plain search for its stems comes first."""
    window = ft[start:end]
    return any(stem in window for stem in _SUPPORT_STEMS) and _SUPPORT.search(ft, start, end) is not None


def word_before(ft: str, pos: int, stop: int = 0) -> str:
    """The word that ends before `pos` (spaces between), or "" at punctuation or at `stop`."""
    j = pos
    while j > stop and ft[j - 1] == " ":
        j -= 1
    i = j
    while i > stop and ft[i - 1].isalnum():
        i -= 1
    return ft[i:j]


def _gap(doc: _Doc, start: int, end: int) -> bool:
    """Whether anything but spaces stands between two words."""
    return bool(doc.folded.text[start:end].strip())


def _country_before(doc: _Doc, sent: Sentence, trigger: Hit) -> tuple[int, int] | None:
    """A country named right before a verb is its subject ("أن أذربيجان أغلقت الممر")."""
    if trigger.prefix:
        return None
    ft = doc.folded.text
    for h in sent.hits:
        if h.place is not None and h.end == trigger.start - 1 and (h.place.id or "").startswith("c-"):
            if h.word_start < h.start or word_before(ft, h.start, sent.start) in _PREPOSITIONS | _TOWARDS:
                return None  # "نحو تشاد هربا"، "لمصر": a place the verb heads for, not its subject
            return h.start, h.end
    return None


def _acts_on_genitive_types(trigger: Hit, etype: str = "") -> bool:
    """Whether the event type (else any of the trigger's) is one a verbal noun's genitive is the object of."""
    if etype:
        return etype in _OBJECT_GENITIVE
    return any(r.type in _OBJECT_GENITIVE for r in trigger.rules)


def is_attributive(doc: _Doc, trigger: Hit) -> bool:
    """Whether the trigger is a definite participle describing the noun before it (المحاصرة، المطوقة);
    not the corridor noun (انعدام الممرات الآمنة)."""
    ft = doc.folded.text
    return (trigger.prefix.endswith(("ال", "لل")) and ft.startswith("م", trigger.stem_start)
            and not ft.startswith("ممر", trigger.stem_start))


def _governors(sent: Sentence) -> list[Hit]:
    """The sentence's verbs that take a verbal noun (تمكن، نجح، أعلن), in text order."""
    found = [h for c in _SUBJECT_GOVERNORS for h in sent.of_class(c)]
    if len(found) > 1:
        found = sorted(set(found), key=lambda h: h.start)
    return found


def _governs_genitive(doc: _Doc, h: Hit) -> bool:
    """Whether an agent word can take the noun after it as its genitive ("قوات" in "قوات النظام")."""
    return not doc.folded.text.startswith("ال", _strip_clitics(h)) and _stem(doc, h) in _CONSTRUCT_AGENTS


def _nisba(doc: _Doc, h: Hit) -> bool:
    """Whether an agent word is a definite nationality adjective (العراقية، اللبناني، الأمنية)."""
    return doc.folded.text.startswith("ال", _strip_clitics(h)) and h.suffix in NISBA


def _acts_on_genitive(doc: _Doc, sent: Sentence, trigger: Hit, etype: str = "") -> bool:
    return _acts_on_genitive_types(trigger, etype) and _construct(doc, sent, trigger)


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
        not h.classes.isdisjoint(_GOVERNING) and 0 < trigger.ti - h.tj <= 3 for h in sent.hits if h.tj < trigger.ti
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
