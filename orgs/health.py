"""Health check for load balancers (placeholder: the production work fills it)."""

from django.http import HttpResponse


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
