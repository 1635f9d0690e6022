"""Review pages used to admit Django staff and members of a group named "reviewer" besides the reviewer
role of dashboard.access. They now admit the role only. No code ever created that group, but the
admin site could, and the docs named it: every active user the old rule admitted and the role does
not becomes a reviewer, keeping the scope of an existing role (none: the whole country, as before),
so nobody loses access to review pages on upgrade and every such grant is now a visible, scopeable
Membership row. One thing staff could do is not kept: re-parsing or re-checking every report at once
now takes an administrator role over the whole country (a superuser keeps it).
"""

from django.conf import settings
from django.db import migrations
from django.db.models import Q

RANK = {"viewer": 1, "uploader": 2, "reviewer": 3, "admin": 4}


def reviewers_as_roles(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Membership = apps.get_model("dashboard", "Membership")
    AuditLog = apps.get_model("dashboard", "AuditLog")
    admitted = User.objects.filter(is_active=True, is_superuser=False).filter(
        Q(is_staff=True) | Q(groups__name="reviewer")
    ).distinct()
    for user in admitted:
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            Membership.objects.create(user=user, role="reviewer", scope=None)
        elif RANK.get(membership.role, 0) < RANK["reviewer"]:
            membership.role = "reviewer"
            membership.save(update_fields=["role"])
        else:
            continue
        AuditLog.objects.create(
            user=None, action="role_from_group", object_type="User", object_id=str(user.pk),
            summary=f"审核权限改由角色授予：{user.username} 成为审核者", data={},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0006_access_and_audit"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(reviewers_as_roles, migrations.RunPython.noop)]
