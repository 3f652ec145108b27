"""Word patterns of the rule files, and the one regular expression that finds them all.

An analyst writes a word as it is spelled, e.g. ``أغلق`` or ``[يت]غلق``. Every word is folded
(see normalize.py) and compiled, together with every other word of every rule file, into ONE
regular expression over the folded article text:

    (?<!\\w) CLITICS (?P<s> TRIE-OF-ALL-STEMS ) SUFFIX (?!\\w)

* CLITICS: optional conjunction (و ف), preposition or particle (ب ك ل س), article (ال), so
  ``بإغلاق``, ``وللمعبر``, ``وسيغلق`` all reach the stems ``اغلاق``, ``معبر``, ``يغلق``; also the
  Levantine ع of على before the article (``عالمعبر`` = على المعبر).
* SUFFIX: up to four letters of the inflection/pronoun alphabet (ا ت ن ي و ه ك م), so ``أغلقت``,
  ``أغلقوها``, ``حصارها``, ``المحاصرين`` reach ``اغلق``, ``حصار``, ``محاصر``.
* The trie shares common beginnings, so the engine pays about one character test per position,
  not one per word.

Pattern syntax (kept deliberately small so rule files stay readable):

* ``[يتن]غلق``   a set of letters at one position
* ``منطقتي?``    ``?`` makes the previous letter (or set) optional
* ``حاجز (ال)?خوف``  ``(...)?`` makes a group of letters optional
* ``^سد``        no clitic prefix may precede (short stems that would otherwise over-match)
* ``اسرت$``      no suffix may follow
* ``القى القبض`` several words: clitics only on the first word, suffix only on the last
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Final

from .normalize import _DELETE_RE, fold_word

PREFIX = r"(?:[وف])?(?:[بك]?ال|عال|لل|[بلكس])?"
SUFFIX_LETTERS = "اتنيوهكم"
SUFFIX = f"[{SUFFIX_LETTERS}]{{0,4}}"
MAX_EXPANSION = 512

_ALLOWED: Final = re.compile(r"^[\^]?[\w\[\]()? ]+[$]?$")


class PatternError(ValueError):
    """A word pattern that cannot be compiled; the message says why."""


@dataclass(frozen=True)
class WordForm:
    """One literal folded form of a pattern, with its clitic constraints."""

    text: str  # folded; words separated by one space
    prefix_ok: bool = True
    suffix_ok: bool = True
    needs_suffix: bool = False  # a ta marbuta written ت: only before a pronoun (دفعتها, not the verb دفعت)


def expand(pattern: str) -> list[WordForm]:
    """All literal folded forms of one analyst pattern."""
    raw = " ".join(_DELETE_RE.sub("", pattern).split())  # diacritics and tatweel may be written
    if not raw:
        raise PatternError("empty word")
    if not _ALLOWED.match(raw):
        raise PatternError(f"{pattern!r}: only letters, [sets], ?, a leading ^ and a trailing $ are allowed")
    prefix_ok = not raw.startswith("^")
    suffix_ok = not raw.endswith("$")
    body = raw.strip("^$").strip()
    slots: list[list[str]] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "[":
            j = body.find("]", i)
            if j < 0:
                raise PatternError(f"{pattern!r}: '[' without ']'")
            letters = body[i + 1 : j]
            if not letters or not all(c.isalnum() for c in letters):
                raise PatternError(f"{pattern!r}: a [set] must hold letters only")
            slots.append(sorted({fold_word(c) for c in letters}))
            i = j + 1
        elif ch == "(":
            j = body.find(")", i)
            if j < 0 or body[j + 1 : j + 2] != "?":
                raise PatternError(f"{pattern!r}: a (group) must be closed and followed by ?, as in (ال)?")
            group = body[i + 1 : j]
            if not group or not all(c.isalnum() for c in group):
                raise PatternError(f"{pattern!r}: a (group) must hold letters only")
            slots.append([fold_word(group), ""])
            i = j + 2
        elif ch == "?":
            if not slots or "" in slots[-1]:
                raise PatternError(f"{pattern!r}: '?' must follow a letter or a [set]")
            slots[-1] = slots[-1] + [""]
            i += 1
        elif ch in "])":
            raise PatternError(f"{pattern!r}: {ch!r} without its opening bracket")
        else:
            slots.append([fold_word(ch) if ch != " " else " "])
            i += 1
    count = 1
    for s in slots:
        count *= len(s)
    if count > MAX_EXPANSION:
        raise PatternError(f"{pattern!r}: expands to {count} forms (more than {MAX_EXPANSION})")
    # A final ta marbuta is written ت before a suffix (مغادرة -> مغادرتها): add that spelling.
    marbuta = suffix_ok and body.endswith("ة")
    if marbuta:
        slots[-1] = ["ه", "ت"]
    out = []
    for combo in product(*slots):
        text = " ".join("".join(combo).split())
        if text:
            out.append(WordForm(text, prefix_ok, suffix_ok, marbuta and combo[-1] == "ت"))
    if not out:
        raise PatternError(f"{pattern!r}: matches nothing")
    return out


def _trie_regex(words: list[str]) -> str:
    """A regex alternation of `words` shaped as a trie; longer continuations are tried first."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        ends = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            atom = r"\s+" if ch == " " else re.escape(ch)
            branches.append(atom + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            # A word may end here: the continuation is optional (greedy, so longest first).
            return body + "?" if len(branches) == 1 and _is_atom(body) else f"(?:{body})?"
        return body

    return emit(trie)


def _is_atom(s: str) -> bool:
    return len(s) == 1 or s.startswith("\\") and len(s) == 2


def compile_words(words: list[str]) -> re.Pattern[str]:
    """The combined regex for the given literal folded forms (see the module docstring)."""
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<!\w)(?P<p>{PREFIX})(?P<s>{_trie_regex(sorted(set(words)))})(?P<x>{SUFFIX})(?!\w)")


def plain_alternation(words: list[str]) -> re.Pattern[str]:
    """Every word as a plain alternation, longest first: the naive baseline the bench reports."""
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
