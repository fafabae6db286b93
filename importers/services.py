"""Writes to importer accounts: creation, pinning, assignment history.

Every change of an account's Center, automatic or by hand, goes through reassignment.move_account,
and every dated act takes its legal date as `today` (cee_portal.legal_time.legal_today at the edge).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

# People and authority (issue 13 item 2) live in importers/accounts/people.py; callers import them from here.
from .accounts.people import (  # noqa: F401  (re-exported)
    DELEGABLE_KINDS,
    accept_invitation,
    cancel_invitation,
    grant_delegation,
    invitation_by_token,
    invitation_state,
    invite_colleague,
    pending_invitation,
    remove_colleague,
    revoke_delegation,
)
from .accounts.reassignment import assign_initial_centers, move_account  # noqa: F401  (re-exported)
from .accounts.users import create_user, issue_api_token  # noqa: F401  (re-exported)
from .identifiers import normalize_ior
from .models import PIN_REASONS, AssignmentReason, Center, Importer, PinChange, ScheduledMove
from .reference.resolver import save_hts_rule  # noqa: F401  (re-exported: the HTS rule edit)


@transaction.atomic
def save_importer_from_admin(importer: Importer, *, form, actor, today: date) -> Importer:
    """Save an importer edited in the admin; its Center and pin change only through the move services.

    A change of Center is a pinned move that takes the open cases along (pin_importer); a new pin or
    a lifted pin goes through pin_importer / unpin_importer; `today` is the legal date of the change.
    """
    importer.ior_number, importer.ior_kind = normalize_ior(importer.ior_number)
    changed = set(form.changed_data)
    stored = Importer.objects.filter(pk=importer.pk).first() if importer.pk else None
    previous_center_id = stored.center_id if stored else None
    new_center_id, reason, note = importer.center_id, importer.pin_reason, importer.pin_note
    if previous_center_id is not None and new_center_id is None:
        raise ValidationError({"center": "An account always has a Center: move it to another one instead."})
    moved = previous_center_id is not None and new_center_id != previous_center_id
    if moved and not reason:
        # Without a pin the next automatic run would move the account straight back.
        raise ValidationError(
            {"pin_reason": "A manual move of the account needs a pin reason (81 FR 92978)."}
        )
    # The plain fields are saved here; Center and pin keep their stored values until the services
    # below change them, with history, open cases and timeline events.
    importer.center_id = previous_center_id
    importer.pin_reason, importer.pin_note = (stored.pin_reason, stored.pin_note) if stored else ("", "")
    importer.save()
    center = Center.objects.get(pk=new_center_id) if new_center_id != previous_center_id else None
    if reason and (center is not None or {"pin_reason", "pin_note"} & changed):
        return pin_importer(
            importer,
            reason=reason,
            note=note,
            actor=actor,
            center=center,
            today=today,
            via="the administration site",
        )
    if stored is not None and stored.pin_reason and not reason:
        importer = unpin_importer(importer, actor=actor, note="Lifted in the administration site.")
    if center is not None:  # a first Center set by hand, without a pin
        return assign_center(
            importer, center=center, actor=actor, today=today, note="Set in the administration site"
        )
    return importer


@transaction.atomic
def assign_center(importer: Importer, *, center: Center, actor, today: date, note: str = "") -> Importer:
    """Give an account without a Center its first one by hand, with an `initial` history row."""
    importer = Importer.objects.select_for_update().get(pk=importer.pk)
    if importer.center_id is not None:
        raise ValidationError({"center": "The account has a Center already: pin it to move it by hand."})
    return move_account(
        importer,
        to_center_id=center.pk,
        reason=AssignmentReason.INITIAL,
        figures={},
        effective_on=today,
        actor=actor,
        note=note,
    )


@transaction.atomic
def pin_importer(
    importer: Importer,
    *,
    reason: str,
    note: str,
    actor,
    today: date,
    center: Center | None = None,
    via: str = "",
) -> Importer:
    """Pin an account so automatic reassignment leaves it alone; with `center`, move it there first.

    The move goes through the one move service (reassignment.move_account): history row effective
    `today`, open cases and their timelines, account manager, notices. A pending announced move is
    cancelled: a pinned account does not move automatically (81 FR 92978).
    """
    valid = {value for value, _ in PIN_REASONS}
    if reason not in valid:
        raise ValidationError({"pin_reason": f"A pin needs one of: {', '.join(sorted(valid))}."})
    importer = Importer.objects.select_for_update().get(pk=importer.pk)
    if center is not None and center.pk != importer.center_id:
        move_account(
            importer,
            to_center_id=center.pk,
            reason=reason,
            figures={},
            effective_on=today,
            actor=actor,
            note=" ".join(part for part in (f"Moved by hand in {via}." if via else "", note) if part),
        )
    ScheduledMove.objects.filter(importer=importer, state=ScheduledMove.State.PENDING).update(
        state=ScheduledMove.State.CANCELLED
    )
    importer.pin_reason, importer.pin_note = reason, note
    # pinned_at is the moment of the act (a timestamp), not a legal date.
    importer.pinned_by, importer.pinned_at = actor, timezone.now()
    importer.save(update_fields=["pin_reason", "pin_note", "pinned_by", "pinned_at"])
    PinChange.objects.create(
        importer=importer, action=PinChange.Action.PINNED, pin_reason=reason, note=note, changed_by=actor
    )
    return importer


@transaction.atomic
def unpin_importer(importer: Importer, *, actor, note: str = "") -> Importer:
    """Lift a pin explicitly, saying why; the next reassignment run may move the account again."""
    importer = Importer.objects.select_for_update().get(pk=importer.pk)
    if not importer.is_pinned:
        raise ValidationError({"pin_reason": "The account is not pinned: there is no pin to lift."})
    importer.pin_reason, importer.pin_note, importer.pinned_by, importer.pinned_at = "", "", None, None
    importer.save(update_fields=["pin_reason", "pin_note", "pinned_by", "pinned_at"])
    PinChange.objects.create(importer=importer, action=PinChange.Action.UNPINNED, note=note, changed_by=actor)
    return importer
