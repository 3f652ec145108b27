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


# -- who did it, and to what ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "event_type", "actor"),
    [
        # The noun right after a verbal noun is what it acts on, not the doer.
        ("فرضت القوات حصار التنظيم في البلدة منذ أسبوعين", "siege", "القوات"),
        ("تمكنت قوات النظام من حصار التنظيم في الأحياء الشرقية", "siege", "قوات النظام"),
        ("أعلنت الشرطة اعتقال عناصر من التنظيم في المدينة", "detention", "الشرطة"),
        # ... unless a ل or على object follows it: then the genitive is the doer.
        ("أدى حصار قوات النظام للمدينة إلى نفاد الطحين", "siege", "قوات النظام"),
        ("بعد سيطرة قوات النظام على مدينة تدمر انسحب المسلحون", "control_change", "قوات النظام"),
        # A strike's genitive is its doer.
        ("قتل مدنيان جراء قذائف قوات النظام على البلدة", "strike", "قوات النظام"),
        # A definite verbal noun takes an adjective, and the doer may be it.
        ("تضررت منازل كثيرة في القرية بسبب القصف الإسرائيلي", "strike", "الإسرائيلي"),
        # A supporter is not the doer.
        ("قوات النظام مدعومة بمليشيات أجنبية سيطرت على حي الصناعة", "control_change", "قوات النظام"),
        ("سيطرت قوات سوريا الديمقراطية بدعم من طيران التحالف على بلدة الشدادي", "control_change",
         "قوات سوريا الديمقراطية"),
    ],
)
def test_the_actor_is_the_doer(text: str, event_type: str, actor: str):
    assert one(text, event_type).actor == actor


def test_a_masdar_object_is_no_actor_of_a_later_event():
    # التنظيم is besieged; it did not take the oil field either.
    e = one("بعد أن تمكنت من حصار التنظيم في المنطقة بشكل كامل وسيطرتها على حقل العمر", "siege")
    assert e.actor is None


def test_a_doer_phrase_takes_its_whole_name_and_stops_before_the_place():
    assert one("حاصرت قوات النظام السوري مدينة داريا", "siege").actor == "قوات النظام السوري"
    # A listed phrase is read whole even when its first word, less the article, is a word too (دعم).
    assert one("حاصرت قوات الدعم السريع مدينة الفاشر", "siege").actor == "قوات الدعم السريع"
    e = one("حاصرت قوات النظام الزبداني منذ أشهر", "siege")
    assert e.actor == "قوات النظام"
    assert [p.name for p in e.places] == ["الزبداني"]


def test_people_nouns_are_not_cut_at_a_letter_that_looks_like_a_clitic():
    # سكان is not س + كان, ولاية not و + لاية.
    assert one("أجلت فرق الإنقاذ سكان البلدة إلى مراكز الإيواء", "evacuation").target == "سكان البلدة"
    e = one("سيطرت القوات على مدينة الفاشر في ولاية شمال دارفور", "control_change")
    assert "ولاية شمال دارفور" in [p.name for p in e.places]


# A doer not next to its trigger: the subject of an earlier clause in the sentence, when the verb
# governing the trigger (تمكن من، نجح في) has no subject of its own and only one agent can be it.
@pytest.mark.parametrize(
    ("text", "event_type", "actor"),
    [
        ('وجاء ذلك بعد الهجوم الذي شنته "قوات النخبة" على أطراف البلدة، إذ نجحت في حصار المسلحين داخلها',
         "siege", "قوات النخبة"),
        ("بعد المعارك التي خاضتها فصائل المعارضة في الريف الغربي، تمكنت من السيطرة على بلدة كفرنبودة",
         "control_change", "فصائل المعارضة"),
        # A control noun with a pronoun, joined to what that verb governs, shares the doer.
        ('بعد المعارك التي خاضتها "قوات النخبة" قرب المدينة، تمكنت من حصار المسلحين في الأحياء الشرقية '
         "بشكل كامل وسيطرتها على التلال", "control_change", "قوات النخبة"),
        # Not when the agents before are complements, or two can be the subject, or the verb has one.
        ("بعد المعارك بين قوات النظام وفصائل المعارضة في الريف، تمكنت من السيطرة على البلدة",
         "control_change", None),
        ("أكد الجيش أن قوات الأمن انتشرت في المدينة، بعد أن تمكنت من السيطرة على الحي", "control_change", None),
        ("أجرى الجيش مناورات قرب الحدود، وتمكن المسلحون من السيطرة على البلدة", "control_change", None),
    ],
)
def test_the_doer_may_be_the_subject_of_an_earlier_clause(text: str, event_type: str, actor: str | None):
    assert one(text, event_type).actor == actor


@pytest.mark.parametrize(
    ("text", "event_type", "actor"),
    [
        # A bare name takes no genitive: the noun after it is the object.
        ("هددت قسد فصائل العشائر بحصار البلدات", "siege_risk", "قسد"),
        ("حاصرت حماس مقرات الأمن في المدينة", "siege", "حماس"),
        ("قصفت إسرائيل مواقع الفصائل في الجنوب", "strike", "إسرائيل"),
        # Coordinated doers are taken whole, read from either conjunct.
        ("سيطرت قوات الحكومة وفصائل العشائر على قرية الشحيل", "control_change", "قوات الحكومة وفصائل العشائر"),
        ("قوات الحكومة ومليشيات العشائر حاصروا قرية الشحيل", "siege", "قوات الحكومة ومليشيات العشائر"),
        ("قوات النظام ومرتزقة حزب الله قصفوا بلدة مضايا", "strike", "قوات النظام ومرتزقة حزب الله"),
        # A nationality adjective names the body it describes.
        ("واعتقلت الأجهزة الأمنية عشرات المتظاهرين", "detention", "الأجهزة الأمنية"),
        ("أعلن الأمن العام اللبناني إغلاق المعابر الحدودية", "crossing_closure", "الأمن العام اللبناني"),
        ("أعلنت وزارة الداخلية العراقية إغلاق منفذ طريبيل", "crossing_closure", "وزارة الداخلية العراقية"),
        ("سيطرت القوات التركية على مدينة عفرين", "control_change", "القوات التركية"),
        ("وتحاصر الدبابات الإسرائيلية مستشفى المدينة منذ فجر الجمعة", "siege", "الدبابات الإسرائيلية"),
        ("مصدر مصري: الجانب الإسرائيلي يعطل دخول شاحنات الإغاثة", "aid_blocked", "الجانب الإسرائيلي"),
        ("ذكرت الوكالة أن مقاتلات تركية نفذت غارات على مواقع في الشمال", "strike", "مقاتلات تركية"),
        ("أصيب خمسة مدنيين في قصف إسرائيلي استهدف مركزا ثقافيا", "strike", "إسرائيلي"),
        # ... but not a thing it describes, nor a source it qualifies.
        ("تسببت العمليات الأمنية للجيش في نزوح السكان من المدينة", "displacement", None),
        ("وأكد مصدر مصري منع دخول شاحنات الإغاثة إلى القطاع", "aid_blocked", None),
        # Members of a group: the group acts.
        ("اعتقلت عناصر من الأمن الوقائي ثلاثة ناشطين في المدينة", "detention", "الأمن الوقائي"),
        ("وحدات من الجيش تطبق الطوق على آخر تجمعات المسلحين", "siege", "الجيش"),
        ("قام عدد من المحتجين بإغلاق المعبر الحدودي", "crossing_closure", "المحتجين"),
        # A complement is no doer: after بين, على, a quantity, or as a holding's owner.
        ("جرى اتفاق بين الجيش وتنظيم داعش، لخروج المسلحين من البلدة", "evacuation", None),
        ("تفرض القوات الحكومية حصارا مشددا على قسد في الحسكة", "siege", "القوات الحكومية"),
        ("شنت الطائرات غارات على مواقع لداعش في البادية", "strike", "الطائرات"),
        ("ألقت الشرطة القبض على عشرات الحوثيين في المدينة", "detention", "الشرطة"),
        # What a participle describes undergoes it; the displaced are no doers of their flight.
        ("حذرت المنظمة الطبية في جنوب دمشق المحاصر من نقص الأدوية", "siege", None),
        ("طردت القوات فصائل المعارضة من البلدة، ما تسبب بحركة نزوح واسعة", "displacement", None),
        ("الميليشيات هجرت عشرات الأسر من القرية", "displacement", "الميليشيات"),
        # who reports is not who acts; a country right before the verb is its subject, one it heads for is not
        ("أعلنت وزارة الدفاع الروسية أن أذربيجان أغلقت ممر لاتشين", "crossing_closure", None),
        ("قال مسؤول إن مصر أغلقت معبر رفح", "crossing_closure", "مصر"),
        ("اضطر آلاف السودانيين إلى عبور الحدود نحو تشاد هربا من المعارك", "displacement", None),
        # a strike word that also starts another rule's reading keeps its own doer
        ("ويأتي القرار بعد ساعات على قصف اسرائيلي استهدف معبري العريضة وجوسيه", "strike", "اسرائيلي"),
        # the place after a masdar's doer, with its ل, is what it acts on
        ("حفزت استعادة الجيش للعاصمة الخرطوم عشرات الآلاف على العودة", "control_change", "الجيش"),
    ],
)
def test_the_doer_phrase_is_the_doer_whole_and_only(text: str, event_type: str, actor: str | None):
    assert one(text, event_type).actor == actor


def test_the_owner_of_a_stronghold_is_no_doer():
    text = "دعت القوات المحاصرة لمعقل تنظيم داعش السكان إلى مغادرة المدينة"
    for e in detect(text):
        assert "داعش" not in (e.actor or ""), (e.type, e.actor)


def test_members_right_after_a_detention_verb_are_the_detained():
    e = one("اعتقلت عناصر من كتيبة جنين في المدينة", "detention")
    assert (e.actor, e.target) == (None, "عناصر من كتيبة جنين")
    e = one("اعتقلت قوات الاحتلال عناصر من كتيبة جنين فجر اليوم", "detention")
    assert (e.actor, e.target) == ("قوات الاحتلال", "عناصر من كتيبة جنين")
    # With someone detained after them, the members are the ones detaining.
    assert one("اعتقلت عناصر من الأمن الوقائي ثلاثة ناشطين", "detention").target == "ناشطين"


def test_a_merged_mention_gives_the_doer_a_headline_lacks():
    [e] = [e for e in detect("إغلاق معبر الكرامة\nأغلقت السلطات الأردنية معبر الكرامة صباح اليوم.")
           if e.type == "crossing_closure"]
    assert e.evidence == "إغلاق معبر الكرامة"
    assert e.actor == "السلطات الأردنية"


def test_a_contracted_article_is_given_back():
    # "للمعبر" is ل + المعبر: the crossing is reported as "المعبر", not "معبر".
    e = one("أعلنت السلطات الإغلاق الكامل للمعبر بعد الاشتباكات", "crossing_closure")
    assert e.crossing is not None and e.crossing.name == "المعبر"
    assert one("أدى القصف المتواصل للحوثيين على المدينة إلى دمار كبير", "strike").actor == "الحوثيين"


# -- places as written ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("حذر ناشطون من حصار جديد في أحياء جنوبي العاصمة", "أحياء جنوبي العاصمة"),
        ("حذر ناشطون من حصار جديد في أحياء جنوبي دمشق", "أحياء جنوبي دمشق"),
        ("تحذيرات من حصار الأحياء الجنوبية من دمشق", "الأحياء الجنوبية من دمشق"),
        ("تحذيرات من حصار الأحياء الجنوبية لدمشق", "الأحياء الجنوبية لدمشق"),
    ],
)
def test_a_district_place_runs_to_the_city_it_belongs_to(text: str, place: str):
    assert [p.name for p in one(text, "siege_risk").places] == [place]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # A site word (مطار، معسكر) right after a bare place noun is that place's name.
        ("سيطرت الفصائل على حي المطار القديم في المدينة", "حي المطار القديم"),
        ("قصفت الطائرات قرية المعسكر في الريف", "قرية المعسكر"),
    ],
)
def test_a_place_noun_takes_a_site_word_as_its_name(text: str, place: str):
    assert place in [p.name for e in detect(text) for p in e.places]


def test_where_a_detained_person_was_heading_is_not_where_the_arrest_was():
    e = one("كانت الشاحنة متوجهة إلى داخل حمص، ثم أوقفها الحاجز واعتقل سائقها", "detention")
    assert e.places == []
    # A besieged place named as where aid was heading is the siege's place.
    e = one("دخلت أول قافلة إلى مخيم اليرموك بعد أشهر من الحصار", "siege")
    assert [p.name for p in e.places] == ["مخيم اليرموك"]


def test_a_newspaper_named_after_a_city_is_no_place():
    e = one('وقالت مصادر محلية لـ"الرياض" إن المقاومة استولت على بلدة العند', "control_change")
    assert [p.name for p in e.places] == ["بلدة العند"]
    assert [p.name for p in one("سيطرت القوات على الرياض", "control_change").places] == ["الرياض"]


def test_a_direction_of_an_unnamed_town_is_no_place():
    e = one("قصفت المدفعية محيط المدينة مما ألحق أضرارا بالمستشفى", "strike")
    assert e.places == []
    # "للمدينة" is definite: the word after it is no name.
    assert one("حصار قوات النظام للمدينة مستمر منذ أشهر", "siege").places == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # After a known place only adjectives belong to its name: not a verb, a ل-word or a direction.
        ("استهدفت غارة قرية قرب مدينة دهوك تسبب بأضرار", ["مدينة دهوك"]),
        ("قصفت الطائرات مدينة خان يونس جنوب قطاع غزة", ["مدينة خان يونس", "جنوب قطاع غزة"]),
        ("حاصرت القوات أحياء حمص القديمة", ["أحياء حمص القديمة"]),
    ],
)
def test_a_known_place_name_ends_where_its_adjectives_end(text: str, places: list[str]):
    assert [p.name for e in detect(text) for p in e.places] == places


def test_a_conjunction_written_apart_ends_a_place_name():
    e = one("أغلق المحتجون المعبر الحدودي بحزوة في ولاية توزر و أشعلوا الإطارات", "crossing_closure")
    assert "ولاية توزر" in [p.name for p in e.places]


def test_an_armed_unit_named_after_a_city_is_not_the_city():
    for text in (
        "أطلقت سرايا القدس رشقة صواريخ على المستوطنات",
        "قصفت طائرات فيلق القدس مواقع في البلدة",
        "أعلن لواء القدس مشاركته في قصف مواقع المعارضة",
    ):
        for e in detect(text):
            assert "القدس" not in [p.name for p in e.places], text
    assert [p.name for p in one("قصف الطيران مواقع في القدس", "strike").places] == ["القدس"]


# -- crossings --------------------------------------------------------------------------------------

def test_a_bare_border_is_no_crossing_name():
    e = one("وتواصل الإغلاق قرب الحدود منذ أيام", "crossing_closure")
    assert e.crossing is None
    assert "crossing" not in e.to_dict()
    # A border with more to it stays, and a named crossing is unaffected.
    assert one("أغلقت السلطات الحدود البرية مع الجزائر", "crossing_closure").crossing.name == "الحدود البرية"
    assert one("أغلقت السلطات معبر رأس جدير قرب الحدود", "crossing_closure").crossing.name == "معبر رأس جدير"


def test_a_possessed_crossing_noun_takes_no_name():
    # "حدودهما" (their borders) names no crossing; the verb after it is no part of a name.
    for e in detect("وأعلن البلدان أن حدودهما ستبقى مغلقة حتى إشعار آخر"):
        assert e.crossing is None or "ستبقى" not in e.crossing.name


def test_levantine_ain_before_the_article_is_ala():
    e = one("توقفت حركة العبور عالمعبر الحدودي منذ الصباح", "crossing_closure")
    assert e.crossing is not None and e.crossing.name == "المعبر الحدودي"
    # Words that merely begin with عال are not split: عالقة (stuck) stays itself.
    assert "aid_blocked" in types("الشاحنات عالقة عند المعبر منذ أيام بسبب منع دخول المساعدات")
    assert types("تحدث الوزير عن العالم العربي وعن الأعمال العالقة") == set()


# -- negation: whole words, and across the verb that governs the trigger -----------------------------

@pytest.mark.parametrize(
    "text",
    [
        "لم تصدر أي أوامر بإخلاء السكان من البلدة",
        "لم تُسجّل أي حالة نزوح من القرى المجاورة",
        "ولم تعلن الجهات الرسمية موعدا لإعادة فتح المعبر",
        "لم تصدر السلطات المحلية أي قرار بإغلاق معبر رفح",
        "لم يسمح الجيش للسكان بالنزوح من القرية",
        "لم تعلن السلطات إغلاق معبر رفح",
        "لم تتمكن القوات الحكومية من إغلاق معبر رفح",
        "عدم صدور أوامر بإجلاء المدنيين أثار القلق",
    ],
)
def test_a_negated_verb_negates_the_trigger_it_governs(text: str):
    assert types(text) == set()


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        # The same nouns without the negation are events.
        ("أصدرت القيادة أوامر بإخلاء السكان من البلدة", "evacuation"),
        ("سجلت المنظمة حالة نزوح واسعة من القرية", "displacement"),
        # "Not content with closing it" closed it; the negation is the doer's, not the trigger's.
        ("لم تكتف القوات الإسرائيلية بإغلاق معبر رفح بل قصفت محيطه", "crossing_closure"),
        # "Did not stop shelling": a complement with عن is not in the negated object.
        ("لم يتوقف الطيران الحربي عن قصف البلدة", "strike"),
        # "Not the first time" is no negation of the closure.
        ("ليست المرة الأولى لإغلاق معبر رفح هذا العام", "crossing_closure"),
        # A clause break ends the negation's reach.
        ("لم يصدر بيان رسمي، وأغلقت السلطات معبر رفح صباحا", "crossing_closure"),
        ("لم يصدر بيان رسمي وأغلقت السلطات معبر رفح صباحا", "crossing_closure"),
    ],
)
def test_negation_does_not_reach_what_it_does_not_govern(text: str, event_type: str):
    assert event_type in types(text)


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        # سلم (handed over) is not س + لم, كلم (km) not ك + لم.
        ("بعد أن سلم المسلحون أسلحتهم نزح سكان القرية", "displacement"),
        ("على بعد خمسة كلم قصفت الطائرات البلدة", "strike"),
        # سلمية is one word (peaceful), not س + لم + ية.
        ("خرج المحتجون في مسيرات سلمية وأغلقت الشرطة معبر رفح", "crossing_closure"),
    ],
)
def test_negation_particles_are_whole_words(text: str, event_type: str):
    assert event_type in types(text)


def test_a_word_is_read_whole_when_a_clitic_split_finds_nothing():
    from worker.detect import default_detector
    from worker.detect.normalize import fold

    det = default_detector()

    def reading(word: str):
        m = next(det.regex.finditer(fold(word).text))
        return det._read(m.group("p"), m.group("s"), m.group("x"))

    assert reading("سلمية").classes == {"protest"}  # the regex tried س + لم + ية first
    assert reading("سلم") is None and reading("كلم") is None
    assert reading("ولم").mods == {"negation"}  # a conjunction still joins a particle
    assert reading("بعدم").mods == {"negation"}  # a three-letter negator takes a preposition
    assert reading("وسيغلق").rules  # the future س before a present-tense verb
