"""`rasd`: one command, subcommands dispatched to the module that owns each job."""

from __future__ import annotations

import sys
from importlib import import_module

# subcommand -> (module, one-line help). Modules are imported only when their command runs,
# so `rasd detect` does not pay for Celery and `rasd check` does not pay for the detector.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("worker.runner", "run the whole service in the foreground (worker, scheduler, Flower)"),
    "worker": ("worker.runner", "run a Celery worker (Procfile: worker)"),
    "beat": ("worker.runner", "run the scheduler (Procfile: beat)"),
    "flower": ("worker.runner", "run Flower on 127.0.0.1:5555 (Procfile: flower)"),
    "check": ("worker.config", "validate feeds.yaml"),
    "detect": ("worker.detect.cli", "detect events in an article, or JSON lines with --batch"),
    "compile": ("worker.detect.native", "compile the detector with mypyc (make does it when a C compiler is there)"),
    "alerts": ("alerts.cli", "list alerts and their deliveries; show, retry"),
    "destinations": ("alerts.cli", "test a destination"),
}


def usage() -> str:
    lines = ["usage: rasd COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:13} {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"rasd: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = import_module(COMMANDS[name][0])
    return int(module.command(name, rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
