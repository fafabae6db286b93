"""Who may see and do what with cases: the one place for these rules.

Visibility: CBP staff see every case (national visibility is the point of the CEE model);
importer users and brokers see the cases of the importer accounts they belong to. Everything
else answers 404, the same as a missing case.
Acting: only the owning Center's staff act on a case (national supervisors and administrators
anywhere); the filer side acts for the importer accounts it belongs to; the system (sweeps) acts
with no user.
"""

from django.db.models import QuerySet

from cee_portal.users.models import User
from importers.permissions import restrict_to_accounts

from .models import Actor, Case


def visible_cases(queryset: QuerySet, user: User | None) -> QuerySet:
    """Restrict a case queryset to what a user may see (the rule of importers.permissions)."""
    return restrict_to_accounts(queryset, user, importer_path="importer")


def get_case_for_user_or_404(user: User, pk: int) -> Case:
    """Fetch a case the user may see; a forbidden case and a missing case both raise Http404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Case.objects.visible_to(user), pk=pk)


def can_file_for(user: User | None, importer) -> bool:
    """May this user file on behalf of an importer account?"""
    if user is None or not user.is_active:
        return False
    return user.is_trade_user and importer.memberships.filter(user=user).exists()


def is_center_staff(user: User | None, center_id: int) -> bool:
    """Staff of the Center, or national staff (supervisors and administrators without a Center)."""
    if user is None or not user.is_active or not user.is_cbp_staff:
        return False
    if user.center_id is None:
        return user.role in {User.Role.SUPERVISOR, User.Role.ADMIN}
    return user.center_id == center_id


def can_make_move(user: User | None, case: Case, who: str) -> bool:
    """May this user (None: the system) make a move reserved for `who` (staff, filer, system)?"""
    if who == Actor.SYSTEM:
        return user is None
    if who == Actor.STAFF:
        return is_center_staff(user, case.center_id)
    if who == Actor.FILER:
        return can_file_for(user, case.importer)
    return False


def can_assign(user: User | None, case: Case, assignee: User | None) -> bool:
    """Staff claim cases of their Center for themselves; supervisors assign within their Center."""
    if not is_center_staff(user, case.center_id):
        return False
    if assignee is None or assignee == user:
        return True
    return user.role in {User.Role.SUPERVISOR, User.Role.ADMIN} and is_center_staff(assignee, case.center_id)


def can_issue_requests(user: User | None, center_id: int) -> bool:
    """CF-28 and CF-29 are issued by the staff of the Center that owns the account."""
    return is_center_staff(user, center_id)
