"""Forms of the consultation pages; validation of contributions stays in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.consultations.imports import MAX_IMPORT_BYTES
from maillage.consultations.models import TEXT_MAX_LENGTH, Campaign, Contribution, Response
from maillage.consultations.photos import MAX_PHOTO_BYTES

HONEYPOT = "website"


class ContributionForm(forms.Form):
    """An inhabitant's contribution online; closed questions become optional fields."""

    site = forms.TypedChoiceField(label=_("Which place?"), coerce=int)
    text = forms.CharField(
        label=_("Your words"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX_LENGTH}),
        help_text=_("Up to 5,000 characters. Do not write names or contact details of anyone."),
    )
    age_band = forms.ChoiceField(
        label=_("Your age (optional)"),
        required=False,
        choices=[("", _("I prefer not to say")), *Contribution.AgeBand.choices],
    )
    relation = forms.ChoiceField(
        label=_("You are here because you… (optional)"),
        required=False,
        choices=[("", _("I prefer not to say")), *Contribution.Relation.choices],
    )
    photo = forms.FileField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 10 MB at most. Its location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    contact_email = forms.EmailField(
        label=_("Your email, to hear what becomes of your idea (optional, never published)"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_("I agree that my words are published (without my name)"), required=False
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["text"].label = campaign.open_question
        self.fields["site"].choices = [
            ("", _("Choose a place")),
            *campaign.sites.order_by("name").values_list("pk", "name"),
        ]
        for question in campaign.closed_questions:
            name = f"answer_{question['id']}"
            if question["kind"] == "scale":
                choices = [(str(v), str(v)) for v in range(question["min"], question["max"] + 1)]
                self.fields[name] = forms.ChoiceField(
                    label=question["label"],
                    required=False,
                    choices=[("", "—"), *choices],
                    help_text=_("%(min)s = not at all, %(max)s = completely")
                    % {"min": question["min"], "max": question["max"]},
                )
            elif question["kind"] == "single":
                self.fields[name] = forms.ChoiceField(
                    label=question["label"],
                    required=False,
                    choices=[("", "—"), *[(o, o) for o in question["options"]]],
                )
            else:
                self.fields[name] = forms.MultipleChoiceField(
                    label=question["label"],
                    required=False,
                    choices=[(o, o) for o in question["options"]],
                    widget=forms.CheckboxSelectMultiple,
                )

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is larger than 10 MB."))
        return photo

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def record(self) -> dict[str, Any]:
        """Return the contribution as a sync record, for the shared validation."""
        data = self.cleaned_data
        answers = {
            q["id"]: data.get(f"answer_{q['id']}")
            for q in self.campaign.closed_questions
            if data.get(f"answer_{q['id']}")
        }
        return {
            "campaign": self.campaign.slug,
            "site": data["site"],
            "text": data["text"],
            "answers": answers,
            "age_band": data.get("age_band", ""),
            "relation": data.get("relation", ""),
            "consent": bool(data.get("consent")),
            "contact_email": data.get("contact_email", ""),
        }


class HideForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Contribution.HiddenReason.choices)


class RedactForm(forms.Form):
    text = forms.CharField(
        label=_("Text without the personal data"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo too"), required=False)


def parse_ids(value: str) -> list[int]:
    """Return the numbers in ``"12, 15 18"``; raise ValidationError on anything else."""
    parts = value.replace(",", " ").split()
    if not all(p.lstrip("#").isdigit() for p in parts):
        raise forms.ValidationError(_("Give contribution numbers separated by commas."))
    return [int(p.lstrip("#")) for p in parts]


class ResponseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=Response.Status.choices)
    text = forms.CharField(
        label=_("Response"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = forms.CharField(
        label=_("Reason (required when not retained)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    link_url = forms.URLField(
        label=_("Link to a decision, document or action"), required=False, assume_scheme="https"
    )
    contributions = forms.CharField(
        label=_("Contribution numbers answered"),
        required=False,
        help_text=_("Numbers shown in the moderation queue, separated by commas."),
    )

    def clean_contributions(self) -> list[int]:
        return parse_ids(self.cleaned_data.get("contributions", ""))


class ResponseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Response.Status.choices)
    reason = forms.CharField(label=_("Reason (required when not retained)"), required=False)
    contributions = forms.CharField(label=_("Add contribution numbers"), required=False)

    def clean_contributions(self) -> list[int]:
        return parse_ids(self.cleaned_data.get("contributions", ""))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of the file"),
        choices=[("utf-8", "UTF-8"), ("cp1252", "Windows-1252 (Excel)"), ("latin-1", "ISO-8859-1")],
        initial="utf-8",
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file (dry run): record nothing"), required=False, initial=True
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
