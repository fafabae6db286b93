"""The notice preferences pages (issue 13 item 6): /portal/notifications/ and /notifications/."""

import pytest
from django.urls import reverse

from cases.models import NotificationPreference
from tests.factories import broker_user, sign_in_as, staff_user, trade_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["portal:notifications", "staff:notifications"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_each_side_opens_its_own_page_only(client, importer):
    sign_in_as(client, trade_user(importer))
    assert client.get(reverse("portal:notifications")).status_code == 200
    assert client.get(reverse("staff:notifications")).url == reverse("portal:home")
    sign_in_as(client, staff_user())
    assert client.get(reverse("staff:notifications")).status_code == 200
    assert client.get(reverse("portal:notifications")).status_code == 403


def test_every_notice_is_ticked_until_turned_off_and_saving_keeps_the_choice(client, importer):
    broker = broker_user(importer)
    sign_in_as(client, broker)
    url = reverse("portal:notifications")
    page = client.get(url).content.decode()
    assert page.count('type="checkbox"') == 6 and page.count("checked") == 6
    ticked = {"status": "on", "information_request": "on", "proposed_action": "on", "deemed_denial": "on"}
    response = client.post(url, ticked)
    assert response.status_code == 302 and response["Location"] == url
    saved = NotificationPreference.objects.get(user=broker)
    assert (saved.decision, saved.reminder, saved.status, saved.deemed_denial) == (False, False, True, True)
    assert client.get(url).content.decode().count("checked") == 4


def test_staff_save_their_own_preferences_only(client, importer):
    specialist, colleague = staff_user(), staff_user()
    sign_in_as(client, specialist)
    client.post(reverse("staff:notifications"), {"status": "on"})
    assert NotificationPreference.objects.get(user=specialist).reminder is False
    assert not NotificationPreference.objects.filter(user=colleague).exists()
