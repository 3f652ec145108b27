"""feeds.yaml: every mistake named by file, line and key; the shipped file; the running service's watcher."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from worker import config as config_module
from worker.config import (
    Config,
    ConfigError,
    ConfigIssue,
    ConfigWatcher,
    check_environment,
    load_config,
    parse_config,
)

REPO = Path(__file__).resolve().parents[1]

GOOD = """\
settings:
  allow_private_networks: true
  tick: 5s
feeds:
  - id: alaraby
    url: https://www.alaraby.co.uk/rss
    interval: 2m
    name: العربي الجديد
    country: SY
    tags: [syria, regional]
  - id: enab
    url: http://127.0.0.1:8080/feed
    interval: 90
destinations:
  - name: ops-slack
    type: slack
    url_env: OPS_SLACK_URL
    events: [crossing_closure, siege_risk]
  - name: ops-hook
    type: webhook
    url_env: OPS_HOOK_URL
    secret_env: OPS_HOOK_SECRET
    statuses: [occurred]
    feeds: [enab]
    retry_delays: [30s, 2m, 1h]
"""


def write(tmp_path: Path, text: str, name: str = "feeds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors(tmp_path: Path, text: str) -> list[str]:
    """Every error load_config reports for `text`, as printed, with the path shortened to feeds.yaml."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert all(isinstance(e, ConfigIssue) for e in info.value.errors)
    return [str(e).replace(str(path), "feeds.yaml", 1) for e in info.value.errors]


def rasd(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("RASD_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=60)


# -- a good file ---------------------------------------------------------------------------------


def test_good_file_loads_with_parsed_values_and_remembers_lines(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert isinstance(config, Config)
    assert config.settings.tick == 5.0 and config.settings.allow_private_networks is True
    assert [(f.id, f.interval) for f in config.feeds] == [("alaraby", 120.0), ("enab", 90.0)]
    assert config.feed("alaraby").name == "العربي الجديد"
    assert config.destination("ops-hook").secret_env == "OPS_HOOK_SECRET"
    assert config.destination("ops-hook").retry_delays == [30.0, 120.0, 3600.0]
    assert config.destination("ops-slack").retry_delays is None
    assert config.source == str(tmp_path / "feeds.yaml")
    assert config.line_of("feeds.enab.interval") == 13
    assert config.line_of("destinations.ops-hook.secret_env") == 22


# -- every kind of mistake, with file:line: key: -------------------------------------------------


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = """\
    feeds:
      - id: a
        url: https://example.org/rss
        interval: [2m
    destinations: []
    """
    [err] = errors(tmp_path, text)
    assert err.startswith("feeds.yaml:5: yaml: ")
    assert "from line 4" in err


def test_tab_indentation_is_a_syntax_error_with_its_line(tmp_path):
    [err] = errors(tmp_path, "feeds:\n  - id: a\n    url: https://example.org/rss\n\tinterval: 2m\n")
    assert err.startswith("feeds.yaml:4: yaml: ")


def test_unknown_keys_at_every_level(tmp_path):
    text = """\
    settings:
      tik: 10s
    feeds:
      - id: alaraby
        url: https://example.org/rss
        intervall: 2m
    destinations:
      - name: ops
        type: slack
        url_env: OPS_SLACK_URL
        colour: red
    extra: 1
    """
    assert errors(tmp_path, text) == [
        "feeds.yaml:2: settings.tik: unknown key 'tik' (did you mean 'tick'?)",
        "feeds.yaml:6: feeds.alaraby.intervall: unknown key 'intervall' (did you mean 'interval'?)",
        "feeds.yaml:11: destinations.ops.colour: unknown key 'colour'; known keys: name, type, url_env, "
        "secret_env, events, statuses, min_confidence, feeds, tags, countries, places, rate_per_second, timeout, "
        "retry_delays",
        "feeds.yaml:12: extra: unknown key 'extra'; known keys: settings, feeds, destinations",
    ]


def test_a_url_pasted_into_a_destination_is_refused_without_echoing_it(tmp_path):
    secret_url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    text = f"""\
    destinations:
      - name: ops
        type: slack
        url: {secret_url}
        url_env: {secret_url}
    """
    errs = errors(tmp_path, text)
    assert errs == [
        "feeds.yaml:4: destinations.ops.url: unknown key 'url'; put the URL in an environment variable and "
        "name it with url_env",
        "feeds.yaml:5: destinations.ops.url_env: must be the NAME of an environment variable "
        "(such as OPS_SLACK_URL), not the URL itself",
    ]
    assert not any("XXXXSECRET" in e for e in errs)


def test_duplicate_feed_ids_name_both_lines(tmp_path):
    text = """\
    feeds:
      - id: alaraby
        url: https://example.org/a
      - id: enab
        url: https://example.org/b
      - id: alaraby
        url: https://example.org/c
    """
    assert errors(tmp_path, text) == ["feeds.yaml:6: feeds[2].id: duplicate feed id 'alaraby' (lines 2 and 6)"]


def test_duplicate_destination_names_name_both_lines(tmp_path):
    text = """\
    destinations:
      - name: ops
        type: console
      - name: ops
        type: slack
        url_env: OPS_SLACK_URL
    """
    assert errors(tmp_path, text) == [
        "feeds.yaml:4: destinations[1].name: duplicate destination name 'ops' (lines 2 and 4)"
    ]


def test_duplicate_yaml_keys_are_not_silently_dropped(tmp_path):
    text = """\
    feeds:
      - id: alaraby
        url: https://example.org/a
        interval: 2m
        interval: 5m
    settings:
      tick: 10s
    settings:
      tick: 20s
    """
    assert errors(tmp_path, text) == [
        "feeds.yaml:5: feeds[0].interval: key given twice in one mapping (lines 4 and 5)",
        "feeds.yaml:8: settings: key given twice in one mapping (lines 6 and 8)",
    ]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.org/rss", "must start with http:// or https://"),
        ("example.org/rss", "must start with http:// or https://"),
        ("https:///rss", "has no host name"),
        ("'https://example.org/a b'", "contains spaces or control characters"),
        ("https://example.org:99999/rss", "cannot be parsed (Port out of range 0-65535)"),
        ("https://user:pw@example.org/rss", "must not carry credentials (they would end up in logs)"),
    ],
)
def test_bad_feed_urls(tmp_path, url, problem):
    [err] = errors(tmp_path, f"feeds:\n  - id: alaraby\n    url: {url}\n")
    shown = url.strip("'")
    assert err == f"feeds.yaml:3: feeds.alaraby.url: {shown!r} is not a feed URL: it {problem}"


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        ("2", "interval must be between 30s and 24h, not 2s (a bare number means seconds)"),
        ("0m", "interval must be between 30s and 24h, not 0s"),
        ("25h", "interval must be between 30s and 24h, not 90000s"),
        ("2 minutes", "'2 minutes' is not a duration such as 90s, 2m or 1h"),
        ("-5m", "'-5m' is not a duration such as 90s, 2m or 1h"),
        ("true", "expected a duration such as 90s, 2m or 1h"),
    ],
)
def test_bad_intervals(tmp_path, interval, message):
    text = f"feeds:\n  - id: alaraby\n    url: https://example.org/rss\n    interval: {interval}\n"
    assert errors(tmp_path, text) == [f"feeds.yaml:4: feeds.alaraby.interval: {message}"]


def test_unknown_event_types_and_statuses(tmp_path):
    text = """\
    destinations:
      - name: ops
        type: console
        events: [crossing_closure, bombing]
        statuses: [occurred, rumoured]
    """
    errs = errors(tmp_path, text)
    assert errs[0].startswith("feeds.yaml:4: destinations.ops.events: unknown event type(s) 'bombing'; known: ")
    assert "crossing_closure" in errs[0] and "siege_risk" in errs[0]
    assert errs[1] == ("feeds.yaml:5: destinations.ops.statuses: unknown status(es) 'rumoured'; "
                       "known: occurred, announced, threatened")
    assert len(errs) == 2


@pytest.mark.parametrize("kind", ["slack", "webhook", "apprise"])
def test_destination_without_url_env(tmp_path, kind):
    secret = "    secret_env: HOOK_SECRET\n" if kind == "webhook" else ""
    text = f"destinations:\n  - name: ops\n    type: {kind}\n{secret}"
    assert errors(tmp_path, text) == [
        f"feeds.yaml:2: destinations.ops.url_env: a {kind} destination needs url_env: the name of the "
        "environment variable holding its URL"
    ]


def test_webhook_without_secret_env(tmp_path):
    text = "destinations:\n  - name: hook\n    type: webhook\n    url_env: HOOK_URL\n"
    assert errors(tmp_path, text) == [
        "feeds.yaml:2: destinations.hook.secret_env: a webhook destination needs secret_env: the name of the "
        "environment variable holding its signing secret (whsec_...)"
    ]


def test_other_destination_mistakes(tmp_path):
    text = """\
    feeds:
      - id: enab
        url: https://example.org/rss
    destinations:
      - name: ops
        type: pager
      - name: team
        type: slack
        url_env: TEAM_URL
        secret_env: TEAM_SECRET
        feeds: [enab, alarabi]
        min_confidence: 2
        retry_delays: [30s, 0s]
    """
    assert errors(tmp_path, text) == [
        "feeds.yaml:6: destinations.ops.type: unknown destination type; use one of 'slack', 'webhook', "
        "'apprise' or 'console'",
        "feeds.yaml:10: destinations.team.secret_env: only webhook destinations are signed; a slack "
        "destination takes no secret_env",
        "feeds.yaml:11: destinations.team.feeds[1]: no feed has the id 'alarabi'",
        "feeds.yaml:12: destinations.team.min_confidence: Input should be less than or equal to 1",
        "feeds.yaml:13: destinations.team.retry_delays: each retry delay must be between 1s and 7d",
    ]


def test_missing_and_mistyped_values(tmp_path):
    text = """\
    settings:
      allow_private_networks: maybe
      per_host_concurrency: 0
    feeds:
      - url: https://example.org/rss
        country: NO
      - id: Bad Id
        url: https://example.org/x
        tags: syria
        encoding: klingon
    """
    assert errors(tmp_path, text) == [
        "feeds.yaml:2: settings.allow_private_networks: must be true or false",
        "feeds.yaml:3: settings.per_host_concurrency: Input should be greater than or equal to 1",
        "feeds.yaml:5: feeds[0].id: required key is missing",
        "feeds.yaml:6: feeds[0].country: must be text; quote it (YAML reads yes/no/on/off/true/false "
        "unquoted as true or false)",
        "feeds.yaml:7: feeds[1].id: 'Bad Id' is not a feed id: use lowercase letters, digits, '_' and '-' "
        "(at most 64)",
        "feeds.yaml:9: feeds[1].tags: must be a list, such as [a, b]",
        "feeds.yaml:10: feeds[1].encoding: unknown encoding 'klingon' (e.g. windows-1256, iso-8859-6, utf-8)",
    ]


def test_keys_yaml_reads_as_booleans_or_numbers(tmp_path):
    text = """\
    on: 1
    feeds:
      - id: alaraby
        url: https://example.org/rss
        5: x
    """
    assert errors(tmp_path, text) == [
        "feeds.yaml:1: on: YAML reads the key 'on' as true, not as text; quote it or use a known key",
        "feeds.yaml:5: feeds.alaraby.5: YAML reads the key '5' as 5, not as text; quote it or use a known key",
    ]


def test_all_errors_are_reported_at_once_in_file_order(tmp_path):
    text = """\
    settings:
      tick: soon
    feeds:
      - id: a
        url: ftp://x
      - id: a
        url: https://example.org/b
        interval: 1
    destinations:
      - name: hook
        type: webhook
    """
    errs = errors(tmp_path, text)
    assert [e.split(":")[1] for e in errs] == ["2", "5", "6", "8", "10", "10"]
    assert len(errs) == 6


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "feeds.yaml:1: the file is empty; expected settings, feeds and destinations"),
        (b"- a\n- b\n", "feeds.yaml:1: the file must be a mapping with the keys settings, feeds and destinations"),
        (b"feeds:\n  - id: a\n    name: \xe3\xf1\n", "feeds.yaml:3: the file is not UTF-8 text"),
        (b"feeds: []\n---\nfeeds: []\n",
         "feeds.yaml:2: yaml: expected a single document in the stream (from line 1): but found another document"),
    ],
)
def test_file_level_problems(tmp_path, content, expected):
    path = tmp_path / "feeds.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert [str(e).replace(str(path), "feeds.yaml") for e in info.value.errors] == [expected]


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: cannot read the file: No such file or directory"


# -- rasd check ----------------------------------------------------------------------------------


def test_rasd_check_prints_every_error_and_exits_1(tmp_path):
    write(tmp_path, """\
    feeds:
      - id: alaraby
        url: https://example.org/rss
        interval: 5
      - id: alaraby
        url: https://example.org/rss2
    """)
    result = rasd("check", "--config", "feeds.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "feeds.yaml:4: feeds[0].interval: interval must be between 30s and 24h, not 5s "
        "(a bare number means seconds)",
        "feeds.yaml:5: feeds[1].id: duplicate feed id 'alaraby' (lines 2 and 5)",
    ]
    assert "2 errors" in result.stderr


def test_rasd_check_passes_a_good_file_and_warns_about_missing_env_without_values(tmp_path):
    write(tmp_path, GOOD)
    secret_url = "https://hooks.slack.com/services/T1/B1/VERYSECRET"
    env = {"OPS_SLACK_URL": secret_url, "OPS_HOOK_URL": "", "OPS_HOOK_SECRET": "not-a-whsec-value"}
    result = rasd("check", "--config", "feeds.yaml", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "feeds.yaml:21: destinations.ops-hook.url_env: warning: destination 'ops-hook': environment variable "
        "OPS_HOOK_URL is not set; it cannot deliver",
        "feeds.yaml:22: destinations.ops-hook.secret_env: warning: destination 'ops-hook': environment "
        "variable OPS_HOOK_SECRET does not hold a Standard Webhooks secret (it must start with 'whsec_')",
        "feeds.yaml: OK: 2 feeds, 2 destinations",
    ]
    assert "VERYSECRET" not in result.stdout + result.stderr
    assert "not-a-whsec-value" not in result.stdout + result.stderr
    strict = rasd("check", "--config", "feeds.yaml", "--strict-env", cwd=tmp_path, env=env)
    assert strict.returncode == 1


def test_shipped_feeds_yaml_passes_rasd_check():
    result = rasd("check", "--config", "feeds.yaml", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^feeds\.yaml: OK: \d+ feeds, 0 destinations \(alerts go to the console and var/alerts\.jsonl\)$", result.stdout, re.M)


def test_shipped_feeds_are_real_arabic_outlets_and_honest_about_verification():
    config = load_config(REPO / "feeds.yaml")
    assert 10 <= len(config.feeds) <= 20
    assert config.settings.allow_private_networks is False
    assert all(120 <= f.interval <= 600 for f in config.feeds)
    assert all(f.name and re.search(r"[\u0600-\u06FF]|DW", f.name) for f in config.feeds)
    covered = {t for f in config.feeds for t in f.tags}
    assert {"syria", "gaza", "lebanon", "iraq", "yemen", "sudan"} <= covered
    text = (REPO / "feeds.yaml").read_text(encoding="utf-8")
    # each feed's URL is preceded by its own `# unverified:` note (none could be fetched from here)
    for feed in config.feeds:
        url_line = config.line_of(f"feeds.{feed.id}.url")
        block = text.splitlines()[config.line_of(f"feeds.{feed.id}") - 1: url_line]
        assert any("# unverified:" in line for line in block), feed.id
    # the example destinations are there, commented out
    for kind in ("slack", "webhook", "apprise"):
        assert re.search(rf"^#\s+type: {kind}\b", text, re.M), kind


# -- the environment -----------------------------------------------------------------------------


def test_check_environment_names_destination_and_variable_never_the_value(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    good_secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    env = {"OPS_SLACK_URL": "https://hooks.slack.com/services/T/B/SECRETPART", "OPS_HOOK_URL": "https://x.org/h",
           "OPS_HOOK_SECRET": good_secret}
    assert check_environment(config, env) == []

    issues = check_environment(config, {"OPS_SLACK_URL": "not a url SECRETPART", "OPS_HOOK_URL": "https://x/",
                                        "OPS_HOOK_SECRET": "whsec_!!notbase64SECRETPART"})
    assert [(i.line, i.key) for i in issues] == [(17, "destinations.ops-slack.url_env"),
                                                 (22, "destinations.ops-hook.secret_env")]
    assert "OPS_SLACK_URL does not hold an http(s) URL" in issues[0].message
    assert "is not base64" in issues[1].message
    assert not any("SECRETPART" in str(i) for i in issues)

    missing = check_environment(config, {})
    assert [str(i).replace(str(tmp_path / "feeds.yaml"), "feeds.yaml") for i in missing] == [
        "feeds.yaml:17: destinations.ops-slack.url_env: destination 'ops-slack': environment variable "
        "OPS_SLACK_URL is not set; it cannot deliver",
        "feeds.yaml:21: destinations.ops-hook.url_env: destination 'ops-hook': environment variable "
        "OPS_HOOK_URL is not set; it cannot deliver",
        "feeds.yaml:22: destinations.ops-hook.secret_env: destination 'ops-hook': environment variable "
        "OPS_HOOK_SECRET is not set; it cannot sign",
    ]


# -- the watcher ---------------------------------------------------------------------------------


def rewrite(path: Path, text: str) -> None:
    """Replace the file the way an editor does, so the size or mtime changes."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(textwrap.dedent(text), encoding="utf-8")
    os.replace(tmp, path)


ONE_FEED = "feeds:\n  - id: alaraby\n    url: https://example.org/rss\n    interval: 2m\n"
TWO_FEEDS = ONE_FEED + "  - id: enab\n    url: https://example.org/enab\n    interval: 5m\n"


def test_watcher_keeps_last_good_config_on_a_bad_edit_and_picks_up_a_good_one(tmp_path, caplog):
    path = write(tmp_path, ONE_FEED)
    watcher = ConfigWatcher(path)
    first = watcher.current()
    assert [f.id for f in first.feeds] == ["alaraby"]
    version = watcher.version

    caplog.set_level(logging.INFO, logger="rasd.config")
    rewrite(path, ONE_FEED.replace("interval: 2m", "interval: 2") + "  - id: enab\n    url: ftp://x\n")
    assert watcher.current() is first
    assert watcher.version == version
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "keeping the last good configuration" in message
    assert f"{path}:4: feeds.alaraby.interval: interval must be between 30s and 24h" in message
    assert f"{path}:6: feeds.enab.url:" in message

    # asked again every tick: the same bad version is not reported again
    for _ in range(3):
        assert watcher.current() is first
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1

    # undone, then made again: said again (a new episode), still keeping the good one
    rewrite(path, ONE_FEED)
    assert watcher.current() is first
    rewrite(path, ONE_FEED.replace("interval: 2m", "interval: 2") + "  - id: enab\n    url: ftp://x\n")
    assert watcher.current() is first
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2

    rewrite(path, TWO_FEEDS)
    fixed = watcher.current()
    assert [f.id for f in fixed.feeds] == ["alaraby", "enab"]
    assert watcher.version != version
    assert any(r.levelno == logging.INFO and "reloaded: 2 feeds" in r.getMessage() for r in caplog.records)


def test_watcher_costs_a_stat_when_nothing_changed(tmp_path, monkeypatch):
    path = write(tmp_path, ONE_FEED)
    watcher = ConfigWatcher(path, rehash_every=3600)
    parses = []
    real = config_module.parse_config
    monkeypatch.setattr(config_module, "parse_config", lambda *a, **k: parses.append(1) or real(*a, **k))
    for _ in range(50):
        watcher.current()
    assert parses == []
    rewrite(path, TWO_FEEDS)
    assert len(watcher.current().feeds) == 2
    assert parses == [1]


def test_watcher_rereads_when_only_the_content_changed(tmp_path):
    """An edit that keeps size and mtime (coarse clocks, restored mtimes) is caught by the periodic hash."""
    path = write(tmp_path, ONE_FEED)
    stat = path.stat()
    watcher = ConfigWatcher(path, rehash_every=0)
    path.write_text(ONE_FEED.replace("2m", "3m"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert watcher.current().feeds[0].interval == 180.0


def test_watcher_keeps_config_when_the_file_disappears(tmp_path, caplog):
    path = write(tmp_path, ONE_FEED)
    watcher = ConfigWatcher(path)
    first = watcher.current()
    caplog.set_level(logging.WARNING, logger="rasd.config")
    path.unlink()
    assert watcher.current() is first and watcher.current() is first
    assert len(caplog.records) == 1 and "cannot be read" in caplog.records[0].getMessage()
    write(tmp_path, TWO_FEEDS)
    assert len(watcher.current().feeds) == 2


def test_watcher_refuses_an_invalid_first_load(tmp_path):
    path = write(tmp_path, "feeds:\n  - id: x\n")
    with pytest.raises(ConfigError) as info:
        ConfigWatcher(path)
    assert str(info.value.errors[0]).endswith(":2: feeds.x.url: required key is missing")


def test_sections_left_empty_mean_defaults():
    config = parse_config(ONE_FEED + "settings:\ndestinations:\n#  - name: ops\n#    type: slack\n")
    assert config.destinations == [] and config.settings.tick == 10.0


def test_parse_config_from_text_names_its_source():
    with pytest.raises(ConfigError) as info:
        parse_config("feeds: 3\n", "inline.yaml")
    assert str(info.value) == "inline.yaml:1: feeds: must be a list, such as [a, b]"
