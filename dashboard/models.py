"""Organisations and the reports parsed for them.

Storage choice: every cell of a report lives in ``Report.cells`` (JSON, keyed by
the canonical cell keys of FORMAT.md §10), so nothing of a parse is lost; the
headline figures that rankings sort on are copied into indexed columns on the
same row (see ``dashboard.figures``), so a ranking is one indexed query over
``Report`` and never reads the JSON.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地市级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡镇街道")
        DEPARTMENT = "department", _("部门")
        OTHER = "other", _("其他")

    class Kind(models.TextChoices):
        PROVINCE = "省", _("省/自治区/直辖市")
        CITY = "市", _("地级市/州/盟")
        COUNTY = "县", _("县/区政府")
        XIANG = "乡", _("乡")
        ZHEN = "镇", _("镇")
        ETHNIC_XIANG = "民族乡", _("民族乡")
        SUMU = "苏木", _("苏木")
        JIEDAO = "街道", _("街道")
        DEPARTMENT = "部门", _("县级政府部门")
        OTHER = "其他", _("其他")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=200)
    full_name = models.CharField(_("全称"), max_length=300, db_index=True)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    code = models.CharField(_("行政区划代码"), max_length=12, null=True, blank=True, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Ancestors copied down so a peer group (all units of a county, city or province) is one
    # indexed filter rather than a recursive query.
    province = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name_in_parent"),
        ]
        indexes = [
            models.Index(fields=["level", "county"]),
            models.Index(fields=["level", "city"]),
            models.Index(fields=["level", "province"]),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def ancestors(self) -> list[Organisation]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class OrganisationAlias(models.Model):
    """A name a report used for an organisation, learned when it was placed (by the data or a person).

    Exact lookups only: a new report with the same name goes to the same organisation without
    asking again; a different spelling still waits for a person.
    """

    name = models.CharField(max_length=300, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alias_rows")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")

    def __str__(self) -> str:
        return self.name


# Report columns a dashboard ranking reads (headline figures + what decides comparability).
# PostgreSQL allows 32 columns per index (2 are the key): regulations_made and the overall
# version are left out (rankings by them visit the table rows, correctly but more slowly).
RANKING_COLUMNS = (
    "id", "public_id", "status", "version_s2", "version_s3",
    "items_stated", "normative_made", "normative_in_force", "licensing_decisions",
    "penalty_decisions", "coercion_decisions", "fees_wan_yuan", "req_new", "req_carried_over", "req_handled",
    "req_granted", "req_partial", "req_denied", "req_unable", "req_not_processed", "req_other",
    "req_carried_forward", "review_total", "review_corrected", "review_pending", "lit_total", "lit_corrected",
    "lit_pending", "checks_failed", "cells_unresolved",
)


class Report(models.Model):
    class Status(models.TextChoices):
        PARSED = "parsed", _("已解析")
        NEEDS_REVIEW = "needs_review", _("待审核")
        VERIFIED = "verified", _("已核实")

    class Version(models.TextChoices):
        V2019 = "2019", _("2019 版")
        V2021 = "2021", _("2021 版")
        MIXED = "mixed", _("混用")
        UNKNOWN = "unknown", _("未知")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("报告年度"), null=True, blank=True)
    upload = models.OneToOneField("ingest.Upload", on_delete=models.PROTECT, related_name="report")
    agency_name = models.CharField(_("报告中的单位名称"), max_length=300, blank=True)
    title = models.CharField(_("标题"), max_length=500, blank=True)
    published_date = models.DateField(_("发布日期"), null=True, blank=True)
    version_s2 = models.CharField(max_length=10, choices=Version.choices, default=Version.UNKNOWN)
    version_s3 = models.CharField(max_length=10, choices=Version.choices, default=Version.UNKNOWN)
    version = models.CharField(_("模板版本"), max_length=10, choices=Version.choices, default=Version.UNKNOWN)
    parser_version = models.CharField(max_length=40)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PARSED)
    review_reasons = models.JSONField(default=list, blank=True)
    # The newest good version for (organisation, year); older uploads stay as history.
    is_current = models.BooleanField(default=False)

    # Everything the parser produced (FORMAT.md §10.1): cells keyed by canonical key, each
    # {"v", "raw", "st"[, "unit", "note"]}; a reviewer's correction replaces a cell here and is
    # recorded in CellCorrection with the old value.
    cells = models.JSONField(default=dict)
    derived = models.JSONField(default=dict, blank=True)
    checks = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    headings = models.JSONField(default=dict, blank=True)
    version_evidence = models.JSONField(default=list, blank=True)
    text_overview = models.TextField(_("一、总体情况"), blank=True)
    text_problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    text_other = models.TextField(_("六、其他需要报告的事项"), blank=True)
    stated_counts = models.JSONField(default=list, blank=True)

    # Headline figures (dashboard.figures.compute); None = unknown, never 0 by default.
    items_stated = models.IntegerField(null=True, blank=True)
    regulations_made = models.IntegerField(null=True, blank=True)
    normative_made = models.IntegerField(null=True, blank=True)
    normative_in_force = models.IntegerField(null=True, blank=True)
    licensing_decisions = models.IntegerField(null=True, blank=True)
    penalty_decisions = models.IntegerField(null=True, blank=True)
    coercion_decisions = models.IntegerField(null=True, blank=True)
    fees_wan_yuan = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    req_new = models.IntegerField(null=True, blank=True)
    req_carried_over = models.IntegerField(null=True, blank=True)
    req_handled = models.IntegerField(null=True, blank=True)
    req_granted = models.IntegerField(null=True, blank=True)
    req_partial = models.IntegerField(null=True, blank=True)
    req_denied = models.IntegerField(null=True, blank=True)
    req_unable = models.IntegerField(null=True, blank=True)
    req_not_processed = models.IntegerField(null=True, blank=True)
    req_other = models.IntegerField(null=True, blank=True)
    req_carried_forward = models.IntegerField(null=True, blank=True)
    review_total = models.IntegerField(null=True, blank=True)
    review_corrected = models.IntegerField(null=True, blank=True)
    # 尚未审结: a correction rate's denominator is the concluded cases (total - pending).
    review_pending = models.IntegerField(null=True, blank=True)
    lit_total = models.IntegerField(null=True, blank=True)
    lit_corrected = models.IntegerField(null=True, blank=True)
    lit_pending = models.IntegerField(null=True, blank=True)
    checks_failed = models.PositiveIntegerField(default=0)
    checks_unevaluable = models.PositiveIntegerField(default=0)
    cells_unresolved = models.PositiveIntegerField(default=0)

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("年度报告")
        verbose_name_plural = _("年度报告")
        ordering = ["-year", "organisation_id", "-created"]
        indexes = [
            models.Index(fields=["organisation", "year", "is_current"]),
            models.Index(fields=["year", "is_current"]),
            models.Index(fields=["status"]),
            # Dashboard rankings read one year's current reports: this partial covering index lets
            # PostgreSQL answer them with an index-only scan instead of visiting every heap page
            # (a year's rows are spread over the whole table). SQLite ignores INCLUDE.
            models.Index(
                fields=["year", "organisation"],
                include=RANKING_COLUMNS,
                condition=models.Q(is_current=True),
                name="report_current_by_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_name or self.organisation} {self.year or '?'}"


class CheckResult(models.Model):
    """A failed or unevaluable check of one report, kept as a row so a reviewer can act on it."""

    class Severity(models.TextChoices):
        ERROR = "error", _("错误")
        WARNING = "warning", _("警告")
        INFO = "info", _("提示")

    class Review(models.TextChoices):
        OPEN = "open", _("待处理")
        CONFIRMED = "confirmed", _("确认是报告本身的问题")
        DISMISSED = "dismissed", _("已忽略")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="check_results")
    check_id = models.CharField(max_length=80)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)
    ok = models.BooleanField(null=True)
    lhs = models.FloatField(null=True, blank=True)
    rhs = models.FloatField(null=True, blank=True)
    cells = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("校验结果")
        verbose_name_plural = _("校验结果")
        constraints = [models.UniqueConstraint(fields=["report", "check_id"], name="check_unique_per_report")]

    def __str__(self) -> str:
        return f"{self.check_id} ({self.report_id})"


class CellCorrection(models.Model):
    """A reviewer's correction of one cell: who, when, old and new value, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    key = models.CharField(max_length=120)
    old = models.JSONField()
    new = models.JSONField()
    reason = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单元格更正")
        verbose_name_plural = _("单元格更正")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.key}: {self.old} → {self.new}"


class ReviewEvent(models.Model):
    """One reviewer action other than a cell correction (those are CellCorrection rows):
    a check confirmed or dismissed, organisation or year filled in, the report verified or re-parsed."""

    class Action(models.TextChoices):
        CHECK = "check", _("处理校验结果")
        PLACE = "place", _("指定单位和年度")
        VERIFY = "verify", _("核实报告")
        REPROCESS = "reprocess", _("重新解析")
        CONFLICT = "conflict", _("处理更正冲突")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="review_events")
    action = models.CharField(max_length=12, choices=Action.choices)
    target = models.CharField(max_length=120, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class Membership(models.Model):
    """What a user may do, and where: a role and a scope in the organisation hierarchy.

    A county's staff have the county as scope and see and act on its units; a city's staff
    on every county of the city; no scope means the whole country. Superusers are
    administrators everywhere.
    """

    class Role(models.TextChoices):
        VIEWER = "viewer", _("查看者（浏览和导出）")
        UPLOADER = "uploader", _("上传者（上传本单位报告）")
        REVIEWER = "reviewer", _("审核者（更正和核实）")
        ADMIN = "admin", _("管理员")

    RANK = {Role.VIEWER: 1, Role.UPLOADER: 2, Role.REVIEWER: 3, Role.ADMIN: 4}

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    scope = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("管辖范围")
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope or _('全国')}"


class AuditLog(models.Model):
    """Every change to data: who, when, what. Written by services; read-only everywhere in the app."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(_("操作"), max_length=40, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    summary = models.TextField(_("摘要"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"
