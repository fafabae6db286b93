"""Each user's choice of the case notices they receive by email (issue 13 item 6)."""

from django.db import transaction

from ..exceptions import CaseError
from ..models import NotificationPreference


@transaction.atomic
def set_notification_preferences(user, *, wanted: dict[str, bool]) -> NotificationPreference:
    """Turn each optional notice on or off for this user; a notice not named keeps its setting."""
    fields = NotificationPreference.optional_fields()
    unknown = sorted(set(wanted) - set(fields))
    if unknown:
        raise CaseError(
            {"wanted": f"No such notice: {', '.join(unknown)} (choose from {', '.join(fields)})."}
        )
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    for field, on in wanted.items():
        setattr(preference, field, bool(on))
    preference.save()
    return preference
