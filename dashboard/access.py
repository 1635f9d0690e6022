"""Who may do what, where. One place for roles and scopes; views call these helpers.

Roles are ranked: viewer < uploader < reviewer < administrator; each includes the ones
below it. A scope is an organisation: the user may act on it and everything under it.
Refusals are explicit: out of scope is 404 (we do not confirm the object exists), too
small a role is 403.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from dashboard.models import Membership, Organisation

Role = Membership.Role


def membership(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = Membership.objects.select_related("scope").filter(user=user).first()
    return user._membership_cache


def rank(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    if user.is_superuser:
        return Membership.RANK[Role.ADMIN]
    m = membership(user)
    return Membership.RANK[m.role] if m else 0


def has_role(user, role: str) -> bool:
    return rank(user) >= Membership.RANK[role]


def scope_of(user) -> Organisation | None:
    """The organisation the user's rights are limited to; None means the whole country."""
    if user.is_superuser:
        return None
    m = membership(user)
    return m.scope if m else None


def organisations_q(user, prefix: str = "") -> Q:
    """A filter for the organisations (or, with prefix "organisation__", reports) in the user's scope."""
    scope = scope_of(user)
    if scope is None:
        return Q()
    p = prefix
    return (
        Q(**{f"{p}pk": scope.pk})
        | Q(**{f"{p}parent": scope.pk})
        | Q(**{f"{p}county": scope.pk})
        | Q(**{f"{p}city": scope.pk})
        | Q(**{f"{p}province": scope.pk})
    )


def in_scope(user, organisation: Organisation | None) -> bool:
    scope = scope_of(user)
    if scope is None:
        return True
    if organisation is None:
        return False
    return scope.pk in {
        organisation.pk,
        organisation.parent_id,
        organisation.county_id,
        organisation.city_id,
        organisation.province_id,
    }


def can_read(user) -> bool:
    """Reading the dashboard at all: anyone when public, else a signed-in user with a role."""
    return settings.DASHBOARD_PUBLIC or has_role(user, Role.VIEWER)


def may_read(user, organisation: Organisation | None) -> bool:
    """Reading (and exporting) a unit's data: everything when public, else within the user's scope."""
    return settings.DASHBOARD_PUBLIC or (has_role(user, Role.VIEWER) and in_scope(user, organisation))


def read_scope(user) -> Organisation | None:
    """The widest peer group the user may look at (None: the whole country)."""
    return None if settings.DASHBOARD_PUBLIC else scope_of(user)


def read_required(view):
    """Dashboard pages: public when DASHBOARD_PUBLIC, else any logged-in user with a role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.DASHBOARD_PUBLIC:
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, Role.VIEWER):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(role: str):
    """Writes and exports: always behind login, with at least ``role``."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
