"""The case page's action forms: shape only (types, required fields). Every rule is the service's;
a refusal comes back onto the form beside its field (web.staff.case)."""

from django import forms

from cases.models import CaseKind, CaseStatus, NoticeOfAction, ProtestDetail
from cases.selectors import assignable_staff
from importers.models import Center

OUTCOME_LABELS = {
    CaseStatus.ALLOWED: "Allow",
    CaseStatus.ALLOWED_IN_PART: "Allow in part",
    CaseStatus.DENIED: "Deny",
    CaseStatus.ACCEPTED: "Accept",
    CaseStatus.REJECTED: "Reject",
}


class DateInput(forms.DateInput):
    input_type = "date"


class ActionForm(forms.Form):
    """Every action carries the case version and the last timeline event the page was rendered with."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    seen_event = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, case, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)


class ClaimForm(ActionForm):
    pass


class AssignForm(ActionForm):
    assignee = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Nobody (unassign)",
        help_text="Staff of the case's Center, or national staff.",
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(case)
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.get_username()} ({u.get_role_display()})"
        )


class _EntryChoiceForm(ActionForm):
    entry = forms.ChoiceField(label="Entry")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        # The case's entries are prefetched by case_detail: no query here.
        self.fields["entry"].choices = [
            (link.entry.entry_number, link.entry.formatted_number) for link in case.entry_links.all()
        ]


class InformationRequestForm(_EntryChoiceForm):
    questions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, case, due, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        # The answer date is the rule's (cases.deadlines.cf28_response_due), shown before issuing.
        answer = f"Answer due {due.due_on:%Y-%m-%d} if issued today ({due.citation})."
        self.fields["questions"].help_text = f"What the importer is asked. {answer}"


class NoticeOfActionForm(_EntryChoiceForm):
    action_kind = forms.ChoiceField(label="Kind of notice", choices=NoticeOfAction.ActionKind.choices)
    action = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="The action proposed or taken."
    )


class AcceleratedDispositionForm(ActionForm):
    mailed_on = forms.DateField(
        label="Request mailed on",
        widget=DateInput,
        help_text="Certified- or registered-mail date of the protestant's request (19 CFR 174.22).",
    )


class DecideForm(ActionForm):
    outcome = forms.ChoiceField(widget=forms.RadioSelect)
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    decided_on = forms.DateField(label="Decided on", widget=DateInput)
    refund_amount = forms.DecimalField(
        label="Refund (US dollars)",
        required=False,
        min_value=0,
        # The column's digits (Decision.refund_amount): a larger amount is refused here, not by the database.
        max_digits=14,
        decimal_places=2,
        help_text="For an allowance, in whole or in part.",
    )
    notice_mailed_on = forms.DateField(
        label="Denial notice mailed on",
        required=False,
        widget=DateInput,
        help_text="A denial in whole or in part: the Court's 180 days run from this mailing "
        "(19 CFR 174.30(a), 174.31(a)); the decision date when left empty.",
    )

    def __init__(self, *args, case, outcomes, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["outcome"].choices = [(o, OUTCOME_LABELS[o]) for o in outcomes]
        if case.kind == CaseKind.PROTEST:
            for objection in case.objections.all():  # prefetched by case_detail
                self.fields[f"objection_{objection.number}"] = forms.ChoiceField(
                    label=f"Objection {objection.number}: {objection.get_protested_decision_display()}",
                    required=False,
                    choices=[("", "Follows the decision"), ("allowed", "Allowed"), ("denied", "Denied")],
                    help_text="Needed for each objection when allowing in part.",
                )

    def objection_outcomes(self) -> dict[int, tuple[str, str]]:
        reasons = self.cleaned_data.get("reasons", "")
        return {
            int(name.removeprefix("objection_")): (value, reasons)
            for name, value in self.cleaned_data.items()
            if name.startswith("objection_") and value
        }


class FurtherReviewForm(ActionForm):
    decision = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[("grant", "Grant further review"), ("refuse", "Refuse further review")],
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    review_office = forms.ChoiceField(
        label="Review by",
        required=False,
        choices=[("", "—")] + [c for c in ProtestDetail.ReviewOffice.choices if c[0]],
        help_text="When granting: Headquarters, or a Center reviewer who took no part (19 CFR 174.26).",
    )
    review_center = forms.ModelChoiceField(
        label="Reviewing Center", required=False, queryset=Center.objects.order_by("ace_id")
    )
    decided_on = forms.DateField(label="Decided on", widget=DateInput)


class MoveForm(ActionForm):
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shared with the importer.",
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="CBP staff only: never shown to the importer or broker.",
    )

    def __init__(self, *args, case, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
