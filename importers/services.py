"""Writes to importer accounts: creation, pinning, assignment history."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .bulk import set_column
from .identifiers import normalize_ior
from .models import PIN_REASONS, AccountAssignment, AssignmentReason, Center, Importer


@transaction.atomic
def save_importer_from_admin(importer: Importer, *, form, actor) -> Importer:
    """Save an importer edited in the admin; a manual move of its Center is a pinned move with its cases."""
    from .reassignment import move_account

    importer.ior_number, importer.ior_kind = normalize_ior(importer.ior_number)
    changed = set(form.changed_data)
    previous_center_id = form.initial.get("center") if importer.pk else None
    new_center_id = importer.center_id
    moved = "center" in changed and previous_center_id is not None and new_center_id != previous_center_id
    if moved and not importer.pin_reason:
        # Without a pin the next automatic run would move the account straight back.
        raise ValidationError(
            {"pin_reason": "A manual move of the account needs a pin reason (81 FR 92978)."}
        )
    if "pin_reason" in changed or moved:
        importer.pinned_by = actor if importer.pin_reason else None
        importer.pinned_at = timezone.now() if importer.pin_reason else None
    if moved:
        importer.center_id = previous_center_id  # move_account changes it, with history and open cases
    importer.save()
    if moved:
        move_account(
            importer,
            to_center_id=new_center_id,
            reason=importer.pin_reason,
            figures={},
            effective_on=timezone.localdate(),
            actor=actor,
            note="Moved in the administration site",
        )
    elif "center" in changed and new_center_id is not None and previous_center_id is None:
        AccountAssignment.objects.create(
            importer=importer,
            from_center=None,
            to_center_id=new_center_id,
            reason=importer.pin_reason or AssignmentReason.INITIAL,
            effective_on=timezone.localdate(),
            decided_by=actor,
            note="Set in the administration site",
        )
    return importer


@transaction.atomic
def pin_importer(
    importer: Importer,
    *,
    reason: str,
    note: str,
    actor,
    center: Center | None = None,
    today: date | None = None,
) -> Importer:
    """Pin an account (optionally to another Center) so automatic reassignment leaves it alone."""
    valid = {value for value, _ in PIN_REASONS}
    if reason not in valid:
        raise ValidationError({"pin_reason": f"A pin needs one of: {', '.join(sorted(valid))}."})
    importer = Importer.objects.select_for_update().get(pk=importer.pk)
    if center is not None and center.pk != importer.center_id:
        AccountAssignment.objects.create(
            importer=importer,
            from_center_id=importer.center_id,
            to_center=center,
            reason=reason,
            effective_on=today or timezone.localdate(),
            decided_by=actor,
            note=note,
        )
        importer.center = center
    importer.pin_reason, importer.pin_note = reason, note
    importer.pinned_by, importer.pinned_at = actor, timezone.now()
    importer.save(update_fields=["center", "pin_reason", "pin_note", "pinned_by", "pinned_at"])
    return importer


@transaction.atomic
def unpin_importer(importer: Importer, *, actor) -> Importer:
    """Lift a pin explicitly; the next reassignment run may move the account again."""
    importer = Importer.objects.select_for_update().get(pk=importer.pk)
    importer.pin_reason, importer.pin_note, importer.pinned_by, importer.pinned_at = "", "", None, None
    importer.save(update_fields=["pin_reason", "pin_note", "pinned_by", "pinned_at"])
    return importer


def assign_initial_centers(importer_ids: list[int], *, today: date, actor=None) -> int:
    """Give importers without a Center their first one at once, with an `initial` history row.

    The same rule as the nightly run (reassignment.decide over the mix window ending `today`), so an
    import never assigns a Center the nightly run moves seconds later (issue 9 item 10). An importer
    with nothing inside the window (a history load, entries older than the window) gets its first
    Center from its whole history; the nightly run leaves it until the window holds the minimum
    volume (decide's guard), so every importer with entries ends with a Center (issue 16 item 6).
    """
    from .mix import fold_deltas

    fold_deltas()  # before the chunks lock the importers
    ids = sorted(set(importer_ids))
    # Chunked: PostgreSQL caps a statement at 65,535 parameters.
    return sum(
        _assign_initial_chunk(ids[i : i + 5000], today=today, actor=actor) for i in range(0, len(ids), 5000)
    )


@transaction.atomic
def _assign_initial_chunk(importer_ids: list[int], *, today: date, actor) -> int:
    from .mix import mixes
    from .reassignment import decide

    # Locked, so two ingests finishing together cannot both write an initial assignment.
    unassigned = list(
        Importer.objects.select_for_update()
        .filter(pk__any_of=importer_ids, center__isnull=True)
        .values_list("pk", flat=True)
    )
    if not unassigned:
        return 0
    ace_ids = dict(Center.objects.values_list("pk", "ace_id"))
    in_window = mixes(unassigned, today=today)
    outside = [pk for pk in unassigned if pk not in in_window or in_window[pk].predominant is None]
    # Only for those with nothing inside the window: everything they have, up to today.
    whole_history = (
        mixes(outside, today=today, window_days=(today - date(1900, 1, 1)).days) if outside else {}
    )
    centers, history = {}, []
    for importer_id in unassigned:
        verdict = decide(importer_id, None, False, in_window.get(importer_id), ace_ids)
        if verdict.move:
            center_id, figures = verdict.to_center_id, verdict.figures
        else:
            mix = whole_history.get(importer_id)
            if mix is None or mix.predominant is None:
                continue  # no line with a Center at all: nothing to decide from
            center_id, figures = mix.predominant, mix.figures(ace_ids)
            figures["window"] = "whole history: nothing inside the reassignment window"
        centers[importer_id] = center_id
        history.append(
            AccountAssignment(
                importer_id=importer_id,
                from_center=None,
                to_center_id=center_id,
                reason=AssignmentReason.INITIAL,
                effective_on=today,
                decided_by=actor,
                figures=figures,
            )
        )
    set_column(Importer, "center_id", centers, only_if_null=True)
    AccountAssignment.objects.bulk_create(history, batch_size=2000)
    return len(centers)
