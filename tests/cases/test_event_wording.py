"""How a timeline event reads on the staff case page, the portal and in notices."""

import pytest

from cases.models import CaseEvent


@pytest.mark.parametrize(
    ("kind", "old", "new", "reads"),
    [
        ("filed", "", "received", "Filed: Received"),
        ("document", "", "invoice.pdf", "Document: invoice.pdf"),
        ("request_issued", "", "CF28-3427-26-000001", "Request issued: CF28-3427-26-000001"),
        ("message", "", "", "Message"),
        ("status", "received", "under_review", "Status: Received → Under review"),
        ("assignee", "", "mgr", "Assignee: — → mgr"),
        ("assignee", "mgr", "", "Assignee: mgr → —"),
        ("center", "CEE001", "CEE007", "Center: CEE001 → CEE007"),
    ],
)
def test_an_event_names_a_change_only_where_there_was_a_value_before(kind, old, new, reads):
    assert str(CaseEvent(kind=kind, old_value=old, new_value=new)) == reads
