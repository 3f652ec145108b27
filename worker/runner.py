"""The processes of the service: `rasd run` supervises them; `rasd worker|beat|flower` are each one.

`rasd run` is what an ops person types on a laptop in a crisis: it checks feeds.yaml, finds or
starts a Redis, starts a Celery worker on every queue, the scheduler and Flower as child
processes, says where to look, and on Ctrl-C stops them all (worker first given time to finish
its tasks, then killed), the embedded Redis last. Each child runs in its own process group so a
terminal's Ctrl-C reaches only this supervisor, which then stops them in order; each also gets
SIGTERM from the kernel if the supervisor itself dies, so nothing is left behind.

The Procfile runs the same three processes separately (`rasd worker`, `rasd beat`, `rasd flower`)
for deployments that scale them on their own.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import fcntl
import ipaddress
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from worker import redis_conn
from worker.config import (
    Config,
    ConfigError,
    as_warning,
    check_environment,
    default_path,
    load_config,
    summary,
)

DEFAULT_QUEUES = ("feeds", "articles", "detect", "alerts")  # worker.celery_app.QUEUES, without importing Celery
FLOWER_PORT = 5555
FLOWER_ADDRESS = "127.0.0.1"
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def say(message: str) -> None:
    """A line for the operator; a closed terminal or pipe must not derail a clean stop."""
    with contextlib.suppress(OSError):
        print(f"rasd: {message}", flush=True)


# -- rasd worker / beat / flower ----------------------------------------------------------------


def celery_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "worker.celery_app", *args]


def worker_command(argv: list[str]) -> int:
    """`rasd worker`: become a Celery worker (exec, so signals reach Celery directly)."""
    parser = argparse.ArgumentParser(prog="rasd worker", description="Run a Celery worker for rasd.")
    parser.add_argument("--queues", default=",".join(DEFAULT_QUEUES),
                        help="comma-separated queues to consume (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=None, help="worker processes (default: CPUs)")
    # The pid keeps node names unique when several workers run on one host (replies to pings
    # and control commands are addressed by name); exec keeps the pid.
    parser.add_argument("--hostname", default=f"rasd-{os.getpid()}@%h", help="Celery node name (default: rasd-PID@%%h)")
    parser.add_argument("--loglevel", default="INFO")
    parser.add_argument("--pool", default=None, help="Celery pool (default: prefork)")
    args = parser.parse_args(argv)
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(queues) - set(DEFAULT_QUEUES))
    if not queues or unknown:
        print(f"rasd worker: unknown queue(s) {', '.join(unknown) or '(none given)'}; "
              f"known: {', '.join(DEFAULT_QUEUES)}", file=sys.stderr)
        return 2
    if args.concurrency is not None and args.concurrency < 1:
        print("rasd worker: --concurrency must be at least 1", file=sys.stderr)
        return 2
    die_with_supervisor()
    cmd = celery_argv("worker", "--queues", ",".join(queues), "--hostname", args.hostname,
                      "--loglevel", args.loglevel, "--without-mingle")
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    if args.pool:
        cmd += ["--pool", args.pool]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, cmd)
    return 1  # not reached


def beat_command(argv: list[str]) -> int:
    """`rasd beat`: the scheduler loop (one acts at a time; others stand by)."""
    parser = argparse.ArgumentParser(prog="rasd beat", description="Run the rasd scheduler.")
    parser.add_argument("--config", default=default_path(), help="feeds.yaml (default: %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s: %(levelname)s/beat] %(name)s: %(message)s")
    try:
        load_config(args.config)
    except ConfigError as exc:
        for issue in exc.errors:
            print(issue, file=sys.stderr)
        return 1
    os.environ.setdefault("RASD_CONFIG", args.config)
    die_with_supervisor()
    from worker.scheduler import run_forever  # the scheduler pulls in Redis and Celery: only here

    return int(run_forever(args.config) or 0)


def is_loopback(address: str) -> bool:
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def basic_auth_problem(value: str | None) -> str | None:
    """Why FLOWER_BASIC_AUTH cannot protect Flower, or None. Never quotes the value.

    Flower splits the variable at every comma (several user:password pairs) and compares each
    part with the whole "user:password" a browser sends, which it splits at the first colon. So a
    colon in a password works, a colon in a user name cannot, and a comma in a password would
    silently turn it into two weaker credentials: the part after the comma must fail here.
    """
    if not value:
        return "FLOWER_BASIC_AUTH is not set"
    parts = value.split(",")
    for pair in parts:
        user, sep, password = pair.partition(":")
        if len(parts) > 1 and pair and not sep:
            return ("FLOWER_BASIC_AUTH has a part without a colon: Flower splits the value at commas "
                    "(user:password,user2:password2), so a password cannot contain a comma")
        if not sep or not user or not password:
            return "FLOWER_BASIC_AUTH must be user:password (several separated by commas)"
        if user != user.strip():
            return ("FLOWER_BASIC_AUTH: a user name starts or ends with a space; "
                    "write user:password,user2:password2 with no spaces around the commas")
    return None


def flower_command(argv: list[str]) -> int:
    """`rasd flower`: Flower on 127.0.0.1; bound anywhere else it requires basic auth."""
    parser = argparse.ArgumentParser(
        prog="rasd flower",
        description="Run Flower (Celery monitor). Basic auth comes from FLOWER_BASIC_AUTH=user:password, "
                    "never from the command line, where `ps` would show it.")
    parser.add_argument("--address", default=FLOWER_ADDRESS, help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=FLOWER_PORT, help="port (default: %(default)s)")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        print(f"rasd flower: bad port {args.port}", file=sys.stderr)
        return 2
    auth = os.environ.get("FLOWER_BASIC_AUTH")
    problem = basic_auth_problem(auth)
    if auth and problem:
        print(f"rasd flower: {problem}; refusing to start", file=sys.stderr)
        return 2
    if not is_loopback(args.address) and problem:
        print(f"rasd flower: refusing to bind {args.address or 'all interfaces'} without authentication: "
              f"{problem}. Set FLOWER_BASIC_AUTH=user:password in the environment, or bind 127.0.0.1.",
              file=sys.stderr)
        return 2
    die_with_supervisor()
    cmd = celery_argv("flower", f"--address={args.address}", f"--port={args.port}")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, cmd)  # Flower reads FLOWER_BASIC_AUTH from the environment itself
    return 1  # not reached


# -- rasd run: the supervisor --------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
PARENT_ENV = "RASD_SUPERVISOR_PID"


def die_with_supervisor() -> None:
    """In a process `rasd run` started: get SIGTERM from the kernel if the supervisor dies (Linux).

    Set by the child itself (not a preexec_fn, which is unsafe once the parent has threads);
    survives the exec into Celery. If the supervisor is already gone, leave at once.
    """
    parent = os.environ.pop(PARENT_ENV, None)
    if not parent or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if str(os.getppid()) != parent:
        os._exit(0)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    expected_exit: bool = False

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        # Its own process group: a terminal's Ctrl-C reaches only the supervisor, which stops
        # the children in order; and the group lets it kill a child with all its pool processes.
        env = {**self.env, PARENT_ENV: str(os.getpid())}
        self.process = subprocess.Popen(self.argv, env=env, stdin=subprocess.DEVNULL, process_group=0)

    def exited(self) -> int | None:
        return self.process.poll() if self.process else 0

    def group_alive(self) -> bool:
        """Any process left in the child's group (the child itself or e.g. Celery pool processes)."""
        if self.process is None:
            return False
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def signal(self, sig: int, group: bool = False) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(self.pid, sig)
            elif self.process.poll() is None:
                self.process.send_signal(sig)


@dataclass
class Supervisor:
    children: list[Child] = field(default_factory=list)
    stop_timeout: float = 20.0
    stop_requested: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    signals_seen: int = 0
    extra_pids: set[int] = field(default_factory=set)  # other children of ours (the embedded Redis)

    def on_signal(self, signum: int, frame: object) -> None:
        if signum != signal.SIGCHLD:
            self.signals_seen += 1
            if self.signals_seen > 1 and self.stop_requested.is_set():
                self.kill_all()  # a second Ctrl-C: stop waiting
            self.stop_requested.set()
        self.wake.set()

    def start(self, child: Child) -> None:
        child.start()
        self.children.append(child)

    def dead(self) -> Child | None:
        self.reap(self.extra_pids)
        return next((c for c in self.children if c.exited() is not None and not c.expected_exit), None)

    def stop_all(self) -> bool:
        """TERM each child (warm shutdown), wait up to stop_timeout, then KILL whole groups.

        Returns whether everything stopped within the deadline.
        """
        for child in reversed(self.children):
            child.expected_exit = True
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        clean = self._wait_groups(deadline)
        if not clean:
            left = [c.name for c in self.children if c.group_alive()]
            say(f"{', '.join(left)} did not stop within {self.stop_timeout:g} s; killing")
        self.kill_all()
        self._wait_groups(time.monotonic() + 5)
        return clean

    def kill_all(self) -> None:
        for child in self.children:
            child.expected_exit = True
            child.exited()
            if child.group_alive():
                child.signal(signal.SIGKILL, group=True)

    def reap(self, also: set[int] = frozenset()) -> None:
        """Reap our children, and orphans handed to us when we run as PID 1 (a container's init)."""
        own = {c.pid for c in self.children if c.process} | set(also)
        for child in self.children:
            child.exited()
        while True:
            try:  # peek without reaping: a Popen we own must collect its own status
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid in own:
                return
            with contextlib.suppress(ChildProcessError):
                os.waitpid(info.si_pid, 0)

    def _wait_groups(self, deadline: float) -> bool:
        while True:
            self.reap(self.extra_pids)  # so exited group members stop counting as alive
            if not any(c.group_alive() for c in self.children):
                return True
            if time.monotonic() >= deadline:
                return False
            self.wake.wait(0.05)
            self.wake.clear()


@contextlib.contextmanager
def run_lock(var: Path) -> Iterator[bool]:
    """One `rasd run` per ./var: two would share (and corrupt) the embedded Redis data."""
    var.mkdir(parents=True, exist_ok=True)
    fd = os.open(var / "run.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            yield False
            return
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield True
    finally:
        os.close(fd)


_LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy for our own Flower


def http_answers(url: str, timeout: float = 0.5) -> bool:
    try:
        with _LOCAL_OPENER.open(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True  # it answered (e.g. 401 with auth on)
    except (OSError, ValueError):
        return False


def wait_until(condition: Callable[[], bool], deadline: float, sup: Supervisor, pause: float = 0.1) -> str:
    """'ok', 'stopped' (signal), 'died' (a child exited) or 'timeout'."""
    while True:
        if sup.stop_requested.is_set():
            return "stopped"
        if sup.dead():
            return "died"
        if condition():
            return "ok"
        if time.monotonic() >= deadline:
            return "timeout"
        sup.wake.wait(pause)
        sup.wake.clear()


def _worker_pinger(nodename: str) -> Callable[[], bool]:
    from worker.celery_app import app  # REDIS_URL is set in this process by now

    def ping() -> bool:
        try:
            return any(nodename in reply for reply in app.control.ping(destination=[nodename], timeout=0.25))
        except Exception:  # broker not reachable yet, or a transient error: ask again
            return False

    return ping


def child_env(redis_url: str, config_path: Path, *, flower: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(REDIS_URL=redis_url, RASD_CONFIG=str(config_path), PYTHONUNBUFFERED="1")
    if not flower:  # only Flower needs its credentials
        for name in [n for n in env if n.startswith("FLOWER_")]:
            del env[name]
    return env


def run_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rasd run", description="Run the whole service in the foreground.")
    parser.add_argument("--config", default=default_path(), help="feeds.yaml (default: %(default)s)")
    parser.add_argument("--flower-port", type=int, default=FLOWER_PORT, help="Flower's port (default: %(default)s)")
    parser.add_argument("--flower-address", default=None,
                        help=f"Flower's address (default: {FLOWER_ADDRESS}; any other needs FLOWER_BASIC_AUTH)")
    parser.add_argument("--no-flower", action="store_true", help="do not start Flower")
    parser.add_argument("--no-beat", action="store_true", help="do not start the scheduler")
    parser.add_argument("--concurrency", type=int, default=None, help="worker processes (default: CPUs)")
    parser.add_argument("--var", default="var", help="state directory (default: %(default)s)")
    parser.add_argument("--ready-timeout", type=float, default=90.0, help="seconds to wait for ready")
    parser.add_argument("--stop-timeout", type=float, default=20.0,
                        help="seconds the worker gets to finish its tasks on stop before it is killed")
    args = parser.parse_args(argv)
    started = time.monotonic()

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        for issue in exc.errors:
            print(issue, flush=True)
        say(f"{args.config} has errors; not starting")
        return 1
    for issue in check_environment(config):
        print(as_warning(issue), flush=True)
    config_path = Path(args.config).resolve()
    var = Path(args.var)
    auth = os.environ.get("FLOWER_BASIC_AUTH")
    if not args.no_flower and auth and basic_auth_problem(auth):  # set but unusable: say so before starting
        say(f"{basic_auth_problem(auth)}; not starting")
        return 1
    if not args.no_flower and args.flower_address is not None and not is_loopback(args.flower_address):
        problem = basic_auth_problem(auth)
        if problem:
            say(f"Flower on {args.flower_address or 'all interfaces'} needs basic auth: {problem}; not starting")
            return 1

    with run_lock(var) as locked:
        if not locked:
            holder = (var / "run.lock").read_text().strip() or "?"
            say(f"another `rasd run` (pid {holder}) is using {var}/; stop it first")
            return 1
        return _supervise(args, config, config_path, var, started)


def _supervise(args: argparse.Namespace, config: Config, config_path: Path, var: Path, started: float) -> int:
    sup = Supervisor(stop_timeout=args.stop_timeout)
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD)
    previous = {s: signal.signal(s, sup.on_signal) for s in handled}
    embedded = None
    pids_file = var / "run.pids"
    try:
        try:
            url, embedded, which = redis_conn.resolve_for_run(var)
        except (RuntimeError, OSError) as exc:
            say(f"no Redis: {exc}")
            return 1
        if embedded is not None and embedded.process is not None:
            sup.extra_pids.add(embedded.process.pid)
        if embedded is None and not redis_conn.local_redis_answers(url, timeout=3.0):
            say(f"Redis at {redis_conn.redact_url(url)} ({which}) does not answer; not starting")
            return 1
        os.environ["REDIS_URL"] = url  # for the ping below; children get it explicitly
        nodename = f"rasd-{os.getpid()}@{socket.gethostname()}"
        plan, scheduler = _plan(args, url, config_path, nodename)
        flower_url = f"http://{_url_host(args.flower_address or FLOWER_ADDRESS)}:{args.flower_port}/"
        _announce(args, config, url, which, flower_url)

        def start(children: list[Child]) -> None:
            for child in children:
                if not sup.stop_requested.is_set():
                    sup.start(child)
            pids = {"runner": os.getpid(), **{c.name: c.pid for c in sup.children},
                    "redis": embedded.process.pid if embedded and embedded.process else None}
            pids_file.write_text(json.dumps(pids) + "\n")
            if children:
                say("started " + ", ".join(f"{c.name} (pid {c.pid})" for c in children if c.process)
                    + f"; pids in {pids_file}")

        start(plan)
        deadline = started + args.ready_timeout
        ping = _worker_pinger(nodename)
        outcome = wait_until(ping, deadline, sup)
        if outcome == "ok" and not args.no_flower:
            outcome = wait_until(lambda: http_answers(flower_url + "healthcheck"), deadline, sup)
        if outcome == "ok" and scheduler:
            start([scheduler])
        if outcome == "ok":
            say(f"ready in {time.monotonic() - started:.1f} s; Ctrl-C stops everything")
            outcome = wait_until(lambda: False, float("inf"), sup, pause=1.0)
        if outcome == "timeout":
            say(f"not ready after {args.ready_timeout:g} s; stopping")
        died = sup.dead()
        if died:
            say(f"the {died.name} (pid {died.pid}) exited unexpectedly with status {died.exited()}; "
                "stopping the rest (see its output above)")
        else:
            say("stopping")
        clean = sup.stop_all()
        killed = "" if clean else " (some parts had to be killed)"
        if outcome == "stopped" and not died:
            say(f"stopped{killed}")
            return 0
        say(f"stopped the rest{killed}; exiting with status 1")
        return 1
    finally:
        sup.kill_all()  # nothing outlives us, whatever happened above
        if embedded is not None:
            embedded.stop()
            say("embedded Redis stopped")
        with contextlib.suppress(OSError):
            pids_file.unlink()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _plan(args: argparse.Namespace, url: str, config_path: Path, nodename: str) -> tuple[list[Child], Child | None]:
    """The children to start at once, and the scheduler, started once the worker answers."""
    me = [sys.executable, "-m", "worker.cli"]
    worker_argv = [*me, "worker", "--queues", ",".join(DEFAULT_QUEUES), "--hostname", nodename]
    if args.concurrency:
        worker_argv += ["--concurrency", str(args.concurrency)]
    plan = [Child("worker", worker_argv, child_env(url, config_path, flower=False))]
    if not args.no_flower:
        # No --address unless asked: `rasd flower`'s own default (loopback) applies, as in the Procfile.
        address = [] if args.flower_address is None else ["--address", args.flower_address]
        plan.append(Child("flower", [*me, "flower", *address, "--port", str(args.flower_port)],
                          child_env(url, config_path, flower=True)))
    # The scheduler starts once a worker consumes and Flower watches, so the first polls
    # neither wait in the queue nor go unseen in Flower.
    scheduler = None if args.no_beat else Child(
        "scheduler", [*me, "beat", "--config", str(config_path)], child_env(url, config_path, flower=False))
    return plan, scheduler


def _announce(args: argparse.Namespace, config: Config, url: str, which: str, flower_url: str) -> None:
    """Where to look: the config, the Redis (never its password), Flower, the alerts."""
    say(f"config: {args.config} ({summary(config)})")
    say(f"redis: {redis_conn.redact_url(url)} ({which})")
    if not args.no_flower:
        auth = " (basic auth from FLOWER_BASIC_AUTH)" if os.environ.get("FLOWER_BASIC_AUTH") else ""
        say(f"flower: {flower_url}{auth}")
    if config.destinations:
        say(f"alerts: to {', '.join(d.name for d in config.destinations)}")
    else:
        say(f"alerts: the console and {config.settings.alerts_file}")


def _url_host(address: str) -> str:
    if address in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{address}]" if ":" in address else address


def command(name: str, argv: list[str]) -> int:
    handlers = {"run": run_command, "worker": worker_command, "beat": beat_command, "flower": flower_command}
    return handlers[name](argv)
