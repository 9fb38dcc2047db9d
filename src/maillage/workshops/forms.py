"""Forms of the workshop pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import DateTimeInput, form_field
from maillage.core.periods import active_q
from maillage.organizations.models import Membership, Organization
from maillage.people.models import Person
from maillage.territories.models import Territory
from maillage.workshops.models import Output, Registration


def members_of(organizations: Any) -> Any:
    """Return the active members of ``organizations``, by name: who may run a workshop."""
    return (
        Person.objects.filter(
            pk__in=Membership.objects.filter(active_q(), organization__in=organizations).values(
                "person_id"
            ),
            is_active=True,
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(active_q()).select_related("organization"),
            )
        )
        .order_by("display_name", "pk")
    )


class HostsField(forms.ModelMultipleChoiceField):
    """People ticked by name, with their organizations (names alone can be homonyms)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Person.objects.none(),
            required=False,
            label=_("People who run it"),
            help_text=_("Members of the organizing organizations; they are named on the page."),
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        names = sorted({m.organization.name for m in obj.memberships.all()})
        return f"{obj.public_name} ({', '.join(names)})" if names else obj.public_name


class WorkshopForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    theme = forms.CharField(max_length=200, label=_("Theme"))
    method = forms.CharField(max_length=200, label=_("Method"))
    description = forms.CharField(widget=forms.Textarea, required=False, label=_("Description"))
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.exclude(kind="site").order_by("path"), label=_("Territory")
    )
    place = forms.CharField(max_length=300, required=False, label=_("Place"))
    video_url = forms.URLField(required=False, label=_("Video link"), assume_scheme="https")
    starts_at = forms.DateTimeField(widget=DateTimeInput, label=_("Starts at"))
    ends_at = forms.DateTimeField(widget=DateTimeInput, label=_("Ends at"))
    capacity = forms.IntegerField(min_value=1, label=_("Capacity"))
    organizers = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        label=_("Organizing organizations"),
        help_text=_("The organizations you belong to that run this workshop."),
    )

    hosts = HostsField()

    def __init__(self, *args: Any, organizations: Any, person: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organizers", forms.ModelChoiceField).queryset = organizations
        form_field(self, "hosts", forms.ModelChoiceField).queryset = members_of(organizations)
        if not self.is_bound and organizations.count() == 1:
            self.initial.setdefault("organizers", [organizations.get().pk])
        if not self.is_bound and person is not None:
            self.initial.setdefault("hosts", [person.pk])


class WorkshopEditForm(forms.Form):
    """What its organizers may change once it exists (territory and organizers stay)."""

    title = forms.CharField(max_length=200, label=_("Title"))
    theme = forms.CharField(max_length=200, label=_("Theme"))
    method = forms.CharField(max_length=200, label=_("Method"))
    description = forms.CharField(widget=forms.Textarea, required=False, label=_("Description"))
    place = forms.CharField(max_length=300, required=False, label=_("Place"))
    video_url = forms.URLField(required=False, label=_("Video link"), assume_scheme="https")
    starts_at = forms.DateTimeField(widget=DateTimeInput, label=_("Starts at"))
    ends_at = forms.DateTimeField(widget=DateTimeInput, label=_("Ends at"))
    capacity = forms.IntegerField(min_value=1, label=_("Capacity"))
    hosts = HostsField()

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "hosts", forms.ModelChoiceField).queryset = members_of(organizations)


class DuplicateForm(forms.Form):
    starts_at = forms.DateTimeField(widget=DateTimeInput, label=_("New start"))


class RegistrationForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    email = forms.EmailField(label=_("Email"))
    sector = forms.ChoiceField(
        choices=[("", "—"), *Registration.Sector.choices], required=False, label=_("Sector")
    )
    public = forms.ChoiceField(
        choices=[("", "—"), *Registration.Public.choices], required=False, label=_("You come as")
    )
    age_band = forms.ChoiceField(
        choices=[("", "—"), *Registration.AgeBand.choices], required=False, label=_("Age band")
    )
    discipline = forms.ChoiceField(
        choices=[("", "—"), *Registration.Discipline.choices],
        required=False,
        label=_("Discipline"),
    )
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.filter(kind__in=("commune", "neighbourhood")).order_by("path"),
        required=False,
        empty_label="—",  # as the other optional fields, not Django's "---------"
        label=_("Where you live or work"),
    )

    def __init__(self, *args: Any, person: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if getattr(person, "is_authenticated", False):
            # An account registers itself: its name and email come from the account.
            del self.fields["name"]
            del self.fields["email"]
        for name in ("sector", "public", "age_band", "discipline", "territory"):
            self.fields[name].help_text = _(
                "Optional; only used for the diversity of the workshop, never published alone."
            )


class OutputForm(forms.Form):
    kind = forms.ChoiceField(choices=Output.Kind.choices, label=_("Kind"))
    label = forms.CharField(max_length=200, label=_("Label"))
    url = forms.CharField(max_length=500, label=_("Address (URL or page of this site)"))
