"""Shared fixtures: a real Redis (local or embedded), a per-test key prefix, and a local HTTP server."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from worker import redis_conn

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file in ../shared, or a clean skip when the checkout has no shared/ beside it."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is not here (../shared absent)")
    return p


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """The local Redis when it answers (and RASD_TEST_REDIS is not 'embedded'), else an embedded one."""
    if os.environ.get("RASD_TEST_REDIS") != "embedded" and redis_conn.local_redis_answers():
        yield redis_conn.LOCAL_URL
        return
    server = redis_conn.EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def rasd_env(redis_url, monkeypatch) -> Iterator[redis.Redis]:
    """Point rasd at the test Redis under a fresh key prefix; delete every key it made afterwards."""
    prefix = f"rasd-test-{uuid.uuid4().hex[:12]}:"
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("RASD_PREFIX", prefix)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    for k in client.scan_iter(match=prefix + "*", count=1000):
        client.delete(k)
    client.close()


# -- a real HTTP server on 127.0.0.1 ------------------------------------------------------------


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["Request"], Response]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """Clients that hang up mid-response (size caps, timeouts) are expected here."""


class LocalServer:
    """Routes paths to fixed responses or handlers, and records every request it gets."""

    def __init__(self) -> None:
        self.routes: dict[str, Response | Handler] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                              self.rfile.read(length) if length else b"")
                with server.lock:
                    server.requests.append(req)
                    route = server.routes.get(self.path.split("?")[0]) or server.routes.get(self.path)
                resp = route(req) if callable(route) else route
                if resp is None:
                    resp = Response(404, b"not found")
                self.send_response(resp.status)
                headers = {"Content-Length": str(len(resp.body)), **resp.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    try:
                        self.wfile.write(resp.body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            do_GET = do_POST = do_HEAD = do_PUT = _serve

        self.httpd = _QuietServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        # A short poll interval keeps shutdown (once per test) fast.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str | Handler = b"", status: int = 200, **headers: str) -> str:
        if callable(body):
            self.routes[path] = body
        else:
            data = body.encode("utf-8") if isinstance(body, str) else body
            hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
            self.routes[path] = Response(status, data, hdrs)
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.thread.start()
    yield server
    server.close()
