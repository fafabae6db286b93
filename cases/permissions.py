"""Who may see and do what with cases: the one place for these rules.

Visibility: `Case.objects.visible_to(user)` (the account rule of importers.permissions, applied to
cases). CBP staff see every case (national visibility is the point of the CEE model); importer
users see the cases of the accounts they are members of; a broker the cases of the kinds its
firm's live delegations cover. Everything else answers 404, the same as a missing case.

Acting: only the owning Center's staff act on a case (national supervisors and administrators
anywhere); the filer side acts for the importer accounts it belongs to; the system (sweeps) acts
with no user. Who makes which status move is the transition table's third column
(cases.models.TRANSITIONS); the predicates below answer for one user and one case, and pages, the
API and services call them instead of testing roles. A visible case the user may not act on
answers 403 (cases.exceptions.NotAllowed); an invisible one 404.

This module imports the models, never the reverse.
"""

from django.shortcuts import get_object_or_404

from cee_portal.users.models import User
from importers.permissions import NATIONAL_ROLES, can_file_for, center_staff_q, is_center_staff

from .models import Actor, Case, CaseKind

__all__ = [
    "can_assign",
    "can_claim",
    "can_close",
    "can_decide",
    "can_decide_further_review",
    "can_file_for",
    "can_issue_requests",
    "can_make_move",
    "can_answer",
    "can_add_documents",
    "can_amend",
    "can_post_message",
    "can_record_accelerated_disposition",
    "can_suspend",
    "can_view_case",
    "can_view_internal",
    "can_withdraw",
    "center_staff_q",
    "get_case_for_user_or_404",
    "is_center_staff",
]

# Who assigns a case to someone else (claiming for oneself is any Center staff member's right).
ASSIGNERS = NATIONAL_ROLES


def get_case_for_user_or_404(user: User, pk: int) -> Case:
    """Fetch a case the user may see; a forbidden case and a missing case both raise Http404."""
    return get_object_or_404(Case.objects.visible_to(user), pk=pk)


def can_view_case(user: User | None, case: Case) -> bool:
    """May this user open the case (the `visible_to` rule, for one row)?"""
    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


def can_view_internal(user: User | None) -> bool:
    """See internal notes and internal timeline events: CBP staff only, never the portal."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_cbp_staff)


def can_make_move(user: User | None, case: Case, who: str) -> bool:
    """May this user (None: the system) make a move reserved for `who` (staff, filer, system)?"""
    if who == Actor.SYSTEM:
        return user is None
    if who == Actor.STAFF:
        return is_center_staff(user, case.center_id)
    if who == Actor.FILER:
        return can_file_for(user, case.importer, case.kind)
    return False


def can_assign(user: User | None, case: Case, assignee: User | None) -> bool:
    """Staff claim cases of their Center for themselves; supervisors assign within their Center."""
    if not is_center_staff(user, case.center_id):
        return False
    if assignee is None or assignee == user:
        return True
    return user.role in ASSIGNERS and is_center_staff(assignee, case.center_id)


def can_claim(user: User | None, case: Case) -> bool:
    """Take an open case for oneself."""
    return case.is_open and can_assign(user, case, user)


def can_decide(user: User | None, case: Case) -> bool:
    """Allow, allow in part, deny, accept or reject: the moves the table gives the owning Center."""
    return case.is_open and can_make_move(user, case, Actor.STAFF)


def can_suspend(user: User | None, case: Case) -> bool:
    """Suspend or resume review: the owning Center's staff."""
    return can_make_move(user, case, Actor.STAFF)


def can_close(user: User | None, case: Case) -> bool:
    """Close a decided case, or a CF-28/CF-29: the owning Center's staff."""
    return can_make_move(user, case, Actor.STAFF)


def can_issue_requests(user: User | None, center_id: int | None) -> bool:
    """CF-28 and CF-29 are issued by the staff of the Center that owns the account (19 CFR 151.11, 152.2)."""
    return is_center_staff(user, center_id)


def can_record_accelerated_disposition(user: User | None, case: Case) -> bool:
    """Request accelerated disposition, or record the certified-mail date of a request (19 CFR 174.22).

    The protestant mails the request (the portal and the API file it for them); the owning Center's
    staff record one that came by mail.
    """
    return (
        case.kind == CaseKind.PROTEST
        and case.is_open
        and (is_center_staff(user, case.center_id) or can_make_move(user, case, Actor.FILER))
    )


def can_decide_further_review(user: User | None, case: Case) -> bool:
    """Grant or refuse an application for further review (19 CFR 174.25-.26): the owning Center."""
    return case.kind == CaseKind.PROTEST and is_center_staff(user, case.center_id)


def can_amend(user: User | None, case: Case) -> bool:
    """Add objections or arguments to a protest (19 CFR 174.14, 174.28): the filer side."""
    return case.kind == CaseKind.PROTEST and can_make_move(user, case, Actor.FILER)


def can_answer(user: User | None, case: Case) -> bool:
    """Answer a CF-28 or object to a proposed CF-29: the filer side of the account."""
    return case.kind in {CaseKind.CF28, CaseKind.CF29} and can_make_move(user, case, Actor.FILER)


def can_withdraw(user: User | None, case: Case) -> bool:
    """Withdraw a filing before decision: the filer side (protests, PSCs, 1520(d) claims)."""
    return case.kind in {CaseKind.PROTEST, CaseKind.PSC, CaseKind.PIC} and can_make_move(
        user, case, Actor.FILER
    )


def can_add_documents(user: User | None, case: Case) -> bool:
    """Attach documents to a case: the owning Center's staff, and the filer side (importer users;
    brokers under a live delegation of the case's kind)."""
    return can_make_move(user, case, Actor.STAFF) or can_make_move(user, case, Actor.FILER)


def can_post_message(user: User | None, case: Case) -> bool:
    """Write in a case's thread: the same two sides as documents."""
    return can_add_documents(user, case)
