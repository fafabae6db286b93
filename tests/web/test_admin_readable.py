"""The admin as administrators meet it: readable names, labels not codes, read-only pages without Save."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent
from cee_portal.operations.models import OutboxMessage, PeriodicJobRun
from importers.models import AccountAssignment, Center
from tests.factories import ImporterFactory, liquidated_entry, protest_input, staff_user, trade_user

pytestmark = pytest.mark.django_db

OUR_APPS = ("users", "operations", "importers", "cases")
# English plurals that a bare "+s" gets wrong: "entrys", "mixs", "matchs", "classs".
NAIVE_PLURAL = re.compile(r"([^aeiou]ys|xs|chs|shs|ss s|sss)$")


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_model_has_a_readable_name_plural_and_str(model):
    assert not NAIVE_PLURAL.search(str(model._meta.verbose_name_plural)), model._meta.verbose_name_plural
    assert model.__str__ is not models.Model.__str__, f"{model._meta.label} would show as 'object (N)'"


def test_the_names_administrators_asked_for():
    from cases.models import CaseEntry, NoticeOfAction
    from importers.models import ImporterMonthlyMix

    assert CaseEntry._meta.verbose_name_plural == "case entries"
    assert NoticeOfAction._meta.verbose_name_plural == "notices of action (CF-29)"
    assert ImporterMonthlyMix._meta.verbose_name_plural == "importer monthly mixes"


@pytest.fixture
def protest(db) -> Case:
    importer = ImporterFactory(center_ace_id="CEE009")
    return services.file_protest(
        actor=trade_user(importer),
        importer=importer,
        **protest_input([liquidated_entry(importer, dt.date(2026, 6, 1))]),
        filed_on=dt.date(2026, 6, 2),
    ).case


def test_case_page_shows_deadline_and_case_entry_names_not_codes_or_object_ids(admin_client, protest):
    page = admin_client.get(reverse("admin:cases_case_change", args=[protest.pk])).content.decode()
    assert "Protest decision: two-year target" in page
    assert "protest_decision_target" not in page
    assert "object (" not in page
    assert "Case entries" in page


def test_deadline_list_filters_and_shows_labels(admin_client, protest):
    url = reverse("admin:cases_casedeadline_changelist")
    page = admin_client.get(url).content.decode()
    assert "Last day to sue in the Court of International Trade" in page  # the filter's choices
    assert ">protest_decision_target<" not in page
    filtered = admin_client.get(url, {"kind": "protest_decision_target"})
    assert [d.kind for d in filtered.context["cl"].result_list] == ["protest_decision_target"]


def test_status_changes_in_the_timeline_show_status_labels(admin_client, protest):
    services.transition_case(protest, to="under_review", actor=staff_user("CEE009"))
    event = CaseEvent.objects.get(case=protest, kind="status")
    page = admin_client.get(reverse("admin:cases_caseevent_change", args=[event.pk])).content.decode()
    assert "Received → Under review" in page


def test_assignment_figures_render_as_a_table_not_json(admin_client, protest):
    importer = protest.importer
    AccountAssignment.objects.create(
        importer=importer,
        from_center=Center.objects.get(ace_id="CEE010"),
        to_center=importer.center,
        reason="computed",
        effective_on=dt.date(2026, 6, 1),
        figures={
            "basis": "lines",
            "volume": "25",
            "by_center": {"CEE009": "20", "CEE010": "5"},
            "shares": {"CEE009": "80.0", "CEE010": "20.0"},
            "margin_points": 10.0,
            "lead_points": "60.0",
        },
    )
    page = admin_client.get(reverse("admin:importers_importer_change", args=[importer.pk])).content.decode()
    assert "<table class='figures'>" in page
    assert "<th scope='row'>Volume in the window</th><td>25</td>" in page
    assert "<th scope='row'>CEE009</th><td>20</td><td>80.0 %</td>" in page
    assert '{"basis"' not in page and "&quot;basis&quot;" not in page
    assert "Computed from the commodity mix" in page


def _save_button(admin_client, url) -> bool:
    response = admin_client.get(url)
    assert response.status_code == 200, url
    return 'name="_save"' in response.content.decode()


def test_read_only_pages_offer_no_save_button(admin_client, protest):
    message = OutboxMessage.objects.create(topic="test", payload={})
    PeriodicJobRun.objects.create(name="drain-outbox")
    event = CaseEvent.objects.filter(case=protest).first()
    deadline = protest.deadlines.first()
    read_only = [
        reverse("admin:cases_case_change", args=[protest.pk]),
        reverse("admin:cases_caseevent_change", args=[event.pk]),
        reverse("admin:cases_casedeadline_change", args=[deadline.pk]),
        reverse("admin:operations_outboxmessage_change", args=[message.pk]),
        reverse("admin:operations_periodicjobrun_change", args=["drain-outbox"]),
    ]
    assert [url for url in read_only if _save_button(admin_client, url)] == []
    # Editable pages keep theirs.
    assert _save_button(admin_client, reverse("admin:importers_importer_change", args=[protest.importer.pk]))


def test_every_fully_read_only_admin_refuses_change(rf, admin_user_):
    """An admin whose every field is read only must say so, or Django shows a useless Save button."""
    request = rf.get("/admin/")
    request.user = admin_user_
    offenders = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_change_permission(request):
            continue
        editable = {f.name for f in model._meta.fields if f.editable and not f.auto_created}
        if editable and editable <= set(model_admin.get_readonly_fields(request)) and not model_admin.inlines:
            offenders.append(model._meta.label)
    assert offenders == []
