"""Forms of the account-move pages: pin, lift a pin, move by hand, change an HTS -> Center rule.

Each field says which rule it carries out; the services check the same again (they are the writes).
"""

from django import forms

from importers.models import PIN_REASONS, Center

REASON_HELP = (
    "Why the account stays with its Center whatever its commodity mix (81 FR 92978: business "
    "practice, intended use, high relative value, or an appeal in writing to OFO)."
)


class PinForm(forms.Form):
    # The pin, lift and move forms share a page: ids of their own, names as the services call them.
    AUTO_ID = "pin_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.AUTO_ID)
        super().__init__(*args, **kwargs)

    pin_reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Choose a reason"), *PIN_REASONS],
        help_text=REASON_HELP,
        error_messages={
            "required": "Choose the reason for the pin: a manual assignment is a recorded decision "
            "(81 FR 92978).",
            "invalid_choice": "%(value)s is not a reason for a pin: choose business practice, intended use, "
            "high relative value or an appeal to OFO (81 FR 92978).",
        },
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What was decided and by whom, for whoever reads the account's history later.",
        error_messages={"required": "Say in a note what was decided: it is kept with the account's history."},
    )


class UnpinForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "unpin_%s")
        super().__init__(*args, **kwargs)

    note = forms.CharField(
        label="Why the pin is lifted",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded with the account. The next reassignment run may then move it by its mix.",
        error_messages={"required": "Say why the pin is lifted: it is kept with the account's history."},
    )


class MoveForm(PinForm):
    """A move by hand is a pinned move: without a pin the nightly run would move the account back."""

    AUTO_ID = "move_%s"

    to_center = forms.ModelChoiceField(
        label="Move to Center",
        queryset=Center.objects.order_by("ace_id"),
        to_field_name="ace_id",
        empty_label="Choose a Center",
        error_messages={
            "required": "Choose the Center the account moves to.",
            "invalid_choice": "No such Center: choose one of the ten Centers (CEE001-CEE010).",
        },
    )
    # The Center the page showed; a move posted from a page older than another move is refused.
    from_center = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["to_center", "pin_reason", "note"]

    def __init__(self, *args, current_center_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_center_id = current_center_id

    def clean_to_center(self):
        center = self.cleaned_data["to_center"]
        if center.pk == self.current_center_id:
            raise forms.ValidationError(
                f"The account is with {center.ace_id} already: choose another Center, or pin it where it is."
            )
        return center


class HtsRuleForm(forms.Form):
    prefix = forms.RegexField(
        label="HTS prefix",
        regex=r"^([0-9]{2}|[0-9]{4})$",
        max_length=4,
        error_messages={
            "required": "Give the HTS chapter (2 digits) or heading (4 digits) the rule is for.",
            "invalid": "Give an HTS chapter (2 digits, e.g. 84) or heading (4 digits, e.g. 8429): "
            "the rules map chapters and headings to Centers, the longest matching prefix winning.",
        },
        help_text="2 digits (a chapter) or 4 digits (a heading). A heading rule overrides its chapter's.",
    )
    center = forms.ModelChoiceField(
        label="Center",
        queryset=Center.objects.order_by("ace_id"),
        to_field_name="ace_id",
        empty_label="Choose a Center",
        error_messages={
            "required": "Choose the Center the rule sends these goods to.",
            "invalid_choice": "No such Center: choose one of the ten Centers (CEE001-CEE010).",
        },
    )
    confirm = forms.CharField(widget=forms.HiddenInput, required=False)
