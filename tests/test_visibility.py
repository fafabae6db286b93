"""One visibility rule per object type: staff see all, the importer side sees its own accounts."""

import datetime as dt

import pytest

from cases import services
from cases.models import Case
from importers.permissions import visible_entries, visible_importers
from tests.factories import (
    ImporterFactory,
    UserFactory,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine, theirs = ImporterFactory(), ImporterFactory()
    me, them = trade_user(mine), trade_user(theirs)
    my_entry, their_entry = (
        liquidated_entry(mine, dt.date(2026, 6, 1)),
        liquidated_entry(theirs, dt.date(2026, 6, 1)),
    )
    my_case = services.file_protest(
        actor=me, importer=mine, **protest_input([my_entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    their_case = services.file_protest(
        actor=them, importer=theirs, **protest_input([their_entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    return {
        "me": me,
        "mine": mine,
        "theirs": theirs,
        "my_entry": my_entry,
        "their_entry": their_entry,
        "my_case": my_case,
        "their_case": their_case,
    }


def test_importer_user_sees_only_its_accounts_entries_and_cases(world):
    me = world["me"]
    assert list(visible_importers(me)) == [world["mine"]]
    assert list(visible_entries(me)) == [world["my_entry"]]
    assert list(Case.objects.visible_to(me)) == [world["my_case"]]


def test_staff_of_any_center_see_everything(world):
    reader = staff_user("CEE001")
    assert visible_importers(reader).count() == 2
    assert visible_entries(reader).count() == 2
    assert Case.objects.visible_to(reader).count() == 2


def test_forbidden_case_answers_404_like_a_missing_one(world):
    from django.http import Http404

    from cases.permissions import get_case_for_user_or_404

    with pytest.raises(Http404):
        get_case_for_user_or_404(world["me"], world["their_case"].pk)
    with pytest.raises(Http404):
        get_case_for_user_or_404(world["me"], 10**9)
    assert get_case_for_user_or_404(world["me"], world["my_case"].pk) == world["my_case"]


def test_anonymous_inactive_and_unattached_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    inactive = trade_user(world["mine"], is_active=False)
    broker_without_accounts = UserFactory(role="broker")
    for user in (AnonymousUser(), inactive, broker_without_accounts):
        assert not visible_importers(user).exists()
        assert not visible_entries(user).exists()
        assert not Case.objects.visible_to(user).exists()
