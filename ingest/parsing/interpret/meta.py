"""Report metadata: title, agency, year covered, publication date, §一 stated counts. Never guessed."""

from __future__ import annotations

import re
import unicodedata

from ..model import StatedCount

_TITLE_AGENCY_FIRST = re.compile(
    r"([^\s\d:：,，。;；|>《》()（）]{2,40}?)\s*((?:19|20)\d{2})\s*年(?:度)?\s*(?:的)?\s*(?:政府信息公开|政务公开)(?:工作)?\s*(?:年度\s*)?报告")
_TITLE_YEAR_FIRST = re.compile(
    r"((?:19|20)\d{2})\s*年(?:度)?\s*([^\s\d:：,，。;；|>《》()（）]{2,40}?)\s*(?:政府信息公开|政务公开)(?:工作)?\s*(?:年度\s*)?报告")
_TITLE_YEAR_AFTER = re.compile(
    r"([^\s\d:：,，。;；|>《》()（）]{2,40}?)\s*(?:政府信息公开|政务公开)(?:工作)?\s*(?:年度\s*)?报告\s*[(（]\s*((?:19|20)\d{2})\s*年?度?\s*[)）]")
_TITLE_NO_YEAR = re.compile(
    r"(?:(?:标题|题目|文章标题|名称)[:：]?\s*)?([^\s\d:：,，。;；|>《》()（）]{2,40}?)\s*(?:政府信息公开|政务公开)(?:工作)?\s*年度\s*报告")
_LABEL_PREFIX = re.compile(r"^(?:标题|题目|文章标题|名称|关于|印发|当前位置)[:：]?")
# Words that show the match is a sentence about the report, not its title.
_NOT_AGENCY = re.compile(r"做好|编制|根据|按照|要求|通知|发布|印发|报送|本机关|我")
_AGENCY_TAIL = re.compile(r"(?:关于|的)$")
_PUB = re.compile(r"(?:发布|公开|成文|印发)(?:时间|日期)\s*[:：]?\s*((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_PERIOD = re.compile(r"(?:统计期限|统计期|统计时间|统计时限|统计区间|数据时限|数据统计|时间范围|起止时间)[^。]{0,12}?"
                     r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_COUNT = re.compile(r"(?:公开|发布|公布|主动公开)[^，,。；;：:]{0,24}?(?<![\d.])(\d{1,7})\s*(条|件|篇|个)")


_LINK_LINE = re.compile(r"^\s*(?:上一篇|下一篇|上一条|下一条|相关(?:阅读|文章|链接|信息|文件)|推荐阅读|热点|热门|往期)")


def find_title(lines: list[str], meta_title: str | None, period_year: int | None = None
               ) -> tuple[str | None, str | None, int | None]:
    """(title, agency, year) from the container's title or the first lines of the page.

    Pages also show other reports' titles (a sidebar, related links, the column's list) above the
    report's own. So: the container's title when it names the report; else the titles found in
    the lines (a title broken over two lines counts where it starts), those of the year the
    statistics period covers first, and of those the last one, the line right above the text.
    """
    meta = _title_in(meta_title) if meta_title else None
    if meta is not None and (period_year is None or meta[2] == period_year):
        return meta
    lines = [ln for ln in lines if ln.strip() and not _LINK_LINE.match(ln)]
    found_at = [_title_in(ln) for ln in lines]
    found = []
    for i, one in enumerate(found_at):
        if one is not None:
            found.append((*one, _whole(one[0], lines[i])))
        elif i + 1 < len(lines) and found_at[i + 1] is None:
            # A title broken over two lines (PDF conversions): the two lines joined.
            joined_line = lines[i].strip() + lines[i + 1].strip()
            joined = _title_in(joined_line)
            if joined is not None:
                found.append((*joined, _whole(joined[0], joined_line)))
    if meta is not None:
        return meta  # the container names a year the period does not: said by the caller
    # A title stands on a line of its own; one quoted in a sentence ("根据《示例县2023年政府信息公开
    # 工作年度报告》…") is not this report's. Whole-line titles first, then any.
    whole = [f for f in found if f[3]] or found
    pool = [f for f in whole if f[2] == period_year] if period_year is not None else whole
    if pool:
        return pool[-1][:3]
    if found:
        # Titles of other years only (links to other reports, or a stale statistics period): the
        # period is what defines the year covered; the title is not known to be this report's.
        return None, None, period_year
    for text in ([meta_title] if meta_title else []) + lines:
        # A title line without a year ("XX镇政府信息公开工作年度报告"): the agency only.
        m = _TITLE_NO_YEAR.fullmatch(unicodedata.normalize("NFKC", text[:120]).strip())
        if m and not _NOT_AGENCY.search(m.group(1)):
            agency = _AGENCY_TAIL.sub("", _LABEL_PREFIX.sub("", m.group(1)))
            return re.sub(r"\s+", "", _LABEL_PREFIX.sub("", m.group(0))), agency or None, None
    return None, None, None


def _whole(title: str, line: str) -> bool:
    rest = re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))
    return len(title) >= 0.6 * len(rest)


def _title_in(text: str) -> tuple[str, str | None, int] | None:
    t = unicodedata.normalize("NFKC", text[:300]).strip()
    if "报告" not in t or ("政府信息公开" not in t and "政务公开" not in t):
        return None  # every title pattern has these words: most lines are not tried at every position
    m = _TITLE_AGENCY_FIRST.search(t)
    if m and _NOT_AGENCY.search(m.group(1)):
        m = None
    if m is None:
        m = _TITLE_YEAR_AFTER.search(t)
        if m and _NOT_AGENCY.search(m.group(1)):
            m = None
    if m:
        agency = _AGENCY_TAIL.sub("", _LABEL_PREFIX.sub("", m.group(1)))
        title = _LABEL_PREFIX.sub("", t[m.start():m.end()])
        return re.sub(r"\s+", "", title), agency or None, int(m.group(2))
    m = _TITLE_YEAR_FIRST.search(t)
    if m:
        title = re.sub(r"\s+", "", t[m.start():m.end()])
        return title, m.group(2), int(m.group(1))
    return None


def find_period_year(text: str) -> int | None:
    m = _PERIOD.search(unicodedata.normalize("NFKC", text))
    return int(m.group(1)) if m else None


def find_published(lines: list[str]) -> str | None:
    for line in lines:
        m = _PUB.search(unicodedata.normalize("NFKC", line[:2000]))
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


# A sentence and the mark that ends it; what follows the last mark is the last sentence.
_SENTENCE = re.compile(r"[^。；;！!]*[。；;！!]")


def sentences(text: str) -> list[str]:
    """``text`` cut after every 。；;！! (what ``re.split(r"(?<=[。；;！!])", text)`` gives, found
    without trying the lookbehind at every position)."""
    out = _SENTENCE.findall(text)
    end = sum(map(len, out))
    out.append(text[end:])
    return out


def stated_counts(text: str, normalized: str | None = None) -> list[StatedCount]:
    """Counts of published items stated in §一 prose, each with its sentence as evidence.

    ``normalized``: NFKC of ``text`` when the caller has it already."""
    out: list[StatedCount] = []
    for sentence in sentences(normalized if normalized is not None else unicodedata.normalize("NFKC", text)):
        for m in _COUNT.finditer(sentence):
            what = re.sub(r"^(?:公开|发布|公布|主动公开)", "", m.group(0)[: m.start(1) - m.start()])
            what = what.strip(" 共计约了") or "信息"
            out.append(StatedCount(what=what[:30], value=int(m.group(1)), unit=m.group(2),
                                   sentence=sentence.strip()[:300]))
        if len(out) >= 50:
            break
    return out
