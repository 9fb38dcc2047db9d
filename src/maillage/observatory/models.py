"""The observatory: stored analyses of what inhabitants said, their themes and weak signals.

An analysis run covers one scope, a campaign or a territory (every public campaign's
contributions on sites inside it). The themes, shares and signals of a run are written once,
atomically, when the run is done; a new run replaces nothing, so the page shows the latest
done run while the next one computes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from maillage.consultations.models import Contribution


class AnalysisRun(models.Model):
    """One computation of themes and weak signals over the published contributions of a scope."""

    class Scope(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        TERRITORY = "territory", _("Territory")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    campaign = models.ForeignKey(
        "consultations.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observatory_runs",
        verbose_name=_("campaign"),
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observatory_runs",
        verbose_name=_("territory"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField(_("why the analysis failed"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    contribution_count = models.PositiveIntegerField(_("contributions read"), default=0)
    analysed_count = models.PositiveIntegerField(_("contributions analysed"), default=0)
    skipped = models.JSONField(_("skipped contributions per reason"), default=dict, blank=True)
    languages = models.JSONField(_("contributions per language"), default=dict, blank=True)
    selection = models.JSONField(_("how the number of themes was chosen"), default=dict)
    periods = models.JSONField(_("periods"), default=list, blank=True)
    documents_per_period = models.JSONField(_("contributions per period"), default=list)
    timelines = models.JSONField(_("contributions using each term, per period"), default=dict)
    filtered_places = models.JSONField(_("place names left out of the signals"), default=list)
    timings = models.JSONField(_("seconds per stage"), default=dict, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="campaign", campaign__isnull=False, territory__isnull=True)
                    | Q(scope="territory", territory__isnull=False, campaign__isnull=True)
                ),
                name="analysis_run_one_scope",
            ),
            # At most one waiting or running analysis per scope: requesting it again while one
            # is pending joins it instead of queueing a duplicate computation.
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(status__in=["queued", "running"]),
                name="analysis_run_one_pending_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["territory"],
                condition=Q(status__in=["queued", "running"]),
                name="analysis_run_one_pending_per_territory",
            ),
        ]
        indexes = [models.Index(fields=["scope", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.scope} {self.campaign_id or self.territory_id} {self.status}"

    @property
    def subject(self) -> models.Model | None:
        """Return the campaign or the territory analysed."""
        return self.campaign if self.scope == self.Scope.CAMPAIGN else self.territory

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class Theme(models.Model):
    """A theme found by a run: its label and terms as people wrote them, share and examples."""

    run = models.ForeignKey(
        AnalysisRun, on_delete=models.CASCADE, related_name="themes", verbose_name=_("run")
    )
    number = models.PositiveSmallIntegerField(_("number in the run"))
    language = models.CharField(_("language"), max_length=8)
    label = models.CharField(_("label"), max_length=300)
    terms = models.JSONField(_("top terms"), default=list)
    share = models.FloatField(_("share of the analysed contributions"))
    size = models.PositiveIntegerField(_("contributions"))
    example_ids = models.JSONField(_("most representative contributions"), default=list)
    duplicate_groups = models.PositiveIntegerField(_("groups of near-identical texts"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("contributions in those groups"), default=0)

    # Not columns: set on instances by selectors.campaign_report.
    quotes: list[Contribution]

    class Meta:
        ordering = ["run", "-share", "number"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="theme_number_unique_in_run")
        ]

    def __str__(self) -> str:
        return self.label


class ThemeShare(models.Model):
    """The share of one theme among the analysed contributions of one site, period or profile."""

    class Dimension(models.TextChoices):
        SITE = "site", _("Site")
        TERRITORY = "territory", _("Territory")
        PERIOD = "period", _("Period")
        PROFILE = "profile", _("Age band")

    run = models.ForeignKey(
        AnalysisRun, on_delete=models.CASCADE, related_name="shares", verbose_name=_("run")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="shares", verbose_name=_("theme")
    )
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=100)
    share = models.FloatField(_("share"))
    # Null for periods: the pipeline reports their shares, not how many rows each holds.
    total = models.PositiveIntegerField(
        _("contributions analysed with this key"), null=True, blank=True
    )

    class Meta:
        ordering = ["run", "dimension", "key", "theme"]
        verbose_name = _("theme share")
        verbose_name_plural = _("theme shares")
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "dimension", "key"], name="theme_share_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.key}: {self.share:.2f}"


class WeakSignal(models.Model):
    """A term of one period on Yoon's keyword emergence map, with its tests and examples."""

    class Quadrant(models.TextChoices):
        WEAK = "weak", _("Weak signal")
        STRONG = "strong", _("Strong signal")
        LATENT = "latent", _("Latent signal")
        WELL_KNOWN = "well-known", _("Well-known")

    run = models.ForeignKey(
        AnalysisRun, on_delete=models.CASCADE, related_name="signals", verbose_name=_("run")
    )
    term = models.CharField(_("term"), max_length=200)
    lemma = models.CharField(_("lemma"), max_length=200)
    period = models.CharField(_("period"), max_length=40)
    quadrant = models.CharField(_("quadrant"), max_length=12, choices=Quadrant.choices)
    diffusion_quadrant = models.CharField(
        _("quadrant on the issue map"), max_length=12, choices=Quadrant.choices
    )
    frequency = models.PositiveIntegerField(_("occurrences"))
    document_frequency = models.PositiveIntegerField(_("contributions using it"))
    visibility = models.FloatField(_("degree of visibility"))
    diffusion = models.FloatField(_("degree of diffusion"))
    visibility_increase = models.FloatField(_("increase rate of visibility"))
    diffusion_increase = models.FloatField(_("increase rate of diffusion"))
    log_likelihood = models.FloatField(_("log-likelihood G²"))
    p_value = models.FloatField(_("p-value"))
    # Benjamini-Hochberg over the terms tested in the period: "significant" means q < 0.01.
    q_value = models.FloatField(_("p-value adjusted for the number of terms tested"), default=1.0)
    burst = models.BooleanField(_("in a burst"), default=False)
    emerging = models.BooleanField(_("emerging"), default=False)
    example_ids = models.JSONField(_("example contributions"), default=list)

    # Not columns: set on instances by the run page, for its template.
    interpretations: list[SignalInterpretation]

    class Meta:
        ordering = ["run", "period", "-emerging", "-visibility_increase", "id"]
        verbose_name = _("weak signal")
        verbose_name_plural = _("weak signals")

    def __str__(self) -> str:
        return f"{self.term} ({self.period}, {self.quadrant})"

    @property
    def reading(self) -> str:
        """Return what the term is called: a signal only when significant, else one to watch."""
        if self.quadrant in (self.Quadrant.WEAK, self.Quadrant.STRONG) and not self.emerging:
            return str(_("To watch"))
        return str(self.get_quadrant_display())


class SignalInterpretation(models.Model):
    """What a person made of a signal: interpretation stays human (after Hiltunen).

    It is attached to the scope, the term (its lemma) and the period rather than to one run's
    row, so that it stays beside the signal when the analysis is recomputed.
    """

    campaign = models.ForeignKey(
        "consultations.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("territory"),
    )
    lemma = models.CharField(_("lemma"), max_length=200)
    term = models.CharField(_("term"), max_length=200)
    period = models.CharField(_("period"), max_length=40)
    note = models.TextField(_("interpretation"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("interpretation of a signal")
        verbose_name_plural = _("interpretations of signals")
        constraints = [
            models.CheckConstraint(
                condition=Q(campaign__isnull=False, territory__isnull=True)
                | Q(territory__isnull=False, campaign__isnull=True),
                name="signal_interpretation_one_scope",
            ),
            models.CheckConstraint(condition=~Q(note=""), name="signal_interpretation_has_note"),
        ]
        indexes = [models.Index(fields=["campaign", "lemma", "period"])]

    def __str__(self) -> str:
        return f"{self.term} ({self.period})"
