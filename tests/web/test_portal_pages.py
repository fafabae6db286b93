"""The portal's pages (issue 13 items 1, 2, 4, 5): the home's lists, the case page's shared timeline,
documents and messages, and the invitation link, through the Django test client."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import deadlines, services
from cases.models import Message
from cases.services.common import record_event
from cases.services.scanning import EICAR
from cee_portal.users.models import User
from importers.models import ImporterMembership
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    broker_user,
    liquidated_entry,
    protest_input,
    sign_in_as,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def today(monkeypatch):
    for module in ("queue", "dashboards", "portal"):
        monkeypatch.setattr(f"cases.selectors.{module}.legal_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def world():
    importer = ImporterFactory(name="Keystone Machinery")
    member = trade_user(importer)
    entry = liquidated_entry(importer, TODAY - dt.timedelta(days=40))
    case = services.file_protest(
        actor=member, importer=importer, **protest_input([entry]), filed_on=TODAY - dt.timedelta(days=20)
    ).case
    return {"importer": importer, "member": member, "case": case, "entry": entry}


def liquidated_so_that_protest_closes(importer, due: dt.date, serial: int):
    """An entry liquidated 180 days before `due` (19 U.S.C. 1514(c)(3); no roll-forward by default)."""
    liquidated = due - dt.timedelta(days=180)
    assert deadlines.protest_filing_deadline(liquidated).due_on == due
    return liquidated_entry(importer, liquidated, entry_number=None or _number(serial), filer_code="ZZZ")


def _number(serial):
    from tests.factories import make_entry_number

    return make_entry_number("ZZZ", serial)


# --- Home --------------------------------------------------------------------------------------------------


def test_protest_windows_closing_within_30_days_both_ends(client, world, today):
    """Shown: closing today and on day 30; not shown: closed yesterday, closing on day 31."""
    importer = world["importer"]
    shown = {
        liquidated_so_that_protest_closes(importer, today, 1).formatted_number,
        liquidated_so_that_protest_closes(importer, today + dt.timedelta(days=30), 2).formatted_number,
    }
    hidden = {
        liquidated_so_that_protest_closes(importer, today - dt.timedelta(days=1), 3).formatted_number,
        liquidated_so_that_protest_closes(importer, today + dt.timedelta(days=31), 4).formatted_number,
    }
    sign_in_as(client, world["member"])
    home = client.get(reverse("portal:home")).context["home"]
    protests = {w.entry.formatted_number for w in home.closing_windows if w.kind == "Protest"}
    assert protests == shown and not protests & hidden
    # The protested entry (its window still open) is not listed: it is protested already.
    assert world["entry"].formatted_number not in protests


def test_psc_and_1520d_windows_are_listed_with_their_rule(client, world, today):
    importer = world["importer"]
    # PSC: 300 days after entry (19 CFR 101.9(b)(1)), liquidation far away: closes in 10 days.
    EntryFactory(
        importer=importer,
        entry_number=_number(20),
        filer_code="ZZZ",
        entry_date=today - dt.timedelta(days=290),
        scheduled_liquidation_date=today + dt.timedelta(days=60),
        importation_date=today - dt.timedelta(days=100),
    )
    # 1520(d): one year after importation; closes in 5 days.
    EntryFactory(
        importer=importer,
        entry_number=_number(21),
        filer_code="ZZZ",
        entry_date=today - dt.timedelta(days=200),
        importation_date=dt.date(2025, 11, 7),
        scheduled_liquidation_date=today + dt.timedelta(days=200),
    )
    sign_in_as(client, world["member"])
    windows = client.get(reverse("portal:home")).context["home"].closing_windows
    got = {(w.kind, w.days_left, w.citation) for w in windows}
    assert ("Post summary correction", 10, "19 CFR 101.9(b)(1)") in got
    assert ("1520(d) claim", 5, "19 U.S.C. 1520(d)") in got


def test_home_lists_waiting_cases_open_cases_and_recent_decisions(client, world, today):
    importer, specialist = world["importer"], staff_user("CEE010")
    other_entry = liquidated_entry(
        importer, TODAY - dt.timedelta(days=50), entry_number=_number(30), filer_code="ZZZ"
    )
    cf28 = services.issue_information_request(
        actor=specialist, entry=other_entry, questions="Origin?", issued_on=today - dt.timedelta(days=3)
    )
    proposed = services.issue_notice_of_action(
        actor=specialist, entry=other_entry, action_kind="proposed", action="Rate 5%", issued_on=today
    )
    taken = services.issue_notice_of_action(
        actor=specialist, entry=other_entry, action_kind="taken", action="Rate 5%", issued_on=today
    )
    decided = services.decide_case(
        world["case"], actor=specialist, outcome="denied", reasons="No evidence.", decided_on=today,
        notice_mailed_on=today, today=today,
    )  # fmt: skip
    sign_in_as(client, world["member"])
    response = client.get(reverse("portal:home"))
    home = response.context["home"]
    assert {c.pk for c in home.waiting_on_importer} == {cf28.pk, proposed.pk}
    assert taken.pk not in {c.pk for c in home.waiting_on_importer}
    assert [c.pk for c in home.recent_decisions] == [decided.pk]
    assert cf28.pk in {c.pk for c in home.open_cases}
    assert b"Keystone Machinery" in response.content


def test_the_switcher_shows_one_account_and_refuses_anothers(client, today):
    first, second, foreign = ImporterFactory(), ImporterFactory(), ImporterFactory()
    broker = broker_user(first)
    from importers.models import BrokerDelegation

    BrokerDelegation.objects.create(
        importer=second, broker_firm=broker.broker_firm, case_kinds=",protest,", power_of_attorney="P2",
        starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 1, 1),
    )  # fmt: skip
    sign_in_as(client, broker)
    home = client.get(reverse("portal:home")).context["home"]
    assert {a.pk for a in home.accounts} == {first.pk, second.pk}
    one = client.get(reverse("portal:home"), {"account": second.ior_number}).context["home"]
    assert one.account == second
    assert client.get(reverse("portal:home"), {"account": foreign.ior_number}).status_code == 404


# --- Case page ---------------------------------------------------------------------------------------


def test_the_portal_case_page_never_shows_internal_events(client, world):
    record_event(
        world["case"], actor=staff_user("CEE010"), kind="note", message="Internal: suspect", internal=True
    )
    record_event(world["case"], actor=None, kind="note", message="Shared: received")
    sign_in_as(client, world["member"])
    page = client.get(reverse("portal:case", args=[world["case"].reference_number])).content.decode()
    assert "Shared: received" in page and "Internal: suspect" not in page


def test_a_refused_upload_says_why_beside_the_field_and_stores_nothing(client, world):
    sign_in_as(client, world["member"])
    url = reverse("portal:case-upload", args=[world["case"].reference_number])
    response = client.post(url, {"document-file": SimpleUploadedFile("a.txt", b"x " + EICAR)})
    assert response.status_code == 400
    assert "Eicar-Test-Signature" in response.content.decode()
    assert not world["case"].documents.exists()


def test_a_withdrawn_case_offers_no_upload_and_refuses_one_sent_anyway(client, world):
    """Issue 15 item 1: the rule the upload/withdrawal race settles on, as the page shows it."""
    case = world["case"]
    services.transition_case(case, to="withdrawn", actor=world["member"])
    sign_in_as(client, world["member"])
    page = client.get(reverse("portal:case", args=[case.reference_number])).content.decode()
    assert "it takes no more documents" in page
    assert reverse("portal:case-upload", args=[case.reference_number]) not in page
    url = reverse("portal:case-upload", args=[case.reference_number])
    response = client.post(url, {"document-file": SimpleUploadedFile("late.txt", b"A late answer.\n")})
    assert response.status_code == 400
    assert (
        f"Case {case.reference_number} was withdrawn: it takes no more documents."
        in response.content.decode()
    )
    assert not case.documents.exists()


def test_messages_go_to_the_other_side_by_email(client, world, django_capture_on_commit_callbacks):
    """Importer -> the Center (the assignee); Center -> the importer's users and the brokers whose live
    delegation covers the case's kind (not a broker delegated other kinds)."""
    case, specialist = world["case"], staff_user("CEE010", email="spec@cbp.example.gov")
    services.assign_case(case, assignee=specialist, actor=specialist)
    broker = broker_user(world["importer"], kinds=("protest",), email="broker@example.com")
    broker_user(world["importer"], kinds=("psc",), email="other-kinds@example.com")
    sign_in_as(client, world["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:case-message", args=[case.reference_number]),
            {"message-body": "Invoice attached."},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox if m.subject.startswith("New message")] == [["spec@cbp.example.gov"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(actor=specialist, case=case, body="Thank you.")
    # One email per recipient: neither sees the other's address.
    notices = [m.to for m in mail.outbox if m.subject.startswith("New message")]
    assert sorted(notices) == sorted([["broker@example.com"], [world["member"].email]])
    assert list(Message.objects.values_list("side", flat=True)) == ["importer", "center"]
    assert Message.objects.visible_to(trade_user(ImporterFactory())).count() == 0
    assert Message.objects.visible_to(broker).count() == 2


def test_an_empty_message_is_refused_on_its_field(client, world):
    sign_in_as(client, world["member"])
    url = reverse("portal:case-message", args=[world["case"].reference_number])
    response = client.post(url, {"message-body": "   "})
    assert response.status_code == 400 and not Message.objects.exists()


# --- Invitation link ---------------------------------------------------------------------------------


def test_the_invitation_link_works_once(client, world, django_capture_on_commit_callbacks):
    ImporterMembership.objects.filter(user=world["member"]).update(is_account_admin=True)
    sign_in_as(client, world["member"])
    people = reverse("portal:people", args=[world["importer"].ior_number])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(people, {"email": "ana@example.com"}).status_code == 302
    [invitation] = [m for m in mail.outbox if m.to == ["ana@example.com"]]  # the drain also sent the case's
    link = next(line for line in invitation.body.splitlines() if "/portal/invitations/" in line)
    path = link[link.index("/portal/") :]
    client.logout()
    assert client.get(path).status_code == 200
    data = {"username": "ana", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}
    assert client.post(path, data).status_code == 302
    assert User.objects.get(username="ana").importer_accounts.get() == world["importer"]
    assert client.get(path).status_code == 404
    assert client.post(path, {**data, "username": "ana2"}).status_code == 404
    assert not User.objects.filter(username="ana2").exists()


def test_the_home_reads_in_a_fixed_number_of_queries(world, today):
    """Set-based: more cases and entries do not mean more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.selectors import portal_home

    def count():
        with CaptureQueriesContext(connection) as ctx:
            home = portal_home(world["member"])
        return len(ctx.captured_queries), len(home.closing_windows)

    before, windows = count()
    for serial in range(40, 46):
        # Entries whose protest windows close within the horizon: each is listed, none costs a query.
        liquidated_entry(world["importer"], today - dt.timedelta(days=170), entry_number=_number(serial))
    assert count() == (before, windows + 6)
