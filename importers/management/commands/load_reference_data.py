from django.core.management.base import BaseCommand

from importers.reference.reference_data import load_reference_data


class Command(BaseCommand):
    help = (
        "Load the shipped reference data (Centers, districts, ports, HTS chapters and rules, 1520(d) "
        "agreements). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true", help="Also overwrite existing rows with the shipped values"
        )

    def handle(self, *args, update: bool = False, **options):
        result = load_reference_data(update=update)
        # Per table: rows it created ("new"), then rows whose shipped values it rewrote ("updated").
        parts = [
            f"{name}: {count} new" + (f", {result.updated[name]} updated" if result.updated.get(name) else "")
            for name, count in result.created.items()
        ]
        self.stdout.write("Reference data loaded (" + "; ".join(parts) + ").")
