import time

from django.core.management.base import BaseCommand, CommandError

from demo.seed import parse_today, seed_demo


class Command(BaseCommand):
    help = (
        "Load reproducible demo data: importers spread over all Centers, entries over every port of "
        "entry and two years of entry dates, lines weighted like U.S. trade, optional demo cases, and the "
        "demo logins (admin, supervisor, manager, specialist, importer, broker; password "
        "demo-<username>-pass). Idempotent: when demo importers already exist it prints 'Demo data "
        "already present', loads nothing and only makes sure the demo logins exist. Uses COPY on "
        "PostgreSQL (200,000 importers and 10 million lines in minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--importers", type=int, default=60, help="Importer accounts (at least 10)")
        parser.add_argument("--entries", type=int, default=600, help="Entries (at least one per importer)")
        parser.add_argument(
            "--lines-per-entry", type=float, default=5, help="Average lines per entry (default 5)"
        )
        parser.add_argument("--cases", type=int, default=0, help="Demo cases to create (default none)")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (default 1)")
        parser.add_argument(
            "--today", help="Last day of the two years of entries, YYYY-MM-DD (default: today's local date)"
        )

    def handle(self, *args, **options):
        try:
            today = parse_today(options["today"])
        except ValueError:
            raise CommandError(f"--today {options['today']!r}: expected a date as YYYY-MM-DD") from None
        started = time.perf_counter()
        self.stdout.write(f"Demo data (seed {options['seed']}, entries up to {today.isoformat()}):")
        try:
            result = seed_demo(
                importers=options["importers"],
                entries=options["entries"],
                lines_per_entry=options["lines_per_entry"],
                cases=options["cases"],
                seed=options["seed"],
                today=today,
                stdout=self.stdout,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if result.created:
            counts = ", ".join(f"{count:,} {what}" for what, count in result.counts.items())
            self.stdout.write(f"Loaded {counts} in {time.perf_counter() - started:.1f} s.")
        else:
            self.stdout.write("Demo data already present: nothing loaded, demo logins ensured.")
        self.stdout.write("")
        self.stdout.write(f"{'username':<12} {'role':<16} password")
        for username, role, password in result.logins:
            self.stdout.write(f"{username:<12} {role:<16} {password}")
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/ (every role).")
