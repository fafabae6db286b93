"""The invitation's email goes through the outbox without the token ever being stored (issue 13 item 2).

The payload holds a nonce; the token is HMAC(SECRET_KEY, nonce), rebuilt by the handler; only its
SHA-256 is kept on the invitation. The email carries a working, single-use, expiring link, and is sent
once however often the message is drained. A cancelled invitation's link says so.
"""

import datetime as dt
import hashlib
import json
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cee_portal.operations.models import OutboxMessage
from cee_portal.operations.outbox import drain
from importers.accounts.people import INVITATION_TOPIC
from importers.models import ImporterMembership, Invitation
from importers.services import accept_invitation, cancel_invitation, invite_colleague
from tests.factories import ImporterFactory, broker_user, sign_in_as, trade_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"


@pytest.fixture
def admin(settings):
    settings.SITE_URL = "https://portal.example"
    importer = ImporterFactory(name="Keystone Machinery")
    user = trade_user(importer)
    ImporterMembership.objects.filter(user=user).update(is_account_admin=True)
    return user


def invite(admin, email="ana@example.com", now=None):
    """Invite without running the on-commit drain: the tests drain by hand."""
    importer = admin.importer_accounts.get()
    return invite_colleague(actor=admin, importer=importer, email=email, now=now or timezone.now())


def link_in(message) -> str:
    return re.search(r"https://portal\.example(/portal/invitations/[^/\s]+/)", message.body).group(1)


def test_the_outbox_and_the_invitation_hold_no_token(admin):
    invitation, token = invite(admin)
    message = OutboxMessage.objects.get(topic=INVITATION_TOPIC)
    assert set(message.payload) == {"invitation_id", "nonce"}
    assert token not in json.dumps(message.payload)
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in json.dumps(stored, default=str)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert stored["emailed_at"] is None and mail.outbox == []  # nothing sent before the drain


def test_the_drained_email_carries_a_working_single_use_link(admin, client):
    invitation, token = invite(admin)
    assert drain() == {"delivered": 1, "failed": 0}
    [message] = mail.outbox
    assert message.to == ["ana@example.com"] and "Keystone Machinery" in message.subject
    path = link_in(message)
    assert path == reverse("portal:invitation", args=[token])
    expires = invitation.expires_at.astimezone(dt.UTC)
    assert f"Accept by {expires:%Y-%m-%d %H:%M} UTC" in message.body
    assert client.get(path).status_code == 200
    data = {"username": "ana", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(path, data).status_code == 302
    assert client.get(path).status_code == 404  # spent
    assert Invitation.objects.get().emailed_at is not None


def test_the_link_expires_with_the_invitation(admin, settings):
    settings.INVITATION_TTL = dt.timedelta(hours=72)
    now = timezone.now()
    _, token = invite(admin, now=now)
    drain()
    with pytest.raises(ValidationError, match="expired"):
        accept_invitation(token=token, username="ana", password=PASSWORD, now=now + dt.timedelta(hours=72))
    assert accept_invitation(
        token=token, username="ana", password=PASSWORD, now=now + dt.timedelta(hours=72, seconds=-1)
    )


def test_a_retried_drain_sends_once(admin):
    invite(admin)
    assert drain() == {"delivered": 1, "failed": 0}
    assert drain() == {"delivered": 0, "failed": 0}
    # Queued again by hand (an operator resetting the message): the invitation knows it was sent.
    OutboxMessage.objects.filter(topic=INVITATION_TOPIC).update(dispatched_at=None)
    assert drain() == {"delivered": 1, "failed": 0}
    assert len(mail.outbox) == 1


def test_a_failed_send_stays_queued_and_is_sent_once_later(admin, monkeypatch):
    import importers.accounts.notifications as notifications

    real_send = notifications.send_mail

    def down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server unreachable")

    monkeypatch.setattr(notifications, "send_mail", down)
    invite(admin)
    assert drain() == {"delivered": 0, "failed": 1}
    assert "SMTP server unreachable" in OutboxMessage.objects.get(topic=INVITATION_TOPIC).last_error
    assert Invitation.objects.get().emailed_at is None
    monkeypatch.setattr(notifications, "send_mail", real_send)
    assert drain() == {"delivered": 1, "failed": 0}
    assert drain() == {"delivered": 0, "failed": 0}
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("ended", ["cancelled", "expired"])
def test_an_invitation_ended_before_the_drain_is_not_mailed(admin, ended):
    invitation, _ = invite(admin)
    if ended == "cancelled":
        cancel_invitation(actor=admin, invitation=invitation, now=timezone.now())
    else:
        past = timezone.now() - dt.timedelta(seconds=1)
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=past)
    assert drain() == {"delivered": 1, "failed": 0}
    assert mail.outbox == [] and Invitation.objects.get().emailed_at is None


def test_a_rotated_secret_key_still_builds_the_link_and_a_dropped_one_refuses(admin, settings):
    old_key = settings.SECRET_KEY
    _, token = invite(admin)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "x" * 50, [old_key]
    assert drain() == {"delivered": 1, "failed": 0}
    assert link_in(mail.outbox[0]) == reverse("portal:invitation", args=[token])

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old_key, []
    invite(admin, email="bo@example.com")
    settings.SECRET_KEY = "another-key-" + "y" * 50
    assert drain() == {"delivered": 0, "failed": 1}
    failed = OutboxMessage.objects.get(dispatched_at=None)
    assert "secret key it was made with is gone" in failed.last_error
    assert len(mail.outbox) == 1


# --- Cancelling an invitation (the people page) ------------------------------------------------------------


def cancel_url(invitation):
    return reverse("portal:invitation-cancel", args=[invitation.importer.ior_number, invitation.pk])


def test_the_administrator_cancels_and_the_link_says_so(admin, client):
    invitation, token = invite(admin)
    drain()
    path = link_in(mail.outbox[0])
    sign_in_as(client, admin)
    people = client.get(reverse("portal:people", args=[invitation.importer.ior_number]))
    assert "Cancel the invitation to ana@example.com" in people.content.decode()
    response = client.post(cancel_url(invitation), follow=True)
    assert "The invitation to ana@example.com is cancelled" in response.content.decode()
    assert "Cancel the invitation to ana@example.com" not in response.content.decode()
    assert Invitation.objects.get().cancelled_at is not None
    client.logout()
    page = client.get(path)
    assert page.status_code == 404 and "This invitation was cancelled" in page.content.decode()
    data = {"username": "ana", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(path, data).status_code == 404
    with pytest.raises(ValidationError, match="cancelled"):
        accept_invitation(token=token, username="ana", password=PASSWORD, now=timezone.now())


@pytest.mark.parametrize("who", ["colleague", "other_importers_admin", "broker"])
def test_others_cannot_cancel_it_and_get_404(admin, client, who):
    invitation, _ = invite(admin)
    importer = invitation.importer
    if who == "colleague":
        user = trade_user(importer)  # a member of the account, not its administrator
    elif who == "other_importers_admin":
        user = trade_user(ImporterFactory())
        ImporterMembership.objects.filter(user=user).update(is_account_admin=True)
    else:
        user = broker_user(importer)  # a live delegation of every kind
    sign_in_as(client, user)
    assert client.post(cancel_url(invitation)).status_code == 404
    assert Invitation.objects.get().cancelled_at is None
    if who == "colleague":
        people = client.get(reverse("portal:people", args=[importer.ior_number])).content.decode()
        assert "ana@example.com" in people and "Cancel the invitation" not in people


def test_cancel_is_post_only_and_anonymous_is_sent_to_sign_in(admin, client):
    invitation, _ = invite(admin)
    assert client.post(cancel_url(invitation))["Location"].startswith(reverse("login"))
    sign_in_as(client, admin)
    assert client.get(cancel_url(invitation)).status_code == 405
    assert Invitation.objects.get().cancelled_at is None


def test_an_accepted_invitation_is_not_cancelled(admin, client):
    invitation, token = invite(admin)
    accept_invitation(token=token, username="ana", password=PASSWORD, now=timezone.now())
    sign_in_as(client, admin)
    response = client.post(cancel_url(invitation), follow=True)
    assert "already accepted the invitation; remove the colleague instead" in response.content.decode()
    assert Invitation.objects.get().cancelled_at is None
