"""A case's message thread between the importer side and the Center (issue 13 item 5).

Messages are always shared with the importer side: internal notes stay internal timeline events
(CaseEvent.Visibility.INTERNAL) and never become messages. Each message emails the other side
through the outbox (cases/notifications.py delivers "case.notice").
"""

from django.db import transaction

from ..exceptions import CaseError, NotAllowed
from ..models import Case, Message
from ..permissions import can_post_message, can_view_case, is_center_staff
from .common import notify, record_event
from .documents import upload_document

MAX_BODY = 10_000


@transaction.atomic
def post_message(*, actor, case: Case, body: str, files=()) -> Message:
    """Post a message (and its attachments, each checked as any upload) and tell the other side."""
    if not can_view_case(actor, case):
        raise NotAllowed("You may not write on this case.")
    if not can_post_message(actor, case):
        raise NotAllowed(f"You may not write on case {case.reference_number}.")
    body = (body or "").strip()
    if not body:
        raise CaseError({"body": "Write a message."})
    if len(body) > MAX_BODY:
        raise CaseError({"body": f"The message is {len(body)} characters; the limit is {MAX_BODY}."})
    side = Message.Side.CENTER if is_center_staff(actor, case.center_id) else Message.Side.IMPORTER
    event = record_event(case, actor=actor, kind="message", message=f"Message from the {side.label.lower()}.")
    message = Message.objects.create(
        case=case, author=actor, side=side, body=body, delegation=event.delegation
    )
    for upload in files:
        upload_document(actor=actor, case=case, upload=upload, message=message)
    audience = "importer" if side == Message.Side.CENTER else "center"
    notify(
        case,
        audience=audience,
        subject=f"New message on case {case.reference_number}",
        body=f"{actor.get_full_name() or actor.username} wrote on case {case.reference_number}:\n\n{body}\n",
    )
    return message
