"""From a new feed entry to published alerts: store, fetch and extract, detect, group, publish.

Each step keeps its result in Redis under an id, so the Celery tasks pass ids only and a step
that is run again (a redelivered task) finds its input and does not publish anything twice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import datetime
from functools import lru_cache

from alerts import grouping, store
from alerts.model import Alert, Source
from worker import feedstate
from worker.articles import load_article
from worker.config import Config
from worker.detect import load_detector
from worker.feedparse import Entry
from worker.polling import entry_from_json, entry_to_json
from worker.redis_conn import get_redis, key

log = logging.getLogger(__name__)

KEEP = 7 * 86400  # entries and articles are kept a week for inspection and re-runs
PUBLISHED_TTL = 90 * 86400


def store_entry(feed_id: str, entry: Entry) -> str:
    entry_id = feedstate.url_digest(entry.url)
    payload = {"feed": feed_id, "entry": entry_to_json(entry)}
    get_redis().set(key("entry", entry_id), json.dumps(payload, ensure_ascii=False), ex=KEEP)
    return entry_id


def fetch_article(entry_id: str, config: Config) -> str | None:
    """Fetch and extract the entry's article (or fall back to its summary); returns the article id."""
    raw = get_redis().get(key("entry", entry_id))
    if raw is None:
        log.warning("entry %s is gone (expired?); nothing to fetch", entry_id)
        return None
    data = json.loads(raw)
    entry = entry_from_json(data["entry"])
    feed = config.feed(data["feed"])
    article = load_article(entry, settings=config.settings, feed_encoding=feed.encoding if feed else None)
    if article.fallback_reason:
        log.info("article %s: used the feed summary (%s)", entry.url, article.fallback_reason)
    record = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(article).items()}
    record["feed"] = data["feed"]
    get_redis().set(key("article", entry_id), json.dumps(record, ensure_ascii=False), ex=KEEP)
    return entry_id


@lru_cache(maxsize=4)
def _detector(extra_rules: tuple[str, ...]):
    return load_detector(list(extra_rules))


def warm_up(config: Config) -> None:
    _detector(tuple(config.settings.extra_rules))


def detect_and_publish(article_id: str, config: Config) -> list[tuple[Alert, str]]:
    """Detect events in the stored article, group them into alerts and publish what changed."""
    raw = get_redis().get(key("article", article_id))
    if raw is None:
        log.warning("article %s is gone (expired?); nothing to detect", article_id)
        return []
    art = json.loads(raw)
    feed = config.feed(art["feed"])
    events = _detector(tuple(config.settings.extra_rules)).detect(
        art.get("text") or "", title=art.get("title"), published=art.get("published")
    )
    if not events:
        return []
    source = Source(url=art["url"], feed=art["feed"], title=art.get("title"), published=art.get("published"),
                    outlet=(feed.name if feed and feed.name else art["feed"]))
    touched: dict[str, tuple[Alert, str]] = {a.id: (a, change) for a, change in
                                             grouping.record(events, source, settings=config.settings)}
    # A redelivered task finds its alerts already recorded ("unchanged"): publish any version that
    # was recorded but never published, so a crash between the two loses nothing.
    for event in events:
        alert = store.find_by_key(grouping.alert_key(event))
        if alert and alert.id not in touched and any(s.url == source.url for s in alert.sources):
            touched[alert.id] = (alert, "created" if alert.version == 1 else "updated")
    published = []
    for alert, change in touched.values():
        if publish_once(alert, change, config):
            published.append((alert, change))
    return published


def publish_once(alert: Alert, change: str, config: Config) -> bool:
    """Hand one alert version to delivery (or the console), once."""
    marker = key("published", alert.id, alert.version)
    r = get_redis()
    if r.exists(marker):
        return False
    publish(alert, change, config)
    r.set(marker, "1", ex=PUBLISHED_TTL)
    return True


def publish(alert: Alert, change: str, config: Config) -> None:
    if config.destinations:
        from alerts.tasks import enqueue_deliveries

        enqueue_deliveries(alert, change, config)
    else:
        from alerts.console import emit_console

        emit_console(alert, change, settings=config.settings)
