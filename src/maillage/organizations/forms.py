from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import form_field
from maillage.organizations.models import Membership, Organization


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "mission",
            "description",
            "is_mission_company",
            "website",
            "territories",
        ]
        widgets = {"territories": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territories"].required = False
        self.fields["kind"].help_text = _(
            "A commune, public body or intercommunality shows as such once a territory admin "
            "of one of its territories has approved it."
        )
        territories = form_field(self, "territories", forms.ModelMultipleChoiceField)
        assert territories.queryset is not None  # a model form's relation field has one
        territories.queryset = territories.queryset.exclude(kind="site")


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    title = forms.CharField(label=_("Title (optional)"), max_length=120, required=False)
