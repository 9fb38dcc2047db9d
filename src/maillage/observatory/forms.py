"""Forms of the observatory pages; the services do the checks that matter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.observatory.services import NOTE_MAX_LENGTH, THEME_COUNT_RANGE


class RecomputeForm(forms.Form):
    n_themes = forms.IntegerField(
        required=False,
        min_value=THEME_COUNT_RANGE[0],
        max_value=THEME_COUNT_RANGE[1],
        label=_("Number of themes"),
        help_text=_("Leave empty to let the analysis choose."),
    )


class InterpretationForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX_LENGTH,
        label=_("What do you make of this signal?"),
        help_text=_("Your interpretation is published beside the signal, with your name."),
    )
