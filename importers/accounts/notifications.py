"""Delivery of account notices queued in the outbox: the importer and both Centers hear of a move."""

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q

from cee_portal.operations.outbox import handles
from cee_portal.users.models import User
from importers.models import Center, Importer


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
