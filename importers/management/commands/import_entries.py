import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from importers.entries.feed import Problem
from importers.entries.feed_files import printable
from importers.entries.ingest import import_entries, write_problems_csv

SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = (
        "Import an entry feed file (CSV or JSON Lines; format in docs/entry_feed.md). Invalid records are "
        "reported with their file line, field and reason; nothing of an invalid entry is written; valid "
        "entries in the same file still load; importing the same file again changes nothing. Exit "
        "status: 0 every record loaded, 1 some records refused (the others loaded), 2 the file refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--errors", type=Path, help="Also write the refused records to this CSV file")
        parser.add_argument("--today", type=date.fromisoformat, help="Date of the run (default: today)")
        parser.add_argument(
            "--chunk", type=int, default=20000, help="Entries per transaction (default 20000)"
        )

    def handle(self, *args, path: Path, errors: Path | None, today: date | None, chunk: int, **options):
        if chunk < 1:
            raise CommandError("--chunk must be 1 or more entries per transaction")
        if not path.is_file():
            # The errors file is written for any input, a missing one included (cron reads it).
            self._write_errors(errors, [Problem(0, "", "path", f"{path}: no such file")])
            raise CommandError(f"{path}: no such file", returncode=2)
        show = sys.stderr.isatty() and options["verbosity"] > 0
        with tqdm(desc="records", unit=" rec", disable=not show) as progress:
            summary = import_entries(path, today=today, progress=progress, chunk_entries=chunk)
        # Problem.__str__ escapes control characters: a refused value cannot forge a line of output.
        # Each line names the file too: cron runs several feeds and mails their output together.
        name = printable(path.name)
        for problem in summary.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(f"{name} {problem}")
        if len(summary.problems) > SHOWN_PROBLEMS:
            more = len(summary.problems) - SHOWN_PROBLEMS
            self.stderr.write(f"... and {more} more (use --errors PATH for all)")
        self._write_errors(errors, summary.problems)
        self.stdout.write(summary.as_text())
        if summary.exit_status:
            what = "the file was refused" if summary.file_refused else f"{len(summary.problems)} problem(s)"
            raise CommandError(
                f"{printable(str(path))}: import finished with refusals: {what}",
                returncode=summary.exit_status,
            )

    @staticmethod
    def _write_errors(errors: Path | None, problems: list[Problem]) -> None:
        if errors:
            with open(errors, "w", newline="", encoding="utf-8") as out:
                write_problems_csv(problems, out)
