"""Parser throughput and memory, per input format.

    .venv/bin/python bench/bench_parse.py            # full run (~1–2 min)
    .venv/bin/python bench/bench_parse.py --quick    # fewer repetitions, smaller big PDF
    .venv/bin/python bench/bench_parse.py --pdf-dir DIR   # also time the PDFs in DIR against bare extraction
    .venv/bin/python bench/bench_parse.py --no-c     # the PDF extractor's Python loops (no C module)

Measures, on one pinned core:

Times are CPU seconds of the benchmarking process (``time.process_time``), so other work on a
shared machine does not count against the parser.

1. reports/s of ``ingest.parsing.parse`` per format over the corpus files (../shared/corpus/raw)
   and over synthetic 示例县 reports rendered to txt/html/docx/pdf;
2. for every PDF, parse time against bare pypdfium2 text extraction of the same file
   (``get_text_range()`` on every page), best of several rounds that run bare extraction, our
   extractor and parse() one after the other (so load bursts hit all three alike); medians are
   given per group: files with embedded fonts (the corpus PDFs and any ``--pdf-dir``, e.g. office-made
   PDFs of the corpus pages) and reportlab's synthetic PDFs (non-embedded STSong-Light, whose cost
   depends on which CJK fonts the machine has for PDFium to substitute);
3. peak RSS (``resource.getrusage``) of a fresh subprocess parsing a generated ~20 MB PDF
   (a full report, ~1000 pages of prose and photo pages), against the same subprocess that
   only imports the parser and reads the file.

Targets (docs/benchmarks.md): text/HTML ≥ 200 reports/s/core; PDF parse ≤ 2× bare extraction;
20 MB PDF < 300 MB RSS.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from ingest.parsing import parse  # noqa: E402
from ingest.parsing.extract import pdf as pdf_extract  # noqa: E402
from ingest.parsing.render import EXTENSIONS, FORMATS, render  # noqa: E402
from ingest.parsing.synthetic import generate_report  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "raw"


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def bare_text(data: bytes) -> None:
    doc = pdfium.PdfDocument(data)
    for i in range(len(doc)):
        page = doc[i]
        tp = page.get_textpage()
        tp.get_text_range()
        tp.close()
        page.close()
    doc.close()


# CPU time of this process, not wall time: the machine is shared, and "per core" means CPU seconds.
clock = time.process_time


def best_interleaved(fns, n: int) -> list[float]:
    """Best time of each of ``fns`` over ``n`` rounds that run them one after the other, so a burst
    of load on the shared machine hits all of them alike instead of one whole series."""
    best = [float("inf")] * len(fns)
    for _ in range(n):
        for i, fn in enumerate(fns):
            t = clock()
            fn()
            best[i] = min(best[i], clock() - t)
    return best


def throughput(files: list[tuple[str, bytes]], repeat: int) -> tuple[float, int]:
    """reports/s over ``files`` parsed ``repeat`` times each (after one warm-up pass)."""
    for name, data in files:
        parse(data, name)
    t = clock()
    for _ in range(repeat):
        for name, data in files:
            parse(data, name)
    elapsed = clock() - t
    return repeat * len(files) / elapsed, len(files)


def synthetic(n: int) -> list:
    years = [2019, 2020, 2021, 2022, 2023, 2024, 2025]
    return [generate_report(seed=i, year=years[i % len(years)]) for i in range(n)]


# --------------------------------------------------------------------------- big PDF


def big_pdf(path: Path, target_mb: float, seed: int = 1) -> tuple[int, int]:
    """A ~target_mb PDF: a full report whose §一 runs to hundreds of pages, then photo pages.

    Photo pages carry incompressible images (as scanned attachments and photos do) so the
    file reaches its size without millions of pages; the prose pages make the parser work.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    report = generate_report(seed=seed, year=2023, agency="示例县东河镇")
    sentence = report.text["s1_overview"].replace("\n", "")
    long_s1 = "\n".join(f"（{i}）" + sentence for i in range(1, 2400))  # ~350 pages of prose
    report = dataclasses.replace(report, text={**report.text, "s1_overview": long_s1})
    body_bytes = render(report, "pdf")
    body_size = len(body_bytes)
    body = pdfium.PdfDocument(body_bytes)

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    from PIL import Image  # Pillow: reportlab's image dependency

    rng = random.Random(seed)
    side = 150
    # Noise does not compress: each photo adds its raw size, ASCII85-encoded by reportlab (×5/4).
    n_photos = max(0, int((target_mb * 1e6 - body_size) / (side * side * 3 * 5 / 4)))
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(n_photos):
        img = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        c.drawImage(ImageReader(img), 100, 300, width=400, height=400)
        c.setFont("STSong-Light", 10)
        c.drawString(100, 250, f"附件照片{i + 1}")
        c.showPage()
    c.save()
    if n_photos:
        # The photo pages go after the report, as attachments do.
        body.import_pages(pdfium.PdfDocument(buf.getvalue()))
    pages = len(body)
    body.save(str(path))
    return pages, path.stat().st_size


_RSS_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from ingest.parsing import parse
data = open({path!r}, "rb").read()
if {do_parse}:
    t = time.process_time()
    r = parse(data, "big.pdf", time_budget=3600)
    took = time.process_time() - t
    assert r.cells["s3.received_new.total"].st == "ok", "the big PDF's tables were not read"
else:
    took = 0.0
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(hwm, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, took)
"""


def peak_rss(path: Path, do_parse: bool) -> tuple[float, float, float]:
    """(VmHWM MB, ru_maxrss MB, CPU s) of a fresh interpreter that reads and (optionally) parses ``path``.

    Linux carries ``ru_maxrss`` over fork+exec, so in a child of this (large) process it starts
    at the parent's size; VmHWM belongs to the child's own address space and is the honest peak.
    Both are printed.
    """
    code = _RSS_CHILD.format(root=str(ROOT), path=str(path), do_parse=do_parse)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024, float(out[2])  # both in KiB on Linux


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--pdf-dir", type=Path, help="more PDFs for the parse-vs-bare table (not the throughput)")
    ap.add_argument("--no-c", action="store_true",
                    help="run the PDF extractor's Python loops instead of its C module (what an install without a "
                         "compiler runs)")
    args = ap.parse_args()
    repeat = 3 if args.quick else 10
    n_synth = 10 if args.quick else 30
    if args.no_c:
        pdf_extract._c = None
    print(f"# bench_parse ({pin_one_core()}, python {sys.version.split()[0]}, pypdfium2 {pdfium.PDFIUM_INFO}, "
          f"PDF loops in {'Python' if pdf_extract._c is None else 'C'})")

    # 1. throughput per format
    rows: list[tuple[str, str, int, float]] = []
    by_ext: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for f in sorted(args.corpus.iterdir()):
        by_ext[f.suffix.lstrip(".")].append((f.name, f.read_bytes()))
    for ext, files in sorted(by_ext.items()):
        rate, n = throughput(files, repeat if ext != "pdf" else max(2, repeat // 2))
        rows.append(("corpus", ext, n, rate))
    reports = synthetic(n_synth)
    rendered: dict[str, list[tuple[str, bytes]]] = {
        fmt: [(f"r{i}{EXTENSIONS[fmt]}", render(r, fmt)) for i, r in enumerate(reports)] for fmt in FORMATS}
    for fmt in FORMATS:
        rate, n = throughput(rendered[fmt], repeat if fmt != "pdf" else max(2, repeat // 2))
        rows.append(("synthetic", fmt, n, rate))
    print("\n## Throughput (parse(), one core)\n")
    print("| source | format | files | reports/s |")
    print("|---|---|---:|---:|")
    for src, fmt, n, rate in rows:
        print(f"| {src} | {fmt} | {n} | {rate:.0f} |")

    # 2. PDF parse vs bare text extraction
    extra = [(f.name, f.read_bytes()) for f in sorted(args.pdf_dir.glob("*.pdf"))] if args.pdf_dir else []
    groups = [("embedded fonts (corpus" + (f" + {args.pdf_dir}" if extra else "") + ")",
               by_ext.get("pdf", []) + extra),
              ("synthetic (reportlab, fonts not embedded)", rendered["pdf"][:10])]
    k = 5 if args.quick else 9
    print(f"\n## PDF: parse vs bare pypdfium2 text extraction (best of {k})\n")
    print("| file | pages | bare ms | extract ms | parse ms | extract/bare | parse/bare |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    summary = []
    for label, pdfs in groups:
        ratios, ext_ratios = [], []
        for name, data in pdfs:
            pages = len(pdfium.PdfDocument(data))
            bare, ext, full = best_interleaved([lambda d=data: bare_text(d),
                                                lambda d=data, n=name: pdf_extract.extract(d, n),
                                                lambda d=data, n=name: parse(d, n)], k)
            ratios.append(full / bare)
            ext_ratios.append(ext / bare)
            print(f"| {name} | {pages} | {bare * 1e3:.1f} | {ext * 1e3:.1f} | {full * 1e3:.1f} | "
                  f"{ext / bare:.2f} | {full / bare:.2f} |")
        if ratios:
            summary.append(f"{label}, {len(ratios)} files: parse/bare median {statistics.median(ratios):.2f}, "
                           f"max {max(ratios):.2f}; extract/bare median {statistics.median(ext_ratios):.2f}, "
                           f"max {max(ext_ratios):.2f}")
    print("\n" + "\n".join(f"* {line}" for line in summary))

    # 3. memory on a ~20 MB PDF
    target = 5 if args.quick else 20
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.pdf"
        pages, size = big_pdf(path, target)
        base, base_ru, _ = peak_rss(path, do_parse=False)
        peak, peak_ru, took = peak_rss(path, do_parse=True)
        data = path.read_bytes()
        bare, warm = best_interleaved([lambda: bare_text(data),
                                       lambda: parse(data, "big.pdf", time_budget=3600)], 1 if args.quick else 2)
    print(f"\n## Peak RSS parsing a generated {size / 1e6:.1f} MB PDF ({pages} pages)\n")
    print(f"peak RSS (VmHWM) of a fresh process: {base:.0f} MB after imports + reading the file, "
          f"{peak:.0f} MB after parse(); ru_maxrss {base_ru:.0f} / {peak_ru:.0f} MB "
          f"(inherits this benchmark's size over fork+exec). Its parse took {took:.2f} s CPU (first call in "
          f"the process); in this process parse {warm:.2f} s vs bare extraction {bare:.2f} s: {warm / bare:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
