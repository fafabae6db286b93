"""Reassignment runs and tonight's preview (issue 12, item 7); the HTS -> Center rule change page.

The preview is the plan `reassign_accounts --dry-run` makes (reassignment.plan_run, through
importers.selectors.tonight_preview): a page and a CSV, nothing moved, no job recorded. Runs are
ReassignmentJob rows; a running one's progress is a fragment htmx polls every few seconds and
stops polling once the fragment comes back finished. Rights: can_run_reassignment (national
supervisors and administrators) and can_edit_hts_rules (administrators).
"""

import csv

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cee_portal.downloads import private_download
from cee_portal.legal_time import legal_today
from importers import selectors, services
from importers.models import HtsRule
from importers.permissions import can_edit_hts_rules, can_run_reassignment
from importers.tasks import reassign_accounts_task

from ..access import staff_only
from .move_forms import HtsRuleForm
from .refusals import not_allowed

PREVIEW_SHOWN = 500
POLL_SECONDS = 3
WHO_MAY_RUN = (
    "Reassignment runs and tonight's preview are for national supervisors and administrators "
    "(81 FR 92978: moves across Centers are decided nationally)."
)
WHO_MAY_EDIT_RULES = "Only administrators change the HTS → Center rules (reference data that moves accounts)."


@staff_only
@require_GET
def preview(request):
    if not can_run_reassignment(request.user):
        return not_allowed(request, WHO_MAY_RUN)
    found = selectors.tonight_preview(today=legal_today())
    context = {"title": "Tonight's preview", "preview": found, "rows": found.rows[:PREVIEW_SHOWN]}
    context["shown"] = PREVIEW_SHOWN
    return TemplateResponse(request, "staff/moves/preview.html", context)


class _Echo:
    def write(self, value):
        return value


@staff_only
@require_GET
def preview_csv(request):
    """The preview as CSV: the same columns and rows as `reassign_accounts --dry-run --csv`."""
    if not can_run_reassignment(request.user):
        return not_allowed(request, WHO_MAY_RUN)
    today = legal_today()
    found = selectors.tonight_preview(today=today)
    writer = csv.writer(_Echo())
    lines = (
        writer.writerow(row) for row in [selectors.MoveRow.CSV_HEADER, *(r.as_csv() for r in found.rows)]
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return private_download(response, f"reassignment-preview-{today.isoformat()}.csv")


@staff_only
@require_GET
def runs(request):
    if not can_run_reassignment(request.user):
        return not_allowed(request, WHO_MAY_RUN)
    context = {"title": "Reassignment runs", "jobs": selectors.reassignment_jobs(), "poll": POLL_SECONDS}
    return TemplateResponse(request, "staff/moves/runs.html", context)


@staff_only
@require_POST
def start_run(request):
    """Queue a full run for the Celery workers (the nightly run's task), as of today's legal date."""
    if not can_run_reassignment(request.user):
        return not_allowed(request, WHO_MAY_RUN)

    reassign_accounts_task.delay(None, legal_today().isoformat())
    messages.success(request, "A full reassignment run is queued; it appears below once a worker starts it.")
    return redirect("staff:runs")


@staff_only
@require_GET
def run_detail(request, pk: int):
    if not can_run_reassignment(request.user):
        return not_allowed(request, WHO_MAY_RUN)
    job = selectors.reassignment_job(pk)
    context = {"title": f"Reassignment run {job.pk}", "job": job, "poll": POLL_SECONDS}
    return TemplateResponse(request, "staff/moves/run.html", context)


@staff_only
@require_GET
def run_progress(request, pk: int):
    """The progress fragment htmx swaps in; it carries the polling trigger only while running."""
    if not can_run_reassignment(request.user):
        return not_allowed(request, WHO_MAY_RUN)
    job = selectors.reassignment_job(pk)
    return TemplateResponse(request, "staff/moves/_run_progress.html", {"job": job, "poll": POLL_SECONDS})


@staff_only
@require_http_methods(["GET", "POST"])
def hts_rule(request):
    """Change an HTS -> Center rule: the first POST shows what it would move, the second saves it."""
    user = request.user
    if not can_edit_hts_rules(user):
        return not_allowed(request, WHO_MAY_EDIT_RULES)
    form = HtsRuleForm(
        request.POST if request.method == "POST" else None, initial={"prefix": request.GET.get("prefix", "")}
    )
    context = {
        "title": "Change an HTS → Center rule",
        "form": form,
        "rules": selectors.hts_rules(),
        "changes": selectors.hts_rule_changes(),
    }
    if request.method == "GET":
        return TemplateResponse(request, "staff/moves/hts_rule.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "staff/moves/hts_rule.html", context, status=400)
    prefix, center = form.cleaned_data["prefix"], form.cleaned_data["center"]
    rule = HtsRule.objects.filter(prefix=prefix).first()
    if rule is not None and rule.center_id == center.pk:
        form.add_error(
            "center", f"The rule for {prefix} already names {center.ace_id}: nothing would change."
        )
        return TemplateResponse(request, "staff/moves/hts_rule.html", context, status=400)
    if form.cleaned_data["confirm"] != "yes":
        context["preview"] = selectors.hts_rule_change_preview(prefix, center.pk, today=legal_today())
        context["center"] = center
        context["old_rule"] = rule
        return TemplateResponse(request, "staff/moves/hts_rule_confirm.html", context)
    old_center_id = rule.center_id if rule else None
    rule = rule or HtsRule(prefix=prefix)
    rule.center = center
    change = services.save_hts_rule(
        rule, actor=user, is_new=old_center_id is None, old_center_id=old_center_id
    )
    messages.success(
        request,
        f"HTS {prefix} now goes to {center.ace_id}: {change.headings_changed} heading(s) changed Center. "
        "Their entry lines are being re-resolved; the next reassignment run moves the accounts.",
    )
    return redirect("staff:hts_rule")
