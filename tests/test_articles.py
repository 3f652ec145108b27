"""worker.articles.load_article: page first, the feed's own text when the page cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from worker.articles import load_article
from worker.config import Settings
from worker.feedparse import Entry

PAGE = (Path(__file__).parent / "fixtures" / "intake" / "article-crossing-closure.html").read_bytes()
OPEN = Settings(allow_private_networks=True, connect_timeout=2, read_timeout=2)
SUMMARY = "أغلقت السلطات المعبر صباح اليوم."
PUBLISHED = datetime(2026, 3, 2, 5, 15, tzinfo=UTC)


def entry(link: str | None, *, summary: str = SUMMARY, content: str | None = None) -> Entry:
    return Entry(id=link or "sha1:x", url=link, title="إغلاق معبر الحدود الشمالي", summary=summary,
                 content=content, published=PUBLISHED, raw_link=link)


@pytest.fixture
def env(rasd_env):
    """load_article takes a per-host slot in Redis: every test here runs against the real one."""
    return rasd_env


def test_page_is_fetched_and_extracted(http_server, env):
    url = http_server.add("/news/1", PAGE, **{"Content-Type": "text/html; charset=utf-8"})
    got = load_article(entry(url), settings=OPEN)
    assert got.source == "page" and got.fallback_reason is None
    assert "مئة شاحنة محملة بالطحين" in got.text and "التي تعتمد على هذا الطريق" in got.text
    for furniture in ("الأكثر قراءة", "ارتفاع أسعار الذهب", "أضف تعليقك", "جميع الحقوق"):
        assert furniture not in got.text
    assert got.title == "إغلاق معبر الحدود الشمالي" and got.published == PUBLISHED
    assert got.language == "ar" and got.url == url and got.fetched_url == url
    req = http_server.hits("/news/1")[0]
    assert "text/html" in req.headers["accept"] and req.headers["user-agent"] == OPEN.user_agent


def test_page_date_fills_a_missing_feed_date(http_server, env):
    url = http_server.add("/news/2", PAGE)
    e = entry(url)
    e.published = None
    got = load_article(e, settings=OPEN)
    assert got.published == datetime(2026, 3, 2, tzinfo=UTC)


def test_redirected_page_records_where_it_was_read(http_server, env):
    final = http_server.add("/news/final", PAGE)
    url = http_server.add("/news/short", b"", 301, Location="/news/final")
    got = load_article(entry(url), settings=OPEN)
    assert got.source == "page" and got.fetched_url == final and got.url == url


def test_undeclared_windows_1256_page_with_the_feed_encoding_hint(http_server, env):
    text = PAGE.decode().replace('<meta charset="utf-8">', "")
    url = http_server.add("/news/3", text.encode("cp1256"), **{"Content-Type": "text/html"})
    got = load_article(entry(url), settings=OPEN, feed_encoding="windows-1256")
    assert got.source == "page" and "مئة شاحنة" in got.text


@pytest.mark.parametrize(
    "status,reason",
    [(404, "fetch failed: http_status 404"), (500, "fetch failed: http_status 500"),
     (429, "fetch failed: http_status 429")],
)
def test_http_errors_fall_back_to_the_summary(http_server, env, status, reason):
    url = http_server.add("/gone", b"", status)
    got = load_article(entry(url), settings=OPEN)
    assert (got.source, got.fallback_reason, got.text) == ("summary", reason, SUMMARY)
    assert got.title == "إغلاق معبر الحدود الشمالي" and got.published == PUBLISHED


def test_retry_after_is_passed_on(http_server, env):
    url = http_server.add("/busy", b"", 503, **{"Retry-After": "90"})
    got = load_article(entry(url), settings=OPEN)
    assert got.fallback_reason == "fetch failed: http_status 503" and got.retry_after == 90.0


def test_blocked_address_falls_back_without_contacting_it(http_server, env):
    url = http_server.add("/news/1", PAGE)
    got = load_article(entry(url), settings=Settings(connect_timeout=2, read_timeout=2))
    assert got.source == "summary" and got.fallback_reason == "fetch failed: blocked_address"
    assert http_server.hits("/news/1") == []


def test_feed_content_is_preferred_to_the_summary_on_fallback(http_server, env):
    url = http_server.add("/gone", b"", 404)
    content = "نص كامل من الخلاصة يذكر إغلاق المعبر وتكدس الشاحنات المحملة بالمساعدات."
    got = load_article(entry(url, content=content), settings=OPEN)
    assert got.text == content and got.source == "summary"


def test_non_html_and_empty_pages(http_server, env):
    url = http_server.add("/doc.pdf", b"%PDF-1.7 ...", **{"Content-Type": "application/pdf"})
    got = load_article(entry(url), settings=OPEN)
    assert got.fallback_reason == "the page is application/pdf, not HTML" and got.fetched_url == url
    url = http_server.add("/empty", b"<html><body><nav><a href='/'>x</a></nav></body></html>")
    got = load_article(entry(url), settings=OPEN)
    assert got.fallback_reason == "no article text found on the page" and got.text == SUMMARY


def test_page_much_shorter_than_the_feed_content(http_server, env):
    url = http_server.add("/teaser", "<html><body><article><p>" + "مقدمة الخبر فقط، والتتمة للمشتركين." * 2
                          + "</p></article></body></html>")
    content = "النص الكامل كما نشر في الخلاصة عن إغلاق المعبر وتكدس الشاحنات. " * 10
    got = load_article(entry(url, content=content), settings=OPEN)
    assert got.source == "summary" and got.text == content
    assert got.fallback_reason.startswith("the page gave ")


def test_no_link_and_nothing_at_all():
    got = load_article(entry(None), settings=OPEN)
    assert got.fallback_reason == "the entry has no link" and got.text == SUMMARY
    got = load_article(entry(None, summary=""), settings=OPEN)
    assert got.text == "" and "no content or summary" in got.fallback_reason


def test_oversized_page_falls_back(http_server, env):
    url = http_server.add("/huge", b"<html><body>" + b"<p>x</p>" * 200_000 + b"</body></html>")
    small = Settings(allow_private_networks=True, max_response_bytes=512 * 1024)
    got = load_article(entry(url), settings=small)
    assert got.fallback_reason == "fetch failed: too_large"
