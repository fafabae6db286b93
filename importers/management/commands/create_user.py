from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cee_portal.users.models import User
from importers.services import create_user


class Command(BaseCommand):
    help = (
        "Create a user. An existing user name (in any case) is refused unless --update is given: then "
        "the user is brought to the given role, Center, importer accounts and password (re-running "
        "with the same arguments changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=User.Role.values)
        parser.add_argument(
            "--importer",
            dest="importers",
            action="append",
            default=[],
            metavar="IOR",
            help="Importer number (IOR) of an account the user acts for; repeat for several",
        )
        parser.add_argument(
            "--center",
            metavar="CEE00N",
            help="ACE id of the Center a staff member works for (none for national supervisors and admins)",
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--update", action="store_true", help="Update the user if the name exists (otherwise refused)"
        )

    def handle(self, *args, username, password, role, importers, center, email, update, **options):
        existed = User.objects.filter(username__iexact=User.normalize_username(username.strip())).exists()
        try:
            user = create_user(
                username,
                password=password,
                role=role,
                importer_iors=importers,
                center_ace_id=center,
                email=email,
                update=update,
            )
        except ValidationError as exc:
            raise CommandError(_describe(exc)) from None
        accounts = ", ".join(sorted(user.importer_accounts.values_list("ior_number", flat=True)))
        details = [User.Role(user.role).label]
        if user.center_id:
            details.append(f"Center {user.center.ace_id}")
        if accounts:
            details.append(f"importers {accounts}")
        if user.is_superuser:
            details.append("superuser")
        self.stdout.write(
            f"{'Updated' if existed else 'Created'} user {user.username} ({'; '.join(details)})."
        )


def _describe(exc: ValidationError) -> str:
    """One line per refused field, e.g. "center: No Center CEE099; ..."."""
    if hasattr(exc, "error_dict"):
        return "\n".join(
            f"{field}: {message}" for field, messages in exc.message_dict.items() for message in messages
        )
    return "\n".join(exc.messages)
