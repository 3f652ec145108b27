"""Turning page bytes into text with the right character set, Arabic single-byte pages included.

Order, as browsers do it: byte-order mark, then the HTTP charset, then <meta charset> (also the
malformed `content="charset=utf-8"` some CMSs write), then detection. Two practical corrections:
a Western single-byte label (ISO-8859-1, windows-1252, ASCII: the usual server default) on bytes
that are valid multi-byte UTF-8 is ignored, and so is a UTF-8 label on bytes that plainly are not
UTF-8. Detection prefers windows-1256 or ISO-8859-6 when one of them turns the bytes into Arabic.
Decoding never raises: bad bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels Python does not know, or knows differently from browsers (WHATWG encoding standard).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-cp1256": "cp1256",
    "asmo-708": "iso8859-6",
    "ecma-114": "iso8859-6",
    "iso-ir-127": "iso8859-6",
    "csisolatinarabic": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "iso-8859-6-i": "iso8859-6",
    "x-mac-arabic": "mac-arabic",
    "unicode-1-1-utf-8": "utf-8",
    "utf8": "utf-8",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}
_WESTERN = frozenset({"cp1252", "latin-1", "iso8859-1", "ascii"})
# Names as people and HTTP write them, for the codec names Python returns.
_DISPLAY = {"cp1256": "windows-1256", "iso8859-6": "iso-8859-6", "cp1252": "windows-1252",
            "cp1255": "windows-1255", "cp1251": "windows-1251", "mac-arabic": "mac-arabic"}

_META = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_PRESCAN = 64 * 1024


def codec_for(label: str | None) -> str | None:
    """The Python codec for an encoding label, or None when the label is unknown or empty."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def display_name(codec: str) -> str:
    return _DISPLAY.get(codec, codec)


def bom_encoding(content: bytes) -> tuple[str | None, int]:
    """(codec, BOM length) when the bytes start with a byte-order mark."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name, len(bom)
    return None, 0


def meta_charset(content: bytes) -> str | None:
    """The charset named by the first <meta> that names one, in the first 64 KiB."""
    m = _META.search(content[:_PRESCAN])
    return m.group(1).decode("ascii", "replace") if m else None


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of a truncated body is still UTF-8
        return exc.start >= len(content) - 3 and exc.reason == "unexpected end of data"
    return True


def _mostly_not_utf8(content: bytes) -> bool:
    """True when UTF-8 decoding would replace a large share of the non-ASCII bytes: a mislabelled
    single-byte page, not a UTF-8 page with a few stray bytes."""
    non_ascii = sum(1 for b in content if b >= 0x80)
    bad = content.decode("utf-8", "replace").count("\ufffd")
    return bad >= 8 and bad * 4 > non_ascii


def _arabic_score(text: str) -> float:
    """Share of non-ASCII letters that are Arabic, minus a penalty for Latin letters glued to Arabic.

    ISO-8859-6 bytes read as windows-1256 give Arabic words with é, è, ç inside them; windows-1256
    bytes read as ISO-8859-6 mostly fail to decode. That asymmetry tells the two apart.
    """
    arabic = latin = other = 0
    for ch in text:
        if ch < "\x80":
            continue
        if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff":
            arabic += 1
        elif unicodedata.category(ch).startswith("L"):
            latin += 1
        else:
            other += 1
    total = arabic + latin + other
    if not total:
        return 0.0
    return (arabic - 3 * latin - other) / total


def _arabic_guess(content: bytes) -> str | None:
    best, best_score = None, 0.5
    for codec in ("cp1256", "iso8859-6"):
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _arabic_score(text)
        if score > best_score:
            best, best_score = codec, score
    return best


def detect(content: bytes) -> str:
    """Best codec for undeclared bytes: UTF-8 if valid, Arabic single-byte if it reads as Arabic,
    else charset-normalizer's guess, else windows-1252."""
    if _is_utf8(content):
        return "utf-8"
    sample = content[: 256 * 1024]
    arabic = _arabic_guess(sample)
    if arabic:
        return arabic
    match = charset_normalizer.from_bytes(sample).best()
    return codec_for(match.encoding) if match and codec_for(match.encoding) else "cp1252"


def choose_encoding(content: bytes, http_charset: str | None = None, *, hint: str | None = None) -> str:
    """The codec to decode a page with (see the module docstring for the order).

    `hint` (e.g. a feed's `encoding:` override) is used when neither HTTP nor the page declares one.
    """
    bom, _ = bom_encoding(content)
    if bom:
        return bom
    for label in (http_charset, meta_charset(content)):
        codec = codec_for(label)
        if codec is None:
            continue
        if codec.startswith("utf-16") or codec.startswith("utf-32"):
            codec = "utf-8"  # an ASCII-readable label cannot be right about UTF-16 (WHATWG does the same)
        if codec in _WESTERN and _is_utf8(content) and any(b >= 0x80 for b in content):
            return "utf-8"
        if codec == "utf-8" and _mostly_not_utf8(content):
            return detect(content)
        return codec
    return codec_for(hint) or detect(content)


def decode_html(content: bytes, http_charset: str | None = None, *, hint: str | None = None) -> tuple[str, str]:
    """(text, encoding used) for HTML bytes; never raises on bad bytes."""
    codec = choose_encoding(content, http_charset, hint=hint)
    _, skip = bom_encoding(content)
    text = content[skip:].decode(codec, errors="replace")
    return text, display_name(codec)
