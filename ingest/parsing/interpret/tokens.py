"""Turn a Document (tables and/or paragraphs) into one stream of tokens.

A token is one cell of a table row, one line of text, or a piece of a line of
running text that was cut at known labels. Tokens of one table row share a
``row`` id and have ``in_row`` set, so a row's values are never taken from the
next row. Value pieces cut out of running text are ``glued``: their digits may
have run together and may be split, but only when the split is provably unique.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from ..errors import ParseError
from ..model import Document, Paragraph, Table
from ..values import _PAD, clean, is_value_text, nfkc, parse_value
from .labels import find_labels, norm, s3_row

# A run of value-looking pieces at the start of the text following a label.
# A value: a (signed) number, maybe with a money unit, or a dash / 无 / 空 / N/A standing alone.
_ONE_VALUE = r"(?:(?:[+\-−]|增加?|减少?)?\d[\d,.]*(?:万元|元)?|[—\-/]|(?:无|空|N/A)(?![^\s]))"
_VALUE_RUN = re.compile(rf"^[ \t]*({_ONE_VALUE}(?:[ \t]+{_ONE_VALUE})*)")


SUBTOTAL = "org_subtotal"  # a header-named column that is read past, never into a canonical cell

_UNIT_AFTER = set("条件个项篇次人年月日号%％万千百亿余多元期批家户名位笔份岁天小")


@dataclass(slots=True)
class Tok:
    text: str  # raw text (cells: as extracted; running text: NFKC)
    row: int
    in_row: bool = False  # one cell of a multi-cell row (table row / pipe line)
    tag: str | None = None  # label tag found in running text, e.g. "s3:outcome.granted", "h:s2_proactive"
    glued: bool = False  # a value piece cut out of running text
    cut: bool = False  # the document ends inside this value: it may be missing digits
    col: int | None = None  # grid column of a table cell
    columns: dict[int, str] | None = None  # the §三 column keys its table's header gives per grid column
    # The text in label form (labels.norm), made with the token: the readers ask for it about a
    # thousand times per report, nearly every token at least once.
    norm: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Long prose is never a label; its first 200 characters are enough for every test on it.
        text = self.text
        self.norm = norm(text if len(text) <= 200 else text[:200])

    @property
    def is_value(self) -> bool:
        if self.tag is not None:
            return False
        return is_value_text(self.text)

    @property
    def is_blank(self) -> bool:
        return not clean(self.text)


def tokenize(doc: Document, deadline: float, notes: list[str] | None = None) -> list[Tok]:
    toks: list[Tok] = []
    row = 0
    for block in doc.blocks:
        if time.monotonic() > deadline:
            raise ParseError("timeout", "解析超时。", "Parsing took too long.")
        if isinstance(block, Table):
            if _transposed(block):
                block = Table(rows=tuple(zip(*block.rows, strict=True)))
                if notes is not None:
                    notes.append("s3.transposed")
            columns = s3_header_columns(block)
            for grid_row in block.rows:
                row += 1
                cells = [(c, cell.text) for c, cell in enumerate(grid_row) if cell.origin]
                multi = len(cells) > 1
                for c, text in cells:
                    # Positional arguments: a generated __init__ takes keywords at a higher cost.
                    toks.append(Tok(text, row, multi, None, False, False, c, columns))
        elif isinstance(block, Paragraph):
            for line in block.text.split("\n"):
                row += 1
                toks.extend(_line_tokens(line, row))
    _mark_cut_end(toks)
    return toks


def _mark_cut_end(toks: list[Tok]) -> None:
    """A report never ends in a table cell; if this one does, the file was cut and the last number may be too."""
    for tok in reversed(toks):
        if tok.is_blank:
            continue
        if tok.is_value:
            tok.cut = True
        return


S3_COLUMN_WORDS = {"自然人": "natural_person", "商业企业": "org_commercial", "科研机构": "org_research",
                   "社会公益组织": "org_public_interest", "法律服务机构": "org_legal_service", "其他": "org_other",
                   "其它": "org_other", "总计": "total", "合计": "total",
                   # Not in the official form: a subtotal of the five 法人或其他组织 columns some tools add.
                   "小计": SUBTOTAL, "法人或其他组织小计": SUBTOTAL, "法人或者其他组织小计": SUBTOTAL,
                   "法人或其它组织小计": SUBTOTAL}


def _transposed(table: Table) -> bool:
    """A §三 table printed with the applicant types as rows and the outcomes as columns."""
    rows = table.rows
    if len(rows) < 4 or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        return False
    first_col = {S3_COLUMN_WORDS.get(norm(r[0].text)) for r in rows[1:] if len(r[0].text) < 20} - {None}
    if len(first_col) < 3:
        return False
    first_row = sum(1 for c in rows[0][1:] if s3_row(c.text) not in (None, "outcome.total", "outcome.other.other"))
    return first_row >= 3


def s3_header_columns(table: Table) -> dict[int, str] | None:
    """Grid column -> §三 column key, from the header rows above the first data row.

    Where a column has several header texts (a parent over its children), the lowest one names it.
    None when the table has no §三 header.
    """
    found: dict[int, str] = {}
    for grid_row in table.rows[:6]:
        if any(s3_row(cell.text) not in (None, "outcome.total", "outcome.other.other") for cell in grid_row[:4]):
            break
        for c, cell in enumerate(grid_row):
            key = S3_COLUMN_WORDS.get(norm(cell.text)) if len(cell.text) < 20 else None
            if key is not None:
                found[c] = key
    return found if len(found) >= 3 else None


def _line_tokens(line: str, row: int) -> list[Tok]:
    text = nfkc(line)
    if not text.strip(_PAD):  # == not clean(line), from the one normalisation of the line
        # Padding-only (NBSP) lines are empty cells in flattened tables; plain empty lines are separators.
        return [Tok(text=line, row=row)] if ("\u00a0" in line or "\u3000" in line) else []
    if is_value_text(line):
        return [Tok(text=line, row=row)]
    hits = find_labels(text)
    if not hits:
        return _plain_line(line, row)
    out: list[Tok] = []
    pos = 0
    for start, end, tag in hits:
        if start > pos:
            out.extend(_between(text[pos:start], row))
        out.append(Tok(text=text[start:end], row=row, tag=tag))
        pos = end
    if pos < len(text):
        out.extend(_between(text[pos:], row))
    return out


def _plain_line(line: str, row: int) -> list[Tok]:
    """A line without labels: one cell, or several numbers separated by spaces (PDF value rows)."""
    parts = line.split()
    if len(parts) > 1:
        sts = [parse_value(p, money=True, signed=True).st for p in parts]
        # Numbers, or (in a row long enough not to be a page number like "- 3 -") numbers, dashes
        # and 无 ("— — — … —": a §四 row with no cases).
        if all(st == "ok" for st in sts) or (len(parts) >= 4 and "text" not in sts):
            return [Tok(text=p, row=row, in_row=True) for p in parts]
        # A short text, then numbers: a row label in a wording the label list does not know, or the
        # end of a label broken over two lines ("公开申请数量 129 127 …"), then the row's cells.
        k = len(parts)
        while k > 0 and sts[k - 1] != "text":
            k -= 1
        head = " ".join(parts[:k])
        if k and len(parts) - k >= 2 and "ok" in sts[k:] and len(head) <= 30 and not any(ch.isdigit() for ch in head) \
                and not any(ch in head for ch in ":：;；。"):  # "数据来源：某中心 2024 1 20" is prose
            return [Tok(text=head, row=row)] + [Tok(text=p, row=row, in_row=True) for p in parts[k:]]
    return [Tok(text=line, row=row)]


_EXPLANATION = re.compile(r"^\s*(\([^()]*\)|\))")


def _between(piece: str, row: int) -> list[Tok]:
    """Text between two labels of running text: leading values, then whatever is left. A label's
    explanation in brackets ("规章(设区的市…) 0 0 0") is kept apart from the values after it."""
    e = _EXPLANATION.match(piece)
    if e and e.end() < len(piece):
        return [Tok(text=e.group(1), row=row), *_between(piece[e.end():], row)]
    m = _VALUE_RUN.match(piece)
    if not m:
        return [Tok(text=piece, row=row)] if piece.strip() else []
    run, rest = m.group(1), piece[m.end():]
    if rest and rest[0] in _UNIT_AFTER:
        # Digits glued to a unit or date ("共69条", "2020年") are prose, not table cells.
        return [Tok(text=piece, row=row)]
    out = [Tok(text=p, row=row, glued=True) for p in run.split()]
    if rest.strip():
        out.append(Tok(text=rest, row=row))
    return out
