"""The dashboard (issue 12, item 8): per Center (the user's by default) or national.

One selector (cases.selectors.dashboard_summary) reads the newest precomputed figures in a fixed
number of queries (a direct count before the first refresh); this view only shapes them into SVG
charts (web/staff/charts.py), each drawn beside its table, and says when they were counted.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.models import CaseKind, CaseStatus
from cases.selectors import AGING_BUCKETS, dashboard_summary
from cee_portal.legal_time import legal_today
from importers.models import Center

from ..access import staff_only
from . import charts

NATIONAL = "all"
WORKLOAD_SHOWN = 15
# Ports per category in the uniformity view: those with the most decisions (a chart of 300 is unreadable).
PORTS_SHOWN = 12
OUTCOME_ORDER = ["allowed", "allowed_in_part", "accepted", "denied", "deemed_denied", "rejected"]


class DashboardForm(forms.Form):
    center = forms.ChoiceField(label="Center", required=False)

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = [(NATIONAL, "All Centers (national)")] + [
            (c.ace_id, f"{c.ace_id} {c.name}") for c in centers
        ]


@staff_only
@require_GET
def dashboard_page(request):
    user = request.user
    centers = list(Center.objects.order_by("ace_id"))
    default = user.center.ace_id if user.center_id else NATIONAL
    chosen = request.GET.get("center") or default
    form = DashboardForm({"center": chosen}, centers=centers)
    status = 200
    if not form.is_valid():
        # An unknown Center: say so beside the field and show the user's own dashboard.
        chosen, status = default, 400
    center = next((c for c in centers if c.ace_id == chosen), None)
    data = dashboard_summary(user, center)
    kinds, statuses = dict(CaseKind.choices), dict(CaseStatus.choices)
    by_kind = [(kinds.get(k, k), n) for k, n in sorted(data.counts.by_kind.items(), key=lambda i: -i[1])]
    by_status = [
        (statuses.get(s, s), n) for s, n in sorted(data.counts.by_status.items(), key=lambda i: -i[1])
    ]
    aging = [(f"{name} days", data.aging[name]) for name, _, _ in AGING_BUCKETS]
    weeks = [(f"{monday:%b} {monday.day}", n) for monday, n in data.throughput]
    workload = [
        (row["assignee__username"] or "Unassigned", row["open"]) for row in data.workload[:WORKLOAD_SHOWN]
    ]
    uniformity = []
    for category in data.uniformity:
        ports = category["ports"][:PORTS_SHOWN]
        rows = [(f"{p['port']} {p['name']}", p["outcomes"]) for p in ports]
        chart, stacked = charts.stacked_shares(rows, OUTCOME_ORDER)
        outcomes = [o for o in OUTCOME_ORDER if any(o in p["outcomes"] for p in ports)]
        uniformity.append(
            {
                **category,
                "chart": chart,
                "rows": stacked,
                "outcomes": [
                    (o, statuses.get(o, o), charts.OUTCOME_COLOURS.get(o, charts.OTHER_COLOUR))
                    for o in outcomes
                ],
                "table": [{**p, "cells": [p["outcomes"].get(o, 0) for o in outcomes]} for p in ports],
                "ports_more": len(category["ports"]) - len(ports),
            }
        )
    context = {
        "title": "Dashboard",
        "form": form,
        "center": center,
        "data": data,
        "by_kind": by_kind,
        "by_status": by_status,
        "kind_chart": charts.horizontal(by_kind),
        "status_chart": charts.horizontal(by_status),
        "aging": aging,
        "aging_chart": charts.vertical(aging),
        "weeks": weeks,
        "throughput_chart": charts.vertical(weeks, width=640),
        "weeks_total": sum(n for _, n in weeks),
        "workload": data.workload[:WORKLOAD_SHOWN],
        "workload_more": max(len(data.workload) - WORKLOAD_SHOWN, 0),
        "workload_chart": charts.horizontal(workload),
        "uniformity": uniformity,
        "refresh_minutes": settings.DASHBOARD_REFRESH_MINUTES,
        # Three missed refreshes: say so, rather than let old figures pass for current ones.
        "overdue_refresh": data.as_of is not None
        and timezone.now() - data.as_of > timedelta(minutes=3 * settings.DASHBOARD_REFRESH_MINUTES),
        "today": legal_today(),
    }
    return TemplateResponse(request, "staff/dashboard.html", context, status=status)
