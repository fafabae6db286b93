"""The importer number typed in the admin: one rule with the feed (importers.identifiers)."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from importers.identifiers import normalize_ior
from importers.models import Importer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"), [("12-3456789-00", "12-345678900"), (" 98-7654321zz ", "98-7654321ZZ")]
)
def test_admin_importer_number_is_normalised_like_the_feed(admin_client, typed, stored):
    """Issue 9 item 11: one rule (importers.identifiers) for the admin and the feed."""
    response = admin_client.post(reverse("admin:importers_importer_add"), _importer_form(typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Importer.objects.get().ior_number == stored


def test_admin_refuses_a_wrong_importer_number_with_the_feeds_message(admin_client):
    with pytest.raises(ValidationError) as refused:
        normalize_ior("12-3456789-0")
    response = admin_client.post(reverse("admin:importers_importer_add"), _importer_form("12-3456789-0"))
    assert response.status_code == 200 and not Importer.objects.exists()
    assert refused.value.messages[0] in unescape(response.content.decode())


def _importer_form(ior: str) -> dict:
    return {
        "ior_number": ior,
        "name": "Typed Co",
        "address": "",
        "center": "",
        "pin_reason": "",
        "pin_note": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }
