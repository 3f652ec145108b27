"""The text to run detection on for one feed entry: the article page when we can get it, else the
feed's own content or summary, always with the reason when the page was not used."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from worker.config import Settings
from worker.extract import extract_article, script_language
from worker.feedparse import Entry
from worker.net import HTML_ACCEPT, FetchError, fetch, safe_url
from worker.urls import canonical_url

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
# Feed content this much longer than the page extraction means the extraction missed the body.
_FEED_CONTENT_RATIO = 1.5


@dataclass
class ArticleText:
    url: str | None  # canonical
    title: str
    text: str
    published: datetime | None  # timezone-aware UTC
    source: str  # "page" or "summary" (the feed entry's content or summary)
    fallback_reason: str | None  # why the page was not used; None when it was
    language: str | None = None
    fetched_url: str | None = None  # where the page was finally read from, after redirects
    retry_after: float | None = None  # seconds the page's host asked us to wait (429/503), for back-off


def _feed_text(entry: Entry) -> str:
    candidates = [t for t in (entry.content, entry.summary) if t]
    return max(candidates, key=len) if candidates else ""


def _date(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).replace(tzinfo=UTC)
    except ValueError:
        return None


def _fallback(entry: Entry, reason: str, fetched_url: str | None = None,
              retry_after: float | None = None) -> ArticleText:
    text = _feed_text(entry)
    if not text:
        reason += "; the entry has no content or summary either"
    return ArticleText(
        url=entry.url, title=entry.title, text=text, published=entry.published, source="summary",
        fallback_reason=reason, language=script_language(f"{entry.title}\n{text}"), fetched_url=fetched_url,
        retry_after=retry_after,
    )


def load_article(
    entry: Entry,
    *,
    settings: Settings,
    feed_encoding: str | None = None,
    client: httpx.Client | None = None,
) -> ArticleText:
    """Fetch and extract the entry's page; fall back to the entry's own text, saying why.

    The page is fetched from the link as the feed gave it (canonical URLs drop trailing slashes
    and tracking parameters some servers insist on), under the same SSRF, size and per-host rules
    as feeds. `feed_encoding` (the feed's `encoding:` override) is a hint for pages that declare
    no charset.
    """
    link = entry.raw_link or entry.url
    if not link:
        return _fallback(entry, "the entry has no link")
    try:
        result = fetch(link, settings=settings, accept=HTML_ACCEPT, client=client,
                       host_limit=settings.per_host_concurrency)
    except FetchError as exc:
        status = f" {exc.status}" if exc.status else ""
        log.info("article page not used for %s: %s", safe_url(link), exc)
        return _fallback(entry, f"fetch failed: {exc.kind}{status}", retry_after=exc.retry_after)
    if result.content_type not in _HTML_TYPES:
        return _fallback(entry, f"the page is {result.content_type}, not HTML", result.url)
    article = extract_article(result.content, url=result.url, http_charset=result.charset,
                              encoding_hint=feed_encoding, search_date=entry.published is None)
    if article is None or not article.text.strip():
        return _fallback(entry, "no article text found on the page", result.url)
    feed_text = _feed_text(entry)
    if len(feed_text) > _FEED_CONTENT_RATIO * len(article.text):
        return _fallback(entry, f"the page gave {len(article.text)} characters, the feed {len(feed_text)}",
                         result.url)
    try:
        url = entry.url or canonical_url(result.url)
    except ValueError:
        url = entry.url
    return ArticleText(
        url=url,
        title=entry.title or article.title or "",
        text=article.text,
        published=entry.published or _date(article.date),
        source="page",
        fallback_reason=None,
        language=article.language,
        fetched_url=result.url,
    )
