"""Shared set-up for the API tests: accounts, users, tokens, and bodies of filings."""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from rest_framework.test import APIClient

from cee_portal.legal_time import legal_today
from cee_portal.users.models import User
from importers.models import Entry, Importer
from importers.services import issue_api_token
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    UserFactory,
    liquidated_entry,
    staff_user,
    trade_user,
)

V1 = "/api/v1"


def client_for(user: User | None, importer: Importer | None = None) -> APIClient:
    """A client authenticated with a fresh token (scoped to `importer` for the importer side)."""
    client = APIClient()
    if user is not None:
        key = issue_api_token(user, importer_ior=importer.ior_number if importer else None)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def key() -> str:
    return str(uuid.uuid4())


def post(client: APIClient, path: str, body: dict | None = None, *, version=None, idem: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": idem or key()}
    if version is not None:
        headers["HTTP_IF_MATCH"] = f'"{version}"'
    return client.post(f"{V1}{path}", body or {}, format="json", **headers)


def protest_body(importer: Importer, entries: list[Entry], **extra) -> dict:
    return {
        "importer": importer.ior_number,
        "filing_port": entries[0].port_id,
        "entries": [
            {"entry_number": e.entry_number, "protested_decision": "classification"} for e in entries
        ],
        "protestant": {"identifier": importer.ior_number, "name": importer.name},
        "description": "Hydraulic excavators",
        "objections": [
            {"protested_decision": "classification", "text": "Classify in 8429.52", "justification": "GRI 1"}
        ],
        **extra,
    }


def recently_liquidated(importer: Importer, days_ago: int = 30) -> Entry:
    return liquidated_entry(importer, legal_today() - dt.timedelta(days=days_ago))


def unliquidated(importer: Importer) -> Entry:
    """An entry summary still open to a post summary correction (19 CFR 101.9(b))."""
    entered = legal_today() - dt.timedelta(days=60)
    return EntryFactory(
        importer=importer,
        entry_date=entered,
        importation_date=entered,
        scheduled_liquidation_date=entered + dt.timedelta(days=314),
    )


@dataclass
class World:
    """Two accounts of Machinery (CEE010), their users, a stranger broker and staff of two Centers."""

    importer: Importer
    other: Importer
    filer: User
    other_filer: User
    broker_without: User
    specialist: User
    other_center_specialist: User
    supervisor: User

    def filer_client(self) -> APIClient:
        return client_for(self.filer, self.importer)

    def staff_client(self) -> APIClient:
        return client_for(self.specialist)


def make_world() -> World:
    importer, other = ImporterFactory(), ImporterFactory()
    return World(
        importer=importer,
        other=other,
        filer=trade_user(importer),
        other_filer=trade_user(other),
        broker_without=UserFactory(role=User.Role.BROKER),
        specialist=staff_user("CEE010"),
        other_center_specialist=staff_user("CEE001"),
        supervisor=UserFactory(role=User.Role.SUPERVISOR),
    )


def file_protest(world: World, entry: Entry | None = None) -> dict:
    entry = entry or recently_liquidated(world.importer)
    response = post(world.filer_client(), "/filings/protests/", protest_body(world.importer, [entry]))
    assert response.status_code == 201, response.json()
    return response.json()


CONTRACT_PDF = b"%PDF-1.7\n1 0 obj\n"


def contract_world() -> tuple[World, dict[str, str]]:
    """The world of the contract runs (test_contract*.py) and the real objects their generated requests
    name instead of random identifiers, so that bodies and headers reach the services, not only a 404."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Case
    from cases.services import upload_document
    from importers.models import BrokerDelegation, ImporterMembership
    from tests.factories import broker_user

    world = make_world()
    # An administrator of its account: generated grants and revocations reach the services.
    ImporterMembership.objects.filter(user=world.filer).update(is_account_admin=True)
    case = file_protest(world)
    stored = Case.objects.get(reference_number=case["reference_number"])
    upload_document(actor=world.filer, case=stored, upload=SimpleUploadedFile("a.pdf", CONTRACT_PDF))
    delegation = BrokerDelegation.objects.get(broker_firm=broker_user(world.importer).broker_firm)
    return world, {
        "reference": case["reference_number"],
        "entry_number": case["entries"][0]["entry_number"],
        "ior": world.importer.ior_number,
        "ace_id": "CEE010",
        "code": "2304",
        "hts_number": "8471300100",
        "sha256": hashlib.sha256(CONTRACT_PDF).hexdigest(),
        "public_id": str(delegation.public_id),
    }
