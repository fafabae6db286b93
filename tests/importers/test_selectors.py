"""The importer read layer: accounts and entries per kind of user, entry search, query counts."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from cee_portal.users.models import User
from importers import selectors
from importers.models import AccountAssignment
from tests.factories import (
    EntryFactory,
    EntryLineFactory,
    ImporterFactory,
    UserFactory,
    broker_user,
    center,
    make_entry_number,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine, theirs = ImporterFactory(), ImporterFactory(center_ace_id="CEE001")
    broker = broker_user(theirs)  # acts for theirs under a delegation
    my_entries = [
        EntryFactory(importer=mine, entry_number=make_entry_number("XYZ", n), filer_code="XYZ")
        for n in (1, 2, 15)
    ]
    their_entry = EntryFactory(importer=theirs, entry_number=make_entry_number("XYZ", 3), filer_code="XYZ")
    return {
        "mine": mine,
        "theirs": theirs,
        "member": trade_user(mine),
        "broker": broker,
        "my_entries": my_entries,
        "their_entry": their_entry,
        "staff": staff_user("CEE005"),
    }


def dashed(number: str) -> str:
    return f"{number[:3]}-{number[3:10]}-{number[10]}"


def test_account_detail_per_kind_of_user(world):
    mine, theirs = world["mine"], world["theirs"]
    assert selectors.account_detail(world["member"], mine.ior_number) == mine
    assert selectors.account_detail(world["broker"], theirs.ior_number) == theirs
    assert selectors.account_detail(world["staff"], theirs.ior_number) == theirs  # any Center's staff
    assert selectors.account_detail(UserFactory(role=User.Role.ADMIN), mine.ior_number) == mine
    for user, ior in [(world["member"], theirs.ior_number), (world["broker"], mine.ior_number)]:
        with pytest.raises(Http404):
            selectors.account_detail(user, ior)


def test_account_list_per_kind_of_user(world, django_assert_num_queries):
    mine, theirs = world["mine"], world["theirs"]
    assert list(selectors.account_list(world["member"])) == [mine]
    assert list(selectors.account_list(world["broker"])) == [theirs]
    assert list(selectors.account_list(AnonymousUser())) == []
    with django_assert_num_queries(1):
        rows = [(a.name, a.center.ace_id) for a in selectors.account_list(world["staff"])]
    assert rows == sorted((a.name, a.center.ace_id) for a in (mine, theirs))


@pytest.mark.parametrize("ior", ["12-345", "", "99-9999999ZZ"])
def test_malformed_or_unknown_account_is_missing(world, ior):
    with pytest.raises(Http404):
        selectors.account_detail(world["staff"], ior)


def test_account_detail_brings_its_history_in_fixed_queries(world, django_assert_num_queries):
    mine = world["mine"]
    for n in range(5):
        AccountAssignment.objects.create(
            importer=mine,
            from_center=center("CEE010"),
            to_center=center("CEE005"),
            reason="computed",
            effective_on=dt.date(2026, 1, 1 + n),
        )
    with django_assert_num_queries(3):  # the account, its moves, its pending move
        account = selectors.account_detail(world["staff"], mine.ior_number)
        assert [a.to_center.ace_id for a in account.assignments.all()] == ["CEE005"] * 5
        assert account.pending_moves == []
        assert account.center.ace_id == "CEE010"


def test_entry_detail_per_kind_of_user_with_dashes_or_without(world):
    mine = world["my_entries"][0]
    assert selectors.entry_detail(world["member"], dashed(mine.entry_number)) == mine
    assert selectors.entry_detail(world["staff"], mine.entry_number) == mine
    for user, entry in [(world["member"], world["their_entry"]), (world["broker"], mine)]:
        with pytest.raises(Http404):
            selectors.entry_detail(user, entry.entry_number)
    with pytest.raises(Http404):
        selectors.entry_detail(world["staff"], "XYZ-0000001-0")  # wrong check digit: no such entry
    with pytest.raises(Http404):
        selectors.entry_detail(AnonymousUser(), mine.entry_number)


def test_entry_detail_lines_in_fixed_queries(world, django_assert_num_queries):
    entry = world["my_entries"][0]
    for n in range(1, 13):
        EntryLineFactory(entry=entry, line_number=n, center=center("CEE010"))
    with django_assert_num_queries(2):  # the entry with importer, port and district; its lines with Centers
        got = selectors.entry_detail(world["staff"], entry.entry_number)
        assert [line.center.ace_id for line in got.lines.all()] == ["CEE010"] * 12
        assert (got.importer.center.ace_id, got.port.district.code) == ("CEE010", "23")


def test_entry_search_by_prefix_sees_only_visible_entries(world):
    numbers = sorted(e.entry_number for e in world["my_entries"])
    assert [e.entry_number for e in selectors.entry_search(world["member"], "XYZ")] == numbers
    assert [e.entry_number for e in selectors.entry_search(world["member"], "xyz-00000")] == numbers
    assert [e.entry_number for e in selectors.entry_search(world["member"], "XYZ-000001")] == [numbers[2]]
    everyone = [e.entry_number for e in selectors.entry_search(world["staff"], "XYZ")]
    assert everyone == sorted([*numbers, world["their_entry"].entry_number])
    assert [e.entry_number for e in selectors.entry_search(world["broker"], "XY")] == [
        world["their_entry"].entry_number
    ]
    assert len(selectors.entry_search(world["staff"], "XYZ", limit=2)) == 2


@pytest.mark.parametrize("prefix", ["", "  ", "XYZ%", "X_Z", "XYZ00000010000"])
def test_entry_search_refuses_what_no_entry_number_starts_with(world, prefix):
    assert list(selectors.entry_search(world["staff"], prefix)) == []


def test_entry_search_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = [
            (e.entry_number, e.importer.name, e.port.name)
            for e in selectors.entry_search(world["staff"], "XYZ")
        ]
    assert len(found) == 4


def test_entry_search_prefix_of_a_full_number_finds_it(world):
    entry = world["my_entries"][1]
    assert list(selectors.entry_search(world["member"], entry.entry_number)) == [entry]
