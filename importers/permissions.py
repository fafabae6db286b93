"""Who may see and do what with importer accounts, entries and reference data: the one place.

Visibility (one rule, `restrict_to_accounts`, reused for every object that hangs off an account:
importers, entries, cases, documents, messages, delegations): CBP staff see every account and
entry (national visibility is the point of the CEE model); importer users see the accounts they
are members of and those accounts' rows; a broker sees what its firm's live delegations cover
(19 CFR 141.46: a broker acts under the importer's power of attorney): the delegating accounts,
and of their cases only the delegated kinds. "Live" is checked against the legal today when the
query runs, so an expired or revoked delegation stops access at once. A row outside the rule
answers 404, the same as a missing one.

Rights: named predicates, `can_<verb>(user, object)`. Pages, the API and services call these and
never test roles themselves; DRF permission classes and view mixins are adapters over them.
Account moves follow 81 FR 92978: a manual move or pin is a supervisor's decision, recorded with a
reason; the HTS -> Center rules are reference data that only administrators change.
"""

from django.db.models import Q, QuerySet

from cee_portal.legal_time import legal_today
from cee_portal.users.models import User

from .models import DELEGABLE_KINDS, BrokerDelegation, Entry, Importer

# Staff without a Center who act for every Center (national supervisors and administrators).
NATIONAL_ROLES = frozenset({User.Role.SUPERVISOR, User.Role.ADMIN})
# Staff who decide account moves and pins (81 FR 92978: supervisory decisions).
ACCOUNT_MOVERS = frozenset({User.Role.SUPERVISOR, User.Role.ADMIN})


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def live_delegations(user, today=None) -> QuerySet:
    """The delegations a broker acts under on a legal date (none for anyone else)."""
    if not _active(user) or user.role != User.Role.BROKER or user.broker_firm_id is None:
        return BrokerDelegation.objects.none()
    return BrokerDelegation.objects.filter(broker_firm_id=user.broker_firm_id).live(today or legal_today())


def restrict_to_accounts(
    queryset: QuerySet, user, *, importer_path: str, kind_path: str | None = None, today=None
) -> QuerySet:
    """Rows a user may see: all for CBP staff, their accounts' rows for importer users, and for a
    broker the rows its live delegations cover (`kind_path`, for rows of a case, also limits a
    broker to the delegated case kinds). Brokers' plain memberships give no access."""
    if not _active(user):
        return queryset.none()
    if user.is_cbp_staff:
        return queryset
    prefix = f"{importer_path}__" if importer_path else ""
    scope = token_scope(user)
    if scope is not None:
        # An API token scoped to one importer acts for that account only (issue 14 item 3).
        queryset = queryset.filter(**{f"{importer_path}_id" if importer_path else "pk": scope})
    if user.role == User.Role.IMPORTER:
        return queryset.filter(**{f"{prefix}memberships__user": user})
    if user.role != User.Role.BROKER:
        return queryset.none()
    live = live_delegations(user, today)
    importer_field = importer_path or "pk"
    if kind_path is None:
        return queryset.filter(**{f"{importer_field}__in": live.values("importer_id")})
    # One subquery per case kind: rows of that kind, of accounts whose live delegations name it.
    rule = Q()
    for kind in DELEGABLE_KINDS:
        rule |= Q(**{kind_path: kind, f"{importer_field}__in": live.covering(kind).values("importer_id")})
    return queryset.filter(rule)


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


def visible_delegations(user, queryset: QuerySet | None = None) -> QuerySet:
    """Delegations a user may see: staff all; importer users their accounts'; a broker its own firm's,
    of the accounts it still acts for."""
    rows = restrict_to_accounts(
        BrokerDelegation.objects.all() if queryset is None else queryset, user, importer_path="importer"
    )
    if _active(user) and user.role == User.Role.BROKER:
        rows = rows.filter(broker_firm_id=user.broker_firm_id)
    return rows


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


def can_file_for(user, importer: Importer, kind: str | None = None) -> bool:
    """May this user file on behalf of an importer account: its importer users, and brokers under a
    live delegation (of that case kind, when one is named)?"""
    if not _active(user) or not user.is_trade_user:
        return False
    scope = token_scope(user)
    if scope is not None and scope != importer.pk:
        return False
    if user.role == User.Role.IMPORTER:
        return importer.memberships.filter(user=user).exists()
    live = live_delegations(user).filter(importer=importer)
    return (live.covering(kind) if kind else live).exists()


def filing_kinds(user, importers) -> dict[int, frozenset[str]]:
    """For each account, the case kinds `can_file_for` lets this user file, in one query (the portal
    home's filing links): every kind for the account's importer users, the kinds of its live
    delegations for a broker; an account missing from the result allows none."""
    if not _active(user) or not user.is_trade_user:
        return {}
    ids = [importer.pk for importer in importers]
    scope = token_scope(user)
    if scope is not None:
        ids = [pk for pk in ids if pk == scope]
    if user.role == User.Role.IMPORTER:
        member_of = user.memberships.filter(importer_id__in=ids).values_list("importer_id", flat=True)
        return {pk: frozenset(DELEGABLE_KINDS) for pk in member_of}
    found: dict[int, set[str]] = {}
    for delegation in live_delegations(user).filter(importer_id__in=ids):
        found.setdefault(delegation.importer_id, set()).update(delegation.kinds)
    return {pk: frozenset(kinds) for pk, kinds in found.items()}


def delegation_for(user, importer: Importer, kind: str, today=None) -> BrokerDelegation | None:
    """The live delegation a broker acts under for this account and case kind (None: none, or no broker)."""
    return live_delegations(user, today).filter(importer=importer).covering(kind).order_by("pk").first()


def is_account_admin(user, importer: Importer) -> bool:
    """An importer user flagged as the account's administrator (invites and removes colleagues)."""
    return (
        _active(user)
        and user.role == User.Role.IMPORTER
        and importer.memberships.filter(user=user, is_account_admin=True).exists()
    )


def can_manage_people(user, importer: Importer) -> bool:
    """Invite and remove colleagues, grant and revoke broker delegations: the account's administrators."""
    return is_account_admin(user, importer)


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
