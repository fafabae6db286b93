"""People and authority on an importer account (issue 13 item 2): colleagues and broker delegations.

An account administrator (ImporterMembership.is_account_admin) invites colleagues by email with an
expiring, single-use link (only the token's SHA-256 is stored) and removes them; it grants a
broker firm a delegation scoped by case kinds and dates, under a power of attorney (19 CFR 141.46,
CBP Form 5291), and revokes it. Access follows at once: the visibility rule
(importers.permissions.restrict_to_accounts) reads live delegations at query time.
Re-exported from importers.services.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import salted_hmac

from cee_portal.operations import outbox
from cee_portal.users.models import BrokerFirm, User
from importers.models import (
    DELEGABLE_KINDS,
    BrokerDelegation,
    Importer,
    ImporterMembership,
    Invitation,
    delegable_kind_label,
)
from importers.permissions import can_manage_people


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_admin(actor, importer: Importer) -> None:
    if not can_manage_people(actor, importer):
        raise PermissionDenied(f"Only an administrator of account {importer.ior_number} manages its people.")


# --- Colleagues ------------------------------------------------------------------------------------------


# The invitation's token is never stored, not even for the moment between the invitation and its
# email. The outbox payload holds a random nonce; the token is HMAC-SHA256(SECRET_KEY, nonce)
# (django.utils.crypto.salted_hmac), recomputed by the handler that sends the email, and the
# invitation keeps only the token's SHA-256 to find it by. A copy of the database (a backup, a
# replica, the admin's outbox page) therefore opens no invitation: that needs the nonce and the
# server's secret key together. Storing the token and blanking it after delivery would leave it
# readable until the drain ran (hours, if the broker was down) and in every backup taken meanwhile;
# Django's signing would only sign the token, not hide it. A rotated key (SECRET_KEY_FALLBACKS) still
# derives the token of an invitation made before the rotation; a key dropped since refuses to send.
INVITATION_TOPIC = "importers.invitation"
_TOKEN_SALT = "importers.accounts.people.invitation"


def _derive_token(nonce: str, secret: str | None = None) -> str:
    return salted_hmac(_TOKEN_SALT, nonce, secret=secret, algorithm="sha256").hexdigest()


def invitation_token(invitation: Invitation, nonce: str) -> str:
    """The token of an invitation, recomputed from its nonce (the outbox handler's only way to it)."""
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        token = _derive_token(nonce, secret)
        if hash_token(token) == invitation.token_hash:
            return token
    raise ValueError(
        f"The link of invitation {invitation.pk} cannot be rebuilt: the secret key it was made with is "
        "gone. Cancel it and invite again."
    )


@transaction.atomic
def invite_colleague(
    *, actor, importer: Importer, email: str, as_account_admin: bool = False, now: datetime
) -> tuple[Invitation, str]:
    """Invite a colleague; return the invitation and its token (for the caller's tests; stored nowhere).

    The email is queued in the outbox (topic INVITATION_TOPIC) with the nonce the token is derived
    from, never the token (see above), and sent after commit by importers.accounts.notifications.
    """
    _require_admin(actor, importer)
    email = User.objects.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"{email!r} is not a valid email address."}) from None
    if importer.memberships.filter(user__email__iexact=email, user__is_active=True).exists():
        raise ValidationError({"email": f"{email} is already a member of account {importer.ior_number}."})
    nonce = secrets.token_urlsafe(32)
    token = _derive_token(nonce)
    invitation = Invitation.objects.create(
        importer=importer,
        email=email,
        token_hash=hash_token(token),
        as_account_admin=as_account_admin,
        invited_by=actor,
        created_at=now,
        expires_at=now + settings.INVITATION_TTL,
    )
    outbox.enqueue(INVITATION_TOPIC, invitation_id=invitation.pk, nonce=nonce)
    return invitation, token


def pending_invitation(token: str, *, now: datetime) -> Invitation | None:
    """The invitation a token opens, if it is still usable (not accepted, cancelled or expired)."""
    invitation = invitation_by_token(token)
    if invitation is None or invitation_state(invitation, now=now) != "pending":
        return None
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a token names, in whatever state (None: no invitation has this token)."""
    return Invitation.objects.select_related("importer").filter(token_hash=hash_token(token or "")).first()


def invitation_state(invitation: Invitation, *, now: datetime) -> str:
    """The state of an invitation: pending, accepted, cancelled or expired (a cancelled link says so)."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.cancelled_at is not None:
        return "cancelled"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str, now: datetime) -> User:
    """Create the invited user with a password and make it a member; the link is then spent."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(token or "")).first()
    if invitation is None:
        raise ValidationError({"token": "This invitation link is not valid."})
    if invitation.cancelled_at is not None:
        raise ValidationError({"token": "This invitation was cancelled by the account's administrator."})
    if invitation.accepted_at is not None:
        raise ValidationError({"token": "This invitation link has already been used; sign in instead."})
    if invitation.expires_at <= now:
        raise ValidationError(
            {
                "token": f"This invitation expired on {invitation.expires_at:%Y-%m-%d %H:%M} UTC; "
                "ask for a new one."
            }
        )
    errors: dict[str, list[str]] = {}
    username = User.normalize_username((username or "").strip())
    if not username:
        errors.setdefault("username", []).append("Choose a username.")
    else:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            errors.setdefault("username", []).extend(exc.messages)
        if User.objects.filter(username__iexact=username).exists():
            errors.setdefault("username", []).append(f"The username {username!r} is taken; choose another.")
    candidate = User(username=username, email=invitation.email)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=invitation.email, role=User.Role.IMPORTER)
    user.set_password(password)
    user.save()
    ImporterMembership.objects.create(
        importer=invitation.importer, user=user, is_account_admin=invitation.as_account_admin
    )
    invitation.accepted_at = now
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


@transaction.atomic
def cancel_invitation(*, actor, invitation: Invitation, now: datetime) -> Invitation:
    """Cancel a pending invitation: its link then says it was cancelled; an unsent email is not sent."""
    _require_admin(actor, invitation.importer)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        accepted = f"{invitation.email} already accepted the invitation; remove the colleague instead."
        raise ValidationError({"invitation": accepted})
    if invitation.cancelled_at is None:
        invitation.cancelled_at = now
        invitation.save(update_fields=["cancelled_at"])
    return invitation


@transaction.atomic
def remove_colleague(*, actor, importer: Importer, user: User) -> None:
    """End a colleague's membership of the account (its access ends with it)."""
    _require_admin(actor, importer)
    membership = importer.memberships.select_for_update().filter(user=user).first()
    if membership is None:
        raise ValidationError({"user": f"{user.username} is not a member of account {importer.ior_number}."})
    admins = importer.memberships.filter(is_account_admin=True).exclude(pk=membership.pk)
    if membership.is_account_admin and not admins.exists():
        raise ValidationError(
            {"user": f"{user.username} is the account's only administrator; make another one first."}
        )
    membership.delete()


# --- Broker delegations ----------------------------------------------------------------------------------

DELEGATION_TOPIC = "importers.delegation"


def normalize_kinds(kinds: Iterable[str]) -> str:
    """Kinds as stored (",cf28,protest,"), refusing unknown ones."""
    chosen = sorted({str(k).strip() for k in kinds if str(k).strip()})
    unknown = [k for k in chosen if k not in DELEGABLE_KINDS]
    if unknown:
        raise ValidationError(
            {
                "case_kinds": f"Unknown case kind(s) {', '.join(unknown)}; "
                f"choose from {'; '.join(f'{k} ({delegable_kind_label(k)})' for k in DELEGABLE_KINDS)}."
            }
        )
    if not chosen:
        raise ValidationError({"case_kinds": "Choose at least one kind of case the broker may act on."})
    return "," + ",".join(chosen) + ","


@transaction.atomic
def grant_delegation(
    *,
    actor,
    importer: Importer,
    broker_firm: BrokerFirm,
    case_kinds: Iterable[str],
    starts_on: date,
    ends_on: date,
    power_of_attorney: str,
    today: date,
) -> BrokerDelegation:
    """Delegate case kinds of an account to a broker firm for a date range (both days included)."""
    _require_admin(actor, importer)
    errors: dict[str, list[str]] = {}
    try:
        stored_kinds = normalize_kinds(case_kinds)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        stored_kinds = ""
    power_of_attorney = (power_of_attorney or "").strip()
    if not power_of_attorney:
        errors["power_of_attorney"] = [
            "Give the power of attorney's reference (19 CFR 141.46: a broker acts under the importer's "
            "power of attorney)."
        ]
    if starts_on is None:
        errors["starts_on"] = ["Give the first day of the delegation."]
    if ends_on is None:
        errors["ends_on"] = ["Give the last day of the delegation."]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [f"The last day ({ends_on}) is before the first day ({starts_on})."]
    elif ends_on < today:
        errors["ends_on"] = [f"The last day ({ends_on}) has passed (today is {today})."]
    if errors:
        raise ValidationError(errors)
    delegation = BrokerDelegation.objects.create(
        importer=importer,
        broker_firm=broker_firm,
        case_kinds=stored_kinds,
        power_of_attorney=power_of_attorney,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by=actor,
    )
    # The firm's brokers hear of it (importers.accounts.notifications), after commit.
    outbox.enqueue(DELEGATION_TOPIC, delegation_id=delegation.pk, event="granted")
    return delegation


@transaction.atomic
def revoke_delegation(*, actor, delegation: BrokerDelegation, now: datetime) -> BrokerDelegation:
    """Revoke a delegation: the broker's access to the account ends with this transaction."""
    _require_admin(actor, delegation.importer)
    delegation = BrokerDelegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.revoked_at is None:
        delegation.revoked_at = now
        delegation.revoked_by = actor
        delegation.save(update_fields=["revoked_at", "revoked_by"])
        outbox.enqueue(DELEGATION_TOPIC, delegation_id=delegation.pk, event="revoked")
    return delegation
