"""What every filing page shares: the account filed for, the refusal page, the once-only filing."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cases.services import file_once
from importers.permissions import can_file_for
from importers.selectors import account_detail


class Refused(Exception):
    """The user sees the account or case but may not make this filing (answered 403)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def filing_account(user, ior: str, kind: str):
    """The account filed for, for one case kind. Invisible → 404 (selector); a broker whose live
    delegations for this account do not cover the kind gets 404 too, like a missing object (issue 13
    item 7: outside the delegation's case kinds is outside what the broker acts on)."""
    account = account_detail(user, ior)
    if not can_file_for(user, account, kind):
        raise Http404(f"No {kind} filing for this account.")
    return account


def refused(request, message: str) -> TemplateResponse:
    return TemplateResponse(request, "portal/filing/not_allowed.html", {"message": message}, status=403)


def file_and_confirm(request, form, *, action: str, filing):
    """File once per form token and redirect to the confirmation (POST/redirect/GET).

    A CaseError propagates to the caller, which puts it beside the fields; nothing was written.
    """
    case, first = file_once(
        form.cleaned_data["filing_token"], actor=request.user, action=action, filing=filing
    )
    if not first:
        messages.info(
            request, "This form was already submitted: here is what it filed; nothing was filed twice."
        )
    return redirect("portal:filing:filed", reference=case.reference_number)
