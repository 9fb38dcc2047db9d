"""Forms of the consultation pages; validation of contributions stays in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.consultations.imports import MAX_IMPORT_BYTES
from maillage.consultations.models import TEXT_MAX_LENGTH, Campaign, Contribution, Response
from maillage.consultations.photos import MAX_PHOTO_BYTES
from maillage.core.forms import form_field
from maillage.people.models import Person
from maillage.territories.models import Territory

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
        form_field(self, "site", forms.ChoiceField).choices = [
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


# ---------------------------------------------------------------------------------------------
# Back office: the participation service sets its campaigns up


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    """The texts and period of a campaign; its territory is chosen once, at creation."""

    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    open_question = forms.CharField(
        label=_("Open question asked to the inhabitants"),
        max_length=300,
        help_text=_("For instance: How do you want to feel in this public space?"),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), widget=DateInput())
    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"),
        required=False,
        queryset=Person.objects.none(),
        empty_label=_("Nobody in particular"),
        help_text=_("A facilitator or an admin of the territory."),
    )

    def __init__(
        self, *args: Any, territories: Any = None, members: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if territories is None:
            del self.fields["territory"]
        else:
            form_field(self, "territory", forms.ModelChoiceField).queryset = territories
        if members is None:
            del self.fields["facilitator"]
        else:
            form_field(self, "facilitator", forms.ModelChoiceField).queryset = members


class QuestionForm(forms.Form):
    """One closed question: a scale, or a single or multiple choice with its options."""

    qid = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of answer"),
        choices=[
            ("scale", _("Scale (from a low to a high value)")),
            ("single", _("Single choice")),
            ("multiple", _("Multiple choice")),
        ],
    )
    options = forms.CharField(
        label=_("Options, one per line (choices only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scale_min = forms.IntegerField(
        label=_("Lowest value (scale only)"), min_value=0, max_value=10, initial=1, required=False
    )
    scale_max = forms.IntegerField(
        label=_("Highest value (scale only)"), min_value=0, max_value=10, initial=5, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        options = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        data["option_list"] = options
        if data.get("kind") in ("single", "multiple") and len(options) < 2:
            self.add_error("options", _("A choice needs at least two options, one per line."))
        if data.get("kind") == "scale":
            low: int = data["scale_min"] if data.get("scale_min") is not None else 1
            high: int = data["scale_max"] if data.get("scale_max") is not None else 5
            if low >= high:
                self.add_error("scale_max", _("The highest value must be above the lowest."))
            data["scale_min"], data["scale_max"] = low, high
        return data

    def question(self, qid: str) -> dict[str, Any]:
        """Return the question as the campaign stores it."""
        data = self.cleaned_data
        item: dict[str, Any] = {"id": qid, "kind": data["kind"], "label": data["label"]}
        if data["kind"] == "scale":
            item.update(min=data["scale_min"], max=data["scale_max"])
        else:
            item["options"] = data["option_list"]
        return item

    @staticmethod
    def initial_for(question: dict[str, Any]) -> dict[str, Any]:
        return {
            "qid": question["id"],
            "label": question["label"],
            "kind": question["kind"],
            "options": "\n".join(question.get("options", [])),
            "scale_min": question.get("min", 1),
            "scale_max": question.get("max", 5),
        }


QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, can_delete=True, max_num=20)


def questions_from_formset(formset: Any) -> list[dict[str, Any]]:
    """Return the questions of a valid formset, keeping the ids of the existing ones."""
    kept = [
        form
        for form in formset.forms
        if form.has_changed() and not form.cleaned_data.get("DELETE") and form.cleaned_data
    ]
    used = {form.cleaned_data["qid"] for form in kept if form.cleaned_data.get("qid")}
    questions, number = [], 1
    for form in kept:
        qid = form.cleaned_data.get("qid")
        if not qid:
            while f"q{number}" in used:
                number += 1
            qid = f"q{number}"
            used.add(qid)
        questions.append(form.question(qid))
    return questions


class SitesForm(forms.Form):
    """The public spaces of the campaign, ticked in the list or on the map."""

    sites = forms.ModelMultipleChoiceField(
        label=_("Sites of the campaign"),
        required=False,
        queryset=Territory.objects.filter(kind=Territory.Kind.SITE),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the territory's spaces are offered; any other one posted reaches the service,
        # which refuses it with a message naming it.
        self.fields["sites"].widget.choices = [(site.pk, site.name) for site in choices]


class TeamAddForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.filter(is_active=True))


class ResponseEditForm(forms.Form):
    """A response's texts and status; its contributions are the ticked boxes of the page."""

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
