"""Remind members of online rounds closing within a day (run hourly from cron or a timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from maillage.decisions.services.rounds import rounds_send_reminders


class Command(BaseCommand):
    help = "Email the members who have not answered an online round closing within 24 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rounds_send_reminders()
        self.stdout.write(f"{count} reminder(s) sent")
