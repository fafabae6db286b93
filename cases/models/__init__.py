"""The cases app's models, by role; every name is re-exported here, where Django (and every caller:
`cases.models.X`) finds them. Same app label and tables as when this was one module: one
Case row per filing or CBP action (the queue's table), detail tables per kind, the entries each
case covers, deadlines, decisions and the append-only timeline."""

from .case import (
    DECISION_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Actor,
    Case,
    CaseDeadline,
    CaseEntry,
    CaseKind,
    CaseQuerySet,
    CaseStatus,
    ReferenceCounter,
)
from .dashboards import DashboardDecisionCount, DashboardOpenCount, DashboardSnapshot, DashboardWeekCount
from .documents import CaseChildQuerySet, Document, Message

# Migration 0012 names the document field's callables as cases.models._document_storage and
# cases.models._document_path: they stay reachable here so that migration still imports.
from .documents import _document_path as _document_path
from .documents import _document_storage as _document_storage
from .filings import (
    Decision,
    InformationRequest,
    NoticeOfAction,
    Objection,
    PicDetail,
    Protestant,
    ProtestDetail,
    PscDetail,
    PscLine,
)
from .notices import NoticeDelivery, NoticeEvent, NotificationPreference
from .receipts import FilingReceipt, IdempotentRequest
from .saved_filters import SavedQueueFilter
from .timeline import CaseEvent, CaseEventQuerySet, CaseOpening

__all__ = [
    "DECISION_STATUSES",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Actor",
    "Case",
    "CaseChildQuerySet",
    "CaseDeadline",
    "CaseEntry",
    "CaseEvent",
    "CaseEventQuerySet",
    "CaseKind",
    "CaseOpening",
    "CaseQuerySet",
    "CaseStatus",
    "DashboardDecisionCount",
    "DashboardOpenCount",
    "DashboardSnapshot",
    "DashboardWeekCount",
    "Decision",
    "Document",
    "FilingReceipt",
    "IdempotentRequest",
    "InformationRequest",
    "Message",
    "NoticeDelivery",
    "NoticeEvent",
    "NoticeOfAction",
    "NotificationPreference",
    "Objection",
    "PicDetail",
    "ProtestDetail",
    "Protestant",
    "PscDetail",
    "PscLine",
    "ReferenceCounter",
    "SavedQueueFilter",
]
