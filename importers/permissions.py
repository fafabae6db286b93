"""Who may see importer accounts and entries: the one visibility rule for each.

CBP staff see every account and entry (national visibility is the point of the CEE model);
importer users and brokers see the accounts they belong to and those accounts' rows. A row
outside the rule answers 404, the same as a missing one. Cases use the same rule
(cases.permissions.visible_cases).
"""

from django.db.models import QuerySet

from .models import Entry, Importer


def restrict_to_accounts(queryset: QuerySet, user, *, importer_path: str) -> QuerySet:
    """Rows a user may see: all for CBP staff, the rows of the user's importer accounts for the trade."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_cbp_staff:
        return queryset
    prefix = f"{importer_path}__" if importer_path else ""
    return queryset.filter(**{f"{prefix}memberships__user": user})


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
