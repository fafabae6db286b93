"""Accepting an invitation (issue 13 item 2): the link from the email, usable once, until it expires.

Open to anyone holding the link (no sign-in: the invitee has no account yet); a used, expired or
unknown link says so and creates nothing.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from importers import services


class AcceptForm(forms.Form):
    username = forms.CharField(label="Choose a username", max_length=150)
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput)
    password2 = forms.CharField(label="Type the password again", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


def accept(request, token):
    invitation = services.invitation_by_token(token)
    state = services.invitation_state(invitation, now=timezone.now()) if invitation else "unknown"
    if state != "pending":
        # A cancelled link says so (the administrator withdrew it); the others cannot be used either.
        context = {"title": "Invitation", "state": state, "invitation": invitation}
        return render(request, "portal/invitation_invalid.html", context, status=404)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = {"password": "password1"}.get(field, field)
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(request, "Your account is ready: sign in with your new username and password.")
            return redirect("login")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portal/invitation.html",
        {"form": form, "invitation": invitation, "title": "Invitation"},
        status=status,
    )
