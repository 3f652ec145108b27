"""worker.decode: choosing the character set of HTML pages, Arabic single-byte pages included."""

from __future__ import annotations

import codecs
import re

import pytest
from conftest import shared_path

from worker.decode import choose_encoding, codec_for, decode_html, meta_charset

# Our own sentences (not corpus text): a crossing closure report with the letters that differ
# between windows-1256 and ISO-8859-6 (ف ق ك ل م ن ه و ي).
ARABIC = (
    "أعلنت السلطات إغلاق معبر القنيطرة أمام حركة المسافرين والشاحنات حتى إشعار آخر، "
    "وقال مصدر محلي إن قوافل المساعدات الإنسانية عالقة منذ ثلاثة أيام في انتظار الموافقة."
)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>خبر</title></head><body><p>{body}</p></body></html>"


def body_of(text: str) -> str:
    return re.search(r"<body.*</body>", text, re.S).group(0)


def test_corpus_encoding_pair_decodes_to_the_same_body():
    cp1256 = shared_path("corpus", "html", "encoding", "chardet-windows-1256-no-charset.html").read_bytes()
    iso = shared_path("corpus", "html", "encoding", "chardet-iso-8859-6-no-charset.html").read_bytes()
    text_a, enc_a = decode_html(cp1256)
    text_b, enc_b = decode_html(iso)
    assert (enc_a, enc_b) == ("windows-1256", "iso-8859-6")
    assert body_of(text_a) == body_of(text_b)
    assert "\ufffd" not in text_a + text_b
    assert "قطاع غزة" in body_of(text_a)


def test_every_corpus_page_decodes_cleanly():
    root = shared_path("corpus", "html")
    pages = sorted(p for p in root.rglob("*.html") if "encoding" not in p.parts)
    assert len(pages) >= 19
    for p in pages:
        text, encoding = decode_html(p.read_bytes())
        assert encoding == "utf-8", p.name
        assert "\ufffd" not in text, p.name


def test_malformed_http_equiv_charset_is_honoured():
    raw = shared_path("corpus", "html", "youm7-2020-irrigation-minister.html").read_bytes()
    assert codec_for(meta_charset(raw)) == "utf-8"
    # and a page whose only declaration is that malformed form, in windows-1256
    html = page(ARABIC, '<meta http-equiv="Content-Type" content="charset=windows-1256">').encode("cp1256")
    text, encoding = decode_html(html)
    assert encoding == "windows-1256" and ARABIC in text


@pytest.mark.parametrize("codec,label", [("cp1256", "windows-1256"), ("iso8859-6", "iso-8859-6")])
def test_undeclared_arabic_single_byte_pages(codec, label):
    for sentence in (ARABIC, ARABIC[:40], "معبر رفح مغلق"):
        raw = page(sentence).encode(codec)
        text, encoding = decode_html(raw)
        assert encoding == label, sentence
        assert sentence in text


def test_precedence_bom_http_meta():
    declared_1256 = page(ARABIC, '<meta charset="windows-1256">')
    raw = declared_1256.encode("cp1256")
    assert decode_html(raw)[1] == "windows-1256"  # meta
    assert decode_html(raw, "iso-8859-6")[1] == "iso-8859-6"  # HTTP beats meta, as browsers do
    assert decode_html(codecs.BOM_UTF8 + declared_1256.encode("utf-8"), "windows-1256") == (declared_1256, "utf-8")
    utf16 = codecs.BOM_UTF16_LE + declared_1256.encode("utf-16-le")
    assert decode_html(utf16) == (declared_1256, "utf-16-le")


def test_server_default_latin1_on_utf8_bytes_is_ignored():
    raw = page(ARABIC).encode("utf-8")
    assert decode_html(raw, "ISO-8859-1") == (page(ARABIC), "utf-8")
    assert decode_html(raw, "us-ascii")[1] == "utf-8"
    # a real Latin page keeps its label (browsers read ISO-8859-1 as windows-1252)
    latin = "<p>Café – déjà vu</p>".encode("cp1252")
    assert decode_html(latin, "iso-8859-1") == ("<p>Café – déjà vu</p>", "windows-1252")


def test_utf8_label_on_windows_1256_bytes_falls_back_to_detection():
    raw = page(ARABIC, '<meta charset="utf-8">').encode("cp1256")
    text, encoding = decode_html(raw)
    assert encoding == "windows-1256" and ARABIC in text


def test_unknown_labels_are_skipped_and_utf16_meta_means_utf8():
    raw = page(ARABIC, '<meta charset="x-no-such-charset">').encode("utf-8")
    assert decode_html(raw, "bogus")[1] == "utf-8"
    raw = page(ARABIC, '<meta charset="utf-16">').encode("utf-8")
    assert decode_html(raw) == (page(ARABIC, '<meta charset="utf-16">'), "utf-8")


def test_hint_is_used_only_without_declarations():
    raw = "<html><body><p>abc \xe9</p></body></html>".encode("cp1252")
    assert choose_encoding(raw, hint="windows-1256") == "cp1256"
    assert choose_encoding(page("x", '<meta charset="utf-8">').encode(), hint="windows-1256") == "utf-8"


def test_bad_bytes_never_raise():
    good = page(ARABIC, "<meta charset='utf-8'>").encode()
    raw = good.replace("معبر".encode(), b"\xff\xfe\xd8 \xc3(", 1)  # a few stray bytes in a UTF-8 page
    text, encoding = decode_html(raw)
    assert encoding == "utf-8" and "القنيطرة" in text and "\ufffd" in text
    assert decode_html(b"") == ("", "utf-8")
    text, encoding = decode_html(bytes(range(256)))  # binary junk: some decoding, no exception
    assert codecs.lookup(encoding) and len(text) >= 128


def test_truncated_utf8_is_still_utf8():
    raw = page(ARABIC).encode("utf-8")
    cut = raw[: raw.index("القنيطرة".encode()) + 1]  # inside a two-byte letter
    assert decode_html(cut)[1] == "utf-8"
