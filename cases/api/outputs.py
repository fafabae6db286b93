"""Serializers out: what the API answers about cases. Public identifiers only (reference numbers,
entry numbers, IORs, ACE ids, port codes, usernames of CBP staff), never database ids.

Internal matters (the assignee, internal events) reach CBP staff only: `can_view_internal` decides,
through the serializer context's `internal` flag set by the views.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import CaseKind, CaseStatus


def _internal(serializer) -> bool:
    return bool(serializer.context.get("internal"))


class CaseOut(serializers.Serializer):
    """A row of the queue."""

    reference_number = serializers.CharField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    is_open = serializers.BooleanField()
    center = serializers.CharField(source="center.ace_id", help_text="ACE id of the owning Center")
    filing_port = serializers.CharField(source="filing_port_id")
    importer = serializers.CharField(source="importer.ior_number")
    importer_name = serializers.CharField(source="importer.name")
    assignee = serializers.SerializerMethodField(help_text="CBP staff only; null for the importer side")
    filed_on = serializers.DateField()
    next_deadline_on = serializers.DateField(allow_null=True)
    next_deadline_kind = serializers.CharField()
    version = serializers.IntegerField(help_text="Sent back in If-Match (the ETag) by staff actions")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, case):
        if not _internal(self) or case.assignee_id is None:
            return None
        return case.assignee.get_username()


# The API's list reads the queue's rows as values (`case_queue(values=QUEUE_ROW_VALUES)`) and shapes
# each as CaseOut shows a case, in plain Python: for 50 rows DRF's fields and the model instances
# behind them cost more than the query (tests/api/test_cases.py holds the two to the same JSON).
QUEUE_ROW_VALUES = (
    "reference_number",
    "kind",
    "status",
    "is_open",
    "center__ace_id",
    "filing_port_id",
    "importer__ior_number",
    "importer__name",
    "assignee__username",
    "filed_on",
    "next_deadline_on",
    "next_deadline_kind",
    "version",
)


def queue_row(row: dict, *, internal: bool) -> dict:
    """One row of `case_queue(values=QUEUE_ROW_VALUES)` as CaseOut would serialize that case."""
    deadline = row["next_deadline_on"]
    return {
        "reference_number": row["reference_number"],
        "kind": row["kind"],
        "status": row["status"],
        "is_open": row["is_open"],
        "center": row["center__ace_id"],
        "filing_port": row["filing_port_id"],
        "importer": row["importer__ior_number"],
        "importer_name": row["importer__name"],
        "assignee": row["assignee__username"] if internal else None,
        "filed_on": row["filed_on"].isoformat(),
        "next_deadline_on": deadline.isoformat() if deadline is not None else None,
        "next_deadline_kind": row["next_deadline_kind"],
        "version": row["version"],
    }


class CasePage(serializers.Serializer):
    results = CaseOut(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as `cursor` for the next page")


class CaseEntryOut(serializers.Serializer):
    entry_number = serializers.CharField(source="entry.entry_number")
    port = serializers.CharField(source="entry.port_id")
    merchandise_category = serializers.CharField()
    protested_decision = serializers.CharField()
    protested_act = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    active = serializers.BooleanField()


class DeadlineOut(serializers.Serializer):
    kind = serializers.CharField()
    due_on = serializers.DateField()
    period_ends_on = serializers.DateField(allow_null=True)
    state = serializers.CharField()
    citation = serializers.CharField()
    rule = serializers.CharField()
    warnings = serializers.CharField()


class ProtestantOut(serializers.Serializer):
    identifier = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    agent_name = serializers.CharField()
    filed_on = serializers.DateField()
    bond_demand_mailed_on = serializers.DateField(allow_null=True)
    joined = serializers.BooleanField()


class ObjectionOut(serializers.Serializer):
    number = serializers.IntegerField()
    protested_decision = serializers.CharField()
    text = serializers.CharField()
    justification = serializers.CharField()
    added_on = serializers.DateField()
    outcome = serializers.CharField()
    outcome_reasons = serializers.CharField()


class ProtestOut(serializers.Serializer):
    merchandise_category = serializers.CharField()
    description = serializers.CharField()
    related_protest = serializers.CharField()
    is_exclusion = serializers.BooleanField()
    accelerated_disposition_mailed_on = serializers.DateField(allow_null=True)
    further_review_status = serializers.CharField(source="afr_status")
    further_review_filed_on = serializers.DateField(source="afr_filed_on", allow_null=True)
    further_review_criterion = serializers.CharField(source="afr_criterion")
    further_review_justification = serializers.CharField(source="afr_justification")
    further_review_decided_on = serializers.DateField(source="afr_decided_on", allow_null=True)
    review_office = serializers.CharField()
    review_center = serializers.CharField(source="review_center.ace_id", allow_null=True, default=None)


class PscLineOut(serializers.Serializer):
    line_number = serializers.IntegerField()
    hts_number = serializers.CharField()
    entered_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    duty = serializers.DecimalField(max_digits=14, decimal_places=2)


class PscOut(serializers.Serializer):
    entry_number = serializers.CharField(source="entry.entry_number")
    reason_code = serializers.CharField()
    explanation = serializers.CharField()
    lines = PscLineOut(many=True)


class PicOut(serializers.Serializer):
    entry_number = serializers.CharField(source="entry.entry_number")
    agreement = serializers.CharField(source="agreement_id")
    certificate_of_origin = serializers.CharField()


class RequestOut(serializers.Serializer):
    """A CF-28's questions or a CF-29's action, and the importer's answer."""

    entry_number = serializers.CharField(source="entry.entry_number")
    questions = serializers.CharField(required=False)
    action_kind = serializers.CharField(required=False)
    action = serializers.CharField(required=False)
    due_on = serializers.DateField(allow_null=True)
    answer = serializers.CharField()
    answered_on = serializers.DateField(allow_null=True)


class DecisionOut(serializers.Serializer):
    outcome = serializers.CharField()
    decided_on = serializers.DateField()
    reasons = serializers.CharField()
    refund_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    notice_mailed_on = serializers.DateField(allow_null=True)


class EventOut(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    kind = serializers.CharField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()
    message = serializers.CharField()
    actor = serializers.SerializerMethodField(
        help_text="Username; CBP staff only (null for the importer side)"
    )
    on_behalf_of = serializers.CharField(source="on_behalf_of.ior_number", allow_null=True, default=None)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        if not _internal(self) or event.actor_id is None:
            return None
        return event.actor.get_username()


class CaseDetailOut(CaseOut):
    """The case page: the row, its entries, deadlines, details of its kind, decision and timeline."""

    parent = serializers.CharField(source="parent.reference_number", allow_null=True, default=None)
    children = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField(help_text="Status -> who may make the move")
    entries = CaseEntryOut(source="entry_links", many=True)
    deadlines = DeadlineOut(many=True)
    protestants = ProtestantOut(many=True)
    objections = ObjectionOut(many=True)
    protest = serializers.SerializerMethodField()
    psc = serializers.SerializerMethodField()
    pic = serializers.SerializerMethodField()
    cf28 = serializers.SerializerMethodField()
    cf29 = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    events = EventOut(many=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_children(self, case):
        return [child.reference_number for child in case.children.all()]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_allowed_moves(self, case):
        return {to: str(who) for to, who in case.allowed_moves().items()}

    def _detail(self, case, kind: str, name: str, serializer):
        if case.kind != kind:
            return None
        return serializer(getattr(case, name), context=self.context).data

    @extend_schema_field(ProtestOut(allow_null=True))
    def get_protest(self, case):
        return self._detail(case, CaseKind.PROTEST, "protest", ProtestOut)

    @extend_schema_field(PscOut(allow_null=True))
    def get_psc(self, case):
        return self._detail(case, CaseKind.PSC, "psc", PscOut)

    @extend_schema_field(PicOut(allow_null=True))
    def get_pic(self, case):
        return self._detail(case, CaseKind.PIC, "pic", PicOut)

    @extend_schema_field(RequestOut(allow_null=True))
    def get_cf28(self, case):
        return self._detail(case, CaseKind.CF28, "cf28", RequestOut)

    @extend_schema_field(RequestOut(allow_null=True))
    def get_cf29(self, case):
        return self._detail(case, CaseKind.CF29, "cf29", RequestOut)

    @extend_schema_field(DecisionOut(allow_null=True))
    def get_decision(self, case):
        # The reverse one-to-one raises when there is no decision yet; hasattr() answers False then.
        return DecisionOut(case.decision).data if hasattr(case, "decision") else None


class FilingOut(CaseDetailOut):
    joined = serializers.BooleanField(
        help_text="True when the protest joined an existing protest of the same entries (19 CFR 174.15)"
    )
