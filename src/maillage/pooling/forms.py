"""Forms of the pooling pages; the services do the checks that matter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import DateInput, form_field
from maillage.organizations.models import Organization
from maillage.pooling.models import Category, Conditions, Need, Offer
from maillage.territories.models import Territory


class ListingForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("For"))
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(widget=forms.Textarea, required=False, label=_("Description"))
    available_from = forms.DateField(widget=DateInput, label=_("Available from"))
    available_until = forms.DateField(widget=DateInput, label=_("Available until"))
    conditions = forms.ChoiceField(choices=Conditions.choices, label=_("Conditions"))
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.exclude(kind="site").order_by("path"), label=_("Territory")
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organization", forms.ModelChoiceField).queryset = organizations
        if not self.is_bound and len(organizations) == 1:
            self.initial.setdefault("organization", organizations[0].pk)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("available_from", today)
            self.initial.setdefault("available_until", today + dt.timedelta(days=90))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error(
                "available_until",
                _("The availability ends on %(end)s, before it starts on %(start)s.")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
        return data


class ListingEditForm(ListingForm):
    """The same fields but the organization, which a listing keeps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, organizations=Organization.objects.none(), **kwargs)
        del self.fields["organization"]


class ConfirmForm(forms.Form):
    feedback = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Your organization's short feedback (optional)"),
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label=_("Your feedback")
    )


def _grouped_listings(listings: Any) -> list[tuple[str, Any]]:
    """Return listings as choices grouped by organization: a title alone says too little."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for listing in listings:
        groups.setdefault(listing.organization.name, []).append((listing.pk, listing.title))
    return [("", "—"), *((name, options) for name, options in sorted(groups.items()))]


FILTER_LABELS = {
    "offer": _("Filter the offers (words of the title or of the organization)"),
    "need": _("Filter the needs (words of the title or of the organization)"),
}


class ExchangeForm(forms.Form):
    giver = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"), label=_("Giving organization")
    )
    receiver = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"), label=_("Receiving organization")
    )
    what = forms.CharField(max_length=300, label=_("What was given"))
    happened_on = forms.DateField(widget=DateInput, label=_("When"))
    duration_hours = forms.DecimalField(
        min_value=0, max_digits=7, decimal_places=1, required=False, label=_("Duration (hours)")
    )
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.none(), required=False, label=_("Offer it answered")
    )
    need = forms.ModelChoiceField(
        queryset=Need.objects.none(), required=False, label=_("Need it answered")
    )
    feedback = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Your organization's short feedback"),
    )

    def __init__(self, *args: Any, mine: Any = (), **kwargs: Any) -> None:
        """``mine`` are the organizations of the person: one of them is a side of the exchange."""
        super().__init__(*args, **kwargs)
        mine = list(mine)
        if not self.is_bound:
            self.initial.setdefault("happened_on", timezone.localdate())
        if not self.is_bound and len(mine) == 1:
            # Coming from another organization's offer (or need), the person's is the other side.
            if self.initial.get("giver") and str(self.initial["giver"]) != str(mine[0].pk):
                self.initial.setdefault("receiver", mine[0].pk)
            elif not self.initial.get("receiver"):
                self.initial.setdefault("giver", mine[0].pk)
        for name, model in (("offer", Offer), ("need", Need)):
            field = form_field(self, name, forms.ModelChoiceField)
            field.queryset = (
                model.objects.filter(is_active=True)
                .select_related("organization")
                .order_by("organization__name", "title")
            )
            field.choices = _grouped_listings(field.queryset)
            field.help_text = _("Grouped by organization, in alphabetical order.")
            # With JavaScript, a text filter above the list (see frontend/src/main.js).
            field.widget.attrs.update(
                {
                    "data-filter-label": FILTER_LABELS[name],
                    "data-filter-count": _("Listed: %(count)s"),
                }
            )
