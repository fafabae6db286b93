"""The portal (issue 13): the home page, a case's documents and messages, a document's download."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import Http404

from cee_portal.legal_time import legal_today
from importers.permissions import visible_entries, visible_importers

from .. import deadlines
from ..models import Case, Document, Message

# --- The portal (issue 13): home, case page, documents, messages ----------------------------------------

# How far ahead the portal home looks for filing windows that close (protest, PSC, 1520(d)).
CLOSING_SOON_DAYS = 30
RECENT_DECISION_DAYS = 90
PORTAL_LIST_LIMIT = 50


@dataclass(frozen=True)
class ClosingWindow:
    """An entry whose filing window closes soon: which window, its last day, the rule behind it."""

    entry: object
    kind: str
    due_on: date
    citation: str
    days_left: int


@dataclass(frozen=True)
class PortalHome:
    today: date
    accounts: list
    account: object | None
    open_cases: list[Case]
    waiting_on_importer: list[Case]
    closing_windows: list[ClosingWindow]
    recent_decisions: list[Case]


def portal_home(user, account_ior: str | None = None) -> PortalHome:
    """The portal home: the accounts the user acts for (one of them when `account_ior` picks it), their
    open cases by next deadline, cases waiting on the importer (a CF-28 to answer, a proposed CF-29 to
    object to), entries whose protest, PSC or 1520(d) window closes within CLOSING_SOON_DAYS, and
    decisions of the last RECENT_DECISION_DAYS. A fixed number of queries, whatever the rows."""
    today = legal_today()
    accounts = list(visible_importers(user).select_related("center").order_by("name", "pk"))
    account = next((a for a in accounts if account_ior and a.ior_number == account_ior.strip()), None)
    if account_ior and account is None:
        raise Http404("No such importer account.")
    cases = Case.objects.visible_to(user).select_related("importer")
    entries = visible_entries(user).select_related("importer")
    if account is not None:
        cases, entries = cases.filter(importer=account), entries.filter(importer=account)
    waiting = Q(kind="cf28", status="issued") | Q(kind="cf29", status="issued", cf29__action_kind="proposed")
    return PortalHome(
        today=today,
        accounts=accounts,
        account=account,
        open_cases=list(cases.open().by_deadline()[:PORTAL_LIST_LIMIT]),
        waiting_on_importer=list(cases.open().filter(waiting).by_deadline()[:PORTAL_LIST_LIMIT]),
        closing_windows=_closing_windows(entries, today),
        recent_decisions=list(
            cases.filter(decision__decided_on__gte=today - timedelta(days=RECENT_DECISION_DAYS))
            .select_related("decision")
            .order_by("-decision__decided_on", "-id")[:PORTAL_LIST_LIMIT]
        ),
    )


def _closing_windows(entries, today: date) -> list[ClosingWindow]:
    """Set-based: one query per window picks the entries whose window may close in the horizon (a
    margin for weekend roll-forward), then the pure rules of cases/deadlines.py give the exact day."""
    policy = deadlines.ClockPolicy.from_mapping(settings.CASE_CLOCK)
    horizon = today + timedelta(days=CLOSING_SOON_DAYS)
    margin = timedelta(days=10)
    found: list[ClosingWindow] = []

    def keep(entry, deadline, kind):
        if today <= deadline.due_on <= horizon:
            found.append(
                ClosingWindow(entry, kind, deadline.due_on, deadline.citation, (deadline.due_on - today).days)
            )

    def not_filed(queryset, kind):
        return queryset.exclude(case_links__case_kind=kind, case_links__active=True)

    # Protest: 180 days from liquidation (19 U.S.C. 1514(c)(3)).
    liquidated = not_filed(entries, "protest").filter(
        liquidation_date__gte=today - timedelta(days=180) - margin, liquidation_date__lte=today
    )
    for entry in liquidated.order_by("liquidation_date", "pk")[:PORTAL_LIST_LIMIT]:
        keep(entry, deadlines.protest_filing_deadline(entry.liquidation_date, policy=policy), "Protest")
    # PSC: 300 days from entry and 15 days before scheduled liquidation (19 CFR 101.9(b)(1)).
    unliquidated = (
        not_filed(entries, "psc")
        .filter(
            liquidation_status="unliquidated",
            summary_under_review=False,
            scheduled_liquidation_date__isnull=False,
            entry_date__gte=today - timedelta(days=300) - margin,
        )
        .filter(
            Q(entry_date__lte=horizon - timedelta(days=300) + margin)
            | Q(scheduled_liquidation_date__lte=horizon + timedelta(days=15) + margin)
        )
    )
    for entry in unliquidated.order_by("entry_date", "pk")[:PORTAL_LIST_LIMIT]:
        if entry.scheduled_liquidation_date > entry.entry_date:
            deadline = deadlines.psc_filing_deadline(
                entry.entry_date,
                entry.scheduled_liquidation_date,
                importer_extension_granted=entry.extension_requested_by_importer,
                policy=policy,
            )
            keep(entry, deadline, "Post summary correction")
    # 1520(d): one year from importation (19 U.S.C. 1520(d)).
    imported = not_filed(entries, "pic").filter(
        importation_date__gte=today - timedelta(days=366) - margin,
        importation_date__lte=horizon - timedelta(days=365) + margin,
    )
    for entry in imported.order_by("importation_date", "pk")[:PORTAL_LIST_LIMIT]:
        keep(entry, deadlines.pic_filing_deadline(entry.importation_date, policy=policy), "1520(d) claim")
    return sorted(found, key=lambda w: (w.due_on, w.kind, w.entry.pk))


def case_documents(user, case: Case) -> list:
    """The documents of a case the user may see (staff and the filer side alike), oldest first."""

    return list(
        Document.objects.visible_to(user).filter(case=case).select_related("uploaded_by").order_by("id")
    )


def case_messages(user, case: Case) -> list:
    """The case's thread (never internal notes: those are internal events, not messages)."""

    return list(
        Message.objects.visible_to(user)
        .filter(case=case)
        .select_related("author", "delegation__broker_firm")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("id")))
        .order_by("id")
    )


def document_for_download(user, pk: int):
    """One document the user may see (its case's visibility rule); otherwise Http404 like a missing one."""

    document = Document.objects.visible_to(user).select_related("case").filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def notification_preferences(user):
    """The user's notice preferences; an unsaved all-on row when they never chose (the default)."""
    from ..models import NotificationPreference

    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
