"""Every corpus report with a truth file: each non-null truth value must come out exactly, and no
value may be wrong while marked ok. Same key mapping as ../shared/tools/score_corpus.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.parsing import parse
from tests.parsing.corpus_paths import CORPUS

ZEROISH = {"blank", "dash", "none_word"}
EXTRACTORS = Path(__file__).resolve().parents[2] / "ingest" / "parsing" / "extract"


def _files() -> list[Path]:
    raw = CORPUS / "raw"
    if not raw.is_dir():
        return []
    return sorted(p for p in raw.iterdir() if (CORPUS / "truth" / (p.name.split(".")[0] + ".json")).exists())


def _cell(cells: dict, key: str):
    c = cells.get(key)
    if not isinstance(c, dict):
        return None, "absent"
    if c["v"] is None and c["st"] in ZEROISH:
        return 0, c["st"]
    return c["v"], c["st"]


def _group(cells: dict, prefix: str):
    keys = [k for k in cells if k.startswith(prefix) and k.endswith(".total") and ".sum." not in k]
    if not keys:
        return None, "absent"
    total, states = 0, set()
    for k in keys:
        v, st = _cell(cells, k)
        if v is None:
            return None, st
        states.add(st)
        total += v
    return total, "ok" if states <= {"ok"} | ZEROISH else "mixed"


def expectations(t: dict) -> list[tuple[str, object, object]]:
    r, a, rl = t.get("requests", {}), t.get("active_disclosure", {}), t.get("review_litigation", {})
    v21 = str(t.get("format_version")) == "2021"
    out = []
    rows = [("new_received", "received_new"), ("carried_over", "carried_over_prev"), ("granted", "outcome.granted"),
            ("partially_granted", "outcome.partial"), ("handled_total", "outcome.total"),
            ("carried_forward", "carried_forward_next")]
    for tk, key in rows:
        for col in ("natural_person", "total"):
            exp = r.get(tk).get(col) if isinstance(r.get(tk), dict) else None
            out.append((f"s3.{key}.{col}", exp, lambda c, k=f"s3.{key}.{col}": _cell(c, k)))
    for tk, prefix in [("denied_total", "s3.outcome.denied."), ("unable_to_provide_total", "s3.outcome.unable."),
                       ("not_processed_total", "s3.outcome.not_processed.")]:
        out.append((tk, r.get(tk), lambda c, p=prefix: _group(c, p)))
    if v21:
        out.append(("other_total", r.get("other_total"), lambda c: _group(c, "s3.outcome.other.")))
    else:
        out.append(("other_total", r.get("other_total"), lambda c: _cell(c, "s3.outcome.other.sum.total")))
    s2 = {"regulations_new": "s2.art20_1.regulations.made", "normative_documents_new": "s2.art20_1.normative_docs.made",
          "licensing_decisions": "s2.art20_5.licensing.decisions", "penalty_decisions": "s2.art20_6.penalty.decisions",
          "coercion_decisions": "s2.art20_6.coercion.decisions"}
    if v21:
        s2["normative_documents_in_force"] = "s2.art20_1.normative_docs.in_force"
        s2["fees_amount"] = "s2.art20_8.admin_fees.amount_wan_yuan"
    else:
        s2["procurement_amount"] = "s2.art20_9.central_procurement.amount"
    for tk, key in s2.items():
        out.append((key, a.get(tk), lambda c, k=key: _cell(c, k)))
    for tk, key in [("review_total", "s4.review.total"), ("litigation_direct_total", "s4.lit_direct.total"),
                    ("litigation_after_review_total", "s4.lit_after_review.total")]:
        out.append((key, rl.get(tk), lambda c, k=key: _cell(c, k)))
    return [(label, exp, fn) for label, exp, fn in out if exp is not None]


def _skip_without_extractor(path: Path) -> None:
    for ext, module in ((".docx", "docx.py"), (".pdf", "pdf.py")):
        if path.suffix == ext and not (EXTRACTORS / module).exists():
            pytest.skip(f"extract/{module} (the {ext} extractor) does not exist yet")


# Known limits, each a value left unresolved (never a wrong one): listed so the test still fails on
# any new miss. Keys are "file:label".
KNOWN_UNRESOLVED = {
    # 行政规范性文件 digits run together ('77132470', '6233440'): no unique split; truth took 制发 from prose.
    "005.txt:s2.art20_1.normative_docs.made",
    "006.txt:s2.art20_1.normative_docs.made",
    # PDF-to-markdown: the §二 (一) table is split, with a column missing under a 4-column header.
    "029.md:s2.art20_1.regulations.made",
    "029.md:s2.art20_1.normative_docs.made",
    "029.md:s2.art20_1.normative_docs.in_force",
}


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_report_matches_truth(path: Path) -> None:
    _skip_without_extractor(path)
    truth = json.loads((CORPUS / "truth" / (path.name.split(".")[0] + ".json")).read_text(encoding="utf-8"))
    out = parse(path.read_bytes(), path.name).to_dict()
    cells = out["cells"]
    assert out["doc"]["report_year"] == truth["year"]
    wrong, unresolved = [], []
    for label, exp, fn in expectations(truth):
        got, st = fn(cells)
        if got is not None and abs(float(got) - float(exp)) < 1e-6:
            continue
        if got is None or st not in {"ok"} | ZEROISH:
            if f"{path.name}:{label}" not in KNOWN_UNRESOLVED:
                unresolved.append(f"{label}: {st}, want {exp}")
        else:
            wrong.append(f"{label}: got {got} ({st}), want {exp}")
    assert not wrong, f"wrong values marked ok: {wrong}"
    assert not unresolved, f"unresolved: {unresolved}"


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_every_canonical_key_is_present(path: Path) -> None:
    _skip_without_extractor(path)
    from ingest.parsing.template import s2_keys, s3_keys, s4_keys

    report = parse(path.read_bytes(), path.name)
    s2v = report.versions["s2"] if report.versions["s2"] in ("2019", "2021") else None
    s3v = report.versions["s3"] if report.versions["s3"] in ("2019", "2021") else None
    keys = set(report.cells)
    if s2v:
        assert set(s2_keys(s2v)) <= keys
    if s3v:
        assert set(s3_keys(s3v)) <= keys
    assert set(s4_keys()) <= keys
    for cell in report.cells.values():
        if cell.st == "missing":
            assert cell.note


def test_the_seed_is_read_completely(seed_report) -> None:
    r = seed_report
    assert (r.agency, r.report_year, r.published_date) == ("定州市砖路镇", 2020, "2021-01-11")
    assert r.title == "定州市砖路镇2020年政府信息公开工作年度报告"
    assert r.versions == {"s2": "2019", "s3": "2019"}
    assert len(r.cells) == 198
    lic = {k: c.v for k, c in r.cells.items() if k.startswith("s2.art20_5.licensing.")}
    assert lic == {"s2.art20_5.licensing.items_prev_year": 0, "s2.art20_5.licensing.items_change": 4,
                   "s2.art20_5.licensing.decisions": 4}
    others = [c for k, c in r.cells.items() if k not in ("s2.art20_5.licensing.items_change",
                                                           "s2.art20_5.licensing.decisions")]
    assert all(c.st == "ok" and c.v == 0 for c in others)
    assert r.checks and all(c.ok is True for c in r.checks)
    assert len([c for c in r.checks if c.id.startswith("I3.")]) == 23
    assert not r.warnings


def test_the_seed_keeps_headings_text_and_stated_counts(seed_report) -> None:
    r = seed_report
    assert all(h.found for h in r.headings.values())
    assert r.text["s6_other"].startswith("无")
    assert "砖路镇" in r.text["s1_overview"]
    counts = {(s.value, s.unit) for s in r.stated_counts}
    assert (39, "条") in counts
