import csv
import sys
from datetime import date

from django.core.checks import Tags
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cee_portal.legal_time import legal_today
from importers.accounts import reassignment
from importers.identifiers import normalize_ior
from importers.models import Importer, ScheduledMove
from importers.selectors import MoveRow, move_rows
from importers.tasks import reassign_accounts_task


class Command(BaseCommand):
    help = (
        "Move importer accounts to the Center of their predominant goods (81 FR 92978), with their open "
        "cases. Examines the importers named with --importer, or every account with --full. "
        "--dry-run lists the moves with their figures and changes nothing."
    )
    # The run reads and writes models only. The default (every check) also loads the URLconf, i.e.
    # every view, DRF and drf-spectacular: a third of the command's start-up, which bench/reassign.py
    # counts against the run (issue 11). `manage.py check` and the deploy still run them all.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Examine every account (rebuilds the mix rollup)"
        )
        parser.add_argument(
            "--importer", action="append", default=[], metavar="IOR", help="Examine this importer"
        )
        parser.add_argument("--dry-run", action="store_true", help="List the moves; change nothing")
        parser.add_argument("--csv", metavar="PATH", help="With --dry-run: also write the moves as CSV")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="Legal date of the run, YYYY-MM-DD: the mix window, history rows and effective dates "
            "(default: today in LEGAL_TIME_ZONE)",
        )
        parser.add_argument(
            "--celery", action="store_true", help="Hand the moves to Celery workers in chunks"
        )
        parser.add_argument("--pending", action="store_true", help="List announced moves not yet in effect")
        parser.add_argument(
            "--all-history",
            action="store_true",
            help="With --full: repair the monthly mix rollup for every month, not only the window",
        )

    def handle(self, *args, **opts):
        today = opts["today"] or legal_today()
        if opts["pending"]:
            return self._list_pending()
        importer_ids = None if opts["full"] else self._importer_ids(opts["importer"])
        if opts["celery"]:
            reassign_accounts_task.delay(importer_ids, today.isoformat())
            self.stdout.write("Reassignment queued for the Celery workers; see the job in the admin.")
            return
        scope = "full" if importer_ids is None else ("single" if len(importer_ids) == 1 else "incremental")
        job = reassignment.start_job(scope=scope, today=today, dry_run=opts["dry_run"])
        if not opts["dry_run"]:
            reassignment.apply_due_scheduled_moves(today=today)
        moves = reassignment.prepare(
            job, importer_ids=importer_ids, rebuild_mix=importer_ids is None, all_history=opts["all_history"]
        )
        self._report(moves, csv_path=opts["csv"])
        if opts["dry_run"]:
            reassignment.finish(job)
            self.stdout.write(
                f"Dry run: {job.examined} accounts examined, {len(moves)} would move. Nothing changed."
            )
            return
        show = sys.stderr.isatty() and opts["verbosity"] > 0
        for chunk in tqdm(
            reassignment.chunks(moves), desc="moving accounts", unit=" chunk", disable=not show
        ):
            reassignment.run_chunk(job.pk, chunk, today=today)
        reassignment.finish(job)
        job.refresh_from_db()
        self.stdout.write(
            f"Job {job.pk}: {job.examined} accounts examined, {job.moved} moved, {job.scheduled} scheduled, "
            f"{job.errors} errors."
        )

    def _importer_ids(self, iors: list[str]) -> list[int]:
        if not iors:
            raise CommandError("Name importers with --importer IOR, or use --full for every account.")
        ids = []
        for raw in iors:
            try:
                number, _ = normalize_ior(raw)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            importer = Importer.objects.filter(ior_number=number).first()
            if importer is None:
                raise CommandError(f"No importer {number}.")
            ids.append(importer.pk)
        return ids

    def _report(self, moves, *, csv_path: str | None) -> None:
        # The same rows as the preview page and its CSV (importers.selectors.move_rows).
        rows = [row.as_csv() for row in move_rows(moves)]
        header = MoveRow.CSV_HEADER
        if rows:
            self._table(header, rows[:50])
        if len(rows) > 50:
            self.stdout.write(f"... and {len(rows) - 50} more (all of them with --csv PATH)")
        if csv_path:
            with open(csv_path, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                writer.writerows(rows)

    def _table(self, header: tuple, rows: list[tuple]) -> None:
        """Write rows under column headers, each column as wide as its widest value (the last unpadded)."""
        cells = [tuple("" if v is None else str(v) for v in row) for row in [header, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
        for row in cells:
            self.stdout.write("  ".join([*(v.ljust(w) for v, w in zip(row, widths, strict=False)), row[-1]]))

    def _list_pending(self) -> None:
        pending = list(
            ScheduledMove.objects.filter(state="pending").select_related(
                "importer", "from_center", "to_center"
            )
        )
        rows = [
            (m.importer.ior_number, m.from_center.ace_id, m.to_center.ace_id, m.announced_on, m.effective_on)
            for m in pending
        ]
        if rows:
            self._table(("importer", "from", "to", "announced", "effective"), rows)
        self.stdout.write(f"{len(rows)} pending move(s).")
