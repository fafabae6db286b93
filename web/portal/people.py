"""People and authority on an account (issue 13 item 2): colleagues, invitations, broker delegations.

Importer users of the account see these pages; its administrators act on them (the services check
importers.permissions.can_manage_people). Brokers and everyone else get 404, like a missing account.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.models import CaseKind
from cee_portal.legal_time import legal_today
from importers import services
from importers.permissions import can_manage_people
from importers.selectors import (
    account_people,
    broker_firm_by_filer_code,
    delegation_of_account,
    invitation_to_cancel,
    member_of_account,
    people_account,
)

from ..access import trade_only


class InviteForm(forms.Form):
    email = forms.EmailField(label="Colleague's email", help_text="The invitation link is sent here.")
    as_account_admin = forms.BooleanField(
        label="Make an administrator of the account", required=False,
        help_text="Administrators invite and remove colleagues and delegate to brokers.",
    )  # fmt: skip


class DelegationForm(forms.Form):
    filer_code = forms.CharField(
        label="Broker's filer code", max_length=3, help_text="The brokerage firm's 3-character filer code."
    )
    case_kinds = forms.MultipleChoiceField(
        label="Kinds of case the broker may act on",
        choices=CaseKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label="Last day",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The delegation ends after it.",
    )
    power_of_attorney = forms.CharField(
        label="Power of attorney reference",
        max_length=100,
        help_text="The customs power of attorney the broker acts under (19 CFR 141.46; CBP Form 5291).",
    )


def _refuse(form, exc):
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _granted(firm, importer, delegation) -> str:
    """What was granted, in words: the kinds by their labels, never the stored codes."""
    until = f"until {delegation.ends_on:%Y-%m-%d}" if delegation.ends_on else "until revoked"
    return (
        f"{firm.name} may act for {importer.name} from {delegation.starts_on:%Y-%m-%d} {until} "
        f"on: {'; '.join(delegation.kind_labels)} (delegation {delegation.pk})."
    )


def _render(request, importer, template, **extra):
    context = {
        "account": importer,
        "may_manage": can_manage_people(request.user, importer),
        **account_people(importer),
        **extra,
    }
    return render(request, template, context, status=400 if extra.get("refused") else 200)


@trade_only
def people(request, ior):
    importer = people_account(request.user, ior)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.invite_colleague(
                    actor=request.user,
                    importer=importer,
                    email=form.cleaned_data["email"],
                    as_account_admin=form.cleaned_data["as_account_admin"],
                    now=timezone.now(),
                )
            except (ValidationError, PermissionDenied) as exc:
                _refuse(form, exc)
            else:
                messages.success(request, f"An invitation was sent to {form.cleaned_data['email']}.")
                return redirect("portal:people", ior=importer.ior_number)
        return _render(request, importer, "portal/people.html", form=form, refused=True)
    return _render(request, importer, "portal/people.html", form=form)


def _act(request, importer, act, done: str, page: str = "portal:people"):
    """Run one service act, say what it did (or why it was refused) and go back to the page (PRG)."""
    try:
        act()
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(page, ior=importer.ior_number)


@require_POST
@trade_only
def remove(request, ior, user_id):
    importer = people_account(request.user, ior)
    colleague = member_of_account(importer, user_id)
    return _act(
        request,
        importer,
        lambda: services.remove_colleague(actor=request.user, importer=importer, user=colleague),
        f"{colleague.username} no longer acts for {importer.name}.",
    )


@require_POST
@trade_only
def cancel_invitation(request, ior, pk):
    """An administrator withdraws a pending invitation: its link then says it was cancelled."""
    importer = people_account(request.user, ior)
    invitation = invitation_to_cancel(request.user, importer, pk)
    return _act(
        request,
        importer,
        lambda: services.cancel_invitation(actor=request.user, invitation=invitation, now=timezone.now()),
        f"The invitation to {invitation.email} is cancelled: its link no longer works.",
    )


@trade_only
def delegations(request, ior):
    importer = people_account(request.user, ior)
    form = DelegationForm(request.POST or None, initial={"starts_on": legal_today()})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            firm = broker_firm_by_filer_code(data["filer_code"])
            if firm is None:
                form.add_error(
                    "filer_code", f"No broker firm has the filer code {data['filer_code'].upper()}."
                )
            else:
                try:
                    delegation = services.grant_delegation(
                        actor=request.user,
                        importer=importer,
                        broker_firm=firm,
                        case_kinds=data["case_kinds"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        power_of_attorney=data["power_of_attorney"],
                        today=legal_today(),
                    )
                except (ValidationError, PermissionDenied) as exc:
                    _refuse(form, exc)
                else:
                    messages.success(request, _granted(firm, importer, delegation))
                    return redirect("portal:delegations", ior=importer.ior_number)
        return _render(
            request, importer, "portal/delegations.html", form=form, refused=True, today=legal_today()
        )
    return _render(request, importer, "portal/delegations.html", form=form, today=legal_today())


@require_POST
@trade_only
def revoke(request, ior, pk):
    importer = people_account(request.user, ior)
    delegation = delegation_of_account(request.user, importer, pk)
    return _act(
        request,
        importer,
        lambda: services.revoke_delegation(actor=request.user, delegation=delegation, now=timezone.now()),
        f"Delegation {delegation.pk} is revoked: the broker's access ended now.",
        page="portal:delegations",
    )
