"""Routing: each destination filter lets the right alerts through and stops the others."""

from __future__ import annotations

from dataclasses import replace

from alert_examples import aid_event, alert_of, closure_event, rafah_event, siege_risk_event, source

from alerts.routing import feed_tags_of, matches, route
from worker.config import Destination, Feed
from worker.detect.model import Place


def dest(**kw) -> Destination:
    return Destination(name=kw.pop("name", "ops"), type=kw.pop("type", "slack"), url_env="OPS_URL", **kw)


def strike_alert():
    event = replace(closure_event(), type="strike", crossing=None)
    return alert_of(event)


def test_default_destination_takes_access_events_only():
    d = dest()
    assert matches(alert_of(closure_event()), d)
    assert matches(alert_of(siege_risk_event()), d)
    assert matches(alert_of(aid_event()), d)
    assert not matches(strike_alert(), d)


def test_event_type_filter():
    d = dest(events=["siege_risk", "strike"])
    assert matches(alert_of(siege_risk_event()), d)
    assert matches(strike_alert(), d)
    assert not matches(alert_of(closure_event()), d)


def test_status_filter():
    d = dest(statuses=["occurred"])
    assert matches(alert_of(closure_event()), d)
    assert not matches(alert_of(closure_event(status="announced")), d)


def test_min_confidence():
    d = dest(min_confidence=0.8)
    assert matches(alert_of(closure_event(0.8)), d)
    assert not matches(alert_of(closure_event(0.79)), d)


def test_feed_filter_matches_any_source():
    d = dest(feeds=["syria-tv"])
    assert not matches(alert_of(closure_event(), [source(1, "enab")]), d)
    assert matches(alert_of(closure_event(), [source(1, "enab"), source(2, "syria-tv")]), d)


def test_tag_filter_uses_the_feeds_tags():
    feeds = [
        Feed(id="enab", url="https://enab.example/rss", tags=["syria", "local"]),
        Feed(id="sudan-post", url="https://sudan.example/rss", tags=["sudan"]),
    ]
    tags = feed_tags_of(feeds)
    d = dest(tags=["sudan"])
    assert not matches(alert_of(aid_event(), [source(1, "enab")]), d, feed_tags=tags)
    assert matches(alert_of(aid_event(), [source(1, "enab"), source(2, "sudan-post")]), d, feed_tags=tags)
    # Without the feeds' tags the filter cannot pass: a Sudan desk gets nothing it did not ask for.
    assert not matches(alert_of(aid_event(), [source(2, "sudan-post")]), d)


def test_country_filter_uses_places_and_crossing_countries():
    d = dest(countries=["jo"])
    assert matches(alert_of(closure_event()), d)  # Nasib connects SY and JO
    assert not matches(alert_of(aid_event()), d)  # El Fasher, SD
    assert matches(alert_of(aid_event()), dest(countries=["SD"]))
    unknown = alert_of(replace(siege_risk_event(), places=[Place("حي مجهول")]))
    assert not matches(unknown, dest(countries=["SY"]))


def test_place_filter_folds_arabic_and_matches_whole_words():
    alert = alert_of(siege_risk_event())  # جنوب دمشق
    assert matches(alert, dest(places=["دِمَشق"]))  # diacritics do not matter
    assert matches(alert, dest(places=["south damascus"]))
    assert not matches(alert, dest(places=["دمشقي"]))
    assert not matches(alert, dest(places=["حلب"]))


def test_place_filter_matches_crossing_names():
    alert = alert_of(rafah_event())  # معبر رفح البري, Rafah crossing
    assert matches(alert, dest(places=["رفح"]))
    assert matches(alert, dest(places=["مَعبر رفح"]))
    assert matches(alert, dest(places=["Rafah"]))
    assert not matches(alert, dest(places=["كرم أبو سالم"]))


def test_all_filters_must_pass():
    d = dest(events=["crossing_closure"], countries=["SY"], min_confidence=0.95)
    assert not matches(alert_of(closure_event(0.9)), d)
    assert matches(alert_of(closure_event(0.97)), d)


def test_a_test_alert_is_never_routed():
    alert = alert_of(closure_event(), test=True)
    assert not matches(alert, dest())
    assert route(alert, [dest(), dest(name="hook", type="webhook", secret_env="OPS_SECRET")]) == []


def test_route_keeps_configuration_order():
    dests = [
        dest(name="sudan", countries=["SD"]),
        dest(name="all"),
        dest(name="syria", countries=["SY"]),
        dest(name="strikes", events=["strike"]),
    ]
    assert [d.name for d in route(alert_of(closure_event()), dests)] == ["all", "syria"]
    assert [d.name for d in route(alert_of(aid_event()), dests)] == ["sudan", "all"]
