"""The case page: one case with what it shows, its new events, whom to assign, conflicting filings."""

from datetime import datetime

from django.db.models import Prefetch
from django.http import Http404

from cee_portal.users.models import User

from ..models import Case, CaseEntry, CaseEvent, CaseKind
from ..permissions import can_view_internal, center_staff_q

# --- The case page ----------------------------------------------------------------------------------


def case_detail(user, pk_or_reference: int | str) -> Case:
    """The case page's fetch: one case the user may see, with all it shows, in a fixed number of queries.

    `events` holds the timeline the user may read: all of it for CBP staff, the shared events for
    the importer side (internal notes never reach the portal).
    """
    events = CaseEvent.objects.select_related("actor", "on_behalf_of", "delegation__broker_firm").order_by(
        "id"
    )
    if not can_view_internal(user):
        events = events.shared()
    queryset = (
        Case.objects.visible_to(user)
        .select_related(
            "importer__center",
            "center",
            "filing_port",
            "assignee",
            "filed_by",
            "parent",
            "protest__review_center",
            "psc",
            "pic",
            "cf28",
            "cf29",
            "decision__decided_by",
        )
        .prefetch_related(
            Prefetch("entry_links", queryset=CaseEntry.objects.select_related("entry__port").order_by("id")),
            Prefetch("events", queryset=events),
            "deadlines",
            "objections",
            "protestants",
            Prefetch("children", queryset=Case.objects.visible_to(user).order_by("id")),
            "psc__lines",
        )
    )
    lookup = _case_lookup(pk_or_reference)
    try:
        return queryset.get(**lookup)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _case_lookup(pk_or_reference: int | str) -> dict:
    """A database id (int or digits) or a reference number (never all digits: it has dashes)."""
    if isinstance(pk_or_reference, int):
        return {"pk": pk_or_reference}
    text = str(pk_or_reference).strip()
    return {"pk": int(text)} if text.isdigit() else {"reference_number": text}


def case_events_since(
    user, case: Case, after_event_id: int | None, *, after: datetime | None = None
) -> list[CaseEvent]:
    """The timeline events a user may read that came after the one a page last showed, or after the
    moment a list page was made (a stale edit's "what changed since"); every event when given neither."""
    events = case.events.select_related("actor").order_by("id")
    if not can_view_internal(user):
        events = events.shared()
    if after_event_id is not None:
        events = events.filter(id__gt=after_event_id)
    if after is not None:
        events = events.filter(created_at__gt=after)
    return list(events)


def assignable_staff(case: Case):
    """Who a case may be assigned to: active staff of its Center and national staff (can_assign's rule)."""

    return (
        User.objects.filter(center_staff_q(case.center_id), is_active=True, role__in=sorted(User.STAFF_ROLES))
        .select_related("center")
        .order_by("last_name", "first_name", "username")
    )


# Filings that each claim to settle one entry's duties: two open at once on one entry pull the
# entry two ways (a PSC corrects an unliquidated summary, 19 CFR 101.9(b); a protest contests a
# liquidation, 19 U.S.C. 1514; a 1520(d) claim reliquidates for a preference). CF-28 / CF-29 are
# CBP's own questions and conflict with nothing.
CONFLICTING_KINDS = frozenset({CaseKind.PROTEST, CaseKind.PSC, CaseKind.PIC})


def entry_conflicts(cases) -> dict[int, str]:
    """Case id -> why it conflicts, for the open filings of different kinds on one entry."""
    open_filings = [c for c in cases if c.is_open and c.kind in CONFLICTING_KINDS]
    kinds = {c.kind for c in open_filings}
    if len(kinds) < 2:
        return {}
    conflicts = {}
    for case in open_filings:
        others = sorted(
            f"{o.get_kind_display()} {o.reference_number}" for o in open_filings if o.kind != case.kind
        )
        conflicts[case.pk] = f"Open at the same time as {', '.join(others)} on this entry."
    return conflicts
