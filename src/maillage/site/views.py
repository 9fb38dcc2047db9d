"""The home page: what is happening now on the visitor's territory, and where to take part."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maillage.core.capabilities import home_blocks, participation_sections
from maillage.core.http import AuthenticatedRequest
from maillage.organizations.models import Organization
from maillage.people.models import Person
from maillage.people.selectors import person_territory_roles
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_roots, territory_with_descendant_ids

# The places a visitor can pick as "my territory" (sites and neighbourhoods are too small).
CHOOSABLE_KINDS = ["region", "intercommunality", "commune"]


def _visitor_territory(request: HttpRequest, choices: Sequence[Territory]) -> Territory | None:
    """Return the territory asked for (?territoire=slug), else the person's, else the widest.

    An unknown slug falls back like no choice at all: the page always shows something.
    """
    by_slug = {t.slug: t for t in choices}
    asked = request.GET.get("territoire", "")
    if asked in by_slug:
        return by_slug[asked]
    if request.user.is_authenticated:
        for role in person_territory_roles(request.user):
            if role.territory.slug in by_slug:
                return role.territory
    root = territory_roots().first()
    return root or (choices[0] if choices else None)


def home(request: HttpRequest) -> HttpResponse:
    choices = list(
        Territory.objects.filter(kind__in=CHOOSABLE_KINDS)
        .annotate(organization_count=Count("organizations", distinct=True))
        .order_by("path")
    )
    territory = _visitor_territory(request, choices)
    blocks = []
    if territory is not None:
        ids = territory_with_descendant_ids(territory)
        for _, provider in home_blocks():
            block = provider(territory, ids)
            if block:
                blocks.append(block)
    context = {
        "territory": territory,
        "territories": choices,
        "blocks": blocks,
        "counts": {
            "territories": Territory.objects.count(),
            "organizations": Organization.objects.count(),
            "people": Person.objects.filter(is_active=True).count(),
        },
    }
    return render(request, "site/home.html", context)


@login_required
def my_participation(request: AuthenticatedRequest) -> HttpResponse:
    """Show a person what she gave in every capability, and what became of it."""
    sections = participation_sections(request.user)
    return render(request, "site/my_participation.html", {"sections": sections})
