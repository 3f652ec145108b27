"""feeds.yaml as validated data: settings, feeds and destinations.

Ops edit this file during a crisis, often in a hurry, so every mistake is reported at once and
points at the line: `feeds.yaml:12: feeds.alaraby.interval: ...`. The YAML is composed into nodes
(which carry line numbers), built into plain data, validated by the pydantic models below, and
each pydantic error location is walked back through the nodes to its line.

Also here: `check_environment` (destinations whose environment variables are missing, never
printing a value), `ConfigWatcher` (the running scheduler's view of the file: a bad edit keeps
the last good configuration) and `rasd check`.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import difflib
import hashlib
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from worker.detect.model import ACCESS_EVENTS, EVENT_TYPES, STATUSES

log = logging.getLogger("rasd.config")

DEFAULT_PATH = "feeds.yaml"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_FEED_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
_DEST_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NEEDS_URL = ("slack", "webhook", "apprise")
WEBHOOK_SECRET_PREFIX = "whsec_"


def parse_duration(value: object) -> float:
    """'90s', '2m', '1h', or a number of seconds, to seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 90s, 2m or 1h")
    if isinstance(value, int | float):
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError(f"{value!r} is not a duration such as 90s, 2m or 1h")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g}s"


def check_http_url(url: str) -> str | None:
    """Why `url` is not a usable http(s) URL, or None when it is."""
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"cannot be parsed ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host name"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (they would end up in logs)"
    return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Settings(Strict):
    allow_private_networks: bool = False  # loopback/private addresses allowed (tests, intranets)
    tick: float = Field(default=10.0, gt=0, le=600)  # seconds between scheduler ticks
    backfill_hours: float = Field(default=24.0, ge=0)
    max_response_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    connect_timeout: float = Field(default=10.0, gt=0, le=120)
    read_timeout: float = Field(default=30.0, gt=0, le=600)
    failures_before_failing: int = Field(default=5, ge=1)
    max_backoff: float = Field(default=6 * 3600.0, gt=0)
    user_agent: str = Field(default="rasd/0.1 (+https://github.com/rasd-news/rasd; Arabic news monitor)",
                            min_length=1)
    extra_rules: list[str] = Field(default_factory=list)  # paths to more detector rule files
    alerts_file: str = Field(default="var/alerts.jsonl", min_length=1)
    group_window_hours: float = Field(default=48.0, gt=0)

    @field_validator("tick", "max_backoff", "connect_timeout", "read_timeout", mode="before")
    @classmethod
    def _duration(cls, v: object) -> float:
        return parse_duration(v)


class Feed(Strict):
    id: str = Field(max_length=64)
    url: str
    interval: float = 300.0
    name: str | None = None  # outlet name shown in alerts
    tags: list[str] = Field(default_factory=list)
    country: str | None = None
    encoding: str | None = None  # override when a feed declares the wrong charset
    enabled: bool = True
    backfill_hours: float | None = Field(default=None, ge=0)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _FEED_ID.match(v):
            raise ValueError(f"{v!r} is not a feed id: use lowercase letters, digits, '_' and '-' (at most 64)")
        return v

    @field_validator("interval", mode="before")
    @classmethod
    def _interval(cls, v: object) -> float:
        seconds = parse_duration(v)
        if seconds < 30 or seconds > 86400:
            hint = " (a bare number means seconds)" if isinstance(v, int | float) else ""
            raise ValueError(f"interval must be between 30s and 24h, not {_seconds_text(seconds)}{hint}")
        return seconds

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        problem = check_http_url(v)
        if problem:
            raise ValueError(f"{v!r} is not a feed URL: it {problem}")
        return v

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str | None) -> str | None:
        if v is not None:
            import codecs

            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding {v!r} (e.g. windows-1256, iso-8859-6, utf-8)") from None
        return v


class Destination(Strict):
    name: str
    type: Literal["slack", "webhook", "apprise", "console"]
    # The environment variable holding the URL (never the URL itself: it is a secret).
    url_env: str | None = Field(default=None, validate_default=True)
    # Webhook signing secret ("whsec_..."), also by environment variable name.
    secret_env: str | None = Field(default=None, validate_default=True)
    events: list[str] = Field(default_factory=lambda: list(ACCESS_EVENTS))
    statuses: list[str] = Field(default_factory=lambda: list(STATUSES))
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    feeds: list[str] = Field(default_factory=list)  # empty: all feeds
    tags: list[str] = Field(default_factory=list)  # empty: any tag
    countries: list[str] = Field(default_factory=list)  # ISO codes of places; empty: anywhere
    places: list[str] = Field(default_factory=list)  # place names as written (folded match)
    rate_per_second: float | None = Field(default=None, gt=0)  # default: 1 for slack, 5 for others
    timeout: float = Field(default=15.0, gt=0, le=30)
    # Waits between delivery attempts (e.g. [30s, 2m, 10m, 1h]); default: the type's schedule.
    retry_delays: list[float] | None = Field(default=None, min_length=1, max_length=30)

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _retry_delays(cls, v: object) -> object:
        if not isinstance(v, list):
            return v
        delays = [parse_duration(d) for d in v]
        if any(d < 1 or d > 7 * 86400 for d in delays):
            raise ValueError("each retry delay must be between 1s and 7d")
        return delays

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _DEST_NAME.match(v):
            raise ValueError(f"{v!r} is not a destination name: use letters, digits, '_', '.' and '-'")
        return v

    # Values of these two are never echoed: someone may have pasted the secret itself.
    @field_validator("url_env")
    @classmethod
    def _url_env(cls, v: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if v is None:
            if kind in _NEEDS_URL:
                raise ValueError(f"a {kind} destination needs url_env: the name of the environment "
                                 "variable holding its URL")
            return v
        if kind == "console":
            raise ValueError("a console destination takes no url_env")
        if not _ENV_NAME.match(v):
            raise ValueError("must be the NAME of an environment variable (such as OPS_SLACK_URL), "
                             "not the URL itself")
        return v

    @field_validator("secret_env")
    @classmethod
    def _secret_env(cls, v: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if v is None:
            if kind == "webhook":
                raise ValueError("a webhook destination needs secret_env: the name of the environment "
                                 "variable holding its signing secret (whsec_...)")
            return v
        if kind is not None and kind != "webhook":
            raise ValueError(f"only webhook destinations are signed; a {kind} destination takes no secret_env")
        if not _ENV_NAME.match(v):
            raise ValueError("must be the NAME of an environment variable (such as OPS_WEBHOOK_SECRET), "
                             "not the secret itself")
        return v

    @field_validator("events")
    @classmethod
    def _events(cls, v: list[str]) -> list[str]:
        unknown = [t for t in v if t not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"unknown event type(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(EVENT_TYPES)}")
        return v

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, v: list[str]) -> list[str]:
        unknown = [s for s in v if s not in STATUSES]
        if unknown:
            raise ValueError(f"unknown status(es) {', '.join(map(repr, unknown))}; known: {', '.join(STATUSES)}")
        return v


class Config(Strict):
    settings: Settings = Field(default_factory=Settings)
    feeds: list[Feed] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)

    # Where it was read from, and the line of each dotted key, for messages about it later.
    _source: str = PrivateAttr(default="")
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    def feed(self, feed_id: str) -> Feed | None:
        return next((f for f in self.feeds if f.id == feed_id), None)

    def destination(self, name: str) -> Destination | None:
        return next((d for d in self.destinations if d.name == name), None)

    @property
    def source(self) -> str:
        """The file this configuration was loaded from ('' when built in code)."""
        return self._source

    def line_of(self, key: str) -> int | None:
        """The line of a dotted key such as 'destinations.ops.url_env' in the source file."""
        return self._lines.get(key)


# -- errors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigIssue:
    """One thing wrong with feeds.yaml, printed as `file:line: key: what is wrong`."""

    file: str
    line: int | None  # 1-based; None when the problem is the file itself
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """feeds.yaml is not usable; `.errors` lists every problem found, in file order."""

    def __init__(self, errors: list[ConfigIssue]):
        self.errors = sorted(errors, key=lambda e: (e.line or 0, e.key))
        super().__init__("\n".join(str(e) for e in self.errors))


# -- loading ------------------------------------------------------------------------------------


def load_config(path: str | Path) -> Config:
    """Read and validate feeds.yaml; raise ConfigError listing every problem with its line."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError([ConfigIssue(source, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_config(raw, source)


def parse_config(text: str | bytes, source: str = "<string>") -> Config:
    """Validate the text of a feeds.yaml; `source` names it in messages."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            raise ConfigError([ConfigIssue(source, line, "", "the file is not UTF-8 text")]) from None
    try:
        root, data = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        context = exc.context or ""
        if context and exc.context_mark and exc.context_mark.line + 1 != line:
            context += f" (from line {exc.context_mark.line + 1})"
        problem = ": ".join(p for p in (context, exc.problem) if p) or "invalid YAML"
        raise ConfigError([ConfigIssue(source, line, "yaml", problem)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(source, None, "yaml", str(exc))]) from None

    if root is None or data is None:
        raise ConfigError([ConfigIssue(source, 1, "", "the file is empty; expected settings, feeds and "
                                                      "destinations")])
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise ConfigError([ConfigIssue(source, root.start_mark.line + 1, "",
                                       "the file must be a mapping with the keys settings, feeds and destinations")])

    # `destinations:` left with every entry commented out reads as null: that means "none".
    data = {k: v for k, v in data.items() if not (k in Config.model_fields and v is None)}
    names = _Names(data)
    issues = list(_duplicate_yaml_keys(root, source))
    config: Config | None = None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        issues += [_issue_from_pydantic(err, root, names, source) for err in exc.errors()]
    issues += _duplicate_names(root, data, source)
    issues += _unknown_feed_references(root, data, names, source)
    if issues or config is None:
        raise ConfigError(_unique(issues))

    config._source = source
    config._lines = dict(_line_map(root, data, names))
    return config


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    """One pass: the node tree (with marks) and the plain data built from it."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


class _Names:
    """Dotted names for list items: `feeds.alaraby` when the id is usable and unique, else `feeds[3]`."""

    def __init__(self, data: dict):
        self.labels: dict[tuple[str, int], str] = {}
        for section, field, pattern in (("feeds", "id", _FEED_ID), ("destinations", "name", _DEST_NAME)):
            items = data.get(section)
            if not isinstance(items, list):
                continue
            values = [item.get(field) if isinstance(item, dict) else None for item in items]
            for i, value in enumerate(values):
                ok = isinstance(value, str) and pattern.match(value) and "." not in value
                if ok and values.count(value) == 1:
                    self.labels[(section, i)] = f"{section}.{value}"

    def dotted(self, loc: tuple[Any, ...]) -> str:
        out = ""
        for i, part in enumerate(loc):
            if isinstance(part, int):
                label = self.labels.get((loc[0], part)) if i == 1 else None
                out = label or f"{out}[{part}]"
            else:
                out = f"{out}.{part}" if out else str(part)
        return out


def _child(node: yaml.Node, part: Any) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The (key node, value node) for `part` under `node`; the last one wins, as in the data."""
    if isinstance(node, yaml.MappingNode) and not isinstance(part, int):
        found: tuple[yaml.Node | None, yaml.Node | None] = (None, None)
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                found = (k, v)
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None, None


def _locate(root: yaml.Node, loc: tuple[Any, ...]) -> tuple[int, yaml.Node | None, yaml.Node]:
    """How many parts of `loc` resolve to nodes, the last key node, and the deepest node found."""
    node, key_node, depth = root, None, 0
    for part in loc:
        k, v = _child(node, part)
        if v is None:
            break
        node, key_node, depth = v, k, depth + 1
    return depth, key_node, node


_SECTION_MODELS: dict[str, type[BaseModel]] = {"settings": Settings, "feeds": Feed, "destinations": Destination}


def _model_for(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Which model's keys apply at `loc` (the location of a mapping in the file)."""
    if not loc:
        return Config
    if loc[0] == "settings" and len(loc) == 1:
        return Settings
    if loc[0] in ("feeds", "destinations") and len(loc) == 2 and isinstance(loc[1], int):
        return _SECTION_MODELS[loc[0]]
    return None


_FRIENDLY = {
    "missing": "required key is missing",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "list_type": "must be a list, such as [a, b]",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
}

_HINTS = {
    "url": "put the URL in an environment variable and name it with url_env",
    "secret": "put the secret in an environment variable and name it with secret_env",
    "webhook_url": "put the URL in an environment variable and name it with url_env",
}


def _issue_from_pydantic(err: Mapping[str, Any], root: yaml.Node, names: _Names, source: str) -> ConfigIssue:
    loc = tuple(p for p in err["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "lax-")))
    kind = err["type"]
    if kind == "invalid_key":
        return _invalid_key_issue(loc[:-1], err.get("input"), root, names, source)
    depth, key_node, node = _locate(root, loc)
    line = (key_node or node).start_mark.line + 1 if depth == len(loc) else node.start_mark.line + 1
    key = names.dotted(loc)
    if kind == "extra_forbidden":
        model = _model_for(loc[:-1])
        message = f"unknown key {str(loc[-1])!r}"
        hint = _HINTS.get(str(loc[-1])) if model is Destination else None
        close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1) if model else []
        if hint:
            message += f"; {hint}"
        elif close:
            message += f" (did you mean {close[0]!r}?)"
        elif model:
            message += f"; known keys: {', '.join(model.model_fields)}"
    elif kind == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
    elif kind == "literal_error" and loc and loc[-1] == "type":
        message = f"unknown destination type; use one of {err['ctx']['expected']}"
    elif kind == "string_type" and isinstance(err.get("input"), bool):
        message = "must be text; quote it (YAML reads yes/no/on/off/true/false unquoted as true or false)"
    elif kind in ("model_type", "model_attributes_type", "dict_type") and not loc:
        message = "the file must be a mapping with the keys settings, feeds and destinations"
    else:
        message = _FRIENDLY.get(kind, str(err["msg"]))
    return ConfigIssue(source, line, key, message)


def _invalid_key_issue(loc: tuple[Any, ...], key: Any, root: yaml.Node, names: _Names, source: str) -> ConfigIssue:
    """A key YAML read as a number or boolean (`on:`, `5:`) in the mapping at `loc`: name it as written."""
    _, _, parent = _locate(root, loc)
    written, line = str(key), parent.start_mark.line + 1
    if isinstance(parent, yaml.MappingNode):
        for k, _ in parent.value:
            if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:str":
                with contextlib.suppress(yaml.YAMLError):
                    value = yaml.safe_load(k.value)
                    if value == key and type(value) is type(key):
                        written, line = k.value, k.start_mark.line + 1
                        break
    prefix = names.dotted(loc)
    shown = str(key).lower() if isinstance(key, bool) else str(key)
    return ConfigIssue(source, line, f"{prefix}.{written}" if prefix else written,
                       f"YAML reads the key {written!r} as {shown}, not as text; quote it or use a known key")


def _duplicate_yaml_keys(root: yaml.Node, source: str) -> Iterator[ConfigIssue]:
    """The same key twice in one mapping (PyYAML would silently keep the last)."""
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode) or k.value == "<<":
                    continue
                child = f"{path}.{k.value}" if path else k.value
                line = k.start_mark.line + 1
                if k.value in first:
                    yield ConfigIssue(source, line, child,
                                      f"key given twice in one mapping (lines {first[k.value]} and {line})")
                else:
                    first[k.value] = line
                stack.append((v, child))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, f"{path}[{i}]") for i, item in enumerate(node.value)]


def _duplicate_names(root: yaml.Node, data: dict, source: str) -> Iterator[ConfigIssue]:
    for section, field, what in (("feeds", "id", "feed id"), ("destinations", "name", "destination name")):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            value = item.get(field) if isinstance(item, dict) else None
            if not isinstance(value, str):
                continue
            _, _, node = _locate(root, (section, i, field))
            line = node.start_mark.line + 1
            if value in first:
                yield ConfigIssue(source, line, f"{section}[{i}].{field}",
                                  f"duplicate {what} {value!r} (lines {first[value]} and {line})")
            else:
                first[value] = line


def _unknown_feed_references(root: yaml.Node, data: dict, names: _Names, source: str) -> Iterator[ConfigIssue]:
    """A destination filtering on a feed id that no feed has would silently receive nothing."""
    feeds, dests = data.get("feeds"), data.get("destinations")
    if not isinstance(feeds, list) or not isinstance(dests, list):
        return
    ids = {f.get("id") for f in feeds if isinstance(f, dict)}
    for i, dest in enumerate(dests):
        wanted = dest.get("feeds") if isinstance(dest, dict) else None
        if not isinstance(wanted, list):
            continue
        for j, feed_id in enumerate(wanted):
            if isinstance(feed_id, str) and feed_id not in ids:
                loc = ("destinations", i, "feeds", j)
                _, _, node = _locate(root, loc)
                yield ConfigIssue(source, node.start_mark.line + 1, names.dotted(loc),
                                  f"no feed has the id {feed_id!r}")


def _unique(issues: list[ConfigIssue]) -> list[ConfigIssue]:
    return list(dict.fromkeys(issues))


def _line_map(root: yaml.Node, data: Any, names: _Names) -> Iterator[tuple[str, int]]:
    """Every dotted key of the file with its line, as `Config.line_of` answers it."""

    def walk(node: yaml.Node, loc: tuple[Any, ...]) -> Iterator[tuple[str, int]]:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    child = (*loc, k.value)
                    yield names.dotted(child), k.start_mark.line + 1
                    yield from walk(v, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                child = (*loc, i)
                yield names.dotted(child), item.start_mark.line + 1
                yield from walk(item, child)

    yield from walk(root, ())


# -- the environment ----------------------------------------------------------------------------


def check_environment(config: Config, environ: Mapping[str, str] | None = None) -> list[ConfigIssue]:
    """Destinations that cannot deliver because an environment variable is missing or malformed.

    Messages name the destination and the variable, never its value.
    """
    env = os.environ if environ is None else environ
    source = config.source or DEFAULT_PATH
    issues: list[ConfigIssue] = []

    def add(dest: Destination, field: str, message: str) -> None:
        key = f"destinations.{dest.name}.{field}"
        line = config.line_of(key) or config.line_of(f"destinations.{dest.name}")
        issues.append(ConfigIssue(source, line, key, f"destination {dest.name!r}: {message}"))

    for dest in config.destinations:
        if dest.url_env:
            url = env.get(dest.url_env, "")
            if not url.strip():
                add(dest, "url_env", f"environment variable {dest.url_env} is not set; it cannot deliver")
            elif dest.type in ("slack", "webhook") and check_http_url(url.strip()) not in (
                None, "must not carry credentials (they would end up in logs)"
            ):
                add(dest, "url_env", f"environment variable {dest.url_env} does not hold an http(s) URL")
        if dest.secret_env:
            secret = env.get(dest.secret_env, "").strip()
            if not secret.strip():
                add(dest, "secret_env", f"environment variable {dest.secret_env} is not set; it cannot sign")
            elif not secret.startswith(WEBHOOK_SECRET_PREFIX):
                add(dest, "secret_env", f"environment variable {dest.secret_env} does not hold a Standard "
                                        f"Webhooks secret (it must start with {WEBHOOK_SECRET_PREFIX!r})")
            elif not _valid_secret_body(secret[len(WEBHOOK_SECRET_PREFIX):]):
                add(dest, "secret_env", f"environment variable {dest.secret_env}: the part after "
                                        f"{WEBHOOK_SECRET_PREFIX!r} is not base64 of at least 16 bytes")
    return issues


def _valid_secret_body(body: str) -> bool:
    try:
        return len(base64.b64decode(body + "=" * (-len(body) % 4), validate=True)) >= 16
    except (binascii.Error, ValueError):
        return False


# -- the running service's view of the file ------------------------------------------------------


class ConfigWatcher:
    """The current good configuration of a file that ops may edit while the service runs.

    `current()` costs one stat when nothing changed; a changed file is re-read and, if valid,
    becomes current. An invalid edit keeps the last good configuration and is logged once per bad
    version (by content hash), so a tick every ten seconds does not repeat the same warning.
    The first load must succeed: there is nothing to fall back to.
    """

    def __init__(self, path: str | Path, *, rehash_every: float = 60.0, logger: logging.Logger | None = None):
        self.path = Path(path)
        self.log = logger or log
        self.rehash_every = rehash_every  # catches an edit that kept mtime and size (coarse clocks)
        self._lock = threading.Lock()
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise ConfigError([ConfigIssue(str(path), None, "", f"cannot read the file: {exc.strerror or exc}")]) \
                from None
        self._config = parse_config(raw, str(path))
        self._digest = hashlib.sha256(raw).hexdigest()
        self._stat = self._signature()
        self._bad_digest: str | None = None
        self._missing_logged = False
        self._hashed_at = time.monotonic()

    @property
    def version(self) -> str:
        """The sha256 of the file content behind `current()`; changes when a new config applies."""
        return self._digest

    def current(self) -> Config:
        with self._lock:
            signature = self._signature()
            if signature is None:
                if not self._missing_logged:
                    self.log.warning("%s cannot be read; keeping the last good configuration", self.path)
                    self._missing_logged = True
                return self._config
            self._missing_logged = False
            due = time.monotonic() - self._hashed_at >= self.rehash_every
            if signature != self._stat or due:
                self._reload(signature)
            return self._config

    def _signature(self) -> tuple[int, int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino

    def _reload(self, signature: tuple[int, int, int, int]) -> None:
        self._hashed_at = time.monotonic()
        try:
            raw = self.path.read_bytes()
        except OSError:
            return  # gone between stat and read; the next call sees it
        self._stat = signature
        digest = hashlib.sha256(raw).hexdigest()
        if digest == self._digest:
            if self._bad_digest:  # the bad edit was undone
                self.log.info("%s is back to the configuration in use", self.path)
                self._bad_digest = None
            return
        if digest == self._bad_digest:
            return
        try:
            config = parse_config(raw, str(self.path))
        except ConfigError as exc:
            self._bad_digest = digest
            self.log.warning(
                "%s was edited but is invalid; keeping the last good configuration (%d feeds) until it "
                "is fixed:\n%s", self.path, len(self._config.feeds), "\n".join(f"  {e}" for e in exc.errors),
            )
            return
        self._config, self._digest, self._bad_digest = config, digest, None
        self.log.info("%s reloaded: %s", self.path, summary(config))


def summary(config: Config) -> str:
    enabled = sum(1 for f in config.feeds if f.enabled)
    feeds = f"{len(config.feeds)} feed{'s' * (len(config.feeds) != 1)}"
    if enabled != len(config.feeds):
        feeds += f" ({enabled} enabled)"
    n = len(config.destinations)
    return f"{feeds}, {n} destination{'s' * (n != 1)}"


# -- rasd check ---------------------------------------------------------------------------------


def as_warning(issue: ConfigIssue) -> str:
    """`file:line: key: warning: ...`, for problems that do not stop the service."""
    return str(ConfigIssue(issue.file, issue.line, issue.key, f"warning: {issue.message}"))


def default_path() -> str:
    return os.environ.get("RASD_CONFIG") or DEFAULT_PATH


def command(name: str, argv: list[str]) -> int:
    """`rasd check [--config feeds.yaml]`: 1 and every error when invalid, else 0 and a summary."""
    parser = argparse.ArgumentParser(prog=f"rasd {name}", description="Validate feeds.yaml.")
    parser.add_argument("--config", default=default_path(), help="the file to check (default: %(default)s)")
    parser.add_argument("--strict-env", action="store_true",
                        help="exit 1 also when a destination's environment variable is missing")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        for issue in exc.errors:
            print(issue)
        n = len(exc.errors)
        print(f"{args.config}: {n} error{'s' * (n != 1)}", file=sys.stderr)
        return 1
    env_issues = check_environment(config)
    for issue in env_issues:
        print(as_warning(issue))
    where = "" if config.destinations else f" (alerts go to the console and {config.settings.alerts_file})"
    print(f"{args.config}: OK: {summary(config)}{where}")
    return 1 if (env_issues and args.strict_env) else 0
