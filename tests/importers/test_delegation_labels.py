"""Delegated case kinds read as their labels everywhere people read them (issue 13 item 2): the portal's
home and delegations page, the grant's confirmation, a refusal, and the emails to the broker firm."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseKind
from cee_portal.legal_time import legal_today
from cee_portal.operations.outbox import drain
from cee_portal.users.models import User
from importers.models import DELEGABLE_KIND_LABELS, BrokerDelegation, ImporterMembership
from importers.services import grant_delegation, revoke_delegation
from tests.factories import ImporterFactory, UserFactory, broker_user, sign_in_as, trade_user

pytestmark = pytest.mark.django_db
CODES = ("protest", "psc", "pic", "cf28", "cf29")


def test_the_labels_are_the_case_kinds_labels():
    assert DELEGABLE_KIND_LABELS == dict(CaseKind.choices)


@pytest.fixture
def account(settings):
    settings.SITE_URL = "https://portal.example"
    importer = ImporterFactory(name="Keystone Machinery")
    admin = trade_user(importer)
    ImporterMembership.objects.filter(user=admin).update(is_account_admin=True)
    return importer, admin


def shown(text: str) -> str:
    """Text with the labels taken out: what remains must hold no kind code."""
    for label in DELEGABLE_KIND_LABELS.values():
        text = text.replace(label, "")
    return text


def test_pages_and_the_confirmation_name_the_kinds_by_their_labels(client, account):
    importer, admin = account
    firm_broker = broker_user()
    firm = firm_broker.broker_firm
    sign_in_as(client, admin)
    today = legal_today()
    response = client.post(
        reverse("portal:delegations", args=[importer.ior_number]),
        {
            "filer_code": firm.filer_code,
            "case_kinds": ["protest", "cf28"],
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=30)).isoformat(),
            "power_of_attorney": "CBP 5291 no. 1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "on: Protest (CBP Form 19); Request for information (CBP Form 28)" in page
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "Protest (CBP Form 19); Request for information (CBP Form 28)" in table
    assert not any(f">{code}" in table or f"{code}," in table for code in CODES)
    sign_in_as(client, firm_broker)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Protest (CBP Form 19); Request for information (CBP Form 28)" in home
    assert "cf28" not in shown(home.split("<main", 1)[1])


def test_an_unknown_kind_is_refused_with_the_labels(account):
    importer, admin = account
    with pytest.raises(ValidationError) as exc:
        grant_delegation(
            actor=admin, importer=importer, broker_firm=broker_user().broker_firm, case_kinds=["drawback"],
            starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 12, 2), power_of_attorney="P",
            today=dt.date(2026, 11, 2),
        )  # fmt: skip
    message = exc.value.message_dict["case_kinds"][0]
    assert "Unknown case kind(s) drawback" in message and "psc (Post summary correction)" in message
    assert not BrokerDelegation.objects.exists()


def test_the_firms_brokers_are_told_of_a_grant_and_a_revocation_with_labels(account):
    importer, admin = account
    first = broker_user()
    firm = first.broker_firm
    UserFactory(role=User.Role.BROKER, broker_firm=firm)  # a colleague at the firm
    UserFactory(role=User.Role.BROKER, broker_firm=firm, is_active=False)  # gone: not told
    broker_user()  # another firm: not told
    delegation = grant_delegation(
        actor=admin, importer=importer, broker_firm=firm, case_kinds=["psc", "pic"],
        starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2027, 1, 31), power_of_attorney="CBP 5291 no. 2",
        today=dt.date(2026, 11, 2),
    )  # fmt: skip
    drain()
    [granted] = mail.outbox
    expected = sorted(User.objects.filter(broker_firm=firm, is_active=True).values_list("email", flat=True))
    assert granted.to == [] and sorted(granted.bcc) == expected
    assert granted.subject == f"Keystone Machinery delegated cases to {firm.name}"
    assert "- Post summary correction\n- Post-importation claim (19 U.S.C. 1520(d))" in granted.body
    assert "from 2026-11-02 until 2027-01-31" in granted.body
    assert "https://portal.example/portal/" in granted.body
    assert not any(f"{code}\n" in shown(granted.body) or f" {code}," in granted.body for code in CODES)

    revoke_delegation(actor=admin, delegation=delegation, now=timezone.now())
    revoke_delegation(actor=admin, delegation=delegation, now=timezone.now())  # again: nothing new
    drain()
    assert len(mail.outbox) == 2
    revoked = mail.outbox[1]
    assert revoked.subject == f"Keystone Machinery revoked delegation {delegation.pk} to {firm.name}"
    assert "- Post summary correction" in revoked.body and "ended at once" in revoked.body
