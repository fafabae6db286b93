"""File a post summary correction (19 CFR 101.9(b)): the entry, reason, explanation and its lines."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from cases.exceptions import CaseError
from cases.services import PscLineInput, file_psc
from cee_portal.legal_time import legal_today

from ...access import trade_only
from .common import Refused, file_and_confirm, filing_account, refused
from .dates import entry_windows
from .errors import apply_refusal
from .forms import PscForm, PscLineFormSet
from .protest import _grow, quiet

FIELDS = {"explanation": "explanation", "filing_token": None}


@trade_only
def psc(request, ior: str):
    try:
        account = filing_account(request.user, ior, "psc")
    except Refused as exc:
        return refused(request, exc.message)
    today = legal_today()
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_line" in data:
        data = _grow(data, "lines")
    form = PscForm(data, user=request.user, account=account)
    lines = PscLineFormSet(data, prefix="lines")
    sections, windows, entry = {"lines": []}, [], None
    if data is not None:
        valid = all([form.is_valid(), lines.is_valid()])
        entry = form.cleaned_data.get("entry") if hasattr(form, "cleaned_data") else None
        windows = entry_windows(entry, kind="psc", today=today) if entry else []
        if not ({"file", "preview"} & set(data)):
            quiet(form, lines)
        elif valid and "file" in data:
            try:
                return file_and_confirm(
                    request,
                    form,
                    action="psc",
                    filing=lambda: file_psc(
                        actor=request.user,
                        entry=form.cleaned_data["entry"],
                        reason_code=form.cleaned_data["reason_code"],
                        explanation=form.cleaned_data["explanation"],
                        lines=[
                            PscLineInput(
                                r["line_number"], r["hts_number"], r["entered_value"], r["duty"] or 0
                            )
                            for r in (f.cleaned_data for f in lines.forms)
                            if r
                        ],
                    ),
                )
            except CaseError as exc:
                number = form.cleaned_data["entry"].formatted_number
                apply_refusal(exc, form, fields=FIELDS, sections=sections, rows=[(number, form)])
            except PermissionDenied as exc:
                return refused(request, str(exc))
    context = {"account": account, "form": form, "lines": lines, "sections": sections, "windows": windows}
    context.update(kind="psc", entry=entry)
    return render(request, "portal/filing/psc.html", context)
