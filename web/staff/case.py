"""Placeholder for the case page (issue 12, item 3), so the queue can link to `staff:case`: the case
page's own file replaces this one whole."""

from django.http import HttpResponse

from cases.selectors import case_detail

from ..access import staff_only


@staff_only
def case(request, reference: str):
    found = case_detail(request.user, reference)
    return HttpResponse(f"Case {found.reference_number}", content_type="text/plain")
