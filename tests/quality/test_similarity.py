"""dashboard.similarity: copy-paste detection across units of a county and across years of one unit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard import similarity as sim
from tests.dashboard import factories as f
from tests.quality.factories import make_report

OVERVIEW = (
    "2021年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "全面推进决策、执行、管理、服务、结果公开。全年通过政府门户网站主动公开政府信息{n}条，"
    "其中机构职能类信息12条，财政预决算信息8条，涉农补贴信息20条。进一步规范依申请公开办理流程，"
    "严格按照法定时限答复。加强政府信息公开平台建设，及时更新栏目内容，确保信息准确完整。"
)
OTHER = (
    "本年度本单位围绕乡村振兴重点任务，细化公开目录，对照上级要点逐项梳理公开事项清单，"
    "组织工作人员参加业务培训两次，修订完善保密审查制度，新设便民服务专栏，听取群众意见建议，"
    "下一步将继续加强队伍建设和监督考核，推动公开工作提质增效，切实保障人民群众知情权参与权监督权。"
)


def doc(key, text, names=()):
    return sim.Doc(key=key, label=key, text=text, names=tuple(names))


def test_normalising_drops_punctuation_folds_digits_and_masks_the_units_own_name():
    norm, starts, ends = sim.normalise("2021年，甲镇公开信息39条。", names=["甲镇"])
    assert norm == "0年〇公开信息0条"
    assert len(starts) == len(ends) == len(norm)
    assert (starts[0], ends[0]) == (0, 3)  # the number 2021
    assert (starts[2], ends[2]) == (6, 7)  # 〇 stands for 甲镇


@pytest.mark.parametrize("text", ["2021年，甲镇公开信息39条。", "㈠甲镇甲镇，3.5万元_x；ABC①", "", "无。", "甲镇" * 3])
def test_the_fast_comparable_form_is_the_highlighting_form(text):
    assert sim.comparable(text, ["甲镇"]) == sim.normalise(text, ["甲镇"])[0]


def test_a_copy_with_only_the_name_and_numbers_changed_is_identical():
    a = doc("甲镇", OVERVIEW.format(name="甲镇", n=39), ["甲镇"])
    b = doc("乙乡", OVERVIEW.format(name="乙乡", n=125), ["乙乡"])
    assert sim.jaccard(a.grams, b.grams) == 1.0


def test_independent_texts_are_not_grouped():
    a = doc("甲镇", OVERVIEW.format(name="甲镇", n=39), ["甲镇"])
    b = doc("丙镇", OTHER, ["丙镇"])
    assert sim.jaccard(a.grams, b.grams) < 0.2
    assert sim.find_groups([a, b]) == []


def test_groups_join_near_identical_texts_transitively_and_skip_short_ones():
    base = OVERVIEW.format(name="X", n=1)
    docs = [
        doc("a", base),
        doc("b", base + "另外，本镇还开展了政务公开日活动。"),
        doc("c", base + "另外，本镇还开展了政务公开日活动。此外组织了一次专题培训。"),
        doc("d", OTHER),
        doc("e", "无。"),
        doc("f", "无。"),
    ]
    groups = sim.find_groups(docs, threshold=0.8)
    assert len(groups) == 1
    assert {d.key for d in groups[0].members} == {"a", "b", "c"}
    assert 0.8 <= groups[0].min_similarity <= groups[0].max_similarity <= 1.0


def test_the_length_filter_never_drops_a_pair_above_the_threshold():
    base = OVERVIEW.format(name="X", n=1)
    docs = [doc(str(i), base + OTHER[: i * 12]) for i in range(8)]
    brute = {(p.a.key, p.b.key) for p in (
        sim.Pair(a, b, sim.jaccard(a.grams, b.grams)) for i, a in enumerate(docs) for b in docs[i + 1:])
        if p.similarity >= 0.6}
    found = {tuple(sorted((p.a.key, p.b.key))) for p in sim.similar_pairs(docs, threshold=0.6)}
    assert found == {tuple(sorted(k)) for k in brute}


def test_shared_passages_are_marked_on_the_original_text():
    a = doc("a", "第一段完全不同的内容在这里写着。" + OTHER)
    b = doc("b", "这是另外一个开头，毫无关系的句子。" + OTHER)
    segments = sim.shared_segments(a, [b])
    assert "".join(s.text for s in segments) == a.text
    shared = "".join(s.text for s in segments if s.shared)
    assert "乡村振兴重点任务" in shared and "完全不同" not in shared
    assert 0.7 < sim.shared_ratio(segments) < 1.0


def test_short_common_phrases_are_not_marked():
    a = doc("a", "甲甲甲甲甲甲甲甲政府信息公开乙乙乙乙乙乙乙乙乙乙")
    b = doc("b", "丙丙丙丙丙丙丙丙政府信息公开丁丁丁丁丁丁丁丁丁丁")
    assert not any(s.shared for s in sim.shared_segments(a, [b]))


@pytest.mark.django_db
def test_the_county_page_groups_copies_and_escapes_everything(client, reviewer, county):
    units = [f.org(name, parent=county) for name in ("甲镇", "乙镇", "丙镇")]
    evil = "<b onmouseover=alert(1)>加粗</b>"
    make_report(units[0], 2021, text_overview=OVERVIEW.format(name="甲镇", n=3) + evil)
    make_report(units[1], 2021, text_overview=OVERVIEW.format(name="乙镇", n=8) + evil)
    make_report(units[2], 2021, text_overview=OTHER)
    client.force_login(reviewer)
    html = client.get(reverse("review-similarity"), {"county": county.public_id, "year": 2021}).content.decode()
    assert "发现 1 组内容雷同" in html
    assert "<mark>" in html and "&lt;b onmouseover=alert(1)&gt;" in html and "<b onmouseover" not in html
    assert "乡村振兴" not in html  # 丙镇 wrote its own text: not in any group


@pytest.mark.django_db
def test_the_unit_page_compares_years(client, reviewer, town):
    for year in (2021, 2022, 2023):
        make_report(town, year, text_overview=OVERVIEW.format(name="甲镇", n=year) if year < 2023 else OTHER)
    client.force_login(reviewer)
    html = client.get(reverse("review-similarity-unit", args=[town.public_id])).content.decode()
    assert "比较了 3 个年度，1 对" in html and "2021 ↔ 2022" in html
