"""Forms of the pooling pages; the services do the checks that matter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.organizations.models import Organization
from maillage.pooling.models import Category, Conditions, Need, Offer
from maillage.territories.models import Territory


class DateInput(forms.DateInput):
    input_type = "date"


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
        self.fields["organization"].queryset = organizations

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error(
                "available_until",
                _("The availability ends on %(end)s, before it starts on %(start)s.")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
        return data


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = Offer.objects.filter(is_active=True).select_related(
            "organization"
        )
        self.fields["need"].queryset = Need.objects.filter(is_active=True).select_related(
            "organization"
        )
