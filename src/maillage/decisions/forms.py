"""Forms of the decision pages; the services hold the rules, forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import form_field
from maillage.core.periods import active_q
from maillage.decisions.models import Answer, Circle, Delegation, Poll, Round
from maillage.organizations.models import Organization


class ProposeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 10}))
    scope = forms.ModelMultipleChoiceField(
        label=_("Delegations concerned"),
        queryset=Delegation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each one must consent by its own rule. None ticked: all of them."),
    )
    review_date = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: one year after adoption."),
    )

    def __init__(self, *args: Any, circle: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if circle.is_committee:
            form_field(self, "scope", forms.ModelChoiceField).queryset = circle.delegations.filter(
                active_q()
            ).select_related("organization")
        else:
            del self.fields["scope"]


class AmendForm(forms.Form):
    text = forms.CharField(label=_("Amended text"), widget=forms.Textarea(attrs={"rows": 10}))
    note = forms.CharField(
        label=_("What changed and why"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, objections: list[Answer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objections = objections
        for objection in objections:
            self.fields[f"integration_{objection.pk}"] = forms.CharField(
                label=_("How this objection is integrated: “%(reason)s”")
                % {"reason": objection.reason[:120]},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def integrations(self) -> dict[int, str]:
        return {
            objection.pk: self.cleaned_data[f"integration_{objection.pk}"]
            for objection in self.objections
            if self.cleaned_data.get(f"integration_{objection.pk}", "").strip()
        }


class RoundOpenForm(forms.Form):
    """Open the round the process allows now: its kind is not a choice but the next step.

    A posted kind that does not match (e.g. a consent round asked from a draft) reaches the
    service, which answers with the stage and the possible steps in words.
    """

    kind = forms.ChoiceField(choices=Round.Kind.choices, widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label=_("How"), choices=Round.Mode.choices, widget=forms.RadioSelect, initial="live"
    )
    deadline = forms.DateTimeField(
        label=_("Deadline (online rounds)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, kind: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = kind


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Your answer"), choices=Answer.Kind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason of the objection"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for an objection: how would the proposal harm the circle's aim?"),
    )
    acceptable_if = forms.CharField(
        label=_("What would make it acceptable"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for an objection: what change would lift it?"),
    )

    def __init__(self, *args: Any, members: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            # Live rounds: the facilitator records the voice of the member who speaks.
            self.fields["member"] = forms.TypedChoiceField(
                label=_("Member speaking"),
                coerce=int,
                choices=[(m.person_id, m.person.public_name) for m in members],
            )
            self.order_fields(["member", "kind", "reason", "acceptable_if"])


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Question or reaction"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, members: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"] = forms.TypedChoiceField(
                label=_("Member speaking"),
                coerce=int,
                choices=[(m.person_id, m.person.public_name) for m in members],
            )
            self.order_fields(["member", "text"])


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(forms.Form):
    meeting = forms.CharField(label=_("Meeting"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class UnavailabilityForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))


class PollForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.ChoiceField(label=_("Method"), choices=Poll.Method.choices)
    options = forms.CharField(
        label=_("Options, one per line"), widget=forms.Textarea(attrs={"rows": 5})
    )

    def option_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class ElectionForm(forms.Form):
    role = forms.CharField(label=_("Role to fill"), max_length=120)


class NominationForm(forms.Form):
    nominee = forms.TypedChoiceField(label=_("I nominate"), coerce=int)
    reason = forms.CharField(label=_("Because"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "nominee", forms.ChoiceField).choices = [
            (m.person_id, m.person.public_name) for m in members
        ]


def _emails(text: str) -> list[str]:
    return [line.strip().lower() for line in text.replace(",", "\n").splitlines() if line.strip()]


class PeopleByEmailMixin:
    """Turn email addresses into active accounts; unknown addresses are a field error."""

    def people(self, field: str, text: str) -> list[Any]:
        from maillage.people.models import Person

        emails = _emails(text)
        found = {
            p.email.lower(): p
            for p in Person.objects.filter(
                email__in=emails, is_active=True, deleted_at__isnull=True
            )
        }
        unknown = [e for e in emails if e not in found]
        if unknown:
            raise forms.ValidationError(
                _("No active account uses: %(emails)s. Ask them to create their account first.")
                % {"emails": ", ".join(unknown)}
            )
        return [found[e] for e in dict.fromkeys(emails)]


class CircleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Circle.Kind.choices)
    owner = forms.ChoiceField(
        label=_("Belongs to"),
        help_text=_("A territory you administer, or an organization you administer."),
    )
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(
        label=_("Public: anyone can read its decisions"), required=False, initial=True
    )

    def __init__(self, *args: Any, territories: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {f"territory-{t.pk}": t for t in territories}
        self.organizations = {f"organization-{o.pk}": o for o in organizations}
        choices: list[Any] = []
        if self.places:
            choices.append((_("Territories"), [(k, t.name) for k, t in self.places.items()]))
        if self.organizations:
            choices.append(
                (_("Organizations"), [(k, o.name) for k, o in self.organizations.items()])
            )
        form_field(self, "owner", forms.ChoiceField).choices = choices

    def owner_kwargs(self) -> dict[str, Any]:
        key = self.cleaned_data["owner"]
        if key in self.places:
            return {"territory": self.places[key]}
        return {"organization": self.organizations[key]}


class CircleEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(label=_("Public: anyone can read its decisions"), required=False)


class DelegationForm(PeopleByEmailMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Institution"), queryset=Organization.objects.order_by("name")
    )
    rule = forms.ChoiceField(
        label=_("How it consents"),
        choices=Delegation.Rule.choices,
        widget=forms.RadioSelect,
        initial=Delegation.Rule.UNANIMITY,
    )
    delegates = forms.CharField(
        label=_("Its delegates' email addresses, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Each delegate needs an account on the platform."),
    )
    head = forms.EmailField(
        label=_("Email of the head of delegation"),
        required=False,
        help_text=_("Only when the delegation decides by its head's voice; one of its delegates."),
    )

    def clean_delegates(self) -> list[Any]:
        return self.people("delegates", self.cleaned_data["delegates"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        head = (cleaned.get("head") or "").lower()
        delegates = cleaned.get("delegates") or []
        cleaned["head_person"] = None
        if head:
            match = [p for p in delegates if p.email.lower() == head]
            if not match:
                self.add_error(
                    "head", _("The head of the delegation must be one of its delegates.")
                )
            else:
                cleaned["head_person"] = match[0]
        return cleaned


class MemberAddForm(PeopleByEmailMixin, forms.Form):
    email = forms.EmailField(label=_("Email address of the new member"))
    delegation = forms.ModelChoiceField(
        label=_("In the delegation of"),
        queryset=Delegation.objects.none(),
        required=False,
        help_text=_("Empty: a member without a delegation (e.g. a facilitator), with no voice."),
    )

    def __init__(self, *args: Any, circle: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if circle.is_committee:
            form_field(
                self, "delegation", forms.ModelChoiceField
            ).queryset = circle.delegations.filter(active_q()).select_related("organization")
        else:
            del self.fields["delegation"]

    def clean_email(self) -> Any:
        return self.people("email", self.cleaned_data["email"])[0]


class DelegationEditForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("How it consents"), choices=Delegation.Rule.choices, widget=forms.RadioSelect
    )
    head = forms.TypedChoiceField(
        label=_("Head of delegation"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only when the delegation decides by its head's voice."),
    )

    def __init__(self, *args: Any, delegates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delegates = {m.person_id: m.person for m in delegates}
        form_field(self, "head", forms.ChoiceField).choices = [("", "—")] + [
            (pk, person.public_name) for pk, person in self.delegates.items()
        ]

    def head_person(self) -> Any:
        return self.delegates.get(self.cleaned_data["head"])
