"""Checklist item 1: every task is named, routed to a named queue, JSON only, acked late, time-limited."""

from __future__ import annotations

import pytest

from worker.celery_app import QUEUES, app

app.loader.import_default_modules()
RASD_TASKS = sorted(name for name in app.tasks if name.startswith("rasd."))


def test_the_pipeline_tasks_exist_with_explicit_names():
    assert {"rasd.feeds.poll", "rasd.articles.fetch", "rasd.articles.detect", "rasd.alerts.deliver"} <= set(
        RASD_TASKS
    )
    foreign = [n for n in app.tasks if not n.startswith(("rasd.", "celery."))]
    assert foreign == [], f"tasks without an explicit rasd.* name: {foreign}"


@pytest.mark.parametrize("name", RASD_TASKS)
def test_every_task_routes_to_a_named_queue(name):
    route = app.amqp.router.route({}, name, args=(), kwargs={})
    assert route["queue"].name in QUEUES


@pytest.mark.parametrize("name", RASD_TASKS)
def test_every_task_is_acked_late_and_time_limited(name):
    task = app.tasks[name]
    assert task.acks_late and task.reject_on_worker_lost
    limits = (task.soft_time_limit or app.conf.task_soft_time_limit, task.time_limit or app.conf.task_time_limit)
    assert all(limits) and limits[0] < limits[1]


def test_serialisation_is_json_only_and_results_are_ignored():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_ignore_result is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_delivery_and_polling_do_not_share_a_queue():
    router = app.amqp.router
    assert router.route({}, "rasd.alerts.deliver", args=(), kwargs={})["queue"].name == "alerts"
    assert router.route({}, "rasd.feeds.poll", args=(), kwargs={})["queue"].name == "feeds"
    assert router.route({}, "rasd.articles.detect", args=(), kwargs={})["queue"].name == "detect"


@pytest.mark.parametrize("name", RASD_TASKS)
def test_a_task_message_reaches_only_its_own_queue(name):
    route = app.amqp.router.route({}, name, args=(), kwargs={})
    queue = route["queue"]
    bound_here = [q for q in app.amqp.queues.values()
                  if q.exchange.name == queue.exchange.name and q.routing_key == queue.routing_key]
    assert [q.name for q in bound_here] == [queue.name]
