"""Issue 15 item 3: hostile JSON at the API's filings and actions.

Each example sends a valid body with one value replaced: by a hostile value of its kind (entry
numbers, IORs, HTS numbers, dates, amounts, text) or by a value of another JSON type (null, number,
list, object, a lone surrogate escape), or replaces the whole body. Whatever is sent: no server
error; either accepted (2xx) and stored as meant, or refused (4xx) with the error naming the field
and no row written. Each example is rolled back.
"""

import datetime as dt
import json
import uuid
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import services
from cases.models import Case, Decision
from importers.identifiers import normalize_entry_number, normalize_hts
from tests.api.helpers import (
    client_for,
    file_protest,
    make_world,
    protest_body,
    recently_liquidated,
    unliquidated,
)
from tests.hostile import strategies as s
from tests.hostile.checks import HOSTILE, rolled_back, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.API_THROTTLE_USER_RATE = "100000/min"
    made = make_world()
    made.entry = recently_liquidated(made.importer)
    made.open_entry = unliquidated(made.importer)
    made.others = recently_liquidated(made.other)
    made.case = Case.objects.get(reference_number=file_protest(made)["reference_number"])
    made.cf28 = services.issue_information_request(
        actor=made.specialist, entry=unliquidated(made.importer), questions="Send the invoice"
    )
    made.filer_api = client_for(made.filer, made.importer)
    made.staff_api = client_for(made.specialist)
    return made


def send(client, path: str, body, *, version=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    if version is not None:
        headers["HTTP_IF_MATCH"] = f'"{version}"'
    # ensure_ascii: a lone surrogate travels as its \\ud800 escape, as a hostile client would send it.
    raw = json.dumps(body, ensure_ascii=True)
    return client.post(f"/api/v1{path}", raw, content_type="application/json", **headers)


def put(body, path: tuple, value):
    """A deep copy of `body` with the value at `path` replaced (the whole body when path is empty)."""
    if not path:
        return value
    body = json.loads(json.dumps(body))
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def check(response, path: tuple, before: dict, value):
    assert response.status_code < 500, (path, value, response.content[:300])
    if response.status_code >= 300:
        assert row_counts() == before, f"a refused {path}={value!r} wrote rows"
        answer = response.json()
        assert answer["message"] and answer["code"], answer
        if path and response.status_code == 400:
            named = {item["field"] for item in answer["errors"]}
            assert any(f and f.split(".")[0] == str(path[0]) for f in named), (path, value, answer)
    return response


def as_date(value):
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- Filings ---


PROTEST_PATHS = {
    ("entries", 0, "entry_number"): "entry",
    ("importer",): "ior",
    ("protestant", "identifier"): "text",
    ("protestant", "bond_demand_mailed_on"): "date",
    ("entries", 0, "decision_date"): "date",
    ("description",): "text",
    ("objections", 0, "text"): "text",
    ("filing_port",): "text",
    ("entries",): "any",
    ("objections",): "any",
    ("further_review",): "any",
    (): "any",
}


def values_for(kind: str, world):
    return {
        "entry": s.numbers_like([world.entry.formatted_number, world.others.formatted_number]),
        "ior": s.numbers_like([world.importer.ior_number, world.other.ior_number]),
        "hts": s.numbers_like(["8429.52.1010", "8471300100"]),
        "date": st.one_of(s.dates_text(), s.json_values),
        "amount": st.one_of(s.amounts_text(), s.json_values),
        "text": st.one_of(s.any_text, s.json_values),
        "any": s.json_values,
    }[kind]


@HOSTILE
@given(data=st.data())
def test_protest_filing(world, data):
    path = data.draw(st.sampled_from(sorted(PROTEST_PATHS, key=str)), label="path")
    value = data.draw(values_for(PROTEST_PATHS[path], world), label="value")
    body = protest_body(world.importer, [world.entry])
    if path == ("entries", 0, "decision_date"):
        body["entries"][0]["protested_decision"] = "exclusion"
    with rolled_back():
        before = row_counts()
        response = check(
            send(world.filer_api, "/filings/protests/", put(body, path, value)), path, before, value
        )
        if response.status_code == 201:
            case = Case.objects.get(reference_number=response.json()["reference_number"])
            if path == ("entries", 0, "entry_number"):
                assert normalize_entry_number(value) == world.entry.entry_number
            if path == ("description",):
                assert case.protest.description == value.strip()
            if path == ("protestant", "bond_demand_mailed_on"):
                assert case.protestants.get().bond_demand_mailed_on == as_date(value)


PSC_PATHS = {
    ("lines", 0, "hts_number"): "hts",
    ("lines", 0, "entered_value"): "amount",
    ("lines", 0, "duty"): "amount",
    ("lines", 0, "line_number"): "any",
    ("entry_number",): "entry",
    ("explanation",): "text",
    ("lines",): "any",
}


@HOSTILE
@given(data=st.data())
def test_psc_filing(world, data):
    path = data.draw(st.sampled_from(sorted(PSC_PATHS, key=str)), label="path")
    value = data.draw(values_for(PSC_PATHS[path], world), label="value")
    body = {
        "entry_number": world.open_entry.entry_number,
        "reason_code": "01",
        "explanation": "Classification corrected",
        "lines": [{"line_number": 1, "hts_number": "8429.52.1010", "entered_value": "1000.00", "duty": "0"}],
    }
    with rolled_back():
        before = row_counts()
        response = check(send(world.filer_api, "/filings/pscs/", put(body, path, value)), path, before, value)
        if response.status_code == 201:
            line = Case.objects.get(reference_number=response.json()["reference_number"]).psc.lines.get()
            if path[-1] == "hts_number":
                assert line.hts_number == normalize_hts(value)
            if path[-1] in ("entered_value", "duty"):
                try:
                    sent = Decimal(str(value).strip())
                except InvalidOperation:
                    sent = None
                assert getattr(line, path[-1]) == sent


# --- Actions ---


@HOSTILE
@given(
    path=st.sampled_from(["refund_amount", "decided_on", "notice_mailed_on", "reasons", "outcome", None]),
    data=st.data(),
)
def test_decide(world, path, data):
    kinds = {"refund_amount": "amount", "decided_on": "date", "notice_mailed_on": "date"}
    value = data.draw(values_for(kinds.get(path, "text"), world), label="value")
    body = {"outcome": "allowed", "reasons": "Classified as claimed", "refund_amount": "125.00"}
    case = world.case
    with rolled_back():
        before = row_counts()
        key = (path,) if path else ()
        response = send(world.staff_api, f"/cases/{case.reference_number}/decide/", put(body, key, value),
                        version=case.version)  # fmt: skip
        check(response, key, before, value)
        if response.status_code < 300 and path == "refund_amount":
            assert Decision.objects.get(case=case).refund_amount == Decimal(str(value).strip())


BASE = {
    "request-information": {"questions": "Send the invoice"},
    "amend": {"arguments": [{"objection": 1, "argument": "See HQ H301234"}]},
}


@HOSTILE
@given(
    action=st.sampled_from(
        [
            ("reply", "answer", "filer"),
            ("messages", "body", "filer"),
            ("amend", "objections", "filer"),
            ("amend", "arguments", "filer"),
            ("accelerated-disposition", "mailed_on", "filer"),
            ("request-information", "questions", "staff"),
            ("request-information", "entry_number", "staff"),
            ("assign", "assignee", "staff"),
            ("start-review", "note", "staff"),
        ]
    ),  # fmt: skip
    value=st.one_of(s.any_text, s.json_values, s.dates_text()),
)
def test_other_actions(world, action, value):
    name, field, side = action
    case = world.cf28 if name == "reply" else world.case
    client = world.filer_api if side == "filer" else world.staff_api
    with rolled_back():
        before = row_counts()
        body = {**BASE.get(name, {}), field: value}
        response = send(client, f"/cases/{case.reference_number}/{name}/", body, version=case.version)
        check(response, (field,), before, value)


@HOSTILE
@given(
    path=st.sampled_from([("entry_number",), ("agreement",), ("certificate_of_origin",), ()]),
    data=st.data(),
)
def test_pic_filing(world, path, data):
    kind = "entry" if path == ("entry_number",) else ("any" if not path else "text")
    entries = [world.open_entry.formatted_number, world.entry.formatted_number, world.others.formatted_number]
    value = data.draw(s.numbers_like(entries) if kind == "entry" else values_for(kind, world), label="value")
    body = {
        "entry_number": world.open_entry.entry_number,
        "agreement": "USMCA",
        "certificate_of_origin": "Cert 1",
    }
    with rolled_back():
        before = row_counts()
        response = check(send(world.filer_api, "/filings/pics/", put(body, path, value)), path, before, value)
        if response.status_code == 201:
            claim = Case.objects.get(reference_number=response.json()["reference_number"]).pic
            if path == ("entry_number",):  # either of the account's entries: both are within the year
                assert claim.entry.entry_number == normalize_entry_number(value)
                assert claim.entry.importer_id == world.importer.pk
            if path == ("certificate_of_origin",):
                assert claim.certificate_of_origin == value.strip()
