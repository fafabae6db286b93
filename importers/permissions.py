"""Who may see importer accounts and entries: the one visibility rule for each.

CBP staff see every account and entry (national visibility is the point of the CEE model);
importer users and brokers see the accounts they belong to and those accounts' entries. A row
outside the rule answers 404, the same as a missing one.
"""

from django.db.models import QuerySet

from .models import Entry, Importer


def visible_importers(user, queryset: QuerySet | None = None) -> QuerySet:
    """Importer accounts a user may see."""
    queryset = Importer.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_cbp_staff:
        return queryset
    return queryset.filter(memberships__user=user)


def visible_entries(user, queryset: QuerySet | None = None) -> QuerySet:
    """Entries a user may see: those of the accounts the user may see."""
    queryset = Entry.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_cbp_staff:
        return queryset
    return queryset.filter(importer__memberships__user=user)
