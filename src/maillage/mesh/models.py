"""The only thing the mesh stores: whether a person agrees to appear in it by name.

The graph itself is derived from the records of the other apps at each reading, never stored
nor typed by hand (see ``derivation``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeshConsent(models.Model):
    """A person's choice to appear in the network view and in open data (pseudonymized).

    Without a row, or with ``visible`` False, the person is folded into their organization.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mesh_consent"
    )
    visible = models.BooleanField(_("appear in the cooperation mesh"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mesh consent")
        verbose_name_plural = _("mesh consents")

    def __str__(self) -> str:
        return f"{self.person_id}: {'visible' if self.visible else 'hidden'}"
