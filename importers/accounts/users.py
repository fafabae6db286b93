"""Writes to user accounts: creating or updating a user with its role, Center and importer accounts,
and issuing a REST API token scoped to one of the accounts the user acts for.

Here, not in cee_portal.users: a user's Center and importer memberships are importer-side rows,
and the base app imports no app above it (docs/architecture.md). Re-exported from importers.services.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cee_portal.users.models import ApiToken, User
from cee_portal.users.services import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, hash_api_key
from importers.identifiers import normalize_ior
from importers.models import Center, Importer, ImporterMembership
from importers.permissions import visible_importers

# Account managers and specialists work for one Center; supervisors and administrators may be national.
CENTER_REQUIRED_ROLES = frozenset({User.Role.ACCOUNT_MANAGER, User.Role.SPECIALIST})


@transaction.atomic
def create_user(
    username: str,
    *,
    password: str,
    role: str,
    importer_iors: Iterable[str] = (),
    center_ace_id: str | None = None,
    email: str = "",
    update: bool = False,
) -> User:
    """Create a user; with `update`, bring an existing one to the given role, Center, importers and
    password.

    A user name is one account whatever its case ("Alice" is "alice"). Without `update` an existing
    name is refused: a typo or a reused name must not silently take over someone's account.
    Importer memberships end up exactly the given accounts. Administrators are staff and superusers;
    every other role is neither. Raises ValidationError keyed by field when any input is refused.
    """
    errors: dict[str, list[str]] = {}
    username = User.normalize_username((username or "").strip())
    if not username:
        errors.setdefault("username", []).append("A username is required.")
    else:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            errors.setdefault("username", []).extend(exc.messages)

    if role not in User.Role.values:
        errors.setdefault("role", []).append(
            f"Unknown role {role!r}; expected one of: {', '.join(User.Role.values)}."
        )

    email = User.objects.normalize_email((email or "").strip())
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(f"{email!r} is not a valid email address.")

    center = _center_for(role, center_ace_id, errors)
    importers = _importers_for(role, importer_iors, errors)

    user = User.objects.select_for_update().filter(username__iexact=username).first() if username else None
    if user is not None and not update:
        errors.setdefault("username", []).append(
            f"A user named {user.username!r} already exists; to change that account, ask to update it "
            "(create_user --update)."
        )
    if not password:
        errors.setdefault("password", []).append("A password is required.")
    else:
        # Checked against the user as it will be, so the similarity check sees the new email.
        candidate = user or User(username=username)
        candidate.email = email or candidate.email
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)

    if errors:
        raise ValidationError(errors)

    if user is None:
        user = User(username=username)
    user.role = role
    user.center = center
    if email:
        user.email = email
    if role != User.Role.BROKER:
        user.broker_firm = None
    user.is_staff = user.is_superuser = role == User.Role.ADMIN
    user.is_active = True
    user.set_password(password)
    user.save()

    wanted = {importer.pk for importer in importers}
    ImporterMembership.objects.filter(user=user).exclude(importer_id__in=wanted).delete()
    have = set(ImporterMembership.objects.filter(user=user).values_list("importer_id", flat=True))
    ImporterMembership.objects.bulk_create(
        [ImporterMembership(user=user, importer_id=pk) for pk in sorted(wanted - have)]
    )
    return user


def _center_for(role: str, center_ace_id: str | None, errors: dict[str, list[str]]) -> Center | None:
    """Return the Center a user of this role works for, recording why one is refused."""
    ace_id = (center_ace_id or "").strip().upper()
    if not ace_id:
        if role in CENTER_REQUIRED_ROLES:
            errors.setdefault("center", []).append(
                f"A {User.Role(role).label.lower()} works for one Center: give its ACE id (CEE001-CEE010)."
            )
        return None
    if role in User.TRADE_ROLES:
        errors.setdefault("center", []).append(
            f"Only CBP staff belong to a Center; a {User.Role(role).label.lower()} may not have one "
            f"(got {ace_id})."
        )
        return None
    center = Center.objects.filter(ace_id=ace_id).first()
    if center is None:
        known = ", ".join(Center.objects.values_list("ace_id", flat=True)) or "none loaded"
        errors.setdefault("center", []).append(f"No Center {ace_id}; known Centers: {known}.")
    return center


def _importers_for(role: str, raw_iors: Iterable[str], errors: dict[str, list[str]]) -> list[Importer]:
    """Return the importer accounts named by IOR, recording unknown or malformed numbers."""
    raw_iors = [raw for raw in raw_iors if raw and raw.strip()]
    if role == User.Role.IMPORTER and not raw_iors:
        errors.setdefault("importers", []).append(
            "An importer user needs at least one importer account (its importer number, IOR)."
        )
    if raw_iors and role in User.STAFF_ROLES:
        errors.setdefault("importers", []).append(
            "CBP staff are not members of importer accounts; give importer numbers only to importer users."
        )
        return []
    if raw_iors and role == User.Role.BROKER:
        # Issue 13: brokers act under an importer's delegation to their firm, never as members.
        errors.setdefault("importers", []).append(
            "Brokers are not members of importer accounts: the importer grants the broker's firm a "
            "delegation (its power of attorney) in the portal."
        )
        return []
    iors = []
    for raw in raw_iors:
        try:
            iors.append(normalize_ior(raw)[0])
        except ValidationError as exc:
            errors.setdefault("importers", []).extend(exc.messages)
    found = {importer.ior_number: importer for importer in Importer.objects.filter(ior_number__in=iors)}
    for ior in dict.fromkeys(iors):
        if ior not in found:
            errors.setdefault("importers", []).append(f"No importer with importer number {ior}.")
    return list(found.values())


@transaction.atomic
def issue_api_token(user: User, *, importer_ior: str | None = None, days: int = DEFAULT_TOKEN_DAYS) -> str:
    """Issue a new API token and return its key (shown once; only its hash is kept).

    CBP staff tokens act as the staff member and name no account. An importer user's or broker's
    token is scoped to one account the user belongs to (the only one, when there is one): it sees
    and files for that account alone. Raises ValidationError keyed by field.
    """
    errors: dict[str, list[str]] = {}
    if not user.is_active:
        errors.setdefault("username", []).append(f"User {user.get_username()} is inactive.")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors.setdefault("days", []).append(f"A token lives 1 to {MAX_TOKEN_DAYS} days, not {days}.")
    importer = None
    if user.is_cbp_staff:
        if importer_ior:
            errors.setdefault("importer", []).append(
                "A CBP staff token acts as the staff member and names no importer account."
            )
    else:
        # The accounts the one visibility rule lets this user act for: an importer user's memberships,
        # a broker's live delegations (issue 13), read before any token scope applies.
        accounts = visible_importers(user)
        if importer_ior:
            try:
                ior = normalize_ior(importer_ior)[0]
            except ValidationError as exc:
                errors.setdefault("importer", []).extend(exc.messages)
            else:
                importer = accounts.filter(ior_number=ior).first()
                if importer is None:
                    errors.setdefault("importer", []).append(
                        f"{user.get_username()} does not act for importer account {ior} (no membership "
                        "or live broker delegation)."
                    )
        else:
            found = list(accounts[:2])
            if len(found) == 1:
                importer = found[0]
            else:
                errors.setdefault("importer", []).append(
                    "An importer user's or broker's token acts for one account: give its importer "
                    "number (--importer IOR)"
                    + ("." if found else f"; {user.get_username()} belongs to no account yet.")
                )
    if errors:
        raise ValidationError(errors)
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        importer=importer,
        prefix=key[:8],
        key_hash=hash_api_key(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return key
