"""How a running deadline reads on the case pages (staff and portal): a duty can be overdue; a window
the importer side may act in only closes (cases.deadlines.WINDOW_KINDS)."""

import datetime as dt

import pytest

from cases.deadlines import DeadlineKind
from cases.models import CaseDeadline
from web.staff.display import deadline_row

TODAY = dt.date(2026, 12, 1)


def row(kind: DeadlineKind, due_in_days: int, state=CaseDeadline.State.RUNNING):
    deadline = CaseDeadline(kind=kind, due_on=TODAY + dt.timedelta(days=due_in_days), state=state)
    shown = deadline_row(deadline, TODAY)
    return shown.words, shown.tone


@pytest.mark.parametrize(
    ("kind", "due_in_days", "words", "tone"),
    [
        (DeadlineKind.PROTEST_AMENDMENT, 1, "1 day left", "tone-soon"),
        (DeadlineKind.PROTEST_AMENDMENT, 0, "Due today", "tone-soon"),
        (DeadlineKind.PROTEST_AMENDMENT, -1, "Closed 1 day ago", "tone-settled"),
        (DeadlineKind.PSC_FILING, -111, "Closed 111 days ago", "tone-settled"),
        (DeadlineKind.COURT_OF_INTERNATIONAL_TRADE, -2, "Closed 2 days ago", "tone-settled"),
        (DeadlineKind.CF28_RESPONSE, 0, "Due today", "tone-soon"),
        (DeadlineKind.CF28_RESPONSE, -1, "Overdue by 1 day", "tone-overdue"),
        (DeadlineKind.PROTEST_DECISION_TARGET, -3, "Overdue by 3 days", "tone-overdue"),
    ],
)
def test_a_passed_window_is_closed_and_a_passed_duty_is_overdue(kind, due_in_days, words, tone):
    assert row(kind, due_in_days) == (words, tone)


def test_a_settled_deadline_says_how_it_ended_whatever_its_kind():
    assert row(DeadlineKind.PROTEST_AMENDMENT, -5, CaseDeadline.State.VOID) == (
        "No longer applies",
        "tone-settled",
    )
