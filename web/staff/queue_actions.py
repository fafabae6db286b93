"""The queue's writes and its header search: bulk claim / assign / unassign, saved filters.

Each action: POST -> check the shape -> one service call per case (cases.services.assign_case,
which checks the policy itself) -> back to the queue with what was done and what was refused, and
why. A refusal of one case does not undo the others (each assignment is its own transaction).

Bulk actions carry each row's case version (`version-<reference>`) and the moment the queue was
made (`loaded_at`): a case changed since is refused with what changed (its events since then, its
status and assignee now), and only that case; a selection without its version is refused too.
"""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases.exceptions import CaseError, NotAllowed, StaleVersion
from cases.selectors import (
    MAX_PAGE_SIZE,
    case_events_since,
    cases_by_reference,
    queue_choices,
    saved_queue_filter,
)
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


def _moment(text: str):
    """The queue's `loaded_at`, or None when missing or not an aware timestamp (the events are then
    not listed; the refusal still says what the case is now)."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _what_changed(user, reference: str, seen: int, loaded_at) -> str:
    """Why a case changed since the queue was loaded is refused: its events since, and how it is now."""
    case = cases_by_reference(user, [reference])[reference]
    events = case_events_since(user, case, None, after=loaded_at) if loaded_at else []
    changes = "; ".join(
        f"{event}{f' by {event.actor.get_username()}' if event.actor else ''}" for event in events[-3:]
    )
    now = f"now {case.get_status_display().lower()}, " + (
        f"assigned to {case.assignee.get_username()}" if case.assignee else "unassigned"
    )
    return (
        f"changed since you loaded the queue (version {seen}, now {case.version}"
        + (f": {changes}" if changes else "")
        + f"); {now}. Nothing was done to it; reload the queue to act on it."
    )


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
    loaded_at = _moment(request.POST.get("loaded_at", ""))
    done, refused = [], []
    for reference in references:
        case = found.get(reference)
        if case is None:
            refused.append((reference, "no such case, or not one you may see."))
            continue
        seen = request.POST.get(f"version-{reference}", "")
        if not seen.isdigit():
            refused.append((reference, "the page did not say which version of it you saw; reload the queue."))
            continue
        try:
            # With the version the queue showed; and a claim takes only cases nobody holds, so a case
            # the queue showed as a colleague's is not taken over from the queue (the case page does).
            assign_case(
                case,
                assignee=assignee,
                actor=user,
                expected_version=int(seen),
                unassigned_only=action == "claim",
            )
        except StaleVersion:
            refused.append((reference, _what_changed(user, reference, int(seen), loaded_at)))
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
