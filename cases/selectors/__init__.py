"""Reads of cases (HackSoft selectors): the queue, its counts, the dashboard, the case page and the
portal, one module each (queue, dashboards, detail, portal); every name is re-exported here.

Pages and the API read through these and never build querysets of their own. The entry and
account pages list their cases with `case_queue(user, {"entry": number, "center": "all",
"state": "any"})` (or `"importer": ior`): the same rows, order and pages as the queue. Every read starts
from `Case.objects.visible_to(user)`, the one visibility rule, so an invisible case is a missing
case (Http404). Filters are the queue's one FilterSet (cases.filters.CaseQueueFilter); a bad
filter raises CaseError with the field and the reason (400 through the API's exception handler,
beside the field on a page). Query counts do not grow with the number of rows.
"""

from .dashboards import (
    AGING_BUCKETS,
    THROUGHPUT_WEEKS,
    UNIFORMITY_DAYS,
    Dashboard,
    dashboard,
    dashboard_summary,
    week_start,
)
from .detail import (
    CONFLICTING_KINDS,
    assignable_staff,
    case_detail,
    case_events_since,
    entry_conflicts,
)
from .portal import (
    CLOSING_SOON_DAYS,
    PORTAL_LIST_LIMIT,
    RECENT_DECISION_DAYS,
    ClosingWindow,
    PortalHome,
    case_documents,
    case_messages,
    document_for_download,
    notification_preferences,
    portal_home,
)
from .queue import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    QueueChoices,
    QueueCounts,
    QueuePage,
    case_queue,
    cases_by_reference,
    filtered_cases,
    queue_choices,
    queue_counts,
    saved_queue_filter,
    saved_queue_filters,
)

__all__ = [
    "AGING_BUCKETS",
    "CLOSING_SOON_DAYS",
    "CONFLICTING_KINDS",
    "ClosingWindow",
    "DEFAULT_PAGE_SIZE",
    "Dashboard",
    "MAX_PAGE_SIZE",
    "PORTAL_LIST_LIMIT",
    "PortalHome",
    "QueueChoices",
    "QueueCounts",
    "QueuePage",
    "RECENT_DECISION_DAYS",
    "THROUGHPUT_WEEKS",
    "UNIFORMITY_DAYS",
    "assignable_staff",
    "case_detail",
    "case_documents",
    "case_events_since",
    "case_messages",
    "case_queue",
    "cases_by_reference",
    "dashboard",
    "dashboard_summary",
    "document_for_download",
    "notification_preferences",
    "entry_conflicts",
    "filtered_cases",
    "portal_home",
    "queue_choices",
    "queue_counts",
    "saved_queue_filter",
    "saved_queue_filters",
    "week_start",
]
