"""Open cases follow their account to its new Center."""

from datetime import date

from django.db.models import F, Q

from cee_portal.users.models import User
from importers.models import Center

from ..models import Case, CaseEvent
from ..permissions import center_staff_q


def move_open_cases(
    importer, *, from_center_id: int, to_center_id: int, effective_on: date, actor=None
) -> int:
    """Move an importer's open cases to the new Center in the caller's transaction; return how many.

    Each case's timeline says the move's effective date (the legal date of the move, which for an
    announced move is not the day the run applied it).

    An assignee who works for the new Center (or nationally) keeps the case; otherwise it goes
    to the new Center's unassigned queue. Closed cases stay with the Center that decided them.
    """
    cases = Case.objects.for_importer(importer).open().select_for_update()
    moved = list(cases.values_list("pk", "assignee_id", "version"))
    if not moved:
        return 0  # no open case: nothing to ask about assignees either
    keepers = set(
        User.objects.filter(center_staff_q(to_center_id))
        .filter(pk__in={assignee for _, assignee, _ in moved if assignee is not None})
        .values_list("pk", flat=True)
    )
    cases.filter(~Q(assignee_id__in=keepers)).update(assignee=None)
    # Each moved case is a change that a page loaded before it must not overwrite.
    Case.objects.filter(pk__in=[pk for pk, _, _ in moved]).update(
        center_id=to_center_id, version=F("version") + 1
    )

    names = dict(Center.objects.filter(pk__in=[from_center_id, to_center_id]).values_list("pk", "ace_id"))
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=pk,
            actor=actor,
            kind="center",
            old_value=names[from_center_id],
            new_value=names[to_center_id],
            message=f"The importer's account moved to {names[to_center_id]} on {effective_on.isoformat()}; "
            "the case moved with it"
            + ("" if assignee in keepers or assignee is None else " to the unassigned queue")
            + ".",
            visibility=CaseEvent.Visibility.SHARED,
        )
        for pk, assignee, _ in moved
    )
    return len(moved)
