"""Forms of the decision pages; the services hold the rules, forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.decisions.models import Answer, Delegation, Poll, Round


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
            self.fields["scope"].queryset = circle.delegations.select_related("organization")
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
    kind = forms.ChoiceField(label=_("Round"), choices=Round.Kind.choices)
    mode = forms.ChoiceField(
        label=_("How"), choices=Round.Mode.choices, widget=forms.RadioSelect, initial="live"
    )
    deadline = forms.DateTimeField(
        label=_("Deadline (online rounds)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


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
        self.fields["nominee"].choices = [(m.person_id, m.person.public_name) for m in members]
