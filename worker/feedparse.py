"""Feed bytes to entries: feedparser, hardened against hostile XML and helped through broken feeds.

Before feedparser sees anything:
- every DOCTYPE in the prolog is removed (an internal subset is where entity bombs and external
  entities live; feedparser and expat are not trusted to neutralise them), and the removal of
  entity declarations is reported;
- HTML-only named entities (&nbsp;, &colon; ...) outside CDATA become numeric references, so a
  hand-made feed still parses strictly;
- bytes whose encoding feedparser mishandles are transcoded to UTF-8: a per-feed `encoding:`
  override, UTF-16/32 with a byte-order mark, and ISO-8859-1-labelled UTF-8.

Raw bytes otherwise go to feedparser with the HTTP charset. When that yields nothing, or
feedparser had to guess the encoding, a second pass decodes the bytes itself (declared charsets
checked against the bytes, then detection that knows windows-1256 and ISO-8859-6), repairs the
prolog and undeclared namespace prefixes, and the better of the two results is kept.
"""

from __future__ import annotations

import codecs
import hashlib
import html.entities
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser
from feedparser.datetimes import _parse_date
from feedparser.exceptions import CharacterEncodingOverride, CharacterEncodingUnknown

from worker.decode import _is_utf8, bom_encoding, codec_for, detect, display_name
from worker.urls import canonical_url


class ParseError(ValueError):
    """Nothing usable could be recovered from a feed; `reason` says why, for ops."""

    def __init__(self, reason: str, *, title: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.title = title


@dataclass
class Entry:
    id: str
    url: str | None  # canonical; None when the entry has no usable http(s) link
    title: str
    summary: str
    content: str | None
    published: datetime | None  # timezone-aware UTC
    raw_link: str | None  # the link as the feed gave it, made absolute


@dataclass
class ParsedFeed:
    entries: list[Entry]
    title: str | None
    bozo: bool
    bozo_reason: str | None
    encoding: str | None = None
    version: str | None = None
    link: str | None = None
    notes: list[str] = field(default_factory=list)  # what was repaired or overridden on the way


# -- byte-level preparation ----------------------------------------------------------------------

_MARKUP_DECLARATION = re.compile(rb"<!\[CDATA\[|<!--|<!DOCTYPE", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""", re.IGNORECASE)
_CDATA = re.compile(rb"(<!\[CDATA\[.*?(?:\]\]>|$))", re.DOTALL)
_ENTITY_REF = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_WESTERN = frozenset({"cp1252", "iso8859-1", "latin-1", "ascii"})
# Patterns of '<?' in encodings that are not ASCII-compatible (XML spec, appendix F).
_WIDE_MARKERS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)


def _end_of_doctype(data: bytes, start: int) -> int:
    """Index just past the DOCTYPE starting at `start`, minding quotes, comments and the [subset]."""
    depth = 0
    quote = 0
    i = start + 9
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c == 0x3C and data.startswith(b"<!--", i):  # a comment in the subset may hold quotes
            close = data.find(b"-->", i + 4)
            if close < 0:
                return n
            i = close + 3
            continue
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth = max(0, depth - 1)
        elif c == 0x3E and depth == 0:  # >
            return i + 1
        i += 1
    return n  # unterminated: everything after it belongs to the DOCTYPE


def strip_doctypes(data: bytes) -> tuple[bytes, bool]:
    """Remove every DOCTYPE declaration (anywhere outside CDATA and comments, so junk or a comment
    before it cannot hide it); True if any carried declarations (an internal subset). One pass."""
    if not _DOCTYPE.search(data):
        return data, False
    had_declarations = False
    out: list[bytes] = []
    position = 0
    while (m := _MARKUP_DECLARATION.search(data, position)) is not None:
        start = m.start()
        if m.group(0).upper() == b"<!DOCTYPE":
            end = _end_of_doctype(data, start)
            declaration = data[start:end]
            if b"[" in declaration or b"<!" in declaration[2:]:
                had_declarations = True
            out.append(data[position:start])
        else:  # CDATA or a comment: copied through, '<!DOCTYPE' inside is text
            closer = b"]]>" if m.group(0).startswith(b"<![") else b"-->"
            found = data.find(closer, m.end())
            end = len(data) if found < 0 else found + len(closer)
            out.append(data[position:end])
        position = end
    out.append(data[position:])
    return b"".join(out), had_declarations


def html_entities_to_numeric(data: bytes) -> tuple[bytes, int]:
    """Rewrite HTML-only named entities outside CDATA as numeric references; returns the count."""
    count = 0

    def repl(m: re.Match[bytes]) -> bytes:
        nonlocal count
        name = m.group(1).decode("ascii")
        if name in _XML_ENTITIES:
            return m.group(0)
        value = html.entities.html5.get(name + ";")
        if value is None:
            return m.group(0)  # unknown: leave it, the parser says so
        count += 1
        return b"".join(b"&#%d;" % ord(ch) for ch in value)

    if b"&" not in data:
        return data, 0
    parts = _CDATA.split(data)
    for i in range(0, len(parts), 2):
        parts[i] = _ENTITY_REF.sub(repl, parts[i])
    return b"".join(parts), count


def _wide_encoding(data: bytes) -> str | None:
    bom, _ = bom_encoding(data)
    if bom and bom != "utf-8":
        return bom
    return next((name for marker, name in _WIDE_MARKERS if data[:4] == marker), None)


def _as_utf8_document(text: str) -> bytes:
    """Text with its XML declaration replaced by a UTF-8 one, encoded as UTF-8."""
    text = text.lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1, flags=re.IGNORECASE)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text.lstrip()).encode("utf-8")


def _xml_declared(data: bytes) -> str | None:
    m = _XML_DECL_ENCODING.match(data.lstrip(codecs.BOM_UTF8))
    return m.group(1).decode("ascii") if m else None


def _strict(data: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "utf-8" and exc.start >= len(data) - 3:  # cut inside the last character
            return data[: exc.start].decode("utf-8")
        return None
    except LookupError:
        return None


def decode_feed(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """(text, codec) when we decode a feed ourselves: BOM, then each declared charset that fits the
    bytes, then UTF-8, then detection; never raises (undecodable bytes become U+FFFD)."""
    bom, skip = bom_encoding(data)
    if bom:
        return data[skip:].decode(bom, "replace"), bom
    for label in (http_charset, _xml_declared(data)):
        codec = codec_for(label)
        if codec and (codec.startswith("utf-16") or codec.startswith("utf-32")):
            continue  # an ASCII-readable declaration cannot be right about a wide encoding
        if codec in _WESTERN and _is_utf8(data) and any(b >= 0x80 for b in data):
            continue  # a Western label on multi-byte UTF-8 is a server default, not a fact
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    codec = detect(data)
    return data.decode(codec, "replace"), codec


# -- text repairs for the second pass ------------------------------------------------------------

_ROOT = re.compile(r"<(?![?!/])[A-Za-z_]")
_PREFIX_USE = re.compile(r"</?([A-Za-z_][\w.\-]*):[A-Za-z_]")
_KNOWN_NAMESPACES = {
    "rss": "http://backend.userland.com/rss",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
}


def repair_text(text: str) -> tuple[str, list[str]]:
    """Drop junk before the root element and declare namespace prefixes the feed forgot."""
    notes: list[str] = []
    text = text.lstrip("\ufeff")
    root = _ROOT.search(text)
    if not root:
        return text, notes
    prolog = text[: root.start()]
    if prolog.strip() and not re.fullmatch(r"\s*<\?xml[^>]*\?>\s*", prolog):
        notes.append("junk before the root element removed")
    text = text[root.start():]
    used = set(_PREFIX_USE.findall(text)) - {"xml", "xmlns"}
    missing = sorted(p for p in used if f"xmlns:{p}=" not in text)
    if missing:
        tag_end = re.match(r"<[A-Za-z_][\w.:\-]*", text)
        declarations = "".join(
            f' xmlns:{p}="{_KNOWN_NAMESPACES.get(p, "urn:rasd:undeclared:" + p)}"' for p in missing
        )
        if tag_end:
            text = text[: tag_end.end()] + declarations + text[tag_end.end():]
            notes.append(f"undeclared namespace prefixes declared: {', '.join(missing)}")
    return text, notes


# -- HTML to text --------------------------------------------------------------------------------

_BLOCK = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table td th tr ul".split()
)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """Plain text from an HTML fragment: tags dropped, entities decoded, one paragraph per line."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# -- entries -------------------------------------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC)
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            parsed = _parse_date(raw.translate(_DIGITS))  # Arabic-Indic digits are common in Arabic feeds
            if parsed:
                return datetime(*parsed[:6], tzinfo=UTC)
    return None


def _content(entry: Any) -> str | None:
    best = ""
    for item in entry.get("content") or []:
        value = item.get("value") or ""
        text = html_to_text(value) if "html" in (item.get("type") or "html") else " ".join(value.split())
        if len(text) > len(best):
            best = text
    return best or None


def _entry(raw: Any, base_url: str | None) -> Entry | None:
    link = raw.get("link") or next(
        (lk.get("href") for lk in raw.get("links") or [] if lk.get("rel", "alternate") == "alternate"), None
    )
    url = raw_link = None
    if link:
        try:
            url = canonical_url(link, base_url)
            raw_link = _absolute(link.strip(), base_url)
        except ValueError:
            url = None
    title = html_to_text(raw.get("title"))
    summary = html_to_text(raw.get("summary"))
    content = _content(raw)
    if content == summary:
        content = None
    if not (url or title or summary or content):
        return None  # nothing an analyst or the detector could use
    published = _when(raw)
    entry_id = (raw.get("id") or "").strip() or url
    if not entry_id:
        digest = hashlib.sha1(f"{title}\n{summary}\n{published}".encode()).hexdigest()
        entry_id = f"sha1:{digest}"
    return Entry(entry_id, url, title, summary, content, published, raw_link)


def _absolute(link: str, base_url: str | None) -> str:
    return urljoin(base_url, link) if base_url else link


# -- parsing -------------------------------------------------------------------------------------


def _run_feedparser(data: bytes, charset: str | None, base_url: str | None) -> Any:
    content_type = "application/xml" + (f"; charset={charset}" if charset else "")
    headers = {"content-type": content_type}
    if base_url:
        headers["content-location"] = base_url
    # A file object, never bytes or str: feedparser.parse opens a str that looks like a URL and
    # tries bytes as a local file name first.
    return feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True,
                            resolve_relative_uris=True)


def _harden(data: bytes, notes: list[str]) -> bytes:
    data, had_declarations = strip_doctypes(data)
    if had_declarations:
        notes.append("DOCTYPE with entity declarations removed (entities are never expanded)")
    data, replaced = html_entities_to_numeric(data)
    if replaced:
        notes.append(f"{replaced} HTML named entities rewritten as character references")
    return data


def _reason(result: Any) -> str | None:
    exc = result.get("bozo_exception")
    if not result.get("bozo") or exc is None:
        return None
    line = getattr(exc, "getLineNumber", None)
    where = f" at line {line()}" if callable(line) and line() else ""
    return f"{type(exc).__name__}{where}: {getattr(exc, 'getMessage', lambda: str(exc))()}"


def _encoding_trouble(result: Any, data: bytes, charset: str | None) -> bool:
    """True when feedparser fell back to an encoding nobody declared (it then guesses Western)."""
    if isinstance(result.get("bozo_exception"), CharacterEncodingOverride | CharacterEncodingUnknown):
        return True
    expected = codec_for(charset) or codec_for(_xml_declared(data)) or bom_encoding(data)[0] or "utf-8"
    used = codec_for(result.get("encoding"))
    return used is not None and used != expected


def _usable(result: Any, base_url: str | None) -> list[Entry]:
    return [e for e in (_entry(raw, base_url) for raw in result.entries) if e is not None]


def parse_feed(
    content: bytes,
    *,
    http_charset: str | None = None,
    encoding_override: str | None = None,
    base_url: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes into entries; raise ParseError when nothing can be recovered."""
    if not content or not content.strip(b" \t\r\n\x00"):
        raise ParseError("the document is empty")
    notes: list[str] = []
    charset = codec_for(http_charset) if http_charset else None
    if http_charset and not charset:
        notes.append(f"unknown HTTP charset {http_charset!r} ignored")
    data = content
    source: str | None = None  # the encoding we transcoded from, when we did

    override = codec_for(encoding_override) if encoding_override else None
    if encoding_override and not override:
        raise ParseError(f"unknown encoding override {encoding_override!r}")
    if override:
        bom, skip = bom_encoding(content)
        if bom and bom != override:
            skip = 0  # the override wins over a BOM, but a BOM of the override's own encoding is dropped
        data, charset, source = _as_utf8_document(content[skip:].decode(override, "replace")), "utf-8", override
        notes.append(f"decoded with the feed's encoding override {display_name(override)}")
    elif wide := _wide_encoding(content):
        _, skip = bom_encoding(content)
        data, charset, source = _as_utf8_document(content[skip:].decode(wide, "replace")), "utf-8", wide
        notes.append(f"transcoded from {wide} to UTF-8")
    elif charset in _WESTERN and _is_utf8(content) and any(b >= 0x80 for b in content):
        notes.append(f"HTTP charset {http_charset} ignored: the bytes are UTF-8")
        charset = "utf-8"

    first_notes = list(notes)
    result = _run_feedparser(_harden(data, first_notes), charset, base_url)
    entries = _usable(result, base_url)
    encoding_trouble = _encoding_trouble(result, data, charset)
    chosen, chosen_notes, encoding = result, first_notes, source or result.get("encoding")

    if not override and (encoding_trouble or (result.get("bozo") and not entries)):
        text, codec = decode_feed(data, charset)
        text, repair_notes = repair_text(text)
        second_notes = notes + [f"decoded as {display_name(codec)}"] + repair_notes
        second = _run_feedparser(_harden(_as_utf8_document(text), second_notes), "utf-8", base_url)
        second_entries = _usable(second, base_url)
        if len(second_entries) > len(entries) or (encoding_trouble and len(second_entries) == len(entries)):
            chosen, chosen_notes, entries, encoding = second, second_notes, second_entries, codec

    title = html_to_text(chosen.feed.get("title")) or None
    problems = [_reason(chosen)]
    if encoding_trouble:
        problems.append(f"encoding missing or wrongly declared; read as {display_name(encoding or '?')}")
    problems += [n for n in chosen_notes if n.startswith("DOCTYPE")]
    reason = "; ".join(p for p in problems if p) or None
    bozo = reason is not None
    looks_html = re.search(rb"<html[\s>]", content[:4096], re.IGNORECASE) is not None
    hint = " (the document looks like an HTML page, not a feed)" if looks_html else ""
    if not entries and bozo:
        raise ParseError(f"no entries could be recovered{hint}: {reason}", title=title)
    if not entries and not chosen.get("version"):
        raise ParseError(f"not a feed: no RSS, Atom or RDF structure found{hint}", title=title)
    return ParsedFeed(
        entries=entries,
        title=title,
        bozo=bozo,
        bozo_reason=reason if bozo else None,
        encoding=display_name(encoding) if encoding else None,
        version=chosen.get("version") or None,
        link=chosen.feed.get("link"),
        notes=chosen_notes,
    )
