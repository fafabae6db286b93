import pytest
from django.urls import reverse

from importers.models import HtsRule, HtsRuleChange
from importers.reference import resolver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "center",
        "district",
        "port",
        "htschapter",
        "htsrule",
        "htsrulechange",
        "headingcenter",
        "importer",
        "entry",
    ],
)
def test_reference_data_changelists_render(admin_client, model):
    response = admin_client.get(reverse(f"admin:importers_{model}_changelist"))
    assert response.status_code == 200


def test_port_search_and_filters(admin_client):
    response = admin_client.get(reverse("admin:importers_port_changelist"), {"q": "laredo"})
    assert "2304" in response.content.decode()
    response = admin_client.get(
        reverse("admin:importers_port_changelist"), {"kind": "port", "active__exact": "1"}
    )
    assert "336 ports" in response.content.decode()


def test_rule_edited_in_the_admin_takes_effect_without_restart(admin_client):
    rule = HtsRule.objects.get(prefix="8511")
    machinery = rule.center.__class__.objects.get(ace_id="CEE010")
    response = admin_client.post(
        reverse("admin:importers_htsrule_change", args=[rule.pk]),
        {"prefix": "8511", "center": machinery.pk, "basis": "assumed", "source": "test move"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert resolver.resolve_center("8511100000").ace_id == "CEE010"
    change = HtsRuleChange.objects.get()
    assert change.new_center == machinery and change.old_center.ace_id == "CEE003"


def test_admin_refuses_a_rule_prefix_that_is_not_a_chapter_or_heading(admin_client):
    machinery = HtsRule.objects.get(prefix="84").center
    response = admin_client.post(
        reverse("admin:importers_htsrule_add"),
        {"prefix": "847130", "center": machinery.pk, "basis": "assumed", "source": ""},
    )
    assert response.status_code == 200
    assert not HtsRule.objects.filter(prefix__startswith="8471").exists()


def test_entry_page_lists_its_cases(admin_client):
    import datetime as dt

    from cases import services
    from tests.factories import ImporterFactory, liquidated_entry, protest_input, trade_user

    importer = ImporterFactory()
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    case = services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    page = admin_client.get(reverse("admin:importers_entry_change", args=[entry.pk])).content.decode()
    assert case.reference_number in page


def test_moving_an_account_in_the_admin_needs_a_pin_and_takes_its_open_cases(admin_client):
    import datetime as dt

    from cases import services
    from importers.models import AccountAssignment, Center
    from tests.factories import ImporterFactory, liquidated_entry, protest_input, trade_user

    importer = ImporterFactory(center_ace_id="CEE009")
    case = services.file_protest(
        actor=trade_user(importer),
        importer=importer,
        **protest_input([liquidated_entry(importer, dt.date(2026, 6, 1))]),
        filed_on=dt.date(2026, 6, 2),
    ).case
    url = reverse("admin:importers_importer_change", args=[importer.pk])
    form = {
        "ior_number": importer.ior_number,
        "name": importer.name,
        "address": "",
        "center": Center.objects.get(ace_id="CEE010").pk,
        "pin_note": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }
    refused = admin_client.post(url, {**form, "pin_reason": ""})
    assert refused.status_code == 200 and "needs a pin reason" in refused.content.decode()
    importer.refresh_from_db()
    assert importer.center.ace_id == "CEE009"
    moved = admin_client.post(url, {**form, "pin_reason": "business_practice", "pin_note": "Agreed with OFO"})
    assert moved.status_code == 302, moved.content.decode()[:3000]
    importer.refresh_from_db()
    case.refresh_from_db()
    assert (importer.center.ace_id, importer.pin_reason, case.center.ace_id) == (
        "CEE010",
        "business_practice",
        "CEE010",
    )
    history = AccountAssignment.objects.get(importer=importer)
    assert (history.reason, history.from_center.ace_id, history.to_center.ace_id) == (
        "business_practice",
        "CEE009",
        "CEE010",
    )


def test_admin_pages_name_the_sites_icon(admin_client):
    """Without a link, browsers ask for /favicon.ico, which the site does not serve (a 404 in the console)."""
    pages = (reverse("admin:index"), reverse("admin:importers_port_changelist"))
    for response in (admin_client.get(page) for page in pages):
        assert response.status_code == 200
        assert 'rel="icon" href="/static/favicon' in response.content.decode()
        assert "CEE Portal administration" in response.content.decode()
