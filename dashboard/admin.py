from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dashboard import selectors
from dashboard.audit import audit
from dashboard.models import AuditLog, CellCorrection, CheckResult, Membership, Organisation, Report
from dashboard.services import organisation_merge, report_refresh_current


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # deleting is refused while reports point at it (PROTECT)
    list_display = ("full_name", "level", "kind", "code", "parent", "merged_into")
    list_filter = ("level", "kind")
    search_fields = ("name", "full_name", "code")
    raw_id_fields = ("parent", "province", "city", "county", "merged_into")
    actions = ["merge_into_first"]

    @admin.action(description=_("合并所选单位（并入代码最完整、最早创建的一个）"))
    def merge_into_first(self, request, queryset):
        orgs = sorted(queryset.filter(merged_into__isnull=True), key=lambda o: (o.code is None, o.created))
        if len(orgs) < 2:
            self.message_user(request, _("请至少选择两个未合并的单位。"), messages.WARNING)
            return
        target, moved = orgs[0], 0
        for source in orgs[1:]:
            moved += organisation_merge(source=source, target=target)
            audit(user=request.user, action="organisation_merge", obj=target, summary=f"将“{source}”并入“{target}”",
                  source=str(source.public_id))
        self.message_user(request, _("已并入“%(t)s”，移动报告 %(n)d 份。") % {"t": target, "n": moved})


class AuditedDeleteMixin:
    """Deletions through the admin go to the audit log, one entry per object."""

    def delete_model(self, request, obj):
        audit(user=request.user, action="delete", obj=obj, summary=f"删除{obj._meta.verbose_name}“{obj}”")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit(user=request.user, action="delete", obj=obj, summary=f"删除{obj._meta.verbose_name}“{obj}”")
        super().delete_queryset(request, queryset)


@admin.register(Report)
class ReportAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    list_display = ("__str__", "organisation", "year", "version", "status", "is_current", "checks_failed", "created")
    list_filter = ("status", "version", "year", "is_current")
    search_fields = ("agency_name", "title", "organisation__full_name")
    raw_id_fields = ("organisation", "upload")
    readonly_fields = ("cells", "checks", "warnings", "derived", "parser_version")

    # Another version of the same organisation and year becomes current (coverage and rankings read
    # the current report only), and the ranking caches hear of it.
    def delete_model(self, request, obj):
        place = (obj.organisation_id, obj.year)
        super().delete_model(request, obj)
        self._after_delete([place])

    def delete_queryset(self, request, queryset):
        places = set(queryset.values_list("organisation_id", "year"))
        super().delete_queryset(request, queryset)
        self._after_delete(places)

    @staticmethod
    def _after_delete(places) -> None:
        for organisation_id, year in places:
            report_refresh_current(organisation_id=organisation_id, year=year)
        transaction.on_commit(selectors.data_changed)


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin):
    list_display = ("check_id", "report", "severity", "ok", "review")
    list_filter = ("severity", "review")
    raw_id_fields = ("report", "reviewed_by")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit trails: administrators read them; nobody adds, edits or deletes through the app."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CellCorrection)
class CellCorrectionAdmin(ReadOnlyAdmin):
    list_display = ("report", "key", "old", "new", "user", "created")
    readonly_fields = ("report", "key", "old", "new", "reason", "user", "created")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope", "must_change_password")
    list_filter = ("role",)
    raw_id_fields = ("user", "scope")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(
            user=request.user,
            action="role_change" if change else "role_grant",
            obj=obj,
            summary=f"{obj.user}：{obj.get_role_display()}，范围 {obj.scope or '全国'}",
            changed=list(form.changed_data),
        )

    def delete_model(self, request, obj):
        audit(user=request.user, action="role_revoke", obj=obj, summary=f"撤销 {obj.user} 的角色")
        super().delete_model(request, obj)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "action", "object_type", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id")
    readonly_fields = ("at", "user", "action", "object_type", "object_id", "summary", "data")
