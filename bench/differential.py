"""Differential check: a frozen reference detector and the working one must find the same events.

Run by hand (not by the test suite) after changing the detector's code:

    git -C /work/main worktree add /tmp/rasd-ref <commit>     # the frozen reference code
    .venv/bin/python -m bench.differential --ref /tmp/rasd-ref

Both detectors run in their own process (each imports its own `worker` package) over the same
inputs and the SAME rule and data files: the current rules/ and data/ directories are copied
once into a snapshot that both point at, so edits made to the YAML while this runs cannot show
up as differences. Inputs: the dev passages and the seed article (../shared/data), the body text
(with and without the title) and every paragraph of each article page in ../shared/corpus/html,
and every example phrase of every rule. Every field of every event is compared.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def gather_inputs() -> list[dict]:
    """Every input as {"text", "title"?, "from"} (extraction runs once, here, for both sides)."""
    from worker.detect.rules import default_rule_files, load_rules
    from worker.extract import extract_article

    inputs: list[dict] = []
    dev = SHARED / "data" / "events-dev.jsonl"
    for n, line in enumerate(dev.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            inputs.append({"text": json.loads(line)["text"], "from": f"dev:{n + 1}"})
    inputs.append({"text": (SHARED / "data" / "seed-article.txt").read_text(encoding="utf-8"), "from": "seed"})
    for page in sorted((SHARED / "corpus" / "html").glob("*.html")):
        article = extract_article(page.read_bytes(), search_date=False)
        if article is None or not article.text.strip():
            continue
        inputs.append({"text": article.text, "from": f"html:{page.name}"})
        if article.title:
            inputs.append({"text": article.text, "title": article.title, "from": f"html+title:{page.name}"})
        for k, para in enumerate(p for p in article.text.split("\n") if p.strip()):
            inputs.append({"text": para, "from": f"html:{page.name}:para{k + 1}"})
    for rule in load_rules(default_rule_files()).rules:
        for kind, examples in (("match", rule.positive), ("no_match", rule.negative)):
            for ex in examples:
                inputs.append({"text": ex.text, "from": f"rule:{rule.id}:{kind}"})
    return inputs


def snapshot_rules_and_data(into: Path) -> tuple[Path, Path]:
    rules = shutil.copytree(ROOT / "worker" / "detect" / "rules", into / "rules")
    data = shutil.copytree(ROOT / "worker" / "detect" / "data", into / "data")
    return Path(rules), Path(data)


def run_side(code_root: Path, rules_dir: Path, data_dir: Path, inputs_path: Path, out_path: Path) -> None:
    """Run this file in worker mode with `code_root`'s `worker` package first on the path."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--side", str(code_root), str(rules_dir),
           str(data_dir), str(inputs_path), str(out_path)]
    subprocess.run(cmd, check=True, cwd=code_root)


def side_main(code_root: str, rules_dir: str, data_dir: str, inputs_path: str, out_path: str) -> None:
    """Worker mode: detect over every input with the code at `code_root` and the given files."""
    sys.path.insert(0, code_root)
    from worker.detect import gazetteer, rules

    loaded = Path(rules.__file__).resolve()
    if not loaded.is_relative_to(Path(code_root).resolve()):
        raise SystemExit(f"imported {loaded}, not the code under {code_root}")
    rules.RULES_DIR = Path(rules_dir)
    data = Path(data_dir)
    gazetteer.DATA_DIR = data
    gazetteer.CROSSINGS_FILE = data / "crossings.yaml"
    gazetteer.PLACES_FILE = data / "places.yaml"
    gazetteer.GEONAMES_FILE = data / "places_geonames.json"
    gazetteer.STOP_WORDS_FILE = data / "place_stop_words.yaml"
    from worker.detect import load_detector

    det = load_detector()
    if det.gazetteer.gazetteer is None:
        raise SystemExit("the gazetteer did not load: the comparison would miss places and crossings")
    out = []
    for item in json.loads(Path(inputs_path).read_text(encoding="utf-8")):
        events = det.detect(item["text"], title=item.get("title"))
        out.append([dataclasses.asdict(e) for e in events])
    Path(out_path).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.differential", description=__doc__.split("\n")[0])
    parser.add_argument("--ref", required=True, help="checkout of the reference code (a git worktree)")
    parser.add_argument("--show", type=int, default=5, help="differences to print in full")
    args = parser.parse_args(argv)
    if not (SHARED / "data").exists():
        print(f"{SHARED} is not here: nothing to compare")
        return 0
    inputs = gather_inputs()
    with tempfile.TemporaryDirectory(prefix="rasd-diff-") as tmp:
        tmpdir = Path(tmp)
        rules_dir, data_dir = snapshot_rules_and_data(tmpdir)
        inputs_path = tmpdir / "inputs.json"
        inputs_path.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
        results = {}
        for name, code_root in (("reference", Path(args.ref)), ("working", ROOT)):
            out_path = tmpdir / f"{name}.json"
            run_side(code_root, rules_dir, data_dir, inputs_path, out_path)
            results[name] = json.loads(out_path.read_text(encoding="utf-8"))
    ref, new = results["reference"], results["working"]
    diffs = [i for i in range(len(inputs)) if ref[i] != new[i]]
    n_events = sum(len(r) for r in ref)
    for i in diffs[: args.show]:
        print(f"--- {inputs[i]['from']}: {inputs[i]['text'][:120]!r}")
        print(f"  reference: {json.dumps(ref[i], ensure_ascii=False)}")
        print(f"  working:   {json.dumps(new[i], ensure_ascii=False)}")
    print(f"{len(diffs)} differences over {len(inputs)} inputs ({n_events} reference events)")
    return 1 if diffs else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--side":
        side_main(*sys.argv[2:7])
    else:
        sys.exit(main())
