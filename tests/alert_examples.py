"""Hand-built events and alerts for the alert tests (our own Arabic sentences, not corpus text)."""

from __future__ import annotations

from alerts.model import Alert, Source
from worker.detect.model import Crossing, Event, Mark, Place

# A closure with full diacritics, the trigger inside a word with a clitic (و), and a Latin run.
CLOSURE_TEXT = "وَأَغْلَقَتِ السُّلُطَاتُ مَعْبَرَ نَصِيب الحدودي مع الأردن صباح اليوم، بحسب وكالة Reuters & AFP."
RAFAH_TEXT = "أغلقت القوات الإسرائيلية معبر رفح البري أمام المسافرين والشاحنات منذ فجر الثلاثاء."
SIEGE_TEXT = "حذّر ناشطون من خطر حصار جديد يطوّق أحياء جنوب دمشق بعد قطع الطرق المؤدية إليها."
AID_TEXT = "قالت منظمة Save the Children إن قافلة المساعدات مُنعت من دخول مدينة الفاشر يوم 12 مارس."

ARTICLE_OFFSET = 250  # where the evidence sits in its (imaginary) article


def marks_for(text: str, *words: tuple[str, str], offset: int = ARTICLE_OFFSET) -> list[Mark]:
    """Marks (article offsets) on the first occurrence of each (word, role) in `text`."""
    out = []
    for word, role in words:
        i = text.index(word)
        out.append(Mark(offset + i, offset + i + len(word), role))
    return out


NASIB = Crossing("مَعْبَرَ نَصِيب", id="nasib-jaber", name_en="Nasib-Jaber crossing", countries=("SY", "JO"))
RAFAH = Crossing("معبر رفح البري", id="rafah", name_en="Rafah crossing", countries=("EG", "PS"))
DARAA = Place("درعا", id="170794", name_en="Daraa", country="SY", lat=32.62, lon=36.10)
SOUTH_DAMASCUS = Place("جنوب دمشق", name_en="South Damascus", country="SY")
EL_FASHER = Place("الفاشر", id="379555", name_en="El Fasher", country="SD", lat=13.63, lon=25.35)


def closure_event(confidence: float = 0.9, status: str = "occurred") -> Event:
    return Event(
        type="crossing_closure",
        status=status,
        confidence=confidence,
        evidence=CLOSURE_TEXT,
        evidence_start=ARTICLE_OFFSET,
        # The trigger mark stops before the suffix "تِ" and leaves out the clitic "وَ": the
        # renderers must widen it to the whole word.
        marks=marks_for(CLOSURE_TEXT, ("أَغْلَقَ", "trigger"), ("مَعْبَرَ نَصِيب", "object")),
        crossing=NASIB,
        places=[DARAA],
        actor="السُّلُطَاتُ",
        rule="closure.verb_object",
    )


def rafah_event(confidence: float = 0.85, status: str = "occurred", crossing: Crossing = RAFAH) -> Event:
    return Event(
        type="crossing_closure",
        status=status,
        confidence=confidence,
        evidence=RAFAH_TEXT,
        evidence_start=0,
        marks=marks_for(RAFAH_TEXT, ("أغلقت", "trigger"), ("معبر رفح", "object"), offset=0),
        crossing=crossing,
        actor="القوات الإسرائيلية",
    )


def siege_risk_event() -> Event:
    return Event(
        type="siege_risk",
        status="threatened",
        confidence=0.7,
        evidence=SIEGE_TEXT,
        evidence_start=0,
        marks=marks_for(SIEGE_TEXT, ("خطر حصار", "trigger"), offset=0),
        places=[SOUTH_DAMASCUS],
    )


def aid_event() -> Event:
    return Event(
        type="aid_blocked",
        status="occurred",
        confidence=0.8,
        evidence=AID_TEXT,
        evidence_start=0,
        marks=marks_for(AID_TEXT, ("مُنعت", "trigger"), ("قافلة المساعدات", "object"), offset=0),
        places=[EL_FASHER],
        actor="Save the Children",
    )


def source(n: int = 1, feed: str = "enab", outlet: str | None = "عنب بلدي") -> Source:
    return Source(
        url=f"https://news.example.org/syria/article-{n}?ref=rss&lang=ar",
        feed=feed,
        title=f"إغلاق المعبر الحدودي - تقرير {n}",
        published="2026-03-14T06:30:00Z",
        outlet=outlet,
    )


def alert_of(event: Event, sources: list[Source] | None = None, **kw) -> Alert:
    sources = sources or [source()]
    base = {
        "id": "01JQ3Z8K4M2V9X7T5R6P0N1B2C",
        "key": "test-key",
        "event": event,
        "sources": sources,
        "created_at": "2026-03-14T07:00:00Z",
        "updated_at": "2026-03-14T07:00:00Z",
        "version": 1,
        "evidence_url": sources[0].url,
    }
    base.update(kw)
    return Alert(**base)
