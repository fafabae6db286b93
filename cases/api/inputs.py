"""Serializers in: the shape of each filing and action (types, required fields, choices, lengths).

The rules (windows, who may act, which moves) stay in the services; these only refuse what is not
even a well-formed request, naming the field. Dates are bounded so that no date arithmetic of the
statutory clock can leave the calendar.
"""

from datetime import date

from rest_framework import serializers

from ..models import CaseEntry, NoticeOfAction, Protestant, ProtestDetail

EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
MAX_ENTRIES = 250
MAX_OBJECTIONS = 50
MAX_LINES = 999
MAX_TEXT = 20_000


class LegalDate(serializers.DateField):
    """An ISO date from 1900 to 2199."""

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(f"Give a date from {EARLIEST} to {LATEST}.", code="date_range")
        return value


def chars(max_length: int = MAX_TEXT, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, **kwargs)


class ProtestedEntryIn(serializers.Serializer):
    entry_number = chars(20, help_text="Entry number (dashes allowed)")
    protested_decision = serializers.ChoiceField(
        choices=CaseEntry.Decision.choices, default=CaseEntry.Decision.LIQUIDATION
    )
    decision_date = LegalDate(
        required=False,
        allow_null=True,
        help_text="Only for decisions outside liquidation (exclusion, drawback, 1520(d) refusal, charges "
        "outside liquidation): the date of that decision (19 U.S.C. 1514(c)(3)(B))",
    )
    of_reliquidation = serializers.BooleanField(
        default=False, help_text="Protest the decision as made anew by the entry's reliquidation"
    )


class ObjectionIn(serializers.Serializer):
    protested_decision = serializers.ChoiceField(choices=CaseEntry.Decision.choices)
    text = chars()
    justification = chars()


class ProtestantIn(serializers.Serializer):
    identifier = chars(40, help_text="IOR, EIN or other number of the protestant")
    name = chars(200)
    role = serializers.ChoiceField(choices=Protestant.Role.choices, default=Protestant.Role.IMPORTER)
    agent_name = chars(200, required=False, default="", allow_blank=True)
    bond_demand_mailed_on = LegalDate(
        required=False,
        allow_null=True,
        help_text="A surety's protest: the mailing date of the demand on its bond (19 U.S.C. 1514(c)(3))",
    )


class FurtherReviewIn(serializers.Serializer):
    criterion = serializers.ChoiceField(choices=ProtestDetail.AfrCriterion.choices)
    justification = chars()


class ProtestIn(serializers.Serializer):
    """CBP Form 19 (19 CFR 174.13), filed by the importer side for one of its accounts."""

    importer = chars(20, help_text="Importer of record number (IOR) of the account filing")
    filing_port = chars(4, help_text="4-digit port code where the protest is filed")
    entries = ProtestedEntryIn(many=True, max_length=MAX_ENTRIES)
    protestant = ProtestantIn()
    merchandise_category = chars(100, required=False, default="", allow_blank=True)
    description = chars(help_text="Description of the merchandise (174.13(a)(5))")
    objections = ObjectionIn(many=True, max_length=MAX_OBJECTIONS)
    further_review = FurtherReviewIn(required=False, allow_null=True, default=None)
    related_protest = chars(20, required=False, default="", allow_blank=True)


class PscLineIn(serializers.Serializer):
    line_number = serializers.IntegerField(min_value=1, max_value=MAX_LINES)
    hts_number = chars(20)
    entered_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    duty = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)


class PscIn(serializers.Serializer):
    """A post summary correction (19 CFR 101.9(b))."""

    entry_number = chars(20)
    reason_code = chars(10)
    explanation = chars()
    lines = PscLineIn(many=True, max_length=MAX_LINES)


class PicIn(serializers.Serializer):
    """A post-importation preference claim (19 U.S.C. 1520(d); 19 CFR 10.110 and the like)."""

    entry_number = chars(20)
    agreement = chars(10, help_text="Agreement code, e.g. USMCA (GET /api/v1/ reference data)")
    certificate_of_origin = chars(help_text="Certification of origin: reference and statement")


class NoteIn(serializers.Serializer):
    note = chars(required=False, default="", allow_blank=True, help_text="Shown on the case's timeline")


class ArgumentIn(serializers.Serializer):
    objection = serializers.IntegerField(min_value=1, max_value=32767, help_text="Objection number")
    argument = chars()


class AmendIn(serializers.Serializer):
    """Amend a protest: new objections within the window (174.14), arguments before decision (174.28)."""

    objections = ObjectionIn(many=True, max_length=MAX_OBJECTIONS, required=False, default=list)
    arguments = ArgumentIn(many=True, max_length=MAX_OBJECTIONS, required=False, default=list)
    entries = serializers.ListField(
        child=chars(20),
        max_length=MAX_ENTRIES,
        required=False,
        allow_null=True,
        default=None,
        help_text="Entry numbers the new objections concern (default: every protested entry)",
    )


class AnswerIn(serializers.Serializer):
    answer = chars()


class AcceleratedDispositionIn(serializers.Serializer):
    mailed_on = LegalDate(
        required=False,
        allow_null=True,
        default=None,
        help_text="Certified- or registered-mail date of the request (19 CFR 174.22); default today "
        "when the protestant requests it through the API",
    )


class AssignIn(serializers.Serializer):
    assignee = chars(150, allow_null=True, help_text="Username of a CBP staff member, or null to unassign")


class InformationRequestIn(serializers.Serializer):
    questions = chars()
    entry_number = chars(
        20, required=False, allow_null=True, default=None, help_text="Default: the case's first entry"
    )


class NoticeOfActionIn(serializers.Serializer):
    action_kind = serializers.ChoiceField(choices=NoticeOfAction.ActionKind.choices)
    action = chars()
    entry_number = chars(
        20, required=False, allow_null=True, default=None, help_text="Default: the case's first entry"
    )


class ObjectionOutcomeIn(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=32767)
    outcome = serializers.ChoiceField(choices=[("allowed", "Allowed"), ("denied", "Denied")])
    reasons = chars(required=False, default="", allow_blank=True)


class DecideIn(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[
            ("allowed", "Allowed"),
            ("allowed_in_part", "Allowed in part"),
            ("denied", "Denied"),
            ("accepted", "Accepted (PSC)"),
            ("rejected", "Rejected (PSC)"),
        ]
    )
    reasons = chars()
    decided_on = LegalDate(required=False, allow_null=True, default=None, help_text="Default: today")
    refund_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    notice_mailed_on = LegalDate(
        required=False,
        allow_null=True,
        default=None,
        help_text="Denials in whole or in part: mailing date of the notice (19 CFR 174.30(a))",
    )
    objection_outcomes = ObjectionOutcomeIn(
        many=True, max_length=MAX_OBJECTIONS, required=False, default=list
    )


class FurtherReviewDecisionIn(serializers.Serializer):
    granted = serializers.BooleanField()
    reason = chars()
    review_office = serializers.ChoiceField(
        choices=[c for c in ProtestDetail.ReviewOffice.choices if c[0]],
        required=False,
        allow_blank=True,
        default="",
    )
    review_center = chars(
        6, required=False, allow_null=True, default=None, help_text="ACE id of a Center reviewer"
    )
    decided_on = LegalDate(required=False, allow_null=True, default=None, help_text="Default: today")
