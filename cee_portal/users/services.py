"""Writes to user accounts that need nothing above the base app: API token keys and revocation.

Creating users and issuing tokens scoped to an importer account need importer-side rows, so they
live in importers.accounts.users (re-exported from importers.services): the base app imports no app
above it (docs/architecture.md).
"""

import hashlib

from django.utils import timezone

from .models import ApiToken, User

DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366


def hash_api_key(key: str) -> str:
    """The stored form of a token key: a leaked table gives no usable key."""
    return hashlib.sha256(key.encode()).hexdigest()


def revoke_api_tokens(user: User, *, prefix: str | None = None) -> int:
    """Revoke a user's live tokens (those starting with prefix, or all); return how many."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix:
        tokens = tokens.filter(prefix=prefix[:8])
    return tokens.update(revoked_at=timezone.now())
