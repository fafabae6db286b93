"""The portal's home (issue 13 item 1): the accounts the user acts for and what needs doing.

A broker (or a user of several accounts) picks one account with the switcher (?account=IOR); an
account the user does not act for answers 404 like a missing one.
"""

from django.shortcuts import render

from cases.models import CaseKind
from cases.selectors import portal_home
from importers.permissions import filing_kinds
from importers.selectors import my_delegations

from ..access import trade_only

# The filings an importer's side starts from an account, with their forms (web/portal/filing/).
FILINGS = (
    (CaseKind.PROTEST, "portal:filing:protest", "Protest"),
    (CaseKind.PSC, "portal:filing:psc", "Post summary correction"),
    (CaseKind.PIC, "portal:filing:pic", "1520(d) claim"),
)


@trade_only
def home(request):
    data = portal_home(request.user, request.GET.get("account") or None)
    allowed = filing_kinds(request.user, data.accounts)
    rows = [
        (account, [(url, label) for kind, url, label in FILINGS if kind in allowed.get(account.pk, ())])
        for account in data.accounts
    ]
    context = {"home": data, "delegations": my_delegations(request.user), "rows": rows}
    return render(request, "portal/home.html", context)
