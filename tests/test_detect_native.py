"""The compiled detector (worker/detect/native.py) gives exactly what the plain Python one gives,
and a build is never used unless it was made from the sources beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED

from worker.detect import native
from worker.detect.rules import default_rule_files, load_rules

PYTHON = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python"
RASD = PYTHON.with_name("rasd")


def _env(pure: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != native.PURE_ENV}
    if pure:
        env[native.PURE_ENV] = "1"
    return env


def _compiled_in_subprocess(pure: bool) -> bool:
    code = "import worker.detect, worker.detect.native as n; print(n.active())"
    out = subprocess.run([str(PYTHON), "-c", code], env=_env(pure), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "True"


def _texts() -> list[str]:
    """Every example phrase of the rule files, and the shared seed and dev passages when present."""
    rules = load_rules(default_rule_files()).rules
    texts = [ex.text for r in rules for ex in (*r.positive, *r.negative)]
    seed, dev = SHARED / "data" / "seed-article.txt", SHARED / "data" / "events-dev.jsonl"
    if seed.exists():
        texts.append(seed.read_text(encoding="utf-8"))
    if dev.exists():
        texts += [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def test_compiled_and_plain_detectors_agree_on_every_text():
    if not _compiled_in_subprocess(pure=False):
        pytest.skip("the compiled detector is not built here (make builds it when a C compiler is there)")
    assert not _compiled_in_subprocess(pure=True)
    texts = _texts()
    batch = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts))
    outputs = []
    for pure in (True, False):
        proc = subprocess.run([str(RASD), "detect", "--batch"], input=batch, env=_env(pure),
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout.splitlines())
    plain, compiled = outputs
    assert len(plain) == len(texts)
    assert sum('"type"' in line for line in plain) > len(texts) // 3  # events were found, not just compared
    assert [i for i, (a, b) in enumerate(zip(plain, compiled, strict=True)) if a != b] == []


def test_a_build_from_other_sources_is_not_used(tmp_path, monkeypatch):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    stamp = tmp_path / "sources.sha256"
    monkeypatch.setattr(native, "STAMP", stamp)
    path: list[str] = ["/src"]

    assert native.activate(path) is False  # never built
    stamp.write_text("0" * 64 + "\n", encoding="utf-8")
    assert native.activate(path) is False  # built from other sources
    assert path == ["/src"]

    stamp.write_text(native.fingerprint() + "\n", encoding="utf-8")
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert native.activate(path) is False  # turned off
    monkeypatch.delenv(native.PURE_ENV)
    monkeypatch.setattr(sys, "path", list(sys.path))  # activate appends the build directory
    assert native.activate(path) is True
    assert path == [str(native.BUILD_DIR / "worker" / "detect"), "/src"]


def test_the_fingerprint_follows_every_compiled_source(tmp_path, monkeypatch):
    for name in native.MODULES:
        (tmp_path / f"{name}.py").write_text(f"# {name}\n", encoding="utf-8")
    monkeypatch.setattr(native, "SOURCE_DIR", tmp_path)
    before = native.fingerprint()
    (tmp_path / "engine.py").write_text("# engine, edited\n", encoding="utf-8")
    assert native.fingerprint() != before
