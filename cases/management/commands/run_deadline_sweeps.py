from datetime import date

from django.core.management.base import BaseCommand

from cases.services import run_deadline_sweeps


class Command(BaseCommand):
    help = "Run the deadline sweeps now (deemed denials, overdue CF-28s, reminders); beat runs them hourly."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="Legal date of the run (default: today)")

    def handle(self, *args, today: date | None = None, **options):
        summary = run_deadline_sweeps(today)
        self.stdout.write(
            f"Deadline sweeps for {summary['today']}: {summary['deemed_denied']} deemed denied, "
            f"{summary['cf28_overdue']} CF-28 answers overdue, {summary['reminders']} reminders queued."
        )
        for reference in summary["skipped"]:
            self.stdout.write(f"Skipped {reference}: taken up again by the next run.")
