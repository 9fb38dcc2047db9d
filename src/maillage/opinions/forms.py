"""Forms of the conversation pages; the services hold the rules, forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import form_field

MODERATION_CHOICES = [
    ("after", _("Participants' statements appear at once; a facilitator may reject them after")),
    ("before", _("Participants' statements appear only once a facilitator accepts them")),
]


class ConversationSettingsForm(forms.Form):
    topic = forms.CharField(label=_("Question"), max_length=300)
    description = forms.CharField(
        label=_("Context"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    allow_anonymous = forms.BooleanField(
        label=_("People without an account may vote"), required=False, initial=True
    )
    participant_statements = forms.BooleanField(
        label=_("Participants may add statements"), required=False, initial=True
    )
    moderation = forms.ChoiceField(
        label=_("Moderation"), choices=MODERATION_CHOICES, widget=forms.RadioSelect, initial="after"
    )

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "topic": data["topic"],
            "description": data["description"],
            "allow_anonymous": data["allow_anonymous"],
            "participant_statements": data["participant_statements"],
            "statements_need_moderation": data["moderation"] == "before",
        }


class ConversationCreateForm(ConversationSettingsForm):
    territory: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Territory"), queryset=None)
    seed_statements = forms.CharField(
        label=_("Statements to vote on, one per line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            "Short, single-idea sentences people can agree or disagree with. At least one."
        ),
    )

    field_order = ["territory", "topic", "description", "seed_statements"]

    def __init__(self, *args: Any, territories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "territory", forms.ModelChoiceField).queryset = territories

    def seeds(self) -> list[str]:
        return self.cleaned_data["seed_statements"].splitlines()
