import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from importers.ingest import import_entries, write_problems_csv


class Command(BaseCommand):
    help = (
        "Import an entry feed file (CSV or JSON Lines; format in docs/entry_feed.md). Invalid records are "
        "reported with their file line, field and reason; nothing of an invalid entry is written; valid "
        "entries in the same file still load; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--errors", type=Path, help="Also write the refused records to this CSV file")
        parser.add_argument("--today", type=date.fromisoformat, help="Date of the run (default: today)")
        parser.add_argument(
            "--chunk", type=int, default=20000, help="Entries per transaction (default 20000)"
        )

    def handle(self, *args, path: Path, errors: Path | None, today: date | None, chunk: int, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        show = sys.stderr.isatty() and options["verbosity"] > 0
        with tqdm(desc="records", unit=" rec", disable=not show) as progress:
            summary = import_entries(path, today=today, progress=progress, chunk_entries=chunk)
        for problem in summary.problems[:200]:
            self.stderr.write(str(problem))
        if len(summary.problems) > 200:
            self.stderr.write(f"... and {len(summary.problems) - 200} more (use --errors PATH for all)")
        if errors:
            with open(errors, "w", newline="", encoding="utf-8") as out:
                write_problems_csv(summary.problems, out)
        self.stdout.write(summary.as_text())
