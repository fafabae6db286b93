"""API tokens (`manage.py api_token`): shown once, stored hashed, expiring, revocable, scoped.

An importer user's or broker's token acts for one account; a CBP staff token acts as the staff member.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from cee_portal.users.models import ApiToken
from cee_portal.users.services import hash_api_key
from importers.models import ImporterMembership
from tests.api.helpers import V1, make_world
from tests.factories import ImporterFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def get(key: str, path: str = "/importers/"):
    from rest_framework.test import APIClient

    return APIClient().get(f"{V1}{path}", HTTP_AUTHORIZATION=f"Token {key}")


def test_token_is_printed_once_and_stored_only_as_its_hash():
    world = make_world()
    out, _ = run("api_token", world.filer.username)
    key = out.strip()
    token = ApiToken.objects.get(user=world.filer)
    assert out.count("\n") == 1 and len(key) >= 40
    assert token.key_hash == hash_api_key(key) and key not in (token.key_hash, token.prefix)
    assert token.importer == world.importer  # the filer's only account
    assert get(key).status_code == 200
    # A second call issues a second token; the first still works until revoked.
    second = run("api_token", world.filer.username)[0].strip()
    assert second != key and get(second).status_code == 200 and get(key).status_code == 200


def test_token_expires_at_its_lifetime_not_a_second_later():
    world = make_world()
    key = run("api_token", world.specialist.username, "--days", "1")[0].strip()
    token = ApiToken.objects.get(user=world.specialist)
    assert token.expires_at - timezone.now() == pytest.approx(
        dt.timedelta(days=1), abs=dt.timedelta(seconds=5)
    )
    token.expires_at = timezone.now() + dt.timedelta(seconds=30)
    token.save()
    assert get(key).status_code == 200  # still alive just before its expiry
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    response = get(key)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed" and "expired" in response.json()["message"]


@pytest.mark.parametrize("days", ["0", "367"])
def test_token_lifetime_outside_one_day_to_a_year_is_refused(days):
    world = make_world()
    with pytest.raises(CommandError, match="days: A token lives 1 to 366 days"):
        run("api_token", world.specialist.username, "--days", days)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", ["1", "366"])
def test_token_lifetime_at_its_bounds_is_accepted(days):
    world = make_world()
    run("api_token", world.specialist.username, "--days", days)
    assert ApiToken.objects.count() == 1


def test_revoked_token_answers_401_and_others_keep_working():
    world = make_world()
    first = run("api_token", world.specialist.username)[0].strip()
    second = run("api_token", world.specialist.username)[0].strip()
    _, err = run("api_token", world.specialist.username, "--revoke", first[:8])
    assert "Revoked 1 token" in err
    response = get(first)
    assert response.status_code == 401 and "revoked" in response.json()["message"]
    assert get(second).status_code == 200
    run("api_token", world.specialist.username, "--revoke-all")
    assert get(second).status_code == 401
    listing = run("api_token", world.specialist.username, "--list")[0]
    assert listing.count("revoked") == 2 and first not in listing


def test_revoking_an_unknown_prefix_says_so():
    world = make_world()
    with pytest.raises(CommandError, match="No live token"):
        run("api_token", world.specialist.username, "--revoke", "nope")


def test_unknown_token_answers_401_with_a_token_challenge():
    response = get("0" * 43)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_inactive_user_token_answers_401():
    world = make_world()
    key = run("api_token", world.specialist.username)[0].strip()
    world.specialist.is_active = False
    world.specialist.save()
    assert get(key).status_code == 401


def test_trade_user_with_several_accounts_must_name_one_and_sees_only_it():
    world = make_world()
    ImporterMembership.objects.create(importer=world.other, user=world.filer)
    with pytest.raises(
        CommandError, match="importer: An importer user's or broker's token acts for one account"
    ):
        run("api_token", world.filer.username)
    key = run("api_token", world.filer.username, "--importer", world.other.ior_number)[0].strip()
    listed = [row["ior_number"] for row in get(key).json()["results"]]
    assert listed == [world.other.ior_number]
    assert get(key, f"/importers/{world.importer.ior_number}/").status_code == 404


def test_trade_token_for_an_account_the_user_does_not_belong_to_is_refused():
    world = make_world()
    stranger = ImporterFactory()
    with pytest.raises(CommandError, match=f"does not act for importer account {stranger.ior_number}"):
        run("api_token", world.filer.username, "--importer", stranger.ior_number)


def test_staff_token_names_no_account():
    world = make_world()
    with pytest.raises(CommandError, match="A CBP staff token acts as the staff member"):
        run("api_token", world.specialist.username, "--importer", world.importer.ior_number)


def test_unknown_user_is_refused():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("api_token", "ghost")


@override_settings(API_THROTTLE_USER_RATE="3/min")
def test_requests_beyond_the_per_user_rate_answer_429_with_retry_after():
    from django.core.cache import cache

    cache.clear()
    world = make_world()
    key = run("api_token", world.specialist.username)[0].strip()
    other = run("api_token", world.supervisor.username)[0].strip()
    assert [get(key).status_code for _ in range(3)] == [200, 200, 200]
    refused = get(key)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    # The budget is the user's: another user is not slowed by it.
    assert get(other).status_code == 200
    cache.clear()
