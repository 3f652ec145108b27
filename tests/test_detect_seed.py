"""The article the project started from must give its access events and the rest."""

from __future__ import annotations

from conftest import shared_path

from worker.detect import detect


def _events():
    text = shared_path("data", "seed-article.txt").read_text(encoding="utf-8")
    return text, detect(text)


def test_seed_article_events():
    text, events = _events()
    by_type: dict[str, list] = {}
    for e in events:
        by_type.setdefault(e.type, []).append(e)

    [closure] = by_type["crossing_closure"]
    assert closure.status == "occurred"
    assert closure.crossing is not None and closure.crossing.name == "معبر القدم"

    risks = by_type["siege_risk"]
    assert any(e.status == "threatened" and "جنوب" in " ".join(p.name for p in e.places) for e in risks)
    # The districts south of the capital: the place runs on past the direction word to what it is
    # south of, and is not cut at "جنوبي".
    south = [p.name for e in risks for p in e.places if "جنوب" in p.name]
    assert south and all(not name.split()[-1].startswith("جنوب") for name in south), south

    assert by_type["control_change"]
    # Supporters and the besieged are no doers: no control change is credited to them.
    actors = {e.actor for e in by_type["control_change"]} - {None}
    assert actors and not any(w in a for a in actors for w in ("مليشيات", "التنظيم", "داعش")), actors
    # The Kurdish-led force named as the subject earlier in the sentence besieged the group and took
    # the fields ("تمكنت من حصار ... وسيطرتها"); its short name took the village in the next one.
    assert "قوات سورية الديمقراطية" in actors and "قسد" in actors, actors
    assert by_type["strike"]
    [siege] = by_type["siege"]
    assert siege.actor == "قوات سورية الديمقراطية"
    # "حي المطار القديم" is a district, though مطار is also a site word.
    assert any("حي المطار القديم" in [p.name for p in e.places] for e in by_type["control_change"])
    # The headline's closure takes its doer from the body's "أغلقت سلطات النظام السوري".
    assert closure.actor == "سلطات النظام السوري"
    # The fighters leave under a deal between two parties: neither is the doer.
    assert all(e.actor is None for e in by_type["evacuation"])
    # Where the car was heading is not where its driver was held.
    assert all("دمشق" not in [p.name for p in e.places] for e in by_type["detention"])
    assert any(e.status == "threatened" for e in by_type["evacuation"])
    assert by_type["detention"]
    # The crossing's opening in 2015 is background to its closure, not a reopening now.
    assert "crossing_reopening" not in by_type


def test_seed_article_evidence_and_marks_point_into_the_text():
    text, events = _events()
    for e in events:
        assert text[e.evidence_start : e.evidence_start + len(e.evidence)] == e.evidence
        assert any(m.role == "trigger" for m in e.marks)
        for m in e.marks:
            assert e.evidence_start <= m.start < m.end <= e.evidence_start + len(e.evidence)
