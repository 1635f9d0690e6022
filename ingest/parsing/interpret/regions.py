"""Cut the token stream into sections: headings where they exist, table anchors where they do not."""

from __future__ import annotations

from dataclasses import dataclass, field

from .labels import HEADING_KEYS, S2_ROWS, caption_block, heading_of, heading_of_norm, s2_row, s3_row
from .tokens import Tok

ORDER = {k: i for i, k in enumerate(HEADING_KEYS)}
_S4_ANCHORS = {"行政复议", "行政诉讼"}
_TOC_TEXT = 120  # characters between headings below which they are a table of contents


@dataclass
class Regions:
    section_of: list[str | None]  # per token: "pre" | heading key
    headings: dict[str, str] = field(default_factory=dict)  # key -> raw heading text

    _by_key: dict[str, list[int]] | None = field(default=None, repr=False, compare=False)

    def tokens(self, toks: list[Tok], key: str) -> list[Tok]:
        if len(toks) != len(self.section_of):
            raise ValueError("tokens and section_of differ in length")
        if self._by_key is None:
            # One pass over section_of for all keys; section_of is final once split_regions returns.
            by_key: dict[str, list[int]] = {}
            for i, s in enumerate(self.section_of):
                by_key.setdefault(s, []).append(i)
            self._by_key = by_key
        return [toks[i] for i in self._by_key.get(key, ())]


def heading_key(tok: Tok) -> str | None:
    if tok.tag and tok.tag.startswith("h:"):
        return tok.tag[2:]
    if tok.tag is None and len(tok.norm) <= 40:
        # tok.norm is norm(text) for texts of up to 200 characters
        return heading_of_norm(tok.norm) if len(tok.text) <= 200 else heading_of(tok.text)
    return None


def split_regions(toks: list[Tok]) -> Regions:
    """Assign every token to a section. Sections only move forward; tables can open their section.

    A table of contents (the six headings with next to no text between them) is not the body:
    when a heading comes round again that soon, everything so far is treated as preface.
    """
    current = "pre"
    section_of: list[str | None] = []
    regions = Regions(section_of=section_of)
    first_heading: int | None = None
    text_since = 0
    heads = _heading_keys(toks)
    rank = ORDER.get
    # later[i]: the lowest rank of a heading after token i. A table label may open a section only
    # where no heading of that section (or an earlier one) is still to come: "本年新收政府信息公开
    # 申请数量3件" in §一's prose must not open §三 before the tables' own headings.
    later = [len(ORDER)] * (len(toks) + 1)
    for i in range(len(toks) - 1, -1, -1):
        later[i] = min(later[i + 1], rank(heads[i], -1)) if heads[i] is not None else later[i + 1]
    s2, s3, s4 = ORDER["s2_proactive"], ORDER["s3_applications"], ORDER["s4_review_litigation"]
    cur = -1  # rank of current
    for i, tok in enumerate(toks):
        h = heads[i]
        if h is not None and first_heading is not None and rank(h, -1) <= cur and text_since < _TOC_TEXT:
            for k in range(first_heading, i):
                section_of[k] = "pre"
            current, cur, first_heading, text_since = "pre", -1, None, 0
            regions.headings.clear()
        # _switch, inline: the section this token opens, if any.
        after = later[i + 1]
        if h is not None and rank(h, -1) > cur:
            nxt = h
        elif cur < s2 < after and (tok.tag == "cap" or (tok.tag is None and _is_caption(tok))):
            nxt = "s2_proactive"
        elif cur < s3 < after and _opens_s3(tok):
            nxt = "s3_applications"
        elif cur == s3 and s4 < after and _opens_s4(tok):
            nxt = "s4_review_litigation"
        else:
            nxt = None
        if nxt is not None and h is None and not _table_follows(toks, i, nxt):
            nxt = None  # a table label in a sentence, not the start of a table
        if nxt is not None and nxt != current:
            current, cur = nxt, rank(nxt, -1)
            if h == nxt and nxt not in regions.headings:
                regions.headings[nxt] = tok.text.strip()
                if first_heading is None:
                    first_heading = i
        elif first_heading is not None and h is None:
            text_since += len(tok.norm)
        section_of.append(current)
    return regions


def _heading_keys(toks: list[Tok]) -> list[str | None]:
    """heading_key of every token; only a short text opening with 一…六 can be a loose heading."""
    out: list[str | None] = []
    for tok in toks:
        tag = tok.tag
        if tag is not None:
            out.append(tag[2:] if tag.startswith("h:") else None)
            continue
        n = tok.norm
        if len(n) > 40 or (n[:1] not in _NUMERALS and len(tok.text) <= 200):
            out.append(None)
        else:
            out.append(heading_key(tok))
    return out


_NUMERALS = "一二三四五六"


_S2_HEADER_START = ("信息内容", "本年", "上一年", "采购", "处理决定")
_LOOKAHEAD = 60  # tokens


def _table_follows(toks: list[Tok], i: int, section: str) -> bool:
    """Whether the label at ``toks[i]`` that would open ``section`` starts a table there.

    A §二 caption must be followed by its block's header or a row label; a §三 first-row label by
    the second row's label (上年结转) before any other §三 row. Labels quoted in prose are not.
    """
    if section == "s2_proactive":
        for t in toks[i + 1:i + 4]:
            if t.is_blank:
                continue
            n = t.norm
            return n.startswith(_S2_HEADER_START) or (t.tag or "").startswith("s2:") or bool(
                t.tag is None and len(n) <= 20 and caption_block(t.text) is None and _s2_any_row(t.text))
        return False
    if section == "s3_applications" and not ("勾稽关系" in toks[i].norm or toks[i].norm == "申请人情况"):
        for t in toks[i + 1:i + 1 + _LOOKAHEAD]:
            if t.tag == "cap" or (t.tag or "").startswith(("s2:", "h:")) or "勾稽关系" in t.norm or t.norm == "申请人情况":
                return False  # another table or section comes first
            key = t.tag[3:] if t.tag and t.tag.startswith("s3:") else (
                s3_row(t.text) if t.tag is None and len(t.norm) <= 70 else None)
            if key is not None and key != "received_new":
                return key == "carried_over_prev"
        return False
    return True


def _s2_any_row(text: str) -> bool:
    return any(s2_row(text, block) is not None for block in S2_ROWS)


def _is_caption(tok: Tok) -> bool:
    return len(tok.norm) <= 20 and caption_block(tok.text) is not None


def _opens_s3(tok: Tok) -> bool:
    n = tok.norm
    if len(n) > 70:
        return False
    if "勾稽关系" in n or n == "申请人情况":
        return True
    key = tok.tag[3:] if tok.tag and tok.tag.startswith("s3:") else (s3_row(tok.text) if tok.tag is None else None)
    return key == "received_new"


def _opens_s4(tok: Tok) -> bool:
    return tok.norm in _S4_ANCHORS
