"""How the staff pages show dates that count: days left in words and a tone class (never colour alone)."""

from dataclasses import dataclass
from datetime import date

from cases.deadlines import WINDOW_KINDS, DeadlineKind

SOON_DAYS = 7


def days_left_text(due_on: date, today: date) -> tuple[int, str, str]:
    """(days, words, tone class) for a running deadline: overdue, due today or soon, or later."""
    days = (due_on - today).days
    if days < 0:
        return days, f"Overdue by {-days} day{'s' if days != -1 else ''}", "tone-overdue"
    if days == 0:
        return days, "Due today", "tone-soon"
    words = f"{days} day{'s' if days != 1 else ''} left"
    return days, words, "tone-soon" if days <= SOON_DAYS else "tone-ok"


@dataclass(frozen=True)
class DeadlineRow:
    label: str
    kind: str
    due_on: date
    period_ends_on: date | None
    running: bool
    state_label: str
    days: int | None
    words: str
    tone: str
    rule: str
    citation: str
    warnings: str


def deadline_row(deadline, today: date) -> DeadlineRow:
    """One stored deadline as the case page shows it; a settled one says how it ended, not days left."""
    running = deadline.state == "running"
    if running and deadline.kind in WINDOW_KINDS and deadline.due_on < today:
        days = (deadline.due_on - today).days
        words, tone = f"Closed {-days} day{'s' if days != -1 else ''} ago", "tone-settled"
    elif running:
        days, words, tone = days_left_text(deadline.due_on, today)
    else:
        days, words, tone = None, deadline.get_state_display(), "tone-settled"
    return DeadlineRow(
        label=DeadlineKind(deadline.kind).label,
        kind=deadline.kind,
        due_on=deadline.due_on,
        period_ends_on=deadline.period_ends_on,
        running=running,
        state_label=deadline.get_state_display(),
        days=days,
        words=words,
        tone=tone,
        rule=deadline.rule,
        citation=deadline.citation,
        warnings=deadline.warnings,
    )
