"""Query-string filters of the dashboard views (django-filter).

Each FilterSet validates the query string, fills in defaults (newest year, the
default metric, the whole country), and hands the result to one selector: the
filters choose *which* ranking or series is read, the selectors do the reading.
A bad value (unknown metric, malformed UUID) falls back to the default instead
of failing, so an old bookmarked URL still opens.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _

from dashboard import access, metrics, selectors
from dashboard.metrics import Metric
from dashboard.models import Organisation


@dataclass(frozen=True)
class Params:
    metric: Metric
    year: int | None
    compare_year: int | None
    scope: Organisation | None
    kind: str | None
    top: int = 10
    missing_year: int | None = None

    def slug(self) -> list[str]:
        """Parts of an export file name that say what was filtered."""
        parts = [self.metric.id] if self.metric else []
        if self.year:
            parts.append(str(self.year))
        parts.append(self.scope.name if self.scope else "全国")
        if self.kind:
            parts.append(self.kind)
        return parts


def _scope_label(org: Organisation) -> str:
    indent = {"province": "", "city": "\u3000", "county": "\u3000\u3000"}.get(org.level, "")
    return f"{indent}{org.name}"


class _ScopeFilter(django_filters.ModelChoiceFilter):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Organisation.objects.filter(level__in=selectors.SCOPE_LEVELS),
            to_field_name="public_id",
            empty_label=_("全国"),
            label=_("范围"),
            method="_noop",
            **kwargs,
        )


class DashboardFilter(django_filters.FilterSet):
    """Base: metric, year, comparison year, scope and kind; subclasses drop what they don't use."""

    metric = django_filters.ChoiceFilter(label=_("指标"), empty_label=None, method="_noop")
    year = django_filters.TypedChoiceFilter(label=_("年度"), coerce=int, method="_noop")
    compare = django_filters.TypedChoiceFilter(label=_("对比年度"), coerce=int, method="_noop")
    scope = _ScopeFilter()
    kind = django_filters.ChoiceFilter(
        label=_("单位类型"), empty_label=_("全部乡镇街道和部门"), method="_noop"
    )

    uses = ("metric", "year", "compare", "scope", "kind")

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        for name in list(self.filters):
            if name not in self.uses:
                del self.filters[name]
        self.years = selectors.year_range()
        self._configure(self.form)

    def _configure(self, form) -> None:
        fields = form.fields
        if "metric" in fields:
            fields["metric"].choices = metrics.choices()
        if "year" in fields:
            fields["year"].choices = [(y, y) for y in self.years]
        if "compare" in fields:
            fields["compare"].choices = [("", _("上一年"))] + [(y, y) for y in self.years]
        if "kind" in fields:
            fields["kind"].choices = [(k, v[0]) for k, v in selectors.KINDS.items()]
        if "scope" in fields:
            fields["scope"].label_from_instance = _scope_label
        for name, field in fields.items():
            field.widget.attrs.setdefault("id", f"filter-{name}")
            field.required = False

    def _noop(self, queryset, name, value):
        return queryset

    @property
    def params(self) -> Params:
        if not hasattr(self, "_params"):
            self.form.is_valid()
            data = getattr(self.form, "cleaned_data", {})
            scope = self._allowed_scope(data.get("scope"))
            year = data.get("year") or (self.years[0] if self.years else None)
            compare = data.get("compare") or (year - 1 if year else None)
            self._params = Params(
                metric=metrics.get(data.get("metric")),
                year=year,
                compare_year=compare,
                scope=scope,
                kind=data.get("kind") or None,
                top=self._int("top", 10, 1, 50),
                missing_year=self._int("missing", None, 1990, 2100),
            )
            # Re-bind the form to the values actually used, so a bad value in the URL shows the
            # default that replaced it rather than a stale selection.
            effective = QueryDict(mutable=True)
            effective.update(
                {
                    "metric": self._params.metric.id,
                    "year": self._params.year or "",
                    "compare": data.get("compare") or "",
                    "scope": scope.public_id if scope else "",
                    "kind": self._params.kind or "",
                    "missing": self._params.missing_year or "",
                }
            )
            self._form = self.get_form_class()(effective, prefix=self.form_prefix)
            self._configure(self._form)
            if "scope" in self._form.fields:
                # Render a short cascade instead of every county in the country.
                # Plain choices: a ModelChoiceField would iterate through a server-side cursor.
                user = getattr(self.request, "user", None)
                limit = access.read_scope(user) if user is not None else None
                options = [o for o in selectors.scope_choices(scope=scope) if limit is None or access.in_scope(user, o)]
                if limit is not None and all(o.pk != limit.pk for o in options):
                    options.insert(0, limit)
                self._form.fields["scope"].widget.choices = ([("", _("全国"))] if limit is None else []) + [
                    (str(o.public_id), _scope_label(o)) for o in options
                ]
        return self._params

    def _allowed_scope(self, scope: Organisation | None) -> Organisation | None:
        """A scoped user starts at their own scope and may narrow it, never widen it: asking for a
        peer group outside it is refused (404), not silently replaced."""
        user = getattr(self.request, "user", None)
        limit = access.read_scope(user) if user is not None else None
        if limit is None:
            return scope
        if scope is None:
            return limit
        if not access.in_scope(user, scope):
            raise Http404
        return scope

    def _int(self, name: str, default, lo: int, hi: int):
        try:
            value = int(self.data.get(name, ""))
        except (TypeError, ValueError):
            return default
        return value if lo <= value <= hi else default

    def filter_queryset(self, queryset):
        return queryset


class RankingFilter(DashboardFilter):
    def filter_queryset(self, queryset):
        p = self.params
        return selectors.ranking_for(
            metric=p.metric, year=p.year, compare_year=p.compare_year, scope=p.scope, kind=p.kind
        )


class TrendFilter(DashboardFilter):
    pass


class OrganisationFilter(DashboardFilter):
    uses = ("metric",)


class OverviewFilter(DashboardFilter):
    uses = ("scope", "kind")
    missing = django_filters.TypedChoiceFilter(label=_("只看缺报年度"), coerce=int, method="_noop")

    def __init__(self, *args, **kwargs):
        self.uses = (*self.uses, "missing")
        super().__init__(*args, **kwargs)

    def _configure(self, form) -> None:
        super()._configure(form)
        form.fields["missing"].choices = [("", _("全部单位"))] + [(y, y) for y in self.years]
