"""Fetching feeds and pages from the open internet without being turned against our own network.

Every request goes through `make_client`, whose transport resolves host names itself and refuses
to connect to loopback, private, link-local, CGNAT, multicast, reserved or IPv4-in-IPv6 addresses
(checked at connect time, so a DNS answer that changes between a check and the connect cannot
slip through). `fetch` adds the feed-poller rules on top: conditional GET, manual redirects with
every hop re-checked, a size cap on the decompressed body enforced while streaming, timeouts, and
errors that say what went wrong without leaking query strings or credentials.
"""

from __future__ import annotations

import email.utils
import ipaddress
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from worker.config import Settings
from worker.hostlimit import HostBusy, host_slot

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# Only encodings we can inflate in bounded pieces ourselves (see _inflate).
ACCEPT_ENCODING = "gzip, deflate"
_PIECE = 64 * 1024

# IPv6 ranges that carry an IPv4 address inside them; refused whole, whatever the IPv4 part is.
_EMBEDDED_V4_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "::ffff:0:0/96",  # IPv4-mapped
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b::/96",  # NAT64 well-known prefix
        "64:ff9b:1::/48",  # NAT64 local-use
        "2002::/16",  # 6to4
        "2001::/32",  # Teredo
        "::ffff:0:0:0/96",  # SIIT translated addresses
    )
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)
# A lookup gets the connect timeout; this when the caller set none (httpx allows that).
DEFAULT_RESOLVE_TIMEOUT = 10.0
# Threads that may sit in a hung resolver at once; further lookups queue and time out.
RESOLVER_THREADS = 8

Resolver = Callable[..., list]
_EVERYWHERE = ("0.0.0.0/0", "::/0")  # what allow_private_networks opens


class FetchError(Exception):
    """A fetch that produced no usable response.

    kind: blocked_address, bad_url, connect, timeout, too_large, http_status, too_many_redirects,
    protocol, host_busy (no per-host slot freed in time). `retry_after` is in seconds when the
    server said when to come back (429/503).
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.url = safe_url(url) if url else None


class BlockedAddressError(httpx.ConnectError):
    """Raised by the guarded transport when a host resolves to an address we refuse to reach."""


@dataclass
class FetchResult:
    status: int
    url: str  # final URL after redirects
    headers: dict[str, str]
    content: bytes
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float
    redirects: list[str] = field(default_factory=list)  # the URLs we were sent through, in order
    permanent_redirect: str | None = None  # the target when every hop was 301/308: update the feed URL

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


# -- URL and address checks --------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The URL without userinfo, query or fragment: fit for logs and exception messages."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparseable URL>"
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def blocked_reason(address: str, allowed: tuple[Network, ...] = ()) -> str | None:
    """Why an IP address must not be contacted from a default deployment, or None when it is public
    (or inside one of the `allowed` networks an operator opened explicitly)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    if ip.version == 6:
        if ip.ipv4_mapped is not None or any(ip in net for net in _EMBEDDED_V4_NETS):
            return "IPv4 embedded in IPv6"
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("CGNAT", ip.version == 4 and ip in _CGNAT),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("site-local", ip.version == 6 and ip.is_site_local),
        ("not globally routable", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def check_url(url: str) -> httpx.URL:
    """Parse and vet one request target before any connection: http(s) and a host.

    Addresses are not judged here but when the connection is made (GuardedBackend), for literal
    IPs and names alike, so there is one rule and no window between check and use.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError("bad_url", f"not a valid URL: {safe_url(url)}", url=url) from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError("bad_url", f"only http and https are fetched, not {parsed.scheme!r}", url=url)
    if not parsed.host:
        raise FetchError("bad_url", f"no host in {safe_url(url)}", url=url)
    return parsed


# -- the guarded transport ------------------------------------------------------------------------


_lookup_slots = threading.BoundedSemaphore(RESOLVER_THREADS)


def _fresh_slots() -> None:
    """In a forked child (Celery's pool) the parent's lookup threads do not exist: free their slots."""
    global _lookup_slots
    _lookup_slots = threading.BoundedSemaphore(RESOLVER_THREADS)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_slots)


def resolve(host: str, port: int, timeout: float | None, resolver: Resolver = socket.getaddrinfo) -> list[str]:
    """The host's addresses (for a TCP connection) from `lookup`."""
    infos = lookup(host, port, timeout, resolver, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def lookup(host: str, port: Any, timeout: float | None, resolver: Resolver = socket.getaddrinfo,
           *args: Any, **kwargs: Any) -> list:
    """resolver(host, port, *args, **kwargs) (getaddrinfo's answer), or httpcore.ConnectTimeout
    once `timeout` seconds have passed, httpcore.ConnectError if the name does not resolve.

    getaddrinfo has no timeout of its own, and a resolver that never answers would hold the
    worker past every httpx timeout. So the lookup runs in a daemon thread (one that hangs can
    neither block us nor the interpreter's exit) and we stop waiting at the deadline. At most
    RESOLVER_THREADS lookups run at once, so a dead resolver cannot pile up threads either.
    """
    wait = DEFAULT_RESOLVE_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + wait
    slots = _lookup_slots
    if not slots.acquire(timeout=wait):
        raise httpcore.ConnectTimeout(
            f"resolving {host!r}: {RESOLVER_THREADS} earlier lookups are still hanging (DNS resolver not answering)")
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["infos"] = resolver(host, port, *args, **kwargs)
        except BaseException as exc:  # handed to the waiting caller
            outcome["error"] = exc
        finally:
            slots.release()
            done.set()

    threading.Thread(target=run, name=f"rasd-resolve {host}", daemon=True).start()
    if not done.wait(max(0.0, deadline - time.monotonic())):
        raise httpcore.ConnectTimeout(
            f"resolving {host!r} got no answer within {wait:g} s (DNS resolver not answering)")
    error = outcome.get("error")
    if isinstance(error, OSError | UnicodeError):
        raise httpcore.ConnectError(f"cannot resolve {host!r}: {error}")
    if error is not None:
        raise error
    return outcome["infos"]


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself (with a deadline), refuses if any answer is a blocked address,
    then connects by IP within what is left of the connect timeout.

    TLS still verifies against the host name: httpcore passes the name to start_tls separately.
    `resolver` is getaddrinfo unless a caller (a test, a custom DNS) supplies its own.
    """

    def __init__(self, allowed: Iterable[str | Network] = (), resolver: Resolver = socket.getaddrinfo) -> None:
        self.allowed = tuple(ipaddress.ip_network(n, strict=False) for n in allowed)
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        started = time.monotonic()
        addresses = resolve(host, port, timeout, self.resolver)
        for address in addresses:
            reason = blocked_reason(address, self.allowed)
            if reason:
                raise BlockedAddressError(f"refused to connect to {host!r}: {address} is {reason}")
        if timeout is not None:  # one budget for the lookup and the connect
            timeout = max(0.001, timeout - (time.monotonic() - started))
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectTimeout:
                raise
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host!r}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the address guard as its network backend, and never a proxy."""

    def __init__(self, *, allowed: Iterable[str | Network] = (), limits: httpx.Limits = _LIMITS,
                 resolver: Resolver = socket.getaddrinfo, **kwargs: Any) -> None:
        super().__init__(trust_env=False, limits=limits, **kwargs)
        ssl_context = httpx.create_ssl_context(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allowed, resolver),
        )


def make_client(
    settings: Settings, *, follow_redirects: bool = False, allowed_networks: Iterable[str | Network] = ()
) -> httpx.Client:
    """An httpx client with our User-Agent, timeouts, no environment proxies and the SSRF guard.

    Shared with webhook delivery. With follow_redirects=True httpx follows redirects itself and
    every hop still passes the connect-time guard. `allowed_networks` opens chosen networks (an
    intranet feed server, say) without switching the guard off as allow_private_networks does.
    """
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    # With the opt-in every network is allowed, but lookups keep their deadline: same transport.
    allowed = _EVERYWHERE if settings.allow_private_networks else allowed_networks
    transport = GuardedTransport(allowed=allowed)
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
        headers={"User-Agent": settings.user_agent},
    )


# -- helpers -------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, unquoted, or None."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            value = value.strip().strip("\"'").strip()
            return value or None
    return None


def _headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        name = name.lower()
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _inflate(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """Decompress gzip or deflate in pieces of at most 64 KiB, whatever the compression ratio.

    httpx would inflate each network chunk whole (a 64 KiB chunk of a bomb becomes ~64 MiB at
    once), so we decode ourselves with max_length and stop as soon as the caller stops pulling.
    """
    wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
    decomp = zlib.decompressobj(wbits)
    first = True
    for chunk in chunks:
        data = chunk
        while data:
            try:
                out = decomp.decompress(data, _PIECE)
            except zlib.error:
                if first and encoding == "deflate":  # some servers send raw deflate without the zlib header
                    decomp = zlib.decompressobj(-zlib.MAX_WBITS)
                    first = False
                    continue
                raise
            first = False
            if out:
                yield out
            if decomp.eof:
                rest = decomp.unused_data
                if wbits != zlib.MAX_WBITS and rest.lstrip(b"\0"):  # another gzip member follows
                    decomp = zlib.decompressobj(wbits)
                    data = rest.lstrip(b"\0")
                    continue
                return  # trailing garbage after the stream is ignored, as browsers do
            data = decomp.unconsumed_tail
    tail = decomp.flush()
    if tail:
        yield tail


def _decoded(response: httpx.Response) -> Iterator[bytes]:
    codings = [
        c.strip().lower() for c in response.headers.get("content-encoding", "").split(",") if c.strip()
    ]
    stream: Iterable[bytes] = response.iter_raw()
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError("protocol", f"unsupported Content-Encoding {coding!r}", url=str(response.url))
        stream = _inflate(stream, coding)
    return iter(stream)


def _read_capped(response: httpx.Response, cap: int, deadline: float) -> bytes:
    url = str(response.url)
    declared = response.headers.get("content-length", "")
    if not response.headers.get("content-encoding") and declared.isdigit() and int(declared) > cap:
        raise FetchError("too_large", f"{safe_url(url)} announces {declared} bytes, over the {cap} cap", url=url)
    body = bytearray()
    try:
        for piece in _decoded(response):
            body += piece
            if len(body) > cap:
                raise FetchError("too_large", f"{safe_url(url)} is over the {cap}-byte cap", url=url)
            if time.monotonic() > deadline:
                raise FetchError("timeout", f"{safe_url(url)} took too long to send its body", url=url)
    except zlib.error as exc:
        raise FetchError("protocol", f"{safe_url(url)}: bad compressed body ({exc})", url=url) from None
    return bytes(body)


def _error_from(exc: httpx.HTTPError, url: str) -> FetchError:
    where = safe_url(url)
    if isinstance(exc, BlockedAddressError):
        return FetchError("blocked_address", f"{where}: {exc}", url=url)
    if isinstance(exc, httpx.TimeoutException):
        detail = f" ({exc})" if isinstance(exc, httpx.ConnectTimeout) and str(exc) else ""  # names the host only
        return FetchError("timeout", f"{where}: {type(exc).__name__}{detail}", url=url)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchError("bad_url", f"{where}: not a URL we can fetch", url=url)
    if isinstance(exc, httpx.ConnectError):
        return FetchError("connect", f"{where}: cannot connect ({exc})", url=url)
    if isinstance(exc, httpx.NetworkError):
        return FetchError("connect", f"{where}: connection failed ({type(exc).__name__})", url=url)
    return FetchError("protocol", f"{where}: {type(exc).__name__}", url=url)


# -- fetch ---------------------------------------------------------------------------------------


def fetch(
    url: str,
    *,
    settings: Settings,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str = FEED_ACCEPT,
    max_bytes: int | None = None,
    follow_redirects: bool = True,
    client: httpx.Client | None = None,
    host_limit: int | None = None,
    host_wait: float = 30.0,
    total_timeout: float | None = None,
) -> FetchResult:
    """GET a URL under the safety rules; raise FetchError for anything but a usable 2xx or a 304.

    A 304 (not_modified) carries no content. `host_limit` caps concurrent requests per host across
    all worker processes (see worker.hostlimit). `total_timeout` bounds the whole exchange, so a
    server dripping one byte just inside the read timeout cannot hold a worker forever.
    """
    cap = max_bytes or settings.max_response_bytes
    started = time.monotonic()
    deadline = started + (total_timeout or settings.connect_timeout + 2 * settings.read_timeout)
    own = client is None
    client = client or make_client(settings)
    headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING, "User-Agent": settings.user_agent}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    redirects: list[str] = []
    permanent = True
    try:
        while True:
            target = check_url(current)
            slot = nullcontext()
            if host_limit:
                slot = host_slot(target.host, host_limit, wait=host_wait)
            try:
                with slot, client.stream("GET", target, headers=headers, follow_redirects=False) as resp:
                    status = resp.status_code
                    if status in REDIRECT_STATUSES and follow_redirects:
                        location = resp.headers.get("location")
                        if not location:
                            raise FetchError("protocol", f"{safe_url(current)}: {status} without Location",
                                             status=status, url=current)
                        permanent = permanent and status in (301, 308)
                        current = urljoin(str(resp.url), location.strip())
                        redirects.append(current)
                        if len(redirects) > MAX_REDIRECTS:
                            raise FetchError("too_many_redirects",
                                             f"{safe_url(url)}: more than {MAX_REDIRECTS} redirects", url=url)
                        continue
                    resp_headers = _headers(resp)
                    if status == 304:
                        content = b""
                    elif status in RETRY_STATUSES:
                        wait = parse_retry_after(resp.headers.get("retry-after"))
                        raise FetchError("http_status", f"{safe_url(current)} answered {status}",
                                         status=status, retry_after=wait, url=current)
                    elif status >= 300:
                        raise FetchError("http_status", f"{safe_url(current)} answered {status}",
                                         status=status, url=current)
                    else:
                        content = _read_capped(resp, cap, deadline)
            except httpx.HTTPError as exc:
                raise _error_from(exc, current) from None
            except HostBusy as exc:
                raise FetchError("host_busy", f"{safe_url(current)}: {exc}", url=current) from None
            return FetchResult(
                status=status,
                url=str(resp.url),
                headers=resp_headers,
                content=content,
                charset=charset_of(resp_headers.get("content-type")),
                etag=resp_headers.get("etag"),
                last_modified=resp_headers.get("last-modified"),
                not_modified=status == 304,
                elapsed=time.monotonic() - started,
                redirects=redirects,
                permanent_redirect=redirects[-1] if redirects and permanent else None,
            )
    finally:
        if own:
            client.close()
