"""Forms of the territory pages; the import's checks stay in ``imports`` and the services."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import form_field
from maillage.territories.imports import MAX_IMPORT_BYTES
from maillage.territories.models import Territory


class TerritoryImportForm(forms.Form):
    """A GeoJSON file of areas or places, with the properties that hold names and codes."""

    parent = forms.ModelChoiceField(
        label=_("Import inside"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=_("— At the top (a new territory) —"),
    )
    kind = forms.ChoiceField(label=_("Kind of the imported places"), choices=Territory.Kind.choices)
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection in WGS 84 (longitude, latitude), 20 MB at most: for instance "
            "an IGN Admin Express or OpenStreetMap export."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )
    name_property = forms.CharField(
        label=_("Property holding the name"),
        initial="nom",
        max_length=60,
        help_text=_("“nom” in IGN Admin Express, “name” in OpenStreetMap."),
    )
    code_property = forms.CharField(
        label=_("Property holding the official code (optional)"),
        initial="code",
        required=False,
        max_length=60,
        help_text=_(
            "“code” (INSEE) in IGN Admin Express. With a code, a second import updates the "
            "places it already made instead of adding them again."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file (dry run): record nothing"), required=False, initial=True
    )

    def __init__(self, *args: Any, parents: Any, top_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = form_field(self, "parent", forms.ModelChoiceField)
        parent.queryset = parents
        self.fields["parent"].required = not top_allowed
        if not top_allowed:
            parent.empty_label = None
        self.fields["kind"].initial = Territory.Kind.COMMUNE

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class PlaceForm(forms.Form):
    """A place's name, description and shape; the shape is drawn on the map, which writes it
    here as GeoJSON (the field stays editable by hand, for keyboards and pasted shapes)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Territory.Kind.choices)
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    geometry = forms.CharField(
        label=_("Shape (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "Filled in when you draw on the map: a point, a line (a street) or a polygon (a "
            "square, a park). You may also paste a GeoJSON geometry."
        ),
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is None:
            del self.fields["kind"]
        else:
            form_field(self, "kind", forms.ChoiceField).choices = [
                c for c in Territory.Kind.choices if c[0] in kinds
            ]

    def clean_geometry(self) -> Any:
        text = self.cleaned_data.get("geometry", "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("The shape is not valid GeoJSON.")) from None
