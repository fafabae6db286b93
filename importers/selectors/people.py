"""People and authority (issue 13 item 2): an account's members, invitations and delegations."""

from django.http import Http404

from cee_portal.users.models import BrokerFirm, User

from ..models import BrokerDelegation, Importer, ImporterMembership, Invitation
from ..permissions import live_delegations, visible_delegations
from .accounts import account_detail


def people_account(user, ior: str) -> Importer:
    """The account whose people and delegations a user may open: its importer users (and staff).
    A broker acts for the account but does not manage it: for a broker, as for anyone else who may
    not see the account, the page is missing (Http404)."""
    if getattr(user, "role", None) == User.Role.BROKER:
        raise Http404("No such importer account.")
    return account_detail(user, ior)


def account_people(importer: Importer) -> dict:
    """Members, usable invitations and every delegation of an account (fetched by people_account)."""
    from django.utils import timezone

    return {
        "members": list(
            ImporterMembership.objects.filter(importer=importer)
            .select_related("user")
            .order_by("user__username")
        ),
        "invitations": list(
            Invitation.objects.filter(
                importer=importer,
                accepted_at__isnull=True,
                cancelled_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).order_by("-created_at")
        ),
        "delegations": list(
            BrokerDelegation.objects.filter(importer=importer)
            .select_related("broker_firm", "granted_by", "revoked_by")
            .order_by("-starts_on", "-id")
        ),
    }


def delegation_of_account(user, importer: Importer, pk: int):
    """One delegation of the account, through the delegations' visibility rule (else Http404)."""
    delegation = visible_delegations(user).filter(importer=importer, pk=pk).select_related("importer").first()
    if delegation is None:
        raise Http404("No such delegation.")
    return delegation


def delegation_by_public_id(user, importer: Importer, public_id: str):
    """One delegation of the account by its public id (the API's), through the visibility rule
    (else Http404, like a missing one; a malformed id is missing too)."""
    import uuid

    from ..permissions import visible_delegations

    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such delegation.") from None
    delegation = (
        visible_delegations(user)
        .filter(importer=importer, public_id=key)
        .select_related("importer", "broker_firm", "granted_by", "revoked_by")
        .first()
    )
    if delegation is None:
        raise Http404("No such delegation.")
    return delegation


def member_of_account(importer: Importer, user_id: int):
    """A member of the account (else Http404)."""
    membership = (
        ImporterMembership.objects.filter(importer=importer, user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership.user


def invitation_to_cancel(user, importer: Importer, pk: int) -> Invitation:
    """An invitation of the account, for one of its administrators to cancel. Anyone else (a colleague
    who is not an administrator, like anyone outside the account) finds nothing: Http404."""
    from ..permissions import can_manage_people

    invitation = Invitation.objects.filter(importer=importer, pk=pk).select_related("importer").first()
    if invitation is None or not can_manage_people(user, importer):
        raise Http404("No such invitation.")
    return invitation


def broker_firm_by_filer_code(code: str):
    """The broker firm with this filer code, or None."""
    return BrokerFirm.objects.filter(filer_code=(code or "").strip().upper()).first()


def my_delegations(user) -> list:
    """A broker's live delegations, with their accounts (the portal home's "acting under")."""
    return list(live_delegations(user).select_related("importer").order_by("importer__name", "pk"))
