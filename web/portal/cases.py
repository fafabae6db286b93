"""The portal's case page (issue 13 items 1, 4, 5): status, deadlines, the shared timeline only,
documents and the message thread, with forms to upload a document and to write to the Center."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import services
from cases.deadlines import DeadlineKind
from cases.permissions import can_post_message
from cases.selectors import case_detail, case_documents, case_messages
from cee_portal.legal_time import legal_today

from ..access import trade_only
from ..staff.display import deadline_row
from .filing.actions import next_steps


class DocumentForm(forms.Form):
    prefix = "document"
    file = forms.FileField(
        label="Document",
        help_text="PDF, PNG, JPEG, TIFF, DOCX, XLSX, CSV or plain text; the type is read from the content.",
    )


class MessageForm(forms.Form):
    prefix = "message"
    body = forms.CharField(
        label="Message to the Center",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the message first: nothing was sent."},
    )
    file = forms.FileField(label="Attach a document (optional)", required=False)


def _page(request, reference, *, document_form=None, message_form=None, status=200):
    case = case_detail(request.user, reference)
    today = legal_today()
    context = {
        "case": case,
        "today": today,
        # The same rows as the Center's case page: days left in words, and for the Court's 180 days
        # rolled past a weekend or holiday the 180th day beside the deadline (USCIT Rule 6(a)(1)(C)).
        "deadlines": [deadline_row(d, today) for d in case.deadlines.all()],
        "court_kind": DeadlineKind.COURT_OF_INTERNATIONAL_TRADE,
        "next_steps": next_steps(request.user, case),
        "documents": case_documents(request.user, case),
        "thread": case_messages(request.user, case),
        "may_write": can_post_message(request.user, case),
        "document_form": document_form or DocumentForm(),
        "message_form": message_form or MessageForm(),
        "title": f"Case {case.reference_number}",
    }
    return render(request, "portal/case.html", context, status=status)


def _refuse(form, exc):
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or "You may not do this on this case.")
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@trade_only
def case_page(request, reference):
    return _page(request, reference)


@require_POST
@trade_only
def upload(request, reference):
    case = case_detail(request.user, reference)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.upload_document(
                actor=request.user, case=case, upload=form.cleaned_data["file"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, f"{document.original_name} was added to case {case.reference_number}.")
            return redirect("portal:case", reference=case.reference_number)
    return _page(request, reference, document_form=form, status=400)


@require_POST
@trade_only
def message(request, reference):
    case = case_detail(request.user, reference)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        files = [form.cleaned_data["file"]] if form.cleaned_data["file"] else []
        try:
            services.post_message(actor=request.user, case=case, body=form.cleaned_data["body"], files=files)
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Your message was sent to the Center.")
            return redirect("portal:case", reference=case.reference_number)
    return _page(request, reference, message_form=form, status=400)
