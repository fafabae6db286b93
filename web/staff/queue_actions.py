"""The queue's writes and its header search: bulk claim / assign / unassign, saved filters.

Each action: POST -> check the shape -> one service call per case (cases.services.assign_case,
which checks the policy itself) -> back to the queue with what was done and what was refused, and
why. A refusal of one case does not undo the others (each assignment is its own transaction).
"""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases.exceptions import CaseError, NotAllowed
from cases.selectors import MAX_PAGE_SIZE, cases_by_reference, queue_choices, saved_queue_filter
from cases.services import assign_case
from cases.services.saved_filters import delete_queue_filter, save_queue_filter

from ..access import staff_only

ACTIONS = {"claim": "Claimed", "assign": "Assigned", "unassign": "Unassigned"}


def _back(request) -> str:
    """Back to the queue the form was posted from (same filters and page), never off the site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("staff:queue")


def _reason(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


@staff_only
@require_POST
def bulk(request):
    """Claim, assign or unassign the selected cases, each through assign_case and its policy."""
    user = request.user
    action = request.POST.get("action", "")
    references = list(dict.fromkeys(r.strip() for r in request.POST.getlist("case") if r.strip()))
    if action not in ACTIONS:
        messages.error(request, "Choose what to do with the selected cases: claim, assign or unassign.")
        return redirect(_back(request))
    if not references:
        messages.error(request, "Select at least one case (the boxes in the first column), then choose.")
        return redirect(_back(request))
    if len(references) > MAX_PAGE_SIZE:
        messages.error(request, f"Select at most {MAX_PAGE_SIZE} cases at once (you sent {len(references)}).")
        return redirect(_back(request))
    assignee = None
    if action == "claim":
        assignee = user
    elif action == "assign":
        username = request.POST.get("assignee", "")
        assignee = next((p for p in queue_choices(user).people if p.username == username), None)
        if assignee is None:
            messages.error(request, "Choose the person to assign the selected cases to.")
            return redirect(_back(request))
    found = cases_by_reference(user, references)
    done, refused = [], []
    for reference in references:
        case = found.get(reference)
        if case is None:
            refused.append((reference, "no such case, or not one you may see."))
            continue
        try:
            # A claim takes only cases nobody holds: the queue was read before a colleague's claim.
            assign_case(case, assignee=assignee, actor=user, unassigned_only=action == "claim")
        except (CaseError, NotAllowed) as error:
            refused.append((reference, _reason(error)))
        else:
            done.append(reference)
    verb = ACTIONS[action] + (f" to {assignee.username}" if action == "assign" else "")
    if done:
        messages.success(request, f"{verb}: {len(done)} of {len(references)} cases ({', '.join(done)}).")
    if refused:
        messages.error(
            request,
            f"Refused {len(refused)} of {len(references)}: "
            + "; ".join(f"{reference}: {why}" for reference, why in refused),
        )
    return redirect(_back(request))


@staff_only
@require_POST
def save_filter(request):
    """Save the queue's current filter by name, privately or shared with the user's Center."""
    query = request.POST.get("query", "")
    try:
        saved = save_queue_filter(
            actor=request.user,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except (CaseError, NotAllowed) as error:
        messages.error(request, f"The filter was not saved: {_reason(error)}")
        return redirect(_back(request))
    shared = " and shared it with your Center" if saved.shared_with_id else ""
    messages.success(request, f"Saved the filter {saved.name!r}{shared}.")
    return redirect(f"{reverse('staff:queue')}?{saved.query}")


@staff_only
@require_POST
def delete_filter(request, pk: int):
    saved = saved_queue_filter(request.user, pk)
    try:
        delete_queue_filter(saved, actor=request.user)
    except NotAllowed as error:
        messages.error(request, _reason(error))
    else:
        messages.success(request, f"Deleted the saved filter {saved.name!r}.")
    return redirect(_back(request))


@staff_only
@require_GET
def search(request):
    """The header search: a case reference opens the case; an entry number or prefix finds entries
    (a whole number that matches opens the entry page, which lists every case on it)."""
    text = request.GET.get("q", "").strip()
    if not text:
        messages.error(request, "Type a case reference (e.g. 2304-26-000123) or an entry number to search.")
        return redirect("staff:queue")
    found = cases_by_reference(request.user, [text, text.upper()])
    if found:
        return redirect("staff:case", reference=next(iter(found)))
    query = QueryDict(mutable=True)
    query["q"] = text
    return redirect(f"{reverse('staff:entry-search')}?{query.urlencode()}")
