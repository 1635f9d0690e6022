"""Variants made from real corpus files (read from ../shared, never copied): each rewrite must leave
every cell as the untouched file gives it, or unresolved; the year covered must not change."""

from __future__ import annotations

import re
from functools import cache

import pytest

from ingest.parsing import parse
from tests.parsing.corpus_paths import CORPUS
from tests.parsing.test_variants import _CHROME_BOTTOM, _CHROME_TOP, _PROSE, _RELATED, LABEL_VARIANTS

FILES = ["009.txt", "011.txt", "003.txt", "030.txt", "029.md", "024.html", "101.html", "108.html"]

MUTATIONS = {
    "related links and page chrome": lambda t: _RELATED + _CHROME_TOP + t + _CHROME_BOTTOM,
    "prose quoting table labels in §一": lambda t: t.replace("一、总体情况", "一、总体情况\n" + _PROSE + "\n", 1),
    "full-width brackets": lambda t: t.replace("(", "（").replace(")", "）"),
    "curly quotes dropped": LABEL_VARIANTS["no quotes"],
    "ASCII quotes": lambda t: t.replace("“三安全一稳定”", '"三安全一稳定"').replace("“三安全一稳定", '"三安全一稳定'),
    "其它": LABEL_VARIANTS["其它"],
    "法人或者其他组织": LABEL_VARIANTS["法人或者其他组织"],
    "（七）合计": lambda t: re.sub(r"([(（]七[)）])总计", r"\1合计", t),
    "第二十条第一项": lambda t: re.sub(r"第二十条第[(（](.)[)）]项", r"第二十条第\1项", t),
    "1、 enumerators": lambda t: re.sub(r"(?<![\d.])([1-8])\.(?=[\u4e00-\u9fff])", r"\1、", t),
}


@cache
def _base(name: str):
    data = (CORPUS / "raw" / name).read_bytes()
    return data, parse(data, name)


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("name", FILES)
def test_a_rewritten_corpus_file_reads_the_same(name, mutation):
    data, base = _base(name)
    text = data.decode("utf-8")
    changed = MUTATIONS[mutation](text)
    if changed == text:
        pytest.skip("the file does not print what this variant rewrites")
    got = parse(changed.encode("utf-8"), name)
    assert got.report_year == base.report_year
    assert set(got.cells) == set(base.cells)
    bad = {}
    for k, c in base.cells.items():
        g = got.cells[k]
        if g.st in ("text", "missing") and c.st in ("text", "missing"):
            continue
        if (g.v, g.st) != (c.v, c.st) and g.st not in ("text", "missing"):
            bad[k] = (c.v, c.st, g.v, g.st)
        elif (g.v, g.st) != (c.v, c.st):
            bad[k] = ("newly unresolved", c.v, g.st, g.note)
    assert not bad, bad
