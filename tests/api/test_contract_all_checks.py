"""The OpenAPI contract from outside (issue 15 item 3): the schemathesis CLI, `--checks all`, against
the running site (live_server), as an importer user and as CBP staff, with a fixed seed.

`--checks all` adds to test_contract.py's in-process checks: schema-violating requests refused
(negative_data_rejection), a missing required header refused, requests without credentials refused
(ignored_auth), unsupported methods answered 405 with Allow, and schema-valid requests accepted
(positive_data_acceptance). "Accepted" is configured (tests/api/schemathesis.toml) to include 400:
the schema promises the shape of a request, not that its entry is in its protest window, that its
case allows the move, or that its cursor was made by this list; those are domain refusals with the
field named, documented as 400 for every operation. Half of the generated path parameters name real
objects (a case, its document, the account, a delegation), so requests reach the services.

Runs once, on PostgreSQL (CI's main run): about 1,090 requests; 100 s on an idle 2-core machine.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from importers.services import issue_api_token
from tests.api.helpers import contract_world

EXAMPLES_PER_OPERATION = 13  # about 1,080 requests in all: each role sends ~41 per unit of this budget
SEED = 20261201
MINIMUM_REQUESTS = 1000
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _config(tmp_path: Path, objects: dict[str, str]) -> Path:
    """The shipped configuration plus this run's real objects, as dictionaries drawn half the time."""
    lines = [CONFIG.read_text(), ""]
    for name, value in objects.items():
        lines += [f"[dictionaries.{name}]", f'values = ["{value}"]', ""]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in objects]
    path = tmp_path / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.django_db(transaction=True)
def test_every_check_passes_against_the_running_site(live_server, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the long contract run is made once, on PostgreSQL (CI's main run)")
    settings.API_THROTTLE_USER_RATE = "100000/min"
    world, objects = contract_world()
    config = _config(tmp_path, objects)
    generated = 0
    for role, user, account in (("importer", world.filer, world.importer), ("staff", world.specialist, None)):
        token = issue_api_token(user, importer_ior=account.ior_number if account else None)
        run = subprocess.run(
            [str(SCHEMATHESIS), "--config-file", str(config), "run", f"{live_server.url}/api/schema/",
             "--checks", "all", "--phases", "examples,fuzzing", "--max-examples", str(EXAMPLES_PER_OPERATION),
             "--seed", str(SEED), "--generation-deterministic", "--continue-on-failure", "--no-color",
             "--header", f"Authorization: Token {token}",
             "--report", "junit", "--report-junit-path", str(tmp_path / f"schemathesis-{role}.xml")],
            capture_output=True, text=True, timeout=900, cwd=tmp_path,  # its cache stays out of the checkout
        )  # fmt: skip
        summary = run.stdout[-6000:]
        assert run.returncode == 0, f"{role}:\n{run.stdout[-20000:]}\n{run.stderr[-3000:]}"
        found = re.search(r"(\d+) generated", summary)
        assert found, summary
        generated += int(found.group(1))
        print(role, found.group(0))
    assert generated >= MINIMUM_REQUESTS, generated
