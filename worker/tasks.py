"""Intake tasks: thin wrappers that take ids, load the configuration and call plain functions."""

from __future__ import annotations

import logging

from celery.signals import worker_process_init

from worker import pipeline, polling, scheduler
from worker.celery_app import app
from worker.feedparse import Entry
from worker.runtime import current_config

log = logging.getLogger(__name__)

# acks_late + reject_on_worker_lost come from the app config: a worker killed mid-task hands the
# task back to the broker. Unexpected errors retry with back-off well inside the visibility timeout.
RETRY = {"autoretry_for": (Exception,), "retry_backoff": 10, "retry_backoff_max": 600, "max_retries": 8,
         "retry_jitter": True}


@worker_process_init.connect
def _warm_up(**_: object) -> None:
    """Load the detector's rules and gazetteer when a pool process starts, not on the first article."""
    try:
        pipeline.warm_up(current_config())
    except Exception:  # a bad rules file is reported again, clearly, by the first detect task
        log.exception("could not load the detector at start-up")


@app.task(name="rasd.feeds.poll", soft_time_limit=90, time_limit=120)
def poll_feed(feed_id: str) -> None:
    config = current_config()
    feed = config.feed(feed_id)
    if feed is None or not feed.enabled:
        scheduler.release_poll(feed_id)
        log.info("feed %s is no longer configured; not polled", feed_id)
        return

    def hand_on(entry: Entry) -> None:
        fetch_article.delay(pipeline.store_entry(feed.id, entry))

    polling.poll_and_record(feed, config.settings, hand_on)


@app.task(name="rasd.articles.fetch", soft_time_limit=90, time_limit=120, **RETRY)
def fetch_article(entry_id: str) -> None:
    article_id = pipeline.fetch_article(entry_id, current_config())
    if article_id:
        detect_article.delay(article_id)


@app.task(name="rasd.articles.detect", soft_time_limit=60, time_limit=90, **RETRY)
def detect_article(article_id: str) -> None:
    pipeline.detect_and_publish(article_id, current_config())
