"""The portal's filing forms: each field says what it means and which rule applies.

Forms only parse and shape what was typed; the rules (windows, who may protest, one protest per
entry and category) are the services' (cases.services), whose refusals come back beside the fields
(errors.apply_refusal). Entries are looked up through importers.selectors, limited to the account.
"""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html

from cases.models import CaseEntry, Protestant, ProtestDetail
from importers.models import Port, PreferenceAgreement
from importers.selectors import entry_detail

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


def new_token() -> str:
    """A one-time filing token: a retried POST of the same form files once (cases.services.file_once)."""
    return secrets.token_urlsafe(24)


class FilingForm(forms.Form):
    """A form that files something: it carries its one-time token."""

    filing_token = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "This form has no filing token: reload the page and file again."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("filing_token", new_token())
        super().__init__(*args, **kwargs)


class CaseActionForm(FilingForm):
    """An action on a filed case; `version` refuses a page made before someone else changed the case."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "This page does not say which version of the case it shows: reload it."},
    )


class AccountEntryField(forms.CharField):
    """An entry number, found among the account's entries only (another account's entry: refused)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", "Entry number")
        kwargs.setdefault(
            "help_text",
            "The 11-character entry number (filer code, 7 digits, check digit), dashes optional: "
            "e.g. ABC-1234567-6.",
        )
        super().__init__(*args, **kwargs)
        self.user = self.account = None
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            entry = entry_detail(self.user, value)
        except Http404:
            entry = None
        if entry is None or entry.importer_id != self.account.pk:
            raise ValidationError(
                f"No entry {value} among the entries of {self.account.name} ({self.account.ior_number}): "
                "a filing covers entries of the account it is filed for (19 CFR 174.13(a)).",
                code="not_found",
            )
        return entry


class AccountBoundForm(forms.Form):
    """Forms whose entry fields look entries up in one account for one user."""

    def __init__(self, *args, user=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, AccountEntryField) and account is not None:
                field.user, field.account = user, account
                # As the number is typed, htmx fills the datalist with the account's matching entries.
                field.widget.attrs.update(
                    {
                        "list": "account-entries",
                        "hx-get": reverse("portal:filing:entry_matches", args=[account.ior_number]),
                        "hx-trigger": "input changed delay:300ms",
                        "hx-target": "#account-entries",
                        "hx-swap": "innerHTML",
                    }
                )


# --- Protest (CBP Form 19; 19 U.S.C. 1514; 19 CFR Part 174) ---------------------------------------------


class ProtestForm(FilingForm):
    protestant_name = forms.CharField(
        label="Protestant's name",
        max_length=200,
        help_text="The person protesting: the importer itself, or another person 19 CFR 174.12(a) allows.",
    )
    protestant_identifier = forms.CharField(
        label="Protestant's number",
        max_length=40,
        help_text="Importer number (IOR), EIN or CBP-assigned number of the protestant "
        "(19 CFR 174.13(a)(1)).",
    )
    protestant_role = forms.ChoiceField(
        label="Protestant is",
        choices=Protestant.Role.choices,
        help_text="Who may protest: 19 CFR 174.12(a). A customs broker files as agent for one of these.",
    )
    agent_name = forms.CharField(
        label="Agent (if any)",
        max_length=200,
        required=False,
        help_text="The customs broker or attorney filing for the protestant under a power of attorney "
        "(19 CFR 174.3).",
    )
    bond_demand_mailed_on = forms.DateField(
        label="Demand on the bond mailed on (sureties only)",
        required=False,
        widget=DATE,
        help_text="A surety may protest within 180 days after the mailing of the demand on its bond "
        "(19 U.S.C. 1514(c)(3)). Leave empty unless the protestant is a surety.",
    )
    merchandise_category = forms.CharField(
        label="Category of merchandise",
        max_length=100,
        required=False,
        help_text="Only if the entries cover several categories: one protest per entry and category "
        "(19 U.S.C. 1514(c)(1)). Protests of others on the same entries and category are joined (174.15).",
    )
    description = forms.CharField(
        label="Description of the merchandise",
        widget=TEXT,
        help_text="What was imported, as on the entry summary (19 CFR 174.13(a)(5)).",
    )
    related_protest = forms.CharField(
        label="Related earlier protest (if any)",
        max_length=20,
        required=False,
        help_text="The number of an earlier protest on the same question (19 CFR 174.13(a)(7)).",
    )
    filing_port = forms.CharField(
        label="Port of filing (code)",
        max_length=4,
        required=False,
        help_text="The 4-digit port where the protest is filed; empty: the port of the first entry. "
        "Entries from several ports may share one protest (19 CFR 174.12(d)).",
    )
    further_review = forms.BooleanField(
        label="Apply for further review",
        required=False,
        help_text="Further review by Headquarters or a Center reviewer not involved in the decision, "
        "filed with the protest and within its window (19 CFR 174.23-174.26).",
    )
    afr_criterion = forms.ChoiceField(
        label="Further review criterion",
        required=False,
        choices=[("", "—")] + ProtestDetail.AfrCriterion.choices,
        help_text="The 19 CFR 174.24 ground for further review.",
    )
    afr_justification = forms.CharField(
        label="Why the criterion applies",
        required=False,
        widget=TEXT,
        help_text="For (a): the ruling or decision; (b): the question not ruled on; (c): the facts or "
        "arguments not considered; (d): the refused internal advice request (174.24).",
    )

    def clean_filing_port(self):
        code = self.cleaned_data["filing_port"].strip()
        if not code:
            return None
        port = Port.objects.filter(code=code).first()
        if port is None:
            raise ValidationError(f"{code} is not a port code (4 digits, e.g. 2304 for Laredo).")
        return port

    def clean(self):
        data = super().clean()
        if data.get("further_review"):
            if not data.get("afr_criterion"):
                self.add_error("afr_criterion", "Name the 19 CFR 174.24 criterion for further review.")
            if not (data.get("afr_justification") or "").strip():
                self.add_error("afr_justification", "Say why the criterion applies (19 CFR 174.24).")
        return data


NO_LIQUIDATION = ", ".join(
    str(CaseEntry.Decision(d).label).lower()
    for d in ("exclusion", "drawback", "refusal_1520d", "charges_outside")
)


class ProtestEntryForm(AccountBoundForm):
    entry = AccountEntryField(
        help_text="An entry of this account: type its number and the matching entries are offered. "
        "Several entries may share one protest (19 CFR 174.13(a)(3))."
    )
    decision = forms.ChoiceField(
        label="Protested decision",
        choices=CaseEntry.Decision.choices,
        help_text="The decision protested on this entry (19 U.S.C. 1514(a)).",
    )
    decision_date = forms.DateField(
        label="Decision date (only without liquidation)",
        required=False,
        widget=DATE,
        help_text=f"Only for {NO_LIQUIDATION}: the protest runs from that decision (1514(c)(3)(B)). "
        "Leave empty for decisions made in liquidation: their date is the liquidation's (1514(c)(3)(A)).",
    )
    of_reliquidation = forms.BooleanField(
        label="Made anew by a reliquidation",
        required=False,
        help_text="Tick when protesting what the entry's reliquidation decided: it opens its own window.",
    )


class ObjectionForm(forms.Form):
    protested_decision = forms.ChoiceField(
        label="Decision objected to",
        choices=CaseEntry.Decision.choices,
        help_text="Which protested decision this objection is about (19 U.S.C. 1514(a)).",
    )
    text = forms.CharField(
        label="Objection",
        widget=TEXT,
        help_text='What is wrong with the decision, e.g. "classify in 8429.52.10 at 0%" '
        "(19 CFR 174.13(a)(6)).",
    )
    justification = forms.CharField(
        label="Justification",
        widget=TEXT,
        help_text="The reasons and authority: GRIs, Explanatory Notes, rulings, court decisions "
        "(174.13(a)(6)).",
    )


ProtestEntryFormSet = forms.formset_factory(
    ProtestEntryForm, extra=0, min_num=1, validate_min=True, max_num=50, validate_max=True
)
ObjectionFormSet = forms.formset_factory(
    ObjectionForm, extra=0, min_num=1, validate_min=True, max_num=30, validate_max=True
)


# --- Post summary correction (19 CFR 101.9(b)) and 1520(d) claim --------------------------------------


class PscForm(FilingForm, AccountBoundForm):
    entry = AccountEntryField(
        help_text="An unliquidated entry of this account, not under CBP review (19 CFR 101.9(b))."
    )
    reason_code = forms.CharField(
        label="Reason code",
        max_length=10,
        help_text="The ACE reason code of the correction (e.g. 01 classification, 02 value).",
    )
    explanation = forms.CharField(
        label="Explanation",
        widget=TEXT,
        help_text="What changes and why; the correction replaces the summary.",
    )


class PscLineForm(forms.Form):
    line_number = forms.IntegerField(label="Line", min_value=1, max_value=999)
    hts_number = forms.CharField(
        label="HTS number", max_length=14, help_text="10 digits, dots optional (e.g. 8429.52.1010)."
    )
    entered_value = forms.DecimalField(label="Entered value (USD)", max_digits=14, decimal_places=2)
    duty = forms.DecimalField(label="Duty (USD)", max_digits=14, decimal_places=2, initial=0)


PscLineFormSet = forms.formset_factory(
    PscLineForm, extra=0, min_num=1, validate_min=True, max_num=999, validate_max=True
)


class PicForm(FilingForm, AccountBoundForm):
    entry = AccountEntryField(help_text="An entry of this account imported within the last year.")
    agreement = forms.ModelChoiceField(
        label="Trade agreement",
        queryset=PreferenceAgreement.objects.filter(active=True).order_by("code"),
        to_field_name="code",
        help_text="Only agreements whose implementing acts provide post-importation claims "
        "(19 U.S.C. 1520(d)); for others, a PSC before liquidation or a protest after it.",
    )
    certificate_of_origin = forms.CharField(
        label="Certification of origin",
        widget=TEXT,
        help_text="Its reference and statement; the claim includes it (19 U.S.C. 1520(d)(2)).",
    )


# --- Actions on a filed case ---------------------------------------------------------------------------


class AmendForm(CaseActionForm):
    """New objections (each entry's window, 19 CFR 174.14) and arguments (until decision, 174.28)."""

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        links = list(case.entry_links.all())
        self.entries_by_pk = {str(link.entry_id): link.entry for link in links}
        self.fields["entries"] = forms.MultipleChoiceField(
            label="Entries the new objections concern",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(str(link.entry_id), link.entry.formatted_number) for link in links],
            help_text="New objections must be made within each entry's own protest window "
            "(19 CFR 174.14); none ticked: every entry of the protest.",
        )
        self.argument_fields = []
        for objection in case.objections.all():
            name = f"argument_{objection.number}"
            self.fields[name] = forms.CharField(
                label=f"New argument for objection {objection.number}",
                required=False,
                widget=TEXT,
                # Django renders help text as HTML: the objection is the filer's text, so escape it.
                help_text=format_html(
                    "{} — arguments may be added until decision (19 CFR 174.28).", objection.text[:120]
                ),
            )
            self.argument_fields.append(name)

    def arguments(self) -> dict[int, str]:
        return {
            int(name.split("_")[1]): self.cleaned_data[name].strip()
            for name in self.argument_fields
            if self.cleaned_data.get(name, "").strip()
        }

    def chosen_entries(self):
        chosen = self.cleaned_data.get("entries") or []
        return [self.entries_by_pk[pk] for pk in chosen] or None


AmendObjectionFormSet = forms.formset_factory(ObjectionForm, extra=0, max_num=30, validate_max=True)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the documents service checks, scans and stores each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)] if data else []


class AnswerForm(CaseActionForm):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Answer each question or the proposed action; documents are attached below.",
    )
    documents = MultipleFileField(
        label="Documents (optional)",
        required=False,
        help_text="PDF, PNG, JPEG, TIFF, DOCX, XLSX, CSV or TXT, each up to the size limit; every file is "
        "checked and scanned before it is stored, and a refused file refuses the whole answer.",
    )


class WithdrawForm(CaseActionForm):
    confirm = forms.BooleanField(
        label="I withdraw this filing",
        help_text="A withdrawal before decision ends the case and frees its entries; it cannot be undone.",
    )
    note = forms.CharField(label="Reason (optional)", required=False, widget=TEXT, max_length=2000)


class AcceleratedForm(CaseActionForm):
    mailed_on = forms.DateField(
        label="Request mailed on",
        widget=DATE,
        help_text="The certified- or registered-mail date of your request: only after 90 days following "
        "the filing; the protest is deemed denied if not decided by the 30th day after it "
        "(19 U.S.C. 1515(b); 19 CFR 174.22).",
    )
