"""Poll one feed: conditional GET, parse, and pick out the entries nobody has seen yet.

Plain functions; the Celery task in worker/tasks.py only loads ids and calls `poll_and_record`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from worker import feedstate, scheduler
from worker.config import Feed, Settings
from worker.feedparse import Entry, ParseError, parse_feed
from worker.net import FetchError, fetch

log = logging.getLogger(__name__)

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PENDING_TTL = 900  # an entry claimed but not yet handed on is retried by a later poll after this


@dataclass
class PollOutcome:
    ok: bool
    not_modified: bool = False
    new_entries: list[Entry] = field(default_factory=list)
    skipped_old: int = 0
    error: str | None = None
    error_kind: str | None = None
    retry_after: float | None = None


def poll_feed(feed: Feed, settings: Settings, state: feedstate.FeedState, *, now: float) -> PollOutcome:
    """Fetch and parse the feed; return entries not seen before (across all feeds).

    On the feed's first successful poll, entries older than the backfill window, or undated, are
    recorded as seen but not returned, so adding a feed does not flood ops with old news.
    """
    try:
        res = fetch(
            feed.url,
            settings=settings,
            etag=state.etag,
            last_modified=state.last_modified,
            accept=FEED_ACCEPT,
            host_limit=settings.per_host_concurrency,
        )
    except FetchError as e:
        return PollOutcome(ok=False, error=str(e), error_kind=e.kind, retry_after=e.retry_after)
    if res.not_modified:
        return PollOutcome(ok=True, not_modified=True)
    try:
        parsed = parse_feed(res.content, http_charset=res.charset, encoding_override=feed.encoding,
                            base_url=res.url)
    except ParseError as e:
        return PollOutcome(ok=False, error=f"feed could not be parsed: {e}", error_kind="parse")
    if parsed.bozo:
        log.info("feed %s is not well-formed (%s); %d entries recovered", feed.id, parsed.bozo_reason,
                 len(parsed.entries))
    state.etag, state.last_modified = res.etag, res.last_modified
    backfill = feed.backfill_hours if feed.backfill_hours is not None else settings.backfill_hours
    cutoff = None if state.first_poll_done else now - backfill * 3600
    outcome = PollOutcome(ok=True)
    for entry in parsed.entries:
        if not entry.url:
            continue
        if cutoff is not None and (entry.published is None or entry.published.timestamp() < cutoff):
            if feedstate.claim_entry(entry.url):
                outcome.skipped_old += 1
            continue
        if feedstate.claim_entry(entry.url, ttl=PENDING_TTL):
            outcome.new_entries.append(entry)
    return outcome


def record_outcome(feed: Feed, settings: Settings, state: feedstate.FeedState, outcome: PollOutcome,
                   *, now: float) -> float:
    """Update health and counters, tell ops about failing or quiet feeds once, and reschedule."""
    state.polls += 1
    state.last_attempt = now
    if outcome.ok:
        if state.failing:
            feedstate.add_notice("recovered", feed.id, "feed answers again")
        state.failures, state.failing, state.last_error = 0, False, None
        state.last_success = now
        state.first_poll_done = True
        if outcome.not_modified:
            state.not_modified += 1
        if outcome.new_entries:
            _note_new_entries(state, len(outcome.new_entries), now)
        else:
            _check_quiet(feed, state, now)
    else:
        state.failures += 1
        state.last_error = outcome.error
        if state.failures >= settings.failures_before_failing and not state.failing:
            state.failing = True
            feedstate.add_notice(
                "failing", feed.id, f"{state.failures} failed polls in a row; last error: {outcome.error}"
            )
    when = scheduler.next_due(feed, settings, ok=outcome.ok, failures=state.failures,
                              retry_after=outcome.retry_after, now=now)
    state.retry_after_until = now + outcome.retry_after if outcome.retry_after else None
    feedstate.save_state(feed.id, state)
    scheduler.schedule_at(feed.id, when)
    return when


def _note_new_entries(state: feedstate.FeedState, count: int, now: float) -> None:
    if state.last_new_entry is not None:
        gap = now - state.last_new_entry
        state.mean_gap = gap if state.mean_gap is None else 0.8 * state.mean_gap + 0.2 * gap
    state.last_new_entry = now
    state.entries_new += count
    state.quiet_reported = False


def _check_quiet(feed: Feed, state: feedstate.FeedState, now: float) -> None:
    """A feed that used to publish and has said nothing for much longer than usual is reported once."""
    if state.last_new_entry is None or state.mean_gap is None or state.quiet_reported:
        return
    quiet_for = now - state.last_new_entry
    if quiet_for > max(4 * state.mean_gap, 6 * 3600, 4 * feed.interval):
        state.quiet_reported = True
        hours = quiet_for / 3600
        feedstate.add_notice("quiet", feed.id, f"no new entries for {hours:.1f} h (usually every "
                                               f"{state.mean_gap / 3600:.1f} h)")


def poll_and_record(feed: Feed, settings: Settings, hand_on: Callable[[Entry], None],
                    *, now: float | None = None) -> PollOutcome:
    """Poll, hand every new entry on (enqueue it), then mark it seen for good, and reschedule."""
    now = time.time() if now is None else now
    state = feedstate.load_state(feed.id)
    try:
        try:
            outcome = poll_feed(feed, settings, state, now=now)
        except Exception as e:  # a bug must not leave the feed parked; record it as a failure
            log.exception("feed %s: polling failed", feed.id)
            outcome = PollOutcome(ok=False, error=f"internal error: {type(e).__name__}", error_kind="internal")
        for entry in outcome.new_entries:
            hand_on(entry)
            feedstate.claim_entry(entry.url, ttl=feedstate.SEEN_TTL, overwrite=True)
        record_outcome(feed, settings, state, outcome, now=now)
    finally:
        scheduler.release_poll(feed.id)
    log.info(
        "feed %s: %s", feed.id,
        f"error {outcome.error_kind}: {outcome.error}" if not outcome.ok else
        "not modified" if outcome.not_modified else
        f"{len(outcome.new_entries)} new, {outcome.skipped_old} old skipped",
    )
    return outcome


def entry_to_json(entry: Entry) -> dict:
    d = dict(entry.__dict__)
    if isinstance(d.get("published"), datetime):
        d["published"] = d["published"].isoformat()
    return d


def entry_from_json(d: dict) -> Entry:
    d = dict(d)
    if d.get("published"):
        p = datetime.fromisoformat(d["published"])
        d["published"] = p if p.tzinfo else p.replace(tzinfo=UTC)
    return Entry(**d)
