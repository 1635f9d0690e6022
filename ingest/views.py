from __future__ import annotations

from django.http import HttpResponse


def upload(request):
    return HttpResponse("")
