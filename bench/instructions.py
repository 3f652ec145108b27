"""Detector work counted in CPU instructions (valgrind's callgrind), beside the regex floor.

On a shared machine timings move by 10-50% from run to run; instruction counts repeat to within
0.1%, so this is how to tell whether a change to the detector made it do less work. It is not the
issue's target (that is time, `python -m bench`): the detector's instructions run slower than the
floor's tight regex loop, so its time ratio is higher than its instruction ratio.

    .venv/bin/python -m bench.instructions

Each side runs in its own process under callgrind with counting off while the detector loads and
warms up (every word of the texts cached, as in the timed bench), then on for one pass over the dev
passages and five seed articles (detect), or the trigger regex over the same folded texts (floor).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.detector import SHARED, load_texts


def _child(mode: str, go: str) -> None:
    from worker.detect import default_detector
    from worker.detect.normalize import fold

    det = default_detector()
    loaded = load_texts()
    assert loaded is not None  # main checked
    seed, dev = loaded
    texts = [*dev, *[seed] * 5]
    for text in texts:
        det.detect(text)
    folded = [fold(t).text for t in texts]
    regex = det.trigger_regex
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.05)
    if mode == "floor":
        for ft in folded:
            regex.findall(ft)
    else:
        for text in texts:
            det.detect(text)
    os._exit(0)  # counting stops here: no interpreter shutdown in the figure


def count(mode: str) -> int:
    """Instructions for one pass of `mode` ("detect" or "floor")."""
    with tempfile.TemporaryDirectory() as tmp:
        go = str(Path(tmp) / "go")
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={tmp}/out",
               sys.executable, "-m", "bench.instructions", "--child", mode, go]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {mode} run did not start: {proc.communicate()[1][-500:]}")
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
        Path(go).touch()
        _, err = proc.communicate()
    found = re.search(r"Collected : (\d+)", err)
    if found is None:
        raise RuntimeError(f"no instruction count from callgrind: {err[-500:]}")
    return int(found.group(1))


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind is not installed: nothing to count")
        return 0
    if load_texts() is None:
        print(f"{SHARED} is not here (../shared absent): nothing to count")
        return 0
    detect, floor = count("detect"), count("floor")
    print(f"one pass over the dev passages and five seed articles: detect {detect / 1e6:.1f} M instructions, "
          f"floor {floor / 1e6:.1f} M ({detect / floor:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
