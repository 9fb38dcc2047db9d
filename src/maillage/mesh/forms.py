"""The observatory's filters, read from the query string; a bad value is a 400 naming it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.analysis.graph import EdgeKind, Sector
from maillage.mesh.visibility import PERIODS, MeshFilters

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KIND_LABELS = {
    EdgeKind.COPRODUCTION: _("Co-production"),
    EdgeKind.POOLING: _("Pooling"),
    EdgeKind.ENCOUNTER: _("Encounters"),
    EdgeKind.BELONGING: _("Belonging"),
    EdgeKind.INVITATION: _("Invitations"),
}
# Keyed by str: a node's sector is read from data, where it may be any text or empty.
SECTOR_LABELS: dict[str, StrOrPromise] = {
    Sector.ACADEMIC: _("Academic"),
    Sector.BUSINESS: _("Business"),
    Sector.PUBLIC_BODY: _("Public body"),
    Sector.ASSOCIATION: _("Association"),
    Sector.CITIZENS: _("Citizens"),
}
NODE_KIND_LABELS = {
    "person": _("Person"),
    "organization": _("Organization"),
    "territory": _("Territory"),
}
STAGE_LABELS = {
    "contribution": _("Contribution"),
    "response": _("Response"),
    "decision": _("Decision"),
    "action": _("Action"),
    "consultation": _("New consultation"),
}
PERIOD_LABELS = {"year": _("Year"), "quarter": _("Quarter"), "month": _("Month")}


class MeshFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label=_("Kinds of links"),
        required=False,
        choices=[(str(k), label) for k, label in KIND_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    sector = forms.ChoiceField(
        label=_("Sector (at least one end)"),
        required=False,
        choices=[("", _("All sectors"))] + [(str(s), label) for s, label in SECTOR_LABELS.items()],
    )
    start = forms.DateField(
        label=_("From (first day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (last day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period = forms.ChoiceField(
        label=_("Timeline step"),
        required=False,
        choices=[(p, PERIOD_LABELS[p]) for p in PERIODS],
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(
                _("The period ends (%(end)s) before it starts (%(start)s).")
                % {"start": start.isoformat(), "end": end.isoformat()}
            )
        return data

    def filters(self) -> MeshFilters:
        """Return the filters of a valid form."""
        data = self.cleaned_data
        return MeshFilters(
            kinds=tuple(data.get("kind") or ()),
            sector=data.get("sector") or "",
            start=data.get("start"),
            end=data.get("end"),
            period=data.get("period") or "year",
        )


class ConsentForm(forms.Form):
    visible = forms.BooleanField(
        label=_(
            "Show me by name in the cooperation mesh and include me (pseudonymized) in its "
            "open data"
        ),
        required=False,
    )
