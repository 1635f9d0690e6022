from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from dashboard.audit import audit
from dashboard.models import Membership


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also retires a one-time password."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        Membership.objects.filter(user=self.request.user).update(must_change_password=False)
        audit(user=self.request.user, action="password_change", obj=self.request.user, summary="修改了自己的密码")
        return response
