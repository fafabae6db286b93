"""Demo cases for seed_demo (filled in with the cases app)."""

from datetime import date


def seed_cases(*, count: int, seed: int, today: date, stdout=None) -> int:
    """Create `count` demo cases of every kind and state, consistent with the clock; return how many."""
    return 0
