"""Run every benchmark: `python -m bench` (make bench). Add a module to BENCHES to include it."""

from __future__ import annotations

import sys
from importlib import import_module

BENCHES = ["bench.detector"]


def main() -> int:
    status = 0
    for name in BENCHES:
        print(f"== {name}")
        status |= int(import_module(name).main() or 0)
        print()
    return status


if __name__ == "__main__":
    sys.exit(main())
