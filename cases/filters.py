"""The queue's one FilterSet: the staff queue page, the dashboard and the API's case list share it.

Every value is a public identifier (a Center's ACE id, a port code, an IOR, an entry number, a
username), never a database id. Defaults: open cases only, and for staff who belong to a Center
that Center's cases; `center=all` opens the national queue.
"""

from datetime import date

import django_filters as filters
from django.core.exceptions import ValidationError

from cee_portal.legal_time import legal_today
from cee_portal.users.models import User
from importers.identifiers import normalize_entry_number, normalize_ior
from importers.models import Center

from .models import CaseEntry, CaseKind, CaseQuerySet, CaseStatus, ProtestDetail

NATIONAL = "all"
MAX_DUE_WITHIN_DAYS = 3650
# Yes/no filters refuse anything else, where a BooleanFilter would silently ignore a typo.
YES_NO = [("true", "Yes"), ("false", "No")]


class CaseQueueFilter(filters.FilterSet):
    center = filters.CharFilter(
        method="filter_center", help_text="A Center's ACE id (CEE001-CEE010), or 'all' for the national queue"
    )
    port = filters.CharFilter(field_name="filing_port_id", help_text="4-digit port code of filing")
    district = filters.CharFilter(field_name="filing_port__district_id", help_text="2-digit district code")
    # distinct=False: these filter the case's own columns; django-filter's default DISTINCT would
    # sort every matching row before the LIMIT.
    kind = filters.MultipleChoiceFilter(choices=CaseKind.choices, distinct=False)
    state = filters.ChoiceFilter(
        method="filter_state",
        choices=[("open", "Open"), ("closed", "Closed"), ("any", "Open or closed")],
        help_text="Open by default; any when a status is chosen",
    )
    status = filters.MultipleChoiceFilter(choices=CaseStatus.choices, distinct=False)
    assignee = filters.CharFilter(
        method="filter_assignee", help_text="'me', 'unassigned', 'anyone' (the default) or a username"
    )
    importer = filters.CharFilter(method="filter_importer", help_text="Importer of record number")
    entry = filters.CharFilter(method="filter_entry", help_text="Entry number (with or without dashes)")
    due_within = filters.NumberFilter(
        method="filter_due_within", help_text="Next deadline within this many days (overdue included)"
    )
    overdue = filters.ChoiceFilter(
        method="filter_overdue", choices=YES_NO, help_text="Next deadline already passed (true/false)"
    )
    accelerated = filters.ChoiceFilter(
        method="filter_accelerated",
        choices=YES_NO,
        help_text="Accelerated disposition requested, 19 CFR 174.22 (true/false)",
    )
    further_review = filters.ChoiceFilter(
        field_name="protest__afr_status",
        choices=[c for c in ProtestDetail.AfrStatus.choices if c[0] != ProtestDetail.AfrStatus.NOT_REQUESTED],
        help_text="Application for further review: requested (awaiting decision), granted or refused",
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None, today=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user: User | None = user if user is not None else getattr(request, "user", None)
        self.today: date = today or legal_today()

    # --- Whole-filter rules: the defaults -------------------------------------------------------------

    def filter_queryset(self, queryset: CaseQuerySet) -> CaseQuerySet:
        data = self.form.cleaned_data
        if not data.get("center"):
            queryset = self._default_center(queryset)
        if not data.get("state") and not data.get("status"):
            queryset = queryset.open()
        return super().filter_queryset(queryset)

    def _default_center(self, queryset: CaseQuerySet) -> CaseQuerySet:
        """Staff of a Center see their Center's queue first; national staff and the trade see all theirs."""
        user = self.user
        if user is not None and getattr(user, "is_cbp_staff", False) and user.center_id is not None:
            return queryset.for_center(user.center_id)
        return queryset

    # --- One method per filter that needs more than a lookup -------------------------------------------

    def filter_center(self, queryset, name, value: str):
        value = value.strip().upper()
        if value == NATIONAL.upper():
            return queryset
        center = Center.objects.filter(ace_id=value).first()
        if center is None:
            raise ValidationError({"center": f"No Center {value!r}: give an ACE id CEE001-CEE010, or 'all'."})
        return queryset.for_center(center)

    def filter_state(self, queryset, name, value: str):
        return {"open": queryset.open, "closed": queryset.closed}.get(value, queryset.all)()

    def filter_assignee(self, queryset, name, value: str):
        value = value.strip()
        if value in {"", "anyone"}:
            return queryset
        if value == "unassigned":
            return queryset.unassigned()
        if value == "me":
            return queryset.assigned_to(self.user)
        # Only staff are assignees; looking among them alone also keeps the filter from telling
        # the importer side which usernames exist.
        person = User.objects.filter(username=value, role__in=sorted(User.STAFF_ROLES)).first()
        if person is None:
            raise ValidationError(
                {"assignee": f"No CBP staff user {value!r}: give 'me', 'unassigned', 'anyone' or a username."}
            )
        return queryset.assigned_to(person)

    def filter_importer(self, queryset, name, value: str):
        ior, _ = _normalized("importer", normalize_ior, value)
        return queryset.filter(importer__ior_number=ior)

    def filter_entry(self, queryset, name, value: str):
        number = _normalized("entry", normalize_entry_number, value)
        # A subquery, not a join: a case covering several entries must appear once, and the
        # (entry, case_kind) index of CaseEntry answers it.
        return queryset.filter(id__in=CaseEntry.objects.filter(entry__entry_number=number).values("case_id"))

    def filter_due_within(self, queryset, name, value):
        days = int(value)
        if value != days or not 0 <= days <= MAX_DUE_WITHIN_DAYS:
            raise ValidationError(
                {"due_within": f"Give a whole number of days from 0 to {MAX_DUE_WITHIN_DAYS}, not {value}."}
            )
        return queryset.due_within(days, today=self.today)

    def filter_overdue(self, queryset, name, value: str):
        if value == "true":
            return queryset.overdue(self.today)
        return queryset.exclude(next_deadline_on__lt=self.today)

    def filter_accelerated(self, queryset, name, value: str):
        # A request is recorded by its certified-mail date (19 CFR 174.22); non-protests match neither.
        return queryset.filter(
            protest__isnull=False, protest__accelerated_disposition_mailed_on__isnull=value != "true"
        )


def _normalized(field: str, normalize, value: str):
    try:
        return normalize(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
