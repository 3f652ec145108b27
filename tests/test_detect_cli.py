"""`rasd detect` as a user runs it: a real subprocess of the installed command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

RASD = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "rasd"

CLOSURE = "أغلقت السلطات معبر الكرامة الحدودي صباح اليوم."
SIEGE_RISK = "حذرت منظمات إغاثية من خطر حصار جديد يطال الأحياء الشرقية للمدينة."


def run(*args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run([str(RASD), "detect", *args], input=data, capture_output=True, timeout=60)


def lines(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def test_batch_answers_every_line_in_order_and_survives_bad_lines():
    feed = "\n".join(
        [
            json.dumps({"id": "a", "text": CLOSURE}, ensure_ascii=False),
            "{not json",
            json.dumps({"id": 7, "html": f"<html><body><article><p>{SIEGE_RISK}</p></article></body></html>"},
                       ensure_ascii=False),
            json.dumps({"id": "no-text"}),
            json.dumps(["a", "list"]),
            json.dumps({"id": "quiet", "text": "ارتفعت أسعار الذهب في الأسواق اليوم."}, ensure_ascii=False),
        ]
    ) + "\n"
    proc = run("--batch", stdin=feed.encode("utf-8") + b'{"id": "bytes", "text": "\xff\xfe"}\n')
    assert proc.returncode == 0, proc.stderr
    out = lines(proc.stdout)
    assert [o.get("id") for o in out] == ["a", None, 7, "no-text", None, "quiet", None]

    first = out[0]["events"][0]
    assert first["type"] == "crossing_closure"
    assert first["status"] == "occurred"
    assert first["crossing"].startswith("معبر الكرامة")
    assert first["evidence"] == CLOSURE
    assert 0 < first["confidence"] <= 1

    assert "error" in out[1] and "events" not in out[1]
    assert [e["type"] for e in out[2]["events"]] == ["siege_risk"]
    assert out[2]["events"][0]["status"] == "threatened"
    assert "text" in out[3]["error"] and "events" not in out[3]
    assert "error" in out[4]
    assert out[5] == {"id": "quiet", "events": []}
    assert "UTF-8" in out[6]["error"]


def test_single_article_prints_labels_and_marked_words(tmp_path: Path):
    path = tmp_path / "article.txt"
    path.write_text(CLOSURE + "\n" + SIEGE_RISK + "\n", encoding="utf-8")
    proc = run(str(path))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode("utf-8")
    assert "Crossing closed / إغلاق معبر" in text
    assert "Siege risk / خطر حصار" in text
    assert "⟦أغلقت⟧" in text
    assert "crossing: معبر الكرامة" in text


def test_html_on_stdin_is_recognised(tmp_path: Path):
    page = (
        "<!DOCTYPE html><html lang='ar'><head><meta charset='utf-8'><title>عاجل</title></head>"
        f"<body><nav>الرئيسية</nav><article><h1>عاجل</h1><p>{CLOSURE}</p><p>{CLOSURE}</p></article></body></html>"
    )
    proc = run("--json", "-", stdin=page)
    assert proc.returncode == 0, proc.stderr
    events = json.loads(proc.stdout)["events"]
    assert [e["type"] for e in events] == ["crossing_closure"]


def test_missing_file_and_bad_rule_file_are_clear_errors(tmp_path: Path):
    proc = run(str(tmp_path / "absent.txt"))
    assert proc.returncode == 1
    assert b"absent.txt" in proc.stderr

    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: x\n    type: nothing\n", encoding="utf-8")
    proc = run("--rules", str(bad), "--batch", stdin="")
    assert proc.returncode == 1
    assert str(bad).encode() in proc.stderr and b"rule 'x'" in proc.stderr
