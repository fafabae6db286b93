"""The staff and trade users the move and dashboard page tests sign in as, one per role."""

from cee_portal.users.models import User
from tests.factories import ImporterFactory, UserFactory, trade_user

BACKEND = "django.contrib.auth.backends.ModelBackend"

# role name -> (User role, Center ACE id or None)
ROLES = {
    "specialist": (User.Role.SPECIALIST, "CEE010"),
    "account_manager": (User.Role.ACCOUNT_MANAGER, "CEE010"),
    "supervisor": (User.Role.SUPERVISOR, "CEE010"),  # a supervisor of the account's Center
    "supervisor_elsewhere": (User.Role.SUPERVISOR, "CEE009"),
    "national_supervisor": (User.Role.SUPERVISOR, None),
    "admin": (User.Role.ADMIN, None),
}
STAFF = list(ROLES)
TRADE = ["importer", "broker"]


def make_person(who: str, importer=None) -> User:
    """A new user of the role, named after it (a second one of the same role gets a number)."""
    taken = User.objects.filter(username__startswith=who).count()
    username = f"{who}{taken + 1}" if taken else who
    if who == "importer":
        user = trade_user(importer or ImporterFactory(), username=username)
    elif who == "broker":
        user = UserFactory(role=User.Role.BROKER, username=username)
    else:
        role, ace_id = ROLES[who]
        user = UserFactory(role=role, center_ace_id=ace_id, username=username)
    user.save()  # the factory sets the password without saving it; the session hash needs it saved
    return user


def signer(client):
    """A function sign_in(who, importer=None) -> the client, signed in as a new user of that role."""

    def sign_in(who: str, importer=None):
        client.force_login(make_person(who, importer), backend=BACKEND)
        return client

    return sign_in
