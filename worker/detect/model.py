"""What the detector reports. Plain data, shared by the detector, the CLI and `alerts/`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

EVENT_TYPES: tuple[str, ...] = (
    "crossing_closure",
    "crossing_reopening",
    "siege",
    "siege_risk",
    "aid_blocked",
    "evacuation",
    "control_change",
    "strike",
    "detention",
    "displacement",
)
ACCESS_EVENTS: tuple[str, ...] = (
    "crossing_closure",
    "crossing_reopening",
    "siege",
    "siege_risk",
    "aid_blocked",
    "evacuation",
)
STATUSES: tuple[str, ...] = ("occurred", "announced", "threatened")

EVENT_LABELS_EN: dict[str, str] = {
    "crossing_closure": "Crossing closed",
    "crossing_reopening": "Crossing reopened",
    "siege": "Siege",
    "siege_risk": "Siege risk",
    "aid_blocked": "Aid blocked",
    "evacuation": "Evacuation",
    "control_change": "Control change",
    "strike": "Strike",
    "detention": "Detention",
    "displacement": "Displacement",
}
EVENT_LABELS_AR: dict[str, str] = {
    "crossing_closure": "إغلاق معبر",
    "crossing_reopening": "إعادة فتح معبر",
    "siege": "حصار",
    "siege_risk": "خطر حصار",
    "aid_blocked": "منع المساعدات",
    "evacuation": "إجلاء",
    "control_change": "تغيّر السيطرة",
    "strike": "قصف",
    "detention": "اعتقال",
    "displacement": "نزوح",
}


def _set_fields(obj: object, names: tuple[str, ...], values: tuple[object, ...]) -> None:
    """Set the fields of a frozen dataclass as its generated __init__ does. The classes below write
    out their __init__ and call this: compiled by mypyc it runs natively, where the generated one
    runs as Python code, and the detector makes dozens of places and marks per article."""
    for i in range(len(names)):
        object.__setattr__(obj, names[i], values[i])


@dataclass(frozen=True)
class Place:
    """A place as written in the text, with what the gazetteer knows of it."""

    name: str
    id: str | None = None
    name_en: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    lat: float | None = None
    lon: float | None = None

    def __init__(self, name: str, id: str | None = None, name_en: str | None = None, country: str | None = None,
                 lat: float | None = None, lon: float | None = None) -> None:
        _set_fields(self, ("name", "id", "name_en", "country", "lat", "lon"), (name, id, name_en, country, lat, lon))


@dataclass(frozen=True)
class Crossing:
    """A crossing as written in the text; `id` and `name_en` when the gazetteer knows it."""

    name: str
    id: str | None = None
    name_en: str | None = None
    countries: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None

    def __init__(self, name: str, id: str | None = None, name_en: str | None = None, countries: tuple[str, ...] = (),
                 lat: float | None = None, lon: float | None = None) -> None:
        _set_fields(self, ("name", "id", "name_en", "countries", "lat", "lon"), (name, id, name_en, countries, lat, lon))


@dataclass(frozen=True)
class Mark:
    """A matched word: offsets into the original article text (end exclusive)."""

    start: int
    end: int
    role: str = "trigger"  # trigger, object, negation, modality, place, actor ...

    def __init__(self, start: int, end: int, role: str = "trigger") -> None:
        # As _set_fields, but written out: marks are made most often (some 65 for the seed article).
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "role", role)


@dataclass
class Event:
    type: str
    status: str
    confidence: float
    evidence: str  # the sentence as it stands in the original text
    evidence_start: int  # offset of that sentence in the original text
    marks: list[Mark] = field(default_factory=list)
    crossing: Crossing | None = None
    places: list[Place] = field(default_factory=list)
    actor: str | None = None
    target: str | None = None
    rule: str | None = None  # id of the rule that fired

    def __init__(
        self, type: str, status: str, confidence: float, evidence: str, evidence_start: int,
        marks: list[Mark] | None = None, crossing: Crossing | None = None, places: list[Place] | None = None,
        actor: str | None = None, target: str | None = None, rule: str | None = None,
    ) -> None:
        # Written out (the dataclass would generate the same): compiled, it runs natively, where the
        # generated one runs as Python code, and the detector makes an Event per candidate.
        self.type, self.status, self.confidence = type, status, confidence
        self.evidence, self.evidence_start = evidence, evidence_start
        self.marks = [] if marks is None else marks
        self.crossing = crossing
        self.places = [] if places is None else places
        self.actor, self.target, self.rule = actor, target, rule

    def marked_evidence(self, open_: str = "[[", close: str = "]]") -> str:
        """The evidence with each mark wrapped, for terminals and Slack (`*`)."""
        spans = sorted(
            {(m.start - self.evidence_start, m.end - self.evidence_start) for m in self.marks}
        )
        out, pos = [], 0
        for s, e in spans:
            if s < pos or s < 0 or e > len(self.evidence):
                continue
            out += [self.evidence[pos:s], open_, self.evidence[s:e], close]
            pos = e
        out.append(self.evidence[pos:])
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `rasd detect --batch` (see shared DESIGN.md)."""
        d: dict[str, Any] = {"type": self.type, "status": self.status, "confidence": round(self.confidence, 3)}
        if self.crossing:
            d["crossing"] = self.crossing.name
            if self.crossing.id:
                d["crossing_id"] = self.crossing.id
            if self.crossing.name_en:
                d["crossing_en"] = self.crossing.name_en
        if self.places:
            d["place"] = [p.name for p in self.places]
            d["places"] = [{k: v for k, v in asdict(p).items() if v is not None} for p in self.places]
        if self.actor:
            d["actor"] = self.actor
        if self.target:
            d["target"] = self.target
        d["evidence"] = self.evidence
        d["evidence_start"] = self.evidence_start
        d["marks"] = [[m.start, m.end, m.role] for m in self.marks]
        if self.rule:
            d["rule"] = self.rule
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        crossing = None
        if d.get("crossing"):
            crossing = Crossing(name=d["crossing"], id=d.get("crossing_id"), name_en=d.get("crossing_en"))
        places = [Place(**p) for p in d.get("places", [])] or [Place(name=n) for n in d.get("place", [])]
        return cls(
            type=d["type"],
            status=d.get("status", "occurred"),
            confidence=float(d.get("confidence", 0.0)),
            evidence=d.get("evidence", ""),
            evidence_start=int(d.get("evidence_start", 0)),
            marks=[Mark(int(m[0]), int(m[1]), m[2] if len(m) > 2 else "trigger") for m in d.get("marks", [])],
            crossing=crossing,
            places=places,
            actor=d.get("actor"),
            target=d.get("target"),
            rule=d.get("rule"),
        )
