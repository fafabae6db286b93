"""Errors raised by case services; one DRF/view handler maps them to HTTP statuses."""

from django.core.exceptions import PermissionDenied, ValidationError


class CaseError(ValidationError):
    """A filing or action refused for a reason the user can fix or must know."""


class IllegalTransition(CaseError):
    def __init__(self, case, to: str, allowed: dict[str, str]):
        moves = ", ".join(sorted(allowed)) or "none (the case is final)"
        super().__init__(
            f"Case {case.reference_number} is {case.status}; it cannot move to {to}. Allowed moves: {moves}.",
            code="illegal_transition",
        )


class StaleVersion(CaseError):
    def __init__(self, case, expected: int):
        super().__init__(
            f"Case {case.reference_number} changed since you loaded it (your version {expected}, now "
            f"{case.version}; status {case.status}). Reload it and try again; nothing was changed.",
            code="stale_version",
        )


class NotAllowed(PermissionDenied):
    """The user may see the case but not make this move."""
