"""The scheduler tick against a real Redis: due feeds, poll locks, one acting scheduler, back-off."""

from __future__ import annotations

import time

import pytest

from worker import scheduler
from worker.config import Config, Feed, Settings


def make_config(*ids: str, interval: str = "2m", tick: float = 10) -> Config:
    return Config(
        settings=Settings(tick=tick),
        feeds=[Feed(id=i, url=f"https://example.org/{i}.xml", interval=interval) for i in ids],
    )


class Sent:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list]] = []

    def __call__(self, name: str, args: list) -> None:
        self.calls.append((name, args))

    @property
    def feeds(self) -> list[str]:
        return [a[0] for n, a in self.calls if n == "rasd.feeds.poll"]


def test_new_feeds_become_due_within_one_tick_and_are_dispatched_once(rasd_env):
    config = make_config("a", "b", "c", tick=10)
    now = 1_000_000.0
    scheduler.sync_feeds(config, now)
    assert sorted(scheduler.due_feeds(now + 10)) == ["a", "b", "c"]
    sent = Sent()
    assert sorted(scheduler.tick(config, token="s1", send=sent, now=now + 10)) == ["a", "b", "c"]
    assert scheduler.tick(config, token="s1", send=sent, now=now + 11) == []  # parked while polled
    assert sorted(sent.feeds) == ["a", "b", "c"]


def test_a_feed_being_polled_is_not_dispatched_again(rasd_env):
    config = make_config("a")
    sent = Sent()
    scheduler.sync_feeds(config, 0)
    scheduler.mark_due("a")
    assert scheduler.tick(config, token="s1", send=sent, now=100) == ["a"]
    # The poll has not reported back; even if the feed is made due again, the lock holds.
    scheduler.mark_due("a")
    assert scheduler.tick(config, token="s1", send=sent, now=101) == []
    scheduler.release_poll("a")
    assert scheduler.tick(config, token="s1", send=sent, now=102) == ["a"]
    assert sent.feeds == ["a", "a"]


def test_a_second_scheduler_stands_by(rasd_env):
    config = make_config("a", "b", "c")
    first, second = Sent(), Sent()
    scheduler.sync_feeds(config, 0)
    for fid in ("a", "b", "c"):
        scheduler.mark_due(fid)
    scheduler.tick(config, token="one", send=first, now=50)
    for fid in ("a", "b", "c"):
        scheduler.release_poll(fid)
        scheduler.mark_due(fid)
    assert scheduler.tick(config, token="two", send=second, now=51) == []
    assert second.calls == []
    assert sorted(first.feeds) == ["a", "b", "c"]


def test_standby_takes_over_when_the_leader_lease_ends(rasd_env):
    assert scheduler.acquire_leadership("one", ttl=0.3)
    assert not scheduler.acquire_leadership("two", ttl=0.3)
    deadline = time.monotonic() + 5
    while not scheduler.acquire_leadership("two", ttl=0.3):
        assert time.monotonic() < deadline, "the lease never expired"
        time.sleep(0.02)
    assert not scheduler.acquire_leadership("one", ttl=0.3)


def test_removed_feeds_are_dropped_from_the_schedule(rasd_env):
    scheduler.sync_feeds(make_config("a", "b"), 0)
    scheduler.sync_feeds(make_config("b"), 0)
    assert set(scheduler.due_feeds(10**10)) == {"b"}


@pytest.mark.parametrize("failures", [1, 2, 3, 5])
def test_failures_back_off_exponentially_up_to_the_cap(failures):
    feed = Feed(id="a", url="https://example.org/a.xml", interval="1m")
    settings = Settings(max_backoff="1h")
    waits = [scheduler.next_due(feed, settings, ok=False, failures=failures, retry_after=None, now=0)
             for _ in range(50)]
    expected = min(60 * 2**failures, 3600)
    assert all(0.8 * expected <= w <= expected for w in waits)


def test_success_uses_the_interval_with_jitter():
    feed = Feed(id="a", url="https://example.org/a.xml", interval="5m")
    waits = {scheduler.next_due(feed, Settings(), ok=True, failures=0, retry_after=None, now=0)
             for _ in range(50)}
    assert all(270 <= w <= 330 for w in waits)
    assert len(waits) > 1  # jittered, so feeds added together drift apart


def test_retry_after_is_honoured_and_capped():
    feed = Feed(id="a", url="https://example.org/a.xml", interval="1m")
    settings = Settings(max_backoff="2h")
    assert scheduler.next_due(feed, settings, ok=False, failures=1, retry_after=1800, now=0) >= 1800
    assert scheduler.next_due(feed, settings, ok=False, failures=1, retry_after=10**6, now=0) <= 7200
