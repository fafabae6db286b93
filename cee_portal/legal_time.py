"""The one source of legal dates, below every app.

Filing dates, decisions, effective dates of account moves and history rows are dates in law: CBP
fixes them in one time zone (US Eastern, where ACE sets its cutoffs; ``settings.LEGAL_TIME_ZONE``),
whatever the server's or the user's zone. Code asks here for "today" and for the date of a moment;
services that record a dated act take that date as an argument, so tests inject it.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_LEGAL_TIME_ZONE = "America/New_York"


def legal_date(moment: datetime, tz: str = DEFAULT_LEGAL_TIME_ZONE) -> date:
    """Return the date of an aware moment in the legal time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"legal_date needs a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(ZoneInfo(tz)).date()


def legal_today() -> date:
    """Today in the legal time zone (the wall clock read in exactly one place)."""
    from django.conf import settings
    from django.utils import timezone

    return legal_date(timezone.now(), getattr(settings, "LEGAL_TIME_ZONE", DEFAULT_LEGAL_TIME_ZONE))
