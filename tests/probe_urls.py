"""The project's URLs plus probes for the tests: pages that fail (the error
pages) and one that tells what the app saw of the request (behind nginx)."""

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.urls import path

from common.security import client_ip
from kongchuo.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("secret-internal-detail: something broke")


def suspicious(request):
    raise SuspiciousOperation("secret-internal-detail: odd request")


def seen(request):
    return JsonResponse({"scheme": request.scheme, "client_ip": client_ip(request)})


urlpatterns = [
    path("test-seen/", seen),
    path("test-boom/", boom),
    path("test-suspicious/", suspicious),
    *project_urlpatterns,
]
