"""The audit log: every change to data, written by the service that makes it."""

from __future__ import annotations

from dashboard.models import AuditLog


def audit(*, user, action: str, obj, summary: str, **data) -> AuditLog:
    """Record one change. ``obj`` is the model instance changed (its public id is kept when it has one)."""
    entry = audit_entry(user=user, action=action, obj=obj, summary=summary, **data)
    entry.save(force_insert=True)
    return entry


def audit_entry(*, user, action: str, obj, summary: str, **data) -> AuditLog:
    """The unsaved row ``audit`` writes, for callers that record many changes in one bulk insert."""
    object_id = getattr(obj, "public_id", None) or getattr(obj, "pk", "")
    return AuditLog(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(object_id),
        summary=summary[:2000],
        data=data,
    )
