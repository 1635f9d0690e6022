"""Label vocabulary (FORMAT.md §8.2, §10.3–10.5): whole-cell stems and label forms in running text."""

from __future__ import annotations

import unicodedata

import pytest

from ingest.parsing.interpret.labels import caption_block, find_labels, heading_of, s2_row, s3_row


def _tags(text: str) -> list[str]:
    return [tag for _, _, tag in find_labels(unicodedata.normalize("NFKC", text))]


@pytest.mark.parametrize("text, key", [
    ("3.危及“三安全一稳定”", "outcome.denied.security_stability"),
    ('3.危及"三安全一稳定"', "outcome.denied.security_stability"),
    ("3.危及三安全一稳定", "outcome.denied.security_stability"),
    ("（3）危及‘三安全一稳定’", "outcome.denied.security_stability"),
    ("1、属于国家秘密", "outcome.denied.state_secret"),
    ("1．属于国家秘密", "outcome.denied.state_secret"),
    ("1. 属于国家秘密", "outcome.denied.state_secret"),
    ("（七）合计", "outcome.total"),
    ("3.其他原因", "outcome.other.other"),
    ("2.申请人逾期未缴费、行政机关不再处理", "outcome.other.fee_unpaid"),
    ("1.申请人逾期不补正", "outcome.other.no_correction"),
    ("本年新收政府信息\n公开申请数量", "received_new"),
    ("（三）\n\n不予公开", "@denied"),
    ("四、结转下一年度继续办理", "carried_forward_next"),
])
def test_whole_cell_stems(text, key):
    assert s3_row(text) == key


@pytest.mark.parametrize("text, tag", [
    ("（七）合计 1 2 3", "s3:outcome.total"),
    ("3.其他原因 1 2", "s3:outcome.other.other"),
    ("（3）其他 1 2", "s3:outcome.other.other"),
    ("1.申请人逾期不补正 1 2", "s3:outcome.other.no_correction"),
    ("2.申请人逾期未缴费 1 2", "s3:outcome.other.fee_unpaid"),
    ("2.申请人逾期未缴纳费用、行政机关不再处理 1 2", "s3:outcome.other.fee_unpaid"),
    ("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请 0 0", "s3:outcome.other.no_correction"),
    ("3.危及三安全一稳定 0", "s3:outcome.denied.security_stability"),
])
def test_label_forms_in_running_text(text, tag):
    assert _tags(text)[0] == tag


def test_the_fee_row_of_running_text_is_not_cut_before_its_end():
    text = "2.申请人逾期未缴纳费用、行政机关不再处理 1 2"
    start, end, _ = find_labels(text)[0]
    assert text[end:].strip() == "1 2"


@pytest.mark.parametrize("text", ["第二十条第（一）项", "第二十条第(一)项", "第二十条第一项", "第二十条第1项"])
def test_caption_forms(text):
    assert caption_block(text) == "art20_1"


@pytest.mark.parametrize("text, block, row", [
    ("规范性文件", "art20_1", "normative_docs"), ("行政规范性文件", "art20_1", "normative_docs"),
    ("其他对外管理服务事项", "art20_5", "other_admin_services"), ("政府集中采购", "art20_9", "central_procurement"),
])
def test_s2_rows(text, block, row):
    assert s2_row(text, block) == row


@pytest.mark.parametrize("text, key", [
    ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "s4_review_litigation"),
    ("四、因政府信息公开工作被申请行政复议和提起行政诉讼情况", "s4_review_litigation"),
    ("五、政府信息公开工作存在的主要问题及改进情况", "s5_problems"),
    ("六、其他报告的事项", "s6_other"),
    ("三、收到和处理政府信息公开申请的情况", "s3_applications"),
    ("二、 主动公开政府信息情况", "s2_proactive"),
])
def test_heading_variants(text, key):
    assert heading_of(text) == key


def test_bare_words_are_left_to_the_caller():
    # 其他 / 总计 are header words or rows depending on where they stand; the stem lookup does not decide.
    assert s3_row("其他") == "outcome.other.other"
    assert s3_row("总计") == "outcome.total"
    assert s3_row("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）") is None


def test_label_forms_are_multiplied_out_to_literal_openings():
    from ingest.parsing.interpret.labels import _expand

    assert _expand(r"(?:1[.、]\s?)?属于国家秘密") == [r"1[.、]\s?属于国家秘密", "属于国家秘密"]
    assert _expand(r"(?:\(二\))?部分公开") == [r"\(二\)部分公开", "部分公开"]
    assert _expand(r"(?:3[.、．]\s?|\(3\))其[他它]") == [r"3[.、．]\s?其[他它]", r"\(3\)其[他它]"]
    assert _expand(r"(?:a|b)?(?:c)?d") == ["a(?:c)?d", "b(?:c)?d", "cd", "d"]
    assert _expand(r"(?:ab)*c") == [r"(?:ab)*c"]


def test_the_grouped_alternation_finds_what_the_plain_one_finds():
    """The running-text regex, grouped by first character, hits the same spans as the plain
    alternation of every label form (in list order) on texts strung together from label pieces."""
    import random
    import re

    from ingest.parsing.interpret.labels import _running_table

    grouped, forms = _running_table()
    # The reference is built from the label forms themselves, not from _expand's output, so a bug in
    # _expand shows here.
    plain = re.compile("|".join(f"(?:{one.pattern})" for _, one in forms))
    pieces = ["一、", "二.", "三、", "(一)", "(二)", "(3)", "3.", "3．", "1、", "2.", "其他", "其它", "原因", "情形",
              "部分公开", "(含说明)", "予以公开", "本年新收", "政府信息公开申请数量", "本年度办理结果", "规范性文件",
              "行政", "合计", "总计", "(七)", "第二十条第(五)项", "第二十条第五项", "第二十条第12项", "危及",
              "“三安全一稳定”", "申请人", "逾期不补正", "、行政机关不再处理", "其政府信息公开申请", "缴纳费用",
              "逾期未缴费", "无正当理由", "结转下年度继续办理", "结转下一年度继续办理", " ", "12", "0", "的", "情况",
              "主动公开政府信息", "四、", "因政府信息公开", "行政复议", "行政诉讼", "复议后起诉", "五、",
              "存在的主要问题", "和改进情况", "六、", "其他需要报告的事项", "(", ")", "属于国家秘密", "x"]
    rng = random.Random(7)
    for _ in range(4000):
        text = unicodedata.normalize("NFKC", "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))))
        assert [(m.span(), m.group()) for m in grouped.finditer(text)] == \
            [(m.span(), m.group()) for m in plain.finditer(text)], text
