"""Demo cases for seed_demo: every kind in every state the transition table allows, on the demo
entries, consistent with the statutory clock and reproducible for a seed.

Two phases. The plan picks each case's kind, entries and filing date inside the windows of
cases.deadlines, then numbers the cases in filing order. The build walks each case along a path of
cases.models.TRANSITIONS with dated moves and produces the rows the services would have written:
details, entry links, decision, deadlines (stored exactly as cases.services.clock.refresh_deadlines
stores them, so recomputing changes nothing and a sweep run finds nothing to do), timeline events and
reference counters. Rows go in with importers.entries.bulk.insert_rows (COPY on PostgreSQL), a chunk of
cases at a time; case ids come from a reserved range, so no child row needs anything read back.
"""

import random
import time
from bisect import bisect
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from math import prod

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from tqdm import tqdm

from cases import deadlines
from cases.deadlines import DeadlineKind
from cases.models import (
    DECISION_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Case,
    CaseDeadline,
    CaseEntry,
    CaseEvent,
    CaseKind,
    Decision,
    InformationRequest,
    NoticeOfAction,
    Objection,
    PicDetail,
    Protestant,
    ProtestDetail,
    PscDetail,
    PscLine,
    ReferenceCounter,
)
from cases.models import CaseStatus as S
from cases.services.clock import QUEUE_KINDS, settled_state
from cases.services.common import REFERENCE_PREFIX, clock_policy
from cases.services.sweeps import DEEMED_DENIAL_RULES, reminder_owed
from cee_portal.users.models import User
from importers.entries.bulk import insert_rows
from importers.models import Center, Entry, EntryLine, Importer, LiquidationStatus

K = CaseKind
KIND_SHARES = ((K.PROTEST, 0.35), (K.PSC, 0.35), (K.PIC, 0.10), (K.CF28, 0.12), (K.CF29, 0.08))
# Relative weight of each final status; every status of the transition table has one (tested).
STATUS_WEIGHTS = {
    K.PROTEST: {S.RECEIVED: 40, S.UNDER_REVIEW: 45, S.SUSPENDED: 15, S.ALLOWED: 14, S.ALLOWED_IN_PART: 8,
                S.DENIED: 18, S.DEEMED_DENIED: 12, S.WITHDRAWN: 6, S.CLOSED: 42},
    K.PSC: {S.RECEIVED: 45, S.UNDER_REVIEW: 55, S.ACCEPTED: 40, S.REJECTED: 10, S.WITHDRAWN: 8, S.CLOSED: 42},
    K.PIC: {S.RECEIVED: 40, S.UNDER_REVIEW: 45, S.SUSPENDED: 15, S.ALLOWED: 20, S.ALLOWED_IN_PART: 8,
            S.DENIED: 18, S.WITHDRAWN: 8, S.CLOSED: 46},
    K.CF28: {S.ISSUED: 60, S.ANSWERED: 40, S.WITHDRAWN: 6, S.CLOSED: 94},
    K.CF29: {S.ISSUED: 60, S.ANSWERED: 40, S.WITHDRAWN: 6, S.CLOSED: 94},
}  # fmt: skip
# Share of cases still open by kind and age in days: (younger than, share) steps, then the rest.
# Protests wait long for a decision; PSCs and CF-28/29 are mostly settled within weeks.
OPEN_SHARE = {
    K.PROTEST: ((180, 0.92), (365, 0.8), (None, 0.65)),
    K.PIC: ((90, 0.85), (270, 0.6), (None, 0.4)),
    K.PSC: ((30, 0.85), (120, 0.55), (None, 0.35)),
    K.CF28: ((45, 0.9), (120, 0.45), (None, 0.15)),
    K.CF29: ((45, 0.9), (120, 0.45), (None, 0.15)),
}
# Mean days from one move of a case to the next; CF-28/29 are mostly issued in recent months.
MOVE_DAYS = {K.PROTEST: 120, K.PIC: 90, K.PSC: 12, K.CF28: 18, K.CF29: 14}
ISSUED_DAYS_AGO = 150
# Protest flavours: the exclusion share is of protests, accelerated disposition and further review of
# the other protests.
EXCLUSION_SHARE, ACCELERATED_SHARE, AFR_SHARE, JOINED_SHARE = 0.05, 0.08, 0.10, 0.08
# Every eighth entry not yet liquidated is kept for exclusion protests, out of the PSC pool, so no PSC
# meets an open protest on its entry.
EXCLUSION_EVERY = 8
# One protest per entry and category: a reused entry takes the next category (19 U.S.C. 1514(c)(1)).
CATEGORIES = ("", "Parts", "Accessories", "Finished goods", "Components", "Spare parts", "Kits", "Samples")
CHUNK = 25_000

DESCRIPTIONS = {
    "CEE001": ("Pharmaceutical preparations in measured doses", "Organic chemical intermediates"),
    "CEE002": ("Frozen farmed shrimp", "Fresh Hass avocados"),
    "CEE003": ("Passenger vehicle brake assemblies", "Aircraft landing-gear parts"),
    "CEE004": ("Men's cotton knit shirts", "Athletic footwear with leather uppers"),
    "CEE005": ("Cold-rolled steel coils", "Aluminum extrusions"),
    "CEE006": ("Crude petroleum oil", "Liquefied natural gas"),
    "CEE007": ("Laptop computers", "Smartphones"),
    "CEE008": ("Plastic construction toys", "Wooden household furniture"),
    "CEE009": ("Polyethylene resin pellets", "Softwood lumber"),
    "CEE010": ("Hydraulic excavators", "Industrial centrifugal pumps"),
}
OBJECTIONS = (
    ("classification", "The merchandise is classifiable under another subheading at a lower rate of duty.",
     "GRI 1 and 6; the Explanatory Notes to the heading describe these goods."),
    ("appraisement", "The appraised value includes buying commissions, which are not transaction value.",
     "19 U.S.C. 1401a(b); the agency agreement shows the commissions."),
    ("charges", "The merchandise processing fee was assessed above the statutory maximum.",
     "19 CFR 24.23(b)(1)(i)."),
    ("liquidation", "The entry was liquidated without the trade-agreement preference claimed at entry.",
     "The certification of origin was on file before liquidation."),
)  # fmt: skip
EXCLUSION_OBJECTION = (
    "exclusion",
    "The merchandise was excluded although it meets the admissibility requirements.",
    "Test reports on file show compliance with the applicable standard.",
)
REASONS = {
    S.ALLOWED: "Protest allowed: the claimed treatment is supported; reliquidate and refund with interest.",
    S.ALLOWED_IN_PART: "Allowed in part: some objections are supported, the others are not.",
    S.DENIED: "Denied: the objections are not supported by the record.",
    S.ACCEPTED: "Post summary correction accepted.",
    S.REJECTED: "Post summary correction rejected: the prior version of the summary stands.",
}
NOTES = {
    S.UNDER_REVIEW: "Taken up for review.",
    S.SUSPENDED: "Suspended pending a related ruling.",
    S.WITHDRAWN: "Withdrawn.",
    S.CLOSED: "Closed.",
}
PSC_REASONS = (
    ("VALUE", "Corrected the entered value after a post-importation price adjustment."),
    ("CLASS", "Corrected the classification of a line at the ten-digit level."),
)
# Only agreements that provide 1520(d) claims (importers/reference/data/preference_agreements.csv).
AGREEMENTS = (("USMCA", 60), ("KR", 10), ("CAFTA-DR", 8), ("CL", 5), ("PE", 3), ("CO", 3), ("PA", 1),
              ("OM", 0.5))  # fmt: skip
AGREEMENT_CUM = list(accumulate(w for _, w in AGREEMENTS))
BROKERS = ("Border Customs Brokers LLC", "Gateway Trade Services Inc.", "Harbor Entry Partners LLC", "")
OBJECTION_OUTCOMES = {  # (decision outcome, first objection?) -> (objection outcome, reasons)
    (S.ALLOWED, True): ("allowed", ""),
    (S.ALLOWED, False): ("allowed", ""),
    (S.DENIED, True): ("denied", ""),
    (S.DENIED, False): ("denied", ""),
    (S.ALLOWED_IN_PART, True): ("allowed", "Supported by the record."),
    (S.ALLOWED_IN_PART, False): ("denied", "Not supported by the record."),
}
AFR_JUSTIFICATION = "The decision is inconsistent with a ruling on substantially similar merchandise."
SURETY = "Great Plains Surety Co."
QUESTIONS = "Provide the commercial invoice, proof of payment and the mill certificates."
ACTION = "Rate advance: the goods are classified under a subheading at a higher rate of duty."
STAFF_ROLES = (User.Role.SPECIALIST, User.Role.SUPERVISOR, User.Role.ACCOUNT_MANAGER)

CASE_COLUMNS = ("id", "reference_number", "kind", "status", "is_open", "center_id", "filing_port_id",
                "importer_id", "assignee_id", "filed_on", "filed_by_id", "next_deadline_on",
                "next_deadline_kind", "flagged_for_specialist", "flag_reason", "version", "created_at",
                "updated_at")  # fmt: skip
COLUMNS = {
    Case: CASE_COLUMNS,
    ProtestDetail: ("case_id", "merchandise_category", "description", "related_protest", "is_exclusion",
                    "accelerated_disposition_mailed_on", "afr_filed_on", "afr_status", "afr_criterion",
                    "afr_justification", "afr_decided_on", "review_office", "review_center_id"),
    Protestant: ("id", "case_id", "identifier", "name", "role", "agent_name", "filed_on", "joined"),
    Objection: ("case_id", "number", "protested_decision", "text", "justification", "added_on",
                "added_by_id", "outcome", "outcome_reasons"),
    PscDetail: ("case_id", "entry_id", "reason_code", "explanation"),
    PscLine: ("psc_id", "line_number", "hts_number", "entered_value", "duty"),
    PicDetail: ("case_id", "entry_id", "agreement", "certificate_of_origin"),
    InformationRequest: ("case_id", "entry_id", "questions", "due_on", "answer", "answered_on",
                         "overdue_flagged_on"),
    NoticeOfAction: ("case_id", "entry_id", "action_kind", "action", "due_on", "answer", "answered_on"),
    CaseEntry: ("case_id", "entry_id", "case_kind", "merchandise_category", "protested_decision",
                "protested_act", "decision_date", "active"),
    Decision: ("case_id", "outcome", "decided_on", "decided_by_id", "reasons", "refund_amount",
               "notice_mailed_on"),
    CaseDeadline: ("case_id", "kind", "due_on", "citation", "rule", "warnings", "period_ends_on", "state",
                   "reminded_on"),
    CaseEvent: ("case_id", "created_at", "actor_id", "kind", "old_value", "new_value", "message",
                "visibility"),
}  # fmt: skip
ENTRY_FIELDS = ("pk", "importer_id", "importer__center_id", "port_id", "entry_date", "importation_date",
                "scheduled_liquidation_date", Coalesce("reliquidation_date", "liquidation_date"),
                "liquidation_status", "extension_requested_by_importer", "summary_under_review",
                "reliquidation_date")  # fmt: skip
# Fields of the entry tuples _Seeder._load keeps (dates as day ordinals; decided: of the protested
# act, the reliquidation where there is one, else the liquidation, as intake stores it).
E_ID, E_IMPORTER, E_CENTER, E_PORT, E_ENTERED, E_IMPORTED, E_DECIDED, E_ACT = range(8)
LIQUIDATED = {LiquidationStatus.LIQUIDATED, LiquidationStatus.DEEMED_LIQUIDATED}
NOT_LIQUIDATED = {LiquidationStatus.UNLIQUIDATED, LiquidationStatus.EXTENDED}
RUNNING, MET, MISSED, VOID = (s.value for s in CaseDeadline.State)
COURT = DeadlineKind.COURT_OF_INTERNATIONAL_TRADE.value
INTERNAL, SHARED = CaseEvent.Visibility.INTERNAL.value, CaseEvent.Visibility.SHARED.value


def seed_cases(*, count: int, seed: int, today: date, stdout=None) -> int:
    """Create `count` demo cases of every kind and state, consistent with the clock; return how many.

    Does nothing (returns 0) when any case exists. Needs importers with a Center and their entries.
    """
    if count <= 0:
        return 0
    with transaction.atomic():
        if not _lock_and_check_empty():
            return 0
        seeder = _Seeder(seed=seed, today=today, stdout=stdout)
        return seeder.run(count)


def _lock_and_check_empty() -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Blocks other writers of these tables (not readers) until commit: the reserved id ranges
            # stay ours and two seeders cannot both find the table empty.
            cursor.execute("LOCK TABLE cases_case, cases_protestant IN EXCLUSIVE MODE")
            # Check foreign keys row by row instead of queueing millions of deferred checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return not Case.objects.exists()


def _initial_status(kind: str) -> str:
    table = TRANSITIONS[kind]
    targets = {to for moves in table.values() for to in moves}
    (start,) = [status for status in table if status not in targets]
    return start


def _simple_paths(kind: str) -> dict[str, list[tuple[str, ...]]]:
    """Every path through the transition table from the first status that visits no status twice."""
    table, found = TRANSITIONS[kind], defaultdict(list)

    def walk(path: tuple[str, ...]) -> None:
        found[path[-1]].append(path)
        for nxt in table.get(path[-1], {}):
            if nxt not in path:
                walk((*path, nxt))

    walk((_initial_status(kind),))
    return dict(found)


PATHS = {kind: _simple_paths(kind) for kind in TRANSITIONS}


class _Days(dict):
    """Day ordinal -> date, made once per day."""

    def __missing__(self, ordinal: int) -> date:
        self[ordinal] = day = date.fromordinal(ordinal)
        return day


class _Stamps(dict):
    """Day ordinal -> an aware timestamp in the afternoon (UTC) of that day, for created_at columns."""

    def __missing__(self, ordinal: int) -> datetime:
        day = date.fromordinal(ordinal)
        self[ordinal] = stamp = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
        return stamp


class _Clock:
    """Deadline rows from cases.deadlines, memoised by function and day (many cases share a day)."""

    def __init__(self, days: _Days):
        self.policy, self.days, self.memo = clock_policy(), days, {}

    def __call__(self, function, day: int) -> tuple[str, int, str, str, str, date | None]:
        """(kind, due ordinal, citation, rule, warnings, period end) as refresh_deadlines stores them."""
        key = (function, day)
        row = self.memo.get(key)
        if row is None:
            found = function(self.days[day], policy=self.policy)
            row = (found.kind.value, found.due_on.toordinal(), found.citation[:200], found.rule,
                   "\n".join(found.warnings), found.period_ends_on)  # fmt: skip
            self.memo[key] = row
        return row

    def psc_closes(self, entered: int, scheduled: int, extension: bool) -> int:
        key = ("psc", entered, scheduled, extension)
        if key not in self.memo:
            days = self.days
            found = deadlines.psc_filing_deadline(
                days[entered], days[scheduled], importer_extension_granted=extension, policy=self.policy
            )
            self.memo[key] = found.due_on.toordinal()
        return self.memo[key]

    def opens(self, decision_on: int) -> int:
        key = ("opens", decision_on)
        if key not in self.memo:
            opened = deadlines.protest_window_opens_on(self.days[decision_on], policy=self.policy)
            self.memo[key] = opened.toordinal()
        return self.memo[key]


class _Routes:
    """For one kind and one set of case facts: the final statuses allowed and the paths to each."""

    def __init__(self, kind: str, deemable: bool, answerable: bool, must_close: bool):
        self.paths = {}
        for status, paths in PATHS[kind].items():
            allowed = [
                p
                for p in paths
                if (deemable or S.DEEMED_DENIED not in p) and (answerable or S.ANSWERED not in p)
            ]
            if allowed and not (must_close and status in OPEN_STATUSES):
                self.paths[status] = allowed
        weights = STATUS_WEIGHTS[kind]
        # A path is as likely as the statuses it passes through (relative to the kind's mean weight),
        # so most closed PSCs were accepted and most closed protests were decided.
        mean = sum(weights.values()) / len(weights)
        self.path_cum = {
            status: list(accumulate(prod(weights[s] / mean for s in path[1:-1]) for path in paths))
            for status, paths in self.paths.items()
        }
        self.open = [s for s in self.paths if s in OPEN_STATUSES]
        self.closed = [s for s in self.paths if s not in OPEN_STATUSES]
        self.open_cum = list(accumulate(weights[s] for s in self.open))
        self.closed_cum = list(accumulate(weights[s] for s in self.closed))


class _Draft:
    """One case while it is built: its facts, its moves and the rows that depend on them."""

    __slots__ = ("id", "kind", "filed", "entry", "handler", "path", "days", "status", "is_open", "closed_on",
                 "outcome", "reasons", "answered_on", "due", "assignee", "version", "message", "events",
                 "deadlines", "preset", "next_due", "next_kind", "started")  # fmt: skip

    def __init__(self, case_id: int, kind: str, filed: int, entry: tuple, handler: int | None):
        self.id, self.kind, self.filed, self.entry, self.handler = case_id, kind, filed, entry, handler
        self.closed_on = self.outcome = self.answered_on = self.due = self.assignee = None
        self.reasons = self.message = ""
        self.version = 1
        # (day, order within the day, actor, kind, old, new, message, visibility)
        self.events: list[tuple] = []
        self.deadlines: list[tuple] = []  # (kind, due, citation, rule, warnings) from _Clock
        self.preset: dict[str, str] = {}  # deadline kind -> state set while the case was open
        self.started: dict[str, int] = {}  # deadline kind -> the day its clock started, if not filing


class _Seeder:
    def __init__(self, *, seed: int, today: date, stdout):
        self.seed, self.stdout = seed, stdout
        self.today = today.toordinal()
        self.days, self.stamps = _Days(), _Stamps()
        self.clock = _Clock(self.days)
        self.leads = sorted(settings.DEADLINE_REMINDER_DAYS)
        self.routes: dict[tuple, _Routes] = {}
        self.missing = {kind: set(PATHS[kind]) for kind in PATHS}
        self.counters = dict(ReferenceCounter.objects.values_list("key", "last_value"))
        self.open_psc: set[int] = set()
        self.started = time.perf_counter()

    # --- Loading and planning -------------------------------------------------------------------------

    def _load(self) -> None:
        """Every entry of an importer with a Center, and the pools of entries each kind may use."""
        self.ace = dict(Center.objects.values_list("pk", "ace_id"))
        importers = Importer.objects.filter(center__isnull=False)
        self.importers = {
            pk: (ior, name) for pk, ior, name in importers.values_list("pk", "ior_number", "name")
        }
        self.staff = defaultdict(list)
        staff = User.objects.filter(role__in=STAFF_ROLES, center__isnull=False, is_active=True).order_by("pk")
        for pk, center_id in staff.values_list("pk", "center_id"):
            self.staff[center_id].append(pk)
        rows = (
            Entry.objects.filter(importer__center__isnull=False, entry_date__lte=self.days[self.today])
            .order_by("pk")
            .values_list(*ENTRY_FIELDS)
        )
        clock, today = self.clock, self.today
        self.entries, self.any_pool, self.pic_pool = [], [], []
        self.protest_pool, self.exclusion_pool, self.psc_pool = [], [], []
        for row in rows.iterator(chunk_size=20_000):
            pk, importer, center, port, entered, imported = row[:6]
            scheduled, liquidated, status, extension, review, reliquidated = row[6:]
            idx, entered, imported = len(self.entries), entered.toordinal(), imported.toordinal()
            decided = liquidated.toordinal() if liquidated and status in LIQUIDATED else None
            act = CaseEntry.Act.RELIQUIDATION if reliquidated else CaseEntry.Act.LIQUIDATION
            self.entries.append((pk, importer, center, port, entered, imported, decided, act.value))
            self.any_pool.append((idx, entered, min(today, entered + 400)))
            if imported <= today:
                self.pic_pool.append(
                    (idx, imported, min(today, clock(deadlines.pic_filing_deadline, imported)[1]))
                )
            if decided is not None:
                closes = min(today, clock(deadlines.protest_filing_deadline, decided)[1])
                if clock.opens(decided) <= closes:
                    self.protest_pool.append((idx, clock.opens(decided), closes))
            elif status in NOT_LIQUIDATED and scheduled is not None and not review:
                # No PSC while the summary is under CBP review (19 CFR 101.9(b)(1)).
                if pk % EXCLUSION_EVERY == 0:
                    closes = min(today, clock(deadlines.protest_filing_deadline, imported)[1])
                    if clock.opens(imported) <= closes:
                        self.exclusion_pool.append((idx, clock.opens(imported), closes))
                elif scheduled.toordinal() > entered:
                    # As intake: only an extension the importer asked for lifts the 300-day cap.
                    extension = extension and status == LiquidationStatus.EXTENDED
                    due = clock.psc_closes(entered, scheduled.toordinal(), extension)
                    if entered <= min(due, today):
                        self.psc_pool.append((idx, entered, min(due, today)))
        # Entries of one importer by decision date, so one protest can cover neighbouring entries.
        self.by_importer = defaultdict(list)
        for item in sorted(self.protest_pool, key=lambda p: p[1]):
            self.by_importer[self.entries[item[0]][E_IMPORTER]].append(item)
        self.position = {item[0]: n for items in self.by_importer.values() for n, item in enumerate(items)}

    def _plan(self, count: int) -> list[tuple]:
        """(filed, n, kind, entry indexes, category, exclusion) per case, in filing order."""
        rng = random.Random(f"{self.seed}:cases:plan")
        pools = {K.PROTEST: self.protest_pool, K.PSC: self.psc_pool, K.PIC: self.pic_pool,
                 K.CF28: self.any_pool, K.CF29: self.any_pool}  # fmt: skip
        shares = [(kind, share) for kind, share in KIND_SHARES if pools[kind]]
        total = sum(share for _, share in shares)
        picks, used, cumulative, done = [], set(), 0.0, 0
        for kind, share in shares:
            cumulative += share / total
            quota = round(cumulative * count) - done
            done += quota
            pool = pools[kind]
            order = _order(rng, len(pool), quota)
            excl_order = _order(rng, len(self.exclusion_pool), quota) if kind == K.PROTEST else []
            for n in range(quota):
                if kind == K.PROTEST and self.exclusion_pool and rng.random() < EXCLUSION_SHARE:
                    idx, lo, hi = self.exclusion_pool[excl_order[n % len(excl_order)]]
                    chosen, category, lo, hi = self._protest_entries(rng, idx, lo, hi, used, single=True)
                    picks.append((rng.randint(lo, hi), len(picks), kind, chosen, category, True))
                    continue
                idx, lo, hi = pool[order[n % len(order)]]
                if kind == K.PROTEST:
                    chosen, category, lo, hi = self._protest_entries(rng, idx, lo, hi, used)
                    picks.append((rng.randint(lo, hi), len(picks), kind, chosen, category, False))
                    continue
                if kind == K.PSC:
                    # Most corrections come within weeks of entry.
                    filed = lo + int(rng.expovariate(1 / 25))
                    filed = filed if filed <= hi else rng.randint(lo, hi)
                elif kind == K.PIC:
                    filed = rng.randint(lo, hi)
                else:
                    filed = max(lo, hi - int(rng.expovariate(1 / ISSUED_DAYS_AGO)))
                picks.append((filed, len(picks), kind, (idx,), "", False))
        picks.sort()
        return picks

    def _protest_entries(self, rng, idx: int, lo: int, hi: int, used: set, *, single: bool = False):
        """One to three entries of one importer, with overlapping protest windows, free in one category.

        One protest per entry and category of merchandise (19 U.S.C. 1514(c)(1)): an entry protested
        again takes the next category.
        """
        number = 0
        while (idx, number) in used:
            number += 1
        chosen = [idx]
        wanted = 1 if single else rng.choices((1, 2, 3), cum_weights=(70, 90, 100))[0]
        if wanted > 1:
            siblings = self.by_importer[self.entries[idx][E_IMPORTER]]
            at = self.position[idx]
            for step in (1, -1, 2, -2, 3, -3):
                if len(chosen) == wanted:
                    break
                if 0 <= at + step < len(siblings):
                    other, other_lo, other_hi = siblings[at + step]
                    if (other, number) not in used and max(lo, other_lo) <= min(hi, other_hi):
                        chosen.append(other)
                        lo, hi = max(lo, other_lo), min(hi, other_hi)
        used.update((other, number) for other in chosen)
        category = CATEGORIES[number] if number < len(CATEGORIES) else f"Lot {number}"
        return tuple(chosen), category, lo, hi

    # --- Building ------------------------------------------------------------------------------------

    def run(self, count: int) -> int:
        self._load()
        if not self.entries:
            self._say("no entries of importers with a Center: no demo cases created")
            return 0
        picks = self._plan(count)
        self._lap(f"planned {len(picks):,} cases")
        self.case_start = _reserve_ids(Case, len(picks))
        self.protestant_id = self.protestant_start = _reserve_ids(Protestant, 0)
        rng = random.Random(f"{self.seed}:cases:build")
        tty = self.stdout is not None and getattr(self.stdout, "isatty", lambda: False)()
        with tqdm(
            total=len(picks), desc="cases", unit=" cases", disable=not tty, leave=False, mininterval=1
        ) as bar:
            for start in range(0, len(picks), CHUNK):
                self.rows = {model: [] for model in COLUMNS}
                self.psc_specs = []
                for offset, pick in enumerate(picks[start : start + CHUNK], start=start):
                    self._build(rng, self.case_start + offset, pick)
                self._psc_rows()
                for model, rows in self.rows.items():
                    if rows:
                        insert_rows(model, COLUMNS[model], rows)
                bar.update(len(picks[start : start + CHUNK]))
        if self.protestant_id > self.protestant_start:
            _release_ids(Protestant, self.protestant_id - 1)
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(key=key, last_value=value) for key, value in sorted(self.counters.items())],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["last_value"],
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in COLUMNS))
        self._lap(f"wrote {len(picks):,} cases")
        return len(picks)

    def _build(self, rng, case_id: int, pick: tuple) -> None:
        filed, _, kind, indexes, category, exclusion = pick
        entry = self.entries[indexes[0]]
        staff = self.staff.get(entry[E_CENTER])
        case = _Draft(case_id, kind, filed, entry, rng.choice(staff) if staff else None)
        if kind == K.PROTEST:
            self._protest(rng, case, indexes, category, exclusion)
        elif kind == K.PSC:
            # An entry holds one correction in progress: a later one on it has already been closed.
            self._walk(rng, case, must_close=entry[E_ID] in self.open_psc)
            self._psc(rng, case)
        elif kind == K.PIC:
            self._walk(rng, case)
            self._pic(rng, case)
        else:
            self._request(rng, case)
        self._decision(rng, case)
        self._deadlines(case)
        self._events(rng, case)

    def _walk(
        self, rng, case: "_Draft", *, deemed=None, start=None, answerable=True, must_close=False
    ) -> None:
        """Walk the case along a path of the transition table, a day for each move in [start, today].

        deemed: (deadline kind, day) of a deemed-denial clock; start: the first day of a move (a request
        for accelerated disposition finds the protest open).
        """
        kind, today = case.kind, self.today
        filed = case.filed if start is None else start
        deem_kind, deemed_on = deemed if deemed is not None else (None, None)
        # The sweep deems denied once the law has (deadlines.is_deemed_denied, on day numbers).
        deemable = deemed_on is not None and deadlines.is_deemed_denied(deem_kind, deemed_on, today)
        key = (kind, deemable, answerable, must_close or deemable)
        routes = self.routes.get(key)
        if routes is None:
            routes = self.routes[key] = _Routes(*key)
        # The first cases of each kind take the final statuses not seen yet, so every one appears.
        missing = [s for s in routes.paths if s in self.missing[kind]]
        if missing:
            target = min(missing)
            self.missing[kind].discard(target)
        else:
            age = today - filed
            share = next(share for limit, share in OPEN_SHARE[kind] if limit is None or age < limit)
            want_open = routes.open and (not routes.closed or rng.random() < share)
            names, cum = (routes.open, routes.open_cum) if want_open else (routes.closed, routes.closed_cum)
            target = names[bisect(cum, rng.random() * cum[-1])]
        paths, cum = routes.paths[target], routes.path_cum[target]
        path = paths[0] if len(paths) == 1 else paths[bisect(cum, rng.random() * cum[-1])]
        moves, mean = len(path) - 1, MOVE_DAYS[kind]
        if S.DEEMED_DENIED in path:
            at = path.index(S.DEEMED_DENIED) - 1
            days = _move_days(rng, mean, filed, deemed_on, at)
            days.append(deemed_on)
            days += _move_days(rng, mean, deemed_on, today, moves - at - 1)
        elif deemable:
            # Decided or withdrawn in time, before the deemed denial would have happened.
            first_closed = next(n for n, s in enumerate(path[1:]) if s not in OPEN_STATUSES)
            last_in_time = (
                deemed_on if deadlines.decision_in_time(deem_kind, deemed_on, deemed_on) else deemed_on - 1
            )
            days = _move_days(rng, mean, filed, last_in_time, first_closed + 1)
            days += _move_days(rng, mean, days[-1], today, moves - first_closed - 1)
        else:
            days = _move_days(rng, mean, filed, today, moves)
        case.path, case.days, case.status = path, days, path[-1]
        case.is_open = case.status in OPEN_STATUSES
        for status, day in zip(path[1:], days, strict=True):
            if status not in OPEN_STATUSES:
                # A decision is always the move that closes a case; a withdrawal closes without one.
                case.closed_on = day
                if status in DECISION_STATUSES:
                    case.outcome = status
                break
        case.version += moves
        if case.handler is not None and (kind in (K.CF28, K.CF29) or not case.is_open or rng.random() < 0.5):
            case.assignee = case.handler
            if kind not in (K.CF28, K.CF29):  # issuing a CF-28/29 assigns it to the issuer, unrecorded
                case.version += 1
                on = days[0] if days else rng.randint(filed, today)
                case.events.append((on, 1, case.handler, "assignee", "", "", "", INTERNAL))

    def _protest(self, rng, case: "_Draft", indexes, category: str, exclusion: bool) -> None:
        days, rows, clock, filed = self.days, self.rows, self.clock, case.filed
        mailed = deemed = None
        if exclusion:
            decisions = [self.entries[i][E_IMPORTED] for i in indexes]
            deemed = (
                DeadlineKind.EXCLUSION_DEEMED_DENIAL,
                clock(deadlines.exclusion_deemed_denial, filed)[1],
            )
        else:
            decisions = [self.entries[i][E_DECIDED] for i in indexes]
            if rng.random() < ACCELERATED_SHARE:
                # A later action, mailed only after 90 days following the filing (19 U.S.C. 1515(b)).
                opens = deadlines.accelerated_disposition_opens_on(days[filed]).toordinal()
                mailed = opens + int(rng.expovariate(1 / 20))
                if mailed <= self.today:
                    due = clock(deadlines.accelerated_disposition_deemed_denial, mailed)[1]
                    deemed = (DeadlineKind.ACCELERATED_DISPOSITION, due)
                else:
                    mailed = None
        self._walk(rng, case, deemed=deemed, start=mailed)
        case.deadlines.append(clock(deadlines.protest_amendment_deadline, max(decisions)))
        if mailed:
            deadline = clock(deadlines.accelerated_disposition_deemed_denial, mailed)
            case.deadlines.append(deadline)
            case.started[deadline[0]] = mailed
            case.version += 1
            message = f"Accelerated disposition requested by mail on {days[mailed]}."
            case.events.append(
                (mailed, 1, None, "accelerated_disposition", "", str(days[mailed]), message, SHARED)
            )
        if exclusion:
            case.deadlines.append(clock(deadlines.exclusion_deemed_denial, filed))

        center, until = case.entry[E_CENTER], case.closed_on or self.today
        afr = not exclusion and rng.random() < AFR_SHARE
        afr_status, afr_decided_on, office, review_center = "not_requested", None, "", None
        if afr:
            afr_status = "requested"
            deadline = clock(deadlines.further_review_decision_due, filed)
            case.deadlines.append(deadline)
            on = filed + rng.randint(3, 45)
            if on <= until:
                afr_status = "granted" if rng.random() < 0.6 else "refused"
                afr_decided_on, case.version = on, case.version + 1
                case.preset[deadline[0]] = MET if on <= deadline[1] else MISSED
                if afr_status == "granted":
                    office = "headquarters" if rng.random() < 0.5 else "center_reviewer"
                    review_center = center if office == "center_reviewer" else None
                message = f"Further review {afr_status}."
                case.events.append(
                    (on, 2, case.handler, "further_review", "requested", afr_status, message, SHARED)
                )
        description = rng.choice(DESCRIPTIONS.get(self.ace.get(center), DESCRIPTIONS["CEE010"]))
        rows[ProtestDetail].append(
            (case.id, category, description, "", exclusion, days[mailed] if mailed else None,
             days[filed] if afr else None, afr_status, rng.choice("abcd") if afr else "",
             AFR_JUSTIFICATION if afr else "", days[afr_decided_on] if afr_decided_on else None, office,
             review_center)
        )  # fmt: skip
        decision = "exclusion" if exclusion else "liquidation"
        active = case.status != S.WITHDRAWN  # a withdrawn protest frees its entries
        for idx, decision_on in zip(indexes, decisions, strict=True):
            entry_id, act = self.entries[idx][E_ID], self.entries[idx][E_ACT]
            act = CaseEntry.Act.SEPARATE.value if exclusion else act
            rows[CaseEntry].append(
                (case.id, entry_id, K.PROTEST, category, decision, act, days[decision_on], active)
            )

        # The protestant (the importer, or another person of 19 CFR 174.12), sometimes a second one
        # joined (174.15), and their objections.
        if rng.random() < 0.8:
            person = (*self.importers[case.entry[E_IMPORTER]], "importer")
        else:
            person = (f"{rng.randrange(10**8):08d}SU", SURETY, rng.choice(("surety", "payer", "other")))
        filers = [(self.protestant_id, person, filed, False)]
        window_closes = clock(deadlines.protest_filing_deadline, min(decisions))[1]
        join_by = min(window_closes, until if case.closed_on is None else until - 1)
        last_filed = filed
        # No joiner beside a request for accelerated disposition, whose 90 days run from the last filing.
        if rng.random() < JOINED_SHARE and filed <= join_by and not mailed:
            joined_on = rng.randint(filed, join_by)
            filers.append(
                (self.protestant_id + 1, (f"{rng.randrange(10**8):08d}XX", SURETY, "surety"), joined_on, True)
            )
            case.version += 1
            message = "Protested the same entries and category: deemed one protest (19 CFR 174.15)."
            case.events.append((joined_on, 3, None, "joined", "", SURETY, message, SHARED))
            last_filed = joined_on
        # 19 CFR 174.21(a): the 2 years run from the last protest joined.
        case.deadlines.append(clock(deadlines.protest_decision_target, last_filed))
        pool = (EXCLUSION_OBJECTION,) if exclusion else OBJECTIONS
        count = rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]
        if S.ALLOWED_IN_PART in case.path:
            count = max(count, 2)  # an allowance in part allows some objections and denies others
        number = 0
        for protestant_id, (identifier, name, role), on, joined in filers:
            rows[Protestant].append(
                (
                    protestant_id,
                    case.id,
                    identifier,
                    name,
                    role,
                    "" if joined else rng.choice(BROKERS),
                    days[on],
                    joined,
                )
            )
            for _ in range(count if not joined else 1):
                number += 1
                decision, text, justification = rng.choice(pool)
                result, why = OBJECTION_OUTCOMES.get((case.outcome, number == 1), ("", ""))
                rows[Objection].append(
                    (case.id, number, decision, text, justification, days[on], protestant_id, result, why)
                )
        self.protestant_id += len(filers)
        case.message = f"Protest filed by {person[1]} covering {len(indexes)} entry(ies)."

    def _psc(self, rng, case: "_Draft") -> None:
        entry_id = case.entry[E_ID]
        if case.is_open:
            self.open_psc.add(entry_id)
        self.rows[CaseEntry].append((case.id, entry_id, K.PSC, "", "", "", None, case.is_open))
        code, explanation = rng.choice(PSC_REASONS)
        self.rows[PscDetail].append((case.id, entry_id, code, explanation))
        self.psc_specs.append((case.id, entry_id, code, rng.random(), rng.choice((0.8, 0.9, 1.1, 1.25))))
        case.message = f"Reason {code}: {explanation}"

    def _pic(self, rng, case: "_Draft") -> None:
        entry_id = case.entry[E_ID]
        self.rows[CaseEntry].append((case.id, entry_id, K.PIC, "", "", "", None, True))
        agreement = AGREEMENTS[bisect(AGREEMENT_CUM, rng.random() * AGREEMENT_CUM[-1])][0]
        certificate = f"Certification of origin {rng.randrange(10**6):06d}: originating under {agreement}."
        self.rows[PicDetail].append((case.id, entry_id, agreement, certificate))
        case.message = f"1520(d) claim under {agreement}."

    def _request(self, rng, case: "_Draft") -> None:
        """A CBP Form 28 or 29, its answer date and, for an unanswered CF-28, the sweep's overdue flag."""
        kind, filed, days, entry_id = case.kind, case.filed, self.days, case.entry[E_ID]
        proposed = kind == K.CF28 or rng.random() < 0.7
        self._walk(rng, case, answerable=proposed)
        self.rows[CaseEntry].append((case.id, entry_id, kind, "", "", "", None, True))
        if S.ANSWERED in case.path:
            case.answered_on = case.days[case.path.index(S.ANSWERED) - 1]
        answer = "Documents attached as requested." if case.answered_on else ""
        answered = days[case.answered_on] if case.answered_on else None
        due = flagged = None
        if proposed:
            function = deadlines.cf28_response_due if kind == K.CF28 else deadlines.cf29_response_due
            deadline = self.clock(function, filed)
            case.deadlines.append(deadline)
            case.due = due = deadline[1]
            if kind == K.CF28 and due + 1 <= self.today and (not case.days or case.days[0] > due + 1):
                # The hourly sweep flags a request still unanswered on the day after its due date.
                flagged = due + 1
                case.preset[deadline[0]] = MISSED
                message = f"No answer by {days[due]}; CBP may decide on the information it has."
                case.events.append((flagged, 4, None, "overdue", "", deadline[0], message, INTERNAL))
            elif case.answered_on is not None:
                # The answer settles its deadline, whatever the case's status.
                case.preset[deadline[0]] = MET if case.answered_on <= due else MISSED
        if kind == K.CF28:
            flagged_on = days[flagged] if flagged else None
            self.rows[InformationRequest].append(
                (case.id, entry_id, QUESTIONS, days[due], answer, answered, flagged_on)
            )
            case.message = f"Answer due {days[due]}."
            return
        action_kind = "proposed" if proposed else "taken"
        self.rows[NoticeOfAction].append(
            (case.id, entry_id, action_kind, ACTION, days[due] if due else None, answer, answered)
        )
        case.message = f"Action {action_kind}" + (f"; answer due {days[due]}." if due else ".")

    def _decision(self, rng, case: "_Draft") -> None:
        """The decision row, and the court deadline it starts (statutory_deadlines reads it only then)."""
        outcome = case.outcome
        if outcome is None:
            return
        decided_on, notice = case.closed_on, None
        refund, decided_by = None, case.handler
        if outcome == S.DEEMED_DENIED:
            rule = next(kind for kind in DEEMED_DENIAL_RULES if kind in {d[0] for d in case.deadlines})
            reasons, decided_by = (
                f"Deemed denied on {self.days[decided_on]}: {DEEMED_DENIAL_RULES[rule]}.",
                None,
            )
            case.preset[rule.value] = MET  # the sweep marks the clock that deemed it denied as met
        else:
            reasons = REASONS[outcome]
            if outcome in (S.ALLOWED, S.ALLOWED_IN_PART):
                refund = Decimal(rng.randrange(10_000, 5_000_000)).scaleb(-2)
            # A denial, or for a protest a denial in part, is mailed (19 CFR 174.30(a), 174.31(a)).
            if outcome == S.DENIED or (outcome == S.ALLOWED_IN_PART and case.kind == K.PROTEST):
                notice = min(decided_on + rng.choice((0, 0, 1, 2, 3)), self.today)
        case.reasons = reasons
        days = self.days
        self.rows[Decision].append(
            (
                case.id,
                outcome,
                days[decided_on],
                decided_by,
                reasons,
                refund,
                days[notice] if notice else None,
            )
        )
        if case.kind == K.PROTEST and case.status in (S.DENIED, S.ALLOWED_IN_PART, S.DEEMED_DENIED, S.CLOSED):
            if outcome in (S.DENIED, S.ALLOWED_IN_PART):
                case.deadlines.append(self.clock(deadlines.court_deadline_after_denial, notice))
            elif outcome == S.DEEMED_DENIED:
                case.deadlines.append(self.clock(deadlines.court_deadline_after_deemed_denial, decided_on))

    def _deadlines(self, case: "_Draft") -> None:
        """Deadline rows in the states refresh_deadlines and the sweeps leave them; the next deadline."""
        days, out = self.days, self.rows[CaseDeadline]
        next_due = next_kind = None
        for kind, due, citation, rule, warnings, period_ends_on in case.deadlines:
            state, reminded = case.preset.get(kind), None
            if kind == COURT:
                state = RUNNING  # the importer's clock: it runs on after the case closes
            elif state is None and not case.is_open:
                state = _state_after_outcome(kind, due, case)
            elif state is None:
                state = RUNNING
                reminded = self._reminded_on(due, case.started.get(kind, case.filed))
            if case.is_open and kind in QUEUE_KINDS and state in (RUNNING, MISSED):
                if next_due is None or (due, kind) < (next_due, next_kind):
                    next_due, next_kind = due, kind
            out.append((case.id, kind, days[due], citation, rule, warnings, period_ends_on, state, reminded))
        case.next_due, case.next_kind = next_due, next_kind or ""

    def _reminded_on(self, due: int, filed: int) -> date | None:
        """The last reminder the sweep sent for a deadline running since filing, or None."""
        days, leads, reminded = self.days, self.leads, None
        # The sweep reminds at most on the day each lead time's window opens (or on filing).
        for day in sorted({max(filed, due - lead) for lead in leads}):
            if day <= self.today and reminder_owed(days[due], reminded, days[day], leads):
                reminded = days[day]
        return reminded

    def _events(self, rng, case: "_Draft") -> None:
        """The timeline (the filing, a status event per move, the rest in order) and the case row."""
        kind, days, stamps, filed = case.kind, self.days, self.stamps, case.filed
        issued = kind in (K.CF28, K.CF29)
        events = case.events
        events.append(
            (filed, 0, case.handler if issued else None, "issued" if issued else "filed", "", case.path[0],
             case.message, SHARED)
        )  # fmt: skip
        moves = TRANSITIONS[kind]
        for old, new, on in zip(case.path[:-1], case.path[1:], case.days, strict=True):
            actor = case.handler if moves[old][new] == "staff" else None
            if new == case.outcome:
                note = case.reasons
            elif new == S.ANSWERED:
                late = case.due is not None and on > case.due
                note = f"Answered on {days[on]}" + (
                    f", after the due date {days[case.due]}." if late else "."
                )
            else:
                note = NOTES.get(new, "")
            events.append((on, 5, actor, "status", old, new, note, SHARED))
        events.sort(key=_event_order)
        out = self.rows[CaseEvent]
        for n, (on, _, actor, event_kind, old, new, message, visibility) in enumerate(events):
            out.append(
                (case.id, stamps[on] + timedelta(minutes=n), actor, event_kind, old, new, message, visibility)
            )

        port = case.entry[E_PORT]
        year = days[filed].year % 100
        key = f"{kind}:{port}:{year:02d}"
        serial = self.counters[key] = self.counters.get(key, 0) + 1
        self.rows[Case].append(
            (case.id, f"{REFERENCE_PREFIX[kind]}{port}-{year:02d}-{serial:06d}", kind, case.status,
             case.is_open, case.entry[E_CENTER], port, case.entry[E_IMPORTER], case.assignee, days[filed],
             case.handler if issued else None, days[case.next_due] if case.next_due else None, case.next_kind,
             False, "", case.version, stamps[filed], stamps[events[-1][0]] + timedelta(minutes=len(events)))
        )  # fmt: skip

    def _psc_rows(self) -> None:
        """The corrected summary of each PSC: its entry's lines, one of them changed."""
        if not self.psc_specs:
            return
        lines = defaultdict(list)
        wanted = sorted({spec[1] for spec in self.psc_specs})
        for start in range(0, len(wanted), 5000):
            for entry_id, *line in (
                EntryLine.objects.filter(entry_id__in=wanted[start : start + 5000])
                .order_by("entry_id", "line_number")
                .values_list("entry_id", "line_number", "hts_number", "entered_value", "duty")
            ):
                lines[entry_id].append(line)
        out = self.rows[PscLine]
        cent = Decimal("0.01")
        for case_id, entry_id, code, pick, factor in self.psc_specs:
            found = lines.get(entry_id) or [(1, "8479899599", Decimal("1000.00"), Decimal("25.00"))]
            changed = int(pick * len(found))
            for n, (number, hts, value, duty) in enumerate(found):
                if n == changed:
                    if code == "CLASS":  # another ten-digit number in the same subheading
                        hts = hts[:6] + ("9000" if hts[6:] != "9000" else "1000")
                    else:
                        value = (value * Decimal(factor)).quantize(cent) if value else Decimal("100.00")
                    duty = (duty * Decimal(factor)).quantize(cent)
                out.append((case_id, number, hts, value, duty))

    def _say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(f"    {message}")

    def _lap(self, what: str) -> None:
        now = time.perf_counter()
        self._say(f"{what}: {now - self.started:.1f} s")
        self.started = now


def _move_days(rng: random.Random, mean: int, start: int, last: int, count: int) -> list[int]:
    """Days of `count` successive moves after `start`, none after `last`."""
    days, day = [], start
    for _ in range(count):
        later = day + int(rng.expovariate(1 / mean))
        day = later if later <= last else rng.randint(day, last)
        days.append(day)
    return days


def _order(rng: random.Random, size: int, wanted: int) -> list[int]:
    """Positions in a pool for `wanted` picks: each once while the pool lasts, then round again."""
    if wanted <= size:
        return rng.sample(range(size), wanted)
    order = list(range(size))
    rng.shuffle(order)
    return order


def _event_order(event: tuple) -> tuple[int, int]:
    return event[0], event[1]


def _state_after_outcome(kind: str, due: int, case: "_Draft") -> str:
    """What became of a running deadline when the case closed: the clock's own rule, on day numbers."""
    decided_on = case.closed_on if case.outcome is not None else None
    return settled_state(kind, due, answered_on=case.answered_on, decided_on=decided_on, today=case.closed_on)


def _reserve_ids(model, count: int) -> int:
    """The first id of a range of `count` ids nobody else will take (tables are locked)."""
    table = model._meta.db_table
    if connection.vendor != "postgresql":
        return (model.objects.aggregate(highest=Max("id"))["highest"] or 0) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), "
            f"nextval(pg_get_serial_sequence('{table}', 'id')))"
        )
        start = cursor.fetchone()[0]
    if count:
        _release_ids(model, start + count - 1)
    return start


def _release_ids(model, last_id: int) -> None:
    """Point the table's sequence after the last id written."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [max(last_id, 1)])
