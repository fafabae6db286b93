"""Per-user API throttling; the rates are settings read per request (tests and deployments change them)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class PerUserThrottle(UserRateThrottle):
    """Requests per authenticated user (every token of a user shares the user's budget)."""

    def get_rate(self):
        return settings.API_THROTTLE_USER_RATE


class AnonymousThrottle(AnonRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_ANON_RATE
