"""Token authentication for the REST API: `Authorization: Token <key>` (see users.models.ApiToken)."""

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken
from .services import hash_api_key


class ApiTokenAuthentication(TokenAuthentication):
    """An expired, revoked or unknown token answers 401; a scoped token narrows what its user sees.

    The scope is carried on the request's user object (`api_importer_id`), which
    importers.permissions reads in its one visibility rule and in `can_file_for`.
    """

    model = ApiToken

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user").filter(key_hash=hash_api_key(key)).first()
            if key
            else None
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(f"Token {token.prefix}… was revoked; ask for a new one.")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"Token {token.prefix}… expired at {token.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one."
            )
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        user.api_importer_id = token.importer_id
        # At most one write a minute per token: the "last used" column is for audits, not a hot path.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token
