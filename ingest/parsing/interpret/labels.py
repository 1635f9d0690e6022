"""Label vocabulary: section headings, §二 captions and rows, §三 rows, §四 header words.

Two ways to recognise a label:

* ``find_labels`` searches running text (a crawler page with the whole table on
  one line) for official label forms and reports where each one is.
* ``s2_row`` / ``s3_row`` / ``heading_of`` classify one whole cell or line by
  its stem, which tolerates wording variants (FORMAT.md §8.2, §10.5).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from ..values import nfkc

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』〝〞]")
_ENUM = re.compile(r"^(?:[(（]?[一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[.、．)）]|[(（]\d+[)）])+")
_Q = "[\"'“”‘’]?"


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """NFKC, no whitespace, no quote characters: the form labels are compared in."""
    return _QUOTES.sub("", _WS.sub("", nfkc(text)))


def strip_enum(label: str) -> str:
    return _ENUM.sub("", label)


# ----------------------------------------------------------------------------- headings

HEADING_KEYS = ("s1_overview", "s2_proactive", "s3_applications", "s4_review_litigation", "s5_problems", "s6_other")
_HEADINGS = {
    "s1_overview": r"一[、.．]\s*总体情况",
    "s2_proactive": r"二[、.．]\s*(?:行政机关)?主动公开政府信息(?:的)?情况",
    "s3_applications": r"三[、.．]\s*收到和处理政府信息公开申请(?:的)?情况",
    "s4_review_litigation": r"四[、.．]\s*(?:因)?政府信息公开(?:工作)?(?:被)?(?:申请)?行政复议[、和及]?(?:提起)?行政诉讼(?:的)?情况",
    "s5_problems": r"五[、.．]\s*(?:政府信息公开工作)?存在的?主要问题(?:及|和)改进(?:的)?情况",
    "s6_other": r"六[、.．]\s*其[他它](?:需要)?报告的?事项",
}
# Looser forms for a whole line or cell (numeral + keyword), FORMAT.md §8.2.
_HEADING_LOOSE = {
    "s1_overview": re.compile(r"^一[、.]总体情况"),
    "s2_proactive": re.compile(r"^二[、.].{0,8}主动公开.{0,10}情况$"),
    "s3_applications": re.compile(r"^三[、.].{0,6}收到和处理.{0,20}情况$"),
    "s4_review_litigation": re.compile(r"^四[、.].{0,16}(?:复议|诉讼).{0,12}情况$"),
    "s5_problems": re.compile(r"^五[、.].{0,16}问题.{0,12}$"),
    "s6_other": re.compile(r"^六[、.]其[他它].{0,6}事项$"),
}


def heading_of(text: str) -> str | None:
    return heading_of_norm(norm(text))


@lru_cache(maxsize=4096)
def heading_of_norm(n: str) -> str | None:
    """heading_of for a text already in ``norm`` form."""
    if len(n) > 40 or n[:1] not in "一二三四五六":  # every loose form starts with its numeral
        return None
    for key, rx in _HEADING_LOOSE.items():
        if rx.match(n):
            return key
    return None


# ----------------------------------------------------------------------------- §二

CAPTION = re.compile(r"第二十条第[(（]?([一二三四五六七八九十]+|\d+)[)）]?项")
_CAPTION_RUN = r"第二十条第[(（]?(?:[一二三四五六七八九十]+|\d+)[)）]?项"
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@lru_cache(maxsize=4096)
def caption_block(text: str) -> str | None:
    """'第二十条第（五）项' -> 'art20_5'."""
    m = CAPTION.search(nfkc(text))
    if not m:
        return None
    g = m.group(1)
    n = int(g) if g.isdigit() else _cn_int(g)
    return f"art20_{n}" if n else None


def _cn_int(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_NUM.get(s[1:], 0)
    if s.endswith("十"):
        return _CN_NUM.get(s[0], 0) * 10
    return _CN_NUM.get(s, 0)


S2_ROWS = {
    "art20_1": (("regulations", r"规章"), ("normative_docs", r"(?:行政)?规范性文件")),
    "art20_5": (("licensing", r"行政许可"), ("other_admin_services", r"其他对外管理服务事项")),
    "art20_6": (("penalty", r"行政处罚"), ("coercion", r"行政强制")),
    "art20_8": (("admin_fees", r"行政事业性收费"),),
    "art20_9": (("central_procurement", r"政府集中采购"),),
}


@cache
def _s2_cell_rx(block: str) -> tuple[tuple[str, re.Pattern], ...]:
    # A whole cell: the label, optionally with a parenthetical explanation (some towns print one).
    return tuple((row, re.compile(rf"^{rx}(?:\(.*\))?$")) for row, rx in S2_ROWS[block])


@lru_cache(maxsize=4096)
def s2_row(text: str, block: str) -> str | None:
    n = strip_enum(norm(text))
    for row, rx in _s2_cell_rx(block):
        if rx.match(n):
            return row
    return None


# ----------------------------------------------------------------------------- §三

# (key, stem matched in a whole normalised cell, official form found in running text)
S3_LABELS: tuple[tuple[str, str, str], ...] = (
    ("received_new", r"本年新收", r"(?:一[、.]\s?)?本年新收政府信息公开申请数量"),
    ("carried_over_prev", r"上年结转", r"(?:二[、.]\s?)?上年结转政府信息公开申请数量"),
    ("@outcome", r"^本年度办理结果$", r"(?:三[、.]\s?)?本年度办理结果"),
    ("outcome.granted", r"^予以公开(?:\(.*\))?$", r"\(一\)予以公开"),
    ("outcome.partial", r"^部分公开", r"(?:\(二\))?部分公开(?:\([^)]{0,30}\))?"),
    ("@denied", r"^不予公开$", r"\(三\)不予公开"),
    ("outcome.denied.state_secret", r"国家秘密", r"(?:1[.、]\s?)?属于国家秘密"),
    ("outcome.denied.law_prohibited", r"法律行政法规禁止", r"(?:2[.、]\s?)?其他法律行政法规禁止公开"),
    ("outcome.denied.security_stability", r"三安全一稳定", rf"(?:3[.、]\s?)?危及{_Q}三安全一稳定{_Q}"),
    ("outcome.denied.third_party", r"第三方合法权益", r"(?:4[.、]\s?)?保护第三方合法权益"),
    ("outcome.denied.internal_affairs", r"内部事务", r"(?:5[.、]\s?)?属于三类内部事务信息"),
    ("outcome.denied.process_info", r"过程性信息", r"(?:6[.、]\s?)?属于四类过程性信息"),
    ("outcome.denied.enforcement_file", r"行政执法案卷", r"(?:7[.、]\s?)?属于行政执法案卷"),
    ("outcome.denied.admin_inquiry", r"行政查询事项", r"(?:8[.、]\s?)?属于行政查询事项"),
    ("@unable", r"^无法提供$", r"\(四\)无法提供"),
    ("outcome.unable.not_held", r"不掌握", r"(?:1[.、]\s?)?本机关不掌握相关政府信息"),
    ("outcome.unable.needs_creation", r"另行制作", r"(?:2[.、]\s?)?没有现成信息需要另行制作"),
    ("outcome.unable.still_unclear", r"补正后.*不明确", r"(?:3[.、]\s?)?补正后申请内容仍不明确"),
    ("@not_processed", r"^不予处理$", r"\(五\)不予处理"),
    ("outcome.not_processed.petition", r"信访|举报|投诉", r"(?:1[.、]\s?)?信访举报投诉类申请"),
    ("outcome.not_processed.duplicate", r"^重复申请", r"(?:2[.、]\s?)?重复申请"),
    ("outcome.not_processed.publication", r"公开出版物", r"(?:3[.、]\s?)?要求提供公开出版物"),
    ("outcome.not_processed.excessive", r"大量反复", r"(?:4[.、]\s?)?无正当理由大量反复申请"),
    ("outcome.not_processed.confirm_reissue", r"确认或重新出具", r"(?:5[.、]\s?)?要求行政机关确认或重新出具已获取信息"),
    ("@other", r"^其他处理$", r"\(六\)其他处理"),
    ("outcome.other.no_correction", r"逾期不补正",
     r"(?:1[.、]\s?)?申请人(?:无正当理由)?逾期不补正(?:[、,]?行政机关不再处理(?:其政府信息公开申请)?)?"),
    ("outcome.other.fee_unpaid", r"缴纳费用|未缴费|收费通知",
     r"(?:2[.、]\s?)?申请人逾期未(?:按收费通知要求)?缴(?:纳)?费(?:用)?(?:[、,]?行政机关不再处理(?:其政府信息公开申请)?)?"),
    ("outcome.other.other", r"^其[他它](?:原因)?$", r"(?:3[.、．]\s?|\(3\))其[他它](?:原因|情形)?"),
    ("outcome.total", r"^总计$|^合计$", r"\(七\)(?:总计|合计)"),
    ("carried_forward_next", r"结转下.?年度", r"(?:四[、.]\s?)?结转下一?年度继续办理"),
)
_S3_STEMS = tuple((key, re.compile(stem)) for key, stem, _ in S3_LABELS)


@lru_cache(maxsize=4096)
def s3_row(text: str) -> str | None:
    """Classify a whole cell/line of §三. Context-dependent words (其他, 总计) are resolved by the caller."""
    n = norm(text)
    if len(n) > 70 or not n:
        return None
    stem = strip_enum(n)
    if "勾稽关系" in n:
        return None
    for key, rx in _S3_STEMS:
        if rx.search(stem):
            return key
    return None


# ----------------------------------------------------------------------------- running text

S4_WORDS = r"行政复议|行政诉讼|未经复议直接起诉|复议后起诉|结果维持|结果纠正|其他结果|尚未审结|总计"


def _structure(rx: str, start: int = 0):
    """(index, character, group depth after it) for each character of ``rx`` from ``start`` that is
    neither escaped nor inside a character class."""
    depth, i, in_class = 0, start, False
    while i < len(rx):
        ch = rx[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def _group_end(rx: str, start: int) -> int:
    """Index of the ')' closing the group that opens at ``rx[start]``."""
    for i, ch, depth in _structure(rx, start):
        if ch == ")" and depth == 0:
            return i
    raise ValueError(f"unbalanced group in {rx!r}")


def _top_level_split(body: str) -> list[str]:
    """``body`` cut at its top-level '|' (not inside a group or a character class)."""
    out, start = [], 0
    for i, ch, depth in _structure(body):
        if ch == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
    out.append(body[start:])
    return out


def _expand(rx: str) -> list[str]:
    """'(?:1[.、])?X' -> ['1[.、]X', 'X'], '(?:A|B)X' -> ['AX', 'BX']: alternatives, in the order the
    regex engine tries them, that each start with a literal character."""
    if not rx.startswith("(?:"):
        return [rx]
    end = _group_end(rx, 0)
    parts = _top_level_split(rx[3:end])
    rest = rx[end + 1:]
    if rest.startswith("?") and not rest.startswith("??"):
        heads, rest = [*parts, ""], rest[1:]
    elif rest[:1] in ("*", "+", "{") or rest.startswith("?"):
        return [rx]  # a repeated or lazy group: left as it is
    else:
        heads = parts
    return [alt for head in heads for alt in _expand(head + rest)]


def _first_literal(alt: str) -> tuple[str, str] | None:
    """(first character as regex source, the rest) when ``alt`` opens with one plain literal character
    (not a class, group or escape sequence, and not repeated)."""
    if alt[:1] == "\\":
        head = alt[:2] if len(alt) >= 2 and not alt[1].isalnum() else None  # \( is literal, \d is not
    else:
        head = alt[:1] if alt[:1] and alt[0] not in ".^$*+?{}[]|()" else None
    if head is None or alt[len(head):len(head) + 1] in ("*", "+", "?", "{"):
        return None
    return head, alt[len(head):]


def _by_first_character(alts: list[str]) -> str:
    """One alternation of ``alts`` grouped by their first character: 'c(?:rest1|rest2)|d(?:…)'.

    Alternatives with different first characters never match at the same position, so the
    grouping keeps the order in which matching alternatives are tried. With every alternative
    opening with a literal, the engine also skips positions whose character starts none of them.
    """
    groups: dict[str, list[str]] = {}
    for alt in alts:
        split = _first_literal(alt)
        if split is None:
            return "|".join(alts)  # cannot be grouped safely: the plain alternation
        groups.setdefault(split[0][-1], []).append(split[1])  # keyed by the character, escaped or not
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())


@cache
def _running_table() -> tuple[re.Pattern, tuple[tuple[str, re.Pattern], ...]]:
    """All official label forms as one alternation, most specific first.

    Optional or alternative openings are multiplied out so that every
    alternative starts with a literal character, and the alternatives are
    grouped by that character: the regex engine skips positions whose
    character starts no label and tries only the alternatives of the one it
    sees (a large speed-up on long crawler lines). The engine takes the first
    alternative that matches at the leftmost position, so longer forms come
    before their parts; the tag is recovered by matching the hit again.
    """
    pats: list[tuple[str, str]] = [(f"h:{k}", rx) for k, rx in _HEADINGS.items()]
    pats.extend((f"s3:{key}", full) for key, _, full in S3_LABELS)
    pats.append(("cap", _CAPTION_RUN))
    for block, rows in S2_ROWS.items():
        pats.extend((f"s2:{block}:{row}", rx) for row, rx in rows)
    pats.extend(("s4hdr", w) for w in S4_WORDS.split("|"))
    alts = [alt for _, rx in pats for alt in _expand(rx)]
    combined = re.compile(_by_first_character(alts))
    return combined, tuple((tag, re.compile(rx)) for tag, rx in pats)


def find_labels(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, tag) of official labels in running text, leftmost first."""
    rx, _ = _running_table()
    out: list[tuple[int, int, str]] = []
    for m in rx.finditer(text):
        tag = _tag_of(m.group(0))
        if tag is not None:
            out.append((m.start(), m.end(), tag))
    return out


@lru_cache(maxsize=2048)
def _tag_of(hit: str) -> str | None:
    for tag, one in _running_table()[1]:
        if one.fullmatch(hit):
            return tag
    return None
