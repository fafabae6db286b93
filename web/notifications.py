"""Each user's notice preferences (issue 13 item 6): /portal/notifications/ and /notifications/.

One form for both sides; the read is cases.selectors.notification_preferences, the write
cases.services.set_notification_preferences. Every notice is on until the user turns it off.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from cases.exceptions import CaseError
from cases.models import NoticeEvent, NotificationPreference
from cases.selectors import notification_preferences
from cases.services import set_notification_preferences

from .access import staff_only, trade_only


class PreferencesForm(forms.Form):
    """A checkbox per optional notice, labelled with what it is about."""

    def __init__(self, *args, **kwargs):
        # Own ids: the queue's styles claim #id_status.
        super().__init__(*args, auto_id="notice_%s", **kwargs)
        for name in NotificationPreference.optional_fields():
            self.fields[name] = forms.BooleanField(
                label=NoticeEvent(name).label, required=False, label_suffix=""
            )


def _page(request, template: str, url_name: str):
    current = notification_preferences(request.user)
    fields = NotificationPreference.optional_fields()
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                set_notification_preferences(request.user, wanted={f: form.cleaned_data[f] for f in fields})
            except CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Your notification preferences are saved.")
                return redirect(url_name)
    else:
        form = PreferencesForm(initial={f: getattr(current, f) for f in fields})
    return render(request, template, {"form": form, "email": request.user.email})


@trade_only
def portal_preferences(request):
    return _page(request, "portal/notifications.html", "portal:notifications")


@staff_only
def staff_preferences(request):
    return _page(request, "staff/notifications.html", "staff:notifications")
