import pytest
from django.urls import reverse

from importers import resolver
from importers.models import HtsRule, HtsRuleChange

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
