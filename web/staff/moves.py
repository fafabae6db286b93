"""Account moves for supervisors (issue 12, item 7): pins, moves by hand, announced moves.

Thin views: reads through importers.selectors (and cases.selectors for the open cases an account
takes along), rights through importers.permissions, writes through importers.services, whose
pin_importer moves an account through the one move service (reassignment.move_account) with its
open cases. A refused act answers 403 (refusals.not_allowed); an account the user may not see, 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from cases.selectors import queue_counts
from cee_portal.legal_time import legal_today
from importers import selectors
from importers.permissions import can_edit_hts_rules, can_move_account, can_pin_account, can_run_reassignment
from importers.services import pin_importer, unpin_importer

from ..access import staff_only
from .move_forms import MoveForm, PinForm, UnpinForm
from .refusals import not_allowed

LIST_LIMIT = 200
WHO_MAY_PIN = (
    "Pinning, lifting a pin and moving an account by hand are supervisory decisions (81 FR 92978): "
    "a supervisor of the account's Center, a national supervisor or an administrator makes them."
)


@staff_only
@require_GET
def moves_home(request):
    user = request.user
    context = {
        "title": "Account moves",
        "announced": list(selectors.announced_moves(user)[:LIST_LIMIT]),
        "pinned": list(selectors.pinned_accounts(user)[:LIST_LIMIT]),
        "limit": LIST_LIMIT,
        "may_run": can_run_reassignment(user),
        "may_edit_rules": can_edit_hts_rules(user),
    }
    return TemplateResponse(request, "staff/moves/home.html", context)


@staff_only
@require_GET
def find_account(request):
    """The home page's account box: go to the account's moves page (or say it was not found)."""
    ior = request.GET.get("ior", "").strip()
    try:
        importer = selectors.account_detail(request.user, ior)
    except Http404:  # for a malformed number as for a missing one
        messages.error(request, f"No importer account {ior!r}: give an importer number such as 12-345678900.")
        return redirect("staff:moves")
    return redirect("staff:account_moves", ior=importer.ior_number)


def _account_page(request, importer, *, pin_form=None, unpin_form=None, move_form=None, status=200):
    user = request.user
    may_pin = can_pin_account(user, importer)
    open_cases = queue_counts(user, {"importer": importer.ior_number, "center": "all"}).total
    context = {
        "title": f"Account moves: {importer.name}",
        "importer": importer,
        "open_cases": open_cases,
        "pin_changes": list(importer.pin_changes.select_related("changed_by")[:20]),
        "may_pin": may_pin,
        "may_move": can_move_account(user, importer),
        "who_may_pin": WHO_MAY_PIN,
        "pin_form": pin_form or PinForm(),
        "unpin_form": unpin_form or UnpinForm(),
        "move_form": move_form
        or MoveForm(
            current_center_id=importer.center_id,
            initial={"from_center": importer.center.ace_id if importer.center else ""},
        ),
    }
    return TemplateResponse(request, "staff/moves/account.html", context, status=status)


@staff_only
@require_GET
def account_moves(request, ior: str):
    return _account_page(request, selectors.account_detail(request.user, ior))


@staff_only
@require_POST
def pin(request, ior: str):
    importer = selectors.account_detail(request.user, ior)
    if not can_pin_account(request.user, importer):
        return not_allowed(request, WHO_MAY_PIN)
    form = PinForm(request.POST)
    if not form.is_valid():
        return _account_page(request, importer, pin_form=form, status=400)
    try:
        pin_importer(
            importer,
            reason=form.cleaned_data["pin_reason"],
            note=form.cleaned_data["note"],
            actor=request.user,
            today=legal_today(),
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _account_page(request, importer, pin_form=form, status=400)
    messages.success(request, f"{importer.name} is pinned to its Center: automatic moves leave it alone.")
    return redirect("staff:account_moves", ior=importer.ior_number)


@staff_only
@require_POST
def unpin(request, ior: str):
    importer = selectors.account_detail(request.user, ior)
    if not can_pin_account(request.user, importer):
        return not_allowed(request, WHO_MAY_PIN)
    form = UnpinForm(request.POST)
    if not form.is_valid():
        return _account_page(request, importer, unpin_form=form, status=400)
    try:
        unpin_importer(importer, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        form.add_error(None, " ".join(error.messages))
        return _account_page(request, importer, unpin_form=form, status=400)
    messages.success(request, f"The pin on {importer.name} is lifted: the next run may move it by its mix.")
    return redirect("staff:account_moves", ior=importer.ior_number)


@staff_only
@require_POST
def move(request, ior: str):
    """Move by hand in two steps: the first POST shows what moves (open cases), the second moves."""
    user = request.user
    importer = selectors.account_detail(user, ior)
    if not can_move_account(user, importer):
        return not_allowed(request, WHO_MAY_PIN)
    form = MoveForm(request.POST, current_center_id=importer.center_id)
    if not form.is_valid():
        return _account_page(request, importer, move_form=form, status=400)
    shown_from = form.cleaned_data["from_center"]
    now_from = importer.center.ace_id if importer.center else ""
    if shown_from != now_from:
        form.add_error(
            None,
            f"The account moved to {now_from or 'no Center'} since this page was loaded "
            f"(it showed {shown_from or 'no Center'}): nothing was moved. Check and choose again.",
        )
        return _account_page(request, importer, move_form=form, status=409)
    to_center = form.cleaned_data["to_center"]
    if form.cleaned_data["confirm"] != "yes":
        context = {
            "title": f"Confirm the move of {importer.name}",
            "importer": importer,
            "form": form,
            "to_center": to_center,
            "open_cases": queue_counts(user, {"importer": importer.ior_number, "center": "all"}).total,
            "reason_label": dict(form.fields["pin_reason"].choices)[form.cleaned_data["pin_reason"]],
        }
        return TemplateResponse(request, "staff/moves/confirm_move.html", context)
    open_cases = queue_counts(user, {"importer": importer.ior_number, "center": "all"}).total
    try:
        pin_importer(
            importer,
            reason=form.cleaned_data["pin_reason"],
            note=form.cleaned_data["note"],
            actor=user,
            center=to_center,
            today=legal_today(),
            via="the account moves page",
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _account_page(request, importer, move_form=form, status=400)
    messages.success(
        request,
        f"{importer.name} moved to {to_center.ace_id} {to_center.name} with {open_cases} open "
        f"case{'' if open_cases == 1 else 's'}, and is pinned there.",
    )
    return redirect("staff:account_moves", ior=importer.ior_number)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)
