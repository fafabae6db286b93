"""Filings through the API: protest (CBP Form 19), PSC and 1520(d) claim, on the intake services.

The windows are the services' (19 U.S.C. 1514(c)(3), 19 CFR 101.9(b), 19 U.S.C. 1520(d)); the API
adds only the shape of the body, and a refusal names the field and changes nothing.
"""

import datetime as dt
import uuid

import pytest

from cases.models import Case, Protestant
from cee_portal.legal_time import legal_today
from tests.api.helpers import (
    V1,
    client_for,
    make_world,
    post,
    protest_body,
    recently_liquidated,
    unliquidated,
)

pytestmark = pytest.mark.django_db


def test_protest_is_filed_with_entries_decisions_category_objections_and_further_review():
    world = make_world()
    first, second = recently_liquidated(world.importer), recently_liquidated(world.importer)
    body = protest_body(
        world.importer,
        [first, second],
        merchandise_category="Excavators",
        further_review={"criterion": "c", "justification": "Facts not previously considered"},
    )
    body["entries"][1]["protested_decision"] = "appraisement"
    response = post(world.filer_client(), "/filings/protests/", body)
    out = response.json()
    assert response.status_code == 201, out
    assert response["ETag"] == f'"{out["version"]}"'
    assert out["joined"] is False and out["status"] == "received" and out["center"] == "CEE010"
    assert [(e["entry_number"], e["protested_decision"]) for e in out["entries"]] == [
        (first.entry_number, "classification"),
        (second.entry_number, "appraisement"),
    ]
    assert out["protest"]["merchandise_category"] == "Excavators"
    assert out["protest"]["further_review_status"] == "requested"
    case = Case.objects.get(reference_number=out["reference_number"])
    assert case.filed_by == world.filer and case.filed_on == legal_today()


def test_surety_protest_runs_from_its_bond_demand_date():
    """19 U.S.C. 1514(c)(3): a surety may protest within 180 days of the demand's mailing."""
    world = make_world()
    entry = recently_liquidated(world.importer, days_ago=400)  # the importer's own window has closed
    demand = legal_today() - dt.timedelta(days=20)
    body = protest_body(world.importer, [entry])
    body["protestant"] = {
        "identifier": "SURETY-1",
        "name": "Bonding Co.",
        "role": "surety",
        "bond_demand_mailed_on": demand.isoformat(),
    }
    response = post(world.filer_client(), "/filings/protests/", body)
    assert response.status_code == 201, response.json()
    assert Protestant.objects.get(identifier="SURETY-1").bond_demand_mailed_on == demand


def test_protest_after_the_180_days_is_refused_with_the_rule_and_nothing_is_filed():
    world = make_world()
    entry = recently_liquidated(world.importer, days_ago=400)
    response = post(world.filer_client(), "/filings/protests/", protest_body(world.importer, [entry]))
    assert response.status_code == 400
    assert response.json()["code"] == "out_of_window" and "1514" in response.json()["message"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda b: b.pop("objections"), "objections"),
        (lambda b: b.update(objections=[]), "objections"),
        (lambda b: b.update(entries=[]), "entries"),
        (lambda b: b["entries"][0].update(protested_decision="vibes"), "entries.0.protested_decision"),
        (lambda b: b["entries"][0].update(entry_number="ZZZ-0000000-0"), "entries.0.entry_number"),
        (lambda b: b.update(filing_port="0000"), "filing_port"),
        (lambda b: b["protestant"].update(role="cousin"), "protestant.role"),
        (
            lambda b: b["protestant"].update(bond_demand_mailed_on="1899-12-31"),
            "protestant.bond_demand_mailed_on",
        ),
        (
            lambda b: b.update(further_review={"criterion": "z", "justification": "x"}),
            "further_review.criterion",
        ),
        (lambda b: b.update(description=""), "description"),
    ],
)
def test_malformed_protest_is_refused_on_its_field(change, field):
    world = make_world()
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    change(body)
    response = post(world.filer_client(), "/filings/protests/", body)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field, response.json()
    assert not Case.objects.exists()


def test_protest_for_another_importers_account_or_entry_is_refused_as_unknown():
    world = make_world()
    theirs = recently_liquidated(world.other)
    client = world.filer_client()
    response = post(client, "/filings/protests/", protest_body(world.other, [theirs]))
    assert response.status_code == 400 and response.json()["field"] == "importer"
    body = protest_body(world.importer, [theirs])
    response = post(client, "/filings/protests/", body)
    assert response.status_code == 400 and response.json()["field"] == "entries.0.entry_number"
    assert "among the entries you may see" in response.json()["message"]
    assert not Case.objects.exists()


def test_staff_file_nothing():
    world = make_world()
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    response = post(world.staff_client(), "/filings/protests/", body)
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"


def test_psc_is_filed_and_one_per_entry_is_in_progress():
    world = make_world()
    entry = unliquidated(world.importer)
    body = {
        "entry_number": entry.formatted_number,
        "reason_code": "01",
        "explanation": "Wrong classification",
        "lines": [
            {"line_number": 1, "hts_number": "8429.52.10.10", "entered_value": "1000.00", "duty": "25.00"}
        ],
    }
    response = post(world.filer_client(), "/filings/pscs/", body)
    assert response.status_code == 201, response.json()
    assert (
        response.json()["kind"] == "psc" and response.json()["psc"]["lines"][0]["hts_number"] == "8429521010"
    )
    again = post(world.filer_client(), "/filings/pscs/", body)
    assert again.status_code == 400 and again.json()["code"] == "open_psc"


def test_psc_of_a_liquidated_entry_is_refused():
    """19 CFR 101.9(b): a PSC is only for unliquidated entries."""
    world = make_world()
    entry = recently_liquidated(world.importer)
    body = {
        "entry_number": entry.entry_number,
        "reason_code": "01",
        "explanation": "x",
        "lines": [{"line_number": 1, "hts_number": "8429521010", "entered_value": "1"}],
    }
    response = post(world.filer_client(), "/filings/pscs/", body)
    assert response.status_code == 400 and "101.9(b)" in response.json()["message"]


@pytest.mark.parametrize("amount, ok", [("0.00", True), ("-0.01", False)])
def test_psc_line_amounts_are_zero_or_more(amount, ok):
    world = make_world()
    body = {
        "entry_number": unliquidated(world.importer).entry_number,
        "reason_code": "01",
        "explanation": "x",
        "lines": [{"line_number": 1, "hts_number": "8429521010", "entered_value": amount}],
    }
    response = post(world.filer_client(), "/filings/pscs/", body)
    assert (response.status_code == 201) is ok, response.json()
    if not ok:
        assert response.json()["field"] == "lines.0.entered_value"


def test_pic_is_filed_under_an_agreement_code_and_an_unknown_code_is_refused():
    world = make_world()
    entry = unliquidated(world.importer)
    body = {"entry_number": entry.entry_number, "agreement": "USMCA", "certificate_of_origin": "CO-1: origin"}
    refused = post(world.filer_client(), "/filings/pics/", {**body, "agreement": "NOPE"})
    assert refused.status_code == 400 and "NOPE" in refused.json()["message"]
    response = post(world.filer_client(), "/filings/pics/", body)
    assert response.status_code == 201, response.json()
    assert response.json()["pic"] == {
        "entry_number": entry.entry_number,
        "agreement": "USMCA",
        "certificate_of_origin": "CO-1: origin",
    }


def test_a_broker_token_files_for_its_one_account_only():
    from importers.models import BrokerDelegation
    from tests.factories import broker_user

    world = make_world()
    broker = broker_user(world.importer)  # a firm delegated by both accounts
    delegation = BrokerDelegation.objects.get(broker_firm=broker.broker_firm)
    delegation.pk, delegation.importer, delegation.power_of_attorney = None, world.other, "POA-other"
    delegation.public_id = uuid.uuid4()  # a copy is another delegation, with its own public id
    delegation.save()
    client = client_for(broker, world.importer)
    theirs = recently_liquidated(world.other)
    refused = post(client, "/filings/protests/", protest_body(world.other, [theirs]))
    assert refused.status_code == 400 and refused.json()["field"] == "importer"
    ours = recently_liquidated(world.importer)
    assert post(client, "/filings/protests/", protest_body(world.importer, [ours])).status_code == 201
    assert client.get(f"{V1}/entries/{theirs.entry_number}/").status_code == 404
