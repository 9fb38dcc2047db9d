"""Territories: nested places from region down to a single public space."""

from __future__ import annotations

import re

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The shape of an official code, by kind: INSEE's code of a region (2 digits) or a commune
# (5 characters: department then number; Corsica's departments are 2A and 2B), the SIREN number
# of an intercommunality (9 digits). Other kinds take any code.
OFFICIAL_CODE_SHAPES = {
    "region": re.compile(r"\d{2}"),
    "intercommunality": re.compile(r"\d{9}"),
    "commune": re.compile(r"(?:\d{5}|2[AB]\d{3})"),
}
# INSEE's linked-data IRIs are built from the code for regions and communes only: an
# intercommunality is identified there by an opaque UUID, not by its SIREN number.
INSEE_IRI_KINDS = ("region", "commune")
INSEE_GEO = "http://id.insee.fr/geo/"


class Territory(models.Model):
    """A place. ``path`` is the materialized chain of ancestor ids (``/3/12/40/``).

    The path lets one query fetch every ancestor or every descendant, whatever the depth.
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        INTERCOMMUNALITY = "intercommunality", _("Intercommunality")
        COMMUNE = "commune", _("Commune")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
        SITE = "site", _("Site / public space")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    official_code = models.CharField(
        _("official code (INSEE)"), max_length=12, blank=True, db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(null=True, blank=True, editable=False)
    bbox = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # The order of kinds from the widest to the narrowest; a child is always narrower.
    KIND_ORDER = [k.value for k in Kind]

    # Not columns: set on instances by the territory API, and consultations.selectors (a campaign's sites with their cached counts).
    ancestors: list[Territory]
    published_count: int

    class Meta:
        ordering = ["path"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:detail", args=[self.slug])

    @property
    def insee_iri(self) -> str | None:
        """Return INSEE's IRI for this place, or None when its kind or code has none."""
        code = self.official_code.strip().upper()
        if self.kind not in INSEE_IRI_KINDS or not OFFICIAL_CODE_SHAPES[self.kind].fullmatch(code):
            return None
        return f"{INSEE_GEO}{self.kind}/{code}"

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]
