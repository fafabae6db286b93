"""Where each signed-in user works: `/` and the sign-in page send every role to its place."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse


def workplace_url(user) -> str:
    """The queue for CBP staff (administrators included), the portal for importer users and brokers.

    A superuser made with `createsuperuser` keeps the default role (importer user) and belongs to no
    account: such an administrator works in the admin.
    """
    if user.is_cbp_staff:
        return reverse("staff:queue")
    if user.is_staff:
        return reverse("admin:index")
    return reverse("portal:home")


@login_required
def home(request):
    """Send the user to their workplace; anonymous visitors go to the sign-in page first."""
    return redirect(workplace_url(request.user))
