"""The detector: fold once, one walk over the words, then rules on the sentences that hold a trigger.

Steps for one article:

1. ``fold()`` the text (normalize.py); all matching runs on the folded copy.
2. One walk over the words finds every lexicon word (triggers, argument nouns and cue words) as
   one combined regex (patterns.py) would, from a cache of the words seen before, and marks where
   a gazetteer name may begin. No trigger, no further work.
3. For each sentence holding a trigger, for each of the trigger's rules: check the arguments
   it needs (``require``), the look-alikes that silence it (``exclude``, ``lookalike``) and the
   cue words around it (negation, denial, demand, threat, future ...) that drop the event or
   set its status (and turn a siege into a siege risk). Windows are counted in words.
4. Name the crossing (resolving "المعبر" to the one named nearby), merge repeated mentions of
   one event, then add the actor and places as written, mapped back to the original text.

Sentences without a trigger are never looked at beyond that walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .arguments import NISBA, ArgumentFinder, is_attributive, word_before
from .gazetteer_link import GazetteerLink
from .model import Crossing, Event, Mark, Place
from .normalize import Folded, bisect_after, bisect_before, fold
from .patterns import SUFFIX_LETTERS, WordForm, compile_words
from .rules import MODALITIES, Rule, RuleSet

# Sentence ends: newlines, ! ? ؟ ؛ and full stops, with the spaces, closing quotes and further
# stops that follow them. A full stop between digits (9372.74) is skipped in _Doc; where one may
# begin is found with str.find (see _sentence_ends).
_SENT_END: Final = re.compile(r"[\n!?؟؛.][\s.!?؟؛\"'»”)]*")
_SENT_END_CHARS: Final = "\n!?؟؛."  # what a sentence end begins with (see _sentence_ends)
_CLOSING_QUOTES: Final = "\"'»”)"  # what may close a question after its mark (see _asks)
MAX_SENTENCE_CHARS = 1200  # about 200 words; real sentences in news are far shorter
# Punctuation standing between spaces is not a word when windows count words.
_LOOSE_PUNCT: Final = (" – ", " - ", " — ", " : ", " / ", ' " ', " « ", " » ", " ، ", " | ")
_ANY_LOOSE: Final = re.compile(' [–\\-—:/"«»،|] ')  # any of them (one search instead of ten)

CROSSING_TYPES = ("crossing_closure", "crossing_reopening")
_BARRIER_EXEMPT: Final = frozenset({"denial", "question"})
_CUE_CLASSES: Final = frozenset({"scope_break", "report_break", "carrier"})
# Kinds of lexicon entry a stem can carry.
_TRIGGER, _CLASS, _MODALITY, _MODALITY_AFTER = 0, 1, 2, 3
_AFTER_LL: Final = 2  # a prefix_ok value: the form is valid only right after the contracted لل
_SUFFIX_NEEDED: Final = 2  # a suffix_ok value: the form is valid only with a suffix (WordForm.needs_suffix)
_IMPERFECT: Final = frozenset("يتنا")  # the letters a present-tense verb starts with (after the future س)
_EMPTY: Final[frozenset[str]] = frozenset()
_GAZ_CROSSING: Final = frozenset({"crossing"})
# Events whose target is the people they happen to (who is detained, evacuated, displaced).
_PEOPLE_TARGETS: Final = frozenset({"detention", "evacuation", "displacement"})
_GAZ_PLACE: Final = frozenset({"place"})
# A negated verb reaches a trigger in its object phrase this many words away (see _governed).
_GOVERNED_REACH: Final = 7
# A demand, attempt or threat verb reaches the masdar it governs this many words away (see _modalities).
_DEMAND_OBJECT_REACH: Final = 20
_WENT_BACK: Final = frozenset({"عاد", "عادت", "عادوا", "يعود", "تعود"})
_APPROACH_REACH: Final = 14  # words from "اقترب" to the "من" + masdar it governs
_CALLS: Final = frozenset({"demand", "attempt", "threat", "purpose"})
_BARE_CALLS: Final = frozenset({"demand", "attempt"})
_BARE_OBJECT_REACH: Final = 10
_WARNED_REACH: Final = 14  # words from a warning (حذر) to the من + event it warns of
_FEARED_REACH: Final = 20  # words from a fear (يخشى) to the event in the أن clause it introduces (see _feared_clause)
# The word that opens a feared clause (folded أن، بأن، من أن); see _feared_clause.
_THAT: Final = re.compile(r"(?<!\w)(?:من |ب)?ان(?!\w)")
# After-cues that are verbs heading a clause of their own (see _modalities).
_CLAUSE_VERBS: Final = frozenset({"سيتم", "ستتم", "سوف"})
_TO: Final = frozenset({"الي"})  # إلى, folded
_RELATIVES: Final = frozenset({"التي", "الذي", "الذين", "اللذين", "اللتين", "اللواتي", "اللاتي"})  # relative pronouns, folded
# Before a reporting verb these make it part of what is denied ("نفت الأنباء التي ذكرت إغلاق المعبر"،
# "لا صحة لما ذكر بخصوص إغلاق"), not a new statement.
_REPORTED_BY: Final = _RELATIVES | {"ما", "لما", "مما", "عما", "بما"}
_FORCES: Final = ("armed_force", "attacker_state")  # who orders people out (see _by_force)
_ORDERED: Final = frozenset({"evacuation", "displacement"})  # what a force's call orders (دعت إسرائيل لتهجير السكان)
_WARNING_NOUNS: Final = ("انذار", "تحذير")  # folded: a warning that carries a force's call
_INSIDE_IT: Final = ("فيه ", "فيها ", "من خلاله ", "من خلالها ", "خلاله ", "خلالها ", "عبره ", "عبرها ")  # "دعا فيه": the call is in a statement
# "after", right before a trigger: an earlier event told as the time of another (بعد استهدافه،
# عقب سيطرة، إثر إغلاق).
_AFTER: Final = frozenset({"بعد", "وبعد", "بعدما", "وبعدما", "عقب", "وعقب", "اثر", "واثر"})
# Verbs of becoming in the future (folded): one reaches its predicate over its subject ("سيصبح تجمع
# فصائل المعارضة في مزارع البلدة محاصرا").
_BECOME: Final = frozenset({"سيصبح", "ستصبح", "سيكون", "ستكون", "سيغدو", "ستغدو"})
_COPULA_REACH: Final = 10
_THEREBY: Final = frozenset({"بذلك", "بهذا", "بهذه"})  # ل + verb + بذلك tells a result, not an aim
_NOW: Final = frozenset({"الان", "اللحظه", "الساعه", "اليوم"})  # after حتى: "so far" (folded)
# Spans of time (folded) that "بعد" can count ("بعد 10 أيام", "بعد يومين").
_TIME_SPANS: Final = frozenset("ساعه ساعات ساعتين يوم ايام يومين اسبوع اسابيع اسبوعين شهر اشهر شهور شهرين سنه سنوات سنتين "
                        "عام اعوام عامين دقاءق لحظات".split())
_CACHE_LIMIT: Final = 200_000  # words cached: a stream of odd spellings cannot grow the caches forever
# Events that features and anniversaries tell of long ago: sieges, and cities that fell (سقطت حلب عام 1260).
_TOLD_AS_HISTORY: Final = frozenset({"siege", "siege_risk", "control_change"})
# A year before 1990 after عام / سنة or a month (folded); see _old_year.
_OLD_YEAR: Final = re.compile(
    r"(?<!\w)(?:عام|العام|سنه|السنه|يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر"
    r"|كانون الثاني|شباط|اذار|نيسان|ايار|حزيران|تموز|اب|ايلول|تشرين الاول|تشرين الثاني|كانون الاول)"
    r"\s+(?:1[0-8]\d\d|19[0-8]\d|[1-9]\d\d)(?!\d)")
# The digits of such a year (1000-1989 or 100-999), begun with a character set for a fast search.
_OLD_YEAR_DIGITS: Final = re.compile(r"[1-9](?:(?<=1)(?:[0-8]\d\d|9[0-8]\d)|\d\d)(?!\d)")
_DETACHED_GAP: Final = " \"'«“"  # between a detached clitic and its word (see _detached_clitic)
_CLAUSE_MARKS: Final = frozenset("،,؛;:()[]?!؟\"«»“”–—-")
# A short name in quotes ("خطة الجنرالات"، «داعش») is part of its clause, not a break.
_QUOTED_NAME: Final = re.compile(r'"[^"،,.:]{1,40}"|«[^»،,.:]{1,40}»|“[^”،,.:]{1,40}”')
# So is a source set between commas ("وتهدف هذه العمليات، بحسب التقديرات، إلى تطويق المدينة"); folded.
_ASIDE: Final = re.compile(r"[،,]\s*(?:و?بحسب|و?حسب|وفقا|وفق|نقلا عن)[^،,.:]{1,50}[،,]")
_TAKES_MASDAR: Final = frozenset({"light_verb", "success"})
_SUCCESS: Final = frozenset({"success"})
# Entrances and checkpoints (folded stems) that are no gazetteer crossing: shut round a place
# besieged in the same sentence, they are part of its siege ("إغلاق مداخل بلدة تقوع ... وفرضت
# حصارا"). A city's منافذ and gates (بوابات) are crossings whose closure is reported on its own.
_GATES: Final = frozenset({"مدخل", "مداخل", "حاجز", "حواجز"})
# States that last until lifted (رفع الحصار، فك الحصار، رفع الإغلاق، رفع القيود عن المساعدات) or, for a
# detention, until a release: feared or deplored as going on, they are in force ("قلقها إزاء استمرار احتجاز").
_LASTING: Final = frozenset({"siege", "crossing_closure", "aid_blocked", "detention"})
# Cues that leave a lifting undone, and so the state in force.
_NOT_DONE: Final = frozenset({"demand", "purpose", "future", "attempt", "hypothetical", "agreement", "negation", "denial"})
# Cues that make a state only possible; said of its going on, they leave it in force (see _ongoing).
_UNSURE: Final = frozenset({"demand", "future", "attempt", "hypothetical", "threat"})
_AIM: Final = frozenset({"purpose"})
# Words of tightening (folded): what is feared or planned is that a state in force grows worse.
_TIGHTEN: Final = frozenset({"تشديد", "تضييق", "احكام", "تكثيف", "تفاقم", "زياده", "اشتداد"})


# A word is a run of \w, as the combined regex bounds it. Begun with a character set (\W\W*, not
# \W+), the pattern lets the regex engine skip word letters in a tight loop.
_SEPARATORS: Final = re.compile(r"\W\W*")
_GLUED: Final = "،,.:;؛!?؟\"'«»“”()[]-–—/\n"  # punctuation written against a word (none of it in \w)


def _split_words(ft: str) -> tuple[list[str], list[int]]:
    """The words of `ft` and their offsets. News text is mostly words between single spaces, and
    str.split with str.isalnum (the letters of the regex's word class, less "_") read those far
    faster than a regex; a piece holding a line break is split again there (a paragraph's end:
    "الزور.\nوقال"), and only a piece holding other punctuation goes to the regex."""
    words: list[str] = []
    starts: list[int] = []
    pos = 0
    for piece in ft.split(" "):
        if piece.isalnum():
            words.append(piece)
            starts.append(pos)
        else:
            at = pos
            for line in piece.split("\n"):
                _add_piece(line, at, words, starts)
                at += len(line) + 1
        pos += len(piece) + 1
    return words, starts


def _add_piece(piece: str, pos: int, words: list[str], starts: list[int]) -> None:
    """The words of one piece of text without spaces or line breaks, at offset `pos`."""
    if piece.isalnum():
        words.append(piece)
        starts.append(pos)
    elif piece and (core := piece.strip(_GLUED)).isalnum():  # "غزة،" "(رويترز)"
        words.append(core)
        starts.append(pos + len(piece) - len(piece.lstrip(_GLUED)))
    elif piece:
        at = 0
        for sep in _SEPARATORS.finditer(piece):
            if sep.start() > at:
                words.append(piece[at : sep.start()])
                starts.append(pos + at)
            at = sep.end()
        if at < len(piece):
            words.append(piece[at:])
            starts.append(pos + at)


class Hit:
    """One matched word (or multi-word phrase) in the folded text. The collections are shared
    between hits of the same word: never mutate them. (A plain slotted class: hundreds are made
    per article, and a dataclass __init__ with defaults costs twice as much.)"""

    __slots__ = ("start", "end", "stem_start", "prefix", "suffix", "rules", "classes", "mods", "mods_after",
                 "ti", "tj", "spaces", "inner", "crossing", "place", "word_start", "cue_class")

    def __init__(
        self, start: int, end: int, stem_start: int, prefix: str, suffix: str, rules: tuple[Rule, ...] = (),
        classes: frozenset[str] = _EMPTY, mods: frozenset[str] = _EMPTY, mods_after: frozenset[str] = _EMPTY,
        crossing: Crossing | None = None, place: Place | None = None, cue_class: bool | None = None,
    ) -> None:
        self.start, self.end, self.stem_start, self.prefix, self.suffix = start, end, stem_start, prefix, suffix
        self.rules, self.classes, self.mods, self.mods_after = rules, classes, mods, mods_after
        # Whether one of its classes is a cue (see Sentence.index); a reading computes it once for
        # every hit of its word.
        self.cue_class = not classes.isdisjoint(_CUE_CLASSES) if cue_class is None else cue_class
        self.ti = self.tj = 0  # first and last token of the hit in its sentence
        self.spaces = -1  # spaces before it in the text, when the scan counted them (see _Doc.sentence)
        self.inner = 0  # spaces inside it (a phrase)
        self.crossing = crossing  # from the gazetteer
        self.place = place
        self.word_start = start  # where the word holding the hit starts (gazetteer spans skip clitics)

    def __repr__(self) -> str:
        return f"Hit({self.start}, {self.end}, rules={[r.id for r in self.rules]}, classes={sorted(self.classes)})"


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the lexicon says about one word form (cached per form)."""

    rules: tuple[Rule, ...]
    classes: frozenset[str]
    mods: frozenset[str]
    mods_after: frozenset[str]
    prefix_len: int  # clitic prefix length of the trigger reading
    prefix: str
    suffix: str
    cue_class: bool  # see Hit


class _Word:
    """What the scan knows of a word (cached per word): its reading, the second words of the listed
    phrases it may begin (one of them next sends the scan to the regex), and whether a gazetteer
    name may begin at it (see GazetteerLink.may_begin)."""

    __slots__ = ("reading", "seconds", "name", "seconds_plain", "name_plain")

    def __init__(self, reading: _Reading | None, seconds: tuple[str, ...], name: tuple[str, ...] | None) -> None:
        self.reading = reading
        self.seconds = seconds
        self.name = name
        # Whether every one of them is letters only (see _scan).
        self.seconds_plain = all(s.isalnum() for s in seconds)
        self.name_plain = name is not None and all(s.isalnum() for s in name)


class _Scan:
    """What one walk over the words of a text found."""

    __slots__ = ("hits", "any_trigger", "name_starts", "words", "word_starts")

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.any_trigger = False
        self.name_starts: list[int] = []  # offsets of the words where a gazetteer name may begin
        self.words: list[str] = []  # every word of the text (a run of \w) and its offset
        self.word_starts: list[int] = []


class Sentence:
    """One sentence of the folded text and its hits, with lookups by offset and by word class.
    (A plain class, as Hit: the compiled build runs a dataclass's generated __init__ as Python.)"""

    __slots__ = ("start", "end", "hits", "hit_at", "triggers", "cues", "by_class", "gaz_at", "classes")

    def __init__(self, start: int, end: int, hits: list[Hit]) -> None:
        self.start, self.end, self.hits = start, end, hits
        self.hit_at: dict[int, Hit] = {}  # by start offset (clitics included)
        self.triggers: list[Hit] = []
        self.cues: list[Hit] = []  # triggers and the words that shape them
        self.by_class: dict[str, tuple[Hit, ...]] = {}  # filled as asked (see of_class)
        self.gaz_at: dict[int, Hit] = {}  # gazetteer names (see index)
        self.classes: set[str] = set()  # every class of its hits: most asked for are absent

    def index(self) -> None:
        """Fill the lookups above from `hits` (in text order). Gazetteer names go by the start of
        the word they begin in too (a gazetteer span leaves out proclitics: "بمنفذ الوديعة" starts
        at منفذ, the word at ب)."""
        at, gaz_at, classes = self.hit_at, self.gaz_at, self.classes
        for h in self.hits:
            if h.crossing is None and h.place is None:
                if h.start not in at:
                    at[h.start] = h
            else:
                gaz_at.setdefault(h.start, h)
                gaz_at.setdefault(h.word_start, h)
            if h.rules:
                self.triggers.append(h)
            if h.rules or h.mods or h.mods_after or h.cue_class:
                self.cues.append(h)
            classes.update(h.classes)

    def of_class(self, c: str) -> tuple[Hit, ...]:
        """The hits of one word class, in text order. Built when first asked: a sentence holds some
        fifteen classes and the rules ask for three of them, so building all would make a dozen
        lists per sentence for nothing (and work for the garbage collector)."""
        if c not in self.classes:
            return ()
        found = self.by_class.get(c)
        if found is None:
            found = self.by_class[c] = tuple([h for h in self.hits if c in h.classes])
        return found

    def hit_ending_before(self, pos: int) -> Hit | None:
        best = None
        for h in self.hits:
            if h.end <= pos and h.crossing is None and h.place is None:
                best = h
            elif h.start >= pos:
                break
        return best

    def nearest(self, hit: Hit, classes: tuple[str, ...], before: int, after: int) -> Hit | None:
        """The hit of one of `classes` nearest to `hit` within the window (after wins a tie)."""
        best: Hit | None = None
        best_d = 10**6
        for c in classes:
            for h in self.of_class(c):
                if h is hit:
                    continue
                if h.tj < hit.ti:
                    d = hit.ti - h.tj
                    if d <= before and d < best_d:
                        best, best_d = h, d
                elif h.ti > hit.tj:
                    d = h.ti - hit.tj
                    if d <= after and (d < best_d or (d == best_d and best is not None and best.ti < hit.ti)):
                        best, best_d = h, d
        return best


class Detector:
    """Rules compiled for matching. Build one with ``load_detector()``; it is safe to share."""

    def __init__(self, ruleset: RuleSet, gazetteer: GazetteerLink | None = None) -> None:
        self.ruleset = ruleset
        self.gazetteer = gazetteer or GazetteerLink.default()
        self._entries: dict[str, list[tuple[int, object, int, int]]] = {}
        self._readings: dict[str, _Reading | None] = {}  # by the text a phrase match covers
        self._words: dict[str, _Word] = {}  # by word (see _scan)
        trigger_forms: list[str] = []
        for rule in ruleset.rules:
            for f in rule.triggers:
                self._add(f.text, (_TRIGGER, rule, f.prefix_ok, _suffix_rule(f)))
                trigger_forms.append(f.text)
        for name, forms in ruleset.classes.items():
            if name == "name_stop":  # matched per word by the argument finder, not by the regex
                continue
            for f in forms:
                self._add(f.text, (_CLASS, name, f.prefix_ok, _suffix_rule(f)))
        for name, mod in ruleset.modalities.items():
            for f in mod.words:
                self._add(f.text, (_MODALITY, name, f.prefix_ok, _suffix_rule(f)))
            for f in mod.after_words:
                self._add(f.text, (_MODALITY_AFTER, name, f.prefix_ok, _suffix_rule(f)))
        self.regex = compile_words(list(self._entries))
        self.trigger_regex = compile_words(trigger_forms)  # the benchmark's floor
        phrases = [w for w in self._entries if " " in w]
        self._phrases_regex = compile_words(phrases)  # several-word forms only (see _scan)
        self._phrase_heads = frozenset(w.split(" ", 1)[0] for w in phrases)
        self._phrase_seconds: dict[str, set[str]] = {}  # first word of a phrase -> its second words
        for w in phrases:
            first, second = w.split(" ")[:2]
            self._phrase_seconds.setdefault(first, set()).add(second)
        self.trigger_forms = sorted(set(trigger_forms))
        self.args = ArgumentFinder(ruleset)

    def _add(self, text: str, entry: tuple[int, object, int, int]) -> None:
        self._entries.setdefault(text, []).append(entry)
        # ل + ال contract to لل: "للمستثمرين" holds المستثمرين without its alef.
        if entry[2] and text.startswith("ال") and len(text) >= 5 and " " not in text:
            self._entries.setdefault(text[2:], []).append((entry[0], entry[1], _AFTER_LL, entry[3]))

    def forget_words(self) -> None:
        """Empty the per-word caches, as on a fresh start (the benchmark times a first sight)."""
        self._words.clear()
        self._readings.clear()

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
                    e.confidence = round(min(0.99, e.confidence + 0.05), 3)
        return events

    # -- the pipeline -------------------------------------------------------------------------

    def _detect(self, text: str) -> list[Event]:
        folded = fold(text)
        scan = self._scan(folded.text)
        if not scan.any_trigger:
            return []
        doc = _Doc(self, folded, scan)
        found: list[_Candidate] = []
        for sent in doc.trigger_sentences():
            found.extend(self._sentence_events(doc, sent))
        return [self._complete(doc, c) for c in _merge(found)]

    def _scan(self, ft: str) -> _Scan:
        """The lexicon words of `ft`, word by word: what the combined regex would match, read from a
        cache of every word seen so far (news repeats its words). The regex runs on a word the first
        time it is seen, and in the text only where a listed phrase may start (see _Word). The same
        walk notes the words where a gazetteer name may begin, which spares the gazetteer a pass."""
        scan = _Scan()
        hits, name_starts = scan.hits, scan.name_starts
        words = self._words
        skip_to = 0
        n = len(ft)
        spaces = last = 0  # spaces before `last`, the start of the last hit
        tokens, starts = _split_words(ft)
        scan.words, scan.word_starts = tokens, starts
        for i in range(len(tokens)):
            token = tokens[i]
            start = starts[i]
            end = start + len(token)
            w = words.get(token)
            if w is None:
                w = self._word(token)
                if len(words) > _CACHE_LIMIT:
                    words.clear()
                words[token] = w
            name = w.name
            if name is not None and (
                not name or not (end + 1 < n and ft[end] == " " and ft[end + 1].isalnum())
                # the next word starts at end + 1 (a letter after one space): its own startswith, a
                # compiled primitive, tells the same as the text's (with a start, a generic call)
                or (tokens[i + 1].startswith(name) if w.name_plain else ft.startswith(name, end + 1))
            ):
                name_starts.append(start)
            if start < skip_to:
                continue  # inside a phrase matched before
            reading = w.reading
            if w.seconds:
                # One space and a word that no phrase goes on with: the word alone. Otherwise the
                # regex decides, in the text.
                plain_gap = end + 1 < n and ft[end] == " " and not ft[end + 1].isspace()
                if not plain_gap:
                    follows = True
                elif w.seconds_plain:  # all letters: only a word starting right there can begin with one
                    follows = i + 1 < len(tokens) and starts[i + 1] == end + 1 and tokens[i + 1].startswith(w.seconds)
                else:
                    follows = ft.startswith(w.seconds, end + 1)
                if follows:
                    found = self._match_at(ft, start)
                    if found is None:
                        continue
                    reading, end = found
                    skip_to = end
            if reading is None:
                continue
            hit = Hit(start, end, start + reading.prefix_len, reading.prefix, reading.suffix,
                      reading.rules, reading.classes, reading.mods, reading.mods_after, None, None, reading.cue_class)
            spaces += ft.count(" ", last, start)
            last = start
            hit.spaces = spaces
            if skip_to == end:  # read by the regex in the text: maybe a phrase of several words
                hit.inner = ft.count(" ", start, end)
            hits.append(hit)
            if reading.rules:
                scan.any_trigger = True
        return scan

    def _word(self, token: str) -> _Word:
        """What the combined regex reads in one word, the words that may follow it in a listed phrase
        that it begins (after any clitic prefix), and whether a gazetteer name may begin at it."""
        seconds: set[str] = set()
        for k in range(min(len(token), 5)):  # a clitic prefix has at most four letters (وبال)
            seconds.update(self._phrase_seconds.get(token[k:], ()))
        m = self.regex.match(token)
        reading = None
        if m is not None and m.end() == len(token):
            reading = self._read(m.group("p"), m.group("s"), m.group("x"))
        return _Word(reading, tuple(sorted(seconds)), self.gazetteer.may_begin(token))

    def _match_at(self, ft: str, start: int) -> tuple[_Reading | None, int] | None:
        """The combined regex at a word that may begin a phrase: its reading and where it ends."""
        m = self.regex.match(ft, start)
        if m is None:
            return None
        end = m.end()
        word = m.group()
        if m.group(1) and (word in self._phrase_heads or word[1:] in self._phrase_heads):
            # The prefix is tried first: "الدعم السريع" was matched as ال + دعم. A listed phrase
            # that starts here is the longer reading.
            whole = self._phrases_regex.match(ft, start)
            if whole is not None and whole.end() > end:
                m, word, end = whole, whole.group(), whole.end()
        cache = self._readings
        if word in cache:
            return cache[word], end
        reading = self._read(m.group("p"), m.group("s"), m.group("x"))
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[word] = reading
        return reading, end

    def _read(self, prefix: str, stem: str, suffix: str) -> _Reading | None:
        """The lexicon entries of one matched word, over the ways of splitting off clitics.

        A word can be read several ways: ``بهدف`` = the cue بهدف or ب + هدف; ``سكان`` = the noun
        or س + كان; ``بعدم`` = ب + عدم or بعد + م; ``أوقفت`` = the listed form or أوقف + ت.
        Triggers are taken from every reading (their rules check the context anyway). Word
        classes and cues come from the reading with the longest stem (ties: the one without a
        cut suffix), plus any other reading with the same suffix whose stem is longer than three
        letters (``الحدود`` listed whole and ال + حدود; but ``الحدودي`` is not حدود + ي).
        """
        if " " in stem or "\n" in stem or "\t" in stem:
            stem = " ".join(stem.split())
        entries = self._entries
        rules: list[Rule] = []
        prefix_len = len(prefix)
        suffix_out = suffix
        readings: list[tuple[int, int, int, str, list]] = []  # stem length, -cut, prefix length, suffix, entries
        # A shorter prefix may leave a longer stem holding letters the regex took for a suffix:
        # "سلمية" is the word سلمية, not س + لم + ية.
        splits = ((k, j) for k in range(len(prefix) + 1) for j in range(len(suffix) + 1 if k < len(prefix) else 1))
        for k, j in splits:
            pre, word, rest = prefix[:k], prefix[k:] + stem + suffix[:j], suffix[j:]
            if "س" in pre and word[:1] not in _IMPERFECT:
                continue  # the future س comes before a present-tense verb only (سلم is not س + لم)
            for cut in range(0, max(0, min(4 - len(rest), len(word) - 2)) + 1):  # a one-letter word (7) too
                if cut and word[-cut] not in SUFFIX_LETTERS:
                    break
                table = entries.get(word[: len(word) - cut] if cut else word)
                if table is None:
                    continue
                suf = rest or cut
                # A two-letter cue is a particle (لم، لن، لا، قد): only و or ف joins it, so "كلم"
                # (km) and "بلم" are no negation.
                particle = len(word) - cut <= 2 and pre.lstrip("وف")
                words = []
                for entry in table:
                    kind, obj, prefix_ok, suffix_ok = entry
                    if (pre and not prefix_ok) or (suf and not suffix_ok) or (suffix_ok == _SUFFIX_NEEDED and not suf):
                        continue
                    if prefix_ok == _AFTER_LL and not pre.endswith("لل"):
                        continue
                    if kind != _TRIGGER:
                        if not (particle and kind != _CLASS):
                            words.append(entry)
                    elif obj not in rules:
                        if not rules:
                            prefix_len, suffix_out = k, rest
                        rules.append(obj)  # type: ignore[arg-type]
                if words:
                    readings.append((len(word) - cut, -cut, k, rest, words))
        classes: set[str] = set()
        mods: set[str] = set()
        mods_after: set[str] = set()
        if readings:
            best_i = max(range(len(readings)), key=lambda i: readings[i][:2])
            best = readings[best_i]
            used = [r for i, r in enumerate(readings) if i == best_i or (r[0] > 3 and r[1] == best[1])]
            k = max(r[2] for r in used)
            if not rules and k < prefix_len and not prefix.endswith(("ال", "لل")):
                # The regex took a stem letter for a clitic: "سكان" is no س + كان, "ولاية" no و + لاية.
                prefix_len, suffix_out = k, max((r[0], r[3]) for r in used if r[2] == k)[1]
            for r in used:
                for kind, obj, _, _ in r[4]:
                    (classes if kind == _CLASS else mods if kind == _MODALITY else mods_after).add(obj)
        if not (rules or classes or mods or mods_after):
            return None
        return _Reading(tuple(rules), frozenset(classes), frozenset(mods), frozenset(mods_after), prefix_len,
                        prefix[:prefix_len], suffix_out, not classes.isdisjoint(_CUE_CLASSES))

    def _sentence_events(self, doc: _Doc, sent: Sentence) -> list[_Candidate]:
        found: list[_Candidate] = []
        # A question covers its own clause: in "أكد الجيش تطويق غزة، فما هو التطويق؟" only the
        # part after the last comma asks.
        ft = doc.folded.text
        question_from = sent.end
        if _asks(ft, sent.start, sent.end):
            question_from = max(sent.start, max(ft.rfind(c, sent.start, sent.end) for c in "،,؛;:") + 1)
        for hit in sent.triggers:
            for rule in hit.rules:
                cand = self._apply(doc, sent, hit, rule, hit.start >= question_from)
                if cand is not None:
                    found.append(cand)
        kinds = {c.event.type for c in found}
        if kinds & _TOLD_AS_HISTORY and _old_year(ft, sent.start, sent.end):
            # A siege or a city's fall dated long ago is history ("حصار الخرطوم من عام 1884 إلى عام 1885"،
            # "حصار لينينغراد الذي انتهى عام 1944"), told in features and anniversaries; "منذ عام 1967" goes on.
            found = [c for c in found if c.event.type not in _TOLD_AS_HISTORY]
            kinds -= _TOLD_AS_HISTORY
        # A past state named beside its reversal ("reopened after a closure") is background.
        if "siege" in kinds:
            # Entrances or checkpoints shut round a place besieged in the same sentence are part of
            # the siege ("فرضت حصارا على البلدة وأغلقت جميع الحواجز المؤدية إليها"); see _GATES.
            found = [c for c in found if not c.gate]
        if {"crossing_closure", "crossing_reopening"} <= kinds:
            found = [c for c in found if not (c.event.type in CROSSING_TYPES and "background" in c.mods)]
        return found

    def _apply(self, doc: _Doc, sent: Sentence, hit: Hit, rule: Rule, question: bool) -> _Candidate | None:
        if rule.headline_only and not _is_headline(doc.folded.text, sent.start, sent.end):
            return None
        args: list[tuple[str, Hit]] = []
        reach = 10**6  # distance to the nearest required argument (the object)
        for w in rule.require:  # before the exclusions: most rules of a word fail here, and cheaply
            found = sent.nearest(hit, w.classes, w.before, w.after)
            if found is None:
                return None
            args.append((next(c for c in w.classes if c in found.classes), found))
            reach = min(reach, _distance(hit, found))
        for w in rule.exclude:
            if sent.nearest(hit, w.classes, w.before, w.after) is not None:
                return None
        for w in rule.object:
            found = sent.nearest(hit, w.classes, w.before, w.after)
            if found is not None:
                reach = min(reach, _distance(hit, found))
        for w in rule.lookalike:
            other = sent.nearest(hit, w.classes, w.before, w.after)
            if other is not None and _distance(hit, other) < reach:
                return None
        mods = self._modalities(doc, sent, hit, rule, question, args)
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
        return self._candidate(doc, sent, hit, rule, etype, status, args, mods)

    def _modalities(
        self, doc: _Doc, sent: Sentence, hit: Hit, rule: Rule, question: bool, args: list[tuple[str, Hit]]
    ) -> set[str]:
        found: set[str] = set()
        ft = doc.folded.text
        if question:
            found.add("question")
        # A definite participle describes a state ("جنوب دمشق المحاصر"), and so does one right after
        # the people it describes ("قلقها بشأن مصير 400 ألف مدني محاصر"): the cues before it belong to
        # its clause ("حذرت الهيئة في جنوب دمشق المحاصر من تفشي الوباء"), not to it.
        attributive = is_attributive(doc, hit) or _describes_people(sent, hit, ft)
        plain = hit.prefix.lstrip("وف")
        if "س" in plain:
            found.add("future")
        if plain == "ل" and _tells_result(doc, sent, hit):
            pass  # a result, not an aim: "أكمل الجيش سيطرته على المحور ليعزل بذلك القطاع"
        elif rule.purpose_prefix:
            # لاستعادة السيطرة، لاقتحام: a ل on the trigger or on the verb that carries it.
            for h in (hit, *(a for _, a in args if a.ti < hit.ti)):
                if h.prefix.lstrip("وف") in ("ل", "لل"):
                    found.add("purpose")
        elif rule.type == "siege" and plain == "ل":
            # A siege masdar with ل is an aim ("يتجهون لتطويق طرابلس"، "تحركت لمحاصرة البلدة"), but a
            # plain noun with ل is not ("تعرضت لحصار خانق").
            stem = ft[hit.stem_start : hit.end - len(hit.suffix)]
            if (_tafil(stem) or stem.startswith("محاصر") or stem[:1] in _IMPERFECT) and not any(  # "عادت القوات لتطويق المدينة": done again
                    w.lstrip("وف") in _WENT_BACK for w in ft[sent.start : hit.start].split()[-16:]):
                found.add("purpose")
        elif rule.type in CROSSING_TYPES and plain == "ل" and ft[hit.stem_start : hit.stem_start + 1] in ("ي", "ت", "ن"):
            found.add("purpose")  # a crossing to be opened or shut: "لتفتح المعابر"، "فلتفتح المعابر فورا" (a call)
        mods = self.ruleset.modalities
        cues = sent.cues
        # Coordinated triggers share their cues: in "بهدف تطويقهم وفرض حصار" and "علقت القصف
        # الجوي والمدفعي" the cue reaches the second trigger through the first. A carrier verb
        # takes the trigger as its object: "احتمال لفرض النظام طوقا" reaches the siege via فرض.
        start, lead = hit.ti, hit
        carried_aim = False  # a ل carrier in the chain made the event an aim
        for h in reversed(cues):
            if h.tj >= start:
                continue
            gap = start - h.tj
            if (gap <= 3 and any(r.type == rule.type for r in h.rules)) or (gap <= 8 and "carrier" in h.classes):
                # A carrier masdar with ل makes the event an aim ("توجه الجماعة لفرض حصار"، "لإعادة فتح
                # المعبر"، "نفذت حملة لبسط سيطرة الأمن"); a verb with ل tells what was done ("عاد النظام
                # ليفرض حصارا").
                word = ft[h.start : h.end].lstrip("وف")
                if ("carrier" in h.classes and gap <= 2 and word[:1] == "ل"
                        and (word[1:2] not in ("ي", "ت", "ن") or _tafil(word[1:]))):
                    found.add("purpose")
                    carried_aim = True
                start, lead = h.ti, h
            elif h.rules:
                break  # another event's word stands between: a carrier before it carries that one
        # The future س on the verb that carries the event plans it too: "ستفرض القوات حصارا"،
        # "ستقطع القوات طرق الإمداد" (a required argument before the trigger).
        carriers = (lead, *(a for _, a in args if a.ti < hit.ti))
        if any(h is not hit and "س" in h.prefix.lstrip("وف") for h in carriers):
            found.add("future")
        will = "س" in plain or "future" in found  # so far only the future س sets "future"
        barrier = hard = -1
        caller: Hit | None = None  # the word that calls for the event
        # Walk back from the trigger: cue words reach forward to it unless a clause break
        # (relative pronoun, "but", a new reporting verb) stands between. A denial reaches over
        # a relative clause ("نفت الوزارة الأنباء التي تحدثت عن إغلاق المعبر"), not over a new
        # statement ("نفى ذلك، وأكد أن القوات أغلقت المعبر").
        # What is called for, attempted or threatened is a masdar with ب or ل, or after إلى (طالب
        # بفتح، دعا إلى فتح، تسعى إلى تطويق، هددت بفرض حصار): the cue reaches it over a long subject
        # and object, not across a clause.
        word_ahead = word_before(ft, lead.start)  # the word right before the lead
        demanded = (lead.prefix.lstrip("وف")[:1] in ("ب", "ل") or word_ahead in _TO
                    or _detached_clitic(ft, lead.start) in ("ب", "ل"))
        ending = sent.hit_ending_before(lead.start)
        if (ending is not None and "cessation" in ending.mods and lead.ti - ending.tj <= 1
                and ending.prefix.lstrip("وف")[:1] in ("ب", "ل")):
            demanded = True  # "دعت الوكالات، يوم الجمعة، النظام بإنهاء حصاره": the call governs the lifting
        warned_of = word_ahead == "من"  # "حذر المتحدث، ...، المدنيين من حصار المدينة"
        if word_ahead == "من" and any(0 < lead.ti - h.tj <= _APPROACH_REACH for h in sent.of_class("approach")):
            # "تقترب القوات، بالتعاون مع ...، من حصار المدينة": close to it, not there yet.
            found.add("attempt")
        # The cues of the main clause do not reach an event told as its time ("علقت الرحلات بعد
        # استهدافه بالمسيرات": the flights were suspended, not the strike).
        cut = -1
        if word_ahead in _AFTER:
            cut = lead.ti - 1
            found.add("background")
        # A stop that did not happen ("لم توقف القوات قصف المخيم"، "لم يتوقف القصف"): the action goes
        # on, so neither the stop nor its negation is a cue of the event.
        unsaid = _negated_stops(cues, hit) | _failed_doer(sent, hit)
        for h in reversed(cues):
            if attributive:
                break
            if h.tj >= hit.ti or h is hit or h in unsaid:
                continue
            if barrier < 0 and h.tj < cut:
                barrier = cut
            if h.mods and hard < 0:
                dist = hit.ti - h.tj if h.tj >= start else start - h.tj
                said = _may(ft, h)
                for name in h.mods if said is None else said:
                    if name == "background" and any(h.tj < t.ti and t.tj < start and not is_attributive(doc, t)
                                                    for t in sent.triggers):
                        # "بعد سنوات من إغلاقه، أعيد فتح المعبر": the past state is the nearer event (but not
                        # an adjective: "بعد أن كانت المعابر المغلقة تفتح بين الحين والآخر")
                        continue
                    if name == "background" and _time_span_after(ft, h, lead):
                        continue  # "وبعد 10 أيام فتحت المعبر": a time, not a past state
                    if (dist <= mods[name].before or name == "future" and dist <= _COPULA_REACH and _becomes(ft, h, hit)) and (
                            barrier < 0 or name in _BARRIER_EXEMPT):
                        found.add(name)
                        if name == "demand":
                            caller = caller or h
                        if name == "cessation" and ft[h.start : h.end].lstrip("وف")[:1] == "ل":  # لفك is listed whole
                            found.add("purpose")  # لرفع الحصار: lifting it is the aim
                if (barrier < 0 and not h.mods.isdisjoint(_CALLS) and dist <= _DEMAND_OBJECT_REACH and "ه" not in h.suffix
                        and (demanded or (not h.mods.isdisjoint(_BARE_CALLS) and dist <= _BARE_OBJECT_REACH))):
                    # "طالب مئات الطلبة العالقين، أمس، السلطات ... بفتح المعبر" (not اقترحتها: that
                    # verb has its object); an attempt or a threat only within its clause ("تسعى من
                    # خلال هذه الحشود إلى تطويق المدينة"); an attempt or a call also on a bare object
                    # in its clause ("يحاول الجيش والميليشيات الموالية له تطويق الأحياء"، "ناشدت الإدارة
                    # العامة للمعابر السلطات المصرية فتح المعبر"), the nearest one only ("دعوات للسكان
                    # إلى النزوح جنوبا تحت وطأة القصف": the shelling is not called for; but "دعا إلى فك
                    # الحصار": a masdar right before it governs it)
                    # (a quote opening right before the lead quotes the event: تخطط لـ "فرض حصار")
                    between = ft[h.end : lead.start].rstrip(_DETACHED_GAP)
                    own_clause = not _CLAUSE_MARKS.intersection(_ASIDE.sub(" ", _QUOTED_NAME.sub("", between)))
                    if not demanded:
                        own_clause = own_clause and not any(
                            h.end <= t.start and t.tj < lead.ti - 1 for t in sent.triggers)
                    found.update(name for name in h.mods & (_CALLS if demanded else _BARE_CALLS)
                                 if (name == "demand" and demanded) or own_clause)
                    if "demand" in found:
                        caller = caller or h
                if (barrier < 0 and warned_of and "threat" in h.mods and dist <= _WARNED_REACH
                        and not any(h.end <= t.start and t.tj < lead.ti for t in sent.triggers)):
                    found.add("threat")  # a warning reaches what it warns of (من + the event) over a long object
                if (barrier < 0 and "threat" in h.mods and dist <= _FEARED_REACH and _feared_clause(ft, h.end, lead.start)
                        and not any(h.end <= t.start and t.tj < lead.ti for t in sent.triggers)):
                    # A fear or warning reaches into the clause it introduces with أن, over a long subject
                    # ("يخشى الفلسطينيون أن تفرض الحكومة ... حصارا"، "حذر المكتب، من أن نجاح القوات في حصارها").
                    found.add("threat")
                if (barrier < 0 and "negation" in h.mods and "negation" not in found and dist <= _GOVERNED_REACH
                        and self._governed(doc, sent, h, lead)):
                    # A siege the forces could not (yet) close is one they are after: "لم تتمكن القوات من
                    # إطباق الحصار على المدينة", "لم تنجح في تطويق البلدة".
                    verb = ft[h.end : lead.start].split()[0]
                    found.add("attempt" if rule.type == "siege" and self._succeeds(verb) else "negation")
            if barrier < 0 and "scope_break" in h.classes:
                barrier = h.ti
            if hard < 0 and "report_break" in h.classes and word_before(ft, h.start) not in _REPORTED_BY:
                hard = h.ti
        for h in cues:
            if h.ti <= hit.tj or not h.mods_after:
                continue
            if any(w in _RELATIVES for w in ft[hit.end : h.start].split()):
                continue  # "محاصرتهم في المنطقة التي أعلنوا منها دولتهم المزعومة": the cue is the relative clause's
            if attributive and "background" not in h.mods_after:
                continue  # "من المدينة المحاصرة يوم الأربعاء إذا صمد الاتفاق": the condition is another clause's
            if _CLAUSE_MARKS.intersection(ft[hit.end : h.start]) and (
                    ft[h.stem_start : h.end] in _CLAUSE_VERBS
                    or any(hit.tj < t.ti and t.tj < h.ti and not is_attributive(doc, t) for t in sent.triggers)):
                # Another clause's verb ("فرض حصارا كاملا على القطاع، وأنه سيتم وقف الإمدادات"), or another
                # event nearer in another clause ("فرضت طوقا عليه، مهددة بالهجوم إذا لم ينسحب")
                continue
            for name in h.mods_after:
                if h.ti - hit.tj <= mods[name].after:
                    if (name == "hypothetical" and "threat" in found and hit.prefix.lstrip("وف")[:1] == "ب"
                            and not _CLAUSE_MARKS.intersection(ft[hit.end : h.start])):
                        continue  # "تهدد بقصف المطار إذا استقبل أسلحة": the condition is the threat's
                    found.add(name)
        if ("demand" in found and rule.type in _ORDERED and caller is not None and _by_force(sent, caller, ft)
                and self.ruleset.effect(rule, "demand") == "drop"):
            # A force that tells people to leave orders an evacuation ("دعا الجيش السكان إلى الإخلاء"،
            # "وجه الجيش تحذيرا للسكان طالبهم فيه بإخلاء منازلهم") or a displacement ("دعت إسرائيل
            # لتهجير السكان"): announced, not a mere call.
            found.discard("demand")
            found.add("future")
        if rule.type == "evacuation" and "agreement" in found:
            # Talks or a deal whose aim is a way out are about it: "محادثات لتأمين ممر آمن للمدنيين".
            found.discard("purpose")
        if will and "hypothetical" in found and "negation" not in found:
            # What one side says it will do if something happens is a threat ("أبلغت مصر بأنه سيقصف
            # القوافل في حال قررت إدخالها"); not a decision waited for ("تنتظر القرار بفتح المعبر").
            found -= {"future", "hypothetical"}
            found.add("threat")
        if "cessation" in found and rule.type in _LASTING and found & (_NOT_DONE | _UNSURE):
            # The lifting is called for, planned, denied, not done or only possible ("طالب برفع الحصار
            # المفروض على غزة"، "لم يتم رفع الإغلاق عن المعبر"، "في حال عدم رفع الحصار"): what it would
            # lift is in force.
            found -= _NOT_DONE | _UNSURE | {"cessation"}
        elif (rule.type in _LASTING and found & (_UNSURE | _AIM) and not carried_aim
                and word_before(ft, hit.start).lstrip("وف") not in _TIGHTEN and (
                _ongoing(sent, lead, hit) or any("cessation" in h.mods and lead.ti - h.tj <= 1 for h in unsaid))):
            # What is feared, called off, conditional or aimed at is that it goes on ("في حال استمر
            # الحصار"، "يهدد باستمرار إغلاق المعبر"، "في حال عدم رفع الحصار"، "تهدف إلى ضمان استمرار
            # الحصار المفروض"), or what a state in force brings ("قلقه إزاء الحصار المفروض على غزة منذ
            # سنوات"): the state itself is in force. Not its tightening ("حذروا من تفاقم الحصار المفروض").
            found -= _UNSURE | _AIM
        return found

    def _governed(self, doc: _Doc, sent: Sentence, neg: Hit, trigger: Hit) -> bool:
        """Whether a negated verb governs the trigger from further than the negation reaches:
        as the complement of its object noun ("لم تصدر أي أوامر بإخلاء السكان"، "لم تُسجَّل أي حالة
        نزوح"، "لم تعلن الجهات موعدا لإعادة فتح المعبر"), or, after a verb that takes a verbal noun
        (light_verb, success), as its object ("لم تعلن السلطات إغلاق المعبر"، "لم تتمكن القوات من
        اقتحام البلدة"). Not through the doer ("لم تكتف القوات الإسرائيلية بإغلاق المعبر"), across a
        clause (punctuation, a stop word, a word with و) or after ليس ("ليست المرة الأولى لإغلاق")."""
        ft = doc.folded.text
        if ft.startswith("ليس", neg.stem_start):
            return False
        between = ft[neg.end : trigger.start]
        if any(c in between for c in _CLAUSE_MARKS):
            return False
        words = between.split()
        if len(words) < 2:
            return False
        verb, rest = words[0], words[1:]
        # After لم يتم the verb is a masdar: "لم يتم الإعلان عن إغلاق" reads as "لم يعلن عن إغلاق".
        takes_noun = self._takes_masdar(verb) or (verb.startswith("ال") and self._takes_masdar(verb[2:]))
        if takes_noun and len(rest) > 1 and rest[0] == "بعد":
            rest = rest[1:]  # "not yet": "لم تعلن بعد عن إغلاق"
        if takes_noun and "حتي" in rest:  # "so far": "لم تتمكن القوات حتى الآن من إطباق الحصار"
            i = rest.index("حتي")
            if i + 2 < len(rest) and rest[i + 1] in _NOW:
                rest = rest[:i] + rest[i + 2 :]
        # The verb's own preposition: تمكن من، نجح في، أعلن عن; any verb's إلى ("لم يؤد القصف إلى إغلاق المعبر").
        complement = (takes_noun and rest[-1] in ("من", "في", "عن")) or rest[-1] in _TO
        if complement:
            rest = rest[:-1]
        stops = self.args.stop_words
        if any(w in stops or w.lstrip("وف") in stops or (w[:1] == "و" and len(w) > 2) for w in rest):
            return False
        if trigger.prefix[:1] in ("و", "ف"):
            return False  # "لم يصدر بيان رسمي وأغلقت السلطات المعبر": a new clause
        tp = trigger.prefix
        agents = [h for h in sent.of_class("agent") if neg.end < h.start and h.end <= trigger.start]
        tail = ft[agents[-1].end : trigger.start].split() if agents else rest
        subject_only = bool(agents) and all(w.startswith("ال") for w in tail)  # the doer and its adjectives
        if complement or (takes_noun and tp in ("", "ال") and (subject_only or not rest)):
            return True
        if not rest or subject_only:
            return False
        governor = rest[-1]
        return tp[:1] in ("ب", "ل") or (not tp and not governor.startswith("ال"))

    def _succeeds(self, verb: str) -> bool:
        """Whether a verb after لم (present tense) is one of achieving: تتمكن، تنجح، تستطع."""
        return self._past_form_in(verb, _SUCCESS)

    def _takes_masdar(self, verb: str) -> bool:
        """Whether a verb after لم/لن (present tense) is one that takes a verbal noun (light_verb, success)."""
        return self._past_form_in(verb, _TAKES_MASDAR)

    def _past_form_in(self, verb: str, classes: frozenset[str]) -> bool:
        """Whether a present-tense verb's past form (يتمكن -> تمكن، تعلن -> أعلن، ينجح -> نجح) is a word
        of one of `classes`."""
        for form in (verb, verb[1:], "ا" + verb[1:]):
            for kind, obj, _, _ in self._entries.get(form, ()):
                if kind == _CLASS and obj in classes:
                    return True
        return False

    def _candidate(
        self, doc: _Doc, sent: Sentence, hit: Hit, rule: Rule, etype: str, status: str,
        args: list[tuple[str, Hit]], mods: set[str],
    ) -> _Candidate:
        """The event with what merging needs (type, status, crossing, confidence); the actor
        and places are added only to the events that survive merging (`_complete`)."""
        folded = doc.folded
        m0, m1 = folded.span(hit.start, hit.end)
        marks = [(m0, m1, "trigger")]
        for cls, a in args:
            m0, m1 = folded.span(a.start, a.end)
            marks.append((m0, m1, "crossing" if cls == "crossing" else "object"))
        conf = rule.confidence
        crossing = None
        gate = False
        taken: list[tuple[int, int]] = [(hit.start, hit.end)]
        if etype in CROSSING_TYPES:
            cross_hit = next((a for c, a in args if c == "crossing"), None)
            if cross_hit is not None:
                crossing, span, named = self.args.crossing(doc, sent, cross_hit)
                taken.append(span)
                conf += 0.05 if named else -0.1
                stem = doc.folded.text[cross_hit.stem_start : cross_hit.end - len(cross_hit.suffix)]
                gate = etype == "crossing_closure" and stem in _GATES and not (crossing and crossing.id)
        if status != "occurred":
            conf -= 0.05
        s0, s1 = doc.evidence_span(sent)
        event = Event(
            type=etype,
            status=status,
            confidence=_confidence(conf),
            evidence="",
            evidence_start=s0,
            crossing=crossing,
            rule=rule.id,
        )
        return _Candidate(event, sent, hit, mods, taken, gate, s1, marks)

    def _complete(self, doc: _Doc, cand: _Candidate) -> Event:
        """Add the actor and places as written, and sort the marks."""
        event, sent, hit = cand.event, cand.sent, cand.hit
        folded = doc.folded
        marks = cand.marks
        taken = list(cand.taken)
        if event.actor is None:
            actor = self.args.actor(doc, sent, hit, event.type)
            if actor is not None:
                event.actor = actor[0]
                taken.append(actor[1])
                marks.append((*folded.span(*actor[1]), "actor"))
            elif event.type in CROSSING_TYPES and event.crossing is not None:
                # "إغلاق معبر حيوي" (a headline) merged with "أغلقت سلطات النظام معبراً حيوياً": the
                # crossing's other mentions name who did it (the doer only: no marks outside the evidence).
                for other in sorted(cand.others, key=lambda c: c.pos):
                    if other.event.status == event.status:
                        actor = self.args.actor(doc, other.sent, other.hit, event.type)
                        if actor is not None:
                            event.actor = actor[0]
                            break
        if event.target is None and event.type in _PEOPLE_TARGETS:
            target = self.args.target(doc, sent, hit, taken, event.type)
            if target is not None:
                event.target = target[0]
                taken.append(target[1])
                marks.append((*folded.span(*target[1]), "target"))
        if not event.places:
            for place, span in self.args.places(doc, sent, hit, taken, event.type):
                event.places.append(place)
                marks.append((*folded.span(*span), "place"))
        event.evidence = folded.original[event.evidence_start : cand.evidence_end]
        event.marks = [Mark(m0, m1, role) for m0, m1, role in sorted(set(marks))]
        return event


class _Candidate:
    """An event found in a sentence, with the context needed to merge and complete it."""

    __slots__ = ("event", "sent", "hit", "mods", "taken", "gate", "others", "evidence_end", "marks")

    def __init__(self, event: Event, sent: Sentence, hit: Hit, mods: set[str], taken: list[tuple[int, int]],
                 gate: bool, evidence_end: int, marks: list[tuple[int, int, str]]) -> None:
        self.event, self.sent, self.hit, self.mods, self.taken = event, sent, hit, mods, taken
        self.gate = gate  # a closure of entrances or checkpoints (see _GATES)
        self.others: list[_Candidate] = []  # mentions merged into this one
        self.evidence_end = evidence_end  # the evidence text is cut only for the events kept
        # (start, end, role) in the original text; made Marks only for the events kept (_complete).
        self.marks = marks

    @property
    def pos(self) -> int:
        return self.hit.start


class _Doc:
    """Per-article state: the folded text, the hits, sentences and lazily built caches."""

    def __init__(self, detector: Detector, folded: Folded, scan: _Scan) -> None:
        self.detector = detector
        self.folded = folded
        self.hits = hits = scan.hits
        self.name_starts = scan.name_starts
        self.words, self.word_starts = scan.words, scan.word_starts
        self.hit_starts = [h.start for h in hits]
        ft = folded.text
        bounds = [0]
        for m in _sentence_ends(ft):
            i = m.start()
            if ft[i] == "." and 0 < i and "\n" not in ft[i : m.end()]:
                if m.end() == i + 1 and ft[i - 1].isdigit() and ft[i + 1 : i + 2].isdigit():
                    continue  # a decimal point
                if ft[i - 1].isalpha() and (i == 1 or not ft[i - 2].isalnum()):
                    continue  # a one-letter abbreviation: "د. حنان" (Dr.), "أ.د."
            bounds.append(m.end())
        if bounds[-1] != len(ft):
            bounds.append(len(ft))
        self.bounds = _cap_sentences(ft, bounds)
        self._sentences: dict[int, Sentence] = {}
        self._gaz: tuple[list[Hit], list[Hit]] | None = None
        self._gaz_starts: tuple[list[int], list[int]] = ([], [])
        self.named_crossings: list[tuple[int, str, Crossing]] | None = None  # built by ArgumentFinder
        self.named_positions: list[int] = []
        self.phrases: dict[tuple, Any] = {}  # ArgumentFinder's phrase cache

    def sentence_index(self, pos: int) -> int:
        return bisect_after(self.bounds, pos) - 1

    def next_word(self, pos: int, stop: int) -> tuple[int, int]:
        """Start and end of the word at or after `pos`, cut at `stop`; (-1, -1) if none begins before
        `stop`. What the regex (\\W*)(\\w+) matches as its second group, from the scan's words."""
        starts = self.word_starts
        lo = bisect_after(starts, pos)
        if lo and starts[lo - 1] + len(self.words[lo - 1]) > pos:  # inside a word: its rest
            ws, we = pos, starts[lo - 1] + len(self.words[lo - 1])
        elif lo < len(starts):
            ws = starts[lo]
            we = ws + len(self.words[lo])
        else:
            return -1, -1
        if ws >= stop:
            return -1, -1
        return ws, min(we, stop)

    def word_after(self, pos: int, stop: int, gap: str | None = None) -> tuple[int, int]:
        """`next_word`, when only `gap` characters (white space by default) stand before it."""
        ws, we = self.next_word(pos, stop)
        if ws < 0:
            return -1, -1
        if ws == pos + 1 and self.folded.text[pos] == " " and (gap is None or " " in gap):
            return ws, we  # one space (the common case, without a call to strip)
        if self.folded.text[pos:ws].strip(gap):
            return -1, -1
        return ws, we

    def trigger_sentences(self) -> list[Sentence]:
        idxs = sorted({self.sentence_index(h.start) for h in self.hits if h.rules})
        return [self.sentence(i) for i in idxs]

    def sentence(self, i: int) -> Sentence:
        sent = self._sentences.get(i)
        if sent is not None:
            return sent
        start, end = self.bounds[i], self.bounds[i + 1]
        hits = self.hits[bisect_before(self.hit_starts, start) : bisect_before(self.hit_starts, end)]
        cross, places = self.gazetteer_hits()
        cs, ps = self._gaz_starts
        extra = cross[bisect_before(cs, start) : bisect_before(cs, end)] + places[bisect_before(ps, start) : bisect_before(ps, end)]
        if extra:
            _quiet_inside_names(hits, extra)
            hits = _merged(hits, extra)
        sent = Sentence(start, end, hits)
        # Word positions for the windows: spaces before the hit, less spaced-out punctuation
        # (" – "). A word glued to punctuation counts with its neighbour, which windows of
        # several words tolerate, and this is far cheaper than tokenising every sentence.
        ft = self.folded.text
        count = ft.count
        body = ft[start:end]
        loose = [p for p in _LOOSE_PUNCT if p in body] if _ANY_LOOSE.search(body) else []
        # Spaces before the sentence, from the first hit the scan counted (not from the text's start).
        before = next((h.spaces - count(" ", start, h.start) for h in hits if h.spaces >= 0), 0)
        for h in hits:
            if h.spaces >= 0:  # counted by the scan
                ti = h.spaces - before
                tj = ti + h.inner
            else:
                ti = count(" ", start, h.stem_start)
                tj = ti + count(" ", h.stem_start, h.end)
            for p in loose:
                n = count(p, start, h.stem_start)
                ti -= n
                tj -= n
            h.ti, h.tj = ti, tj
        sent.index()
        self._sentences[i] = sent
        return sent

    def gazetteer_hits(self) -> tuple[list[Hit], list[Hit]]:
        if self._gaz is None:
            gz = self.detector.gazetteer
            ft = self.folded.text
            found_crossings, found_places = gz.find(ft, self.name_starts)
            cross = [self._gaz_hit(s, e, _GAZ_CROSSING, c, None) for s, e, c in found_crossings]
            places = [self._gaz_hit(s, e, _GAZ_PLACE, None, p) for s, e, p in found_places if not self._own_word(s, e)]
            cross.sort(key=lambda h: h.start)
            places.sort(key=lambda h: h.start)
            self._gaz = (cross, places)
            self._gaz_starts = ([h.start for h in cross], [h.start for h in places])
        return self._gaz

    def _gaz_hit(self, s: int, e: int, classes: frozenset[str], crossing: Crossing | None, place: Place | None) -> Hit:
        hit = Hit(s, e, s, "", "", (), classes, _EMPTY, _EMPTY, crossing, place)
        ft = self.folded.text
        w = s
        while w > 0 and ft[w - 1].isalnum():
            w -= 1
        hit.word_start = w
        return hit

    def _own_word(self, s: int, e: int) -> bool:
        """A gazetteer place that is exactly one of our own words (سلطات is also a Moroccan
        town, an agent here) is the word, not the place."""
        i = bisect_before(self.hit_starts, s - 3)
        while i < len(self.hits) and self.hits[i].start <= s:
            h = self.hits[i]
            if h.end == e and (h.start == s or h.stem_start == s) and (h.rules or h.mods or not h.classes <= _GAZ_PLACE):
                return True
            i += 1
        return False

    def evidence_span(self, sent: Sentence) -> tuple[int, int]:
        """The sentence in original offsets, without surrounding white space."""
        s0, s1 = self.folded.span(sent.start, sent.end)
        original = self.folded.original
        while s0 < s1 and original[s0].isspace():
            s0 += 1
        while s1 > s0 and original[s1 - 1].isspace():
            s1 -= 1
        return s0, s1


def _quiet_inside_names(hits: list[Hit], names: list[Hit]) -> None:
    """A cue word that is part of a known name after its first word is the name, not a cue: رفعت in
    "تل رفعت" lifts nothing. (The hit belongs to this article alone: its cue sets are replaced, not
    changed.)"""
    for name in names:
        for h in hits:
            if name.start < h.start < name.end and (h.mods or h.mods_after):
                h.mods = h.mods_after = _EMPTY


def _merged(hits: list[Hit], names: list[Hit]) -> list[Hit]:
    """Lexicon hits (in text order, no overlaps) and gazetteer names as one list ordered by start,
    the longer first, a lexicon hit before a name of the same span (a merge: the names are few)."""
    names.sort(key=lambda h: (h.start, -h.end))
    out: list[Hit] = []
    i, n = 0, len(hits)
    for name in names:
        while i < n and (hits[i].start < name.start or (hits[i].start == name.start and hits[i].end >= name.end)):
            out.append(hits[i])
            i += 1
        out.append(name)
    out.extend(hits[i:])
    return out


def _suffix_rule(f: WordForm) -> int:
    """A form's suffix_ok entry: 0 none may follow, 1 one may, _SUFFIX_NEEDED one must."""
    return _SUFFIX_NEEDED if f.needs_suffix else int(f.suffix_ok)


def _sentence_ends(ft: str) -> list[re.Match[str]]:
    """What `_SENT_END.finditer(ft)` finds. Its first characters are found with str.find, which skips
    letters far faster than the regex engine's test of each one against a set holding Arabic marks."""
    starts: list[int] = []
    for c in _SENT_END_CHARS:
        i = ft.find(c)
        while i >= 0:
            starts.append(i)
            i = ft.find(c, i + 1)
    starts.sort()
    out: list[re.Match[str]] = []
    end = 0
    for i in starts:
        if i >= end:
            m = _SENT_END.match(ft, i)
            if m is not None:
                out.append(m)
                end = m.end()
    return out


def _cap_sentences(ft: str, bounds: list[int]) -> list[int]:
    """Cut run-on "sentences" (extracted text without full stops, lists of headlines) at a
    comma or a space every MAX_SENTENCE_CHARS, so the work per sentence stays bounded."""
    out = [bounds[0]]
    for end in bounds[1:]:
        start = out[-1]
        while end - start > MAX_SENTENCE_CHARS:
            limit = start + MAX_SENTENCE_CHARS
            cut = max(ft.rfind("،", start + MAX_SENTENCE_CHARS // 2, limit), ft.rfind(",", start + MAX_SENTENCE_CHARS // 2, limit))
            if cut < 0:
                cut = ft.rfind(" ", start + MAX_SENTENCE_CHARS // 2, limit)
            start = (cut + 1) if cut >= 0 else limit
            out.append(start)
        out.append(end)
    return out


def _asks(ft: str, start: int, end: int) -> bool:
    """Whether the sentence ends with a question mark, closing quotes and spaces allowed after it
    (string methods from the end, not a regex search through the whole sentence)."""
    return ft[start:end].rstrip().rstrip(_CLOSING_QUOTES).rstrip().endswith(("?", "؟"))


def _is_headline(ft: str, start: int, end: int) -> bool:
    """Whether a sentence is a headline: a line of its own, of at most 20 words, with no full stop
    ("قوات المعارضة تسيطر على مدينة حماة"; a feed item that carries only its title)."""
    line = ft[start:end].strip()
    if not line or "\n" in line or line.count(" ") >= 20:
        return False
    i = start
    while i > 0 and ft[i - 1] in " \t":
        i -= 1
    if i > 0 and ft[i - 1] != "\n":
        return False
    return line.rstrip("\"'»”)")[-1:] not in (".", "!", "?", "؟", "؛", ":", "،", ",")


def _tafil(word: str) -> bool:
    """Whether a word starting with ت is a masdar of the form تفعيل (تشديد، تكثيف، تضييق), not a
    present-tense verb (تفرض)."""
    return len(word) == 5 and word[0] == "ت" and word[3] == "ي"


def _feared_clause(ft: str, start: int, lead: int) -> bool:
    """Whether the lead stands inside the أن clause that follows a fear or warning (between `start`, the
    cue's end, and `lead`), not as its first word: in "حذر من أن الحصار المفروض يدفع السكان إلى المجاعة"
    the siege is in force and the warning is of what it does."""
    last = None
    for m in _THAT.finditer(ft, start, lead):
        last = m
    if last is None:
        return False
    between = ft[last.end() : lead]
    return bool(between.strip()) and not _CLAUSE_MARKS.intersection(between)


def _becomes(ft: str, cue: Hit, hit: Hit) -> bool:
    """Whether `cue` is a future verb of becoming whose predicate is the participle `hit`, in one clause."""
    return (ft[cue.start : cue.end].lstrip("وف") in _BECOME and not hit.prefix and ft.startswith("م", hit.stem_start)
            and not _CLAUSE_MARKS.intersection(ft[cue.end : hit.start]))


_ROUNDED: dict[float, float] = {}  # a rule's confidence and its few adjustments: round() is slow on floats


def _confidence(conf: float) -> float:
    """`conf` kept within 0.05-0.99 and rounded to three places."""
    found = _ROUNDED.get(conf)
    if found is None:
        found = _ROUNDED[conf] = round(max(0.05, min(0.99, conf)), 3)
    return found


def _tells_result(doc: _Doc, sent: Sentence, hit: Hit) -> bool:
    """Whether بذلك ("thereby") follows the trigger: its ل then tells what came of it, not an aim."""
    ws, we = doc.word_after(hit.end, sent.end)
    return doc.folded.text[ws:we] in _THEREBY


def _old_year(ft: str, start: int, end: int) -> bool:
    """Whether a year before 1990 is named (عام 1884، سنة 845، مارس 1884), not as the start of what goes on
    (منذ عام 1967، منذ حزيران 1967)."""
    if _OLD_YEAR_DIGITS.search(ft, start, end) is None:
        return False  # no such number at all (the cheap test: _OLD_YEAR is tried at every letter)
    for m in _OLD_YEAR.finditer(ft, start, end):
        if word_before(ft, m.start()).lstrip("و") != "منذ":
            return True
    return False


def _detached_clitic(ft: str, pos: int) -> str:
    """A ب or ل written apart from the word at `pos` (لـ "فرض حصار", the tatweel folded away), or ""."""
    i = pos
    while i > 0 and ft[i - 1] in _DETACHED_GAP:
        i -= 1
    if i == pos or i == 0 or (i > 1 and ft[i - 2].isalnum()):
        return ""
    return ft[i - 1]


def _negated_stops(cues: list[Hit], hit: Hit) -> set[Hit]:
    """The stop words before `hit` with a negation right before them, and those negations."""
    out: set[Hit] = set()
    prev: Hit | None = None
    for h in cues:
        if h.tj >= hit.ti:
            break
        if prev is not None and "cessation" in h.mods and "negation" in prev.mods and prev.tj == h.ti - 1:
            out.update((prev, h))
        prev = h
    return out


def _failed_doer(sent: Sentence, hit: Hit) -> set[Hit]:
    """The negation before a verb of outcome whose doer is the trigger ("لم تفلح الهجمات في"، "لم
    تحل غارات التحالف دون تقدمه"): what failed is the outcome, the event itself happened."""
    for verb in sent.of_class("outcome"):
        if verb.tj + 1 == hit.ti:
            return {h for h in sent.cues if "negation" in h.mods and h.tj + 1 == verb.ti}
    return set()


def _ongoing(sent: Sentence, lead: Hit, hit: Hit) -> bool:
    """Whether a word of going on stands right before the trigger, or before its doer (استمرار الحصار،
    استمر الإغلاق، استمرار الاحتلال فرض حصاره), or right after it (الحصار المفروض، الحصار المستمر،
    الإغلاق المتواصل منذ أشهر)."""
    return any((h.ti <= lead.ti and lead.ti - h.tj <= 2) or (h.ti > hit.tj and h.ti - hit.tj <= 1)
               for h in sent.of_class("ongoing"))


def _describes_people(sent: Sentence, hit: Hit, ft: str) -> bool:
    """Whether an indefinite participle comes right after the people it describes (مدني محاصر،
    عائلات محاصرة)."""
    if hit.prefix or not ft.startswith("م", hit.stem_start):
        return False
    return any(h.tj == hit.ti - 1 for h in sent.of_class("people"))


def _by_force(sent: Sentence, caller: Hit, ft: str) -> bool:
    """Whether an armed force is named next to the word that calls (its subject, or the one it
    speaks for: "جيش الاحتلال ... تحذيرا للسكان طالبهم")."""
    subject = next((h for h in sent.of_class("agent") if h.ti == caller.tj + 1), None)
    if subject is not None:  # the caller's own subject: "دعا الجيش" orders, "طالب برنامج الأغذية" calls
        return bool(subject.classes.intersection(_FORCES)) and subject.suffix not in NISBA
    # A force before it: its subject ("الجيش يدعو السكان"), or, when the call speaks from inside a
    # statement named before it, the one that made the statement ("وجه جيش الاحتلال تحذيرا للسكان
    # طالبهم فيه"، "أصدر الجيش تحذيرا عاجلا دعا فيه العاملين"، "تحذيرات أطلقتها إسرائيل دعت من خلالها").
    inside = caller.suffix[:1] in ("ه", "ك") or ft.startswith(_INSIDE_IT, caller.end + 1)
    reach = 8 if inside else 2
    # A call carried by a warning the force issued: "أصدر الجيش إنذارا جديدا لسكان 35 قرية بضرورة إخلائها".
    warning = next((h for h in reversed(sent.hits) if h.tj < caller.ti and caller.ti - h.tj <= 12
                    and ft[h.stem_start : h.end].startswith(_WARNING_NOUNS)), None)
    for cls in _FORCES:
        for h in sent.of_class(cls):
            if h.suffix in NISBA:
                continue  # "الإجراءات الأمنية": an adjective, not the force
            if 0 <= caller.ti - h.tj <= reach or (warning is not None and 0 <= warning.ti - h.tj <= 6):
                return True
    return False


def _may(ft: str, h: Hit) -> tuple[str, ...] | None:
    """What "قد" says: before a present-tense verb "may" (قد تواجه حصارا), a threat; before a past
    verb nothing of its own (قد أغلق المعبر اليوم: it has closed; in "كان قد فتح" the كان makes it
    background). None for any other word."""
    if "background" in h.mods and ft.startswith("قد", h.stem_start) and h.end - h.stem_start == 2:
        start = h.end
        while start < len(ft) and ft[start] == " ":
            start += 1
        end = ft.find(" ", start)
        verb = ft[start : end if end >= 0 else len(ft)]
        # A past verb in ت ends in the ت of "she" (تمكنت، تعرضت); تم is "has been".
        past = verb in ("تم", "تمت") or (verb[:1] == "ت" and verb[-1:] == "ت" and len(verb) >= 5)
        if verb[:1] in ("ي", "ت", "ن") and not past:
            return ("threat",)
        return ()
    return None


def _time_span_after(ft: str, h: Hit, lead: Hit) -> bool:
    """Whether "بعد" is followed by a span of time that leads straight to the event ("وبعد 10 أيام
    فتحت المعبر", "بعد ساعات أعيد فتحه"), not by the state it ended ("بعد يومين من الإغلاق")."""
    if ft[h.stem_start : h.end] != "بعد":
        return False
    words = ft[h.end : lead.start].split()
    if not words or len(words) > 3 or any(w in ("من", "علي") for w in words):
        return False
    first = words[0]
    return first[:1].isdigit() or first.lstrip("وف") in _TIME_SPANS or words[-1] in _TIME_SPANS


def _distance(a: Hit, b: Hit) -> int:
    return a.ti - b.tj if b.tj < a.ti else b.ti - a.tj if b.ti > a.tj else 0


def _merge(cands: list[_Candidate]) -> list[_Candidate]:
    """One event per crossing (per type) in an article, one per type in a sentence otherwise.

    A closure and a reopening of the same crossing in one article: the one told as background
    ("كان قد فتح المعبر في 2015", "المغلق منذ") gives way to the other.
    """
    by_crossing: dict[str, set[str]] = {}
    for c in cands:
        if c.event.type in CROSSING_TYPES:
            by_crossing.setdefault(_crossing_key(c.event), set()).add(c.event.type)
    cands = [
        c for c in cands
        if not (c.event.type in CROSSING_TYPES and "background" in c.mods
                and len(by_crossing.get(_crossing_key(c.event), ())) == 2)
    ]
    best: dict[tuple, _Candidate] = {}
    order: list[tuple] = []
    for c in cands:
        e = c.event
        key: tuple = (e.type, _crossing_key(e)) if e.type in CROSSING_TYPES else (e.type, e.evidence_start)
        cur = best.get(key)
        if cur is None:
            best[key] = c
            order.append(key)
        elif _rank(c) > _rank(cur):
            best[key] = c
            c.others = [*cur.others, cur]
            cur.others = []
        else:
            cur.others.append(c)
    return sorted((best[k] for k in order), key=lambda c: c.pos)


def _rank(c: _Candidate) -> tuple:
    e = c.event
    return (e.status == "occurred", e.confidence, bool(e.crossing), -c.pos)


def _crossing_key(e: Event) -> str:
    if e.crossing is None:
        return ""
    return e.crossing.id or _key_name(e.crossing.name)


def _key_name(name: str) -> str:
    key = _KEY_NAMES.get(name)
    if key is None:
        key = " ".join(_WORD.findall(fold(name).text))
        if len(_KEY_NAMES) > _CACHE_LIMIT:
            _KEY_NAMES.clear()
        _KEY_NAMES[name] = key
    return key


_WORD: Final = re.compile(r"\w+")
_KEY_NAMES: Final[dict[str, str]] = {}  # crossing names as written -> their merge key
