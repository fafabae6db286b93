"""The portal's authorisation matrix (issue 13 items 7 and 8): one visibility rule per object.

Every portal URL pattern that names an object is resolved from the URLconf (so a new URL cannot
escape the matrix: a pattern without an entry in OBJECT_ARGS fails the test) and tried, GET and
POST, as each outsider: another importer's user, a broker without a delegation, brokers whose
delegation expired yesterday, is revoked, has not begun, or covers other case kinds, and anonymous.
Signed-in outsiders get 404, exactly as for a missing object (a POST-only URL may answer 405 to a
GET, before any lookup); anonymous users are sent to sign in. Nothing changes. The account's own
administrator opens every page (200), so each 404 is the rule's and not a wrong URL.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, Document, Message
from cee_portal.legal_time import legal_today
from importers.models import BrokerDelegation, ImporterMembership, Invitation
from importers.services import invite_colleague
from tests.factories import (
    ImporterFactory,
    broker_user,
    liquidated_entry,
    protest_input,
    sign_in_as,
    trade_user,
)

pytestmark = pytest.mark.django_db

# URL name -> the keyword arguments that name the victim's object (the world fixture's rows).
OBJECT_ARGS = {
    "case": lambda w: {"reference": w["case"].reference_number},
    "case-upload": lambda w: {"reference": w["case"].reference_number},
    "case-message": lambda w: {"reference": w["case"].reference_number},
    "document": lambda w: {"pk": w["document"].pk},
    "people": lambda w: {"ior": w["importer"].ior_number},
    "people-remove": lambda w: {"ior": w["importer"].ior_number, "user_id": w["colleague"].pk},
    "delegations": lambda w: {"ior": w["importer"].ior_number},
    "delegation-revoke": lambda w: {"ior": w["importer"].ior_number, "pk": w["delegation"].pk},
    "invitation-cancel": lambda w: {"ior": w["importer"].ior_number, "pk": w["invitation"].pk},
    # Filing (issue 13 item 3): on the account, and on the filed case.
    **{
        f"filing:{name}": (lambda w: {"ior": w["importer"].ior_number})
        for name in ("protest", "protest_dates", "entry_matches", "entry_dates", "psc", "pic")
    },
    **{
        f"filing:{name}": (lambda w: {"reference": w["case"].reference_number})
        for name in ("amend", "answer", "withdraw", "accelerate", "filed")
    },
}
# Patterns with arguments that name no object: the invitation link's argument is a secret token
# (tested in tests/importers/test_people.py and tests/web/test_portal_pages.py).
NOT_OBJECT_URLS = {"invitation"}
# The account pages are for the account's importer users; a broker with a live delegation acts on
# the cases, not on the account's people (404 for it too).
BROKER_CASE_URLS = {"case", "case-upload", "case-message", "document"}
# The broker "outside the case kinds" holds a delegation of the other kinds (PSC, 1520(d), CF-28/29)
# for the account: filing a PSC or a 1520(d) claim there is within it (tested in test_filing.py).
WITHIN_OTHER_KINDS = {"filing:psc", "filing:pic", "filing:entry_dates"}


def portal_patterns() -> list[str]:
    """Names (with nested namespaces, e.g. "filing:protest") of every portal URL pattern that takes
    arguments, read from the URLconf."""
    _, resolver = get_resolver().namespace_dict["portal"]
    names = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.pattern.converters:
                names.append(prefix + p.name)

    walk(resolver.url_patterns, "")
    return names


def test_every_portal_url_with_an_object_is_in_the_matrix():
    names = portal_patterns()
    assert names, "no portal URL with arguments found"
    assert set(names) - NOT_OBJECT_URLS == set(OBJECT_ARGS), "a portal URL is missing from OBJECT_ARGS"


@pytest.fixture
def world():
    today = legal_today()
    importer = ImporterFactory()
    admin = trade_user(importer)
    ImporterMembership.objects.filter(user=admin).update(is_account_admin=True)
    colleague = trade_user(importer)
    entry = liquidated_entry(importer, today - dt.timedelta(days=30))
    case = services.file_protest(
        actor=admin, importer=importer, **protest_input([entry]), filed_on=today - dt.timedelta(days=10)
    ).case
    document = services.upload_document(
        actor=admin, case=case, upload=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice")
    )
    services.post_message(actor=admin, case=case, body="Please see the invoice.")
    invitation, _ = invite_colleague(actor=admin, importer=importer, email="n@x.example", now=timezone.now())
    live = broker_user(importer, kinds=("protest",))
    delegation = BrokerDelegation.objects.get(broker_firm=live.broker_firm)
    other_importers_admin = trade_user(ImporterFactory())
    ImporterMembership.objects.filter(user=other_importers_admin).update(is_account_admin=True)
    revoked = broker_user(importer)
    BrokerDelegation.objects.filter(broker_firm=revoked.broker_firm).update(revoked_at=timezone.now())
    outsiders = {
        "other_importers_user": other_importers_admin,
        "broker_without_delegation": broker_user(ImporterFactory()),
        "broker_delegation_expired_yesterday": broker_user(
            importer, starts_on=today - dt.timedelta(days=60), ends_on=today - dt.timedelta(days=1)
        ),
        "broker_delegation_revoked": revoked,
        "broker_delegation_begins_tomorrow": broker_user(
            importer, starts_on=today + dt.timedelta(days=1), ends_on=today + dt.timedelta(days=60)
        ),
        "broker_outside_case_kinds": broker_user(importer, kinds=("psc", "pic", "cf28", "cf29")),
        "broker_as_plain_member": _broker_member(importer),
        "anonymous": None,
    }
    return {
        "importer": importer,
        "admin": admin,
        "colleague": colleague,
        "case": case,
        "document": document,
        "delegation": delegation,
        "invitation": invitation,
        "live_broker": live,
        "outsiders": outsiders,
    }


def _broker_member(importer):
    """A broker left as a plain member (the old way): membership alone gives a broker nothing."""
    user = broker_user()
    ImporterMembership.objects.create(importer=importer, user=user)
    return user


def _state(w):
    return (
        Document.objects.count(),
        Message.objects.count(),
        CaseEvent.objects.count(),
        ImporterMembership.objects.filter(importer=w["importer"]).count(),
        BrokerDelegation.objects.filter(revoked_at__isnull=True).count(),
        Invitation.objects.filter(cancelled_at__isnull=True).count(),
    )


def _url(name, w):
    return reverse(f"portal:{name}", kwargs=OBJECT_ARGS[name](w))


POST_DATA = {"message-body": "hello", "email": "x@example.com", "filer_code": "Z00"}


@pytest.mark.parametrize(
    "who",
    [
        "other_importers_user",
        "broker_without_delegation",
        "broker_delegation_expired_yesterday",
        "broker_delegation_revoked",
        "broker_delegation_begins_tomorrow",
        "broker_outside_case_kinds",
        "broker_as_plain_member",
        "anonymous",
    ],
)
def test_every_portal_object_url_is_refused_to_outsiders(client, world, who):
    """Issue 13 item 7: other -> 404 like a missing object; anonymous -> sign-in; nothing changes."""
    user = world["outsiders"][who]
    sign_in_as(client, user)
    before = _state(world)
    for name in portal_patterns():
        if name in NOT_OBJECT_URLS or (who == "broker_outside_case_kinds" and name in WITHIN_OTHER_KINDS):
            continue
        url = _url(name, world)
        for method in ("get", "post"):
            kwargs = {"data": POST_DATA} if method == "post" else {}
            response = getattr(client, method)(url, **kwargs)
            if user is None:
                assert response.status_code in (302, 405), (who, method, url, response.status_code)
                if response.status_code == 302:
                    assert response["Location"].startswith(reverse("login")), (who, method, url)
            else:
                allowed = (404, 405) if method == "get" else (404,)
                assert response.status_code in allowed, (who, method, url, response.status_code)
    assert _state(world) == before


def test_the_accounts_administrator_opens_every_page(client, world):
    """The positive control: the same URLs answer the account's own administrator."""
    sign_in_as(client, world["admin"])
    for name in ("case", "document", "people", "delegations"):
        assert client.get(_url(name, world)).status_code == 200, name


def test_a_broker_with_a_live_delegation_of_the_kind_sees_the_case_not_the_accounts_people(client, world):
    sign_in_as(client, world["live_broker"])
    for name in ("case", "document"):
        assert client.get(_url(name, world)).status_code == 200, name
    for name in ("people", "delegations"):
        assert client.get(_url(name, world)).status_code == 404, name


def test_revoking_stops_a_signed_in_broker_at_once(client, world):
    """Issue 13 item 2: the rule reads live delegations at query time, so the next request is refused."""
    broker = world["live_broker"]
    sign_in_as(client, broker)
    url = _url("case", world)
    assert client.get(url).status_code == 200
    from importers.services import revoke_delegation

    revoke_delegation(actor=world["admin"], delegation=world["delegation"], now=timezone.now())
    assert client.get(url).status_code == 404
    assert client.get(_url("document", world)).status_code == 404


def test_staff_read_the_document_through_the_same_view(client, world):
    from tests.factories import staff_user

    sign_in_as(client, staff_user("CEE010"))
    response = client.get(_url("document", world))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 invoice"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_non_admin_member_sees_people_but_may_not_act(client, world):
    sign_in_as(client, world["colleague"])
    assert client.get(_url("people", world)).status_code == 200
    before = _state(world)
    client.post(_url("delegation-revoke", world))
    assert client.post(_url("invitation-cancel", world)).status_code == 404  # not an administrator
    client.post(
        reverse(
            "portal:people-remove", kwargs={"ior": world["importer"].ior_number, "user_id": world["admin"].pk}
        )
    )
    assert _state(world) == before
