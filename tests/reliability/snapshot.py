"""Every row of every table, to prove that a hostile upload changed nothing it should not."""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.db import connection

# Rows that a request may touch for reasons that have nothing to do with uploads.
IGNORED = {"sessions.session", "admin.logentry"}


def snapshot() -> dict[str, dict]:
    out = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED or model._meta.db_table not in tables:  # a model still without its migration
            continue
        pk = model._meta.pk.attname
        out[label] = {row[pk]: row for row in model.objects.values()}
    return out


def changes(
    before: dict[str, dict], after: dict[str, dict]
) -> tuple[dict[str, list], dict[str, list], Counter]:
    """(rows changed or deleted per table, rows added per table, count of added rows per table)."""
    changed: dict[str, list] = {}
    added: dict[str, list] = {}
    for label, rows in after.items():
        old = before.get(label, {})
        diff = [pk for pk, row in old.items() if rows.get(pk) != row]
        if diff:
            changed[label] = diff
        new = [pk for pk in rows if pk not in old]
        if new:
            added[label] = new
    return changed, added, Counter({label: len(pks) for label, pks in added.items()})
