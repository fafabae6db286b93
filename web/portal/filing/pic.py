"""File a post-importation preference claim (19 U.S.C. 1520(d)) under an agreement of the reference list."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from cases.exceptions import CaseError
from cases.services import file_pic
from cee_portal.legal_time import legal_today

from ...access import trade_only
from .common import Refused, file_and_confirm, filing_account, refused
from .dates import entry_windows
from .errors import apply_refusal
from .forms import PicForm

FIELDS = {"agreement": "agreement", "certificate_of_origin": "certificate_of_origin", "filing_token": None}


@trade_only
def pic(request, ior: str):
    try:
        account = filing_account(request.user, ior, "pic")
    except Refused as exc:
        return refused(request, exc.message)
    data = request.POST if request.method == "POST" else None
    form = PicForm(data, user=request.user, account=account)
    windows, entry = [], None
    if data is not None:
        valid = form.is_valid()
        entry = form.cleaned_data.get("entry")
        windows = entry_windows(entry, kind="pic", today=legal_today()) if entry else []
        if valid and "file" in data:
            try:
                return file_and_confirm(
                    request,
                    form,
                    action="pic",
                    filing=lambda: file_pic(
                        actor=request.user,
                        entry=form.cleaned_data["entry"],
                        agreement=form.cleaned_data["agreement"],
                        certificate_of_origin=form.cleaned_data["certificate_of_origin"],
                    ),
                )
            except CaseError as exc:
                number = form.cleaned_data["entry"].formatted_number
                apply_refusal(exc, form, fields=FIELDS, rows=[(number, form)])
            except PermissionDenied as exc:
                return refused(request, str(exc))
    context = {"account": account, "form": form, "windows": windows, "kind": "pic", "entry": entry}
    return render(request, "portal/filing/pic.html", context)
