"""The Procfile under honcho, the production way to run rasd: one process type per line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from test_e2e import CLOSURE_ARTICLE, read_alerts, rss, wait_for

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_honcho_runs_worker_beat_and_flower_from_the_procfile(rasd_env, http_server, tmp_path):
    http_server.add("/feed.xml", rss([("إغلاق معبر", http_server.url("/news/1"), "")]),
                    Content_Type="application/rss+xml")
    http_server.add("/news/1", CLOSURE_ARTICLE, Content_Type="text/html; charset=utf-8")
    alerts_file = tmp_path / "alerts.jsonl"
    config = tmp_path / "feeds.yaml"
    config.write_text(
        f"settings:\n  allow_private_networks: true\n  tick: 1s\n  alerts_file: {alerts_file}\n"
        f"feeds:\n  - id: local\n    url: {http_server.url('/feed.xml')}\n    interval: 30m\n",
        encoding="utf-8")
    port = free_port()
    env = {**os.environ, "RASD_CONFIG": str(config), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}
    log = tmp_path / "honcho.log"
    # honcho gives each process type PORT = base + 100 * index: flower is the third line.
    proc = subprocess.Popen([str(BIN / "honcho"), "-f", str(ROOT / "Procfile"), "-d", str(tmp_path),
                             "start", "-p", str(port - 200)],
                            env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        alerts = wait_for(lambda: [a for a in read_alerts(alerts_file)
                                   if a["data"]["event"]["type"] == "crossing_closure"], 90,
                          "an alert from the Procfile's processes", [proc])
        assert len(alerts) == 1

        def flower_answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/workers", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        assert wait_for(flower_answers, 60, "Flower on the Procfile's port", [proc])
    except AssertionError:
        print(log.read_text()[-8000:])
        raise
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
