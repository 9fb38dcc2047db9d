"""The anonymous profile people may give (never a name): one set of bands everywhere, so that
contributions, workshop registrations and their open data can be compared."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    FROM_18 = "18_29", _("18 to 29")
    FROM_30 = "30_44", _("30 to 44")
    FROM_45 = "45_59", _("45 to 59")
    FROM_60 = "60_74", _("60 to 74")
    FROM_75 = "75_plus", _("75 and over")
