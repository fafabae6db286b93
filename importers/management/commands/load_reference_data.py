from django.core.management.base import BaseCommand

from importers.reference_data import load_reference_data


class Command(BaseCommand):
    help = "Load the shipped reference data (Centers, districts, ports, HTS chapters and rules). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true", help="Also overwrite existing rows with the shipped values"
        )

    def handle(self, *args, update: bool = False, **options):
        result = load_reference_data(update=update)
        parts = [f"{name}: {count} new" for name, count in result.created.items()]
        parts += [f"{name}: {count} updated" for name, count in result.updated.items() if count]
        self.stdout.write("Reference data loaded (" + ", ".join(parts) + ").")
