"""The Slack incoming-webhook body for an alert, built with slack_sdk's Block Kit classes.

Layout: a header (event type in English and Arabic), one section of fields (crossing, place,
actor, status, confidence, sources, publication time), the Arabic evidence as a quote with the
matched words in bold, a context line (what changed, alert id), and buttons to the articles.
Slack's limits are enforced here, not discovered as `invalid_payload`: at most 50 blocks, 3,000
characters per text, 2,000 per field, 150 for the header, and always a plain `text` fallback
for notifications and clients that cannot show blocks.
"""

from __future__ import annotations

import unicodedata

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from alerts.model import Alert
from alerts.render import labels
from alerts.render.bidi import FSI, LRI, PDI, RLI, isolate, ltr_label
from alerts.render.evidence import ELLIPSIS, clean, compose, fitted, mark_spans, utf16_len

TEXT_LIMIT = 3000  # characters in one text object (section text, context element)
FIELD_LIMIT = 2000  # characters in one section field
HEADER_LIMIT = 150  # characters in the header's plain_text
BUTTON_TEXT_LIMIT = 75
MAX_BLOCKS = 50
MAX_BUTTONS = 5  # article buttons: the evidence's source first, then the others
MAX_FALLBACK = 3000

EVENT_EMOJI = {
    "crossing_closure": ":no_entry:",
    "crossing_reopening": ":white_check_mark:",
    "siege": ":no_entry_sign:",
    "siege_risk": ":warning:",
    "aid_blocked": ":package:",
    "evacuation": ":busts_in_silhouette:",
    "control_change": ":triangular_flag_on_post:",
    "strike": ":boom:",
    "detention": ":lock:",
    "displacement": ":walking:",
}


def escape(text: str) -> str:
    """Slack's required escaping of &, < and > in mrkdwn and the fallback text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_evidence(text: str) -> str:
    # A stray `*` in the article would pair with our bold markers; show a look-alike instead.
    return escape(text).replace("*", "\u2217")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 units with an ellipsis.

    Never between a letter and its diacritics; isolates left open by the cut are closed.
    """
    if utf16_len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    while cut and len(cut) < len(text) and unicodedata.category(text[len(cut)]).startswith("M"):
        cut = cut[:-1]
    while True:
        open_isolates = sum(cut.count(c) for c in (LRI, RLI, FSI)) - cut.count(PDI)
        out = cut + ELLIPSIS + PDI * max(open_isolates, 0)
        if utf16_len(out) <= limit or not cut:
            return out
        cut = cut[:-1]


def clip_escaped(raw: str, limit: int) -> str:
    """`escape(raw)` within `limit`, cutting the raw text so no entity (`&amp;`) is split."""
    if utf16_len(escape(raw)) <= limit:
        return escape(raw)
    lo, hi = 0, len(raw)
    while lo < hi:  # the longest raw cut whose escaped, clipped form fits
        mid = (lo + hi + 1) // 2
        if utf16_len(escape(clip(raw, mid))) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return escape(clip(raw, lo))


def _link(url: str, text: str) -> str:
    """A mrkdwn link, or just the text when the URL is not a safe http(s) URL."""
    safe = labels.web_url(url)
    if safe is None:
        return escape(text)
    return f"<{safe}|{escape(text).replace('|', '¦')}>"


def _slack_date(alert: Alert) -> str | None:
    moment = labels.published_at(labels.evidence_source(alert))
    if moment is None:
        return None
    # Shown in each reader's own time zone; the fallback after | is for old clients.
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{labels.human_time(moment)}>"


def _name(arabic: str, english: str | None) -> str:
    shown = ltr_label(arabic)
    return f"{shown} ({english})" if english else shown


def _field(title: str, value: str, *, raw: bool = True) -> MarkdownTextObject:
    """A field: bold title, then the value (escaped here when `raw`), within Slack's field limit."""
    head = f"*{title}*\n"
    room = FIELD_LIMIT - utf16_len(head)
    return MarkdownTextObject(text=head + (clip_escaped(value, room) if raw else value))


def _sources_value(alert: Alert) -> str:
    """Each outlet linked to its (first) article, within the field limit."""
    firsts: dict[str, str] = {}
    for s in alert.sources:
        firsts.setdefault(labels.outlet(s), s.url)
    parts: list[str] = []
    used = 0
    room = FIELD_LIMIT - 60
    for i, (name, url) in enumerate(firsts.items()):
        piece = _link(url, ltr_label(clip(name, 80)))
        if used + utf16_len(piece) + 2 > room:
            parts.append(f"and {len(firsts) - i} more")
            break
        parts.append(piece)
        used += utf16_len(piece) + 2
    return ", ".join(parts)


def _fields(alert: Alert) -> list[MarkdownTextObject]:
    event = alert.event
    fields = []
    crossing = labels.crossing_parts(event)
    if crossing:
        fields.append(_field("Crossing", _name(*crossing)))
    places = labels.place_parts(event)
    if places:
        fields.append(_field("Place" if len(places) == 1 else "Places", ", ".join(_name(*p) for p in places)))
    if event.actor:
        fields.append(_field("Actor", ltr_label(event.actor)))
    fields.append(_field("Status", labels.status_en(event.status)))
    fields.append(_field("Confidence", labels.confidence_text(event.confidence)))
    n = len(alert.sources)
    if n:
        fields.append(_field("Source" if n == 1 else f"Sources ({n})", _sources_value(alert), raw=False))
    when = _slack_date(alert)
    if when:
        fields.append(_field("Published", when, raw=False))
    return fields[: SectionBlock.fields_max_length]


def _evidence_text(alert: Alert) -> str:
    event = alert.event
    text = clean(event.evidence)
    spans = mark_spans(event, whole_words=True)

    def render(part: str, part_spans: list[tuple[int, int]]) -> str:
        return compose(part, part_spans, open_="*", close="*", escape=_escape_evidence, base="rtl")

    return "> " + fitted(text, spans, limit=TEXT_LIMIT - 2, render=render)


def header_text(alert: Alert, change: str) -> str:
    event = alert.event
    emoji = EVENT_EMOJI.get(event.type, ":rotating_light:")
    arabic = labels.label_ar(event.type)
    title = f"{emoji} {labels.label_en(event.type)}" + (f" · {isolate(arabic, 'rtl')}" if arabic else "")
    if change == "updated":
        title = f"Updated: {title}"
    if alert.test:
        title = f"[TEST] {title}"
    return clip(title, HEADER_LIMIT)


def _context(alert: Alert, change: str) -> str:
    n = len(alert.sources)
    parts = []
    if change == "updated":
        parts.append(f"*Updated: now {n} source{'s' if n != 1 else ''}* (version {alert.version})")
    src = labels.evidence_source(alert)
    if src and alert.event.evidence:
        parts.append("Quoted from " + _link(src.url, ltr_label(clip(labels.outlet(src), 80))))
    parts.append(f"Alert `{escape(alert.id)}`")
    if alert.test:
        parts.append("Test message: no real event")
    return " · ".join(parts)


def _buttons(alert: Alert) -> list[ButtonElement]:
    ordered = []
    src = labels.evidence_source(alert)
    if src:
        ordered.append(src)
    ordered += [s for s in alert.sources if s is not src]
    buttons: list[ButtonElement] = []
    seen: set[str] = set()
    for s in ordered:
        if len(buttons) >= MAX_BUTTONS:
            break
        url = labels.web_url(s.url)
        if url is None or url in seen:
            continue
        seen.add(url)
        text = "Read the article" if not buttons else clip(labels.outlet(s), BUTTON_TEXT_LIMIT)
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text=clip(text, BUTTON_TEXT_LIMIT), emoji=False),
                url=url,
                action_id=f"rasd_open_source_{len(buttons)}",
                style="primary" if not buttons else None,
            )
        )
    return buttons


def fallback_text(alert: Alert, change: str = "created") -> str:
    """The top-level `text`: what notifications and block-less clients show."""
    event = alert.event
    head = labels.label_en(event.type)
    if event.status != "occurred":
        head += f" ({event.status})"
    bits = []
    crossing = labels.crossing_parts(event)
    if crossing:
        bits.append(_name(*crossing))
    bits += [_name(*p) for p in labels.place_parts(event)[:3]]
    text = head + (": " + ", ".join(bits) if bits else "")
    names = labels.outlets(alert)
    if names:
        text += " - " + ", ".join(ltr_label(clip(n, 80)) for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if change == "updated":
        text = f"Updated, now {len(alert.sources)} sources: {text}"
    if alert.test:
        text = f"[TEST] {text}"
    return clip_escaped(text, MAX_FALLBACK)


def slack_payload(alert: Alert, *, change: str = "created") -> dict:
    """The JSON body to POST to a Slack incoming webhook for this alert and change."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=header_text(alert, change), emoji=True))]
    blocks.append(SectionBlock(fields=_fields(alert)))
    if alert.event.evidence.strip():
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_evidence_text(alert))))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_context(alert, change))]))
    buttons = _buttons(alert)
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    blocks.append(DividerBlock())
    return {
        "text": fallback_text(alert, change),
        "blocks": [b.to_dict() for b in blocks[:MAX_BLOCKS]],
        "unfurl_links": False,
        "unfurl_media": False,
    }
