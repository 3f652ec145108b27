"""The console destination: a readable print, and whole JSON lines even from concurrent processes."""

from __future__ import annotations

import io
import json
import multiprocessing
from dataclasses import replace

import pytest
from alert_examples import alert_of, closure_event, rafah_event, source

from alerts.console import append_jsonl, emit_console
from alerts.render.webhook import validate_body
from worker.config import Settings


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_prints_readably_and_appends_the_webhook_body(tmp_path):
    path = tmp_path / "var" / "nested" / "alerts.jsonl"  # the directories do not exist yet
    settings = Settings(alerts_file=str(path))
    out = io.StringIO()
    emit_console(alert_of(closure_event()), "created", settings=settings, stream=out)
    printed = out.getvalue()
    assert "Crossing closed" in printed and "«وَأَغْلَقَتِ»" in printed and source(1).url in printed
    assert "\x1b[" not in printed  # no colour codes when not a terminal

    alert2 = alert_of(rafah_event(), [source(1), source(2)], id="01JQ3Z8K4M2V9X7T5R6P0N1B2D", version=2)
    emit_console(alert2, "updated", settings=settings, stream=out)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    bodies = [json.loads(line) for line in lines]
    for body in bodies:
        validate_body(body)
    assert [b["type"] for b in bodies] == ["alert.created", "alert.updated"]
    assert bodies[1]["data"]["version"] == 2
    assert "مَعْبَرَ نَصِيب" in lines[0]  # UTF-8, not \u escapes: greppable by ops


def test_a_terminal_gets_bold_marks(tmp_path):
    out = _Tty()
    emit_console(alert_of(closure_event()), "created", settings=Settings(alerts_file=str(tmp_path / "a.jsonl")),
                 stream=out)
    assert "\x1b[1mوَأَغْلَقَتِ\x1b[0m" in out.getvalue()


def test_unknown_change_is_refused_and_nothing_written(tmp_path):
    path = tmp_path / "a.jsonl"
    with pytest.raises(ValueError, match="change"):
        emit_console(alert_of(closure_event()), "deleted", settings=Settings(alerts_file=str(path)),
                     stream=io.StringIO())
    assert not path.exists()


def test_an_unwritable_file_still_shows_the_alert_and_says_why(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = io.StringIO()
    with pytest.raises(OSError, match="could not append the alert"):
        emit_console(alert_of(closure_event()), "created", settings=Settings(alerts_file=str(blocker / "a.jsonl")),
                     stream=out)
    assert "Crossing closed" in out.getvalue()


def _append_many(path: str, worker: int, count: int, start) -> None:
    start.wait(10)
    # Each line is far over PIPE_BUF (4 KiB), where unlocked appends from processes can tear.
    long_evidence = closure_event().evidence + " " + ("حاجز " * 4000)
    for i in range(count):
        alert = alert_of(replace(closure_event(), evidence=long_evidence), id=f"W{worker}N{i}")
        emit_console(alert, "created", settings=Settings(alerts_file=path), stream=io.StringIO())


def test_concurrent_processes_append_whole_lines(tmp_path):
    path = str(tmp_path / "alerts.jsonl")
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    workers, count = 4, 25
    procs = [ctx.Process(target=_append_many, args=(path, w, count, start)) for w in range(workers)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    assert lines[-1] == ""  # ends with a newline
    ids = [json.loads(line)["data"]["id"] for line in lines[:-1]]  # every line parses whole
    assert sorted(ids) == sorted(f"W{w}N{i}" for w in range(workers) for i in range(count))


def test_append_jsonl_writes_one_line_per_record(tmp_path):
    path = tmp_path / "x.jsonl"
    append_jsonl(path, {"a": "سطر\nجديد"})
    append_jsonl(path, {"b": 2})
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == [
        {"a": "سطر\nجديد"}, {"b": 2},
    ]
