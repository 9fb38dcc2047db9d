"""Compute the queued analyses of the observatory (run it from cron, every few minutes).

Runs left "running" by a crashed process go back to the queue first. With ``--campaign`` or
``--territory``, that scope's analysis is queued before the queue is computed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maillage.consultations.models import Campaign
from maillage.observatory.services import (
    analysis_queue,
    analysis_recover_stale,
    analysis_run_pending,
)
from maillage.territories.models import Territory


class Command(BaseCommand):
    help = "Compute the queued observatory analyses; recover those a crash left running."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--campaign", help="queue the analysis of this campaign (slug)")
        parser.add_argument("--territory", help="queue the analysis of this territory (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = analysis_recover_stale()
        if options["campaign"]:
            campaign = Campaign.objects.filter(slug=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"no campaign with slug {options['campaign']!r}")
            analysis_queue(campaign=campaign, wake=False)
        if options["territory"]:
            territory = Territory.objects.filter(slug=options["territory"]).first()
            if territory is None:
                raise CommandError(f"no territory with slug {options['territory']!r}")
            analysis_queue(territory=territory, wake=False)
        done = analysis_run_pending()
        self.stdout.write(f"{recovered} stale run(s) recovered, {done} analysis(es) computed")
