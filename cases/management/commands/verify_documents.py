from django.core.management.base import BaseCommand, CommandError

from cases.models import Document
from cases.services.documents import verify_stored_documents


class Command(BaseCommand):
    help = "Check every case document's file against its recorded SHA-256 (after a restore)."

    def handle(self, *args, **options):
        problems = 0
        for document, problem in verify_stored_documents():
            problems += 1
            self.stdout.write(
                f"document {document.pk} of case {document.case_id} ({document.file.name}): {problem}"
            )
        total = Document.objects.count()
        if problems:
            raise CommandError(f"{problems} of {total} documents are missing or altered.")
        self.stdout.write(f"{total} documents verified: every file matches its SHA-256.")
