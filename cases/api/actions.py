"""Commands on a case, each its own endpoint (POST /api/v1/cases/{reference}/<action>/).

Every action takes an Idempotency-Key; staff actions also take the case's ETag in If-Match (428
without it, 409 when stale). Each view parses its body, fetches the case through the selector
(invisible: 404) and calls one service, whose predicates decide who may act (403) and whose rules
refuse (400). The answer is the case as the caller sees it, with its new ETag.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from cee_portal.api import READ_ERRORS, StaleErrorSerializer, error
from cee_portal.legal_time import legal_today

from .. import services
from ..exceptions import CaseError
from ..models import CaseStatus
from ..services.workflow import lock_case
from . import inputs, lookups
from .outputs import CaseDetailOut
from .safety import IDEMPOTENCY_KEY, IF_MATCH_OPTIONAL, IF_MATCH_REQUIRED, expected_version, idempotent
from .views import case_response

ACTION_ERRORS = {
    400: error("Refused by a rule (the field and the rule are named), or a malformed header"),
    401: READ_ERRORS[401],
    403: error("The caller sees the case but may not take this action"),
    404: READ_ERRORS[404],
    409: error("The case changed since its ETag was read: reload it (current_version)", StaleErrorSerializer),
    415: error("The body is not JSON (application/json)"),
    422: error("The Idempotency-Key was used for another request"),
    429: READ_ERRORS[429],
}
STAFF_ERRORS = {**ACTION_ERRORS, 428: error("If-Match is missing: staff actions name the case version")}


class CaseAction(APIView):
    """One command. Subclasses set `body` (the input serializer or None) and write `act`."""

    body = None
    # "staff": If-Match required; "filer": optional; "either": required of CBP staff only.
    side = "staff"
    created = False

    def post(self, request, reference):
        return idempotent(request, lambda: self._run(request, reference))

    def _run(self, request, reference):
        # The case first: an invisible case answers 404 whatever the body, like a missing one.
        case = lookups.case_for(request.user, reference)
        required = self.side == "staff" or (self.side == "either" and request.user.is_cbp_staff)
        version = expected_version(request, required=required)
        data = {}
        if self.body is not None:
            serializer = self.body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        result = self.act(request, case, data, version)
        return case_response(request, result, status=201 if self.created else 200)

    def act(self, request, case, data, version):  # pragma: no cover - every subclass writes it
        raise NotImplementedError


def action_schema(operation_id: str, summary: str, body=None, *, side: str = "staff", created: bool = False):
    ok = 201 if created else 200
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=body,
        parameters=[IDEMPOTENCY_KEY, IF_MATCH_REQUIRED if side == "staff" else IF_MATCH_OPTIONAL],
        responses={
            ok: OpenApiResponse(
                CaseDetailOut,
                description="The new case (a CF-28 or CF-29 issued on this one)"
                if created
                else "The case after the action",
            ),
            **(ACTION_ERRORS if side == "filer" else STAFF_ERRORS),
        },
        tags=["staff actions" if side == "staff" else "filer actions"],
    )


def _move(to: str):
    def act(self, request, case, data, version):
        return services.transition_case(
            case, to=to, actor=request.user, expected_version=version, note=data.get("note", "")
        )

    return act


# --- The filer side -----------------------------------------------------------------------------------


class Amend(CaseAction):
    body, side = inputs.AmendIn, "filer"

    @action_schema(
        "cases_amend", "Amend a protest: new objections (174.14) or arguments (174.28)", body, side=side
    )
    def post(self, request, reference):
        return super().post(request, reference)

    def act(self, request, case, data, version):
        entries = data["entries"]
        return services.amend_protest(
            case,
            actor=request.user,
            new_objections=[services.ObjectionInput(**o) for o in data["objections"]],
            new_arguments={a["objection"]: a["argument"] for a in data["arguments"]},
            entries=None if entries is None else lookups.entries_named(request.user, entries, "entries"),
            expected_version=version,
        )


class _Answer(CaseAction):
    body, side = inputs.AnswerIn, "filer"
    kind = ""

    def act(self, request, case, data, version):
        if case.kind != self.kind:
            raise CaseError(
                f"Case {case.reference_number} is a {case.get_kind_display()}, not a {self.kind.upper()}."
            )
        return services.answer_request(
            case, actor=request.user, answer=data["answer"], expected_version=version
        )


class Reply(_Answer):
    kind = "cf28"

    @action_schema(
        "cases_reply",
        "Answer a request for information (CF-28; 19 CFR 151.11)",
        inputs.AnswerIn,
        side="filer",
    )
    def post(self, request, reference):
        return super().post(request, reference)


class Object(_Answer):
    kind = "cf29"

    @action_schema(
        "cases_object", "Object to a proposed action (CF-29; 19 CFR 152.2)", inputs.AnswerIn, side="filer"
    )
    def post(self, request, reference):
        return super().post(request, reference)


class Withdraw(CaseAction):
    body, side = inputs.NoteIn, "filer"
    act = _move(CaseStatus.WITHDRAWN)

    @action_schema(
        "cases_withdraw", "Withdraw a protest, PSC or 1520(d) claim before decision", body, side=side
    )
    def post(self, request, reference):
        return super().post(request, reference)


class AcceleratedDisposition(CaseAction):
    body, side = inputs.AcceleratedDispositionIn, "either"

    @action_schema(
        "cases_accelerated_disposition",
        "Request accelerated disposition of a protest, or (staff) record a mailed request (19 CFR 174.22)",
        body,
        side=side,
    )
    def post(self, request, reference):
        return super().post(request, reference)

    def act(self, request, case, data, version):
        return services.request_accelerated_disposition(
            case, actor=request.user, mailed_on=data["mailed_on"] or legal_today(), expected_version=version
        )


# --- CBP staff ----------------------------------------------------------------------------------------


class Claim(CaseAction):
    @action_schema("cases_claim", "Take an open case for oneself")
    def post(self, request, reference):
        return super().post(request, reference)

    def act(self, request, case, data, version):
        return services.assign_case(case, assignee=request.user, actor=request.user, expected_version=version)


class Assign(CaseAction):
    body = inputs.AssignIn

    @action_schema("cases_assign", "Assign a case to a staff member of its Center, or unassign it", body)
    def post(self, request, reference):
        return super().post(request, reference)

    def act(self, request, case, data, version):
        assignee = lookups.staff_named(data["assignee"]) if data["assignee"] else None
        return services.assign_case(case, assignee=assignee, actor=request.user, expected_version=version)


class StartReview(CaseAction):
    body = inputs.NoteIn
    act = _move(CaseStatus.UNDER_REVIEW)

    @action_schema("cases_start_review", "Move a received case under review", body)
    def post(self, request, reference):
        return super().post(request, reference)


class Suspend(CaseAction):
    body = inputs.NoteIn
    act = _move(CaseStatus.SUSPENDED)

    @action_schema("cases_suspend", "Suspend review (e.g. pending a test case)", body)
    def post(self, request, reference):
        return super().post(request, reference)


class Resume(CaseAction):
    body = inputs.NoteIn
    act = _move(CaseStatus.UNDER_REVIEW)

    @action_schema("cases_resume", "Resume review of a suspended case", body)
    def post(self, request, reference):
        return super().post(request, reference)


class Close(CaseAction):
    body = inputs.NoteIn
    act = _move(CaseStatus.CLOSED)

    @action_schema("cases_close", "Close a decided case, or a CF-28/CF-29", body)
    def post(self, request, reference):
        return super().post(request, reference)


class _Issue(CaseAction):
    created = True

    @transaction.atomic
    def act(self, request, case, data, version):
        # The parent is locked at the version the caller saw, so a request is never issued on a case
        # decided meanwhile; the issue services themselves check who may issue (19 CFR 151.11, 152.2).
        parent = lock_case(case, version)
        entry = lookups.case_entry(case, request.user, data["entry_number"])
        return self.issue(request, parent, entry, data)


class RequestInformation(_Issue):
    body = inputs.InformationRequestIn

    @action_schema(
        "cases_request_information",
        "Issue a request for information (CF-28) on the case's entry",
        body,
        created=True,
    )
    def post(self, request, reference):
        return super().post(request, reference)

    def issue(self, request, parent, entry, data):
        return services.issue_information_request(
            actor=request.user, entry=entry, questions=data["questions"], parent=parent
        )


class NoticeOfAction(_Issue):
    body = inputs.NoticeOfActionIn

    @action_schema(
        "cases_notice_of_action", "Propose or take an action (CF-29) on the case's entry", body, created=True
    )
    def post(self, request, reference):
        return super().post(request, reference)

    def issue(self, request, parent, entry, data):
        return services.issue_notice_of_action(
            actor=request.user,
            entry=entry,
            action_kind=data["action_kind"],
            action=data["action"],
            parent=parent,
        )


class Decide(CaseAction):
    body = inputs.DecideIn

    @action_schema("cases_decide", "Decide: allow, allow in part or deny (PSC: accept or reject)", body)
    def post(self, request, reference):
        return super().post(request, reference)

    def act(self, request, case, data, version):
        return services.decide_case(
            case,
            actor=request.user,
            outcome=data["outcome"],
            reasons=data["reasons"],
            decided_on=data["decided_on"],
            refund_amount=data["refund_amount"],
            notice_mailed_on=data["notice_mailed_on"],
            objection_outcomes={
                o["number"]: (o["outcome"], o["reasons"]) for o in data["objection_outcomes"]
            },
            expected_version=version,
        )


class FurtherReview(CaseAction):
    body = inputs.FurtherReviewDecisionIn

    @action_schema(
        "cases_further_review", "Grant or refuse an application for further review (174.25-.26)", body
    )
    def post(self, request, reference):
        return super().post(request, reference)

    def act(self, request, case, data, version):
        center = data["review_center"]
        return services.decide_further_review(
            case,
            actor=request.user,
            granted=data["granted"],
            reason=data["reason"],
            review_office=data["review_office"],
            review_center=lookups.center_named(center, "review_center") if center else None,
            decided_on=data["decided_on"],
            expected_version=version,
        )
