"""Idempotency-Key: a retried filing or action acts once and answers the first result, even when the
retry races the first request; the same key with another request is refused (422). And the browser's
session authentication keeps Django's CSRF check."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, IdempotentRequest
from tests.api.helpers import V1, file_protest, make_world, post, protest_body, recently_liquidated


@pytest.mark.django_db
def test_same_key_twice_files_one_protest_and_answers_the_first_result():
    world = make_world()
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    client = world.filer_client()
    first = post(client, "/filings/protests/", body, idem="retry-1")
    second = post(client, "/filings/protests/", body, idem="retry-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["ETag"] == first["ETag"]
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_422_and_files_nothing_more():
    world = make_world()
    client = world.filer_client()
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    assert post(client, "/filings/protests/", body, idem="k1").status_code == 201
    other = protest_body(world.importer, [recently_liquidated(world.importer)])
    response = post(client, "/filings/protests/", other, idem="k1")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    # The same body to another path is another request too.
    assert post(client, "/filings/pscs/", body, idem="k1").status_code == 422
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_action_retried_acts_once_even_though_the_case_moved_on():
    world = make_world()
    case = file_protest(world)
    staff = world.staff_client()
    path = f"/cases/{case['reference_number']}/claim/"
    first = post(staff, path, version=case["version"], idem="claim-1")
    again = post(staff, path, version=case["version"], idem="claim-1")
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert CaseEvent.objects.filter(kind="assignee").count() == 1
    # A new key with the old version is a new request, and stale.
    assert post(staff, path, version=case["version"], idem="claim-2").status_code == 409


@pytest.mark.django_db
def test_refused_request_is_not_stored_so_a_corrected_retry_files():
    world = make_world()
    client = world.filer_client()
    body = protest_body(world.importer, [recently_liquidated(world.importer)], description="")
    assert post(client, "/filings/protests/", body, idem="fix-me").status_code == 400
    assert not IdempotentRequest.objects.exists()
    body["description"] = "Excavators"
    assert post(client, "/filings/protests/", body, idem="fix-me").status_code == 201


@pytest.mark.django_db
def test_keys_belong_to_their_user():
    world = make_world()
    from tests.api.helpers import client_for
    from tests.factories import trade_user

    colleague = trade_user(world.importer)
    entry = recently_liquidated(world.importer)
    body = protest_body(world.importer, [entry])
    assert post(world.filer_client(), "/filings/protests/", body, idem="shared").status_code == 201
    # Another user's same key is another request: it files (and here joins the same protest, 174.15).
    body["protestant"] = {"identifier": "98-7654321AB", "name": "Co-owner LLC"}
    response = post(client_for(colleague, world.importer), "/filings/protests/", body, idem="shared")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")


@pytest.mark.django_db
@pytest.mark.parametrize("length, ok", [(255, True), (256, False)])
def test_key_length_up_to_255(length, ok):
    world = make_world()
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    response = post(world.filer_client(), "/filings/protests/", body, idem="k" * length)
    assert (response.status_code == 201) is ok
    if not ok:
        assert response.json()["field"] == "Idempotency-Key"


@pytest.mark.django_db
def test_missing_key_is_refused_on_its_field_and_files_nothing():
    world = make_world()
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    response = world.filer_client().post(f"{V1}/filings/protests/", body, format="json")
    assert response.status_code == 400 and response.json()["field"] == "Idempotency-Key"
    assert not Case.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_file_once_and_both_answer_the_first_result(monkeypatch):
    """The second request's insert waits on the unique (user, key) row of the first, then replays it."""
    from cases.api import views

    world = make_world()
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    original = views.services.file_protest

    def slow_file_protest(**kwargs):
        time.sleep(0.5)  # hold the first transaction open while the second arrives
        return original(**kwargs)

    monkeypatch.setattr(views.services, "file_protest", slow_file_protest)
    clients = [world.filer_client(), world.filer_client()]
    barrier, answers = threading.Barrier(2), []

    def send(client: APIClient):
        try:
            barrier.wait()
            answers.append(post(client, "/filings/protests/", body, idem="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert Case.objects.count() == 1 and IdempotentRequest.objects.count() == 1


@pytest.mark.django_db
def test_session_requests_need_the_csrf_token():
    world = make_world()
    client = APIClient(enforce_csrf_checks=True)
    filer = type(world.filer).objects.get(pk=world.filer.pk)
    client.force_login(filer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"{V1}/cases/").status_code == 200  # reads need no token
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    refused = client.post(f"{V1}/filings/protests/", body, format="json", HTTP_IDEMPOTENCY_KEY="s1")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    assert not Case.objects.exists()
    assert client.get("/portal/").status_code == 200  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{V1}/filings/protests/", body, format="json", HTTP_IDEMPOTENCY_KEY="s1", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.json()


@pytest.mark.django_db
def test_same_key_through_a_token_of_another_account_is_not_a_replay():
    """A replay would hand one account's case to a token scoped to another: 422 instead."""
    from importers.models import ImporterMembership
    from tests.api.helpers import client_for

    world = make_world()
    ImporterMembership.objects.create(importer=world.other, user=world.filer)
    body = protest_body(world.importer, [recently_liquidated(world.importer)])
    assert (
        post(client_for(world.filer, world.importer), "/filings/protests/", body, idem="k").status_code == 201
    )
    response = post(client_for(world.filer, world.other), "/filings/protests/", body, idem="k")
    assert response.status_code == 422 and "reference_number" not in response.json()
