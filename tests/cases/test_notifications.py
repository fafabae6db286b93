"""Case notices by email (issue 13 item 6): who hears of what, their preferences, once only, inert text.

The outbox is drained by hand (the test transaction never commits, so nothing is kicked): what is
asserted is what Django's locmem mailer received (`mail.outbox`), one email per recipient.
"""

import datetime as dt
import smtplib

import pytest
from django.core import mail

from cases import services
from cases.models import Case, NoticeDelivery
from cases.selectors import notification_preferences
from cases.services.casework import add_internal_note
from cases.services.sweeps import run_deadline_sweeps
from cee_portal.operations import outbox
from cee_portal.operations.models import OutboxMessage
from tests.factories import broker_user, liquidated_entry, protest_input, staff_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)
LIQUIDATED = dt.date(2026, 6, 1)
# The protest whose accelerated disposition is requested (19 U.S.C. 1515(b); 19 CFR 174.22).
ACCELERATED_LIQUIDATED, ACCELERATED_FILED = dt.date(2025, 11, 20), dt.date(2025, 12, 1)
MAILED = dt.date(2026, 3, 2)  # day 91 after the filing, the first allowed
DEEMED_DENIED = dt.date(2026, 4, 1)  # the 30th day after the mailing
HOSTILE = '<script>alert("x")</script><a href="https://evil.example/">click</a> & <img src=x onerror=y>'


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    # Delegations are judged live on the drain's legal day.
    monkeypatch.setattr("cases.notifications.legal_today", lambda: TODAY)


@pytest.fixture
def broker(importer):
    return broker_user(importer, kinds=("protest", "cf28", "cf29"), email="broker@example.com")


@pytest.fixture
def supervisor():
    return staff_user("CEE010", role="supervisor", email="supervisor@cbp.example.gov")


def _drain() -> list:
    mail.outbox.clear()
    outbox.drain()
    return list(mail.outbox)


def _to(sent, user) -> list:
    return [m for m in sent if m.to == [user.email]]


def _html(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def _protest(importer, filer) -> Case:
    entry = liquidated_entry(importer, LIQUIDATED)
    case = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=TODAY
    ).case
    _drain()
    return case


# --- Each event, the right people -----------------------------------------------------------------------


def test_status_change_by_the_center_emails_the_importer_side_not_the_center(
    importer, filer, broker, specialist
):
    case = _protest(importer, filer)
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    sent = _drain()
    assert sorted(m.to[0] for m in sent) == sorted([filer.email, "broker@example.com"])
    email = _to(sent, filer)[0]
    assert email.subject == f"{case.reference_number}: Under review"
    assert f"/portal/cases/{case.reference_number}/" in email.body
    assert "/portal/notifications/" in email.body
    # The dates that now run: the 2-year decision period of 19 U.S.C. 1515(a) among them.
    assert "Dates that now run" in email.body and "last day" in email.body


def test_an_answer_to_a_cf28_emails_the_center_with_its_staff_link(
    importer, filer, broker, specialist, supervisor
):
    entry = liquidated_entry(importer, LIQUIDATED)
    request = services.issue_information_request(
        actor=specialist, entry=entry, questions="Send the mill certificate.", issued_on=TODAY
    )
    sent = _drain()
    assert sorted(m.to[0] for m in sent) == sorted([filer.email, "broker@example.com"])
    assert "Send the mill certificate." in sent[0].body
    assert "Request for information (CBP Form 28)" in sent[0].body  # the event, named
    assert "2026-07-10" in sent[0].body  # 30 days by practice (19 CFR 151.11)

    services.answer_request(request, actor=filer, answer="Attached.", answered_on=TODAY)
    sent = _drain()
    # The request's assignee (who issued it) hears of the answer, on the staff side; the supervisor
    # (who hears only of unassigned cases) does not.
    assert [m.to for m in sent if m.to not in ([filer.email], ["broker@example.com"])] == [[specialist.email]]
    staff_email = _to(sent, specialist)[0]
    assert f"/cases/{request.reference_number}/" in staff_email.body
    assert "/portal/" not in staff_email.body


def test_a_proposed_action_cf29_emails_the_importer_side_with_its_window(importer, filer, broker, specialist):
    entry = liquidated_entry(importer, LIQUIDATED)
    notice = services.issue_notice_of_action(
        actor=specialist, entry=entry, action_kind="proposed", action="Rate advance to 5%.", issued_on=TODAY
    )
    sent = _drain()
    assert sorted(m.to[0] for m in sent) == sorted([filer.email, "broker@example.com"])
    assert sent[0].subject == f"Notice of action {notice.reference_number}"
    assert "Rate advance to 5%." in sent[0].body
    assert notice.cf29.due_on.isoformat() in sent[0].body  # 19 CFR 152.2: the window to object


def test_a_decision_emails_its_reasons_and_the_court_deadline(importer, filer, broker, specialist):
    case = _protest(importer, filer)
    services.decide_case(case, actor=specialist, outcome="denied", reasons="GRI 1 governs.", decided_on=TODAY)
    sent = _drain()
    assert sorted(m.to[0] for m in sent) == sorted([filer.email, "broker@example.com"])
    body = _to(sent, filer)[0].body
    assert "GRI 1 governs." in body
    # 180 days from the mailing of the denial notice to sue (28 U.S.C. 2636(a)).
    assert "2026-12-07" in body and "2636" in body


def test_a_deemed_denial_emails_both_sides(importer, filer, broker, supervisor):
    entry = liquidated_entry(importer, ACCELERATED_LIQUIDATED)
    case = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=ACCELERATED_FILED
    ).case
    services.request_accelerated_disposition(case, actor=filer, mailed_on=MAILED, today=MAILED)
    _drain()
    run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=1))
    sent = _drain()
    assert sorted(m.to[0] for m in sent) == sorted([filer.email, "broker@example.com", supervisor.email])
    assert all(m.subject == f"{case.reference_number}: Deemed denied" for m in sent)
    assert "A protest deemed denied by law" in sent[0].body


def test_a_reminder_of_a_closing_window_emails_the_side_that_must_act(
    importer, filer, broker, specialist, supervisor, settings
):
    settings.DEADLINE_REMINDER_DAYS = [3]
    entry = liquidated_entry(importer, LIQUIDATED)
    request = services.issue_information_request(
        actor=specialist, entry=entry, questions="Send the invoice.", issued_on=TODAY
    )
    _drain()
    due = request.cf28.due_on
    run_deadline_sweeps(today=due - dt.timedelta(days=4))  # the day before the lead time: nothing
    assert _drain() == []
    run_deadline_sweeps(today=due - dt.timedelta(days=3))
    sent = _drain()
    assert sorted(m.to[0] for m in sent) == sorted([filer.email, "broker@example.com"])
    assert "A reminder that a deadline is near" in sent[0].body


# --- Recipients ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ends_on", "hears"),
    [(TODAY - dt.timedelta(days=1), False), (TODAY, True), (TODAY + dt.timedelta(days=1), True)],
    ids=["ended-yesterday", "ends-today", "ends-tomorrow"],
)
def test_a_broker_hears_only_while_its_delegation_is_live(importer, filer, specialist, ends_on, hears):
    late = broker_user(importer, kinds=("protest",), ends_on=ends_on, email="late@example.com")
    case = _protest(importer, filer)
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    assert bool(_to(_drain(), late)) is hears


def test_a_broker_whose_delegation_was_revoked_or_covers_other_kinds_hears_nothing(
    importer, filer, specialist
):
    from importers.models import BrokerDelegation

    revoked = broker_user(importer, kinds=("protest",), email="revoked@example.com")
    BrokerDelegation.objects.filter(broker_firm=revoked.broker_firm).update(
        revoked_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    other_kinds = broker_user(importer, kinds=("psc",), email="psc-only@example.com")
    case = _protest(importer, filer)
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    sent = _drain()
    assert _to(sent, filer) and not _to(sent, revoked) and not _to(sent, other_kinds)


def test_no_email_to_the_importer_side_carries_an_internal_note(importer, filer, broker, specialist):
    case = _protest(importer, filer)
    add_internal_note(case, actor=specialist, text="INTERNAL: importer looks evasive")
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    case.refresh_from_db()
    services.decide_case(case, actor=specialist, outcome="denied", reasons="GRI 1 governs.", decided_on=TODAY)
    sent = _drain()
    trade = [m for m in sent if m.to[0] in {filer.email, "broker@example.com"}]
    assert len(trade) == 4
    for email in trade:
        assert "evasive" not in email.body and "evasive" not in _html(email)


# --- Preferences -----------------------------------------------------------------------------------------


def test_preferences_default_to_every_notice_on(filer):
    preference = notification_preferences(filer)
    assert preference.pk is None
    assert all(preference.wants(f) for f in preference.optional_fields())


def test_a_user_who_turns_decisions_off_gets_status_changes_but_not_the_decision_and_back(
    importer, filer, broker, specialist
):
    services.set_notification_preferences(filer, wanted={"decision": False})
    case = _protest(importer, filer)
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    assert _to(_drain(), filer)  # status changes still on
    case.refresh_from_db()
    services.decide_case(case, actor=specialist, outcome="denied", reasons="GRI 1 governs.", decided_on=TODAY)
    sent = _drain()
    assert not _to(sent, filer) and _to(sent, broker)  # the broker kept the default

    services.set_notification_preferences(filer, wanted={"decision": True, "status": False})
    second = _protest(importer, filer)
    services.transition_case(second, to="under_review", actor=specialist, today=TODAY)
    assert not _to(_drain(), filer)
    second.refresh_from_db()
    services.decide_case(second, actor=specialist, outcome="denied", reasons="Late.", decided_on=TODAY)
    assert _to(_drain(), filer)


def test_notices_nobody_may_turn_off_still_go_out(importer, filer, specialist):
    """Filings received and messages are not among the optional notices."""
    services.set_notification_preferences(
        filer, wanted={f: False for f in ("status", "decision", "reminder")}
    )
    case = _protest(importer, filer)
    services.post_message(actor=specialist, case=case, body="Please call us.")
    assert _to(_drain(), filer)


def test_an_unknown_notice_is_refused_and_nothing_is_saved(filer):
    from cases.exceptions import CaseError
    from cases.models import NotificationPreference

    with pytest.raises(CaseError, match="No such notice: birthdays"):
        services.set_notification_preferences(filer, wanted={"birthdays": False, "decision": False})
    assert not NotificationPreference.objects.exists()


# --- Once only, inert text -------------------------------------------------------------------------------


def test_a_message_drained_again_sends_nothing_twice(importer, filer, broker, specialist):
    case = _protest(importer, filer)
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    assert len(_drain()) == 2
    # As if the drain's own bookkeeping had been lost after the emails went out.
    OutboxMessage.objects.update(dispatched_at=None)
    assert _drain() == []
    assert NoticeDelivery.objects.count() == 2 + 2  # the filing's receipt and the status change, 2 each


def test_a_partly_failed_notice_retries_only_those_not_reached(
    importer, filer, broker, specialist, monkeypatch
):
    from django.core.mail import EmailMultiAlternatives

    case = _protest(importer, filer)
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    real_send = EmailMultiAlternatives.send

    def broker_relay_down(self, *args, **kwargs):
        if self.to == ["broker@example.com"]:
            raise smtplib.SMTPRecipientsRefused({"broker@example.com": (450, b"try later")})
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", broker_relay_down)
    mail.outbox.clear()
    outbox.drain(limit=1)  # only the status change's message
    assert [m.to for m in mail.outbox] == [[filer.email]]
    monkeypatch.undo()
    sent = _drain()
    assert [m.to for m in sent] == [["broker@example.com"]]


def test_hostile_text_is_inert_in_the_html_part_and_kept_verbatim_in_the_text(importer, filer, specialist):
    case = _protest(importer, filer)
    services.decide_case(case, actor=specialist, outcome="denied", reasons=HOSTILE, decided_on=TODAY)
    email = _to(_drain(), filer)[0]
    html = _html(email)
    assert "<script>" not in html and "<img" not in html and 'href="https://evil' not in html
    assert "&lt;script&gt;" in html
    assert HOSTILE in email.body  # plain text is not HTML: shown as typed
    assert "\n" not in email.subject
