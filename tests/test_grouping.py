"""Grouping events into alerts, on the real Redis: one alert per real-world event."""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alert_examples import (
    DARAA,
    NASIB,
    RAFAH,
    SOUTH_DAMASCUS,
    aid_event,
    closure_event,
    rafah_event,
    siege_risk_event,
    source,
)

from alerts import store
from alerts.grouping import alert_key, fold_crossing, new_alert_id, opposite_key, record
from worker.config import Settings
from worker.detect.model import Crossing, Event, Place

T0 = datetime(2026, 3, 14, 7, 0, tzinfo=UTC)
SETTINGS = Settings(group_window_hours=48)


# -- keys --------------------------------------------------------------------------------------


def test_key_uses_the_gazetteer_id_of_a_crossing():
    assert alert_key(closure_event()) == "crossing_closure|x:nasib-jaber"


def test_key_folds_crossing_names_without_an_id():
    plain = rafah_event(crossing=Crossing("معبر رفح"))
    with_diacritics = rafah_event(crossing=Crossing("مَعْبَر رَفَح البرّي"))
    other_word = rafah_event(crossing=Crossing("منفذ رفح الحدودي"))
    assert alert_key(plain) == alert_key(with_diacritics) == alert_key(other_word) == "crossing_closure|xn:رفح"
    assert fold_crossing("معبر كرم أبو سالم") == "كرم ابو سالم"


def test_key_separates_types_threats_and_places():
    siege = replace(siege_risk_event(), type="siege", status="occurred")
    assert alert_key(siege_risk_event()) != alert_key(siege)
    # A threat to close a crossing and its closure are two real-world events...
    assert alert_key(rafah_event(status="threatened")) != alert_key(rafah_event())
    # ...but an announced closure and the closure itself are one.
    assert alert_key(rafah_event(status="announced")) == alert_key(rafah_event())
    # siege_risk is a threat by nature: its statuses do not split it.
    assert alert_key(siege_risk_event()) == alert_key(replace(siege_risk_event(), status="announced"))
    other_place = replace(siege_risk_event(), places=[Place("حي التضامن")])
    assert alert_key(other_place) != alert_key(siege_risk_event())


def test_key_of_place_events_folds_the_primary_place():
    a = replace(siege_risk_event(), places=[Place("مدينة دُومَا")])
    b = replace(siege_risk_event(), places=[Place("دوما"), SOUTH_DAMASCUS])
    assert alert_key(a) == alert_key(b) == "siege_risk|pn:دوما"
    with_id = replace(aid_event())
    assert alert_key(with_id) == "aid_blocked|p:379555"


def test_key_without_place_or_crossing_only_groups_identical_wording():
    a = Event(type="strike", status="occurred", confidence=0.6, evidence="سقط صاروخ على المدينة.", evidence_start=0)
    b = replace(a, evidence="سَقَطَ صاروخٌ على المدينة.")
    c = replace(a, evidence="قصفت الطائرات سوقاً شعبياً.")
    assert alert_key(a) == alert_key(b)
    assert alert_key(a) != alert_key(c)


def test_opposite_of_closure_is_reopening_of_the_same_crossing():
    assert opposite_key("crossing_closure|x:rafah") == "crossing_reopening|x:rafah"
    assert opposite_key("crossing_reopening|x:rafah") == "crossing_closure|x:rafah"
    assert opposite_key("siege|pn:دوما") is None


def test_alert_ids_are_sortable_ulids():
    early, late = new_alert_id(T0), new_alert_id(T0 + timedelta(milliseconds=5))
    assert len(early) == 26 and early < late
    assert len({new_alert_id(T0) for _ in range(200)}) == 200


# -- record ------------------------------------------------------------------------------------


def test_two_outlets_reporting_one_closure_make_one_alert(rasd_env):
    [(first, change)] = record([closure_event(0.7)], source(1, "enab", "عنب بلدي"), settings=SETTINGS, now=T0)
    assert change == "created" and first.version == 1
    assert first.created_at == first.updated_at == "2026-03-14T07:00:00Z"

    later = T0 + timedelta(hours=3)
    [(second, change)] = record([closure_event(0.95)], source(2, "syria-tv", "تلفزيون سوريا"), settings=SETTINGS, now=later)
    assert change == "updated"
    assert second.id == first.id and second.version == 2
    assert [s.feed for s in second.sources] == ["enab", "syria-tv"]
    assert second.event.confidence == 0.95 and second.evidence_url == source(2).url
    assert second.created_at == first.created_at and second.updated_at == "2026-03-14T10:00:00Z"
    assert store.load_alert(first.id).version == 2
    assert [a.id for a in store.recent_alerts()] == [first.id]


def test_the_same_source_again_changes_nothing(rasd_env):
    [(alert, _)] = record([closure_event()], source(1), settings=SETTINGS, now=T0)
    assert record([closure_event()], source(1), settings=SETTINGS, now=T0 + timedelta(minutes=5)) == []
    stored = store.load_alert(alert.id)
    assert stored.version == 1 and len(stored.sources) == 1 and stored.updated_at == alert.updated_at


def test_a_more_definite_status_replaces_weaker_evidence(rasd_env):
    [(a, _)] = record([rafah_event(0.95, status="announced")], source(1), settings=SETTINGS, now=T0)
    # Lower confidence, but "occurred" beats "announced".
    [(b, change)] = record([rafah_event(0.6, status="occurred")], source(2), settings=SETTINGS, now=T0)
    assert change == "updated" and b.id == a.id
    assert b.event.status == "occurred" and b.evidence_url == source(2).url
    # A weaker report adds its source but keeps the best evidence.
    [(c, _)] = record([rafah_event(0.99, status="announced")], source(3), settings=SETTINGS, now=T0)
    assert c.version == 3 and c.event.status == "occurred" and c.evidence_url == source(2).url


def test_weaker_evidence_still_fills_what_the_best_lacks(rasd_env):
    bare = replace(rafah_event(0.9), actor=None)
    record([bare], source(1), settings=SETTINGS, now=T0)
    [(alert, _)] = record([rafah_event(0.5)], source(2), settings=SETTINGS, now=T0)
    assert alert.event.confidence == 0.9 and alert.event.actor == "القوات الإسرائيلية"


def test_different_crossings_make_two_alerts(rasd_env):
    [(nasib, _)] = record([closure_event()], source(1), settings=SETTINGS, now=T0)
    [(rafah, change)] = record([rafah_event()], source(1), settings=SETTINGS, now=T0)
    assert change == "created" and nasib.id != rafah.id
    assert {a.id for a in store.recent_alerts()} == {nasib.id, rafah.id}


def test_one_article_with_several_events(rasd_env):
    weak = replace(closure_event(0.5), actor=None)
    strong = replace(closure_event(0.9), actor=None, places=[DARAA])
    results = record([weak, strong, siege_risk_event()], source(7), settings=SETTINGS, now=T0)
    assert sorted(change for _, change in results) == ["created", "created"]
    closure = next(a for a, _ in results if a.event.type == "crossing_closure")
    assert closure.event.confidence == 0.9 and closure.version == 1 and len(closure.sources) == 1


def test_window_expiry_starts_a_new_alert(rasd_env):
    [(first, _)] = record([closure_event()], source(1), settings=SETTINGS, now=T0)
    [(inside, change)] = record([closure_event()], source(2), settings=SETTINGS, now=T0 + timedelta(hours=47))
    assert change == "updated" and inside.id == first.id
    # The window runs from the last change (hour 47), so hour 94 is still inside it...
    [(still, change)] = record([closure_event()], source(3), settings=SETTINGS, now=T0 + timedelta(hours=94))
    assert change == "updated" and still.id == first.id
    # ...and 48 hours of silence close it.
    [(fresh, change)] = record([closure_event()], source(4), settings=SETTINGS, now=T0 + timedelta(hours=142, minutes=1))
    assert change == "created" and fresh.id != first.id and fresh.version == 1
    assert store.find_by_key(alert_key(closure_event())).id == fresh.id
    assert store.load_alert(first.id).version == 3  # the old alert is kept as it was


def test_window_comes_from_settings(rasd_env):
    short = Settings(group_window_hours=1)
    [(first, _)] = record([closure_event()], source(1), settings=short, now=T0)
    [(second, change)] = record([closure_event()], source(2), settings=short, now=T0 + timedelta(hours=2))
    assert change == "created" and second.id != first.id


def test_a_reopening_ends_the_closure_alert(rasd_env):
    closed = rafah_event()
    reopened = replace(rafah_event(), type="crossing_reopening")
    [(c1, _)] = record([closed], source(1), settings=SETTINGS, now=T0)
    [(r1, _)] = record([reopened], source(2), settings=SETTINGS, now=T0 + timedelta(hours=5))
    assert r1.id != c1.id
    # Closed again the next day: a new alert, not "update: now 2 sources" on the old closure.
    [(c2, change)] = record([closed], source(3), settings=SETTINGS, now=T0 + timedelta(hours=20))
    assert change == "created" and c2.id != c1.id
    # Another outlet on that second closure extends it.
    [(c2b, change)] = record([closed], source(4), settings=SETTINGS, now=T0 + timedelta(hours=21))
    assert change == "updated" and c2b.id == c2.id


def test_a_late_report_of_the_closure_before_a_reopening_is_not_superseded(rasd_env):
    [(c1, _)] = record([rafah_event()], source(1), settings=SETTINGS, now=T0 + timedelta(hours=5))
    reopened = replace(rafah_event(), type="crossing_reopening")
    [(r1, _)] = record([reopened], source(2), settings=SETTINGS, now=T0)  # older than the closure
    [(c, change)] = record([rafah_event()], source(3), settings=SETTINGS, now=T0 + timedelta(hours=6))
    assert change == "updated" and c.id == c1.id and r1.id != c1.id


def test_record_rejects_bad_input(rasd_env):
    with pytest.raises(ValueError, match="URL"):
        record([closure_event()], replace(source(1), url=""), settings=SETTINGS, now=T0)
    with pytest.raises(ValueError, match="timezone"):
        record([closure_event()], source(1), settings=SETTINGS, now=datetime(2026, 3, 14))
    assert record([], source(1), settings=SETTINGS, now=T0) == []
    assert store.recent_alerts() == []


def test_racing_threads_make_one_alert(rasd_env):
    n = 12
    barrier = threading.Barrier(n)
    results: list[tuple[str, str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            out = record([rafah_event()], source(i, feed=f"feed{i}"), settings=SETTINGS, now=T0)
            with lock:
                results.extend((a.id, change, a.version) for a, change in out)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert len({alert_id for alert_id, _, _ in results}) == 1
    assert sorted(change for _, change, _ in results) == ["created"] + ["updated"] * (n - 1)
    assert sorted(v for _, _, v in results) == list(range(1, n + 1))
    [stored] = store.recent_alerts()
    assert stored.version == n and len({s.url for s in stored.sources}) == n


def _record_in_process(i: int, start, out) -> None:
    start.wait(10)
    results = record([closure_event()], source(i % 3, feed=f"feed{i % 3}"), settings=SETTINGS, now=T0)
    out.put([(a.id, change) for a, change in results])


def test_racing_processes_make_one_alert(rasd_env):
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_record_in_process, args=(i, start, out)) for i in range(6)]
    for p in procs:
        p.start()
    start.set()
    got = [out.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    flat = [pair for batch in got for pair in batch]
    # Six processes, three distinct articles: one alert, created once and updated twice.
    assert len({alert_id for alert_id, _ in flat}) == 1
    assert sorted(change for _, change in flat) == ["created", "updated", "updated"]
    [stored] = store.recent_alerts()
    assert stored.version == 3 and len(stored.sources) == 3


def test_crossing_details_survive_storage(rasd_env):
    [(alert, _)] = record([closure_event()], source(1), settings=SETTINGS, now=T0)
    loaded = store.load_alert(alert.id)
    assert loaded.event.crossing == NASIB
    assert loaded.event.places == [DARAA]
    assert loaded.event.marks == closure_event().marks
    assert RAFAH.countries == ("EG", "PS")
