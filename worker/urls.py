"""One spelling per article URL, so the same story linked two ways is seen once.

Feeds and pages write the same link differently: Arabic slugs raw or percent-encoded (in upper or
lower case hex), with campaign parameters, a default port, a fragment, a trailing slash. The
canonical form is an ASCII URI: scheme and host lower-cased (IDN hosts in punycode), no userinfo,
default port or fragment, dot segments resolved, non-ASCII and unsafe characters percent-encoded
with upper-case hex, needless escapes of unreserved characters decoded, tracking parameters
dropped, the remaining query sorted, and no trailing slash except on the root path.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Allowed as themselves in each part (RFC 3986 sub-delims, ':' and '@'; '/' in paths; '?' in queries).
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = _UNRESERVED | frozenset("!$'()*+,;:@/?")  # '&' and '=' separate pairs, so stay escaped
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")

# Parameters that only say where a click came from. Names compare case-insensitively.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
        "mkt_tok", "ocid", "cmpid", "cmp", "xtor", "ito", "smid", "sr_share", "ref_src", "ref_url",
        "spm", "scid", "s_cid", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
        "oly_anon_id", "oly_enc_id", "rb_clickid", "vero_id", "wt_mc", "wt.mc_id", "__twitter_impression",
        "fb_action_ids", "fb_action_types", "fb_source", "fb_ref", "hootpostid", "amp_js_v", "usqp",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "matomo_", "piwik_", "itm_")


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _normalise_part(text: str, safe: frozenset[str]) -> str:
    """Percent-encode what must be, decode escapes of unreserved ASCII, upper-case the rest."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            m = _ESCAPE.match(text, i)
            if m:
                byte = int(m.group(1), 16)
                decoded = chr(byte)
                out.append(decoded if byte < 0x80 and decoded in _UNRESERVED else f"%{byte:02X}")
                i += 3
                continue
            out.append("%25")
        elif ch in safe:
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return _normalise_part(host, _UNRESERVED)


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical form of an http(s) URL, resolved against `base` when relative.

    Raises ValueError for anything that is not an http(s) URL with a host.
    """
    raw = (url or "").strip()
    if base:
        raw = urljoin(base.strip(), raw)
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {raw[:200]!r}")
    if not parts.hostname:
        raise ValueError(f"no host in URL: {raw[:200]!r}")
    netloc = _host(parts.hostname)
    port = parts.port  # raises ValueError on a bad port
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"

    path = _remove_dot_segments(_normalise_part(parts.path or "/", _PATH_SAFE))
    if len(path) > 1:
        path = path.rstrip("/") or "/"

    pairs: list[tuple[str, str]] = []
    for item in parts.query.split("&"):
        if not item:
            continue
        name, eq, value = item.partition("=")
        name = _normalise_part(name, _QUERY_SAFE)
        if is_tracking_param(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)):
            continue
        pairs.append((name, eq + _normalise_part(value, _QUERY_SAFE | {"="})))
    pairs.sort()
    query = "&".join(name + value for name, value in pairs)
    return urlunsplit((scheme, netloc, path, query, ""))
