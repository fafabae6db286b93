"""Delivery of account notices queued in the outbox: the importer and both Centers hear of a move;
an invited colleague gets the invitation's link; a broker firm hears of a delegation granted or revoked."""

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cee_portal.operations.outbox import handles
from cee_portal.users.models import User
from importers.models import BrokerDelegation, Center, Importer, Invitation

from .people import DELEGATION_TOPIC, INVITATION_TOPIC, invitation_state, invitation_token


def _addresses(importer: Importer, center_ids: list[int]) -> list[str]:
    """The importer's users, and the supervisors and account managers of the Centers concerned."""
    managers = Q(center_id__in=center_ids, role__in=[User.Role.SUPERVISOR, User.Role.ACCOUNT_MANAGER])
    users = User.objects.filter(is_active=True).filter(Q(memberships__importer=importer) | managers)
    return sorted({u.email for u in users if u.email})


@handles("account.moved")
def deliver_account_moved(payload: dict) -> None:
    importer = Importer.objects.get(pk=payload["importer_id"])
    names = dict(Center.objects.values_list("pk", "name"))
    to = _addresses(importer, [payload["from_center_id"], payload["to_center_id"]])
    if to:
        send_mail(
            f"Account {importer.ior_number} moved to {names[payload['to_center_id']]}",
            f"From {payload['effective_on']} the account of {importer.name} and its open cases are "
            f"handled by {names[payload['to_center_id']]} (previously {names[payload['from_center_id']]}), "
            "the Center of its predominant goods (81 FR 92978).",
            settings.DEFAULT_FROM_EMAIL,
            to,
        )


@handles("account.move_announced")
def deliver_move_announced(payload: dict) -> None:
    importer = Importer.objects.get(pk=payload["importer_id"])
    names = dict(Center.objects.values_list("pk", "name"))
    to = _addresses(importer, [importer.center_id, payload["to_center_id"]])
    if to:
        send_mail(
            f"Account {importer.ior_number} will move to {names[payload['to_center_id']]}",
            f"On {payload['effective_on']} the account of {importer.name} moves to "
            f"{names[payload['to_center_id']]}, unless its commodity mix changes back before then.",
            settings.DEFAULT_FROM_EMAIL,
            to,
        )


@handles(INVITATION_TOPIC)
def deliver_invitation(payload: dict) -> None:
    """Email the invitation's link, once: the token is rebuilt from the payload's nonce (never stored,
    see importers.accounts.people) and `emailed_at` is set in the drain's transaction, so a message
    drained again, or queued again by hand, sends nothing twice. An invitation accepted, cancelled or
    expired before the drain gets no email (its link would only say it cannot be used)."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("importer", "invited_by")
        .filter(pk=payload["invitation_id"])
        .first()
    )
    now = timezone.now()
    if invitation is None or invitation.emailed_at is not None:
        return
    if invitation_state(invitation, now=now) != "pending":
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "portal:invitation", args=[invitation_token(invitation, payload["nonce"])]
    )
    inviter, importer = invitation.invited_by, invitation.importer
    role = "an administrator of the account" if invitation.as_account_admin else "a colleague on the account"
    send_mail(
        f"Invitation to act for {importer.name} in the CEE Portal",
        f"{inviter.get_full_name() or inviter.username} invites you to act for {importer.name} "
        f"({importer.ior_number}) in the CEE Portal, as {role}.\n\n"
        f"Accept by {invitation.expires_at:%Y-%m-%d %H:%M} UTC; the link works once:\n{link}\n\n"
        "If you did not expect this invitation, ignore this email: nothing happens without the link.\n",
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
    )
    invitation.emailed_at = now
    invitation.save(update_fields=["emailed_at"])


@handles(DELEGATION_TOPIC)
def deliver_delegation(payload: dict) -> None:
    """Tell the firm's active brokers that an importer delegated cases to it, or revoked a delegation.
    The kinds are named by their labels ("Protest (CBP Form 19)"), never the stored codes."""
    delegation = (
        BrokerDelegation.objects.select_related("importer", "broker_firm")
        .filter(pk=payload["delegation_id"])
        .first()
    )
    if delegation is None:
        return
    brokers = User.objects.filter(
        is_active=True, role=User.Role.BROKER, broker_firm_id=delegation.broker_firm_id
    ).exclude(email="")
    to = sorted({u.email for u in brokers})
    if not to:
        return
    importer, firm = delegation.importer, delegation.broker_firm
    kinds = "\n".join(f"- {label}" for label in delegation.kind_labels)
    home = settings.SITE_URL.rstrip("/") + reverse("portal:home")
    if payload["event"] == "revoked":
        subject = f"{importer.name} revoked delegation {delegation.pk} to {firm.name}"
        body = (
            f"{importer.name} ({importer.ior_number}) revoked delegation {delegation.pk} to {firm.name} "
            f"(power of attorney {delegation.power_of_attorney}). Your access to its cases of these kinds "
            f"ended at once:\n{kinds}\n"
        )
    else:
        until = f"until {delegation.ends_on:%Y-%m-%d}" if delegation.ends_on else "until revoked"
        subject = f"{importer.name} delegated cases to {firm.name}"
        body = (
            f"{importer.name} ({importer.ior_number}) delegates to {firm.name}, under power of attorney "
            f"{delegation.power_of_attorney} (19 CFR 141.46), from {delegation.starts_on:%Y-%m-%d} {until}, "
            f"these kinds of case:\n{kinds}\n\nThe account is on your portal home: {home}\n"
        )
    # One message, the brokers in Bcc: none sees another's address, and a failed send is retried
    # whole by the outbox (no broker gets it twice because another's address failed).
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, bcc=to).send()
