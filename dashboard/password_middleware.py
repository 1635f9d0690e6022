from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """A user created with a one-time password must choose their own before doing anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            from dashboard.access import membership

            m = membership(user)
            allowed = {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
            if m is not None and m.must_change_password and request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)
