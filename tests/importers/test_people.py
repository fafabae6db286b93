"""People and authority (issue 13 item 2): invitations, colleagues, broker delegations, and the
visibility rule's reading of delegation dates (19 CFR 141.46: a broker acts under a power of attorney)."""

import datetime as dt
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case, CaseKind
from cee_portal.users.models import BrokerFirm, User
from importers import permissions as ip
from importers.models import BrokerDelegation, ImporterMembership, Invitation
from importers.services import (
    DELEGABLE_KINDS,
    accept_invitation,
    grant_delegation,
    invite_colleague,
    remove_colleague,
    revoke_delegation,
)
from tests.factories import ImporterFactory, broker_user, liquidated_entry, protest_input, trade_user

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 11, 2, 9, 0))
TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def account():
    importer = ImporterFactory()
    admin = trade_user(importer)
    ImporterMembership.objects.filter(user=admin).update(is_account_admin=True)
    return importer, admin


def invite(account, email="new.colleague@example.com", now=NOW, **kwargs):
    importer, admin = account
    return invite_colleague(actor=admin, importer=importer, email=email, now=now, **kwargs)


def test_delegable_kinds_are_the_case_kinds():
    assert set(DELEGABLE_KINDS) == set(CaseKind.values)


# --- Invitations ------------------------------------------------------------------------------------------


def test_invitation_stores_only_the_tokens_hash_and_mails_the_link(
    account, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example"
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(account, now=timezone.now())  # the drain mails only a live invitation
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.colleague@example.com"]
    assert f"https://portal.example/portal/invitations/{token}/" in mail.outbox[0].body


def test_accepting_creates_the_user_with_a_password_once(account, settings):
    invitation, token = invite(account, as_account_admin=False)
    user = accept_invitation(token=token, username="ana", password="a-long-passphrase-42", now=NOW)
    assert user.role == User.Role.IMPORTER and user.email == "new.colleague@example.com"
    assert user.check_password("a-long-passphrase-42")
    assert list(user.importer_accounts.all()) == [account[0]]
    with pytest.raises(ValidationError, match="already been used"):
        accept_invitation(token=token, username="ana2", password="a-long-passphrase-42", now=NOW)
    assert User.objects.filter(username="ana2").count() == 0


@pytest.mark.parametrize(
    ("after", "accepted"),
    [
        (dt.timedelta(hours=72) - dt.timedelta(seconds=1), True),  # the last second of the link's life
        (dt.timedelta(hours=72), False),  # the moment it expires
        (dt.timedelta(hours=73), False),
    ],
)
def test_invitation_expires_after_its_ttl(account, settings, after, accepted):
    settings.INVITATION_TTL = dt.timedelta(hours=72)
    _, token = invite(account)
    if accepted:
        assert accept_invitation(
            token=token, username="ana", password="a-long-passphrase-42", now=NOW + after
        )
    else:
        with pytest.raises(ValidationError, match="expired"):
            accept_invitation(token=token, username="ana", password="a-long-passphrase-42", now=NOW + after)
        assert not User.objects.filter(username="ana").exists()


def test_accepting_refuses_a_taken_username_and_a_weak_password_field_by_field(account):
    _, token = invite(account)
    trade_user(account[0], username="taken")
    with pytest.raises(ValidationError) as exc:
        accept_invitation(token=token, username="taken", password="123", now=NOW)
    assert set(exc.value.message_dict) == {"username", "password"}
    assert Invitation.objects.get().accepted_at is None


def test_an_unknown_token_is_refused():
    with pytest.raises(ValidationError, match="not valid"):
        accept_invitation(token="nope", username="x", password="a-long-passphrase-42", now=NOW)


def test_only_the_accounts_administrator_invites(account):
    importer, _ = account
    member = trade_user(importer)
    with pytest.raises(PermissionDenied):
        invite_colleague(actor=member, importer=importer, email="a@b.example", now=NOW)
    with pytest.raises(PermissionDenied):
        invite_colleague(actor=broker_user(importer), importer=importer, email="a@b.example", now=NOW)
    assert not Invitation.objects.exists()


def test_an_invalid_email_is_refused_on_its_field(account):
    with pytest.raises(ValidationError) as exc:
        invite(account, email="not-an-email")
    assert "email" in exc.value.message_dict


def test_removing_a_colleague_ends_access_but_never_the_last_administrator(account):
    importer, admin = account
    colleague = trade_user(importer)
    remove_colleague(actor=admin, importer=importer, user=colleague)
    assert not ip.can_view_account(colleague, importer)
    with pytest.raises(ValidationError, match="only administrator"):
        remove_colleague(actor=admin, importer=importer, user=admin)
    assert ip.can_view_account(admin, importer)


# --- Delegations --------------------------------------------------------------------------------------------


def grant(account, firm, **kwargs):
    importer, admin = account
    args = {
        "case_kinds": ["protest"],
        "starts_on": TODAY,
        "ends_on": TODAY + dt.timedelta(days=365),
        "power_of_attorney": "CBP 5291 #77",
        "today": TODAY,
        **kwargs,
    }
    return grant_delegation(actor=admin, importer=importer, broker_firm=firm, **args)


@pytest.fixture
def firm():
    return BrokerFirm.objects.create(name="Harbor Entry Partners", filer_code="HEP")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"case_kinds": []}, "case_kinds"),
        ({"case_kinds": ["drawback"]}, "case_kinds"),
        ({"power_of_attorney": "  "}, "power_of_attorney"),
        ({"ends_on": TODAY - dt.timedelta(days=1), "starts_on": TODAY - dt.timedelta(days=9)}, "ends_on"),
        ({"ends_on": TODAY - dt.timedelta(days=1)}, "ends_on"),
    ],
)
def test_a_delegation_is_refused_with_the_field_and_the_reason(account, firm, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        grant(account, firm, **kwargs)
    assert field in exc.value.message_dict
    assert not BrokerDelegation.objects.exists()


def test_a_delegation_may_end_today_and_is_live_through_that_day(account, firm):
    delegation = grant(account, firm, starts_on=TODAY - dt.timedelta(days=5), ends_on=TODAY)
    assert delegation.is_live(TODAY) and not delegation.is_live(TODAY + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("day", "sees"),
    [
        (dt.date(2026, 10, 31), False),  # the day before it begins
        (dt.date(2026, 11, 1), True),  # its first day
        (dt.date(2026, 11, 30), True),  # its last day
        (dt.date(2026, 12, 1), False),  # the day after it ends
    ],
)
def test_the_rule_checks_the_delegation_dates_against_legal_today(account, firm, monkeypatch, day, sees):
    importer, admin = account
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    from cases import services

    case = services.file_protest(
        actor=admin, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    grant(
        account,
        firm,
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        today=dt.date(2026, 10, 1),
    )
    broker = User.objects.create(username="bk", role=User.Role.BROKER, broker_firm=firm)
    monkeypatch.setattr(ip, "legal_today", lambda: day)
    assert ip.can_view_account(broker, importer) is sees
    assert Case.objects.visible_to(broker).filter(pk=case.pk).exists() is sees
    assert ip.can_view_entry(broker, entry) is sees
    assert ip.can_file_for(broker, importer, "protest") is sees


def test_case_kinds_limit_a_brokers_cases_but_not_the_account(account, firm):
    importer, admin = account
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    from cases import services

    protest = services.file_protest(
        actor=admin, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    grant(account, firm, case_kinds=["psc"], starts_on=dt.date(2020, 1, 1), today=dt.date(2020, 1, 1))
    broker = User.objects.create(username="bk", role=User.Role.BROKER, broker_firm=firm)
    assert ip.can_view_account(broker, importer)
    assert not Case.objects.visible_to(broker).filter(pk=protest.pk).exists()
    assert ip.can_file_for(broker, importer, "psc") and not ip.can_file_for(broker, importer, "protest")


def test_revocation_ends_access_at_once_and_is_recorded(account, firm):
    importer, admin = account
    delegation = grant(account, firm, starts_on=dt.date(2020, 1, 1), today=dt.date(2020, 1, 1))
    broker = User.objects.create(username="bk", role=User.Role.BROKER, broker_firm=firm)
    assert ip.can_view_account(broker, importer)
    revoke_delegation(actor=admin, delegation=delegation, now=NOW)
    delegation.refresh_from_db()
    assert delegation.revoked_by == admin and delegation.revoked_at == NOW
    assert not ip.can_view_account(broker, importer)


def test_only_the_accounts_administrator_grants_and_revokes(account, firm):
    importer, admin = account
    member = trade_user(importer)
    with pytest.raises(PermissionDenied):
        grant_delegation(
            actor=member, importer=importer, broker_firm=firm, case_kinds=["protest"], starts_on=TODAY,
            ends_on=TODAY, power_of_attorney="x", today=TODAY,
        )  # fmt: skip
    delegation = grant(account, firm)
    with pytest.raises(PermissionDenied):
        revoke_delegation(actor=member, delegation=delegation, now=NOW)
    assert BrokerDelegation.objects.get().revoked_at is None


def test_a_broker_act_names_its_delegation_on_the_timeline(account):
    """'Broker X for importer Y under delegation Z' (issue 13 item 2)."""
    importer, _ = account
    broker = broker_user(importer, kinds=("protest",))
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    from cases import services

    case = services.file_protest(
        actor=broker, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    event = case.events.order_by("id").first()
    assert event.actor == broker and event.on_behalf_of == importer
    assert event.delegation == BrokerDelegation.objects.get(broker_firm=broker.broker_firm)


def test_broker_memberships_become_delegations_of_their_firm():
    """Migration 0012: a broker's membership becomes an open-ended delegation of every kind to its
    firm; a broker without a firm loses the membership; importer users keep theirs."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("importers.migrations.0012_broker_memberships_to_delegations")
    importer = ImporterFactory()
    with_firm = broker_user()
    without_firm = User.objects.create(username="lonely", role=User.Role.BROKER)
    member = trade_user(importer)
    for user in (with_firm, without_firm):
        ImporterMembership.objects.create(importer=importer, user=user)
    migration.forwards(apps, None)
    delegation = BrokerDelegation.objects.get()
    assert (delegation.importer, delegation.broker_firm, delegation.ends_on) == (
        importer,
        with_firm.broker_firm,
        None,
    )
    assert set(delegation.kinds) == set(CaseKind.values)
    assert list(ImporterMembership.objects.values_list("user", flat=True)) == [member.pk]
    assert ip.can_view_account(with_firm, importer) and not ip.can_view_account(without_firm, importer)


def test_a_broker_cannot_be_made_a_member_by_create_user(account):
    """Brokers act under delegations (issue 13): create_user refuses importer numbers for them."""
    from importers.services import create_user

    with pytest.raises(ValidationError) as exc:
        create_user("bk", password="a-long-pass-42", role="broker", importer_iors=[account[0].ior_number])
    assert "delegation" in exc.value.message_dict["importers"][0]
    assert not User.objects.filter(username="bk").exists()


def test_filing_kinds_agrees_with_can_file_for_in_one_query(account, django_assert_num_queries):
    """The home's filing links (issue 13 item 3): the same answer as can_file_for, account by account."""
    importer, admin = account
    other = ImporterFactory()
    psc_only = broker_user(importer, kinds=("psc",))
    BrokerDelegation.objects.create(
        importer=other, broker_firm=psc_only.broker_firm, case_kinds=",protest,", power_of_attorney="P",
        starts_on=dt.date(2000, 1, 1), ends_on=dt.date(2000, 12, 31),
    )  # fmt: skip  (expired long ago: nothing for that account)
    with django_assert_num_queries(1):
        assert ip.filing_kinds(admin, [importer, other]) == {importer.pk: frozenset(DELEGABLE_KINDS)}
    with django_assert_num_queries(1):
        assert ip.filing_kinds(psc_only, [importer, other]) == {importer.pk: frozenset({"psc"})}
    for kind in DELEGABLE_KINDS:
        assert ip.can_file_for(psc_only, importer, kind) == (kind == "psc")
        assert not ip.can_file_for(psc_only, other, kind)
    BrokerDelegation.objects.filter(broker_firm=psc_only.broker_firm).update(revoked_at=timezone.now())
    assert ip.filing_kinds(psc_only, [importer]) == {}
