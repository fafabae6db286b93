"""The authorisation matrix: every route with an object identifier, for every caller who may not see
the object. Another importer's user, a broker without membership, a user's token scoped to another
of the user's accounts: 404, the same answer as for an object that does not exist. Anonymous,
expired or revoked tokens: 401. Brokers with an expired or revoked delegation, or one of other case
kinds (for the case routes), are outsiders too: 404. The routes include a case's documents (named by
SHA-256), its messages and the account's delegations (named by their public id).
"""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from cases.api.urls import ACTIONS
from cee_portal.legal_time import legal_today
from cee_portal.users.models import ApiToken
from cee_portal.users.services import revoke_api_tokens
from importers.models import BrokerDelegation, ImporterMembership
from importers.services import issue_api_token
from tests.api.helpers import V1, client_for, file_protest, make_world, unliquidated
from tests.factories import broker_user

pytestmark = pytest.mark.django_db

MISSING_CASE = "PRO-9999-2026-999999"
PDF = b"%PDF-1.7\n1 0 obj\n"
MISSING = {"sha256": "0" * 64, "delegation": "00000000-0000-4000-8000-000000000000"}


def routes(
    world, case_ref: str, entry_number: str, ior: str, sha256: str, delegation: str
) -> list[tuple[str, str]]:
    return [
        ("get", f"/importers/{ior}/"),
        ("get", f"/entries/{entry_number}/"),
        ("get", f"/cases/{case_ref}/"),
        *[("post", f"/cases/{case_ref}/{name}/") for name in ACTIONS],
        *case_children(case_ref, sha256),
        ("get", f"/importers/{ior}/delegations/"),
        ("post", f"/importers/{ior}/delegations/"),
        ("post", f"/importers/{ior}/delegations/{delegation}/revoke/"),
    ]


def case_children(case_ref: str, sha256: str) -> list[tuple[str, str]]:
    return [
        ("get", f"/cases/{case_ref}/documents/"),
        ("upload", f"/cases/{case_ref}/documents/"),
        ("get", f"/cases/{case_ref}/documents/{sha256}/"),
        ("get", f"/cases/{case_ref}/messages/"),
        ("post", f"/cases/{case_ref}/messages/"),
    ]


def call(client: APIClient, method: str, path: str):
    headers = {"HTTP_IDEMPOTENCY_KEY": f"matrix{path}"}
    if method == "get":
        return client.get(V1 + path)
    if method == "upload":
        # A real, acceptable file: refused only because of who sends it.
        return client.post(
            V1 + path, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart", **headers
        )
    return client.post(V1 + path, {}, format="json", HTTP_IF_MATCH='"1"', **headers)


def real_objects(world) -> dict:
    """A protest of the world's importer with a document, an entry, and a delegation of the account."""
    from cases import services
    from cases.models import Case

    case = file_protest(world)
    stored = Case.objects.get(reference_number=case["reference_number"])
    services.upload_document(actor=world.filer, case=stored, upload=SimpleUploadedFile("a.pdf", PDF))
    broker = broker_user(world.importer)
    delegation = BrokerDelegation.objects.get(broker_firm=broker.broker_firm)
    return {
        "case_ref": case["reference_number"],
        "entry_number": unliquidated(world.importer).entry_number,
        "ior": world.importer.ior_number,
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "delegation": str(delegation.public_id),
    }


@pytest.fixture
def world():
    return make_world()


def outsiders(world) -> dict[str, APIClient]:
    """Callers who may not see the world's importer, its entries or its cases."""
    from tests.factories import UserFactory

    both = UserFactory(role="importer")
    ImporterMembership.objects.create(importer=world.importer, user=both)
    ImporterMembership.objects.create(importer=world.other, user=both)
    other_broker = broker_user(world.other)
    today = legal_today()
    expired = broker_user(
        world.importer, starts_on=today - dt.timedelta(days=60), ends_on=today - dt.timedelta(days=1)
    )
    revoked = broker_user(world.importer)
    BrokerDelegation.objects.filter(broker_firm=revoked.broker_firm).update(revoked_at=timezone.now())
    plain_member = UserFactory(role="broker")  # a membership alone gives a broker nothing (issue 13)
    ImporterMembership.objects.create(importer=world.importer, user=plain_member)
    return {
        "another importer's user": client_for(world.other_filer, world.other),
        # Brokers of no live delegation cannot hold a token (a token acts for one account): signed in.
        "broker without membership (session)": session_for(world.broker_without),
        "broker with an expired delegation (session)": session_for(expired),
        "broker with a revoked delegation (session)": session_for(revoked),
        "broker as a plain member (session)": session_for(plain_member),
        "broker of another account": client_for(other_broker, world.other),
        "own user, token scoped to another account": client_for(both, world.other),
    }


def session_for(user) -> APIClient:
    client = APIClient()
    # Reloaded: the factory sets a password it does not save, and the session is bound to the stored one.
    stored = type(user).objects.get(pk=user.pk)
    client.force_login(stored, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_object_route_answers_404_to_those_who_may_not_see_it_as_if_missing(world):
    real = routes(world, **real_objects(world))
    missing = routes(world, MISSING_CASE, "ZZZ00000000", "99-9999999ZZ", **MISSING)
    for who, client in outsiders(world).items():
        for (method, path), (_, missing_path) in zip(real, missing, strict=True):
            response = call(client, method, path)
            assert response.status_code == 404, (who, path, response.json())
            assert response.json() == call(client, method, missing_path).json(), (who, path)
    # The owner sees every object read.
    owner = world.filer_client()
    for method, path in real:
        if method == "get":
            assert call(owner, method, path).status_code == 200, path
    assert sum(method == "get" for method, _ in real) == 7
    from cases.models import Document

    assert Document.objects.count() == 1  # no outsider's upload was stored


def test_a_broker_outside_the_delegated_kinds_gets_404_on_every_route_of_the_case(world):
    """19 CFR 141.46: a broker acts within its power of attorney; a PSC-only delegation opens no protest."""
    objects = real_objects(world)
    psc_only = broker_user(world.importer, kinds=("psc",))
    client = client_for(psc_only, world.importer)
    ref = objects["case_ref"]
    real = [("get", f"/cases/{ref}/"), *[("post", f"/cases/{ref}/{n}/") for n in ACTIONS]]
    real += case_children(ref, objects["sha256"])
    missing = [(m, p.replace(ref, MISSING_CASE)) for m, p in real]
    for (method, path), (_, missing_path) in zip(real, missing, strict=True):
        response = call(client, method, path)
        assert response.status_code == 404, (path, response.json())
        assert response.json() == call(client, method, missing_path).json(), path
    # Its account is one it acts for: it sees the account, and may never manage its delegations.
    assert client.get(f"{V1}/importers/{objects['ior']}/").status_code == 200
    assert client.get(f"{V1}/importers/{objects['ior']}/delegations/").status_code == 404


def test_every_route_answers_401_without_valid_credentials(world):
    expired_key = issue_api_token(world.filer)
    ApiToken.objects.filter(user=world.filer).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    revoked_key = issue_api_token(world.specialist)
    revoke_api_tokens(world.specialist)
    callers = {"anonymous": APIClient()}
    for name, key in [("expired", expired_key), ("revoked", revoked_key)]:
        callers[name] = APIClient()
        callers[name].credentials(HTTP_AUTHORIZATION=f"Token {key}")
    paths = routes(world, **real_objects(world))
    paths += [
        ("get", "/cases/"),
        ("get", "/entries/"),
        ("get", "/importers/"),
        ("get", "/centers/CEE010/"),
        ("get", "/ports/2304/"),
        ("get", "/hts-centers/8471/"),
        ("get", "/hts-rules/"),
        ("post", "/filings/protests/"),
        ("post", "/filings/pscs/"),
        ("post", "/filings/pics/"),
    ]
    for who, client in callers.items():
        for method, path in paths:
            response = call(client, method, path)
            assert response.status_code == 401, (who, path)
            assert response["WWW-Authenticate"] == "Token"


def test_lists_never_show_another_accounts_rows(world):
    file_protest(world)
    unliquidated(world.importer)
    client = client_for(world.other_filer, world.other)
    assert client.get(f"{V1}/cases/", {"state": "any"}).json()["results"] == []
    assert client.get(f"{V1}/entries/").json()["results"] == []
    assert [r["ior_number"] for r in client.get(f"{V1}/importers/").json()["results"]] == [
        world.other.ior_number
    ]
    # Naming the other account in a filter finds nothing either (no error that would confirm it).
    filtered = client.get(f"{V1}/cases/", {"importer": world.importer.ior_number, "state": "any"})
    assert filtered.status_code == 200 and filtered.json()["results"] == []
