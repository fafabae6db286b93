"""Fetches for the API views, all through the selectors: a case by reference number, and the objects
a request body names (importer, port, entries, staff users), refused on their field when not found."""

from django.core.exceptions import ValidationError
from django.http import Http404

from cee_portal.users.models import User
from importers import selectors as importer_selectors

from .. import selectors
from ..exceptions import CaseError
from ..models import Case
from ..permissions import can_view_internal


def case_for(user, reference: str) -> Case:
    """The case page's fetch by reference number; a database id is no public identifier (404)."""
    if reference.strip().isdigit():
        raise Http404("No such case.")
    return selectors.case_detail(user, reference)


def context_for(request) -> dict:
    return {"internal": can_view_internal(request.user)}


def _named(field: str, fetch, value: str, message: str):
    try:
        return fetch(value)
    except (Http404, ValidationError):
        raise CaseError({field: message}) from None


def importer_named(user, ior: str, field: str = "importer"):
    return _named(
        field,
        lambda v: importer_selectors.account_detail(user, v),
        ior,
        f"No importer account {ior!r} among the accounts you may see.",
    )


def port_named(code: str, field: str = "filing_port"):
    return _named(field, importer_selectors.port_detail, code, f"No port {code!r}: give a 4-digit port code.")


def entry_named(user, number: str, field: str):
    return _named(
        field,
        lambda v: importer_selectors.entry_detail(user, v),
        number,
        f"No entry {number!r} among the entries you may see.",
    )


def entries_named(user, numbers: list[str], field: str) -> list:
    return [entry_named(user, number, f"{field}.{n}") for n, number in enumerate(numbers)]


def staff_named(username: str, field: str = "assignee") -> User:
    person = User.objects.filter(username=username, role__in=sorted(User.STAFF_ROLES), is_active=True).first()
    if person is None:
        raise CaseError({field: f"No CBP staff user {username!r}."})
    return person


def center_named(ace_id: str, field: str):
    return _named(field, importer_selectors.center_detail, ace_id, f"No Center {ace_id!r} (CEE001-CEE010).")


def case_entry(case: Case, user, number: str | None, field: str = "entry_number"):
    """An entry the case covers (its first when none is named)."""
    links = list(case.entry_links.all())
    if number is None:
        if not links:
            raise CaseError({field: f"Case {case.reference_number} covers no entry; name one."})
        return links[0].entry
    entry = entry_named(user, number, field)
    if entry.pk not in {link.entry_id for link in links}:
        raise CaseError(
            {field: f"Entry {entry.formatted_number} is not an entry of case {case.reference_number}."}
        )
    return entry


def document_of(user, case: Case, sha256: str):
    """A document of the case by its SHA-256 (the latest upload of those bytes), through the selector."""
    digest = (sha256 or "").strip().lower()
    for document in reversed(selectors.case_documents(user, case)):
        if document.sha256 == digest:
            return document
    raise Http404("No such document.")

