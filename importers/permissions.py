"""Who may see and do what with importer accounts, entries and reference data: the one place.

Visibility (one rule, `restrict_to_accounts`, reused for every object that hangs off an account:
importers, entries, cases): CBP staff see every account and entry (national visibility is the
point of the CEE model); importer users and brokers see the accounts they belong to and those
accounts' rows. A row outside the rule answers 404, the same as a missing one.

Rights: named predicates, `can_<verb>(user, object)`. Pages, the API and services call these and
never test roles themselves; DRF permission classes and view mixins are adapters over them.
Account moves follow 81 FR 92978: a manual move or pin is a supervisor's decision, recorded with a
reason; the HTS -> Center rules are reference data that only administrators change.
"""

from django.db.models import Q, QuerySet

from cee_portal.users.models import User

from .models import Entry, Importer

# Staff without a Center who act for every Center (national supervisors and administrators).
NATIONAL_ROLES = frozenset({User.Role.SUPERVISOR, User.Role.ADMIN})
# Staff who decide account moves and pins (81 FR 92978: supervisory decisions).
ACCOUNT_MOVERS = frozenset({User.Role.SUPERVISOR, User.Role.ADMIN})


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def restrict_to_accounts(queryset: QuerySet, user, *, importer_path: str) -> QuerySet:
    """Rows a user may see: all for CBP staff, the rows of the user's importer accounts for the trade."""
    if not _active(user):
        return queryset.none()
    if user.is_cbp_staff:
        return queryset
    prefix = f"{importer_path}__" if importer_path else ""
    queryset = queryset.filter(**{f"{prefix}memberships__user": user})
    scope = token_scope(user)
    if scope is not None:
        queryset = queryset.filter(**{f"{importer_path}_id" if importer_path else "pk": scope})
    return queryset


def token_scope(user) -> int | None:
    """The one account an API token scoped to an importer acts for (None: the user's every account)."""
    return getattr(user, "api_importer_id", None)


def visible_importers(user, queryset: QuerySet | None = None) -> QuerySet:
    """Importer accounts a user may see."""
    return restrict_to_accounts(
        Importer.objects.all() if queryset is None else queryset, user, importer_path=""
    )


def visible_entries(user, queryset: QuerySet | None = None) -> QuerySet:
    """Entries a user may see: those of the accounts the user may see."""
    return restrict_to_accounts(
        Entry.objects.all() if queryset is None else queryset, user, importer_path="importer"
    )


# --- Staff of a Center ----------------------------------------------------------------------------------


def is_center_staff(user, center_id: int | None) -> bool:
    """Staff of the Center, or national staff (supervisors and administrators without a Center)."""
    if not _active(user) or not user.is_cbp_staff:
        return False
    if user.center_id is None:
        return user.role in NATIONAL_ROLES
    return user.center_id == center_id


def center_staff_q(center_id: int) -> Q:
    """`is_center_staff` as a filter on users: who works for the Center, or nationally."""
    return Q(center_id=center_id) | Q(center__isnull=True, role__in=sorted(NATIONAL_ROLES))


# --- Rights on accounts and entries ------------------------------------------------------------------


def can_view_account(user, importer: Importer) -> bool:
    """May this user open the account (the `visible_importers` rule, for one row)?"""
    return visible_importers(user).filter(pk=importer.pk).exists()


def can_view_entry(user, entry: Entry) -> bool:
    """May this user open the entry (the `visible_entries` rule, for one row)?"""
    return visible_entries(user).filter(pk=entry.pk).exists()


def can_file_for(user, importer: Importer) -> bool:
    """May this user file on behalf of an importer account (its importer users and brokers)?"""
    if not _active(user) or not user.is_trade_user:
        return False
    scope = token_scope(user)
    if scope is not None and scope != importer.pk:
        return False
    return importer.memberships.filter(user=user).exists()


def can_pin_account(user, importer: Importer) -> bool:
    """Pin or unpin an account: supervisors of its Center, national supervisors, administrators."""
    return _active(user) and user.role in ACCOUNT_MOVERS and is_center_staff(user, importer.center_id)


def can_move_account(user, importer: Importer) -> bool:
    """Move an account to another Center by hand (a pinned move, 81 FR 92978): same as pinning."""
    return can_pin_account(user, importer)


def can_run_reassignment(user) -> bool:
    """Start a reassignment run or read tonight's preview: national supervisors and administrators."""
    return _active(user) and user.role in ACCOUNT_MOVERS and user.center_id is None


def can_edit_hts_rules(user) -> bool:
    """Change the HTS -> Center rules (reference data that moves accounts): administrators only."""
    return _active(user) and user.role == User.Role.ADMIN
