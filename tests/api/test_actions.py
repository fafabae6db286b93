"""Case actions through the API, one endpoint each, on the workflow services.

Staff actions carry the case version in If-Match (428 without, 409 when stale, 19 CFR rules as the
services apply them); filer actions may carry it. Every answer is the case with its new ETag.
"""

import datetime as dt

import pytest

from cases import services
from cases.models import Case, CaseEvent
from cee_portal.legal_time import legal_today
from tests.api.helpers import V1, client_for, file_protest, make_world, post, recently_liquidated
from tests.factories import protest_input

pytestmark = pytest.mark.django_db


def act(client, ref, action, body=None, version=None, **kw):
    return post(client, f"/cases/{ref}/{action}/", body, version=version, **kw)


def test_claim_then_assign_by_a_supervisor_and_refused_to_a_specialist():
    world = make_world()
    case = file_protest(world)
    ref = case["reference_number"]
    claimed = act(world.staff_client(), ref, "claim", version=case["version"])
    assert claimed.status_code == 200 and claimed.json()["assignee"] == world.specialist.username
    assert claimed["ETag"] == f'"{case["version"] + 1}"'
    colleague = type(world.specialist).objects.create(
        username="colleague", role="specialist", center=world.specialist.center
    )
    refused = act(world.staff_client(), ref, "assign", {"assignee": "colleague"}, claimed.json()["version"])
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    boss = client_for(world.supervisor)
    done = act(boss, ref, "assign", {"assignee": colleague.username}, claimed.json()["version"])
    assert done.status_code == 200 and done.json()["assignee"] == "colleague"
    unknown = act(boss, ref, "assign", {"assignee": "nobody"}, done.json()["version"])
    assert unknown.status_code == 400 and unknown.json()["field"] == "assignee"
    cleared = act(boss, ref, "assign", {"assignee": None}, done.json()["version"])
    assert cleared.status_code == 200 and cleared.json()["assignee"] is None


def test_staff_of_another_center_may_see_but_not_act():
    world = make_world()
    case = file_protest(world)
    other = client_for(world.other_center_specialist)
    assert other.get(f"{V1}/cases/{case['reference_number']}/").status_code == 200
    refused = act(other, case["reference_number"], "claim", version=case["version"])
    assert refused.status_code == 403


def test_staff_action_without_if_match_is_428_and_changes_nothing():
    world = make_world()
    case = file_protest(world)
    response = act(world.staff_client(), case["reference_number"], "claim")
    assert response.status_code == 428 and response.json()["code"] == "precondition_required"
    assert Case.objects.get().assignee is None


@pytest.mark.parametrize("header", ['"1"', "1", 'W/"1"'])
def test_if_match_accepts_the_etag_strong_weak_or_bare(header):
    world = make_world()
    case = file_protest(world)
    assert case["version"] == 1
    response = world.staff_client().post(
        f"{V1}/cases/{case['reference_number']}/claim/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-" + header,
        HTTP_IF_MATCH=header,
    )
    assert response.status_code == 200


def test_malformed_if_match_is_refused_on_its_field():
    world = make_world()
    case = file_protest(world)
    response = world.staff_client().post(
        f"{V1}/cases/{case['reference_number']}/claim/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
        HTTP_IF_MATCH='"one"',
    )
    assert response.status_code == 400 and response.json()["field"] == "If-Match"


@pytest.mark.parametrize("offset", [-1, 1])
def test_stale_version_answers_409_with_the_current_version_and_changes_nothing(offset):
    world = make_world()
    case = file_protest(world)
    ref = case["reference_number"]
    current = act(world.staff_client(), ref, "start-review", version=case["version"]).json()["version"]
    response = act(world.staff_client(), ref, "suspend", {"note": "test case"}, current + offset)
    body = response.json()
    assert response.status_code == 409 and body["code"] == "stale_version" and body["field"] == "version"
    assert body["current_version"] == current
    stored = Case.objects.get()
    assert stored.status == "under_review" and stored.version == current


def test_review_suspend_resume_decide_and_close():
    world = make_world()
    case = file_protest(world)
    ref, staff = case["reference_number"], world.staff_client()
    version = case["version"]
    for action, status in [
        ("start-review", "under_review"),
        ("suspend", "suspended"),
        ("resume", "under_review"),
    ]:
        response = act(staff, ref, action, {"note": action}, version)
        assert response.status_code == 200 and response.json()["status"] == status, response.json()
        version = response.json()["version"]
    denied = act(staff, ref, "decide", {"outcome": "denied", "reasons": "GRI 1 governs"}, version)
    body = denied.json()
    assert denied.status_code == 200 and body["status"] == "denied", body
    assert body["decision"]["notice_mailed_on"] == legal_today().isoformat()
    assert body["objections"][0]["outcome"] == "denied"
    closed = act(staff, ref, "close", {}, body["version"])
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    illegal = act(staff, ref, "resume", {}, closed.json()["version"])
    assert illegal.status_code == 400 and illegal.json()["code"] == "illegal_transition"


def test_allowance_needs_a_refund_amount():
    world = make_world()
    case = file_protest(world)
    staff = world.staff_client()
    refused = act(staff, case["reference_number"], "decide", {"outcome": "allowed", "reasons": "ok"}, 1)
    assert refused.status_code == 400 and refused.json()["field"] == "refund_amount"
    allowed = act(
        staff,
        case["reference_number"],
        "decide",
        {"outcome": "allowed", "reasons": "ok", "refund_amount": "125.50"},
        1,
    )
    assert allowed.status_code == 200 and allowed.json()["decision"]["refund_amount"] == "125.50"


def test_decision_dated_tomorrow_is_refused():
    world = make_world()
    case = file_protest(world)
    tomorrow = (legal_today() + dt.timedelta(days=1)).isoformat()
    response = act(
        world.staff_client(),
        case["reference_number"],
        "decide",
        {"outcome": "denied", "reasons": "r", "decided_on": tomorrow},
        1,
    )
    assert response.status_code == 400 and response.json()["field"] == "decided_on"


def test_filer_may_not_decide_and_staff_may_not_withdraw():
    world = make_world()
    case = file_protest(world)
    ref = case["reference_number"]
    assert (
        act(
            world.filer_client(),
            ref,
            "decide",
            {"outcome": "allowed", "reasons": "x", "refund_amount": "1"},
            1,
        ).status_code
        == 403
    )
    assert act(world.staff_client(), ref, "withdraw", {}, 1).status_code == 403
    withdrawn = act(world.filer_client(), ref, "withdraw", {"note": "settled"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_amend_adds_an_objection_and_an_argument():
    world = make_world()
    case = file_protest(world)
    response = act(
        world.filer_client(),
        case["reference_number"],
        "amend",
        {
            "objections": [
                {"protested_decision": "classification", "text": "Or 8429.59", "justification": "EN"}
            ],
            "arguments": [{"objection": 1, "argument": "See HQ H123456"}],
        },
    )
    body = response.json()
    assert response.status_code == 200, body
    assert [o["number"] for o in body["objections"]] == [1, 2]
    assert "HQ H123456" in body["objections"][0]["justification"]
    nothing = act(world.filer_client(), case["reference_number"], "amend", {})
    assert nothing.status_code == 400
    unknown = act(
        world.filer_client(),
        case["reference_number"],
        "amend",
        {"arguments": [{"objection": 9, "argument": "x"}]},
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "arguments"


def test_cf28_issued_by_staff_is_answered_by_the_filer_and_cf29_objected_to():
    world = make_world()
    case = file_protest(world)
    ref, staff = case["reference_number"], world.staff_client()
    issued = act(staff, ref, "request-information", {"questions": "Send the invoice"}, case["version"])
    cf28 = issued.json()
    assert issued.status_code == 201 and cf28["kind"] == "cf28" and cf28["parent"] == ref
    assert cf28["cf28"]["questions"] == "Send the invoice"
    wrong = act(world.filer_client(), cf28["reference_number"], "object", {"answer": "no"})
    assert wrong.status_code == 400
    answered = act(world.filer_client(), cf28["reference_number"], "reply", {"answer": "Attached"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    parent_version = world.staff_client().get(f"{V1}/cases/{ref}/")["ETag"].strip('"')
    notice = act(
        staff, ref, "notice-of-action", {"action_kind": "proposed", "action": "Rate advance"}, parent_version
    )
    cf29 = notice.json()
    assert notice.status_code == 201 and cf29["cf29"]["action_kind"] == "proposed"
    objected = act(world.filer_client(), cf29["reference_number"], "object", {"answer": "We disagree"})
    assert objected.status_code == 200 and objected.json()["cf29"]["answer"] == "We disagree"


def test_request_information_on_an_entry_the_case_does_not_cover_is_refused():
    world = make_world()
    case = file_protest(world)
    stranger = recently_liquidated(world.importer)
    response = act(
        world.staff_client(),
        case["reference_number"],
        "request-information",
        {"questions": "?", "entry_number": stranger.entry_number},
        case["version"],
    )
    assert response.status_code == 400 and response.json()["field"] == "entry_number"


def _old_protest(world, days_ago: int) -> Case:
    entry = recently_liquidated(world.importer, days_ago=days_ago + 20)
    return services.file_protest(
        actor=world.filer,
        importer=world.importer,
        **protest_input([entry]),
        filed_on=legal_today() - dt.timedelta(days=days_ago),
    ).case


@pytest.mark.parametrize("days_ago, ok", [(90, False), (91, True)])
def test_accelerated_disposition_requested_by_the_filer_only_after_90_days(days_ago, ok):
    """19 U.S.C. 1515(b); 19 CFR 174.22: a request mailed 90 days or less after filing is premature."""
    world = make_world()
    case = _old_protest(world, days_ago)
    response = act(world.filer_client(), case.reference_number, "accelerated-disposition", {})
    assert (response.status_code == 200) is ok, response.json()
    if ok:
        assert response.json()["protest"]["accelerated_disposition_mailed_on"] == legal_today().isoformat()
    else:
        assert response.json()["field"] == "mailed_on"


def test_staff_record_a_mailed_accelerated_disposition_request_with_if_match():
    world = make_world()
    case = _old_protest(world, 120)
    mailed = (legal_today() - dt.timedelta(days=5)).isoformat()
    missing = act(
        world.staff_client(), case.reference_number, "accelerated-disposition", {"mailed_on": mailed}
    )
    assert missing.status_code == 428
    done = act(
        world.staff_client(),
        case.reference_number,
        "accelerated-disposition",
        {"mailed_on": mailed},
        case.version,
    )
    assert done.status_code == 200 and done.json()["protest"]["accelerated_disposition_mailed_on"] == mailed


def test_further_review_granted_to_headquarters_or_refused():
    world = make_world()
    body_extra = {"further_review": {"criterion": "a", "justification": "Inconsistent with HQ ruling"}}
    from tests.api.helpers import protest_body

    filed = post(
        world.filer_client(),
        "/filings/protests/",
        protest_body(world.importer, [recently_liquidated(world.importer)], **body_extra),
    ).json()
    staff = world.staff_client()
    refused = act(
        staff, filed["reference_number"], "further-review", {"granted": True, "reason": "x"}, filed["version"]
    )
    assert refused.status_code == 400 and refused.json()["field"] == "review_office"
    granted = act(
        staff,
        filed["reference_number"],
        "further-review",
        {"granted": True, "reason": "Criterion met", "review_office": "headquarters"},
        filed["version"],
    )
    assert granted.status_code == 200 and granted.json()["protest"]["further_review_status"] == "granted"


def test_internal_events_and_actors_stay_with_staff():
    world = make_world()
    case = file_protest(world)
    act(world.staff_client(), case["reference_number"], "claim", version=case["version"])
    staff_events = world.staff_client().get(f"{V1}/cases/{case['reference_number']}/").json()["events"]
    filer_events = world.filer_client().get(f"{V1}/cases/{case['reference_number']}/").json()["events"]
    assert any(e["kind"] == "assignee" for e in staff_events)
    assert not any(e["kind"] == "assignee" for e in filer_events)
    assert all(e["actor"] is None for e in filer_events)
    assert CaseEvent.objects.filter(kind="assignee").count() == 1


def test_allowance_in_part_states_every_objections_outcome_the_refund_and_the_notice():
    """19 CFR 174.30(a): a protest denied in part is noticed; the Court's 180 days run from the mailing."""
    world = make_world()
    case = file_protest(world)
    ref = case["reference_number"]
    amended = act(
        world.filer_client(),
        ref,
        "amend",
        {
            "objections": [
                {"protested_decision": "classification", "text": "Or 8429.59", "justification": "EN"}
            ]
        },
    ).json()
    staff = world.staff_client()
    missing = act(
        staff,
        ref,
        "decide",
        {"outcome": "allowed_in_part", "reasons": "r", "refund_amount": "10.00",
         "objection_outcomes": [{"number": 1, "outcome": "allowed"}]},
        amended["version"],
    )  # fmt: skip
    assert missing.status_code == 400 and missing.json()["field"] == "objection_outcomes"
    decided = act(
        staff,
        ref,
        "decide",
        {"outcome": "allowed_in_part", "reasons": "Heading 8429 for the first", "refund_amount": "10.00",
         "objection_outcomes": [{"number": 1, "outcome": "allowed", "reasons": "GRI 1"},
                                {"number": 2, "outcome": "denied", "reasons": "EN excludes"}]},
        amended["version"],
    )  # fmt: skip
    body = decided.json()
    assert decided.status_code == 200 and body["status"] == "allowed_in_part", body
    assert [o["outcome"] for o in body["objections"]] == ["allowed", "denied"]
    assert body["decision"]["refund_amount"] == "10.00"
    assert body["decision"]["notice_mailed_on"] == legal_today().isoformat()


def test_a_body_that_is_not_json_is_415():
    world = make_world()
    case = file_protest(world)
    response = world.filer_client().post(
        f"{V1}/cases/{case['reference_number']}/withdraw/", "note=x",
        content_type="application/x-www-form-urlencoded", HTTP_IDEMPOTENCY_KEY="form",
    )  # fmt: skip
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
