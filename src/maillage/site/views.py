"""The home page: the territories and how many organizations and people cooperate on them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maillage.core.capabilities import participation_sections
from maillage.organizations.models import Organization
from maillage.people.models import Person
from maillage.territories.models import Territory


def home(request: HttpRequest) -> HttpResponse:
    territories = (
        Territory.objects.filter(kind__in=["region", "intercommunality", "commune"])
        .annotate(organization_count=Count("organizations", distinct=True))
        .order_by("path")
    )
    context = {
        "territories": territories,
        "counts": {
            "territories": Territory.objects.count(),
            "organizations": Organization.objects.count(),
            "people": Person.objects.filter(is_active=True).count(),
        },
    }
    return render(request, "site/home.html", context)


@login_required
def my_participation(request: HttpRequest) -> HttpResponse:
    """Show a person what she gave in every capability, and what became of it."""
    sections = participation_sections(request.user)
    return render(request, "site/my_participation.html", {"sections": sections})
