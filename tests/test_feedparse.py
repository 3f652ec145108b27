"""worker.feedparse: the corpus feeds, our own Arabic feeds, and hostile XML."""

from __future__ import annotations

import functools
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import shared_path

from worker.feedparse import (
    ParsedFeed,
    ParseError,
    html_entities_to_numeric,
    html_to_text,
    parse_feed,
    strip_doctypes,
)

FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def corpus_feed(name: str) -> bytes:
    return shared_path("corpus", "feeds", name).read_bytes()


@functools.cache
def parsed_corpus(name: str) -> ParsedFeed | ParseError:
    """Each corpus feed parsed once per session (the big ones take a second)."""
    try:
        return parse_feed(corpus_feed(name))
    except ParseError as err:
        return err


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- the corpus ------------------------------------------------------------------------------------


def test_bbc_urdu_arabic_script_feed():
    feed = parse_feed(corpus_feed("bbc-urdu-1.xml"))
    assert len(feed.entries) == 26 and not feed.bozo
    assert feed.title.startswith("BBC News")
    first = feed.entries[0]
    assert first.title and all("\u0600" <= c <= "\u06ff" or not c.isalpha() for c in first.title[:20])
    assert first.url == "http://www.bbc.com/urdu/pakistan-42575603"
    assert first.published == datetime(2018, 1, 5, 16, 51, tzinfo=UTC)
    assert all(e.url and e.id for e in feed.entries)


def test_windows_1256_declared_title_is_euro_sign():
    feed = parse_feed(corpus_feed("feedparser-x80-windows-1256.xml"))
    assert feed.title == "\u20ac" and feed.encoding == "windows-1256" and not feed.bozo
    assert feed.entries == []  # a well-formed feed without entries is not an error


def test_utf16le_podcast_with_bom_and_no_declaration():
    feed = parse_feed(corpus_feed("podcast-utf16le-bom-no-encoding-decl.xml"))
    assert len(feed.entries) == 29 and feed.title == "OFFCAST" and feed.encoding == "utf-16-le"
    assert feed.entries[0].title.startswith("OFFCAST #29")


def test_huge_feed_all_items():
    started = time.monotonic()
    feed = parsed_corpus("blog-rss-huge.xml")
    assert len(feed.entries) == 92 and not feed.bozo
    assert sum(len(e.content or e.summary) for e in feed.entries) > 300_000  # the full HTML bodies, as text
    assert not any("<p>" in (e.content or e.summary) for e in feed.entries)
    assert time.monotonic() - started < 10


def test_declared_utf16_but_utf8_bytes():
    feed = parse_feed(corpus_feed("blog-declares-utf16-is-utf8.xml"))
    assert len(feed.entries) == 59 and feed.encoding == "utf-8"
    assert feed.bozo and "encoding" in feed.bozo_reason


def test_undeclared_windows_1255_is_detected():
    feed = parse_feed(corpus_feed("feedparser-windows-1255-undeclared.xml"))
    assert feed.bozo and feed.encoding == "windows-1255"
    [entry] = feed.entries
    assert "האם תדפיס" in entry.summary  # Hebrew, not mojibake


def test_undefined_html_entity_parses_strictly_after_rewriting():
    feed = parse_feed(corpus_feed("blog-atom-undefined-html-entity.xml"))
    assert len(feed.entries) == 56 and not feed.bozo
    assert any("HTML named entities" in n for n in feed.notes)


def test_broken_prolog_and_undeclared_prefix_are_repaired():
    feed = parse_feed(corpus_feed("blog-broken-xml-prolog.xml"))
    assert len(feed.entries) == 35 and feed.title == "arts and ego"
    assert feed.entries[0].url.startswith("https://dylanharris.org/")
    assert feed.bozo and feed.bozo_reason


def test_ibm864_declared_podcast():
    feed = parse_feed(corpus_feed("podcast-ibm864-declared.xml"))
    assert len(feed.entries) == 15 and feed.title == "Music From Brazil"


@pytest.mark.parametrize(
    "name,expected",
    [("feedparser-invalid-bytes-with-bom.xml", "unclosed token"),
     ("feedparser-rss-incomplete-cdata.xml", "line 6")],
)
def test_unrecoverable_corpus_feeds_raise_with_a_reason(name, expected):
    with pytest.raises(ParseError) as err:
        parse_feed(corpus_feed(name))
    assert "no entries could be recovered" in err.value.reason and expected in err.value.reason
    assert err.value.title  # the channel title was readable and is kept for the ops message


def test_every_corpus_feed_is_handled():
    """Each file either parses or raises ParseError: never another exception, never a hang."""
    names = sorted(p.name for p in shared_path("corpus", "feeds").iterdir())
    assert len(names) == 11
    outcomes = {name: parsed_corpus(name) for name in names}
    failed = sorted(name for name, out in outcomes.items() if isinstance(out, ParseError))
    assert failed == ["feedparser-invalid-bytes-with-bom.xml", "feedparser-rss-incomplete-cdata.xml"]


# -- our Arabic feeds --------------------------------------------------------------------------------


def test_arabic_rss_with_nbsp_and_percent_encoded_links():
    feed = parse_feed(fixture("arabic-rss-nbsp.xml"), base_url="https://news.example.org/feed/")
    assert not feed.bozo and feed.title == "رصد\u00a0الأخبار - عاجل".replace("\u00a0", " ")
    closure, siege, bare = feed.entries
    assert closure.title == 'إغلاق معبر "الحدود الشمالي" أمام الشاحنات'
    assert closure.url == "https://news.example.org/news/2026/3/2/%D8%A5%D8%BA%D9%84%D8%A7%D9%82-%D9%85%D8%B9%D8%A8%D8%B1"
    assert closure.raw_link.endswith("?utm_source=rss&utm_medium=feed")
    assert closure.id == "https://news.example.org/?p=1001"
    assert closure.published == datetime(2026, 3, 2, 5, 15, tzinfo=UTC)
    assert "قوافل المساعدات" in closure.summary and "alert" not in closure.summary and "<" not in closure.summary
    assert "مئة شاحنة" in closure.content
    # a relative link with a raw Arabic slug, resolved and spelled like the percent-encoded form
    assert siege.url == "https://news.example.org/news/2026/3/1/%D8%AD%D8%B5%D8%A7%D8%B1-%D8%A8%D9%84%D8%AF%D8%A9"
    assert siege.id == siege.url and siege.summary.startswith("تحذيرات من نفاد الطحين…")
    assert bare.url is None and bare.id.startswith("sha1:") and bare.published is None
    again = parse_feed(fixture("arabic-rss-nbsp.xml"), base_url="https://news.example.org/feed/")
    assert again.entries[2].id == bare.id  # stable across polls


def test_atom_with_xml_base_and_html_titles():
    feed = parse_feed(fixture("arabic-atom.xml"))
    evac, update = feed.entries
    assert evac.title == "إجلاء عائلات من الحي الشرقي"
    assert evac.url == "https://atom.example.net/ar/stories/evac-17.html"
    assert evac.published == datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert "مراكز إيواء" in evac.content and evac.summary == "بدأت فرق الدفاع المدني إجلاء العائلات."
    assert update.published == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # updated stands in


def _arabic_feed(encoding_decl: str = "") -> str:
    decl = f'<?xml version="1.0" encoding="{encoding_decl}"?>\n' if encoding_decl else ""
    return decl + (
        '<rss version="2.0"><channel><title>أخبار المعابر</title>'
        "<item><title>فتح معبر القمح أمام قوافل الإغاثة</title><link>https://ex.org/a/1</link>"
        "<description>قالت مصادر محلية إن القوافل عبرت صباحا بعد توقف دام أسبوعا.</description></item>"
        "<item><title>قصف يطال طريق الإمداد الوحيد</title><link>https://ex.org/a/2</link>"
        "<description>انقطعت الطريق أمام الشاحنات وتكدست المواد الغذائية في المخازن.</description></item>"
        "</channel></rss>"
    )


@pytest.mark.parametrize("codec,label", [("cp1256", "windows-1256"), ("iso8859-6", "iso-8859-6")])
def test_undeclared_arabic_single_byte_feed(codec, label):
    feed = parse_feed(_arabic_feed().encode(codec))
    assert feed.encoding == label and feed.bozo
    assert [e.title for e in feed.entries] == ["فتح معبر القمح أمام قوافل الإغاثة", "قصف يطال طريق الإمداد الوحيد"]
    assert feed.title == "أخبار المعابر"


def test_http_charset_is_used_and_latin1_default_on_utf8_is_ignored():
    raw = _arabic_feed().encode("cp1256")
    feed = parse_feed(raw, http_charset="windows-1256")
    assert feed.entries[0].title == "فتح معبر القمح أمام قوافل الإغاثة" and not feed.bozo
    utf8 = _arabic_feed("utf-8").encode("utf-8")
    feed = parse_feed(utf8, http_charset="ISO-8859-1")
    assert feed.entries[0].title == "فتح معبر القمح أمام قوافل الإغاثة"
    assert any("ignored" in n for n in feed.notes)


def test_encoding_override_wins_over_a_wrong_declaration():
    raw = _arabic_feed("utf-8").encode("cp1256")  # declares UTF-8, is windows-1256
    feed = parse_feed(raw, encoding_override="windows-1256", http_charset="utf-8")
    assert feed.encoding == "windows-1256"
    assert feed.entries[1].title == "قصف يطال طريق الإمداد الوحيد"
    with pytest.raises(ParseError, match="unknown encoding override"):
        parse_feed(raw, encoding_override="no-such-codec")


def test_truncated_feed_recovers_the_complete_entries():
    raw = corpus_feed("blog-rss-huge.xml")
    cut = raw[: int(len(raw) * 0.5)]
    feed = parse_feed(cut)
    assert feed.bozo and 30 <= len(feed.entries) < 92
    complete = parsed_corpus("blog-rss-huge.xml").entries
    assert [e.url for e in feed.entries[:-1]] == [e.url for e in complete[: len(feed.entries) - 1]]


def test_html_page_and_junk_are_parse_errors():
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(b"<!doctype html><html><head><title>x</title></head><body><p>Not found</p></body></html>")
    with pytest.raises(ParseError, match="empty"):
        parse_feed(b"  \n")
    with pytest.raises(ParseError):
        parse_feed(b"\x00\x01binary\xff garbage")


def test_feed_body_is_never_taken_for_a_file_name():
    """feedparser.parse(bytes) tries the bytes as a local path first; we must never let it."""
    with pytest.raises(ParseError):
        parse_feed(b"/etc/passwd")
    with pytest.raises(ParseError):
        parse_feed(str(FIXTURES / "arabic-atom.xml").encode())


# -- hostile XML ---------------------------------------------------------------------------------------


def _billion_laughs(one_line: bool = False) -> bytes:
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE rss [", ' <!ENTITY lol0 "lol">']
    lines += [f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    lines += ["]>", '<rss version="2.0"><channel><title>bomb &lol9;</title>',
              "<item><title>a &lol9;</title><link>https://ex.org/b</link><description>&lol5;</description></item>",
              "</channel></rss>"]
    return ("" if one_line else "\n").join(lines).encode()


@pytest.mark.parametrize("one_line", [False, True])
def test_billion_laughs_never_expands(one_line):
    tracemalloc.start()
    started = time.monotonic()
    try:
        try:
            feed = parse_feed(_billion_laughs(one_line))
            texts = [feed.title or ""] + [f"{e.title} {e.summary}" for e in feed.entries]
        except ParseError as err:
            feed, texts = None, [err.reason]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 20 * 1024 * 1024
    assert not any("lollol" in t for t in texts)
    if feed is not None:
        assert feed.bozo and "entity declarations removed" in feed.bozo_reason


def test_quadratic_blowup_never_expands():
    big = "x" * 50_000
    doc = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{big}">]><rss version="2.0"><channel><title>q</title>'
           f'<item><title>t</title><link>https://ex.org/q</link><description>{"&a;" * 5_000}</description>'
           "</item></channel></rss>").encode()
    tracemalloc.start()
    try:
        try:
            feed = parse_feed(doc)
            text = " ".join(e.summary for e in feed.entries)
        except ParseError as err:
            text = err.reason
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "xxxxxxxxxx" not in text
    assert peak < 40 * 1024 * 1024  # expanded it would be 250 MB


def test_xxe_never_reads_files_or_fetches_urls(tmp_path, http_server):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    dtd_url = http_server.add("/evil.dtd", f'<!ENTITY % all "<!ENTITY send SYSTEM \'{http_server.url("/x")}\'>">')
    http_server.add("/x", "FETCHED-MARKER")
    doc = f"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY file SYSTEM "file://{secret}">
  <!ENTITY web SYSTEM "{http_server.url('/x')}">
  <!ENTITY % remote SYSTEM "{dtd_url}">
  %remote;
]>
<rss version="2.0"><channel><title>&file;</title>
<item><title>leak &file; &web;</title><link>https://ex.org/x</link><description>&file; &web; &send;</description></item>
</channel></rss>""".encode()
    try:
        feed = parse_feed(doc)
        texts = [feed.title or "", *(f"{e.title} {e.summary} {e.content}" for e in feed.entries)]
        assert feed.bozo and "entity declarations removed" in feed.bozo_reason
    except ParseError as err:
        texts = [err.reason]
    joined = " ".join(texts)
    assert "TOP-SECRET-MARKER" not in joined and "FETCHED-MARKER" not in joined
    assert http_server.hits("/x") == [] and http_server.hits("/evil.dtd") == []


def test_external_dtd_reference_is_not_fetched(http_server):
    dtd = http_server.add("/rss.dtd", '<!ENTITY hello "FETCHED-MARKER">')
    doc = (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}"><rss version="2.0"><channel><title>t</title>'
           "<item><title>&hello;</title><link>https://ex.org/d</link></item></channel></rss>").encode()
    try:
        text = " ".join(e.title for e in parse_feed(doc).entries)
    except ParseError as err:
        text = err.reason
    assert "FETCHED-MARKER" not in text and http_server.hits("/rss.dtd") == []


def test_utf16_doctype_is_stripped_too():
    """A bomb in UTF-16 is invisible to a byte regex; it is transcoded before hardening."""
    raw = b"\xff\xfe" + _billion_laughs().decode().encode("utf-16-le")
    try:
        feed = parse_feed(raw)
        texts = [feed.title or ""] + [e.title for e in feed.entries]
    except ParseError as err:
        texts = [err.reason]
    assert not any("lollol" in t for t in texts)


def test_strip_doctypes_keeps_the_document():
    doc = b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd">\n<rss><a>1</a></rss>'
    stripped, had = strip_doctypes(doc)
    assert stripped == b'<?xml version="1.0"?>\n\n<rss><a>1</a></rss>' and not had
    doc = b'<!DOCTYPE x [<!ENTITY a "]>">]><rss>&a;</rss>'  # a ']>' inside a quoted value
    assert strip_doctypes(doc) == (b"<rss>&a;</rss>", True)
    # a DOCTYPE inside an item's CDATA, or in a comment, is content, not a declaration
    doc = b"<rss><item><description><![CDATA[<!DOCTYPE html>]]></description><!-- <!DOCTYPE x> --></item></rss>"
    assert strip_doctypes(doc) == (doc, False)
    # a comment in the subset may hold quotes and brackets
    doc = b"<!DOCTYPE x [<!-- it's ] -->\n<!ENTITY a 'b'>]><rss/>"
    assert strip_doctypes(doc) == (b"<rss/>", True)


@pytest.mark.parametrize("before", [b"<!-- <b>sneaky</b> -->\n", b"junk <a> text\n", b"<?pi <x> ?>\n"])
def test_doctype_behind_a_comment_or_junk_is_still_stripped(before):
    """Markup-looking text before the DOCTYPE fooled feedparser's own prolog split (first '<' + letter)."""
    bomb = _billion_laughs()
    doc = bomb.replace(b"<!DOCTYPE", before + b"<!DOCTYPE", 1)
    stripped, had = strip_doctypes(doc)
    assert had and b"<!ENTITY" not in stripped
    try:
        texts = [e.title for e in parse_feed(doc).entries]
    except ParseError as err:
        texts = [err.reason]
    assert not any("lollol" in t for t in texts)


def test_html_entities_rewritten_outside_cdata_only():
    data, n = html_entities_to_numeric(b"<t>a&nbsp;b &amp; &hellip;&bogus;</t><![CDATA[&nbsp;]]>")
    assert data == b"<t>a&#160;b &amp; &#8230;&bogus;</t><![CDATA[&nbsp;]]>" and n == 2


def test_html_to_text():
    assert html_to_text("<p>سطر&nbsp;أول</p><p>ثانٍ <b>بخط</b></p><script>x()</script>") == "سطر أول\nثانٍ بخط"
    assert html_to_text(None) == "" and html_to_text("  a \n b ") == "a b"
