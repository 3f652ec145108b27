"""Polling one feed against a real local server and a real Redis: validators, backfill, dedupe, health."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from conftest import Response

from worker import feedstate, polling, scheduler
from worker.config import Feed, Settings

SETTINGS = Settings(allow_private_networks=True, failures_before_failing=3, connect_timeout=2, read_timeout=2)


def rss(*items: tuple[str, datetime | None]) -> bytes:
    parts = []
    for link, published in items:
        date = f"<pubDate>{format_datetime(published)}</pubDate>" if published else ""
        parts.append(f"<item><title>خبر</title><link>{link}</link>{date}<description>نص</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>قناة</title>'
            + "".join(parts) + "</channel></rss>").encode()


def feed_at(server, path: str = "/feed.xml", fid: str = "f1") -> Feed:
    return Feed(id=fid, url=server.url(path), interval="5m")


def poll(feed: Feed, now: float | None = None) -> tuple[polling.PollOutcome, list[str]]:
    handed: list[str] = []
    outcome = polling.poll_and_record(feed, SETTINGS, lambda e: handed.append(e.url), now=now)
    return outcome, handed


def test_conditional_get_and_a_304_costs_no_parsing(rasd_env, http_server, monkeypatch):
    now = datetime.now(UTC)
    body = rss(("https://news.example/a", now))

    def handler(req):
        if req.headers.get("if-none-match") == '"v1"':
            return Response(304, b"", {"ETag": '"v1"'})
        return Response(200, body, {"ETag": '"v1"', "Content-Type": "application/rss+xml"})

    http_server.add("/feed.xml", handler)
    parsed = []
    real_parse = polling.parse_feed
    monkeypatch.setattr(polling, "parse_feed", lambda *a, **k: parsed.append(1) or real_parse(*a, **k))
    feed = feed_at(http_server)
    first, handed = poll(feed)
    assert first.ok and handed == ["https://news.example/a"]
    second, handed = poll(feed)
    assert second.ok and second.not_modified and handed == []
    assert len(parsed) == 1
    assert http_server.hits("/feed.xml")[1].headers.get("if-none-match") == '"v1"'
    state = feedstate.load_state("f1")
    assert state.polls == 2 and state.not_modified == 1


def test_first_poll_skips_old_entries_but_later_polls_take_everything_new(rasd_env, http_server):
    now = datetime.now(UTC)
    http_server.add("/feed.xml", rss(("https://news.example/old", now - timedelta(days=3)),
                                     ("https://news.example/undated", None),
                                     ("https://news.example/fresh", now - timedelta(hours=1))))
    feed = feed_at(http_server)
    outcome, handed = poll(feed)
    assert handed == ["https://news.example/fresh"]
    assert outcome.skipped_old == 2
    # After the first poll, a late-published old-dated item is still news to us.
    http_server.add("/feed.xml", rss(("https://news.example/old", now - timedelta(days=3)),
                                     ("https://news.example/late", now - timedelta(days=2))))
    _, handed = poll(feed)
    assert handed == ["https://news.example/late"]


def test_the_same_link_in_two_feeds_is_handed_on_once(rasd_env, http_server):
    now = datetime.now(UTC)
    http_server.add("/a.xml", rss(("https://news.example/story?utm_source=x", now)))
    http_server.add("/b.xml", rss(("https://NEWS.example/story#top", now)))
    _, first = poll(feed_at(http_server, "/a.xml", "a"))
    _, second = poll(feed_at(http_server, "/b.xml", "b"))
    assert len(first) == 1 and second == []


def test_failures_back_off_tell_ops_once_and_a_success_resets(rasd_env, http_server):
    http_server.add("/feed.xml", b"oops", status=500)
    feed = feed_at(http_server)
    now = time.time()
    dues = []
    for i in range(5):
        outcome, _ = poll(feed, now=now + i)
        assert not outcome.ok
        dues.append(rasd_env.zscore(scheduler._due_key(), "f1") - (now + i))
    assert dues[3] > dues[0] * 4  # exponential
    notices = [n for n in feedstate.recent_notices() if n["feed"] == "f1"]
    assert [n["kind"] for n in notices] == ["failing"]
    assert "500" in notices[0]["message"]
    http_server.add("/feed.xml", rss(("https://news.example/x", datetime.now(UTC))))
    outcome, _ = poll(feed, now=now + 10)
    assert outcome.ok
    state = feedstate.load_state("f1")
    assert state.failures == 0 and not state.failing
    assert feedstate.recent_notices()[0]["kind"] == "recovered"


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_keeps_the_feed_quiet_until_then(rasd_env, http_server, status):
    http_server.add("/feed.xml", b"slow down", status=status, Retry_After="3600")
    now = time.time()
    outcome, _ = poll(feed_at(http_server), now=now)
    assert not outcome.ok and outcome.retry_after == 3600
    assert rasd_env.zscore(scheduler._due_key(), "f1") >= now + 3600


def test_a_broken_feed_is_a_clear_failure_and_the_poll_lock_is_released(rasd_env, http_server):
    http_server.add("/feed.xml", b"<html><body>not a feed at all</body></html>",
                    Content_Type="text/html")
    rasd_env.set(scheduler._poll_lock_key("f1"), "x")
    outcome, handed = poll(feed_at(http_server))
    assert not outcome.ok and handed == []
    assert outcome.error
    assert not rasd_env.exists(scheduler._poll_lock_key("f1"))


def test_an_entry_whose_hand_on_failed_is_not_lost(rasd_env, http_server):
    http_server.add("/feed.xml", rss(("https://news.example/a", datetime.now(UTC))))
    feed = feed_at(http_server)

    def broken(entry):
        raise RuntimeError("broker down")

    with pytest.raises(RuntimeError):
        polling.poll_and_record(feed, SETTINGS, broken)
    key = feedstate.key("seen", feedstate.url_digest("https://news.example/a"))
    ttl = rasd_env.ttl(key)
    assert 0 < ttl <= polling.PENDING_TTL  # provisional: a later poll takes it again
    rasd_env.delete(key)  # as if the provisional claim had run out
    _, handed = poll(feed)
    assert handed == ["https://news.example/a"]
