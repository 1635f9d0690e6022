"""``python -m ingest.parsing FILE…``: print FORMAT.md §10.1 JSON (or ``--summary``) for each file.

Errors come out as ``{"error": {...}}`` and a non-zero exit status, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import ParseError, parse
from .model import ParsedReport


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.parsing", description="Parse 政府信息公开工作年度报告 files.")
    ap.add_argument("files", nargs="+", help="report files (.txt .md .html .docx .pdf)")
    ap.add_argument("--summary", action="store_true", help="a short human-readable view instead of JSON")
    ap.add_argument("--time-budget", type=float, default=20.0, help="seconds allowed per file")
    args = ap.parse_args(argv)
    outputs: list[dict] = []
    failed = False
    for name in args.files:
        result = _one(name, args.time_budget)
        failed = failed or "error" in result
        outputs.append(result)
    if args.summary:
        for name, out in zip(args.files, outputs, strict=True):
            sys.stdout.write(summary(name, out) + "\n")
    else:
        payload = outputs[0] if len(outputs) == 1 else outputs
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return 1 if failed else 0


def _one(name: str, budget: float) -> dict:
    try:
        data = Path(name).read_bytes()
    except OSError as e:
        return {"error": {"code": "unreadable", "zh": "无法读取文件。", "en": f"Cannot read the file ({e.strerror}).",
                          "path": name}}
    try:
        report: ParsedReport = parse(data, Path(name).name, time_budget=budget)
    except ParseError as e:
        return {"error": {**e.to_dict(), "path": name}}
    except Exception as e:  # noqa: BLE001 - the CLI promises JSON, never a traceback
        return {"error": {"code": "internal", "zh": "解析器内部错误。", "en": f"Internal parser error ({type(e).__name__}).",
                          "path": name}}
    out = report.to_dict()
    out["doc"]["source"]["path"] = name
    return out


def summary(name: str, out: dict) -> str:
    if "error" in out:
        e = out["error"]
        return f"{name}: ERROR {e['code']}: {e['en']}"
    doc, cells = out["doc"], out["cells"]
    states: dict[str, int] = {}
    for c in cells.values():
        states[c["st"]] = states.get(c["st"], 0) + 1
    checks = out["checks"]
    bad = [c["id"] for c in checks if c["ok"] is False]
    lines = [
        f"{name}: {doc['agency']} {doc['report_year']} ({doc['title']}) published {doc['published_date']}",
        f"  format s2={out['format']['s2']} s3={out['format']['s3']}; cells {len(cells)}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(states.items())),
        f"  checks ok {sum(1 for c in checks if c['ok'])}, failed {len(bad)}"
        + (f" ({', '.join(bad[:8])})" if bad else "")
        + f", unevaluable {sum(1 for c in checks if c['ok'] is None)}; warnings {len(out['warnings'])}",
    ]
    for key in ("s3.received_new.total", "s3.outcome.total.total", "s4.review.total"):
        c = cells.get(key)
        if c:
            lines.append(f"  {key} = {c['v']} ({c['st']})")
    return "\n".join(lines)
