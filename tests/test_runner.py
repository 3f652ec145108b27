"""`rasd run` as ops run it: real child processes, a real Redis, Flower over HTTP, Ctrl-C, no leftovers."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from worker.runner import basic_auth_problem, is_loopback

EMPTY_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>اختبار</title><link>http://127.0.0.1/</link>
<description>feed for the runner test</description></channel></rss>
"""


def wait_for(condition: Callable[[], object], timeout: float, what: str, pause: float = 0.05):
    """Poll `condition` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(pause)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgid) of a live process, from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def leftovers(runner_pid: int, groups: set[int]) -> list[int]:
    """Processes still in one of the children's process groups, or still children of the runner."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat and (stat[2] in groups or stat[1] == runner_pid):
                found.append(int(entry))
    return found


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = proc_stat(pid)
    return stat is not None and stat[0] != "Z"


def http_get(url: str, auth: str | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


class Run:
    """A `rasd run` subprocess with its output in a file (so a full pipe never blocks its children)."""

    def __init__(self, cwd: Path, args: list[str], env: dict[str, str]):
        self.cwd = cwd
        self.log = cwd / f"run-{uuid.uuid4().hex[:6]}.out"
        self._out = self.log.open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "worker.cli", "run", *args], cwd=cwd, env=env,
                                        stdout=self._out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> float:
        def ready() -> str | None:
            if self.process.poll() is not None:
                pytest.fail(f"rasd run exited with {self.process.returncode}:\n{self.output[-4000:]}")
            m = re.search(r"^rasd: ready in (\d+\.\d) s", self.output, re.M)
            return m and m.group(1)

        return float(wait_for(ready, timeout, "rasd run to be ready"))

    def pids(self) -> dict[str, int | None]:
        return json.loads((self.cwd / "var" / "run.pids").read_text())

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60.0) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self._out.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._out.close()


@contextmanager
def rasd_run(cwd: Path, *args: str, env: dict[str, str]) -> Iterator[Run]:
    run = Run(cwd, list(args), env)
    try:
        yield run
    finally:
        if run.process.poll() is None:  # a failed test: stop it anyway, then kill what is left
            try:
                run.stop(timeout=30)
            except subprocess.TimeoutExpired:
                run.kill()
        pids = (cwd / "var" / "run.pids")
        if pids.exists():
            for pid in json.loads(pids.read_text()).values():
                if pid and pid_alive(pid):
                    os.killpg(pid, signal.SIGKILL)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWER_", "RASD_CONFIG"))}
    env.update(extra)
    return env


def tiny_config(tmp_path: Path, feed_url: str) -> None:
    (tmp_path / "feeds.yaml").write_text(
        "settings:\n  allow_private_networks: true\n  tick: 1s\n"
        f"feeds:\n  - id: local\n    url: {feed_url}\n    interval: 30s\n",
        encoding="utf-8",
    )


# -- the whole service ---------------------------------------------------------------------------


def test_rasd_run_starts_worker_scheduler_and_flower_and_ctrl_c_stops_everything(rasd_env, http_server,
                                                                                 tmp_path):
    feed_url = http_server.add("/rss", EMPTY_RSS, Content_Type="application/rss+xml; charset=utf-8")
    tiny_config(tmp_path, feed_url)
    port = free_port()
    password = uuid.uuid4().hex
    auth = f"ops:{password}"
    env = base_env(FLOWER_BASIC_AUTH=auth)

    with rasd_run(tmp_path, "--config", "feeds.yaml", "--flower-port", str(port), "--concurrency", "1",
                  env=env) as run:
        seconds = run.wait_ready()
        assert 0 < seconds < 60
        out = run.output
        assert f"rasd: flower: http://127.0.0.1:{port}/ (basic auth from FLOWER_BASIC_AUTH)" in out
        assert "rasd: alerts: the console and var/alerts.jsonl" in out
        assert "rasd: config: feeds.yaml (1 feed, 0 destinations)" in out
        pids = run.pids()
        assert pids["runner"] == run.process.pid
        children = {name: pid for name, pid in pids.items() if name in ("worker", "scheduler", "flower")}
        assert len(children) == 3 and all(pid_alive(p) for p in children.values())
        # the credentials reach Flower through its environment, never a command line `ps` shows
        for pid in children.values():
            assert password not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert "FLOWER_BASIC_AUTH" not in Path(f"/proc/{children['worker']}/environ").read_bytes().decode(
            errors="replace")

        # a second `rasd run` on the same ./var refuses instead of sharing it
        second = subprocess.run([sys.executable, "-m", "worker.cli", "run", "--config", "feeds.yaml"],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"another `rasd run` (pid {run.process.pid}) is using var/" in second.stdout

        # the scheduler enqueues the feed and the worker polls it
        wait_for(lambda: http_server.hits("/rss"), 30, "the worker to poll the local feed")

        # Flower: on loopback only (`rasd flower`'s default), auth required, workers and tasks in its API
        assert listening_addresses(port) == {"127.0.0.1"}
        base = f"http://127.0.0.1:{port}"
        assert http_get(f"{base}/api/workers")[0] == 401
        assert http_get(f"{base}/api/workers", auth="ops:wrong")[0] == 401
        node = f"rasd-{run.process.pid}@{socket.gethostname()}"

        def worker_listed() -> bool:
            status, body = http_get(f"{base}/api/workers?refresh=1", auth=auth)
            return status == 200 and node in json.loads(body or b"{}")

        wait_for(worker_listed, 30, "Flower to list the worker", pause=0.3)

        def poll_task_listed() -> list:
            status, body = http_get(f"{base}/api/tasks?taskname=rasd.feeds.poll", auth=auth)
            return status == 200 and [t for t in json.loads(body).values() if t.get("name") == "rasd.feeds.poll"]

        wait_for(poll_task_listed, 30, "Flower to list the poll task", pause=0.3)

        assert run.stop(signal.SIGINT) == 0
        out = run.output

    assert "rasd: stopped" in out
    assert password not in out
    for pid in children.values():
        assert not pid_alive(pid)
    assert leftovers(pids["runner"], set(children.values())) == []
    assert not (tmp_path / "var" / "run.pids").exists()


def test_a_child_dying_stops_the_rest_and_exits_non_zero(rasd_env, tmp_path):
    tiny_config(tmp_path, "http://127.0.0.1:9/rss")
    port = free_port()
    with rasd_run(tmp_path, "--config", "feeds.yaml", "--flower-port", str(port), "--no-beat",
                  "--concurrency", "1", env=base_env()) as run:
        run.wait_ready()
        pids = run.pids()
        os.kill(pids["flower"], signal.SIGKILL)
        assert run.process.wait(60) != 0
        out = run.output
    assert re.search(rf"^rasd: the flower \(pid {pids['flower']}\) exited unexpectedly with status -9; "
                     "stopping the rest", out, re.M)
    assert leftovers(pids["runner"], {pids["worker"], pids["flower"]}) == []
    assert not pid_alive(pids["worker"])


def test_ctrl_c_during_startup_stops_what_was_started(rasd_env, tmp_path):
    tiny_config(tmp_path, "http://127.0.0.1:9/rss")
    with rasd_run(tmp_path, "--config", "feeds.yaml", "--no-flower", "--concurrency", "1", env=base_env()) as run:
        wait_for(lambda: "rasd: started worker" in run.output, 60, "the worker to be started")
        pids = run.pids()
        assert run.stop(signal.SIGINT) == 0
        out = run.output
    assert "ready in" not in out and "rasd: stopped" in out
    assert "scheduler" not in pids  # it starts only once the worker answers
    assert leftovers(pids["runner"], {pids["worker"]}) == []


def test_children_stop_when_the_supervisor_itself_is_killed(rasd_env, tmp_path):
    tiny_config(tmp_path, "http://127.0.0.1:9/rss")
    with rasd_run(tmp_path, "--config", "feeds.yaml", "--no-flower", "--concurrency", "1", env=base_env()) as run:
        run.wait_ready()
        pids = run.pids()
        groups = {pids["worker"], pids["scheduler"]}
        os.kill(pids["runner"], signal.SIGKILL)
        run.process.wait(30)
        wait_for(lambda: not leftovers(pids["runner"], groups), 30, "the orphaned children to stop", pause=0.1)


def test_rasd_run_fails_fast_when_redis_does_not_answer(tmp_path):
    tiny_config(tmp_path, "http://127.0.0.1:9/rss")
    url = f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"
    result = subprocess.run([sys.executable, "-m", "worker.cli", "run", "--config", "feeds.yaml"], cwd=tmp_path,
                            env=base_env(REDIS_URL=url), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "rasd: Redis at redis://***@127.0.0.1:" in result.stdout and "does not answer" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr


def test_rasd_run_refuses_a_public_flower_without_auth(tmp_path):
    tiny_config(tmp_path, "http://127.0.0.1:9/rss")
    result = subprocess.run([sys.executable, "-m", "worker.cli", "run", "--config", "feeds.yaml",
                             "--flower-address", "0.0.0.0"], cwd=tmp_path, env=base_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert ("rasd: Flower on 0.0.0.0 needs basic auth: FLOWER_BASIC_AUTH is not set; not starting"
            in result.stdout)


def test_rasd_run_refuses_an_invalid_config_and_starts_nothing(tmp_path):
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - id: a\n    url: ftp://x\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "worker.cli", "run", "--config", "feeds.yaml"], cwd=tmp_path,
                            env=base_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "feeds.yaml:3: feeds.a.url: 'ftp://x' is not a feed URL: it must start with http:// or https://" in (
        result.stdout)
    assert "rasd: feeds.yaml has errors; not starting" in result.stdout
    assert not (tmp_path / "var").exists()


# -- the embedded Redis ----------------------------------------------------------------------------


def test_embedded_redis_under_var_keeps_data_across_restarts(tmp_path):
    tiny_config(tmp_path, "http://127.0.0.1:9/rss")
    env = base_env(RASD_NO_LOCAL_REDIS="1", RASD_PREFIX=f"rasd-test-{uuid.uuid4().hex[:8]}:")
    env.pop("REDIS_URL", None)
    args = ("--config", "feeds.yaml", "--no-beat", "--no-flower", "--concurrency", "1")

    def redis_url(out: str) -> str:
        m = re.search(r"^rasd: redis: (redis://127\.0\.0\.1:\d+/0) \(embedded Redis, data in var/redis\)$", out, re.M)
        assert m, out
        return m.group(1)

    with rasd_run(tmp_path, *args, env=env) as run:
        run.wait_ready()
        first = run.pids()
        url = redis_url(run.output)
        client = redis.Redis.from_url(url, decode_responses=True)
        client.set("rasd-test:kept", "محفوظ")
        client.close()
        assert run.stop() == 0
        assert "rasd: embedded Redis stopped" in run.output
    assert first["redis"] and not pid_alive(first["redis"])
    assert not pid_alive(first["worker"])
    assert (tmp_path / "var" / "redis").is_dir()

    with rasd_run(tmp_path, *args, env=env) as run:
        run.wait_ready()
        client = redis.Redis.from_url(redis_url(run.output), decode_responses=True)
        assert client.get("rasd-test:kept") == "محفوظ"
        client.close()
        second = run.pids()
        assert run.stop(signal.SIGTERM) == 0  # a service manager's stop works like Ctrl-C
    assert not pid_alive(second["redis"])


# -- Flower on its own (checklist 17) --------------------------------------------------------------


def rasd_flower(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "worker.cli", "flower", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def flower_answers(process: subprocess.Popen, port: int) -> bool:
    if process.poll() is not None:
        pytest.fail(f"rasd flower exited with {process.returncode}:\n{process.communicate()[0][-3000:]}")
    return http_get(f"http://127.0.0.1:{port}/healthcheck")[0] == 200


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening socket on `port`, from /proc/net/tcp (hex, little-endian IPv4)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, _, hexport = local.partition(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(socket.inet_ntoa(bytes.fromhex(addr)[::-1]) if len(addr) == 8 else addr)
    return found


def test_flower_refuses_a_public_address_without_basic_auth(tmp_path):
    result = rasd_flower("--address", "0.0.0.0", "--port", str(free_port()), env=base_env(), cwd=tmp_path)
    out, _ = result.communicate(timeout=30)
    assert result.returncode == 2
    assert "refusing to bind 0.0.0.0 without authentication: FLOWER_BASIC_AUTH is not set" in out

    bad = rasd_flower("--address", "0.0.0.0", env=base_env(FLOWER_BASIC_AUTH="onlyapassword-s3cr3t"),
                      cwd=tmp_path)
    out, _ = bad.communicate(timeout=30)
    assert bad.returncode == 2
    assert "FLOWER_BASIC_AUTH must be user:password" in out
    assert "s3cr3t" not in out


def test_flower_bound_elsewhere_requires_basic_auth(rasd_env, tmp_path):
    """Loopback by default is checked in the `rasd run` test above; here the public case."""
    port = free_port()
    auth = f"ops:{uuid.uuid4().hex}"
    public = rasd_flower("--address", "0.0.0.0", "--port", str(port), env=base_env(FLOWER_BASIC_AUTH=auth),
                         cwd=tmp_path)
    try:
        wait_for(lambda: flower_answers(public, port), 30, "Flower to answer")
        assert listening_addresses(port) == {"0.0.0.0"}
        assert http_get(f"http://127.0.0.1:{port}/workers")[0] == 401
        assert http_get(f"http://127.0.0.1:{port}/api/workers")[0] == 401
        assert http_get(f"http://127.0.0.1:{port}/workers", auth=auth)[0] == 200
    finally:
        public.terminate()
        out, _ = public.communicate(timeout=30)
    assert auth.split(":")[1] not in out


def test_address_and_credential_checks():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("") and not is_loopback("10.0.0.5")
    assert not is_loopback("flower.example.org")
    assert basic_auth_problem(None) == "FLOWER_BASIC_AUTH is not set"
    assert basic_auth_problem("ops:pw") is None and basic_auth_problem("a:b,c:d") is None
    for bad in ("ops", "ops:", ":pw", "a:b,"):
        assert basic_auth_problem(bad) == "FLOWER_BASIC_AUTH must be user:password (several separated by commas)"


def test_the_runner_knows_every_queue_of_the_celery_app():
    from worker.celery_app import QUEUES
    from worker.runner import DEFAULT_QUEUES

    assert tuple(DEFAULT_QUEUES) == tuple(QUEUES)


def test_rasd_worker_rejects_unknown_queues():
    result = subprocess.run([sys.executable, "-m", "worker.cli", "worker", "--queues", "feeds,bogus"],
                            env=base_env(), capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "unknown queue(s) bogus" in result.stderr


def test_a_colon_in_the_flower_password_works(rasd_env, tmp_path):
    """Flower splits the browser's credentials at the first colon only: the rest is the password."""
    port = free_port()
    password = f"pa:ss:{uuid.uuid4().hex}"
    flower = rasd_flower("--port", str(port), env=base_env(FLOWER_BASIC_AUTH=f"ops:{password}"), cwd=tmp_path)
    try:
        wait_for(lambda: flower_answers(flower, port), 30, "Flower to answer")
        assert http_get(f"http://127.0.0.1:{port}/api/workers", auth=f"ops:{password}")[0] == 200
        assert http_get(f"http://127.0.0.1:{port}/api/workers", auth="ops:pa")[0] == 401
        assert http_get(f"http://127.0.0.1:{port}/api/workers")[0] == 401
    finally:
        flower.terminate()
        out, _ = flower.communicate(timeout=30)
    assert password not in out


@pytest.mark.parametrize("value", ["ops:pa,ss-s3cr3t", "ops:s3cr3t, viewer:other"])
def test_a_flower_password_flower_would_split_is_refused_at_startup(tmp_path, value):
    """A comma in a password would become two weaker credentials in Flower: refuse before starting."""
    problem = basic_auth_problem(value)
    assert problem and problem.startswith("FLOWER_BASIC_AUTH") and "s3cr3t" not in problem
    tiny_config(tmp_path, "http://127.0.0.1:9/rss")
    result = subprocess.run([sys.executable, "-m", "worker.cli", "run", "--config", "feeds.yaml"], cwd=tmp_path,
                            env=base_env(FLOWER_BASIC_AUTH=value), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"rasd: {problem}; not starting" in result.stdout
    assert "started" not in result.stdout and "s3cr3t" not in result.stdout + result.stderr
    flower = rasd_flower("--port", str(free_port()), env=base_env(FLOWER_BASIC_AUTH=value), cwd=tmp_path)
    out, _ = flower.communicate(timeout=30)
    assert flower.returncode == 2 and problem in out and "s3cr3t" not in out


def test_flower_credential_rules():
    assert basic_auth_problem("ops:pa:ss") is None  # a colon in the password is fine
    assert "cannot contain a comma" in basic_auth_problem("ops:pa,ss")
    assert "no spaces around the commas" in basic_auth_problem("a:b, c:d")
