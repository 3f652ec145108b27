"""Plain-text rendering for Apprise channels (Teams, Telegram, Discord, email) and the console.

English labels; the Arabic evidence kept intact with the matched words shown as «word»; the
links to every source. Mixed lines carry Unicode isolates so Arabic names in English lines (and
Latin names in the Arabic evidence) keep their punctuation on the right side.
"""

from __future__ import annotations

from alerts.model import Alert
from alerts.render import labels
from alerts.render.bidi import isolate, ltr_label
from alerts.render.evidence import clean, compose, fitted, mark_spans

MARK_OPEN, MARK_CLOSE = "«", "»"
EVIDENCE_LIMIT = 4000  # characters of evidence; longer ones are cut around the marks
MAX_SOURCES = 20  # source lines listed; the rest are counted


def _name(arabic: str, english: str | None) -> str:
    shown = ltr_label(arabic)
    return f"{shown} ({english})" if english else shown


def marked_evidence(alert: Alert, *, open_: str = MARK_OPEN, close: str = MARK_CLOSE, limit: int = EVIDENCE_LIMIT) -> str:
    """The evidence with its marks wrapped in `open_`/`close`, Latin runs isolated, cut to `limit`."""
    event = alert.event
    spans = mark_spans(event, whole_words=True)

    def render(part: str, part_spans: list[tuple[int, int]]) -> str:
        return compose(part, part_spans, open_=open_, close=close, base="rtl")

    return fitted(clean(event.evidence), spans, limit=limit, render=render)


def title_text(alert: Alert, change: str | None = None) -> str:
    event = alert.event
    change = change or ("created" if alert.version == 1 else "updated")
    title = labels.label_en(event.type)
    if event.status != "occurred":
        title += f" ({event.status})"
    where = labels.crossing_parts(event) or (labels.place_parts(event) or [None])[0]
    if where:
        title += ": " + _name(*where)
    if change == "updated":
        title = f"Updated ({len(alert.sources)} sources): {title}"
    if alert.test:
        title = f"[TEST] {title}"
    return title


def plain_text(alert: Alert, change: str | None = None) -> tuple[str, str]:
    """(title, body) in plain text. `change` defaults to what the alert's version implies."""
    event = alert.event
    arabic = labels.label_ar(event.type)
    lines = [labels.label_en(event.type) + (f" · {isolate(arabic, 'rtl')}" if arabic else "")]
    lines.append(f"Status: {labels.status_en(event.status)} · Confidence: {labels.confidence_text(event.confidence)}")
    crossing = labels.crossing_parts(event)
    if crossing:
        lines.append("Crossing: " + _name(*crossing))
    places = labels.place_parts(event)
    if places:
        lines.append(("Place: " if len(places) == 1 else "Places: ") + ", ".join(_name(*p) for p in places))
    if event.actor:
        lines.append("Actor: " + ltr_label(event.actor))
    if event.evidence.strip():
        lines += ["", "Evidence:", marked_evidence(alert)]
    if alert.sources:
        lines += ["", f"Sources ({len(alert.sources)}):"]
    for s in alert.sources[:MAX_SOURCES]:
        bits = [ltr_label(labels.outlet(s))]
        if s.title:
            bits.append(ltr_label(clean(s.title)))
        when = labels.published_at(s)
        if when:
            bits.append(labels.human_time(when))
        lines.append("- " + " · ".join(bits) + f"\n  {s.url}")
    if len(alert.sources) > MAX_SOURCES:
        lines.append(f"- and {len(alert.sources) - MAX_SOURCES} more")
    footer = f"Alert {alert.id} · version {alert.version}"
    if alert.test:
        footer += " · test message, no real event"
    lines += ["", footer]
    return title_text(alert, change), "\n".join(lines)
