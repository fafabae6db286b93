"""Delivery of case notices queued in the outbox (email through Django's mailers)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q

from cee_portal.legal_time import legal_today
from cee_portal.operations.outbox import handles
from cee_portal.users.models import User
from importers.models import BrokerDelegation

from .models import Case


def recipients(case: Case, audience: str) -> list[str]:
    """Email addresses of the importer side, or of the owning Center (assignee, else supervisors)."""
    if audience == "importer":
        # Its importer users, and the brokers whose firm's live delegation covers this kind of case.
        firms = BrokerDelegation.objects.filter(importer_id=case.importer_id)
        firms = firms.live(legal_today()).covering(case.kind)
        users = User.objects.filter(is_active=True).filter(
            Q(role=User.Role.IMPORTER, memberships__importer_id=case.importer_id)
            | Q(role=User.Role.BROKER, broker_firm__in=firms.values("broker_firm_id"))
        )
    elif case.assignee_id:
        users = User.objects.filter(pk=case.assignee_id)
    else:
        users = User.objects.filter(center_id=case.center_id, role=User.Role.SUPERVISOR, is_active=True)
    return sorted({u.email for u in users if u.email})


@handles("case.notice")
def deliver_case_notice(payload: dict) -> None:
    case = Case.objects.select_related("importer").get(pk=payload["case_id"])
    to = recipients(case, payload["audience"])
    if to:
        send_mail(payload["subject"], payload["body"], settings.DEFAULT_FROM_EMAIL, to)
