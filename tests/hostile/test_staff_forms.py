"""Issue 15 item 3: hostile values in the staff case page's action forms (decide, accelerated
disposition, CF-28 and CF-29 from a case, internal note, status moves).

Same contract as the portal's: no server error; accepted and stored as meant, or refused beside the
field with no row written. Each example is rolled back.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import services
from cases.models import Case, CaseEvent, Decision
from cee_portal.legal_time import legal_today
from tests.factories import ImporterFactory, liquidated_entry, protest_input, staff_user, trade_user
from tests.hostile import strategies as s
from tests.hostile.checks import HOSTILE, error_places, rolled_back, row_counts
from tests.hostile.test_portal_forms import as_amount, as_date

pytestmark = pytest.mark.django_db

TODAY = legal_today()


@pytest.fixture
def case(client) -> Case:
    importer = ImporterFactory()
    entry = liquidated_entry(importer, TODAY - dt.timedelta(days=200))
    made = services.file_protest(
        actor=trade_user(importer),
        importer=importer,
        **protest_input([entry]),
        filed_on=TODAY - dt.timedelta(days=100),
    ).case
    specialist = staff_user("CEE010", role="supervisor")
    specialist.save()
    client.force_login(specialist, backend="django.contrib.auth.backends.ModelBackend")
    return made


def act(client, case: Case, action: str, fields: dict, field: str, value):
    data = {f"{action}-expected_version": str(case.version), f"{action}-seen_event": "0"}
    data.update({f"{action}-{name}": v for name, v in fields.items()})
    data[f"{action}-{field}"] = value
    before = row_counts()
    response = client.post(f"/cases/{case.reference_number}/actions/{action}/", data)
    assert response.status_code < 500, (field, value)
    if response.status_code != 302:
        assert row_counts() == before, f"a refused {field}={value!r} wrote rows"
        found = error_places(response)
        expected = {f"{action}-{field}", f"{action}__all__"}
        assert found & expected, f"{field}={value!r} refused without a message beside it: {found}"
    return response


DECIDE = {"outcome": "allowed", "reasons": "Classified as claimed", "decided_on": TODAY.isoformat(),
          "refund_amount": "125.00"}  # fmt: skip


@HOSTILE
@given(value=s.amounts_text())
def test_decide_refund_amount(client, case, value):
    with rolled_back():
        response = act(client, case, "decide", DECIDE, "refund_amount", value)
        if response.status_code == 302:
            assert Decision.objects.get(case=case).refund_amount == as_amount(value)


@HOSTILE
@given(field=st.sampled_from(["decided_on", "notice_mailed_on"]), value=s.dates_text())
def test_decide_dates(client, case, field, value):
    fields = {**DECIDE, "outcome": "denied", "refund_amount": ""}
    with rolled_back():
        response = act(client, case, "decide", fields, field, value)
        if response.status_code == 302:
            decision = Decision.objects.get(case=case)
            stored = decision.decided_on if field == "decided_on" else decision.notice_mailed_on
            assert stored == as_date(value) or (field == "notice_mailed_on" and not value.strip())


@HOSTILE
@given(field=st.sampled_from(["reasons", "expected_version", "seen_event", "outcome"]), value=s.any_text)
def test_decide_text_and_hidden_fields(client, case, field, value):
    with rolled_back():
        response = act(client, case, "decide", DECIDE, field, value)
        if response.status_code == 302 and field == "reasons":
            assert Decision.objects.get(case=case).reasons == value.strip()


@HOSTILE
@given(value=s.dates_text())
def test_accelerated_disposition_mailed_on(client, case, value):
    with rolled_back():
        response = act(client, case, "accelerated_disposition", {}, "mailed_on", value)
        if response.status_code == 302:
            case.refresh_from_db()
            assert case.protest.accelerated_disposition_mailed_on == as_date(value)


@HOSTILE
@given(
    action_field=st.sampled_from(
        [
            ("request_information", "questions"),
            ("notice_of_action", "action"),
            ("note", "text"),
            ("start_review", "note"),
            ("request_information", "entry"),
        ]
    ),  # fmt: skip
    value=s.any_text,
)
def test_free_text_of_case_actions(client, case, action_field, value):
    action, field = action_field
    entry = case.entry_links.get().entry.entry_number
    fields = {"entry": entry, "questions": "Send the invoice", "action_kind": "proposed", "action": "Rate"}
    with rolled_back():
        response = act(client, case, action, fields, field, value)
        if response.status_code == 302 and field != "entry":
            assert CaseEvent.objects.filter(message__contains=value.strip()[:50]).exists() or action in (
                "request_information",
                "notice_of_action",
            )
