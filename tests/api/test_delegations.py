"""Broker delegations through the API (issue 14 item 1 on issue 13 item 2's services): the account's
administrators grant a broker firm case kinds for dates under a power of attorney (19 CFR 141.46)
and revoke it; access follows at once. Delegations are named by a public UUID, never a database id."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from cee_portal.legal_time import legal_today
from importers.models import BrokerDelegation, ImporterMembership
from tests.api.helpers import V1, client_for, file_protest, key, make_world
from tests.factories import broker_user, trade_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    ImporterMembership.objects.filter(user=w.filer).update(is_account_admin=True)
    return w


def grant_body(firm_code: str, **extra) -> dict:
    today = legal_today()
    return {
        "broker_firm": firm_code,
        "case_kinds": ["protest"],
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=365)).isoformat(),
        "power_of_attorney": "CBP 5291 no. 77",
        **extra,
    }


def path(world, suffix: str = "") -> str:
    return f"{V1}/importers/{world.importer.ior_number}/delegations/{suffix}"


def test_an_administrator_grants_a_delegation_and_the_broker_then_sees_the_case(world):
    case = file_protest(world)["reference_number"]
    broker = broker_user()
    # A broker of no account cannot hold a token (a token acts for one account): signed in.
    broker_client = APIClient()
    broker_client.force_login(
        type(broker).objects.get(pk=broker.pk), backend="django.contrib.auth.backends.ModelBackend"
    )
    assert broker_client.get(f"{V1}/cases/{case}/").status_code == 404
    response = world.filer_client().post(
        path(world), grant_body(broker.broker_firm.filer_code), format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    stored = BrokerDelegation.objects.get(broker_firm=broker.broker_firm)
    assert body["public_id"] == str(stored.public_id) and body["public_id"] != str(stored.pk)
    assert body["case_kinds"] == ["protest"] and body["is_live"] is True
    assert body["broker_firm"] == broker.broker_firm.filer_code
    assert broker_client.get(f"{V1}/cases/{case}/").status_code == 200
    listed = world.filer_client().get(path(world)).json()["results"]
    assert body["public_id"] in [d["public_id"] for d in listed]


def test_revoking_ends_the_brokers_access_at_once_and_twice_changes_nothing(world):
    case = file_protest(world)["reference_number"]
    broker = broker_user(world.importer)
    delegation = BrokerDelegation.objects.get(broker_firm=broker.broker_firm)
    session = client_for(broker)
    assert session.get(f"{V1}/cases/{case}/").status_code == 200
    revoke = path(world, f"{delegation.public_id}/revoke/")
    first = world.filer_client().post(revoke, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert first.status_code == 200 and first.json()["revoked_at"] and first.json()["is_live"] is False
    assert session.get(f"{V1}/cases/{case}/").status_code == 404
    again = world.filer_client().post(revoke, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert again.status_code == 200 and again.json()["revoked_at"] == first.json()["revoked_at"]
    # The database id names nothing.
    by_pk = world.filer_client().post(path(world, f"{delegation.pk}/revoke/"), HTTP_IDEMPOTENCY_KEY=key())
    assert by_pk.status_code == 404


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"case_kinds": ["drawback"]}, "case_kinds"),
        ({"case_kinds": []}, "case_kinds"),
        ({"power_of_attorney": " "}, "power_of_attorney"),
        ({"broker_firm": "QQQ"}, "broker_firm"),
    ],
    ids=["unknown kind", "no kind", "no power of attorney", "unknown firm"],
)
def test_a_refused_grant_names_its_field_and_grants_nothing(world, extra, field):
    broker = broker_user()
    response = world.filer_client().post(
        path(world),
        grant_body(broker.broker_firm.filer_code, **extra),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field
    assert not BrokerDelegation.objects.filter(broker_firm=broker.broker_firm).exists()


@pytest.mark.parametrize(
    "days, accepted", [(-1, False), (0, True), (1, True)], ids=["yesterday", "today", "tomorrow"]
)
def test_the_last_day_may_be_today_but_not_past(world, days, accepted):
    broker = broker_user()
    today = legal_today()
    body = grant_body(
        broker.broker_firm.filer_code,
        starts_on=(today - dt.timedelta(days=30)).isoformat(),
        ends_on=(today + dt.timedelta(days=days)).isoformat(),
    )
    response = world.filer_client().post(path(world), body, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert response.status_code == (201 if accepted else 400), response.json()
    if not accepted:
        assert response.json()["field"] == "ends_on"


def test_the_last_day_before_the_first_is_refused(world):
    broker = broker_user()
    today = legal_today()
    body = grant_body(
        broker.broker_firm.filer_code,
        starts_on=(today + dt.timedelta(days=10)).isoformat(),
        ends_on=(today + dt.timedelta(days=9)).isoformat(),
    )
    response = world.filer_client().post(path(world), body, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert response.status_code == 400 and response.json()["field"] == "ends_on"


def test_a_member_who_is_not_an_administrator_sees_but_may_not_grant_or_revoke(world):
    member = trade_user(world.importer)
    broker = broker_user(world.importer)
    delegation = BrokerDelegation.objects.get(broker_firm=broker.broker_firm)
    client = client_for(member, world.importer)
    assert client.get(path(world)).status_code == 200
    grant = client.post(
        path(world),
        grant_body(broker_user().broker_firm.filer_code),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    assert grant.status_code == 403 and grant.json()["code"] == "not_allowed"
    revoke = client.post(path(world, f"{delegation.public_id}/revoke/"), HTTP_IDEMPOTENCY_KEY=key())
    assert revoke.status_code == 403
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_a_broker_never_manages_the_account_it_acts_for(world):
    broker = broker_user(world.importer)
    client = client_for(broker, world.importer)
    assert client.get(path(world)).status_code == 404


def test_a_retried_grant_grants_once(world):
    broker = broker_user()
    body = grant_body(broker.broker_firm.filer_code)
    first = world.filer_client().post(path(world), body, format="json", HTTP_IDEMPOTENCY_KEY="grant-1")
    again = world.filer_client().post(path(world), body, format="json", HTTP_IDEMPOTENCY_KEY="grant-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert BrokerDelegation.objects.filter(broker_firm=broker.broker_firm).count() == 1
