"""cases.services.saved_filters and its selectors: who saves, what is kept, who sees and deletes."""

import pytest

from cases.exceptions import CaseError, NotAllowed
from cases.models import SavedQueueFilter
from cases.selectors import saved_queue_filters
from cases.services.saved_filters import delete_queue_filter, save_queue_filter
from cee_portal.users.models import User
from tests.factories import ImporterFactory, UserFactory, staff_user, trade_user

pytestmark = pytest.mark.django_db


def test_only_the_filters_own_names_are_kept_and_the_same_name_replaces():
    owner = staff_user("CEE010")
    saved = save_queue_filter(
        actor=owner, name="  Due  soon ", query="due_within=7&cursor=xyz&page=3&kind=psc"
    )
    assert (saved.name, saved.query) == ("Due soon", "kind=psc&due_within=7")
    again = save_queue_filter(actor=owner, name="Due soon", query="overdue=true", shared=True)
    assert again.pk == saved.pk and again.query == "overdue=true" and again.shared_with.ace_id == "CEE010"
    assert SavedQueueFilter.objects.count() == 1


def test_the_importer_side_saves_no_queue_filters():
    member = trade_user(ImporterFactory())
    with pytest.raises(NotAllowed):
        save_queue_filter(actor=member, name="Mine", query="")
    assert saved_queue_filters(member) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("center=CEE011", "center"), ("assignee=ghost", "assignee"), ("due_within=3651", "due_within"),
     ("status=nonsense", "status"), ("entry=12", "entry")],
)  # fmt: skip
def test_a_value_the_queue_refuses_is_refused_here_too_with_its_field(query, field):
    with pytest.raises(CaseError) as refused:
        save_queue_filter(actor=staff_user("CEE010"), name="Bad", query=query)
    assert field in refused.value.message_dict
    assert not SavedQueueFilter.objects.exists()


def test_shared_filters_reach_the_owners_center_only_and_only_the_owner_deletes():
    owner, colleague, elsewhere = staff_user("CEE010"), staff_user("CEE010"), staff_user("CEE001")
    national = UserFactory(role=User.Role.SUPERVISOR)
    shared = save_queue_filter(actor=owner, name="Center", query="kind=psc", shared=True)
    private = save_queue_filter(actor=owner, name="Mine", query="kind=pic")
    assert saved_queue_filters(owner) == [shared, private]
    assert saved_queue_filters(colleague) == [shared]
    assert saved_queue_filters(elsewhere) == [] and saved_queue_filters(national) == []
    with pytest.raises(CaseError, match="no Center to share with"):
        save_queue_filter(actor=national, name="All", query="", shared=True)
    with pytest.raises(NotAllowed):
        delete_queue_filter(shared, actor=colleague)
    delete_queue_filter(shared, actor=owner)
    assert list(SavedQueueFilter.objects.all()) == [private]
