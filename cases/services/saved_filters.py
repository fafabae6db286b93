"""Saved queue filters: a user names the queue's current filter, privately or shared with their Center."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict

from cee_portal.users.models import User

from ..exceptions import CaseError, NotAllowed
from ..filters import CaseQueueFilter
from ..models import Case, SavedQueueFilter

MAX_NAME_LENGTH = SavedQueueFilter._meta.get_field("name").max_length
MAX_QUERY_LENGTH = SavedQueueFilter._meta.get_field("query").max_length


def _clean_query(actor: User, query: str) -> str:
    """Only the FilterSet's own names, with values it accepts; the page cursor is never saved."""
    given = QueryDict(query)
    kept = QueryDict(mutable=True)
    for name in CaseQueueFilter.base_filters:
        values = [v for v in given.getlist(name) if v.strip()]
        if values:
            kept.setlist(name, values)
    filterset = CaseQueueFilter(data=kept, queryset=Case.objects.none(), user=actor)
    if not filterset.is_valid():
        raise CaseError({name: list(messages) for name, messages in filterset.errors.items()})
    filterset.qs  # noqa: B018 - the filter methods refuse unknown Centers and people here
    encoded = kept.urlencode()
    if len(encoded) > MAX_QUERY_LENGTH:
        raise CaseError({"query": f"This filter is too long to save (over {MAX_QUERY_LENGTH} characters)."})
    return encoded


@transaction.atomic
def save_queue_filter(*, actor: User, name: str, query: str, shared: bool = False) -> SavedQueueFilter:
    """Save the queue's filter under a name (the same name replaces it); shared: with the actor's Center."""
    if actor is None or not actor.is_authenticated or not actor.is_active or not actor.is_cbp_staff:
        raise NotAllowed("Only CBP staff save queue filters.")
    name = " ".join(name.split())
    if not name:
        raise CaseError({"name": "Give the filter a name."})
    if len(name) > MAX_NAME_LENGTH:
        raise CaseError({"name": f"Keep the name to {MAX_NAME_LENGTH} characters (it has {len(name)})."})
    if shared and actor.center_id is None:
        raise CaseError(
            {"shared": "You work nationally, with no Center to share with: save the filter for yourself."}
        )
    try:
        cleaned = _clean_query(actor, query)
    except CaseError:
        raise
    except ValidationError as error:  # a filter method's refusal (unknown Center or person) names its field
        messages = error.message_dict if hasattr(error, "error_dict") else {"query": error.messages}
        raise CaseError(messages) from error
    saved, _ = SavedQueueFilter.objects.update_or_create(
        owner=actor,
        name=name,
        defaults={"query": cleaned, "shared_with_id": actor.center_id if shared else None},
    )
    return saved


@transaction.atomic
def delete_queue_filter(saved: SavedQueueFilter, *, actor: User) -> None:
    """Delete a saved filter: its owner only (colleagues who see a shared one cannot remove it)."""
    if actor is None or saved.owner_id != actor.pk:
        raise NotAllowed(f"Only its owner deletes the saved filter {saved.name!r}.")
    saved.delete()
