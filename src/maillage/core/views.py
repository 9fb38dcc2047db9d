"""Site-wide pages that need no app: accessibility statement, health check."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from maillage.core.health import run_checks


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement in the form of RGAA 4.1's model statement."""
    context = {
        "publisher": settings.PUBLISHER_NAME,
        "contact_email": settings.CATALOG_CONTACT_EMAIL,
        "statement_date": settings.ACCESSIBILITY_AUDIT_DATE,
        "site_url": request.build_absolute_uri("/"),
    }
    return render(request, "core/accessibility.html", context)


def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No dependency is asked (that is ``/readyz``'s job), so a
    database outage does not make an orchestrator restart every web process at once."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: every dependency answers (200), or 503 naming those that do not."""
    ok, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )
