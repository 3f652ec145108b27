"""The Slack payload: Block Kit that slack_sdk parses back, Slack's limits, bold marks, bidi, escaping."""

from __future__ import annotations

import re
from dataclasses import replace

from alert_examples import CLOSURE_TEXT, aid_event, alert_of, closure_event, marks_for, rafah_event, source
from slack_sdk.models.blocks import Block

from alerts.render.bidi import LRI, PDI, RLI
from alerts.render.evidence import is_word_char, utf16_len
from alerts.render.slack import slack_payload
from worker.detect.model import Event, Mark

ISOLATES = f"[{LRI}{RLI}\u2068{PDI}]"


def _texts(payload: dict) -> list[str]:
    """Every text object in the blocks."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                out.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(payload["blocks"])
    return out


def _block(payload: dict, kind: str) -> list[dict]:
    return [b for b in payload["blocks"] if b["type"] == kind]


def _quote(payload: dict) -> str:
    [quote] = [b["text"]["text"] for b in _block(payload, "section") if "text" in b]
    assert quote.startswith("> ")
    return quote[2:]


def _check_limits(payload: dict) -> None:
    assert len(payload["blocks"]) <= 50
    for block in payload["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block  # slack_sdk validates the limits here too
    for text in _texts(payload):
        assert utf16_len(text) <= 3000
    for section in _block(payload, "section"):
        assert len(section.get("fields", [])) <= 10
        assert all(utf16_len(f["text"]) <= 2000 for f in section.get("fields", []))
    [header] = _block(payload, "header")
    assert len(header["text"]["text"]) <= 150
    for actions in _block(payload, "actions"):
        for button in actions["elements"]:
            assert re.match(r"^https?://[^\s]+$", button["url"]) and len(button["url"]) <= 3000
    assert isinstance(payload["text"], str) and payload["text"].strip()


def _bold_runs(quote: str) -> list[tuple[int, int]]:
    """(start, end) of each *...* in the quote, checking Slack's rule: markers at word boundaries."""
    runs = []
    for m in re.finditer(r"\*([^*]+)\*", quote):
        before = quote[m.start() - 1] if m.start() else " "
        after = quote[m.end()] if m.end() < len(quote) else " "
        assert not is_word_char(before), f"bold opens inside a word: {quote[max(m.start() - 5, 0):m.end()]!r}"
        assert not is_word_char(after), f"bold closes inside a word: {quote[m.start():m.end() + 5]!r}"
        inner = m.group(1)
        assert not inner[0].isspace() and not inner[-1].isspace()
        runs.append((m.start(), m.end()))
    assert quote.count("*") == 2 * len(runs), "unbalanced bold markers"
    return runs


def test_payload_parses_back_and_has_the_alert():
    payload = slack_payload(alert_of(closure_event()))
    _check_limits(payload)
    [header] = _block(payload, "header")
    assert "Crossing closed" in header["text"]["text"] and "إغلاق معبر" in header["text"]["text"]
    fields = "\n".join(f["text"] for f in _block(payload, "section")[0]["fields"])
    for expected in ("*Crossing*", "مَعْبَرَ نَصِيب", "Nasib-Jaber crossing", "*Place*", "درعا", "Daraa",
                     "*Actor*", "السُّلُطَاتُ", "*Status*\nOccurred", "*Confidence*\n90% (high)",
                     "*Source*", "عنب بلدي", "*Published*", "<!date^1773469800^"):
        assert expected in fields
    [actions] = _block(payload, "actions")
    assert actions["elements"][0]["url"] == source(1).url
    assert "Alert `01JQ3Z8K4M2V9X7T5R6P0N1B2C`" in _block(payload, "context")[0]["elements"][0]["text"]


def test_fallback_text_names_type_place_crossing_and_outlet():
    text = slack_payload(alert_of(closure_event()))["text"]
    for expected in ("Crossing closed", "مَعْبَرَ نَصِيب", "Nasib-Jaber crossing", "درعا", "عنب بلدي"):
        assert expected in text
    aid = slack_payload(alert_of(aid_event(), [source(1, "sudan", "Sudan Tribune")]))["text"]
    assert aid.startswith("Aid blocked: ") and "الفاشر" in aid and "Sudan Tribune" in aid


def test_matched_words_bold_at_word_boundaries_with_diacritics():
    quote = _quote(slack_payload(alert_of(closure_event())))
    runs = _bold_runs(quote)
    bolded = [quote[s + 1 : e - 1] for s, e in runs]
    # The trigger mark covered only "أَغْلَقَ": widened to the whole word with its clitic and suffix.
    assert bolded == ["وَأَغْلَقَتِ", "مَعْبَرَ نَصِيب"]
    assert quote.replace("*", "").startswith("وَأَغْلَقَتِ السُّلُطَاتُ")


def test_a_mark_ending_before_its_diacritics_keeps_them_inside_the_bold():
    text = "أُغْلِقَ المَعْبَرُ أمس"
    # The mark stops before the final fatha and damma: bold must not split a letter from its harakat.
    event = Event(type="crossing_closure", status="occurred", confidence=0.8, evidence=text, evidence_start=0,
                  marks=[Mark(0, 7), Mark(9, 17, "object")])
    quote = _quote(slack_payload(alert_of(event)))
    assert [quote[s + 1 : e - 1] for s, e in _bold_runs(quote)] == ["أُغْلِقَ", "المَعْبَرُ"]


def test_slack_special_characters_are_escaped():
    text = "قالت الأمم المتحدة <UN> إن المعبر أُغلق & إن 5 > 3 *تماماً*."
    event = Event(type="crossing_closure", status="occurred", confidence=0.8, evidence=text, evidence_start=0,
                  marks=marks_for(text, ("أُغلق", "trigger"), offset=0))
    payload = slack_payload(alert_of(event, [replace(source(1), outlet="A <b> & C")]))
    quote = _quote(payload)
    assert f"&lt;{LRI}UN{PDI}&gt;" in quote and " &amp; " in quote and "5 &gt; 3" in quote
    assert "<" not in quote and ">" not in quote
    # A `*` from the article must not pair with our markers.
    assert [quote[s + 1 : e - 1] for s, e in _bold_runs(quote)] == ["أُغلق"]
    assert "A &lt;b&gt; &amp; C" in payload["text"]


def test_latin_runs_in_arabic_lines_are_isolated():
    quote = _quote(slack_payload(alert_of(closure_event())))
    assert f"{LRI}Reuters &amp; AFP{PDI}." in quote
    aid_quote = _quote(slack_payload(alert_of(aid_event())))
    assert f"منظمة {LRI}Save the Children{PDI} إن" in aid_quote
    # Arabic names inside English lines are isolated the other way.
    fields = "\n".join(f["text"] for f in _block(slack_payload(alert_of(aid_event())), "section")[0]["fields"])
    assert f"{RLI}الفاشر{PDI} (El Fasher)" in fields
    # Isolates always come in pairs.
    for text in _texts(slack_payload(alert_of(closure_event()))):
        assert text.count(LRI) + text.count(RLI) + text.count("\u2068") == text.count(PDI)


def test_updates_say_how_many_sources():
    alert = alert_of(closure_event(), [source(1), source(2, "syria-tv", "تلفزيون سوريا"), source(3, "sana", None)],
                     version=3)
    payload = slack_payload(alert, change="updated")
    context = _block(payload, "context")[0]["elements"][0]["text"]
    assert "Updated: now 3 sources" in context
    assert payload["text"].startswith("Updated, now 3 sources")
    assert _block(payload, "header")[0]["text"]["text"].startswith("Updated:")
    fields = "\n".join(f["text"] for f in _block(payload, "section")[0]["fields"])
    assert "*Sources (3)*" in fields and "تلفزيون سوريا" in fields and "sana" in fields
    assert len(_block(payload, "actions")[0]["elements"]) == 3


def test_huge_evidence_and_thirty_sources_stay_within_limits():
    filler = "وتواصل الطوابير الطويلة من الشاحنات انتظارها على جانبي الحدود منذ أيام، "
    sentence = "وقالت مصادر محلية إن السلطات أَغْلَقَتْ معبر نصيب بالكامل مساء الأحد 🚫."
    text = filler * 120 + sentence + " " + filler * 120
    event = Event(type="crossing_closure", status="occurred", confidence=0.9, evidence=text, evidence_start=1000,
                  marks=marks_for(text, ("أَغْلَقَتْ", "trigger"), ("معبر نصيب", "object"), offset=1000),
                  places=[closure_event().places[0]] * 40, actor="السلطات " * 400)
    sources = [source(i, f"feed-{i}", f"منفذ إخباري رقم {i} " + "x" * 200) for i in range(30)]
    payload = slack_payload(alert_of(event, sources, version=30), change="updated")
    _check_limits(payload)
    quote = _quote(payload)
    assert utf16_len(quote) > 2500  # the room is used, not wasted
    assert quote.startswith("…") and quote.endswith("…")
    assert [quote[s + 1 : e - 1] for s, e in _bold_runs(quote)] == ["أَغْلَقَتْ", "معبر نصيب"]
    assert "Updated: now 30 sources" in _block(payload, "context")[0]["elements"][0]["text"]
    assert len(_block(payload, "actions")[0]["elements"]) <= 5


def test_cut_never_splits_a_mark_or_a_letter_from_its_diacritics():
    word = "مُحَاصَرَةٌ "
    text = word * 600 + "المعبر مُغْلَقٌ"
    event = Event(type="crossing_closure", status="occurred", confidence=0.9, evidence=text, evidence_start=0,
                  marks=[Mark(len(text) - 6, len(text))])
    quote = _quote(slack_payload(alert_of(event)))
    body = quote.removeprefix("…")
    assert body.startswith("مُحَاصَرَةٌ ") and body.endswith("*مُغْلَقٌ*")
    assert utf16_len(quote) <= 3000


def test_astral_characters_count_twice_against_the_limit():
    text = "😀" * 2000 + " أغلقت السلطات المعبر " + "😀" * 2000
    event = Event(type="crossing_closure", status="occurred", confidence=0.9, evidence=text, evidence_start=0,
                  marks=marks_for(text, ("أغلقت", "trigger"), offset=0))
    payload = slack_payload(alert_of(event))
    quote = _quote(payload)
    assert utf16_len("> " + quote) <= 3000 and "*أغلقت*" in quote
    assert not re.search("[\ud800-\udfff]", quote)


def test_no_button_for_a_url_slack_would_reject():
    payload = slack_payload(alert_of(rafah_event(), [replace(source(1), url="ftp://files.example/a")]))
    assert _block(payload, "actions") == []
    _check_limits(payload)


def test_test_alerts_are_labelled():
    payload = slack_payload(alert_of(rafah_event(), test=True))
    assert _block(payload, "header")[0]["text"]["text"].startswith("[TEST]")
    assert payload["text"].startswith("[TEST]")


def test_evidence_newlines_do_not_break_the_quote():
    text = CLOSURE_TEXT.replace("، ", "\n")
    event = replace(closure_event(), evidence=text)
    quote = _quote(slack_payload(alert_of(event)))
    assert "\n" not in quote


def test_arabic_article_urls_become_valid_ascii_links():
    url = "https://www.example.net/news/2026/3/14/إغلاق-معبر-نصيب?a=1|2"
    payload = slack_payload(alert_of(closure_event(), [replace(source(1), url=url)]))
    [button] = _block(payload, "actions")[0]["elements"]
    assert button["url"].isascii() and "%D8%A5%D8%BA" in button["url"] and "|" not in button["url"]
    fields = "\n".join(f["text"] for f in _block(payload, "section")[0]["fields"])
    assert f"<{button['url']}|" in fields
    _check_limits(payload)


def test_a_test_alert_without_sources_or_evidence_still_renders():
    event = Event(type="siege", status="occurred", confidence=0.5, evidence="", evidence_start=0)
    alert = alert_of(event, test=True)
    alert.sources, alert.evidence_url = [], None
    payload = slack_payload(alert)
    _check_limits(payload)
    assert _block(payload, "actions") == [] and payload["text"] == "[TEST] Siege"
