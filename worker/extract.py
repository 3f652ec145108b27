"""The body, title, date and language of a news page, for the detector.

The page is decoded here (worker.decode: meta charset honoured, Arabic single-byte pages
detected) so trafilatura only ever sees text. trafilatura runs with comments excluded and
precision favoured: a sidebar headline mistaken for body text is a false alert, a missed
paragraph is usually repeated elsewhere. Two fallbacks, both measured on the corpus: when the
precise body is short and the balanced mode finds more than twice as much, the balanced body is
used; when the body is still short and the page's JSON-LD `articleBody` is longer, that is used.
Dates: JSON-LD `datePublished`, then trafilatura's metadata, then a search of the visible text.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.html
import trafilatura
from htmldate import find_date
from lxml import etree

from worker.decode import decode_html
from worker.feedparse import html_to_text

log = logging.getLogger(__name__)

MIN_BODY_CHARS = 250  # below this the extracted body is suspect and JSON-LD may do better
MIN_TEXT_CHARS = 25  # shorter than this is navigation debris, not an article
SUSPECT_BODY_CHARS = 1500  # below this, check whether the balanced mode finds much more
ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ku", "ckb", "sd", "ug", "arz", "apc", "ary"})
_ARTICLE_TYPES = ("article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "backgroundnewsarticle", "opinionnewsarticle", "webpage", "liveblogposting")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass
class Article:
    text: str
    title: str | None
    date: str | None  # ISO date (YYYY-MM-DD) of publication, when the page says
    language: str | None
    encoding: str
    source: str = "trafilatura"  # or "json-ld" when the JSON-LD articleBody was used


def _json_ld_objects(tree: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            found.append(node)
            for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                if key in node:
                    walk(node[key])

    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            walk(json.loads(raw, strict=False))
        except ValueError:
            continue
    return found


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type") or []
    return [str(k).lower() for k in (kind if isinstance(kind, list) else [kind])]


def json_ld_article(tree: Any) -> dict[str, str]:
    """articleBody, headline and datePublished from the page's JSON-LD, as plain strings."""
    best: dict[str, str] = {}
    for obj in _json_ld_objects(tree):
        if not any(t in _ARTICLE_TYPES for t in _types(obj)):
            continue
        body = obj.get("articleBody") or obj.get("text") or ""
        body = html_to_text(body) if isinstance(body, str) else ""
        if len(body) >= len(best.get("body", "")):
            headline = obj.get("headline") or obj.get("name") or ""
            published = obj.get("datePublished") or obj.get("dateCreated") or ""
            best = {
                "body": body,
                "headline": html_to_text(headline) if isinstance(headline, str) else "",
                "date": published if isinstance(published, str) else "",
            }
    return best


def script_language(text: str, declared: str | None = None) -> str | None:
    """'ar' when Arabic script dominates the letters, unless the page names another Arabic-script
    language (fa, ur ...); otherwise the declared language. The lang attribute is often wrong."""
    declared = (declared or "").split("-")[0].split("_")[0].lower() or None
    letters = arabic = 0
    for ch in text[:5000]:
        if ch.isalpha():
            letters += 1
            if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff":
                arabic += 1
    if letters and arabic / letters >= 0.5:
        return declared if declared in ARABIC_SCRIPT_LANGUAGES else "ar"
    return declared


def _iso_date(value: str | None) -> str | None:
    m = _DATE.match((value or "").strip())
    return m.group(1) if m else None


def _page_language(tree: Any) -> str | None:
    html_el = tree if tree.tag == "html" else next(iter(tree.xpath("//html")), None)
    if html_el is not None and html_el.get("lang"):
        return html_el.get("lang")
    meta = tree.xpath('//meta[@http-equiv="content-language" or @property="og:locale"]/@content')
    return meta[0] if meta else None


def pick_body(extracted: str, ld_body: str) -> tuple[str, str]:
    """(body, source): the JSON-LD articleBody replaces a short extraction when it is longer."""
    if len(extracted) < MIN_BODY_CHARS and len(ld_body) > len(extracted):
        return ld_body, "json-ld"
    return extracted, "trafilatura"


_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " « ", " » ")


def clean_title(title: str | None, sitename: str | None) -> str | None:
    """The headline without a trailing or leading ' - Site name' (as <title> often carries)."""
    if not title:
        return None
    title = " ".join(title.split())
    site = " ".join((sitename or "").split())
    if site and title != site:
        for sep in _TITLE_SEPARATORS:
            if title.endswith(sep + site):
                return title[: -len(sep + site)].strip()
            if title.startswith(site + sep):
                return title[len(site + sep):].strip()
    return title


def _trafilatura(text: str, url: str | None, *, favor_precision: bool) -> Any:
    try:
        return trafilatura.bare_extraction(
            text, url=url, favor_precision=favor_precision, include_comments=False, include_tables=True,
            with_metadata=True, date_extraction_params={"original_date": True, "extensive_search": False},
        )
    except Exception:  # trafilatura has many parsing paths; one odd page must not kill the task
        log.warning("trafilatura failed on %s", url or "a page", exc_info=True)
        return None


def _searched_date(tree: Any, url: str | None) -> str | None:
    """htmldate's extensive search (dates in the visible text), minus its copyright-year guess.

    When nothing better is found it answers January 1st of the copyright year (measured on the CNN
    Arabic page: 2013-01-01 for a story of August 2013); a wrong date is worse than none.
    """
    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=True)
    except Exception:
        log.warning("date search failed on %s", url or "a page", exc_info=True)
        return None
    date = _iso_date(found)
    return None if date is None or date.endswith("-01-01") else date


def extract_article(html: bytes | str, *, url: str | None = None, http_charset: str | None = None,
                    encoding_hint: str | None = None, search_date: bool = True) -> Article | None:
    """The article on a page, or None when no body text can be found.

    `search_date=False` skips the slow search of the visible text for a date (up to seconds on
    big pages) when the caller has one already, e.g. from the feed entry.
    """
    if isinstance(html, bytes):
        text, encoding = decode_html(html, http_charset, hint=encoding_hint)
    else:
        text, encoding = html, "unicode"
    # lxml refuses str input that carries an encoding declaration (XHTML pages often do)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None

    doc = _trafilatura(text, url, favor_precision=True)
    body = (getattr(doc, "text", None) or "").strip()
    if len(body) < SUSPECT_BODY_CHARS:
        # Precision mode sometimes keeps only a fragment (measured on an UrduPoint page: 547 of
        # ~6,800 characters). When the balanced mode finds more than twice as much, take it.
        balanced = _trafilatura(text, url, favor_precision=False)
        if len((getattr(balanced, "text", None) or "").strip()) > 2 * len(body):
            doc, body = balanced, balanced.text.strip()
    title = getattr(doc, "title", None) or None

    ld = json_ld_article(tree)
    body, source = pick_body(body, ld.get("body", ""))
    if len(body) < MIN_TEXT_CHARS:
        return None
    title = clean_title(title or ld.get("headline") or None, getattr(doc, "sitename", None))
    # JSON-LD first: it keeps the outlet's own UTC offset, so the date is the outlet's calendar day
    # (measured: elbaladtv 2020-12-25T01:59+02:00, which trafilatura reports as the 24th in UTC).
    date = _iso_date(ld.get("date")) or _iso_date(getattr(doc, "date", None))
    if date is None and search_date:
        date = _searched_date(tree, url)
    language = script_language(body, _page_language(tree))
    return Article(text=body, title=title, date=date, language=language, encoding=encoding, source=source)
