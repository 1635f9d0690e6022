"""English is switchable: the pages render in English for a user who chose it, in Chinese by default.

Organisation names, report titles and what users or the parser stored (upload and check messages,
review reasons, corrections) stay as they are; every label the app itself prints is translated.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from dashboard.models import Organisation, Report
from tests.conftest import make_user
from tests.dashboard.conftest import _fresh_cache, county, public  # noqa: F401 - fixtures

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

# Labels of the navigation, the filters and the page furniture, as the Chinese UI prints them.
NAV_ZH = ("总览", "排名", "逐年对比", "报告覆盖", "指标说明", "上传报告", "切换", "退出", "登录")
FILTER_ZH = ("范围", "指标", "对比年度", "单位类型", "图中前后各显示", "查看")
NAV_EN = ("Township Transparency Dashboard", "Ranking", "Year on year", "Coverage", "Metric definitions",
          "Upload reports", "Switch", "Sign out")


# ------------------------------------------------------------------ helpers
def _visible_text(html: str) -> str:
    """What a reader sees: no scripts (chart data carries unit names), tags or attributes."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<style\b.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _data_strings() -> list[str]:
    """Text that is data, not UI: names, report titles and stored texts."""
    from dashboard import metrics, quality

    out = ["简体中文"]  # the language's own name in the language menu
    out += [m.name_zh for m in metrics.METRICS]  # the metric dictionary lists both names on purpose
    for o in Organisation.objects.all():
        out += [o.name, o.full_name or ""]
    for r in Report.objects.select_related("upload"):
        out += [r.title or "", r.agency_name or "", r.upload.original_name, *r.review_reasons]
        out += [r.text_overview or "", r.text_problems or "", r.text_other or ""]
        out += [c.message for c in r.check_results.all()]
        out += [o.message for o in quality.evaluate(r)]  # check messages are Chinese by design
        out += [c.reason for c in r.corrections.all()]
    return [s for s in out if s]


def _untranslated(html: str) -> set[str]:
    """Runs of Chinese characters on the page that are no part of a name or stored text."""
    data = _data_strings()
    return {run for run in CJK.findall(_visible_text(html)) if not any(run in s for s in data)}


def _section(html: str, pattern: str) -> str:
    m = re.search(pattern, html, flags=re.S)
    assert m, pattern
    return m.group(0)


@pytest.fixture
def admin_client(client, django_user_model, county):  # noqa: F811 - fixture
    user = make_user(django_user_model, "i18n-admin", "admin")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def _pages(county):  # noqa: F811 - fixture value
    k = county["county"].public_id
    unit = county["jia"].public_id
    return {
        "home": reverse("dashboard-home"),
        "ranking": reverse("dashboard-ranking") + f"?scope={k}&metric=share_granted&year=2021",
        "trend": reverse("dashboard-trend") + f"?scope={k}&metric=share_granted",
        "overview": reverse("dashboard-overview") + f"?scope={k}",
        "metrics": reverse("dashboard-metrics"),
        "unit": reverse("dashboard-organisation", args=[unit]),
        "upload": reverse("ingest-upload"),
        "review-queue": reverse("review-queue") + "?status=all",
        "review-report": reverse("review-report", args=[county["jia2021"].public_id]),
        "review-coverage": reverse("review-coverage") + f"?county={k}&year=2021",
        "review-similarity": reverse("review-similarity") + f"?county={k}&year=2021&section=s1",
        "review-similarity-unit": reverse("review-similarity-unit", args=[unit]),
        "upload-detail": reverse("ingest-upload-detail", args=[county["jia2021"].upload.public_id]),
        "password-change": reverse("password_change"),
    }


PAGES = ["home", "ranking", "trend", "overview", "metrics", "unit", "upload", "review-queue", "review-report",
         "review-coverage", "review-similarity", "review-similarity-unit", "upload-detail", "password-change"]


# ------------------------------------------------------------------ English
@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_in_english_with_the_language_cookie(admin_client, county, page):  # noqa: F811
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resp = admin_client.get(_pages(county)[page])
    assert resp.status_code == 200
    html = resp.content.decode()
    assert '<html lang="en">' in html
    for label in NAV_EN:
        assert label in html, label
    nav = _visible_text(_section(html, r'<header class="topbar">.*?</header>'))
    assert not CJK.search(nav.replace("简体中文", "")), nav
    assert _untranslated(html) == set(), page


@pytest.mark.django_db
def test_filters_and_tables_are_english(admin_client, county):  # noqa: F811
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin_client.get(_pages(county)["ranking"]).content.decode()
    form = _section(html, r'<form method="get" class="filters" id="filters".*?</form>')
    # the scope menu lists organisations by name; every other word of the form is English
    form = re.sub(r'<select name="scope".*?</select>', "", form, flags=re.S)
    assert not CJK.search(_visible_text(form)), _visible_text(form)
    for label in ("Scope", "Metric", "Year", "Compare with", "Type of unit", "Show"):
        assert label in form, label
    assert "Share granted" in html and "Rank" in html and "Data status" in html
    assert "Whole country" in html


@pytest.mark.django_db
def test_unit_page_shows_the_official_tables_in_english(admin_client, county):  # noqa: F811
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin_client.get(_pages(county)["unit"]).content.decode()
    for label in ("Annual reports", "II. Proactive disclosure of government information", "(1) Granted",
                  "(3) Denied", "(7) Total", "Natural persons", "Administrative review",
                  "Administrative litigation", "Corrected (overturned)"):
        assert label in html, label
    assert "予以公开" not in html and "申请人情况" not in html


@pytest.mark.django_db
def test_login_page_in_english_by_accept_language(client, county):  # noqa: F811
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Username" in html and "Password" in html
    assert _untranslated(html) == set()


@pytest.mark.django_db
def test_choosing_english_with_the_language_form(client, public, county):  # noqa: F811
    resp = client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard-home")})
    assert resp.status_code == 302
    html = client.get(reverse("dashboard-home")).content.decode()
    assert "Township Transparency Dashboard" in html and "Metric definitions" in html
    assert _untranslated(html) == set()
    # and back
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("dashboard-home")})
    html = client.get(reverse("dashboard-home")).content.decode()
    assert "乡镇政务公开透明度看板" in html and "Metric definitions" not in html


# ------------------------------------------------------------------ Chinese by default
@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_in_chinese_by_default(admin_client, county, page):  # noqa: F811
    html = admin_client.get(_pages(county)[page]).content.decode()
    assert '<html lang="zh-hans">' in html
    for label in NAV_ZH[:-1]:
        assert label in html, label
    for label in NAV_EN[1:]:
        assert label not in html, label


@pytest.mark.django_db
def test_filters_and_login_in_chinese_by_default(client, admin_client, county):  # noqa: F811
    html = admin_client.get(_pages(county)["ranking"]).content.decode()
    form = _section(html, r'<form method="get" class="filters" id="filters".*?</form>')
    for label in FILTER_ZH:
        assert label in form, label
    assert "予以公开占比" in html
    admin_client.logout()
    html = client.get(reverse("login")).content.decode()
    assert "用户名" in html and "密码" in html and "Username" not in html


# ------------------------------------------------------------------ the catalogue
def _po_entries() -> list[dict]:
    entries = []
    for block in PO.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#~")]
        if not lines:
            continue
        entry = {"flags": "", "msgctxt": None, "msgid": "", "msgstr": []}
        current = None
        for ln in lines:
            if ln.startswith("#,"):
                entry["flags"] += ln
            elif ln.startswith("#"):
                continue
            elif m := re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', ln):
                current = m.group(1)
                if current.startswith("msgstr"):
                    entry["msgstr"].append("")
                    entry["msgstr"][-1] += _unquote(m.group(2))
                elif current == "msgid":
                    entry["msgid"] = _unquote(m.group(2))
                elif current == "msgctxt":
                    entry["msgctxt"] = _unquote(m.group(2))
            elif ln.startswith('"'):
                if current and current.startswith("msgstr"):
                    entry["msgstr"][-1] += _unquote(ln)
                elif current == "msgid":
                    entry["msgid"] += _unquote(ln)
        entries.append(entry)
    return entries


def _unquote(s: str) -> str:
    return s[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = [e for e in _po_entries() if e["msgid"]]
    assert len(entries) > 400
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not e["msgstr"] or not all(s.strip() for s in e["msgstr"])] == []
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")
    for e in entries:
        for s in e["msgstr"]:
            assert sorted(placeholder.findall(s)) == sorted(placeholder.findall(e["msgid"])), e["msgid"]


def test_compiled_catalogue_is_up_to_date():
    mo = PO.with_suffix(".mo")
    assert mo.exists()
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("乡镇政务公开透明度看板") == "Township Transparency Dashboard"
        for e in _po_entries():
            if e["msgid"] and len(e["msgstr"]) == 1:
                if e["msgctxt"] is None:
                    assert translation.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]
                else:
                    assert translation.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"][0], e["msgid"]


def test_every_label_of_the_official_form_is_listed_for_translation():
    from dashboard.layout_labels import LABELS
    from ingest.parsing import template as tpl

    labels = {tpl.template()["s3"]["note_cell"]}
    for version in tpl.VERSIONS:
        for block in tpl.s2_blocks(version):
            labels |= {block["caption"], *(c["label"] for c in block["columns"]), *(r["label"] for r in block["rows"])}
    for row in tpl.template()["s3"]["rows"]:
        labels |= {row["label"], row.get("group") or row["label"]}
    assert labels - set(LABELS) == set()
