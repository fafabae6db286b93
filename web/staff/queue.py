"""The staff queue's page: for now the open cases of the user's Center, counted by kind.

The filtered, sorted queue (issue 12, item 2) replaces the body of this page; its URL, name and
access rule stay.
"""

from django.db.models import Count, Q
from django.shortcuts import render

from cases.models import Case, CaseKind

from ..access import staff_only


@staff_only
def queue(request):
    user = request.user
    # National staff (supervisors and administrators without a Center) see every Center's cases.
    cases = Case.objects.visible_to(user).open()
    if user.center_id:
        cases = cases.for_center(user.center)
    rows = cases.values("kind").annotate(
        total=Count("id"),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        mine=Count("id", filter=Q(assignee=user)),
    )
    by_kind = {row["kind"]: row for row in rows}
    counts = [
        {"label": label, **by_kind.get(kind, {"total": 0, "unassigned": 0, "mine": 0})}
        for kind, label in CaseKind.choices
    ]
    totals = {key: sum(row[key] for row in counts) for key in ("total", "unassigned", "mine")}
    return render(request, "staff/queue.html", {"center": user.center, "counts": counts, "totals": totals})
