"""Delivery of case notices queued in the outbox (email through Django's mailers; issue 13 item 6).

One email per recipient, so each gets its own link (portal or workspace) and each user's preferences
apply; no recipient sees another's address. Recipients are read when the message is drained, so a
broker whose delegation expired or was revoked meanwhile gets nothing. Each email sent is recorded
against the notice's key (NoticeDelivery): a message drained again sends nothing twice. A message
sends one email and queues the notice again for the other recipients, so each email's record commits
with its own outbox message: a worker killed between two recipients re-sends neither (the only window
left is between the mail server's acceptance and that commit; docs/reliability.md).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from cee_portal.legal_time import legal_today
from cee_portal.operations import outbox
from cee_portal.operations.outbox import handles
from cee_portal.users.models import User
from importers.models import BrokerDelegation

from .deadlines import DeadlineKind
from .models import Case, CaseDeadline, NoticeDelivery, NoticeEvent, NotificationPreference

logger = logging.getLogger(__name__)


def recipient_users(case: Case, audience: str) -> list[User]:
    """The importer side, or the owning Center (assignee, else supervisors): active users with an email."""
    if audience == "importer":
        # Its importer users, and the brokers whose firm's live delegation covers this kind of case.
        firms = BrokerDelegation.objects.filter(importer_id=case.importer_id)
        firms = firms.live(legal_today()).covering(case.kind)
        users = User.objects.filter(is_active=True).filter(
            Q(role=User.Role.IMPORTER, memberships__importer_id=case.importer_id)
            | Q(role=User.Role.BROKER, broker_firm__in=firms.values("broker_firm_id"))
        )
    elif case.assignee_id:
        users = User.objects.filter(pk=case.assignee_id, is_active=True)
    else:
        users = User.objects.filter(center_id=case.center_id, role=User.Role.SUPERVISOR, is_active=True)
    return sorted({u for u in users.exclude(email="") if u.email}, key=lambda u: (u.email, u.pk))


def recipients(case: Case, audience: str) -> list[str]:
    """Email addresses of the importer side, or of the owning Center."""
    return sorted({u.email for u in recipient_users(case, audience)})


def _links(user: User, case: Case) -> tuple[str, str]:
    """The case page and the preferences page on the user's own side."""
    side = "portal" if user.is_trade_user else "staff"
    base = settings.SITE_URL.rstrip("/")
    case_url = base + reverse(f"{side}:case", args=[case.reference_number])
    return case_url, base + reverse(f"{side}:notifications")


def render_notice(user: User, case: Case, payload: dict, running: list[dict]) -> EmailMultiAlternatives:
    """Plain text and HTML; the HTML part is autoescaped, so typed text (notes, reasons) stays inert."""
    case_url, preferences_url = _links(user, case)
    reference = case.reference_number
    event = payload.get("event", NoticeEvent.OTHER)
    # A header cannot carry a newline (Django refuses it); the reference always leads the subject.
    subject = " ".join(str(payload["subject"]).split())
    if reference not in subject:
        subject = f"{reference}: {subject}"
    context = {
        "user": user,
        "case": case,
        "body": payload["body"],
        "deadlines": running,
        "case_url": case_url,
        "preferences_url": preferences_url,
        "event": NoticeEvent(event).label if event in NoticeEvent.values else NoticeEvent.OTHER.label,
    }
    text = render_to_string("emails/case_notice.txt", context)
    html = render_to_string("emails/case_notice.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    email.attach_alternative(html, "text/html")
    return email


@handles("case.notice")
def deliver_case_notice(payload: dict) -> None:
    case = Case.objects.select_related("importer").get(pk=payload["case_id"])
    event = payload.get("event", NoticeEvent.OTHER)
    key = payload.get("key")  # notices queued before keys existed have none: sent without the record
    users = recipient_users(case, payload["audience"])
    refusals = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in=users) if not p.wants(event)
    }
    done = set(NoticeDelivery.objects.filter(key=key, user__in=users).values_list("user_id", flat=True))
    running = [
        {"label": DeadlineKind(d.kind).label, "due_on": d.due_on, "citation": d.citation}
        for d in case.deadlines.filter(state=CaseDeadline.State.RUNNING).order_by("due_on", "id")
    ]
    pending = [u for u in users if u.pk not in refusals and u.pk not in done]
    if not key:
        for user in pending:  # a notice queued before keys existed: everyone at once, as it was sent then
            render_notice(user, case, payload, running).send()
        return
    last_error: Exception | None = None
    for user in pending:
        try:
            render_notice(user, case, payload, running).send()
        except Exception as exc:
            last_error = exc
            logger.exception("case notice not sent", extra={"case_id": case.pk, "user_id": user.pk})
            continue
        NoticeDelivery.objects.create(key=key, user=user)
        if len(pending) > 1:
            # One email per outbox message: its record commits with the message, so a worker killed
            # later re-sends nobody already reached. The others (failed ones too) follow in a copy of
            # this notice; the drain picks it up in the same run.
            outbox.enqueue("case.notice", **payload)
        return
    if last_error is not None:
        raise last_error  # the outbox keeps the message, with the mailer's own reason
