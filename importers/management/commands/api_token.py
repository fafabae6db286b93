from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cee_portal.users.models import ApiToken, User
from cee_portal.users.services import DEFAULT_TOKEN_DAYS, revoke_api_tokens
from importers.services import issue_api_token


class Command(BaseCommand):
    help = (
        "Issue a REST API token for a user (printed once; send it as 'Authorization: Token <key>'), "
        "list a user's tokens, or revoke them. An importer user's or broker's token acts for one "
        "importer account (--importer IOR); a CBP staff token acts as the staff member."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--importer", metavar="IOR", help="the account an importer/broker token acts for")
        parser.add_argument(
            "--days", type=int, default=DEFAULT_TOKEN_DAYS, help=f"lifetime (default {DEFAULT_TOKEN_DAYS})"
        )
        parser.add_argument("--list", action="store_true", help="list the user's tokens (prefixes only)")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token starting with PREFIX")
        parser.add_argument("--revoke-all", action="store_true", help="revoke every live token of the user")

    def handle(self, *args, username, importer, days, list, revoke, revoke_all, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if list:
            for token in ApiToken.objects.filter(user=user).select_related("importer"):
                state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d %H:%M}"
                scope = token.importer.ior_number if token.importer else "staff"
                self.stdout.write(f"{token.prefix}  {scope}  {state}")
            return
        if revoke or revoke_all:
            n = revoke_api_tokens(user, prefix=None if revoke_all else revoke)
            if n == 0:
                raise CommandError(f"No live token of {username} starts with {revoke!r}.")
            self.stderr.write(f"Revoked {n} token(s) of {username}.")
            return
        try:
            key = issue_api_token(user, importer_ior=importer, days=days)
        except ValidationError as exc:
            raise CommandError(
                " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from None
        self.stdout.write(key)
