"""Forms of the journeys and self-observation pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import DateInput, form_field
from maillage.journeys.models import Dimension, Questionnaire
from maillage.organizations.models import Organization
from maillage.people.models import Person
from maillage.territories.models import Territory


class JourneyForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.exclude(kind="site").order_by("path"), label=_("Territory")
    )
    starts_on = forms.DateField(widget=DateInput, label=_("First day"))
    ends_on = forms.DateField(widget=DateInput, label=_("Last day"))
    description = forms.CharField(widget=forms.Textarea, required=False, label=_("Description"))
    walkers = forms.ModelMultipleChoiceField(
        queryset=Person.objects.filter(is_active=True, public_profile=True),
        required=False,
        label=_("Walkers (people with a public profile)"),
    )
    is_public = forms.BooleanField(required=False, initial=True, label=_("Public journey"))


class GpxForm(forms.Form):
    gpx = forms.FileField(
        label=_("GPX file"),
        help_text=_("The track is simplified (points closer than 10 m to the line are dropped)."),
    )


class StageForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Stage"))
    starts_on = forms.DateField(widget=DateInput, label=_("Start"))
    ends_on = forms.DateField(widget=DateInput, label=_("End"))
    distance_km = forms.DecimalField(
        required=False, min_value=0, max_digits=6, decimal_places=1, label=_("Distance (km)")
    )


class EncounterForm(forms.Form):
    met_on = forms.DateField(widget=DateInput, label=_("Day"))
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.none(), required=False, label=_("Place (territory)")
    )
    place_name = forms.CharField(
        max_length=200,
        required=False,
        label=_("Or a place name"),
        help_text=_("A village, a square, a farm: never an address or a precise point."),
    )
    who = forms.CharField(
        max_length=200,
        label=_("Who was met"),
        help_text=_("A role or a few words, e.g. “a baker”: never a name."),
    )
    consent = forms.BooleanField(
        required=False, label=_("The inhabitant agreed that notes be taken")
    )
    notes = forms.CharField(
        widget=forms.Textarea, required=False, max_length=5000, label=_("Notes")
    )
    themes = forms.CharField(
        max_length=400, required=False, label=_("Themes"), help_text=_("Separated by commas.")
    )

    def __init__(self, *args: Any, territory: Territory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "territory", forms.ModelChoiceField).queryset = Territory.objects.filter(
            path__startswith=territory.path
        ).order_by("path")

    def record(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "met_on": data["met_on"].isoformat(),
            "territory": data["territory"].pk if data["territory"] else None,
            "place_name": data["place_name"],
            "who": data["who"],
            "consent": data["consent"],
            "notes": data["notes"],
            "themes": [t for t in data["themes"].split(",") if t.strip()],
        }


class AnswerForm(forms.Form):
    """One field per question, bounded by the questionnaire's scale."""

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "fr"
        self.scale = (questionnaire.scale_low, questionnaire.scale_high)
        wording = questionnaire.wording(language)
        for question in questionnaire.questions.all():
            self.fields[question.key] = forms.IntegerField(
                label=question.text(language),
                help_text=_("From %(low)d (%(low_label)s) to %(high)d (%(high_label)s)")
                % {
                    "low": questionnaire.scale_low,
                    "high": questionnaire.scale_high,
                    "low_label": wording["low_label"],
                    "high_label": wording["high_label"],
                },
                widget=forms.NumberInput(
                    attrs={"min": questionnaire.scale_low, "max": questionnaire.scale_high}
                ),
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = self.scale
        for key, value in list(data.items()):
            if value is not None and not low <= value <= high:
                self.add_error(
                    key,
                    _("%(value)d is outside the scale: allowed range %(low)d to %(high)d.")
                    % {"value": value, "low": low, "high": high},
                )
        return data


class QuestionForm(forms.Form):
    text_fr = forms.CharField(max_length=300, label=_("French"))
    text_en = forms.CharField(max_length=300, label=_("English"))


class RoundForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("Collective"),
        help_text=_("Its members answer, and its aggregate is shown once at least 5 of them have."),
    )
    opens_on = forms.DateField(widget=DateInput, label=_("Opens on"))
    closes_on = forms.DateField(
        widget=DateInput,
        required=False,
        label=_("Closes on"),
        help_text=_("Optional: you can also close it by hand."),
    )

    def __init__(self, *args: Any, organizations: Any, personal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "organization", forms.ModelChoiceField)
        field.queryset = organizations
        if personal:
            field.empty_label = _("Everyone, each for themselves (no collective)")
        else:
            field.required = True
            if len(organizations) == 1:
                self.initial.setdefault("organization", organizations[0].pk)


class QuestionAddForm(forms.Form):
    key = forms.SlugField(
        max_length=40, label=_("Key"), help_text=_("A short name, e.g. trust-in-the-group.")
    )
    dimension = forms.ChoiceField(choices=Dimension.choices, label=_("Dimension"))
    text_fr = forms.CharField(max_length=300, label=_("French"))
    text_en = forms.CharField(max_length=300, label=_("English"))
