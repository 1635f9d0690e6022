"""Create a user with a role and a scope; prints a one-time password (changed at first login).

    python manage.py create_user zhangsan --role reviewer --scope 示例县
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dashboard.audit import audit
from dashboard.models import Membership, Organisation


class Command(BaseCommand):
    help = "Create a user with a role (viewer, uploader, reviewer, admin) and a scope (an organisation)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Membership.Role.values, default=Membership.Role.VIEWER)
        parser.add_argument("--scope", help="organisation full name or 12-digit code; omit for the whole country")

    @transaction.atomic
    def handle(self, *args, username, role, scope, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        organisation = None
        if scope:
            matches = list(Organisation.objects.filter(merged_into__isnull=True).filter(code=scope)) or list(
                Organisation.objects.filter(merged_into__isnull=True, full_name=scope)
            ) or list(Organisation.objects.filter(merged_into__isnull=True, name=scope))
            if len(matches) != 1:
                raise CommandError(f"scope {scope!r} matches {len(matches)} organisations; give the full name or code")
            organisation = matches[0]
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, password=password, is_staff=role == Membership.Role.ADMIN)
        Membership.objects.create(user=user, role=role, scope=organisation, must_change_password=True)
        audit(user=None, action="user_create", obj=user, summary=f"创建用户 {username}：{role}，范围 {organisation or '全国'}")
        self.stdout.write(f"user {username} created ({role}, scope {organisation or 'whole country'}); one-time password: {password}")
