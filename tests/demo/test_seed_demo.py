from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Max, Sum

from cee_portal.users.models import User
from demo import seed as demo
from importers.identifiers import normalize_entry_number, normalize_hts
from importers.models import (
    AccountAssignment,
    BrokerDelegation,
    Center,
    Entry,
    EntryLine,
    Importer,
    ImporterMembership,
    ImporterMonthlyMix,
    LiquidationStatus,
    Port,
)
from importers.reference import resolver
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
SMALL = {"importers": 40, "entries": 300, "seed": 7, "today": TODAY.isoformat()}


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed()


def fingerprint() -> list:
    lines = {}
    for entry_number, number, hts, value in EntryLine.objects.values_list(
        "entry__entry_number", "line_number", "hts_number", "entered_value"
    ):
        lines.setdefault(entry_number, []).append((number, hts, str(value)))
    return [
        (*row, sorted(lines[row[0]]))
        for row in Entry.objects.order_by("entry_number").values_list(
            "entry_number", "importer__ior_number", "port_id", "entry_date", "liquidation_status"
        )
    ]


def delete_demo_rows() -> None:
    importers = Importer.objects.filter(name__endswith=demo.DEMO_MARKER)
    ImporterMembership.objects.filter(importer__in=importers).delete()
    BrokerDelegation.objects.filter(importer__in=importers).delete()
    EntryLine.objects.filter(entry__importer__in=importers).delete()
    Entry.objects.filter(importer__in=importers).delete()
    importers.delete()


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    seed()
    first = fingerprint()
    delete_demo_rows()
    seed()
    assert fingerprint() == first
    delete_demo_rows()
    seed(seed=8)
    assert fingerprint() != first


def test_sizes_are_as_asked(seeded):
    assert Importer.objects.count() == 40 and Entry.objects.count() == 300
    # Five lines per entry on average.
    assert 3 * 300 < EntryLine.objects.count() < 7 * 300
    assert "Loaded 40 importers, 300 entries" in seeded


def test_every_center_gets_importers_and_every_importer_an_initial_assignment(seeded):
    assert set(Importer.objects.values_list("center__ace_id", flat=True)) == set(
        Center.objects.values_list("ace_id", flat=True)
    )
    for importer in Importer.objects.all():
        (assignment,) = AccountAssignment.objects.filter(importer=importer)
        assert assignment.reason == "initial" and assignment.to_center_id == importer.center_id
        assert assignment.effective_on == TODAY
    assert all(name.endswith(demo.DEMO_MARKER) for name in Importer.objects.values_list("name", flat=True))


def test_entries_use_only_active_ports_of_entry_valid_numbers_and_two_years_of_dates(seeded):
    ports = set(Port.objects.ports_of_entry().values_list("code", flat=True))
    for entry in Entry.objects.all():
        assert entry.port_id in ports
        assert normalize_entry_number(entry.entry_number) == entry.entry_number
        assert entry.filer_code == entry.entry_number[:3]
        assert TODAY - timedelta(days=730) < entry.entry_date <= TODAY
        assert entry.entry_date.weekday() < 5
        assert entry.importation_date <= entry.entry_date
    types = Counter(Entry.objects.values_list("entry_type", flat=True))
    assert types.most_common(1)[0][0] == "01" and set(types) <= {"01", "02", "03", "06", "11"}


def test_liquidation_follows_the_314_day_schedule_and_friday_postings(seeded):
    statuses = Counter()
    for entry in Entry.objects.all():
        statuses[entry.liquidation_status] += 1
        if entry.liquidation_status == LiquidationStatus.SUSPENDED:
            assert entry.scheduled_liquidation_date is None and entry.entry_type == "03"
            continue
        assert entry.scheduled_liquidation_date > entry.entry_date
        if entry.liquidation_status == LiquidationStatus.LIQUIDATED:
            assert entry.scheduled_liquidation_date == entry.entry_date + timedelta(days=314)
            assert entry.scheduled_liquidation_date <= entry.liquidation_date <= TODAY
            assert entry.liquidation_date.weekday() == 4
            assert entry.liquidation_date - entry.scheduled_liquidation_date < timedelta(days=7)
            assert not entry.summary_under_review
        elif entry.liquidation_status == LiquidationStatus.EXTENDED:
            assert entry.liquidation_date is None and entry.scheduled_liquidation_date > TODAY
        else:
            assert entry.liquidation_status == LiquidationStatus.UNLIQUIDATED
            assert entry.liquidation_date is None
            assert entry.scheduled_liquidation_date == entry.entry_date + timedelta(days=314)
            # Not yet posted: the Friday on or after the scheduled date is still to come.
            scheduled = entry.scheduled_liquidation_date
            assert scheduled + timedelta(days=(4 - scheduled.weekday()) % 7) > TODAY
    assert statuses[LiquidationStatus.LIQUIDATED] and statuses[LiquidationStatus.UNLIQUIDATED]


def test_lines_resolve_their_center_through_the_heading_table(seeded):
    heading_center = resolver.heading_center_ids()
    by_entry = {}
    for line in EntryLine.objects.all():
        assert normalize_hts(line.hts_number) == line.hts_number
        assert line.hts_number[:2] != "77"
        assert line.center_id == heading_center[line.hts_number[:4]]
        assert line.entered_value >= 0 and line.entered_value.as_tuple().exponent == -2
        assert 0 <= line.duty <= line.entered_value
        by_entry.setdefault(line.entry_id, []).append(line.line_number)
    assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in by_entry.values())
    assert len(by_entry) == Entry.objects.count()


def test_monthly_mix_sums_to_the_lines_with_a_center(seeded):
    totals = ImporterMonthlyMix.objects.aggregate(lines=Sum("line_count"), value=Sum("entered_value"))
    lines = EntryLine.objects.filter(center__isnull=False)
    assert totals["lines"] == lines.count()
    assert totals["value"] == lines.aggregate(value=Sum("entered_value"))["value"]
    # Only lines in chapters 98 and 99 have no Center of their own.
    assert {
        h[:2] for h in EntryLine.objects.filter(center__isnull=True).values_list("hts_number", flat=True)
    } <= {
        "98",
        "99",
    }


def test_second_run_says_already_present_and_changes_nothing(seeded):
    before = [
        (model.objects.count(), model.objects.aggregate(top=Max("id"))["top"])
        for model in (Importer, Entry, EntryLine, AccountAssignment, ImporterMonthlyMix, User)
    ]

    output = seed(importers=50, entries=500, seed=99)

    assert "Demo data already present" in output
    after = [
        (model.objects.count(), model.objects.aggregate(top=Max("id"))["top"])
        for model in (Importer, Entry, EntryLine, AccountAssignment, ImporterMonthlyMix, User)
    ]
    assert after == before
    assert "demo-admin-pass" in output


def test_demo_users_can_sign_in_with_their_demo_passwords(seeded, client):
    for username, role, center in demo.DEMO_USERS:
        user = authenticate(username=username, password=f"demo-{username}-pass")
        assert user is not None and user.role == role
        assert (user.center.ace_id if user.center else None) == center
        assert f"{username:<12} {role:<16} demo-{username}-pass" in seeded
    assert User.objects.get(username="admin").is_superuser
    first = Importer.objects.order_by("pk").first()
    assert list(User.objects.get(username="importer").importer_accounts.all()) == [first]
    assert first.center.ace_id == "CEE010"
    assert "http://127.0.0.1:8000/accounts/login/" in seeded
    assert client.login(username="admin", password="demo-admin-pass")


def test_demo_users_are_restored_on_a_second_run(seeded):
    User.objects.filter(username="broker").delete()
    admin = User.objects.get(username="admin")
    admin.set_password("changed")
    admin.save()

    seed()

    assert authenticate(username="broker", password="demo-broker-pass")
    assert authenticate(username="admin", password="demo-admin-pass")


def test_the_demo_broker_acts_for_the_first_account_under_one_delegation(seeded):
    """Issue 13: a broker acts only under a live delegation; the demo login must see an account."""
    from importers.permissions import can_file_for, visible_importers

    broker = User.objects.get(username="broker")
    first = Importer.objects.order_by("pk").first()
    assert list(visible_importers(broker)) == [first]
    assert can_file_for(broker, first, "protest") and can_file_for(broker, first, "psc")
    seed()  # a rerun grants nothing twice
    assert BrokerDelegation.objects.filter(broker_firm=broker.broker_firm, importer=first).count() == 1


def test_cases_are_seeded_with_the_same_seed_and_day(monkeypatch):
    calls = []

    def fake_seed_cases(*, count, seed, today, stdout=None):
        # Called once the entries, their Centers and the demo staff who will work the cases exist.
        staff = User.objects.filter(role="specialist", center__ace_id="CEE010").count()
        calls.append(
            (count, seed, today, Entry.objects.filter(importer__center__isnull=False).count(), staff)
        )
        return count

    monkeypatch.setattr("demo.seed.seed_cases", fake_seed_cases)
    output = seed(cases=12)

    assert calls == [(12, 7, TODAY, 300, 1)]
    assert "12 cases" in output


def test_some_importers_drift_to_another_center_in_the_second_year():
    plan = demo._Plan.build(importers=240, seed=7, today=TODAY)
    heading_center = resolver.heading_center_ids()

    def centers(catalog):
        return {heading_center[hts[:4]] for hts in catalog.hts}

    drifting = [p for p in plan.profiles if p.late_catalog is not p.catalog]
    assert len(drifting) == 3  # one in a hundred, never among the first ten (one per Center)
    for profile in drifting:
        assert centers(profile.catalog) == {profile.center_id}
        assert profile.center_id not in centers(profile.late_catalog)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"importers": 5}, "At least 10 importers"),
        ({"importers": 40, "entries": 20}, "at least as many entries as importers"),
        ({"lines_per_entry": 0.5}, "at least one line"),
        ({"today": "30/06/2026"}, "expected a date as YYYY-MM-DD"),
    ],
)
def test_bad_options_are_refused_without_writing(options, message):
    with pytest.raises(CommandError, match=message):
        seed(**options)
    assert not Importer.objects.exists()


@pytest.mark.postgres
def test_copy_path_leaves_sequences_past_the_loaded_ids(seeded):
    # The rows came in through COPY with ids from a reserved range; the ORM must carry on after them.
    entry = EntryFactory()

    assert entry.pk > Entry.objects.exclude(pk=entry.pk).aggregate(top=Max("id"))["top"]
    importer = entry.importer
    assert (
        importer.pk > Importer.objects.filter(name__endswith=demo.DEMO_MARKER).aggregate(top=Max("id"))["top"]
    )
    line = EntryLine.objects.create(entry=entry, line_number=1, hts_number="8471300100", entered_value=1)
    assert line.pk > EntryLine.objects.exclude(pk=line.pk).aggregate(top=Max("id"))["top"]
