"""The portal's home page: for now the importer accounts the user acts for, with their open cases.

The full home (issue 13, item 1) replaces the body of this page; its URL, name and access rule stay.
"""

from django.db.models import Count, Q
from django.shortcuts import render

from importers.permissions import visible_importers

from ..access import trade_only


@trade_only
def home(request):
    accounts = (
        visible_importers(request.user)
        .select_related("center")
        .annotate(open_cases=Count("cases", filter=Q(cases__is_open=True)))
        .order_by("name", "pk")
    )
    return render(request, "portal/home.html", {"accounts": accounts})
