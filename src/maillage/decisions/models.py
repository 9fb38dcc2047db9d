"""Decisions without a conductor: circles, delegations, consent rounds, rotation, elections, polls.

The consent process of a decision follows the state machine of
:mod:`maillage.analysis.consent` (``Decision.state`` holds a ``RoundState`` value); the
services in ``services.py`` are the only writers of that state.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maillage.analysis.consent import AnswerKind, DelegationRule, RoundState
from maillage.analysis.majority_judgment import GRADES

PERSON = settings.AUTH_USER_MODEL

# The majority-judgment scale, worst first: the analysis's English keys, labelled here.
GRADE_LABELS = {
    "reject": pgettext_lazy("majority judgment grade", "Reject"),
    "insufficient": pgettext_lazy("majority judgment grade", "Insufficient"),
    "passable": pgettext_lazy("majority judgment grade", "Passable"),
    "fairly_good": pgettext_lazy("majority judgment grade", "Fairly good"),
    "good": pgettext_lazy("majority judgment grade", "Good"),
    "very_good": pgettext_lazy("majority judgment grade", "Very good"),
    "excellent": pgettext_lazy("majority judgment grade", "Excellent"),
}


class Circle(models.Model):
    """A decision body: an organization's circle, a project team or a steering committee."""

    class Kind(models.TextChoices):
        ORGANIZATION_CIRCLE = "organization_circle", _("Organization circle")
        PROJECT_TEAM = "project_team", _("Project team")
        STEERING_COMMITTEE = "steering_committee", _("Steering committee")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    purpose = models.TextField(_("purpose"), blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circles",
        verbose_name=_("organization"),
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circles",
        verbose_name=_("territory"),
    )
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Anyone can read a public circle's decisions.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # An archived circle keeps its register readable and takes no new proposal.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(territory__isnull=False),
                name="circle_belongs_to_organization_or_territory",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("decisions:circle", args=[self.slug])

    @property
    def is_committee(self) -> bool:
        return self.kind == self.Kind.STEERING_COMMITTEE


class Delegation(models.Model):
    """A member institution of a steering committee, with its internal consent rule."""

    class Rule(models.TextChoices):
        UNANIMITY = DelegationRule.UNANIMITY.value, _("Unanimity of its delegates")
        MAJORITY = DelegationRule.MAJORITY.value, _("Majority of its delegates")
        HEAD = DelegationRule.HEAD.value, _("Its head's voice")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="delegations")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("organization"),
    )
    rule = models.CharField(_("internal rule"), max_length=12, choices=Rule.choices)
    head = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head of delegation"),
    )
    # The last day the institution sat on the committee; its history stays readable.
    until = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "organization"],
                condition=Q(until__isnull=True),
                name="one_delegation_per_organization",
            )
        ]

    def __str__(self) -> str:
        return self.organization.name


class CircleMember(models.Model):
    """A person's membership of a circle (in a delegation for committees), history kept."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="circle_memberships")
    delegation = models.ForeignKey(
        Delegation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegates",
        verbose_name=_("delegation"),
    )
    since = models.DateField(_("joined on"))
    until = models.DateField(_("left on"), null=True, blank=True)
    # Who brought the member in (the cooperation mesh draws it as an invitation); None when the
    # platform or the demo added them, or the account was erased.
    added_by = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        ordering = ["since", "id"]
        verbose_name = _("circle member")
        verbose_name_plural = _("circle members")
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "person"],
                condition=Q(until__isnull=True),
                name="one_active_circle_membership",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="circle_membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.circle}"


class Decision(models.Model):
    """A proposal on its way through the consent process; a decision once adopted."""

    class State(models.TextChoices):
        DRAFT = RoundState.DRAFT.value, _("Draft")
        CLARIFYING = RoundState.CLARIFYING.value, _("Clarifying questions")
        REACTIONS = RoundState.REACTIONS.value, _("Reactions")
        CONSENT = RoundState.CONSENT.value, _("Consent")
        AMEND = RoundState.AMEND.value, _("Integrating objections")
        ADOPTED = RoundState.ADOPTED.value, _("Adopted")
        WITHDRAWN = RoundState.WITHDRAWN.value, _("Withdrawn")

    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="decisions")
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        PERSON, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    scope = models.ManyToManyField(
        Delegation,
        blank=True,
        related_name="decisions",
        verbose_name=_("delegations concerned"),
        help_text=_("Each of them must consent by its own rule; none means all of them."),
    )
    facilitator = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    secretary = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("secretary"),
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="adopted")
                | (Q(review_date__isnull=False) & Q(adopted_at__isnull=False)),
                name="adopted_decision_has_review_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:decision", args=[self.pk])


class DecisionVersion(models.Model):
    """One text of the proposal; each amendment is a new version with the reason for it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    note = models.TextField(_("what changed and why"), blank=True)
    author = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set on instances by selectors.decision_versions.
    diff: list[tuple[str, str]]

    class Meta:
        ordering = ["decision", "number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.decision} v{self.number}"


class Round(models.Model):
    """A round of the process: clarifying questions, reactions or consent, live or online."""

    class Kind(models.TextChoices):
        CLARIFYING = RoundState.CLARIFYING.value, _("Clarifying questions")
        REACTIONS = RoundState.REACTIONS.value, _("Reactions")
        CONSENT = RoundState.CONSENT.value, _("Consent")

    class Mode(models.TextChoices):
        LIVE = "live", _("Live meeting (the facilitator records each voice in turn)")
        ASYNC = "async", _("Online, until a deadline")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    version = models.ForeignKey(
        DecisionVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("version")
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    facilitator = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    secretary = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(_("outcome when closed"), default=dict, blank=True)

    class Meta:
        ordering = ["decision", "number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="one_round_number"),
            models.UniqueConstraint(
                fields=["decision"], condition=Q(state="open"), name="one_open_round_per_decision"
            ),
            models.CheckConstraint(
                condition=Q(mode="live") | Q(deadline__isnull=False),
                name="online_round_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} — {self.get_kind_display()} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("decisions:decision", args=[self.decision_id]) + f"#round-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class RoundNote(models.Model):
    """A clarifying question or a reaction, with the author's reply to a question."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="notes")
    member = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("question or reaction"))
    reply = models.TextField(_("reply"), blank=True)
    recorded_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set on instances by the decision page, for its template.
    shown_name: str
    delegation_name: str

    class Meta:
        ordering = ["round", "created_at", "id"]
        verbose_name = _("round note")
        verbose_name_plural = _("round notes")

    def __str__(self) -> str:
        return self.text[:60]


class AnswerKindChoices(models.TextChoices):
    CONSENT = AnswerKind.CONSENT.value, _("I consent")
    OBJECTION = AnswerKind.OBJECTION.value, _("I object")
    STAND_ASIDE = AnswerKind.STAND_ASIDE.value, _("I stand aside")


class Answer(models.Model):
    """A member's answer in force in a consent round (one per member: a DB constraint)."""

    Kind = AnswerKindChoices

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="consent_answers")
    kind = models.CharField(_("answer"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("reason of the objection"), blank=True)
    acceptable_if = models.TextField(_("what would make it acceptable"), blank=True)
    position = models.PositiveIntegerField(_("order spoken in"), default=0)
    recorded_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    integration = models.TextField(_("how the objection was integrated"), blank=True)
    integrated_in = models.ForeignKey(
        DecisionVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="integrated_objections",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Not columns: set on instances by the decision page, for its template.
    shown_name: str
    delegation_name: str

    class Meta:
        ordering = ["round", "position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_answer_per_member"),
            models.CheckConstraint(
                condition=~Q(kind="objection") | (~Q(reason="") & ~Q(acceptable_if="")),
                name="objection_has_reason_and_remedy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_kind_display()}"


class AnswerChange(models.Model):
    """Every answer given, in order: changing one's answer keeps the former one here."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answer_changes")
    member = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=AnswerKindChoices.choices)
    reason = models.TextField(blank=True)
    acceptable_if = models.TextField(blank=True)
    recorded_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set on instances by the decision page, for its template.
    shown_name: str
    delegation_name: str

    class Meta:
        ordering = ["round", "created_at", "id"]
        verbose_name = _("answer change")
        verbose_name_plural = _("answer history")

    def __str__(self) -> str:
        return f"{self.member} — {self.kind} ({self.created_at:%Y-%m-%d %H:%M})"


class FacilitationTurn(models.Model):
    """Who facilitated or took the minutes of which meeting or decision, or passed their turn."""

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("Facilitator")
        SECRETARY = "secretary", _("Secretary")

    class Kind(models.TextChoices):
        SERVED = "served", _("Served")
        PASSED = "passed", _("Passed their turn")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="turns")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.CASCADE, related_name="turns"
    )
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="facilitation_turns")
    kind = models.CharField(_("what happened"), max_length=8, choices=Kind.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("facilitation turn")
        verbose_name_plural = _("facilitation turns")
        indexes = [models.Index(fields=["circle", "role", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.role} {self.person} ({self.kind})"


class Unavailability(models.Model):
    """A member's declared unavailability: the rotation skips them on these dates."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="unavailabilities")
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="unavailability_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.start}–{self.end}"


class Election(models.Model):
    """A sociocratic election: nominations with reasons, change round, consent to the person."""

    class State(models.TextChoices):
        NOMINATIONS = "nominations", _("Nominations round")
        CHANGES = "changes", _("Change round")
        CONSENT = "consent", _("Consent to the proposed person")
        ELECTED = "elected", _("Elected")
        OBJECTED = "objected", _("Objection: not elected")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="elections")
    role = models.CharField(_("role to fill"), max_length=120)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOMINATIONS)
    facilitator = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return f"{self.circle}: {self.role}"

    def get_absolute_url(self) -> str:
        return reverse("decisions:election", args=[self.pk])


class Nomination(models.Model):
    """A member's nomination with its reason; the change round may replace it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominations")
    voter = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    nominee = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    is_change = models.BooleanField(_("given in the change round"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["election", "is_change", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "voter", "is_change"], name="one_nomination_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voter} → {self.nominee}"


class ElectionAnswer(models.Model):
    """A member's consent, objection or stand-aside on the proposed person."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=AnswerKindChoices.choices)
    reason = models.TextField(blank=True)
    acceptable_if = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="one_election_answer")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.kind}"


class Poll(models.Model):
    """A vote among options: majority judgment (grades) or approval."""

    class Method(models.TextChoices):
        MAJORITY_JUDGMENT = "majority_judgment", _("Majority judgment")
        APPROVAL = "approval", _("Approval")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="polls")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls"
    )
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:poll", args=[self.pk])

    @property
    def grade_labels(self) -> tuple[str, ...]:
        """Return the grades' labels, worst first, in the active language."""
        if self.method == self.Method.MAJORITY_JUDGMENT:
            return tuple(str(GRADE_LABELS[key]) for key in GRADES)
        return ("no", "yes")


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    # Not columns: set on instances by the poll page, for its template.
    my_grade: int | None

    class Meta:
        ordering = ["poll", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="poll_option_labels_differ")
        ]

    def __str__(self) -> str:
        return self.label


class Grade(models.Model):
    """A voter's grade for one option (approval polls: 1 approves, 0 does not)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="grades")
    voter = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="poll_grades")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="grades")
    grade = models.PositiveSmallIntegerField(_("grade"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter", "option"], name="one_grade_per_voter_and_option"
            ),
            models.CheckConstraint(condition=Q(grade__lte=6), name="grade_on_the_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} {self.option}: {self.grade}"
