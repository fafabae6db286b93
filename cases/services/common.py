"""Helpers shared by the case services: the legal clock policy, reference numbers, events."""

import uuid
from datetime import date

from django.conf import settings

from cee_portal.operations import outbox
from importers.permissions import delegation_for

from .. import deadlines
from ..models import Case, CaseEvent, CaseKind, NoticeEvent, ReferenceCounter

REFERENCE_PREFIX = {
    CaseKind.PROTEST: "",
    CaseKind.PSC: "PSC-",
    CaseKind.PIC: "PIC-",
    CaseKind.CF28: "RFI-",
    CaseKind.CF29: "NOA-",
}


def clock_policy() -> deadlines.ClockPolicy:
    """The statutory clock's policy from settings (where the law is unsettled)."""
    return deadlines.ClockPolicy.from_mapping(settings.CASE_CLOCK)


def next_reference_number(kind: str, port_code: str, on: date) -> str:
    """Allocate the next serial for a kind, port and year under a row lock (never max()+1).

    Protest numbers follow CBP's form: port code, 2-digit year, 6-digit serial (5201-18-100098).
    Must run inside the filing's transaction: the lock is held until it commits.
    """
    year = on.year % 100
    key = f"{kind}:{port_code}:{year:02d}"
    ReferenceCounter.objects.bulk_create([ReferenceCounter(key=key)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(key=key)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{REFERENCE_PREFIX[kind]}{port_code}-{year:02d}-{counter.last_value:06d}"


def record_event(
    case: Case,
    *,
    actor,
    kind: str,
    old: str = "",
    new: str = "",
    message: str = "",
    internal: bool = False,
) -> CaseEvent:
    """Append one event to a case's timeline (on behalf of the importer when a trade user acts).

    A broker's act also names the delegation it was made under: "broker X for importer Y under
    delegation Z" (19 CFR 141.46; issue 13 item 2).
    """
    on_behalf_of = case.importer if actor is not None and getattr(actor, "is_trade_user", False) else None
    delegation = delegation_for(actor, case.importer, case.kind) if on_behalf_of is not None else None
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        on_behalf_of=on_behalf_of,
        delegation=delegation,
        kind=kind,
        old_value=str(old)[:100],
        new_value=str(new)[:100],
        message=message,
        visibility=CaseEvent.Visibility.INTERNAL if internal else CaseEvent.Visibility.SHARED,
    )


def notify(case: Case, *, audience: str, subject: str, body: str, event: str = NoticeEvent.OTHER) -> None:
    """Queue a notice to the importer side or the owning Center through the outbox.

    `event` names what happened, so each recipient's preferences apply (cases.models.NoticeEvent);
    `key` makes the delivery idempotent: a message drained twice emails no one twice.
    """
    outbox.enqueue(
        "case.notice",
        case_id=case.pk,
        audience=audience,
        subject=subject,
        body=body,
        event=str(event),
        key=str(uuid.uuid4()),
    )


def bump(case: Case, *fields: str) -> None:
    """Save the given fields and the incremented version (every write marks the case as changed)."""
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])
