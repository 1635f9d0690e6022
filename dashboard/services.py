"""Writes to organisations and reports. Parser output meets the database here and in ingest.services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from dashboard import figures, quality, selectors
from dashboard.models import CheckResult, Organisation, OrganisationAlias, Report


@dataclass(frozen=True)
class Placement:
    organisation: Organisation | None
    reason: str  # for people, Chinese; empty when placed
    created: bool = False  # the organisation was created just now: it has no reports yet


def _kind_for(level: str, kind: str) -> str:
    if kind in Organisation.Kind.values:
        return kind
    return {
        "province": Organisation.Kind.PROVINCE,
        "city": Organisation.Kind.CITY,
        "county": Organisation.Kind.COUNTY,
        "department": Organisation.Kind.DEPARTMENT,
    }.get(level, Organisation.Kind.OTHER)


def organisation_get_or_create_path(nodes: Sequence) -> Organisation:
    """Create (or find) every node of a resolved path, top-down, and return the last one.

    ``nodes`` are ``dashboard.divisions.Division``-like objects with code, name, level, kind.
    The nodes that carry a division code are looked up in one query.
    """
    return _get_or_create_path(nodes)[0]


def _get_or_create_path(nodes: Sequence) -> tuple[Organisation, bool]:
    """The last node of the path, and whether it was created by this call."""
    by_code = {o.code: o for o in Organisation.objects.filter(code__in=[n.code for n in nodes if n.code])}
    parent: Organisation | None = None
    ancestors: dict[str, Organisation] = {}
    created = False
    for node in nodes:
        org = by_code.get(node.code) if node.code else None
        if org is None and not created:  # under a parent created just now there is nothing to find
            org = Organisation.objects.filter(parent=parent, name=node.name).first()
        created = org is None
        if org is None:
            full_name = "".join(a.name for a in ancestors.values() if a.level != "province") + node.name
            try:
                # A savepoint: another worker may create the same unit at the same moment.
                with transaction.atomic():
                    org = Organisation.objects.create(
                        name=node.name,
                        full_name=full_name if node.level != "province" else node.name,
                        level=node.level if node.level in Organisation.Level.values else Organisation.Level.OTHER,
                        kind=_kind_for(node.level, node.kind),
                        code=node.code or None,
                        parent=parent,
                        province=ancestors.get("province"),
                        city=ancestors.get("city"),
                        county=ancestors.get("county"),
                    )
            except IntegrityError:
                # It won the race; its row is committed now (the insert waited for it).
                lookup = {"code": node.code} if node.code else {"parent": parent, "name": node.name}
                org = Organisation.objects.get(**lookup)
                created = False
        org = _successor(org)
        if org.level in ("province", "city", "county"):
            ancestors[org.level] = org
        parent = org
    assert parent is not None
    return parent, created


def organisation_place(*, agency_name: str | None) -> Placement:
    """Find or create the organisation a report names. Never guesses: ambiguous names wait for a person."""
    if not agency_name:
        return Placement(None, "报告中没有找到单位名称，请手工指定所属单位。")
    alias = OrganisationAlias.objects.select_related("organisation").filter(name=agency_name).first()
    if alias is not None:
        return Placement(_successor(alias.organisation), "")
    known = list(Organisation.objects.filter(full_name=agency_name, merged_into__isnull=True)[:2])
    if len(known) == 1:
        return Placement(known[0], "")

    from dashboard import divisions

    resolution = divisions.resolve(agency_name)
    if resolution.status != "exact":
        return Placement(None, resolution.reason or f"无法确定“{agency_name}”属于哪个单位，请手工指定。")
    org, created = _get_or_create_path(resolution.path)
    organisation_learn_name(organisation=org, name=agency_name)
    return Placement(org, "", created=created)


def organisation_learn_name(*, organisation: Organisation, name: str) -> None:
    """Remember that reports call this organisation ``name`` (first placement wins)."""
    if name and name != organisation.full_name:
        OrganisationAlias.objects.bulk_create(
            [OrganisationAlias(name=name[:300], organisation=organisation)], ignore_conflicts=True
        )


def _successor(org: Organisation) -> Organisation:
    while org.merged_into_id:
        org = org.merged_into
    return org


def report_refresh_current(*, organisation_id: int | None, year: int | None) -> None:
    """Mark the newest good version of (organisation, year) as current; keep the others as history."""
    if organisation_id is None or year is None:
        return
    versions = list(
        Report.objects.filter(organisation_id=organisation_id, year=year)
        .order_by("-created", "-id")
        .values_list("pk", "status", "is_current")
    )
    if not versions:
        return
    good = [pk for pk, status, _ in versions if status in (Report.Status.VERIFIED, Report.Status.PARSED)]
    current = good[0] if good else versions[0][0]
    stale = [pk for pk, _, is_current in versions if is_current and pk != current]
    if stale:
        Report.objects.filter(pk__in=stale).update(is_current=False)
    if not any(pk == current and is_current for pk, _, is_current in versions):
        Report.objects.filter(pk=current).update(is_current=True)


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def report_fields_from_parse(parsed) -> dict:
    """The Report fields a parse gives: what was read, its checks and the headline figures computed
    from its cells. Organisation, year, upload and status are the caller's."""
    data = parsed.to_dict()
    cells = data["cells"]
    return {
        "agency_name": (parsed.agency or "")[:300],
        "title": (parsed.title or "")[:500],
        "published_date": _iso_date(parsed.published_date),
        "version_s2": parsed.versions.get("s2", "unknown"),
        "version_s3": parsed.versions.get("s3", "unknown"),
        "version": parsed.version,
        "parser_version": parsed.parser_version,
        "cells": cells,
        "derived": data["derived"],
        "checks": data["checks"],
        "warnings": data["warnings"],
        "headings": data["headings"],
        "version_evidence": data["format"].get("evidence", []),
        "text_overview": parsed.text.get("s1_overview", ""),
        "text_problems": parsed.text.get("s5_problems", ""),
        "text_other": parsed.text.get("s6_other", ""),
        "stated_counts": data["stated_counts"],
        **figures.compute(cells, data["stated_counts"]),
    }


def report_create_from_parse(*, upload, parsed, placement: Placement, announce: bool = True) -> Report:
    """Store one parsed report and its checks. The caller holds the transaction.

    ``announce=False``: the caller tells the dashboard caches once for many reports
    (``selectors.data_changed``) instead of once per report.

    Few round-trips: the checks are evaluated before the report exists, so the report is one
    insert and its failing checks one bulk insert; no per-cell queries.
    """
    report = Report(
        organisation=placement.organisation,
        year=parsed.report_year,
        upload=upload,
        status=Report.Status.PARSED,
        **report_fields_from_parse(parsed),
    )
    # One query for the neighbours: last year's report (cross-year checks), other versions of this
    # year (which one is current), next year's (its checks read this one).
    around: list[Report] = []
    if report.organisation_id is not None and report.year is not None and not placement.created:
        # Reports of one organisation are stored one at a time: a second worker storing another
        # version of the same year, or the neighbouring year, waits here until this transaction
        # commits, then sees it (else both could become current, or skip each other's cross-year checks).
        organisation_lock(report.organisation_id)
        around = list(
            Report.objects.filter(organisation_id=report.organisation_id, year__in=(report.year - 1, report.year,
                                                                                    report.year + 1))
            .select_related("organisation")
        )
    previous = quality.pick_previous([r for r in around if r.year == report.year - 1])
    rows = quality.prepare_new(report, previous=previous)
    if placement.reason:
        report.review_reasons.insert(0, placement.reason)
    same_year = [r for r in around if r.year == report.year]
    report.is_current = report.organisation_id is not None and report.year is not None and not same_year
    report.save(force_insert=True)
    for row in rows:
        row.report = report
    CheckResult.objects.bulk_create(rows)
    if same_year:
        report_refresh_current(organisation_id=report.organisation_id, year=report.year)
    # The next year's report reads this one (上年结转, 现行有效): re-run its cross-year checks.
    for other in (r for r in around if r.year == report.year + 1):
        quality.report_checks_run(report=other)
    if announce:
        transaction.on_commit(selectors.data_changed)
    return report


def organisation_lock(organisation_id: int) -> None:
    """Hold the organisation's row lock until the transaction ends (PostgreSQL; SQLite lets one
    writer in at a time anyway)."""
    list(Organisation.objects.select_for_update().filter(pk=organisation_id).values_list("pk", flat=True))


@transaction.atomic
def report_place(*, report: Report, organisation: Organisation, year: int) -> Report:
    """A person tells us which organisation and year a report belongs to.

    Status and checks are the caller's to re-run (``dashboard.review.report_fill_in`` does, through
    ``quality.report_checks_run_around``), so they are derived in one place only.
    """
    old_org, old_year = report.organisation_id, report.year
    for pk in sorted({pk for pk in (old_org, organisation.pk) if pk is not None}):  # same order everywhere
        organisation_lock(pk)
    report.organisation = organisation
    report.year = year
    report.save(update_fields=["organisation", "year", "updated"])
    organisation_learn_name(organisation=organisation, name=report.agency_name)
    report_refresh_current(organisation_id=old_org, year=old_year)
    report_refresh_current(organisation_id=organisation.pk, year=year)
    return report


@transaction.atomic
def organisation_merge(*, source: Organisation, target: Organisation) -> int:
    """Fold a duplicate organisation into another: its reports, children and names move over.

    The source row stays (merged_into = target) so links and audit history still resolve.
    Returns the number of reports moved.
    """
    if source.pk == target.pk:
        raise ValueError("cannot merge an organisation into itself")
    if target.merged_into_id:
        raise ValueError("the target has itself been merged; merge into its successor instead")
    years = set(Report.objects.filter(organisation=source).values_list("year", flat=True))
    moved = Report.objects.filter(organisation=source).update(organisation=target)
    Organisation.objects.filter(parent=source).update(parent=target)
    for field in ("province", "city", "county"):
        Organisation.objects.filter(**{field: source}).update(**{field: target})
    OrganisationAlias.objects.filter(organisation=source).update(organisation=target)
    organisation_learn_name(organisation=target, name=source.full_name)
    if not target.code and source.code:
        code, source.code = source.code, None
        source.save(update_fields=["code"])
        target.code = code
        target.save(update_fields=["code"])
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    for year in years:
        report_refresh_current(organisation_id=target.pk, year=year)
    transaction.on_commit(selectors.data_changed)
    return moved
