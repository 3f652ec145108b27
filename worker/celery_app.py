"""The Celery application: queues, routes and the reliability settings every task shares."""

from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from worker import redis_conn

QUEUES = ("feeds", "articles", "detect", "alerts")

# Explicit names (shown in Flower) routed to queues by area, so each can scale on its own.
ROUTES = {
    "rasd.scheduler.*": {"queue": "feeds"},
    "rasd.feeds.*": {"queue": "feeds"},
    "rasd.articles.fetch": {"queue": "articles"},
    "rasd.articles.detect": {"queue": "detect"},
    "rasd.alerts.*": {"queue": "alerts"},
}

# Longer than any countdown we ever set; long waits are stored and re-dispatched by the tick.
VISIBILITY_TIMEOUT = 3600


def make_app() -> Celery:
    app = Celery("rasd", include=["worker.tasks", "alerts.tasks"])
    url = redis_conn.configured_url()
    app.conf.update(
        broker_url=url,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "global_keyprefix": redis_conn.prefix() + "celery:",
        },
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        result_backend=None,
        task_queues=[Queue(q, Exchange(q, type="direct"), routing_key=q) for q in QUEUES],
        task_default_queue="feeds",
        task_default_exchange="feeds",
        task_default_routing_key="feeds",
        task_routes=ROUTES,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=120,
        task_time_limit=150,
        worker_hijack_root_logger=False,
        worker_send_task_events=True,  # Flower's task list
        task_send_sent_event=True,
        timezone="UTC",
        enable_utc=True,
    )
    return app


app = make_app()
