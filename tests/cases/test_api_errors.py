"""The one DRF exception handler: every API error is JSON with a code, a message and the field.

Tiny test-only views call the real selectors and services, so the statuses are those a real
endpoint will answer: a refusal 400 with its field, a case the user may see but not act on 403,
a case the user may not see 404 (like a missing one), a stale version 409 with the current one.
"""

import datetime as dt
import json

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from cases import selectors, services
from tests.factories import ImporterFactory, liquidated_entry, protest_input, staff_user, trade_user

pytestmark = pytest.mark.django_db


class ClaimView(APIView):
    """Claim a case at a version, the way the API's staff actions will."""

    def post(self, request, reference):
        case = selectors.case_detail(request.user, reference)
        services.assign_case(
            case, assignee=request.user, actor=request.user, expected_version=int(request.data["version"])
        )
        return _ok()


class FurtherReviewView(APIView):
    def post(self, request, reference):
        case = selectors.case_detail(request.user, reference)
        services.decide_further_review(
            case, actor=request.user, granted=False, reason=request.data.get("reason", "")
        )
        return _ok()


class LineSerializer(serializers.Serializer):
    hts_number = serializers.RegexField(r"^[0-9]{10}$")


class FilingSerializer(serializers.Serializer):
    description = serializers.CharField()
    lines = LineSerializer(many=True)


class SerializerView(APIView):
    def post(self, request):
        FilingSerializer(data=request.data).is_valid(raise_exception=True)
        return _ok()


def _ok():
    from rest_framework.response import Response

    return Response({"ok": True})


@pytest.fixture
def filed():
    importer = ImporterFactory()
    filer = trade_user(importer)
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    case = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    return {"case": case, "filer": filer}


def call(view, user, data, **kwargs):
    request = APIRequestFactory().post("/test/", data, format="json")
    if user is not None:
        force_authenticate(request, user=user)
    response = view.as_view()(request, **kwargs)
    response.render()
    return response.status_code, json.loads(response.content)


def test_stale_version_answers_409_with_the_current_version(filed):
    case = filed["case"]
    specialist = staff_user("CEE010")
    status, body = call(ClaimView, specialist, {"version": case.version - 1}, reference=case.reference_number)
    assert status == 409
    assert (body["code"], body["field"], body["current_version"]) == (
        "stale_version",
        "version",
        case.version,
    )
    assert "nothing was changed" in body["message"]
    case.refresh_from_db()
    assert case.assignee is None
    assert call(ClaimView, specialist, {"version": case.version}, reference=case.reference_number)[0] == 200


def test_visible_case_the_user_may_not_act_on_answers_403(filed):
    case = filed["case"]
    status, body = call(
        ClaimView, staff_user("CEE001"), {"version": case.version}, reference=case.reference_number
    )
    assert status == 403
    assert body["code"] == "not_allowed"
    assert case.reference_number in body["message"]


def test_invisible_case_answers_404_like_a_missing_one(filed):
    stranger = trade_user(ImporterFactory())
    for reference in (filed["case"].reference_number, "2304-26-999999"):
        status, body = call(ClaimView, stranger, {"version": 1}, reference=reference)
        assert (status, body["code"], body["field"]) == (404, "not_found", None)


def test_domain_refusal_answers_400_with_the_field(filed):
    case = filed["case"]
    case.protest.afr_status = "requested"
    case.protest.save()
    status, body = call(
        FurtherReviewView, staff_user("CEE010"), {"reason": " "}, reference=case.reference_number
    )
    assert status == 400
    assert (body["code"], body["field"]) == ("refused", "reason")
    assert body["errors"] == [{"code": "refused", "message": body["message"], "field": "reason"}]


def test_domain_refusal_without_a_field_names_none(filed):
    """A further review not requested is refused for the whole request (19 CFR 174.23)."""
    case = filed["case"]
    status, body = call(
        FurtherReviewView, staff_user("CEE010"), {"reason": "x"}, reference=case.reference_number
    )
    assert (status, body["field"], body["code"]) == (400, None, "refused")
    assert "Further review" in body["message"]


def test_serializer_errors_take_the_same_shape_with_nested_fields():
    status, body = call(
        SerializerView, staff_user(), {"lines": [{"hts_number": "84"}, {"hts_number": "8429521010"}]}
    )
    assert status == 400
    fields = {e["field"]: e["code"] for e in body["errors"]}
    assert fields == {"description": "required", "lines.0.hts_number": "invalid"}
    assert body["field"] in fields


def test_anonymous_caller_gets_401_in_the_same_shape(filed):
    """Token authentication answers 401 with a WWW-Authenticate header (RFC 7235)."""
    request = APIRequestFactory().post("/test/", {"version": 1}, format="json")
    response = ClaimView.as_view()(request, reference=filed["case"].reference_number)
    response.render()
    body = json.loads(response.content)
    assert response.status_code == 401
    assert (body["code"], body["field"]) == ("not_authenticated", None)
    assert response["WWW-Authenticate"]
