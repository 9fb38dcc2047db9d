"""Forms of the co-writing pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import form_field
from maillage.core.periods import active_q
from maillage.cowriting.models import CoSignature, Participant, SharedWork
from maillage.organizations.models import Organization


class WorkForm(forms.ModelForm):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Owner organization")
    )
    objective = forms.CharField(
        label=_("My own objective"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = SharedWork
        fields = [
            "title",
            "organization",
            "vision",
            "is_public",
            "publication_rule",
            "objection_days",
        ]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 4}),
            "objection_days": forms.NumberInput(attrs={"min": 1}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = Organization.objects.all()
        if not user.is_superuser:
            queryset = queryset.filter(
                active_q("memberships__"), memberships__person=user
            ).distinct()
        form_field(self, "organization", forms.ModelChoiceField).queryset = queryset


class WorkSettingsForm(forms.ModelForm):
    """What the writers (and the owner organization's admins) change once the work exists."""

    class Meta:
        model = SharedWork
        fields = ["title", "vision", "is_public", "publication_rule", "objection_days"]
        widgets = {"vision": forms.Textarea(attrs={"rows": 4})}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to invite"))
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)


class ObjectiveForm(forms.Form):
    objective = forms.CharField(
        label=_("My own objective"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class VersionForm(forms.Form):
    name = forms.CharField(label=_("Version name"), max_length=120)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("My decision"), choices=CoSignature.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (required to object)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(forms.Form):
    anchor_start = forms.CharField(widget=forms.HiddenInput)
    anchor_end = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
