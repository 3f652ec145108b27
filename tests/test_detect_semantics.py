"""Meaning, not keywords: morphology, negation, denial, demands, plans, threats, look-alikes."""

from __future__ import annotations

import pytest

from worker.detect import EVENT_TYPES, Event, detect


def types(text: str) -> set[str]:
    return {e.type for e in detect(text)}


def one(text: str, event_type: str) -> Event:
    found = [e for e in detect(text) if e.type == event_type]
    assert found, f"no {event_type} in {text!r}: {[(e.type, e.rule) for e in detect(text)]}"
    return found[0]


# -- morphology and spelling ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "أغلقت السلطات معبر الكرامة",
        "السلطات تغلق معبر الكرامة",
        "أُغلق معبر الكرامة صباح اليوم",
        "أعلنت السلطات إغلاق معبر الكرامة",
        "تسبب الإغلاق المفاجئ لمعبر الكرامة بأزمة",
        "قامت السلطات بإغلاق معبر الكرامة",
        "لا يزال معبر الكرامة مغلقاً",
        "تم غلق معبر الكرامة",
        "قررت الحكومة اغلاق معبر الكرامة",  # no hamza (Gulf, Levantine, Egyptian news)
        "تم إقفال منفذ الكرامة الحدودي",
        "أوصدت القوات بوابة المعبر",
        "قفلوا الحاجز العسكري على مدخل البلدة",
        "وأغلقوها أي المعابر الحدودية كلها",
    ],
)
def test_closure_in_every_form(text: str):
    assert "crossing_closure" in types(text)


@pytest.mark.parametrize(
    "text",
    [
        "أعادت السلطات فتح معبر الكرامة",
        "إعادة فتح معبر الكرامة أمام المسافرين",
        "استئناف الحركة في معبر الكرامة بعد توقف",
        "فُتح المنفذ الحدودي صباح اليوم",
    ],
)
def test_reopening_is_not_a_closure(text: str):
    found = types(text)
    assert "crossing_reopening" in found
    assert "crossing_closure" not in found


def test_reopened_after_a_closure_reports_the_reopening_only():
    found = types("أعيد فتح معبر نصيب الحدودي المغلق منذ ثلاث سنوات")
    assert found == {"crossing_reopening"}


# -- negation, denial, demands ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "لم تغلق السلطات معبر الكرامة رغم التوتر",
        "لن يغلق معبر الكرامة خلال العيد",
        "أكدت الإدارة عدم إغلاق معبر الكرامة",
        "نفت وزارة الداخلية إغلاق معبر الكرامة",
        "نفى المتحدث الأنباء التي تحدثت عن إغلاق معبر الكرامة",
        "لا صحة لما يتم تداوله حول إغلاق معبر الكرامة",
        "طالب التجار بإغلاق معبر الكرامة",
        "دعا النواب إلى إغلاق المنافذ الحدودية",
        "هل تغلق السلطات معبر الكرامة؟",
    ],
)
def test_negated_denied_demanded_or_asked_closures_are_silent(text: str):
    assert "crossing_closure" not in types(text)


def test_denial_does_not_reach_across_a_new_statement():
    text = "نفى المتحدث وجود خلافات، وأكد أن القوات أغلقت معبر الكرامة صباح اليوم"
    assert "crossing_closure" in types(text)


def test_still_is_not_negation():
    assert one("ما زال معبر رفح مغلقا أمام المسافرين", "crossing_closure").status == "occurred"


# -- plans, threats, fears ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "ستغلق السلطات معبر الكرامة غداً",
        "قررت الحكومة إغلاق معبر الكرامة اعتبارا من الأحد",
        "سيتم إغلاق معبر الكرامة ابتداء من الأسبوع المقبل",
    ],
)
def test_plans_are_announced(text: str):
    assert one(text, "crossing_closure").status == "announced"


@pytest.mark.parametrize(
    "text",
    [
        "حذرت الأمم المتحدة من حصار جديد للمدينة",
        "تتصاعد المخاوف من حصار البلدة بعد قطع الطريق",
        "يهدد شبح الحصار أحياء المدينة الجنوبية",
        "إغلاق المعبر قد يؤدي إلى حصار المخيم",
        "هددت الميليشيا بفرض حصار على المدينة",
        "تحذيرات من خطر حصار الأحياء الشرقية",
    ],
)
def test_threatened_sieges_are_siege_risks(text: str):
    found = [e for e in detect(text) if e.type in ("siege", "siege_risk")]
    assert found
    assert all(e.type == "siege_risk" and e.status == "threatened" for e in found), [(e.type, e.status) for e in found]


def test_a_siege_in_force_is_a_siege():
    e = one("تفرض قوات النظام حصارا خانقا على مدينة معضمية الشام منذ عامين", "siege")
    assert e.status == "occurred"
    assert e.actor == "قوات النظام"
    assert [p.name for p in e.places] == ["مدينة معضمية الشام"]


def test_evacuation_talks_are_threatened():
    e = one("تجري مفاوضات للتوصل إلى اتفاق لخروج المقاتلين من الحي عبر ممر", "evacuation")
    assert e.status == "threatened"


# -- look-alikes ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "قال الوزير معبراً عن قلقه إن الوضع صعب",
        "أغلق المؤشر العام للبورصة على ارتفاع",
        "أغلقت المحلات التجارية أبوابها احتجاجا على الضرائب",
        "نفذ المعلمون إضرابا مفتوحا وأغلقت المدارس",
        "أغلق المدافعون كل المنافذ أمام مهاجمي المنتخب في المباراة",
        "سيطر الفريق على مجريات اللقاء في الشوط الثاني",
        "تمكن رجال الإطفاء من السيطرة على الحريق ومحاصرته",
        "فرضت الدول الكبرى حصارا اقتصاديا على البلاد",
        "خطف المهاجم هدف الفوز في الدقيقة الأخيرة",
        "نلاحظ نزوح رؤوس الأموال نحو الذهب",
        "فتح المسلحون النار على الحاجز",
        "قررت المحكمة إخلاء سبيل المتهم",
    ],
)
def test_look_alikes_stay_silent(text: str):
    assert types(text) == set()


def test_strike_is_not_a_workers_strike():
    assert "strike" not in types("بدأ عمال الميناء إضرابا عن العمل")
    assert "strike" in types("قصفت الطائرات الحربية مواقع في ريف إدلب")


# -- arguments as written ---------------------------------------------------------------------------

def test_crossing_actor_and_place_as_written():
    text = "في جنوب دمشق، قامت عناصر من فرع المخابرات الجوية بإغلاق \"معبر القدم\" أمس."
    e = one(text, "crossing_closure")
    assert e.crossing is not None and e.crossing.name == "معبر القدم"
    assert e.actor == "فرع المخابرات الجوية"
    assert "جنوب دمشق" in [p.name for p in e.places]
    for m in e.marks:
        assert text[m.start : m.end].strip()


def test_a_bare_crossing_is_resolved_to_the_one_named_before():
    text = "أغلقت القوات معبر الكرامة فجرا. وقال سائقون إن إغلاق المعبر تسبب بطوابير طويلة."
    closures = [e for e in detect(text) if e.type == "crossing_closure"]
    assert len(closures) == 1  # one crossing, one event
    assert closures[0].crossing.name == "معبر الكرامة"


def test_event_dict_has_the_batch_shape():
    [e] = detect("أغلقت السلطات معبر الكرامة الحدودي")
    d = e.to_dict()
    assert d["type"] in EVENT_TYPES
    assert d["status"] == "occurred"
    assert d["crossing"].startswith("معبر الكرامة")
    assert 0 < d["confidence"] <= 1
    assert d["evidence"] == "أغلقت السلطات معبر الكرامة الحدودي"
    assert Event.from_dict(d).to_dict() == d


def test_title_only_articles_and_empty_text():
    assert detect("") == []
    assert detect("   ", title="إغلاق معبر رفح حتى إشعار آخر")[0].type == "crossing_closure"


def test_actor_and_target_of_a_detention_and_an_evacuation():
    e = one("اعتقلت قوات الأمن عشرات الناشطين في مدينة حمص", "detention")
    assert (e.actor, e.target) == ("قوات الأمن", "الناشطين")
    assert [p.name for p in e.places] == ["مدينة حمص"]
    assert one("بدأت حافلات الهلال الأحمر إجلاء الجرحى من الحي", "evacuation").target == "الجرحى"
