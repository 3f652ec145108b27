"""worker.urls.canonical_url: one spelling per article link."""

from __future__ import annotations

import pytest

from worker.urls import canonical_url, is_tracking_param

SLUG = "%D8%A5%D8%BA%D9%84%D8%A7%D9%82-%D9%85%D8%B9%D8%A8%D8%B1"  # إغلاق-معبر


def test_arabic_slug_raw_and_percent_encoded_are_the_same():
    forms = [
        f"https://www.news.example/news/2026/3/2/{SLUG}/",
        f"https://www.news.example/news/2026/3/2/{SLUG.lower()}",
        "https://www.news.example/news/2026/3/2/إغلاق-معبر/",
        "HTTPS://WWW.News.Example:443/news/2026/3/2/إغلاق-معبر#comments",
        f"https://www.news.example/news/2026/3/2/{SLUG}?utm_source=rss&utm_medium=feed&fbclid=abc",
    ]
    assert {canonical_url(f) for f in forms} == {f"https://www.news.example/news/2026/3/2/{SLUG}"}


def test_query_sorted_tracking_dropped_values_kept():
    url = "http://ex.org/a?z=1&ocid=x&at_medium=RSS&at_campaign=c&b=%d8%a7&a=&gclid=1&mc_cid=2&xtor=RSS-1"
    assert canonical_url(url) == "http://ex.org/a?a=&b=%D8%A7&z=1"
    assert canonical_url("http://ex.org/?") == "http://ex.org/"
    assert canonical_url("http://ex.org/s?q=a+b&q=c") == "http://ex.org/s?q=a+b&q=c"
    assert canonical_url("http://ex.org/s?x=a%26b") == "http://ex.org/s?x=a%26b"  # an escaped & stays escaped


def test_relative_links_ports_dots_and_escapes():
    assert canonical_url("../world/./story.html?id=7", "https://ex.org/ar/news/") == "https://ex.org/ar/world/story.html?id=7"
    assert canonical_url("//cdn.ex.org/x", "https://ex.org/") == "https://cdn.ex.org/x"
    assert canonical_url("http://ex.org:80/") == "http://ex.org/"
    assert canonical_url("http://ex.org:8080/a") == "http://ex.org:8080/a"
    assert canonical_url("http://ex.org/%7euser/%41") == "http://ex.org/~user/A"
    assert canonical_url("http://ex.org/a%2fb") == "http://ex.org/a%2Fb"  # an escaped slash is not a slash
    assert canonical_url("http://ex.org/a b/100%") == "http://ex.org/a%20b/100%25"
    assert canonical_url("http://user:pw@ex.org/") == "http://ex.org/"
    assert canonical_url("http://ex.org.") == "http://ex.org/"


def test_idn_hosts_become_punycode():
    assert canonical_url("http://مثال.إختبار/خبر") == canonical_url("http://xn--mgbh0fb.xn--kgbechtv/%D8%AE%D8%A8%D8%B1")


@pytest.mark.parametrize("bad", ["mailto:a@b.org", "javascript:alert(1)", "ftp://ex.org/f", "", "http://", "/relative"])
def test_non_http_urls_are_rejected(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)


def test_tracking_names():
    assert is_tracking_param("UTM_Source") and is_tracking_param("at_custom1") and is_tracking_param("ocid")
    assert not is_tracking_param("id") and not is_tracking_param("page") and not is_tracking_param("p")
