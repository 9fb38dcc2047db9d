"""Site-wide pages that need no app: accessibility statement, health check."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# When the statement below was last checked against the pages (RGAA asks for its date).
STATEMENT_DATE = dt.date(2026, 12, 7)


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement in the form of RGAA 4.1's model statement."""
    context = {
        "publisher": settings.PUBLISHER_NAME,
        "contact_email": settings.CATALOG_CONTACT_EMAIL,
        "statement_date": STATEMENT_DATE,
        "site_url": request.build_absolute_uri("/"),
    }
    return render(request, "core/accessibility.html", context)


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
