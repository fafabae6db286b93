"""The sign-in page; Django's own auth views do the rest (sign-out, password change and reset)."""

from axes.utils import reset as axes_reset
from django.contrib.auth.views import LoginView, PasswordResetConfirmView

from cee_portal.landing import workplace_url


class PortalLoginView(LoginView):
    """Django's sign-in, which sends each role to where it works unless a safe `next` says otherwise."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return workplace_url(self.request.user)


class PortalPasswordResetConfirmView(PasswordResetConfirmView):
    """Setting a new password through the emailed link also lifts a lockout of that account.

    Whoever holds the link proved control of the account's email, which is what the lockout
    page tells a locked-out user to do.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response
