"""The lockout check in front of the password check (django-axes)."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LockoutBackend(AxesStandaloneBackend):
    """Refuse a locked-out username before its password is tried.

    Every sign-in over HTTP passes its request (Django's AuthenticationForm does), so each one is
    counted and checked. Calls without a request (management commands, shell, tests calling
    authenticate() directly) come from someone already on the server: this backend then steps
    aside instead of raising, and the next backend checks the password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address: the hop the trusted proxies appended to X-Forwarded-For, else REMOTE_ADDR.

    Only the hops added by our own proxies are trusted; what the client wrote to the left of them
    could be anything.
    """
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if hops and forwarded:
        return forwarded[-min(hops, len(forwarded))]
    return request.META.get("REMOTE_ADDR") or None
