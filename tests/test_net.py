"""worker.net and worker.hostlimit against real HTTP servers on 127.0.0.1 and a real Redis."""

from __future__ import annotations

import email.utils
import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore
import httpx
import pytest
from conftest import Request, Response

from worker import hostlimit, net
from worker.config import Settings
from worker.net import (
    BlockedAddressError,
    FetchError,
    GuardedTransport,
    blocked_reason,
    charset_of,
    fetch,
    make_client,
    parse_retry_after,
    safe_url,
)

OPEN = Settings(allow_private_networks=True, connect_timeout=2, read_timeout=2)
GUARDED = Settings(connect_timeout=2, read_timeout=2)


def wait_for(predicate, timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


# -- the address guard ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1",
        "255.255.255.255", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:8.8.8.8", "64:ff9b::7f00:1", "64:ff9b::808:808", "2002:7f00:1::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "::127.0.0.1",
    ],
)
def test_blocked_addresses(address):
    assert blocked_reason(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "185.70.40.1", "2606:4700:4700::1111", "2a00:1450::1"])
def test_public_addresses_pass(address):
    assert blocked_reason(address) is None


def test_literal_loopback_feed_is_refused_and_never_contacted(http_server):
    url = http_server.add("/feed.xml", "<rss/>")
    with pytest.raises(FetchError) as err:
        fetch(url, settings=GUARDED)
    assert err.value.kind == "blocked_address"
    assert http_server.hits("/feed.xml") == []
    # the opt-out reaches it
    assert fetch(url, settings=OPEN).content == b"<rss/>"


def test_hostname_resolving_to_loopback_is_refused_at_connect_time(http_server):
    http_server.add("/feed.xml", "<rss/>")
    url = f"http://localhost:{http_server.port}/feed.xml"
    with pytest.raises(FetchError) as err:
        fetch(url, settings=GUARDED)
    assert err.value.kind == "blocked_address"
    assert "loopback" in str(err.value)
    assert http_server.hits("/feed.xml") == []


def test_make_client_is_guarded_for_other_callers(http_server):
    """Webhook delivery uses make_client directly: the guard must be in the client, not in fetch."""
    http_server.add("/hook", "ok")
    with make_client(GUARDED) as client, pytest.raises(BlockedAddressError) as err:
        client.post(f"http://localhost:{http_server.port}/hook", json={"a": 1})
    assert isinstance(err.value, httpx.ConnectError)  # so generic transport-error handling applies
    assert http_server.hits("/hook") == []
    with make_client(OPEN) as client:
        assert client.post(http_server.url("/hook"), json={"a": 1}).text == "ok"


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).hits.append(self.path)
        body = b"private"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def server_on(address: str):
    """A second real server on another loopback address, recording what reaches it."""
    handler = type("Rec", (_Recorder,), {"hits": []})
    httpd = ThreadingHTTPServer((address, 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd, handler.hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_redirect_to_a_blocked_address_is_refused(http_server):
    """The first hop is allowed (an operator-opened network), the redirect target is not."""
    with server_on("127.0.0.2") as (inner, inner_hits):
        target = f"http://127.0.0.2:{inner.server_address[1]}/admin"
        url = http_server.add("/story", b"", 302, Location=target)
        with make_client(GUARDED, allowed_networks=["127.0.0.1/32"]) as client:
            with pytest.raises(FetchError) as err:
                fetch(url, settings=GUARDED, client=client)
        assert err.value.kind == "blocked_address"
        assert len(http_server.hits("/story")) == 1
        assert inner_hits == []
        # the same for IPv4-mapped IPv6 (even of the allowed address), private and metadata addresses
        for location in ("http://[::ffff:127.0.0.1]/", "http://10.0.0.1/", "http://169.254.169.254/latest/"):
            http_server.add("/story2", b"", 301, Location=location)
            with make_client(GUARDED, allowed_networks=["127.0.0.1/32"]) as client:
                with pytest.raises(FetchError) as err:
                    fetch(http_server.url("/story2"), settings=GUARDED, client=client)
            assert err.value.kind == "blocked_address"
        assert inner_hits == []


def test_environment_proxies_are_ignored(http_server, monkeypatch):
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    url = http_server.add("/feed.xml", "<rss/>")
    assert fetch(url, settings=OPEN).content == b"<rss/>"
    assert len(http_server.hits("/feed.xml")) == 1


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "gopher://x/", "http:///nohost"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError) as err:
        fetch(url, settings=GUARDED)
    assert err.value.kind == "bad_url"


def test_redirect_to_file_scheme_is_refused(http_server):
    url = http_server.add("/r", b"", 302, Location="file:///etc/passwd")
    with pytest.raises(FetchError) as err:
        fetch(url, settings=OPEN)
    assert err.value.kind == "bad_url"
    assert "root:" not in str(err.value)


# -- protocol ----------------------------------------------------------------------------------


def test_user_agent_accept_and_result_fields(http_server):
    url = http_server.add("/f", "<rss/>", **{"Content-Type": "application/rss+xml; charset=windows-1256",
                                             "ETag": '"v1"', "X-Multi": "a"})
    result = fetch(url, settings=OPEN)
    req = http_server.hits("/f")[0]
    assert req.headers["user-agent"] == OPEN.user_agent
    assert "application/rss+xml" in req.headers["accept"]
    assert result.status == 200 and result.charset == "windows-1256" and result.etag == '"v1"'
    assert result.headers["x-multi"] == "a" and result.content_type == "application/rss+xml"
    assert result.elapsed > 0 and not result.not_modified


def test_conditional_get_round_trip(http_server):
    stamp = "Tue, 03 Mar 2026 10:00:00 GMT"

    def handler(req: Request) -> Response:
        if req.headers.get("if-none-match") == '"abc"' or req.headers.get("if-modified-since") == stamp:
            return Response(304, b"", {"ETag": '"abc"'})
        return Response(200, b"<rss>first</rss>", {"ETag": '"abc"', "Last-Modified": stamp})

    url = http_server.add("/feed", handler)
    first = fetch(url, settings=OPEN)
    assert first.content == b"<rss>first</rss>" and first.etag == '"abc"' and first.last_modified == stamp
    second = fetch(url, settings=OPEN, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.status == 304 and second.content == b""
    sent = http_server.hits("/feed")[1].headers
    assert sent["if-none-match"] == '"abc"' and sent["if-modified-since"] == stamp
    # Last-Modified alone is enough too
    third = fetch(url, settings=OPEN, last_modified=stamp)
    assert third.not_modified
    assert "if-none-match" not in http_server.hits("/feed")[2].headers


def test_retry_after_seconds_and_http_date(http_server):
    url = http_server.add("/busy", b"slow down", 429, **{"Retry-After": "120"})
    with pytest.raises(FetchError) as err:
        fetch(url, settings=OPEN)
    assert (err.value.kind, err.value.status, err.value.retry_after) == ("http_status", 429, 120.0)

    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    url = http_server.add("/down", b"", 503, **{"Retry-After": when})
    with pytest.raises(FetchError) as err:
        fetch(url, settings=OPEN)
    assert err.value.status == 503
    assert 3590 <= err.value.retry_after <= 3600

    url = http_server.add("/gone", b"", 404)
    with pytest.raises(FetchError) as err:
        fetch(url, settings=OPEN)
    assert (err.value.kind, err.value.status, err.value.retry_after) == ("http_status", 404, None)


def test_parse_retry_after():
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


def test_charset_of():
    assert charset_of('text/html; charset="UTF-8"') == "UTF-8"
    assert charset_of("text/html;Charset=windows-1256;foo=bar") == "windows-1256"
    assert charset_of("text/html") is None and charset_of(None) is None


def test_redirects_followed_and_permanent_target_reported(http_server):
    http_server.add("/new", "<rss/>")
    http_server.add("/mid", b"", 308, Location="/new")
    url = http_server.add("/old", b"", 301, Location=http_server.url("/mid"))
    result = fetch(url, settings=OPEN)
    assert result.url == http_server.url("/new") and result.content == b"<rss/>"
    assert result.permanent_redirect == http_server.url("/new")
    http_server.add("/temp", b"", 302, Location="/new")
    assert fetch(http_server.url("/temp"), settings=OPEN).permanent_redirect is None
    with pytest.raises(FetchError) as err:
        fetch(http_server.url("/temp"), settings=OPEN, follow_redirects=False)
    assert err.value.status == 302


def test_redirect_loop_stops(http_server):
    http_server.add("/a", b"", 302, Location="/b")
    http_server.add("/b", b"", 302, Location="/a")
    with pytest.raises(FetchError) as err:
        fetch(http_server.url("/a"), settings=OPEN)
    assert err.value.kind == "too_many_redirects"
    assert len(http_server.hits("/a")) + len(http_server.hits("/b")) == 6  # the first request and 5 hops


def test_messages_carry_no_secrets(http_server):
    url = f"http://user:hunter2@127.0.0.1:{http_server.port}/missing?token=s3cr3t#frag"
    with pytest.raises(FetchError) as err:
        fetch(url, settings=OPEN)
    text = f"{err.value} {err.value.url}"
    assert "hunter2" not in text and "s3cr3t" not in text and "user" not in text
    assert err.value.status == 404
    assert safe_url("https://a:b@h.example:8443/p?q=1#f") == "https://h.example:8443/p"


# -- size cap ------------------------------------------------------------------------------------


def test_plain_body_over_the_cap(http_server):
    url = http_server.add("/big", b"x" * (3 * 1024 * 1024))
    with pytest.raises(FetchError) as err:
        fetch(url, settings=OPEN, max_bytes=1024 * 1024)
    assert err.value.kind == "too_large"
    assert len(fetch(url, settings=OPEN).content) == 3 * 1024 * 1024  # default cap is 10 MiB


def _gzip_of_zeros(total: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [comp.compress(block) for _ in range(total // len(block))]
    return b"".join(parts) + comp.flush()


def test_gzip_bomb_aborts_early_with_small_memory(http_server):
    inflated = 128 * 1024 * 1024
    bomb = _gzip_of_zeros(inflated)
    assert len(bomb) < 512 * 1024
    url = http_server.add("/bomb", bomb, **{"Content-Encoding": "gzip"})
    cap = 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as err:
            fetch(url, settings=OPEN, max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.kind == "too_large"
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes while reading a bomb of {inflated}"


def test_compressed_bodies_are_decoded(http_server):
    text = "خبر عاجل: إغلاق المعبر حتى إشعار آخر. ".encode() * 200
    http_server.add("/gz", gzip.compress(text), **{"Content-Encoding": "gzip"})
    http_server.add("/zlib", zlib.compress(text), **{"Content-Encoding": "deflate"})
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    http_server.add("/raw", raw.compress(text) + raw.flush(), **{"Content-Encoding": "deflate"})
    http_server.add("/two", gzip.compress(text[:100]) + gzip.compress(text[100:]), **{"Content-Encoding": "gzip"})
    for path in ("/gz", "/zlib", "/raw", "/two"):
        assert fetch(http_server.url(path), settings=OPEN).content == text, path
    assert "gzip" in http_server.hits("/gz")[0].headers["accept-encoding"]
    http_server.add("/bad", b"not gzip at all", **{"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as err:
        fetch(http_server.url("/bad"), settings=OPEN)
    assert err.value.kind == "protocol"
    http_server.add("/br", b"\x00\x01", **{"Content-Encoding": "br"})
    with pytest.raises(FetchError) as err:
        fetch(http_server.url("/br"), settings=OPEN)
    assert err.value.kind == "protocol"


# -- timeouts ------------------------------------------------------------------------------------


def test_read_timeout_on_a_stalled_server(http_server):
    release = threading.Event()

    def stall(req: Request) -> Response:
        release.wait(10)
        return Response(200, b"late")

    url = http_server.add("/stall", stall)
    settings = Settings(allow_private_networks=True, connect_timeout=1, read_timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as err:
            fetch(url, settings=settings)
    finally:
        release.set()
    assert err.value.kind == "timeout"
    assert time.monotonic() - started < 3


@contextmanager
def dripping_server():
    """Sends headers, then one body byte every 50 ms, for ever: each read is quick, the whole is not."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not stop.wait(0.05):
                    try:
                        conn.sendall(b"x")
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/drip"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_total_deadline_stops_a_slow_drip():
    settings = Settings(allow_private_networks=True, connect_timeout=1, read_timeout=1)
    with dripping_server() as url:
        started = time.monotonic()
        with pytest.raises(FetchError) as err:
            fetch(url, settings=settings, total_timeout=0.5)
        assert err.value.kind == "timeout"
        assert time.monotonic() - started < 2.5


def test_connection_refused_is_a_connect_error():
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as err:
        fetch(f"http://127.0.0.1:{port}/", settings=OPEN)
    assert err.value.kind == "connect"


# -- per-host limit ------------------------------------------------------------------------------


def test_per_host_limit_across_threads(http_server, rasd_env):
    lock = threading.Lock()
    state = {"now": 0, "max": 0}
    release = threading.Event()

    def slow(req: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        release.wait(10)
        with lock:
            state["now"] -= 1
        return Response(200, b"ok")

    url = http_server.add("/slow", slow)
    results: list[object] = []

    def worker():
        try:
            results.append(fetch(url, settings=OPEN, host_limit=2, host_wait=15).content)
        except Exception as exc:  # recorded, asserted below
            results.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: state["now"] == 2, what="two requests in flight")
        assert hostlimit.active("127.0.0.1") == 2
        assert len(http_server.hits("/slow")) == 2  # the other four wait for a slot, not at the server
    finally:
        release.set()
        for t in threads:
            t.join(20)
    assert results == [b"ok"] * 6
    assert state["max"] == 2
    assert hostlimit.active("127.0.0.1") == 0


def _fetch_in_child(url: str) -> None:
    """Runs in a forked worker process: exit status 0 only if the fetch got the body."""
    import os

    try:
        ok = fetch(url, settings=OPEN, host_limit=2, host_wait=15).content == b"ok"
    except Exception:
        ok = False
    os._exit(0 if ok else 1)


def test_per_host_limit_across_processes(http_server, rasd_env):
    """The slots live in Redis, so separate worker processes share them."""
    import multiprocessing

    lock = threading.Lock()
    state = {"now": 0, "max": 0}
    release = threading.Event()

    def slow(req: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        release.wait(10)
        with lock:
            state["now"] -= 1
        return Response(200, b"ok")

    url = http_server.add("/slow", slow)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_fetch_in_child, args=(url,)) for _ in range(4)]
    for p in procs:
        p.start()
    try:
        wait_for(lambda: state["now"] == 2, what="two requests in flight")
        assert len(http_server.hits("/slow")) == 2 and hostlimit.active("127.0.0.1") == 2
    finally:
        release.set()
        for p in procs:
            p.join(20)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert state["max"] == 2 and len(http_server.hits("/slow")) == 4


def test_host_slot_times_out_and_leases_expire(rasd_env):
    host = "feeds.example.org"
    assert hostlimit.try_acquire(host, 1, "crashed-worker", ttl=0.3)  # a holder that dies, never releasing
    with pytest.raises(hostlimit.HostBusy), hostlimit.host_slot(host, 1, wait=0.05):
        pass
    started = time.monotonic()
    with hostlimit.host_slot(host, 1, wait=5) as token:  # free once the dead holder's lease expires
        assert token and hostlimit.active(host) == 1
    assert time.monotonic() - started >= 0.2
    assert hostlimit.active(host) == 0
    with hostlimit.host_slot(host, 0) as token:  # 0: unlimited
        assert token is None


def test_held_slot_is_renewed_past_its_ttl(rasd_env):
    host = "slow.example.org"
    with hostlimit.host_slot(host, 1, ttl=0.3):
        first_expiry = rasd_env.zscore(hostlimit.slot_key(host), next(iter(rasd_env.zrange(hostlimit.slot_key(host), 0, 0))))

        def server_ms() -> float:
            seconds, micros = rasd_env.time()
            return seconds * 1000 + micros / 1000

        wait_for(lambda: server_ms() > first_expiry + 300, what="the first lease to be long expired")
        assert hostlimit.active(host) == 1
        assert not hostlimit.try_acquire(host, 1, "other")
    assert hostlimit.try_acquire(host, 1, "other")


def test_fetch_reports_a_busy_host(http_server, rasd_env):
    url = http_server.add("/f", "<rss/>")
    assert hostlimit.try_acquire("127.0.0.1", 1, "someone-else", ttl=30)
    with pytest.raises(FetchError) as err:
        fetch(url, settings=OPEN, host_limit=1, host_wait=0.1)
    assert err.value.kind == "host_busy"
    assert http_server.hits("/f") == []


# -- DNS lookups with a deadline -------------------------------------------------------------------
# No real resolver can be made to hang here without editing /etc/resolv.conf for the whole machine,
# so the resolver hook gets a lookup that really blocks (on an Event) or answers from real getaddrinfo.


@contextmanager
def hanging_resolver():
    """A resolver that never answers until the test ends (then it fails), and the calls it saw."""
    release = threading.Event()
    calls: list[str] = []

    def lookup(host, port, **kwargs):
        calls.append(host)
        release.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "released")

    try:
        yield lookup, calls
    finally:
        release.set()


def test_a_resolver_that_never_answers_fails_within_the_connect_timeout():
    settings = Settings(connect_timeout=0.3, read_timeout=0.3)
    with hanging_resolver() as (lookup, calls):
        client = httpx.Client(transport=GuardedTransport(resolver=lookup), timeout=httpx.Timeout(0.3))
        started = time.monotonic()
        with client, pytest.raises(FetchError) as err:
            fetch("http://feeds.example/rss?key=s3cr3t", settings=settings, client=client)
        waited = time.monotonic() - started
    assert calls == ["feeds.example"]
    assert err.value.kind == "timeout"
    assert "DNS resolver not answering" in str(err.value) and "feeds.example" in str(err.value)
    assert "s3cr3t" not in str(err.value)
    assert waited < 10  # the lookup alone would have held it 30 s


def test_hung_lookups_are_bounded_and_later_ones_fail_at_once(monkeypatch):
    monkeypatch.setattr(net, "_lookup_slots", threading.BoundedSemaphore(2))
    monkeypatch.setattr(net, "RESOLVER_THREADS", 2)
    with hanging_resolver() as (lookup, calls):
        for _ in range(2):
            with pytest.raises(httpcore.ConnectTimeout):
                net.resolve("slow.example", 80, 0.05, lookup)
        with pytest.raises(httpcore.ConnectTimeout) as err:
            net.resolve("third.example", 80, 0.05, lookup)
        assert "still hanging" in str(err.value)
        assert calls == ["slow.example", "slow.example"]  # the third never started a thread
    wait_for(lambda: net._lookup_slots.acquire(blocking=False), what="the released lookups to free their slots")


def test_a_failed_lookup_is_a_connect_error_and_an_answer_is_used():
    def nxdomain(host, port, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    client = httpx.Client(transport=GuardedTransport(resolver=nxdomain))
    with client, pytest.raises(FetchError) as err:
        fetch("http://nowhere.example/rss", settings=GUARDED, client=client)
    assert err.value.kind == "connect" and "cannot resolve 'nowhere.example'" in str(err.value)


def test_the_resolver_answer_is_where_we_connect(http_server):
    """A name our hook maps to 127.0.0.1 (real getaddrinfo of the literal) reaches the local server
    when loopback is allowed, and is refused by the guard when it is not."""
    http_server.add("/feed.xml", "<rss/>")
    seen: list[str] = []

    def to_loopback(host, port, **kwargs):
        seen.append(host)
        return socket.getaddrinfo("127.0.0.1", port, **kwargs)

    url = f"http://feeds.example:{http_server.port}/feed.xml"
    with httpx.Client(transport=GuardedTransport(resolver=to_loopback, allowed=["127.0.0.0/8"])) as client:
        assert fetch(url, settings=GUARDED, client=client).content == b"<rss/>"
    with httpx.Client(transport=GuardedTransport(resolver=to_loopback)) as client, pytest.raises(FetchError) as err:
        fetch(url, settings=GUARDED, client=client)
    assert err.value.kind == "blocked_address" and seen == ["feeds.example", "feeds.example"]
    assert len(http_server.hits("/feed.xml")) == 1


def test_the_private_network_opt_in_keeps_the_lookup_deadline():
    """allow_private_networks opens every address but still goes through the deadline-bound lookup."""
    with make_client(OPEN) as client:
        backend = client._transport._pool._network_backend
    assert isinstance(backend, net.GuardedBackend)
    assert backend.allowed and net.blocked_reason("127.0.0.1", backend.allowed) is None
