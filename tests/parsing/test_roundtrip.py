"""Round trips: a generated report, rendered in every format and parsed back, is the same report.

Also the generator's own promises: valid unless asked, deterministic, errors where asked.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from ingest.parsing import parse
from ingest.parsing.model import ParsedReport
from ingest.parsing.render import EXTENSIONS, FORMATS, render
from ingest.parsing.synthetic import (
    APPLICANTS,
    ERRORS,
    TOWNSHIPS,
    generate_county,
    generate_report,
    generate_series,
    strategies,
)
from ingest.parsing.template import all_keys

from ._factories import cells_of


def _same(a: ParsedReport, b: ParsedReport) -> None:
    assert cells_of(b) == cells_of(a)
    assert (b.agency, b.report_year, b.versions) == (a.agency, a.report_year, a.versions)


# The PDF example costs ~0.3 s (render + parse); 25 examples per format keep the file well under a minute.
_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_generated_report_survives_every_format(fmt):
    @_SETTINGS
    @given(strategies())
    def check(report: ParsedReport) -> None:
        back = parse(render(report, fmt), "report" + EXTENSIONS[fmt])
        _same(report, back)
        assert all(c.ok is not False for c in back.checks)

    check()


# --------------------------------------------------------------------------- the generator itself


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(strategies())
def test_generated_reports_are_complete_and_every_identity_holds(report: ParsedReport):
    version = report.versions["s3"]
    assert set(report.cells) == set(all_keys(version))
    assert all(c.st == "ok" for c in report.cells.values())
    assert report.checks and all(c.ok is True for c in report.checks)
    assert report.cells["s2.art20_1.regulations.made"].v == 0  # townships make no 规章
    assert all(c.v >= 0 for k, c in report.cells.items() if not k.endswith("items_change"))
    assert report.agency in TOWNSHIPS and report.title == f"{report.agency}{report.report_year}年政府信息公开工作年度报告"
    assert (version == "2019") == (report.report_year <= 2020)


def test_it_is_deterministic_from_the_seed():
    a, b = generate_report(seed=5, year=2022), generate_report(seed=5, year=2022)
    assert a == b
    others = [generate_report(seed=s, year=2022) for s in range(6, 12)]
    assert any(o.cells != a.cells for o in others)


def test_it_writes_real_looking_numbers():
    reports = [r for y in (2020, 2024) for r in generate_county(seed=2, year=y)]
    values = [c.v for r in reports for c in r.cells.values()]
    zeros = sum(v == 0 for v in values) / len(values)
    assert 0.6 < zeros < 0.98  # mostly zeros, like township reports, but not only
    assert any(isinstance(v, float) for v in values)  # 收费金额 in 万元 with decimals
    assert {r.agency for r in reports} == set(TOWNSHIPS) and len(TOWNSHIPS) >= 12
    assert all(r.text["s1_overview"] and r.text["s5_problems"] and r.text["s6_other"] for r in reports)
    assert all(r.stated_counts and str(r.stated_counts[0].value) in r.text["s1_overview"] for r in reports)


def test_a_series_chains_its_carry_overs():
    series = generate_series(seed=4, agency="示例县南山乡", years=range(2019, 2026))
    assert [r.versions["s3"] for r in series] == ["2019", "2019"] + ["2021"] * 5
    for prev, cur in zip(series, series[1:], strict=False):
        for c in APPLICANTS:
            assert cur.cells[f"s3.carried_over_prev.{c}"].v == prev.cells[f"s3.carried_forward_next.{c}"].v


def test_broken_identity_breaks_an_identity():
    r = generate_report(seed=1, year=2021, errors={"broken_identity"})
    failed = {c.id for c in r.checks if c.ok is False}
    assert failed and all(i.startswith(("I1", "I3")) for i in failed)


def test_township_regulations_reports_a_regulation():
    r = generate_report(seed=1, year=2021, errors={"township_regulations"})
    assert r.cells["s2.art20_1.regulations.made"].v > 0
    assert all(c.ok for c in r.checks)


def test_missing_carry_over_loses_last_years_forward_but_keeps_identities():
    series = generate_series(seed=1, agency="示例县东河镇", years=range(2019, 2024),
                             errors={2022: {"missing_carry_over"}})
    r2021, r2022 = series[2], series[3]
    carried = {c: r2021.cells[f"s3.carried_forward_next.{c}"].v for c in APPLICANTS}
    assert sum(carried.values()) > 0  # the premise: 2021 carried applications into 2022
    assert all(r2022.cells[f"s3.carried_over_prev.{c}"].v == 0 for c in APPLICANTS)
    assert r2022.extra["previous_carried_forward"] == carried
    assert all(c.ok for c in r2022.checks)
    single = generate_report(seed=8, year=2023, errors={"missing_carry_over"})
    assert sum(single.extra["previous_carried_forward"].values()) > 0
    assert single.cells["s3.carried_over_prev.total"].v == 0


def test_unknown_errors_are_refused():
    assert "broken_identity" in ERRORS
    with pytest.raises(ValueError):
        generate_report(seed=1, year=2021, errors={"typo"})


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_report_with_a_broken_identity_round_trips_with_the_failure_visible(fmt):
    r = generate_report(seed=9, year=2020, errors={"broken_identity"})
    back = parse(render(r, fmt), "r" + EXTENSIONS[fmt])
    _same(r, back)
    assert {c.id for c in back.checks if c.ok is False} == {c.id for c in r.checks if c.ok is False}
