"""Issue 15 item 3: hostile values in every field of the portal's filing forms (protest, PSC, 1520(d),
CF-28 answer, accelerated disposition) and the message form.

Each example posts a valid form with one field replaced by a generated value. Whatever the value:
no server error; either the filing is accepted and stores what the value means (the account's entry,
the date, the amount, the text as typed), or it is refused with the message beside that field and no
row of any case table is written (counted before and after). Each example is rolled back.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

import pytest
from django.utils.formats import get_format
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import Case, Message
from cee_portal.legal_time import legal_today
from importers.identifiers import normalize_entry_number, normalize_hts
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)
from tests.hostile import strategies as s
from tests.hostile.checks import HOSTILE, error_places, rolled_back, row_counts

pytestmark = pytest.mark.django_db

TODAY = legal_today()


class World:
    def __init__(self):
        self.importer = ImporterFactory()
        self.filer = trade_user(self.importer)
        self.liquidated = liquidated_entry(self.importer, TODAY - dt.timedelta(days=10))
        self.excluded = EntryFactory(importer=self.importer, entry_date=TODAY - dt.timedelta(days=30))
        self.open_entry = EntryFactory(
            importer=self.importer,
            entry_date=TODAY - dt.timedelta(days=10),
            scheduled_liquidation_date=TODAY + dt.timedelta(days=304),
        )
        self.others = liquidated_entry(ImporterFactory(), TODAY - dt.timedelta(days=10))
        self.protest = services.file_protest(
            actor=self.filer,
            importer=self.importer,
            **protest_input([liquidated_entry(self.importer, TODAY - dt.timedelta(days=200))]),
            filed_on=TODAY - dt.timedelta(days=100),
        ).case
        self.cf28 = services.issue_information_request(
            actor=staff_user(), entry=self.open_entry, questions="Send the invoice", issued_on=TODAY
        )

    def numbers(self):
        return [self.liquidated.formatted_number, self.others.formatted_number]


@pytest.fixture
def world(client):
    made = World()
    made.filer.save()
    client.force_login(made.filer, backend="django.contrib.auth.backends.ModelBackend")
    return made


def protest_data(w: World) -> dict:
    return {
        "filing_token": "t" * 32,
        "protestant_name": w.importer.name,
        "protestant_identifier": w.importer.ior_number,
        "protestant_role": "importer",
        "description": "Hydraulic excavators",
        "entries-TOTAL_FORMS": "1",
        "entries-INITIAL_FORMS": "0",
        "entries-0-entry": w.liquidated.formatted_number,
        "entries-0-decision": "classification",
        "objections-TOTAL_FORMS": "1",
        "objections-INITIAL_FORMS": "0",
        "objections-0-protested_decision": "classification",
        "objections-0-text": "Classify in 8429.52",
        "objections-0-justification": "GRI 1",
        "file": "1",
    }


def psc_data(w: World) -> dict:
    return {
        "filing_token": "p" * 32,
        "entry": w.open_entry.formatted_number,
        "reason_code": "01",
        "explanation": "Classification corrected",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-line_number": "1",
        "lines-0-hts_number": "8429.52.1010",
        "lines-0-entered_value": "1000.00",
        "lines-0-duty": "0",
        "file": "1",
    }


def pic_data(w: World) -> dict:
    return {
        "filing_token": "c" * 32,
        "entry": w.open_entry.formatted_number,
        "agreement": "USMCA",
        "certificate_of_origin": "USMCA certification 2026-17",
        "file": "1",
    }


def post(client, url: str, data: dict, field: str, value, places: set[str]):
    """Post `data` with `field` set to `value`; return the response after the shared assertions."""
    data = {**data, field: value}
    before = row_counts()
    response = client.post(url, data)
    assert response.status_code < 500, (field, value)
    if response.status_code != 302:
        assert row_counts() == before, f"a refused {field}={value!r} wrote rows"
        found = error_places(response)
        # A place ending in "*" stands for every field of a formset (its rows' fields).
        beside = found & places or {
            f for f in found for p in places if p.endswith("*") and f.startswith(p[:-1])
        }
        assert beside, f"{field}={value!r} refused without a message beside it: {found}"
    return response


def new_case() -> Case:
    return Case.objects.order_by("-pk").first()


def as_date(text: str) -> dt.date | None:
    """The date a typed value names in one of the locale's input formats (en-us: ISO, 01/15/2026, ...)."""
    for pattern in get_format("DATE_INPUT_FORMATS"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def as_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


# --- Protest ---


@HOSTILE
@given(data=st.data())
def test_protest_entry_number(client, world, data):
    value = data.draw(s.numbers_like(world.numbers()), label="entry")
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/protest/"
        response = post(client, url, protest_data(world), "entries-0-entry", value, {"entries-0-entry"})
        if response.status_code == 302:
            assert normalize_entry_number(value) == world.liquidated.entry_number
            assert new_case().entry_links.get().entry_id == world.liquidated.pk


@HOSTILE
@given(value=s.any_text)
def test_protest_protestant_number(client, world, value):
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/protest/"
        response = post(
            client, url, protest_data(world), "protestant_identifier", value, {"protestant_identifier"}
        )
        if response.status_code == 302:
            assert new_case().protestants.get().identifier == value.strip().upper()


@HOSTILE
@given(value=s.dates_text())
def test_protest_bond_demand_date(client, world, value):
    extra = {"protestant_role": "surety"}
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/protest/"
        response = post(
            client,
            url,
            {**protest_data(world), **extra},
            "bond_demand_mailed_on",
            value,
            {"bond_demand_mailed_on", "protestant_role", "__all__"},
        )
        if response.status_code == 302:
            stored = new_case().protestants.get().bond_demand_mailed_on
            assert stored == as_date(value) or (not value.strip() and stored is None)


@HOSTILE
@given(value=s.dates_text())
def test_protest_decision_date_of_an_exclusion(client, world, value):
    extra = {"entries-0-entry": world.excluded.formatted_number, "entries-0-decision": "exclusion"}
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/protest/"
        response = post(
            client,
            url,
            {**protest_data(world), **extra},
            "entries-0-decision_date",
            value,
            {"entries-0-decision_date", "entries-0-entry", "entries"},
        )
        if response.status_code == 302:
            assert new_case().entry_links.get().decision_date == as_date(value)


@HOSTILE
@given(field=st.sampled_from(["description", "objections-0-text", "protestant_name"]), value=s.any_text)
def test_protest_free_text(client, world, field, value):
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/protest/"
        response = post(client, url, protest_data(world), field, value, {field, "description", "protestant"})
        if response.status_code == 302:
            case = new_case()
            stored = {
                "description": lambda: case.protest.description,
                "objections-0-text": lambda: case.objections.get().text,
                "protestant_name": lambda: case.protestants.get().name,
            }[field]()
            assert stored == value.strip()


@settings(HOSTILE, max_examples=10)  # a count past the formset's cap renders ~1,000 rows: slow
@given(
    field=st.sampled_from(["entries-TOTAL_FORMS", "objections-TOTAL_FORMS", "entries-INITIAL_FORMS"]),
    value=st.one_of(s.any_text, st.integers(-5, 10**6).map(str)),
    add=st.sampled_from(["file", "add_entry", "add_objection", "preview"]),
)
def test_protest_row_counts(client, world, field, value, add):
    """The formsets' management fields and the "add a row" buttons, tampered with."""
    data = {**protest_data(world)}
    del data["file"]
    data[add] = "1"
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/protest/"
        before = row_counts()
        response = client.post(url, {**data, field: value})
        assert response.status_code < 500
        if response.status_code != 302:
            assert row_counts() == before


# --- Post summary correction ---


@HOSTILE
@given(value=s.numbers_like(["8429.52.1010", "8471.30.0100"]))
def test_psc_hts_number(client, world, value):
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/psc/"
        response = post(
            client, url, psc_data(world), "lines-0-hts_number", value, {"lines-0-hts_number", "lines"}
        )
        if response.status_code == 302:
            assert new_case().psc.lines.get().hts_number == normalize_hts(value)


@HOSTILE
@given(field=st.sampled_from(["lines-0-entered_value", "lines-0-duty"]), value=s.amounts_text())
def test_psc_amounts(client, world, field, value):
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/psc/"
        response = post(client, url, psc_data(world), field, value, {field, "lines"})
        if response.status_code == 302:
            line = new_case().psc.lines.get()
            stored = line.entered_value if field.endswith("entered_value") else line.duty
            assert stored == as_amount(value) or (
                field.endswith("duty") and not value.strip() and stored == 0
            )


@HOSTILE
@given(field=st.sampled_from(["lines-0-line_number", "lines-TOTAL_FORMS"]), value=s.any_text)
def test_psc_line_numbers(client, world, field, value):
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/psc/"
        # A count changed by hand (even in Arabic-Indic digits, which Django reads as a number) gives
        # that many rows: the refusal is beside the rows' fields.
        post(
            client,
            url,
            psc_data(world),
            field,
            value,
            {field, "lines", "lines-__all__", "lines-*"},
        )


@HOSTILE
@given(data=st.data())
def test_psc_entry_number(client, world, data):
    value = data.draw(s.numbers_like([world.open_entry.formatted_number, world.others.formatted_number]))
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/psc/"
        response = post(client, url, psc_data(world), "entry", value, {"entry"})
        if response.status_code == 302:
            assert new_case().psc.entry_id == world.open_entry.pk


# --- 1520(d) claim ---


@HOSTILE
@given(field=st.sampled_from(["entry", "agreement", "certificate_of_origin"]), value=s.any_text)
def test_pic_fields(client, world, field, value):
    with rolled_back():
        url = f"/portal/file/{world.importer.ior_number}/pic/"
        response = post(client, url, pic_data(world), field, value, {field})
        if response.status_code == 302 and field == "certificate_of_origin":
            assert new_case().pic.certificate_of_origin == value.strip()


# --- Actions on filed cases and messages ---


@HOSTILE
@given(field=st.sampled_from(["answer", "version"]), value=s.any_text)
def test_cf28_answer(client, world, field, value):
    case = world.cf28
    data = {"filing_token": "r" * 32, "version": str(case.version), "answer": "Invoice attached", "file": "1"}
    with rolled_back():
        response = post(client, f"/portal/file/case/{case.reference_number}/answer/", data, field, value,
                        {field, "__all__"})  # fmt: skip
        if response.status_code == 302:
            case.refresh_from_db()
            assert case.cf28.answer == (value.strip() if field == "answer" else "Invoice attached")


@HOSTILE
@given(value=s.dates_text())
def test_accelerated_disposition_date(client, world, value):
    case = world.protest
    data = {
        "filing_token": "d" * 32,
        "version": str(case.version),
        "mailed_on": TODAY.isoformat(),
        "file": "1",
    }
    with rolled_back():
        response = post(client, f"/portal/file/case/{case.reference_number}/accelerate/", data, "mailed_on",
                        value, {"mailed_on"})  # fmt: skip
        if response.status_code == 302:
            case.refresh_from_db()
            assert case.protest.accelerated_disposition_mailed_on == as_date(value)


@HOSTILE
@given(value=s.any_text)
def test_message_body(client, world, value):
    case = world.protest
    with rolled_back():
        response = post(client, f"/portal/cases/{case.reference_number}/messages/", {}, "message-body", value,
                        {"message-body"})  # fmt: skip
        if response.status_code == 302:
            assert Message.objects.filter(case=case).get().body == value.strip()
