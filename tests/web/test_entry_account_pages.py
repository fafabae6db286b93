"""The staff entry page and entry search (issue 12 item 5) and the account page (item 6): what they
show, who may open them, keyset pages, and query counts that do not grow with rows."""

import datetime as dt
from decimal import Decimal
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from importers.models import AccountAssignment, Entry, ImporterMonthlyMix
from tests.factories import (
    EntryFactory,
    EntryLineFactory,
    ImporterFactory,
    UserFactory,
    center,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db


def login(client, user) -> None:
    """Sign in as the stored user (the factory's password is set in memory only: reload first)."""
    user.refresh_from_db()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def entry_url(entry) -> str:
    return reverse("staff:entry", args=[entry.entry_number])


def account_url(importer) -> str:
    return reverse("staff:account", args=[importer.ior_number])


def psc_then_protest(importer):
    """An entry with an open PSC, then liquidated and protested: two filings pulling it two ways."""
    entry = EntryFactory(
        importer=importer, entry_date=dt.date(2026, 1, 5), scheduled_liquidation_date=dt.date(2026, 11, 16)
    )
    filer = trade_user(importer)
    psc = services.file_psc(
        actor=filer, entry=entry, reason_code="01", explanation="Value",
        lines=[services.PscLineInput(1, "8429521010", Decimal(1))], filed_on=dt.date(2026, 6, 10),
    )  # fmt: skip
    Entry.objects.filter(pk=entry.pk).update(
        liquidation_status="liquidated", liquidation_date=dt.date(2026, 6, 20)
    )
    entry.refresh_from_db()
    protest = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 7, 1)
    ).case
    return entry, psc, protest


# --- The entry page ----------------------------------------------------------------------------------


def test_entry_page_shows_facts_lines_with_centers_and_a_missing_importation_date(client):
    entry = EntryFactory(importation_date=None)
    EntryLineFactory(entry=entry, line_number=1, hts_number="8471300100", center=center("CEE010"))
    EntryLineFactory(entry=entry, line_number=2, hts_number="3004909290", center=center("CEE001"))
    EntryLineFactory(entry=entry, line_number=3, hts_number="9999999999", center=None)
    login(client, staff_user())
    response = client.get(entry_url(entry))
    assert response.status_code == 200
    html = response.content.decode()
    assert entry.formatted_number in html and entry.importer.name in html
    assert "Missing: the one-year window for a 1520(d) claim cannot be counted" in html
    assert escape(center("CEE010").name) in html and escape(center("CEE001").name) in html
    assert "Not resolved" in html
    assert "No case concerns this entry." in html


def test_entry_page_lists_every_case_and_marks_a_protest_beside_an_open_psc(client):
    importer = ImporterFactory()
    entry, psc, protest = psc_then_protest(importer)
    cf28 = services.issue_information_request(
        actor=staff_user(), entry=entry, questions="Invoice?", issued_on=dt.date(2026, 7, 2)
    )
    login(client, staff_user("CEE001"))  # any Center's staff see it (national visibility)
    response = client.get(entry_url(entry))
    rows = {row["case"].reference_number: row["conflict"] for row in response.context["cases"]}
    assert set(rows) == {psc.reference_number, protest.reference_number, cf28.reference_number}
    assert protest.reference_number in rows[psc.reference_number]
    assert psc.reference_number in rows[protest.reference_number]
    assert rows[cf28.reference_number] is None  # CBP's own request conflicts with nothing
    assert 'class="row-conflict"' in response.content.decode()


def test_a_closed_psc_is_no_conflict(client):
    importer = ImporterFactory()
    entry, psc, protest = psc_then_protest(importer)
    services.transition_case(psc, to="rejected", actor=staff_user(), today=dt.date(2026, 7, 5),
                             decision=services.DecisionInput("No", dt.date(2026, 7, 5)))  # fmt: skip
    login(client, staff_user())
    response = client.get(entry_url(entry))
    assert response.context["conflicts"] == {}
    assert 'class="row-conflict"' not in response.content.decode()


def test_entry_page_access(client):
    entry = EntryFactory()
    assert "/accounts/login/" in client.get(entry_url(entry))["Location"]
    login(client, trade_user(entry.importer))
    assert client.get(entry_url(entry)).status_code == 404  # the staff side: like a missing entry
    login(client, staff_user())
    assert client.get(reverse("staff:entry", args=["ABC00000000"])).status_code == 404
    assert client.get(reverse("staff:entry", args=["not-a-number"])).status_code == 404


def test_entry_page_query_count_does_not_grow_with_lines_and_cases(client):
    importer = ImporterFactory()
    small = liquidated_entry(importer, dt.date(2026, 5, 1))
    EntryLineFactory(entry=small, line_number=1, center=center("CEE010"))
    services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([small]), filed_on=dt.date(2026, 6, 2)
    )
    large, _, _ = psc_then_protest(importer)
    for n in range(1, 12):
        EntryLineFactory(entry=large, line_number=n, center=center("CEE010" if n % 2 else "CEE001"))
    for _ in range(3):
        services.issue_information_request(actor=staff_user(), entry=large, questions="?",
                                           issued_on=dt.date(2026, 7, 2))  # fmt: skip
    login(client, staff_user())
    client.get(entry_url(small))
    counts = []
    for entry in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(entry_url(entry)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Entry search -----------------------------------------------------------------------------------


def test_header_search_is_for_staff_only(client):
    importer = ImporterFactory()
    login(client, staff_user())
    assert 'action="/search/"' in client.get(reverse("staff:queue")).content.decode()
    login(client, trade_user(importer))
    assert 'action="/search/"' not in client.get(reverse("portal:home")).content.decode()


def test_search_by_prefix_lists_and_a_whole_number_opens_the_entry(client):
    first, second = EntryFactory(), EntryFactory()
    login(client, staff_user())
    response = client.get(reverse("staff:entry-search"), {"q": first.entry_number[:6]})
    assert response.status_code == 200
    assert {e.entry_number for e in response.context["results"]} >= {first.entry_number, second.entry_number}
    response = client.get(reverse("staff:entry-search"), {"q": first.formatted_number})
    assert response.status_code == 302 and response["Location"] == entry_url(first)
    response = client.get(reverse("staff:entry-search"), {"q": "ZZZ"})
    assert "No entry number starts with" in response.content.decode()


# --- The account page ------------------------------------------------------------------------------


def make_account(*, entries=3, months=3):
    importer = ImporterFactory(pin_reason="business_practice", pin_note="Sells through one plant")
    manager = staff_user(role="account_manager", first_name="Ana", last_name="Reyes")
    importer.account_manager = manager
    importer.save(update_fields=["account_manager"])
    AccountAssignment.objects.create(
        importer=importer, from_center=center("CEE001"), to_center=center("CEE010"), reason="computed",
        effective_on=dt.date(2026, 6, 1),
        figures={"basis": "lines", "volume": "25", "by_center": {"CEE010": "20", "CEE001": "5"},
                 "shares": {"CEE010": "80.0", "CEE001": "20.0"}, "margin_points": 10.0, "window_days": 365},
    )  # fmt: skip
    for n in range(entries):
        EntryFactory(importer=importer, entry_date=dt.date(2026, 1, 1) + dt.timedelta(days=n % 40))
    for m in range(months):
        month = dt.date(2025 + (m // 12), m % 12 + 1, 1)
        ImporterMonthlyMix.objects.create(importer=importer, month=month, center=center("CEE010"),
                                          line_count=10 + m, entered_value=Decimal(1000))  # fmt: skip
        ImporterMonthlyMix.objects.create(importer=importer, month=month, center=center("CEE001"),
                                          line_count=3, entered_value=Decimal(300))  # fmt: skip
    return importer


def test_account_page_shows_profile_pin_history_with_figures_and_the_mix_chart(client):
    importer = make_account()
    login(client, staff_user())
    response = client.get(account_url(importer))
    assert response.status_code == 200
    html = response.content.decode()
    assert importer.name in html and importer.ior_number in html
    assert "Ana Reyes" in html and "Business practice" in html and "Sells through one plant" in html
    assert "Computed from the commodity mix" in html and "margin 10.0 points" in html
    assert ">80.0<" in html and ">20.0<" in html  # the figures as a table, not raw JSON
    assert "<svg" in html and 'role="img"' in html and "style=" not in html
    chart = response.context["chart"]
    assert [bar.label for bar in chart.bars] == ["2025-01", "2025-02", "2025-03"]
    assert [bar.total for bar in chart.bars] == [13, 14, 15]
    assert {name for _, name in chart.legend} == {center("CEE010").name, center("CEE001").name}


def test_account_entries_are_keyset_paginated_without_repeats(client):
    importer = make_account(entries=30)
    login(client, staff_user())
    first = client.get(account_url(importer)).context["entries"]
    assert len(first.rows) == 25 and first.next_cursor
    second = client.get(account_url(importer), {"entries_after": first.next_cursor}).context["entries"]
    assert len(second.rows) == 5 and second.next_cursor is None
    seen = [e.pk for e in first.rows + second.rows]
    assert len(set(seen)) == 30
    # A damaged cursor starts from the first page instead of failing.
    assert len(client.get(account_url(importer), {"entries_after": "x"}).context["entries"].rows) == 25


def test_account_page_lists_its_cases_of_every_center_and_state(client):
    importer = make_account()
    entry = liquidated_entry(importer, dt.date(2026, 5, 1))
    protest = services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    login(client, staff_user("CEE001"))
    response = client.get(account_url(importer))
    assert [c.reference_number for c, _ in response.context["cases"]] == [protest.reference_number]


def test_account_page_access(client):
    importer = make_account()
    login(client, trade_user(importer))
    assert client.get(account_url(importer)).status_code == 404  # like a missing account
    login(client, UserFactory(role="supervisor"))
    assert client.get(reverse("staff:account", args=["99-9999999ZZ"])).status_code == 404
    assert client.get(reverse("staff:account", args=["garbage"])).status_code == 404


def test_account_page_query_count_does_not_grow_with_rows(client):
    small = make_account(entries=1, months=1)
    large = make_account(entries=30, months=14)
    entry = liquidated_entry(small, dt.date(2026, 5, 1))
    services.file_protest(
        actor=trade_user(small), importer=small, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    )
    for n in range(3):
        entry = liquidated_entry(large, dt.date(2026, 5, 1) + dt.timedelta(days=n))
        services.file_protest(actor=trade_user(large, username=f"f{n}"), importer=large,
                              **protest_input([entry]), filed_on=dt.date(2026, 6, 2))  # fmt: skip
    login(client, staff_user())
    client.get(account_url(small))
    counts = []
    for importer in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(account_url(importer)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("largest", "top"),
    [
        (0, 4),
        (4, 4),
        (5, 8),
        (8, 8),
        (9, 20),
        (20, 20),
        (21, 40),
        (40, 40),
        (41, 100),
        (100, 100),
        (101, 200),
    ],
)
def test_chart_axis_top_is_the_next_round_number_divisible_into_four_ticks(largest, top):
    from web.staff.charts import nice_ceiling

    assert nice_ceiling(largest) == top and top % 4 == 0 and top >= largest
