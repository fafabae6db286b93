"""File once: a posted form's one-time token, stored with the case it filed (FilingReceipt).

A retried POST (double click, browser resend, proxy retry) carries the same token; it answers the
first filing's case instead of filing again. The token is a legal-act guard, not CSRF: it lives in
the filing form, is made when the form is first shown, and is unique in the database.
"""

import re
from collections.abc import Callable

from django.db import IntegrityError, transaction

from ..exceptions import CaseError
from ..models import Case, FilingReceipt

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@transaction.atomic
def file_once(token: str, *, actor, action: str, filing: Callable[[], Case]) -> tuple[Case, bool]:
    """Run `filing` once per token: (case, True) the first time, (the first case, False) after that.

    The receipt row is inserted before the filing runs: a concurrent post of the same token blocks on
    the unique index until the first commits, then finds its receipt. A refused filing (CaseError,
    NotAllowed) rolls the receipt back with the rest: nothing is written, the token stays usable.
    """
    if not TOKEN.fullmatch(token or ""):
        raise CaseError(
            {"filing_token": "This form has no valid filing token: reload the page and file again."},
            code="bad_token",
        )
    earlier = _earlier(token, actor)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            receipt = FilingReceipt.objects.create(token=token, action=action, filed_by=actor)
    except IntegrityError:
        # The same form, posted at the same moment, committed first.
        earlier = _earlier(token, actor)
        if earlier is None:
            raise
        return earlier, False
    case = filing()
    receipt.case = case
    receipt.save(update_fields=["case"])
    return case, True


def _earlier(token: str, actor) -> Case | None:
    receipt = FilingReceipt.objects.select_related("case").filter(token=token).first()
    if receipt is None:
        return None
    if receipt.filed_by_id != actor.pk:
        # Someone else's token (copied form): never reveal their case.
        raise CaseError(
            {"filing_token": "This form was already used by another user: reload the page."}, code="bad_token"
        )
    return receipt.case
