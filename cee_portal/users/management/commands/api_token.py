from django.core.management.base import BaseCommand, CommandError

from cee_portal.users.models import User
from cee_portal.users.services import issue_api_token


class Command(BaseCommand):
    help = "Print a user's REST API token (created on first use); send it as 'Authorization: Token <key>'."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        self.stdout.write(issue_api_token(user))
