"""The gazetteer: crossing and place names resolve to the right entry, are found at the right offsets in
folded text, ordinary words stay out, and bad data files are refused with the file and entry named."""

from __future__ import annotations

import json
import textwrap

import pytest

from worker.detect import gazetteer as gz
from worker.detect.gazetteer import Gazetteer, GazetteerError
from worker.detect.normalize import fold


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return Gazetteer.default()


def crossings_in(g: Gazetteer, text: str) -> list[tuple[str, str]]:
    f = fold(text).text
    return [(f[s:e], c.id) for s, e, c in g.find_crossings(f)]


def places_in(g: Gazetteer, text: str) -> list[tuple[str, str]]:
    f = fold(text).text
    return [(f[s:e], p.id) for s, e, p in g.find_places(f)]


# ------------------------------------------------------------------------------------ resolving names


@pytest.mark.parametrize(
    ("name", "cid"),
    [
        ("معبر رفح", "ps-rafah"),
        ("رفح", "ps-rafah"),
        ("معبر رفح البري", "ps-rafah"),
        ("مَعْبَرُ رَفَح", "ps-rafah"),
        ("بمعبر رفح", "ps-rafah"),
        ("كرم أبو سالم", "ps-kerem-shalom"),
        ("معبر كرم ابو سالم", "ps-kerem-shalom"),
        ("كيرم شالوم", "ps-kerem-shalom"),
        ("كرم بو سالم", "ps-kerem-shalom"),
        ("إيريز", "ps-erez"),
        ("ايرز", "ps-erez"),
        ("معبر بيت حانون", "ps-erez"),
        ("جسر الملك حسين", "ps-allenby"),
        ("اللنبي", "ps-allenby"),
        ("نصيب", "sy-nasib"),
        ("منفذ جابر", "sy-nasib"),
        ("معبر جابر نصيب الحدودي", "sy-nasib"),
        ("البوكمال", "sy-albukamal"),
        ("منفذ القائم", "sy-albukamal"),
        ("تل أبيض", "sy-tal-abyad"),
        ("أقجة قلعة", "sy-tal-abyad"),
        ("المصنع", "lb-masnaa"),
        ("جديدة يابوس", "lb-masnaa"),
        ("طريبيل", "iq-trebil"),
        ("منفذ طريبيل الكرامة", "iq-trebil"),
        ("جسر الكرامة", "ps-allenby"),
        ("إبراهيم الخليل", "iq-ibrahim-khalil"),
        ("أدري", "sd-adre"),
        ("معبر أدريه", "sd-adre"),
        ("رأس جدير", "ly-ras-jdir"),
        ("راس اجدير", "ly-ras-jdir"),
        ("القدم", "sy-qadam"),
        ("معبر القدم", "sy-qadam"),
        ("باب الهوى", "sy-bab-al-hawa"),
        ("باب السلامة", "sy-bab-al-salama"),
        ("جرابلس", "sy-jarablus"),
        ("اليعربية", "sy-yarubiyah"),
        ("ربيعة", "sy-yarubiyah"),
        ("سيمالكا", "sy-semalka"),
        ("فيشخابور", "sy-semalka"),
        ("العريضة", "lb-arida"),
        ("جوسية", "lb-jousieh"),
        ("الوديعة", "ye-wadiah"),
        ("وديعة", "ye-wadiah"),
        ("شلمجة", "iq-shalamcheh"),
        ("الشلامجة", "iq-shalamcheh"),
        ("زرباطية", "iq-zurbatiyah"),
        ("مهران", "iq-zurbatiyah"),
        ("أرقين", "eg-arqin"),
        ("ps-rafah", "ps-rafah"),
    ],
)
def test_crossing_variants_resolve_to_their_id(g, name, cid):
    c = g.crossing(name)
    assert c is not None, name
    assert c.id == cid


def test_resolved_crossing_carries_its_data(g):
    c = g.crossing("معبر رفح")
    assert (c.name, c.name_en, c.countries) == ("معبر رفح", "Rafah crossing", ("PS", "EG"))
    assert 31.2 < c.lat < 31.3 and 34.2 < c.lon < 34.3


@pytest.mark.parametrize("name", ["معبر الأحلام", "قطة", "", "   ", "ps-nowhere", "معبر"])
def test_unknown_crossing_names_give_none(g, name):
    assert g.crossing(name) is None


@pytest.mark.parametrize(
    ("name", "pid"),
    [
        ("دمشق", "sy-damascus"),
        ("مدينة دمشق", "sy-damascus"),
        ("الغوطة الشرقية", "sy-ghouta-east"),
        ("جنوب العاصمة السورية", "sy-south-damascus"),
        ("خانيونس", "ps-khan-younis"),
        ("خان يونس", "ps-khan-younis"),
        ("رفح", "ps-rafah"),
        ("القنيطرة", "sy-quneitra"),  # not Kenitra in Morocco, which GeoNames also spells so
        ("حي العمال", "sy-dez-ummal"),
        ("إب", "ye-ibb"),
        ("الخرطوم", "sd-khartoum"),
        ("sy-damascus", "sy-damascus"),
        ("Damascus", "sy-damascus"),
    ],
)
def test_place_names_resolve_to_their_id(g, name, pid):
    p = g.place(name)
    assert p is not None, name
    assert p.id == pid


def test_geonames_places_resolve_with_country_and_coordinates(g):
    aleppo = g.place("حلب")
    assert aleppo is not None and aleppo.country == "SY" and aleppo.name_en == "Aleppo"
    assert g.place("مدينة حلب") == aleppo
    hama = g.place("حماة")
    assert hama is not None and hama is g.place("حماه") and hama.country == "SY"
    assert 35.0 < hama.lat < 35.3


@pytest.mark.parametrize("name", ["مدينة الأحلام", "قطة", "", "Atlantis"])
def test_unknown_place_names_give_none(g, name):
    assert g.place(name) is None


# ------------------------------------------------------------------------------------- finding names


def test_crossings_are_found_with_their_crossing_word_and_adjectives(g):
    text = "أعلنت السلطات إغلاق معبر رفح البري حتى إشعار آخر، فيما بقي معبر كرم أبو سالم مفتوحاً."
    assert crossings_in(g, text) == [("معبر رفح البري", "ps-rafah"), ("معبر كرم ابو سالم", "ps-kerem-shalom")]


def test_proclitics_are_allowed_but_left_out_of_the_span(g):
    assert crossings_in(g, "وصلت الشاحنات بمعبر رفح") == [("معبر رفح", "ps-rafah")]
    assert crossings_in(g, "وباب الهوى مغلق") == [("باب الهوي", "sy-bab-al-hawa")]
    assert crossings_in(g, "فلمعبر القدم أهمية") == [("معبر القدم", "sy-qadam")]
    assert places_in(g, "وبدمشق وكحلب") == [("دمشق", "sy-damascus"), ("حلب", g.place("حلب").id)]


def test_the_article_and_its_contraction_after_lam(g):
    assert crossings_in(g, "أغلقت المعبر الحدودي براس جدير") == [("المعبر الحدودي براس جدير", "ly-ras-jdir")]
    assert crossings_in(g, "وصلوا إلى المنفذ الحدودي بالوديعة") == [("المنفذ الحدودي بالوديعه", "ye-wadiah")]
    assert crossings_in(g, "عودة الحركة للشلامجة") == [("لشلامجه", "iq-shalamcheh")]
    assert places_in(g, "نزحوا للغوطة الشرقية") == [("لغوطه الشرقيه", "sy-ghouta-east")]
    assert crossings_in(g, "أغلق للمعبر") == []


def test_short_crossing_names_need_a_crossing_word(g):
    # "القدم" (football, the foot), "رفح" (the town), "نصيب" (a share) are crossings only after معبر/منفذ.
    assert crossings_in(g, "مباراة كرة القدم في رفح كانت من نصيب الفريق الأول") == []
    assert crossings_in(g, "أغلقت منفذ الوديعة وحاجز قلنديا") == [
        ("منفذ الوديعه", "ye-wadiah"),
        ("حاجز قلنديا", "ps-qalandia"),
    ]


def test_a_port_needs_its_own_word(g):
    assert crossings_in(g, "أغلقت البوابات الحديدة للسوق") == []  # a typo of الحديدية: no gate of Hodeidah
    assert crossings_in(g, "أغلق ميناء الحديدة") == [("ميناء الحديده", "ye-hodeidah-port")]


def test_a_shared_name_is_chosen_by_the_nearest_context_word(g):
    # Palestinians call the Allenby bridge "معبر الكرامة"; so is the Jordanian side of Trebil.
    west_bank = "أغلقت سلطات الاحتلال معبر الكرامة أمام المسافرين من أريحا"
    anbar = "أغلق منفذ الكرامة مع الأردن بعد هجوم في صحراء الأنبار"
    both = "أغلق معبر الكرامة مع العراق، فيما بقي الجسر مفتوحا قرب أريحا والضفة"
    assert crossings_in(g, west_bank) == [("معبر الكرامه", "ps-allenby")]
    assert crossings_in(g, anbar) == [("منفذ الكرامه", "iq-trebil")]
    assert crossings_in(g, both) == [("معبر الكرامه", "iq-trebil")]
    assert crossings_in(g, "أغلق معبر الكرامة") == [("معبر الكرامه", "ps-allenby")]  # listed first


def test_second_name_after_a_dual_crossing_word(g):
    assert crossings_in(g, "أغلق معبري العريضة وجوسية") == [
        ("معبري العريضه", "lb-arida"),
        ("جوسيه", "lb-jousieh"),
    ]
    # A singular crossing word does not carry over to the next name.
    assert crossings_in(g, "أغلق معبر العريضة وجوسية") == [("معبر العريضه", "lb-arida")]


def test_quoted_and_hashtag_names(g):
    assert crossings_in(g, 'منفذ "طريبيل" الحدودي') == [('منفذ "طريبيل" الحدودي', "iq-trebil")]
    assert crossings_in(g, "#كرم_أبو_سالم") == [("كرم_ابو_سالم", "ps-kerem-shalom")]


def test_no_match_inside_longer_words(g):
    assert crossings_in(g, "معبر رفحاء") == []  # Rafha, a Saudi town
    assert crossings_in(g, "كرم أبو سالمين") == []
    assert crossings_in(g, "الإيريزي") == []
    assert places_in(g, "الدمشقيون والحلبيون") == []
    assert places_in(g, "غزةالجديدة") == []


def test_longest_name_wins(g):
    assert places_in(g, "في الغوطة الشرقية") == [("الغوطه الشرقيه", "sy-ghouta-east")]
    assert places_in(g, "في دير الزور") == [("دير الزور", g.place("دير الزور").id)]
    assert crossings_in(g, "معبر جابر نصيب") == [("معبر جابر نصيب", "sy-nasib")]


@pytest.mark.parametrize(
    "text",
    [
        "نقابة العمال تطالب برفع الأجور",
        "قال المتحدث باسم البيت الأبيض",
        "مباراة كرة القدم يوم الخميس",
        "تشهد المدينة حالة من الهدوء",
        "في هذا البلد",
        "عزفت الفرقة الموسيقية",
        "قائد اللواء الثامن",
        "على الغربي من النهر",
        "عاد إلى مسقط رأسه",
        "قالت السلطات إن الخبر غير صحيح",
        "نشرت الصور على موقع الجامعة",
    ],
)
def test_stop_listed_ordinary_words_do_not_match(g, text):
    assert places_in(g, text) == []


def test_never_listed_common_nouns_do_not_match_even_after_a_place_word(g):
    assert places_in(g, "قصفت الطائرات أحياء المدينة") == []  # the city's districts, not Medina's
    assert places_in(g, "وصل الحجاج إلى المدينة المنورة") == [("المدينه المنوره", "gn:109223")]


def test_stop_listed_names_still_match_after_a_place_word(g):
    assert places_in(g, "تقدمت القوات في حي العمال") == [("حي العمال", "sy-dez-ummal")]
    assert places_in(g, "حصار مدينة الأبيض") == [("مدينه الابيض", "sd-el-obeid")]
    assert places_in(g, "في محافظة إب") == [("محافظه اب", "ye-ibb")]
    assert places_in(g, "سيطرت على حي القدم") == [("حي القدم", "sy-qadam")]
    assert places_in(g, "وصلت إلى مخيم الهول") == [("مخيم الهول", "sy-hol")]


def test_places_inside_crossing_names_are_found_too(g):
    text = "أغلق معبر رفح البري ومطار دمشق الدولي"
    assert crossings_in(g, text) == [
        ("معبر رفح البري", "ps-rafah"),
        ("مطار دمشق الدولي", "sy-damascus-airport"),
    ]
    assert places_in(g, text) == [("رفح", "ps-rafah"), ("دمشق", "sy-damascus")]
    assert places_in(g, "رفح البري") == [("رفح", "ps-rafah")]
    assert places_in(g, "منفذ جديدة يابوس") == [("جديده يابوس", g.place("جديدة يابوس").id)]


def test_crossings_after_place_words_and_places_after_crossing_words(g):
    text = "اشتباكات في منطقة باب الهوى قرب مدينة سرمدا، وإغلاق معبري العريضة وباب السلامة"
    assert crossings_in(g, text) == [
        ("باب الهوي", "sy-bab-al-hawa"),
        ("معبري العريضه", "lb-arida"),
        ("باب السلامه", "sy-bab-al-salama"),
    ]
    assert places_in(g, text) == [("مدينه سرمدا", "sy-sarmada")]


def test_the_same_text_twice_gives_equal_fresh_lists(g):
    f = fold("معبر رفح في مدينة رفح").text
    first = g.find_crossings(f)
    first.append("changed by the caller")
    assert g.find_crossings(f) == [(0, 8, g.crossing("ps-rafah"))]
    assert [p.id for _, _, p in g.find_places(f)] == ["ps-rafah", "ps-rafah"]
    assert g.find(f) == (g.find_crossings(f), g.find_places(f))  # one pass gives both


def test_place_word_is_part_of_the_span(g):
    assert places_in(g, "قصف مدينة حلب وبلدة حرستا") == [
        ("مدينه حلب", g.place("حلب").id),
        ("بلده حرستا", g.place("حرستا").id),
    ]


def test_offsets_are_in_folded_text_and_map_back_to_the_original(g):
    text = "قالت مصادرُ إنّ قوات النظام أغلقت مَعْبَرَ القَدَم قربَ دمشقَ، وإنّ الطريقَ إلى إدلب مقطوعة."
    folded = fold(text)
    found = g.find_crossings(folded.text)
    assert len(found) == 1
    s, e, crossing = found[0]
    assert crossing.id == "sy-qadam"
    assert folded.text[s:e] == "معبر القدم"
    os_, oe = folded.span(s, e)
    assert text[os_:oe] == "مَعْبَرَ القَدَم"
    places = g.find_places(folded.text)
    assert [folded.text[s:e] for s, e, _ in places] == ["دمشق", "ادلب"]
    assert [text[slice(*folded.span(s, e))] for s, e, _ in places] == ["دمشقَ", "إدلب"]


def test_matches_are_ordered_and_do_not_overlap(g):
    text = "دمشق حلب حمص، ومعبر نصيب وباب الهوى وطريبيل في الغوطة الشرقية وخان يونس ورفح."
    f = fold(text).text
    for found in (g.find_crossings(f), g.find_places(f)):
        assert found
        for (_, e1, _), (s2, _, _) in zip(found, found[1:], strict=False):
            assert e1 <= s2
        assert all(0 <= s < e <= len(f) for s, e, _ in found)


def test_match_at_start_and_end_of_text(g):
    assert crossings_in(g, "باب الهوى") == [("باب الهوي", "sy-bab-al-hawa")]
    assert places_in(g, "دمشق") == [("دمشق", "sy-damascus")]
    assert g.find_places("") == [] and g.find_crossings("") == []


# ------------------------------------------------------------------------------------- data sanity

# Rough boxes (lat min, lat max, lon min, lon max) around each country, a little generous at the edges.
# MA includes Western Sahara, as GeoNames records it.
BOXES = {
    "SY": (32.3, 37.4, 35.6, 42.4), "IQ": (29.0, 37.4, 38.7, 48.7), "LB": (33.0, 34.7, 35.1, 36.7),
    "JO": (29.1, 33.4, 34.9, 39.4), "PS": (31.2, 32.6, 34.2, 35.6), "IL": (29.4, 33.4, 34.2, 35.9),
    "EG": (21.9, 31.7, 24.6, 36.9), "SD": (8.6, 22.3, 21.8, 38.7), "SS": (3.4, 12.3, 23.4, 36.0),
    "YE": (12.0, 19.0, 42.0, 54.6), "SA": (16.0, 32.2, 34.4, 55.7), "LY": (19.4, 33.3, 9.3, 25.2),
    "TN": (30.2, 37.6, 7.5, 11.6), "DZ": (18.9, 37.1, -8.7, 12.0), "MA": (20.7, 35.95, -17.2, -1.0),
    "TR": (35.8, 42.1, 25.6, 44.9), "IR": (25.0, 39.8, 44.0, 63.4), "KW": (28.5, 30.1, 46.5, 48.5),
    "QA": (24.4, 26.2, 50.7, 51.7), "AE": (22.6, 26.1, 51.5, 56.4), "BH": (25.8, 26.3, 50.4, 50.7),
    "OM": (16.6, 26.4, 51.8, 59.9), "TD": (7.4, 23.5, 13.4, 24.0), "ET": (3.4, 14.9, 33.0, 48.0),
    "AM": (38.8, 41.3, 43.4, 46.7), "AZ": (38.3, 41.95, 44.7, 50.4),
}  # fmt: skip
MARGIN = 0.15


def in_box(country: str, lat: float, lon: float) -> bool:
    la0, la1, lo0, lo1 = BOXES[country]
    return la0 - MARGIN <= lat <= la1 + MARGIN and lo0 - MARGIN <= lon <= lo1 + MARGIN


def test_every_crossing_lies_in_every_country_it_joins(g):
    assert 70 <= len(g.crossings) <= 110
    for c in g.crossings:
        assert c.countries and len(set(c.countries)) == len(c.countries), c.id
        for country in c.countries:
            assert in_box(country, c.lat, c.lon), f"{c.id} at {c.lat},{c.lon} is outside {country}"


def test_every_place_lies_in_its_country(g):
    assert len(g.places) > 2000
    outside = [p.id for p in g.places if not in_box(p.country, p.lat, p.lon)]
    assert outside == []


def test_ids_are_unique_and_every_crossing_name_resolves_to_itself(g):
    assert len({c.id for c in g.crossings}) == len(g.crossings)
    assert len({p.id for p in g.places}) == len(g.places)
    for c in g.crossings:
        assert g.crossing(c.id) is c
        if "(" not in c.name:
            assert g.crossing(c.name) is c, c.name


def test_places_cover_the_region(g):
    countries = {p.country for p in g.places}
    assert {
        "SY",
        "IQ",
        "LB",
        "JO",
        "PS",
        "IL",
        "EG",
        "SD",
        "SS",
        "YE",
        "SA",
        "LY",
        "TN",
        "DZ",
        "MA",
        "TR",
    } <= countries


def test_default_is_loaded_once(g):
    assert Gazetteer.default() is g


def test_shipped_geonames_file_is_what_the_script_builds():
    """places_geonames.json must be regenerated whenever build_places_geonames.py changes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", gz.DATA_DIR / "build_places_geonames.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    shipped = json.loads(gz.GEONAMES_FILE.read_text(encoding="utf-8"))
    assert build.build()["places"] == shipped["places"]


# ------------------------------------------------------------------------------------ bad data files


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    crossings:
      - id: xx-one
        name: معبر الأول
        name_en: First crossing
        kind: border
        countries: [SY, LB]
        lat: 33.7
        lon: 36.0
"""


def test_from_files_loads_a_small_crossings_file(tmp_path):
    places = write(
        tmp_path,
        "places.yaml",
        """\
        places:
          - {id: xx-town, name: بلدة التجربة, name_en: Test town, kind: town, country: SY, lat: 33.5, lon: 36.3}
        """,
    )
    small = Gazetteer.from_files(write(tmp_path, "c.yaml", GOOD), places)
    assert [c.id for c in small.crossings] == ["xx-one"]
    assert crossings_in(small, "أغلق معبر الأول") == [("معبر الاول", "xx-one")]
    assert small.crossing("رفح") is None
    assert places_in(small, "في بلدة التجربة") == [("بلده التجربه", "xx-town")]
    with_shipped_places = Gazetteer.from_files(write(tmp_path, "c2.yaml", GOOD))
    assert [c.id for c in with_shipped_places.crossings] == ["xx-one"]
    assert with_shipped_places.places == Gazetteer.default().places
    aleppo = Gazetteer.default().place("حلب").id
    assert places_in(with_shipped_places, "في مدينة حلب وبلدة التجربة") == [("مدينه حلب", aleppo)]


def test_from_files_reads_a_geonames_format_file(tmp_path):
    geo = tmp_path / "geo.json"
    entry = {
        "id": "gn:7",
        "name_en": "Testville",
        "country": "SY",
        "lat": 35.0,
        "lon": 38.0,
        "population": 50_000,
    }
    geo.write_text(json.dumps({"places": [{**entry, "names": ["تستفيل"]}]}), encoding="utf-8")
    small = Gazetteer.from_files(write(tmp_path, "c.yaml", GOOD), geo)
    assert places_in(small, "وصلوا إلى تستفيل") == [("تستفيل", "gn:7")]
    assert small.place("Testville").country == "SY"


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("lat: 133.7", "lat: expected a number between -90 and 90"),
        ("countries: [Syria]", "countries: 'Syria' is not an ISO 3166 alpha-2 code"),
        ("kind: tunnel", "kind: 'tunnel' is not one of"),
        ("colour: red", "unknown key(s) colour"),
        ("names: [x]", "names: 'x' is not a usable name"),
        ("names: [معبر, 3]", "names: 3 is not a string"),
        ("approximate: maybe", "approximate: expected true or false"),
    ],
)
def test_bad_crossing_entry_is_refused_naming_file_and_entry(tmp_path, entry, complaint):
    bad = GOOD + textwrap.indent(
        textwrap.dedent(
            f"""\
            - id: xx-two
              name: معبر الثاني
              name_en: Second crossing
              kind: border
              countries: [SY, IQ]
              lat: 34.4
              lon: 40.9
              {entry}
            """
        ),
        "      ",
    )
    # The last key given wins in YAML, so `entry` overrides the good value above it.
    path = write(tmp_path, "crossings.yaml", bad)
    with pytest.raises(GazetteerError) as e:
        Gazetteer.from_files(path)
    msg = str(e.value)
    assert str(path) in msg and "entry 2 (xx-two)" in msg and complaint in msg
    assert f"{path}:9:" in msg  # the line where the entry starts


def test_a_spelling_shared_by_two_crossings_is_refused(tmp_path):
    bad = GOOD + textwrap.indent(
        textwrap.dedent(
            """\
            - id: xx-two
              name: معبر الأول
              name_en: Same name
              kind: border
              countries: [SY, IQ]
              lat: 34.4
              lon: 40.9
            """
        ),
        "      ",
    )
    with pytest.raises(
        GazetteerError, match=r"entry 2 \(xx-two\): spelling 'الاول' already belongs to xx-one"
    ):
        Gazetteer.from_files(write(tmp_path, "crossings.yaml", bad))


def test_a_spelling_shared_with_context_words_on_both_sides_is_accepted(tmp_path):
    two = GOOD + textwrap.indent(
        textwrap.dedent(
            """\
            - id: xx-two
              name: منفذ الثاني
              name_en: Second crossing
              kind: border
              countries: [SY, IQ]
              lat: 34.4
              lon: 40.9
              short: [الأول]
              context: [العراق]
            """
        ),
        "      ",
    )
    with pytest.raises(GazetteerError, match="only when both list context words"):
        Gazetteer.from_files(write(tmp_path, "one_sided.yaml", two))
    both = two.replace("        lon: 36.0\n", "        lon: 36.0\n        context: [لبنان]\n", 1)
    g = Gazetteer.from_files(write(tmp_path, "both.yaml", both))
    assert crossings_in(g, "أغلق معبر الأول على حدود لبنان")[0][1] == "xx-one"
    assert crossings_in(g, "أغلق معبر الأول على حدود العراق")[0][1] == "xx-two"


def test_duplicate_ids_missing_fields_and_broken_files_are_refused(tmp_path):
    dup = GOOD + GOOD.split("\n", 1)[1].replace("الأول", "الثاني")
    with pytest.raises(GazetteerError, match="id 'xx-one' is used twice"):
        Gazetteer.from_files(write(tmp_path, "dup.yaml", dup))
    with pytest.raises(GazetteerError, match="missing lat, lon"):
        Gazetteer.from_files(
            write(tmp_path, "m.yaml", GOOD.replace("    lat: 33.7\n", "").replace("    lon: 36.0\n", ""))
        )
    with pytest.raises(GazetteerError, match="not valid YAML"):
        Gazetteer.from_files(write(tmp_path, "y.yaml", "crossings: [\n"))
    with pytest.raises(GazetteerError, match="expected a top-level 'crossings:' list"):
        Gazetteer.from_files(write(tmp_path, "e.yaml", "places: []\n"))
    with pytest.raises(GazetteerError, match="cannot read"):
        Gazetteer.from_files(tmp_path / "absent.yaml")


def test_bad_places_file_is_refused_naming_file_and_entry(tmp_path):
    crossings = write(tmp_path, "c.yaml", GOOD)
    places = write(
        tmp_path,
        "places.yaml",
        """\
        places:
          - {id: xx-a, name: بلدة أ, name_en: A, kind: town, country: SY, lat: 33.5, lon: 36.3}
          - {id: xx-b, name: بلدة ب, name_en: B, kind: town, country: Syria, lat: 33.5, lon: 36.3}
        """,
    )
    with pytest.raises(GazetteerError) as e:
        Gazetteer.from_files(crossings, places)
    assert f"{places}:3: entry 2 (xx-b): country: 'Syria'" in str(e.value)


def test_bad_geonames_file_is_refused_naming_file_and_entry(tmp_path):
    path = tmp_path / "geo.json"
    entries = [
        {
            "id": "gn:1",
            "name_en": "A",
            "country": "SY",
            "lat": 33.0,
            "lon": 36.0,
            "population": 5,
            "names": ["حلب"],
        },
        {
            "id": "gn:2",
            "name_en": "B",
            "country": "SY",
            "lat": 33.0,
            "lon": 36.0,
            "population": -1,
            "names": ["حمص"],
        },
    ]
    path.write_text(json.dumps({"places": entries}), encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"geo.json: entry 2 \(gn:2\): population"):
        Gazetteer(write(tmp_path, "c.yaml", GOOD), None, path, None)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"geo.json: not valid JSON: line 1"):
        Gazetteer(write(tmp_path, "c.yaml", GOOD), None, path, None)
