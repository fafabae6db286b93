"""Record sign-ins, failed sign-ins, lockouts and sign-outs (SignInEvent).

Django's auth signals are the one place every sign-in path passes (the sign-in page, the admin's
logout, the API's session login), so the receivers below hear them all without each view calling
a recorder.
"""

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import SignInEvent


def record_sign_in_event(kind: str, *, request=None, user=None, username: str = "") -> SignInEvent:
    """Write one audit row for an authentication event."""
    ip = user_agent = None
    if request is not None:
        ip = get_client_ip_address(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=ip or None,
        user_agent=user_agent or "",
    )


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def _signed_in(sender, request, user, **kwargs):
    record_sign_in_event(SignInEvent.Kind.SIGNED_IN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_failed")
def _failed(sender, credentials, request=None, **kwargs):
    # A call without a request (shell, management command) is not an attempt from outside.
    if request is None:
        return
    record_sign_in_event(SignInEvent.Kind.FAILED, request=request, username=credentials.get("username", ""))


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs):
    # Django sends this with user=None when the session had no signed-in user; nothing to record.
    if user is not None:
        record_sign_in_event(SignInEvent.Kind.SIGNED_OUT, request=request, user=user)


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    record_sign_in_event(SignInEvent.Kind.LOCKED_OUT, request=request, username=username or "")
