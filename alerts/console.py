"""The destination of last resort: the console and a local JSON-lines file.

With no destination configured, a first run still shows its alerts: each created or updated
alert is printed readably and appended, as its webhook body, to `settings.alerts_file`. Several
worker processes may append at once, so each line goes out in one write under an exclusive
`fcntl` lock on an O_APPEND descriptor: lines never interleave or tear.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from alerts.model import Alert
from alerts.render.text import marked_evidence, plain_text
from alerts.render.webhook import webhook_body
from worker.config import Settings

_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def append_jsonl(path: str | os.PathLike[str], record: dict) -> None:
    """Append `record` as one JSON line, atomically with respect to other processes doing the same."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _render(alert: Alert, change: str, tty: bool) -> str:
    title, body = plain_text(alert, change)
    if tty and alert.event.evidence.strip():
        # On a terminal, the matched words in bold rather than «guillemets».
        body = body.replace(marked_evidence(alert), marked_evidence(alert, open_=_BOLD, close=_RESET), 1)
        title = f"{_BOLD}{title}{_RESET}"
    rule = "─" * 72
    return f"{rule}\n{title}\n{body}\n"


def emit_console(alert: Alert, change: str, *, settings: Settings, stream: TextIO = sys.stdout) -> None:
    """Print `alert` for a human and append its webhook body to `settings.alerts_file`."""
    if change not in ("created", "updated", "test"):
        raise ValueError(f"unknown change {change!r}: expected created, updated or test")
    body = webhook_body(alert, msg_type=f"alert.{change}")
    try:
        append_jsonl(settings.alerts_file, body)
    except OSError as exc:
        # Still show the alert, then fail loudly so the caller retries the file write.
        stream.write(_render(alert, change, False))
        stream.flush()
        raise OSError(f"could not append the alert to {settings.alerts_file}: {exc.strerror or exc}") from exc
    tty = bool(getattr(stream, "isatty", lambda: False)())
    stream.write(_render(alert, change, tty))
    stream.flush()
