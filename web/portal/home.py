"""The portal's home (issue 13 item 1): the accounts the user acts for and what needs doing.

A broker (or a user of several accounts) picks one account with the switcher (?account=IOR); an
account the user does not act for answers 404 like a missing one.
"""

from django.shortcuts import render

from cases.selectors import portal_home
from importers.selectors import my_delegations

from ..access import trade_only


@trade_only
def home(request):
    data = portal_home(request.user, request.GET.get("account") or None)
    return render(request, "portal/home.html", {"home": data, "delegations": my_delegations(request.user)})
