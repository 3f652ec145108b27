"""The detector compiled to C with mypyc: the same source, 1.6–2× as fast, used only when fresh.

`make` runs ``rasd compile`` after installing, which compiles the modules in
MODULES into the virtualenv (``<sys.prefix>/rasd-native``). Without a C compiler the build is
skipped and the detector runs as plain Python, with the same results.

A build is used only when it was made from exactly the sources beside it, by this interpreter:
after an edit to engine.py the plain module runs until the next build, never a stale binary.
``RASD_PURE_PYTHON=1`` turns the build off (the tests use it to compare the two).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# Compiled, in the order mypyc is given them. __init__, cli and this module stay plain Python.
MODULES = ("normalize", "patterns", "model", "rules", "gazetteer", "gazetteer_link", "arguments", "engine")
SOURCE_DIR = Path(__file__).resolve().parent
BUILD_DIR = Path(sys.prefix) / "rasd-native"
STAMP = BUILD_DIR / "sources.sha256"
PURE_ENV = "RASD_PURE_PYTHON"


def fingerprint() -> str:
    """What a build is made from: the interpreter's ABI tag and the bytes of every compiled source."""
    h = hashlib.sha256((sys.implementation.cache_tag or "").encode())
    for name in MODULES:
        h.update(name.encode())
        h.update((SOURCE_DIR / f"{name}.py").read_bytes())
    return h.hexdigest()


def active() -> bool:
    """Whether the detector modules loaded in this process are the compiled ones."""
    engine = sys.modules.get("worker.detect.engine")
    return engine is not None and not str(getattr(engine, "__file__", "")).endswith(".py")


def _fresh() -> bool:
    try:
        return STAMP.read_text(encoding="utf-8").strip() == fingerprint()
    except OSError:
        return False  # never built here


def activate(package_path: list[str]) -> bool:
    """Put a fresh build first on the detector package's path (called by worker/detect/__init__)."""
    if os.environ.get(PURE_ENV) or not _fresh():
        if STAMP.exists():
            log.debug("not using the compiled detector in %s (turned off, or older than its sources)", BUILD_DIR)
        return False
    # mypyc links the modules through one shared library, imported by its top-level name.
    if str(BUILD_DIR) not in sys.path:
        sys.path.append(str(BUILD_DIR))
    package_path.insert(0, str(BUILD_DIR / "worker" / "detect"))
    return True


def build() -> int:
    """Compile MODULES into BUILD_DIR. Returns 0 when built or already fresh, 1 when it cannot be."""
    if _fresh():
        print(f"compiled detector is up to date ({BUILD_DIR})")
        return 0
    try:
        import mypyc  # noqa: F401
    except ImportError:
        print("mypyc is not installed: the detector runs as plain Python")
        return 1
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        print(f"no C compiler ({compiler}) on this machine: the detector runs as plain Python")
        return 1
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    made_from = fingerprint()
    with tempfile.TemporaryDirectory(prefix="rasd-native-") as tmp:
        # setuptools reads the pyproject.toml of its working directory: build from an empty one.
        script = (
            "import sys\n"
            "from setuptools import setup\n"
            "from mypyc.build import mypycify\n"
            "out, tmp, *sources = sys.argv[1:]\n"
            "setup(name='rasd-native', script_args=['build_ext', '--build-lib', out, '--build-temp', tmp],\n"
            "      ext_modules=mypycify([*sources, '--ignore-missing-imports', '--follow-imports=silent']))\n"
        )
        sources = [str(SOURCE_DIR / f"{name}.py") for name in MODULES]
        env = {**os.environ, "MYPY_CACHE_DIR": str(Path(tmp) / "mypy-cache")}
        done = subprocess.run(
            [sys.executable, "-c", script, str(BUILD_DIR), tmp, *sources],
            cwd=tmp, env=env, capture_output=True, text=True,
        )
    if done.returncode != 0:
        shutil.rmtree(BUILD_DIR, ignore_errors=True)
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        print(f"{tail}\ncould not compile the detector (see above): it runs as plain Python")
        return 1
    if fingerprint() != made_from:
        print("the sources changed while compiling: run it again")
        return 1
    STAMP.write_text(made_from + "\n", encoding="utf-8")
    print(f"compiled the detector into {BUILD_DIR}")
    return 0


def command(name: str, argv: list[str]) -> int:
    """`rasd compile`: build, or say why the detector stays plain Python (never fails the caller)."""
    build()
    print(f"detector: {'compiled' if _fresh() and not os.environ.get(PURE_ENV) else 'plain Python'}")
    return 0
