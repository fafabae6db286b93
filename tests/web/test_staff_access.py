"""Every staff URL, opened by an importer user, a broker and an anonymous visitor (web/access.py).

The URL patterns are read from the URLconf, so a new staff page cannot escape: a pattern with
arguments without an entry in OBJECT_ARGS fails. Signed-in trade users get 404 on a page that
names an object (as for a missing one: the URL confirms nothing) and are sent to the portal home
from any other staff page; anonymous visitors are sent to sign in. GET and POST; nothing changes.
Each object URL is also opened by a supervisor, so each 404 is the rule's and not a wrong URL.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, get_resolver, reverse

from cases import services
from cases.models import Case, CaseEvent, SavedQueueFilter
from cases.services.saved_filters import save_queue_filter
from cee_portal.legal_time import legal_today
from importers.models import PinChange, ReassignmentJob
from tests.factories import (
    ImporterFactory,
    broker_user,
    liquidated_entry,
    protest_input,
    sign_in_as,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

OBJECT_ARGS = {
    "queue_delete_filter": lambda w: {"pk": w["saved"].pk},
    "case": lambda w: {"reference": w["case"].reference_number},
    "case-action": lambda w: {"reference": w["case"].reference_number, "action": "claim"},
    "case-packet": lambda w: {"reference": w["case"].reference_number},
    "entry": lambda w: {"number": w["entry"].entry_number},
    "account": lambda w: {"ior": w["importer"].ior_number},
    "account_moves": lambda w: {"ior": w["importer"].ior_number},
    "pin_account": lambda w: {"ior": w["importer"].ior_number},
    "unpin_account": lambda w: {"ior": w["importer"].ior_number},
    "move_account": lambda w: {"ior": w["importer"].ior_number},
    "run": lambda w: {"pk": w["job"].pk},
    "run_progress": lambda w: {"pk": w["job"].pk},
}
# What a post to a list page would do if it were let through (the rule must stop it first).
POSTS = {
    "queue_bulk": lambda w: {"action": "claim", "case": [w["case"].reference_number]},
    "queue_save_filter": lambda w: {"name": "Trade's", "query": "kind=psc"},
    "move_account": lambda w: {"to_center": "CEE001", "pin_reason": "business_practice", "note": "n"},
    "pin_account": lambda w: {"pin_reason": "business_practice", "note": "n"},
    "case-action": lambda w: {"claim-expected_version": w["case"].version},
}


def staff_patterns() -> list[URLPattern]:
    _, resolver = get_resolver().namespace_dict["staff"]
    return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]


STAFF_NAMES = [p.name for p in staff_patterns()]


def staff_url(name: str, world) -> str:
    args = OBJECT_ARGS[name](world) if name in OBJECT_ARGS else {}
    return reverse(f"staff:{name}", kwargs=args)


def test_every_staff_url_with_arguments_is_in_the_matrix():
    with_args = {p.name for p in staff_patterns() if p.pattern.converters}
    assert with_args, "no staff URL with arguments found"
    assert with_args == set(OBJECT_ARGS), "a staff URL with arguments is missing from OBJECT_ARGS"


@pytest.fixture
def world():
    today = legal_today()
    importer = ImporterFactory(center_ace_id="CEE010")
    filer = trade_user(importer)
    entry = liquidated_entry(importer, today - dt.timedelta(days=30))
    case = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=today - dt.timedelta(days=3)
    ).case
    supervisor = staff_user(None, role="supervisor")  # national: runs are national
    saved = save_queue_filter(actor=supervisor, name="Mine", query="kind=protest")
    job = ReassignmentJob.objects.create(scope="full", as_of=today, planned=1, chunks_total=1)
    return {
        "importer": importer,
        "entry": entry,
        "case": case,
        "saved": saved,
        "job": job,
        "supervisor": supervisor,
        # The account's own importer user and a broker acting for it under a live delegation: the
        # staff pages stay closed even to those who may see the case in the portal.
        "trade": {"importer user": filer, "broker": broker_user(importer)},
    }


def snapshot(world):
    case = Case.objects.get(pk=world["case"].pk)
    return (
        case.version,
        case.assignee_id,
        CaseEvent.objects.count(),
        SavedQueueFilter.objects.count(),
        PinChange.objects.count(),
        ReassignmentJob.objects.count(),
    )


@pytest.mark.parametrize("name", STAFF_NAMES)
@pytest.mark.parametrize("who", ["importer user", "broker"])
def test_trade_users_get_404_on_object_pages_and_the_portal_home_elsewhere(client, world, who, name):
    sign_in_as(client, world["trade"][who])
    url, before = staff_url(name, world), snapshot(world)
    for response in (client.get(url), client.post(url, POSTS.get(name, lambda w: {})(world))):
        if name in OBJECT_ARGS:
            assert response.status_code == 404, (name, response.status_code)
        else:
            assert response.status_code == 302 and response.url == reverse("portal:home"), name
    assert snapshot(world) == before


def test_the_trade_user_sent_home_is_told_why(client, world):
    sign_in_as(client, world["trade"]["importer user"])
    response = client.get(reverse("staff:dashboard"), follow=True)
    assert response.redirect_chain == [(reverse("portal:home"), 302)]
    assert "That page is for CBP staff" in response.content.decode()


@pytest.mark.parametrize("name", STAFF_NAMES)
def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_url(client, world, name):
    url, before = staff_url(name, world), snapshot(world)
    for response in (client.get(url), client.post(url, POSTS.get(name, lambda w: {})(world))):
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), name
    assert snapshot(world) == before


@pytest.mark.parametrize("name", sorted(set(OBJECT_ARGS) - {"case-action", "queue_delete_filter"}))
def test_a_supervisor_opens_each_object_page_so_the_404s_are_the_rules(client, world, name):
    sign_in_as(client, world["supervisor"])
    # POST-only URLs answer 405 to a GET: past the rule, the view itself answered.
    assert client.get(staff_url(name, world)).status_code in (200, 405), name
