"""Writes to user accounts that need nothing above the base app (creating users: importers.services)."""

from rest_framework.authtoken.models import Token

from .models import User


def issue_api_token(user: User) -> str:
    """Return the user's API token, creating it on first use."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
