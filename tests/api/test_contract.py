"""The OpenAPI contract: schemathesis generates requests for every operation of /api/schema/ and
checks every answer against the schema: no server error, no status, header or body the schema does
not document. Run in-process (WSGI) as an importer user and as CBP staff, with a fixed seed."""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis import checks

from importers.services import issue_api_token
from tests.api.helpers import contract_world

EXAMPLES_PER_OPERATION = 17
SEED = 20261201
REQUESTS: dict[str, int] = {"importer": 0, "staff": 0}
PDF = b"%PDF-1.7\n1 0 obj\n"

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.seed = SEED
# The explicit examples and the fuzzing phase (max_examples each); the coverage phase's thousands of
# boundary variants would take this past two minutes on the two-core CI machine.
schema.config.phases.coverage.enabled = False

SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)


@pytest.fixture
def tokens(db, settings):
    # Hundreds of requests a minute per user here: the throttle has its own test (test_tokens.py).
    settings.API_THROTTLE_USER_RATE = "100000/min"
    world, objects = contract_world()
    # Keep the test's connection across the in-process WSGI requests, as Django's test client does:
    # Django closes "old" connections when a request starts and finishes, which inside the test's
    # transaction closes it on PostgreSQL. Disconnected last: the test client above reconnects them.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "importer": issue_api_token(world.filer, importer_ior=world.importer.ior_number),
        "staff": issue_api_token(world.specialist),
        "objects": objects,
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# No server error; every status, content type, header and body as the schema documents it. Not
# "schema-valid data is accepted": a cursor or a filter value can be well-typed and still refused (400,
# documented), which is the point of checking it.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _check(case, key: str, role: str):
    REQUESTS[role] += 1
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_every_operation_as_an_importer_and_as_staff(case, tokens):
    """Each generated request is sent twice: with an importer user's token and with a specialist's."""
    if sum(REQUESTS.values()) % 4 < 2 and case.path_parameters:
        case.path_parameters = {
            name: tokens["objects"].get(name, value) for name, value in case.path_parameters.items()
        }
        if case.headers and "If-Match" in case.headers and "reference" in case.path_parameters:
            from cases.models import Case

            version = Case.objects.get(reference_number=case.path_parameters["reference"]).version
            case.headers["If-Match"] = f'"{version}"'
    for role in ("importer", "staff"):
        _check(case, tokens[role], role)


def test_at_least_500_generated_requests_per_user():
    print(REQUESTS)
    assert REQUESTS["importer"] >= 500 and REQUESTS["staff"] >= 500, REQUESTS


def test_schema_documents_bodies_headers_and_every_refusal_of_every_operation(client):
    document = client.get("/api/schema/?format=json").json()
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    assert len(operations) == 38 and all(path.startswith("/api/v1/") for path, _, _ in operations)
    for path, method, op in operations:
        name = f"{method.upper()} {path}"
        statuses = set(op["responses"])
        assert {"401", "429"} <= statuses, name
        assert any(s.startswith("2") for s in statuses), name
        for status, response in op["responses"].items():
            if op["operationId"] == "cases_documents_download" and status == "200":
                # The file itself, under each allowed type (sniffed from its content).
                assert "application/pdf" in response["content"], name
                continue
            assert "application/json" in response.get("content", {}), (name, status)
        headers = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "header"}
        if "{" in path and "hts-centers" not in path:  # an HTS number is answered, never "not found"
            assert "404" in statuses, name
        if method == "post":
            assert headers["Idempotency-Key"]["required"] is True, name
            assert "422" in statuses, name
            if op["tags"] == ["staff actions"]:
                assert headers["If-Match"]["required"] is True and {"409", "428"} <= statuses, name
    errors = document["components"]["schemas"]["Error"]
    assert {"code", "message", "field", "errors"} <= set(errors["properties"])
    # Public identifiers only: no component has a database id.
    for name, component in document["components"]["schemas"].items():
        assert not {"id", "pk"} & set(component.get("properties", {})), name
