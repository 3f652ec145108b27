"""`rasd detect`: events in one article (text or HTML), or JSON lines with --batch.

    rasd detect article.txt            print the events readably, matched words marked
    rasd detect - < page.html          HTML is recognised and its article body extracted
    rasd detect --json article.txt     the events as one JSON object
    rasd detect --batch < in.jsonl     {"id", "text"|"html"} per line -> {"id", "events"} per line
    rasd detect --rules extra.yaml ... add a rule file (repeatable)

In --batch mode every input line gets exactly one output line, in order; a line that cannot be
read or processed gets {"id": ..., "error": "..."} and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, TextIO

from .engine import Detector
from .model import EVENT_LABELS_AR, EVENT_LABELS_EN, Event
from .rules import RuleFileError

_HTML_SNIFF = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|article)\b",
                         re.IGNORECASE | re.DOTALL)


def command(name: str, argv: list[str]) -> int:
    try:
        return _command(name, argv)
    except BrokenPipeError:  # `rasd detect ... | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _command(name: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"rasd {name}", description="Detect events in Arabic news text.")
    parser.add_argument("file", nargs="?", default="-", help="article file (text or HTML), or - for stdin")
    parser.add_argument("--batch", action="store_true", help="JSON lines on stdin, JSON lines on stdout")
    parser.add_argument("--json", action="store_true", help="print the events of one article as JSON")
    parser.add_argument("--rules", action="append", default=[], metavar="FILE", help="an extra rule file")
    args = parser.parse_args(argv)
    try:
        detector = _detector(args.rules)
    except RuleFileError as e:
        print(f"rasd detect: {e}", file=sys.stderr)
        return 1
    if args.batch:
        if args.file != "-":
            parser.error("--batch reads standard input; give no FILE")
        return run_batch(detector, sys.stdin.buffer, sys.stdout)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()  # noqa: SIM115
    except OSError as e:
        print(f"rasd detect: {args.file}: {e.strerror or e}", file=sys.stderr)
        return 1
    text, title = article_from_bytes(data)
    events = detector.detect(text, title=title)
    if args.json:
        json.dump({"events": [e.to_dict() for e in events]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_events(events, sys.stdout, color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    return 0


def _detector(extra: list[str]) -> Detector:
    from . import default_detector, load_detector

    return load_detector(extra) if extra else default_detector()


# -- batch ----------------------------------------------------------------------------------------


def run_batch(detector: Detector, stdin: Any, out: TextIO) -> int:
    """One output line per non-blank input line, in order; errors become "error" lines."""
    for raw in stdin:
        if not raw.strip():
            continue
        out.write(json.dumps(batch_line(detector, raw), ensure_ascii=False) + "\n")
        out.flush()
    return 0


def batch_line(detector: Detector, raw: bytes | str) -> dict[str, Any]:
    item_id: Any = None
    try:
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        item = json.loads(line)
        if not isinstance(item, dict):
            raise ValueError("each line must be a JSON object with \"id\" and \"text\" or \"html\"")
        item_id = item.get("id")
        if isinstance(item.get("text"), str):
            text, title = item["text"], item.get("title")
        elif isinstance(item.get("html"), str):
            text, title = article_from_html(item["html"])
            title = item.get("title") or title
        else:
            raise ValueError("a \"text\" or \"html\" string is required")
        if title is not None and not isinstance(title, str):
            title = None
        events = detector.detect(text, title=title, published=item.get("published"))
    except UnicodeDecodeError as e:
        return {"id": item_id, "error": f"not UTF-8: {e.reason} at byte {e.start}"}
    except json.JSONDecodeError as e:
        return {"id": item_id, "error": f"not JSON: {e.msg} at column {e.colno}"}
    except ValueError as e:
        return {"id": item_id, "error": str(e)}
    except Exception as e:  # one bad article must not lose the rest of the batch
        return {"id": item_id, "error": f"detector failed: {type(e).__name__}: {e}"}
    return {"id": item_id, "events": [e.to_dict() for e in events]}


# -- input ----------------------------------------------------------------------------------------


def article_from_bytes(data: bytes) -> tuple[str, str | None]:
    """(body text, title) of a file that may be plain text or an HTML page."""
    if _HTML_SNIFF.match(data[:4096]):
        return article_from_html(data)
    return _decode_text(data), None


def article_from_html(html: bytes | str) -> tuple[str, str | None]:
    try:
        from worker.extract import extract_article
    except ImportError:
        return _plain_html_text(html), None
    art = extract_article(html, url=None)
    if art is None:
        return _plain_html_text(html), None
    return art.text, art.title


def _plain_html_text(html: bytes | str) -> str:
    """Fallback extraction: the visible text of the page, paragraphs on their own lines."""
    import lxml.html

    if not (html.strip() if isinstance(html, str) else html.strip()):
        return ""
    tree = lxml.html.document_fromstring(html)
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    blocks = [" ".join(el.text_content().split()) for el in tree.iter("p", "h1", "h2", "h3", "li", "td")]
    text = "\n".join(b for b in blocks if b)
    return text or " ".join(tree.text_content().split())


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from worker.decode import detect as detect_codec

        return data.decode(detect_codec(data), errors="replace")
    except ImportError:
        return data.decode("utf-8", errors="replace")


# -- readable output ------------------------------------------------------------------------------


def print_events(events: list[Event], out: TextIO, *, color: bool = False) -> None:
    if not events:
        out.write("no events found\n")
        return
    open_, close = ("\033[1;4m", "\033[0m") if color else ("⟦", "⟧")
    for n, e in enumerate(events, 1):
        out.write(f"{n}. {EVENT_LABELS_EN.get(e.type, e.type)} / {EVENT_LABELS_AR.get(e.type, e.type)}"
                  f"  [{e.type}, {e.status}, confidence {e.confidence:.2f}]\n")
        if e.crossing:
            extra = ", ".join(x for x in (e.crossing.id, e.crossing.name_en) if x)
            out.write(f"   crossing: {e.crossing.name}{f'  ({extra})' if extra else ''}\n")
        if e.places:
            out.write("   places:   " + "، ".join(p.name + (f" ({p.name_en})" if p.name_en else "") for p in e.places) + "\n")
        if e.actor:
            out.write(f"   actor:    {e.actor}\n")
        if e.target:
            out.write(f"   target:   {e.target}\n")
        out.write(f"   evidence: {e.marked_evidence(open_, close)}\n")
        out.write(f"   rule:     {e.rule}\n")
