"""Create the first administrator with a random one-time password, printed once.

There is no default password anywhere: if an administrator exists, nothing happens.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from dashboard.audit import audit
from dashboard.models import Membership


class Command(BaseCommand):
    help = "Create an administrator with a random password if none exists, and print the password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("an administrator already exists; log in with the password printed when it was created")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, password=password, email="")
        Membership.objects.create(user=user, role=Membership.Role.ADMIN, must_change_password=True)
        audit(user=None, action="user_create", obj=user, summary=f"创建管理员 {username}（一次性密码）")
        self.stdout.write(self.style.SUCCESS(f"administrator created — user: {username}  password: {password}"))
        self.stdout.write("this password works once: the first login asks for a new one")
