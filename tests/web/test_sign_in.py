"""Sign-in for every role: each demo login lands where its role works; the admin is for administrators."""

import datetime as dt

import pytest
from django.urls import reverse

from cases import services
from demo import seed as demo
from tests.factories import ImporterFactory, liquidated_entry, protest_input, trade_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LANDING = {
    "admin": "/queue/",
    "supervisor": "/queue/",
    "account_manager": "/queue/",
    "specialist": "/queue/",
    "importer": "/portal/",
    "broker": "/portal/",
}


@pytest.fixture
def demo_logins(db):
    """The six demo logins exactly as `make run` creates them (demo.seed.ensure_demo_users)."""
    ImporterFactory(name=f"Keystone Machinery Inc.{demo.DEMO_MARKER}", center_ace_id="CEE010")
    return {username: (role, password) for username, role, password in demo.ensure_demo_users()}


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


@pytest.mark.parametrize(("username", "role", "center"), demo.DEMO_USERS)
def test_each_demo_login_signs_in_on_the_one_sign_in_page_and_lands_where_its_role_works(
    client, demo_logins, username, role, center
):
    response = sign_in(client, username, demo.demo_password(username))
    assert response.status_code == 302
    assert response.url == LANDING[role]
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    if center:
        assert "Machinery" in text  # CEE010's name on the queue heading
    if role == "importer":
        assert "Keystone Machinery Inc." in text
    if role == "broker":  # under the demo delegation (issue 13: a broker acts only under one)
        assert "Keystone Machinery Inc." in text
    # `/` sends a signed-in user to the same place.
    assert client.get("/").url == LANDING[role]


def test_administrators_also_open_the_admin(client, demo_logins):
    sign_in(client, "admin", demo.demo_password("admin"))
    assert client.get("/admin/").status_code == 200
    assert "Administration" in client.get("/queue/").content.decode()


@pytest.mark.parametrize("username", ["supervisor", "manager", "specialist", "importer", "broker"])
def test_the_admin_refuses_every_other_role_and_points_to_where_it_works(client, demo_logins, username):
    sign_in(client, username, demo.demo_password(username))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    text = response.content.decode()
    assert "Administration is for administrators" in text
    assert f'href="{LANDING[demo_logins[username][0]]}"' in text
    assert client.get("/admin/importers/importer/").status_code == 302  # to the refusal, never the list


@pytest.mark.parametrize(
    "path", ["/", "/queue/", "/portal/", "/accounts/password_change/", "/admin/", "/admin/cases/case/"]
)
def test_anonymous_visitors_are_sent_to_the_one_sign_in_page(client, path):
    response = client.get(path, follow=True)
    assert response.redirect_chain, path
    assert response.redirect_chain[-1][0].startswith(f"{LOGIN}?next=")
    assert response.status_code == 200
    assert "<h1>Sign in</h1>" in response.content.decode()


def test_sign_in_follows_a_safe_next_and_ignores_an_outside_one(client, demo_logins):
    response = sign_in(client, "specialist", demo.demo_password("specialist"), next="/portal/")
    assert response.url == "/portal/"
    client.post(reverse("logout"))
    response = sign_in(client, "specialist", demo.demo_password("specialist"), next="https://evil.example/")
    assert response.url == "/queue/"


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client, demo_logins):
    response = sign_in(client, "specialist", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/queue/").status_code == 302


def test_staff_pages_send_the_trade_home_and_portal_pages_refuse_staff_pointing_home(client, demo_logins):
    sign_in(client, "importer", demo.demo_password("importer"))
    assert client.get("/queue/").url == "/portal/"
    client.post(reverse("logout"))
    sign_in(client, "specialist", demo.demo_password("specialist"))
    refused = client.get("/portal/")
    assert refused.status_code == 403 and 'href="/queue/"' in refused.content.decode()


def test_queue_lists_the_open_cases_of_the_users_center_only(client, demo_logins):
    machinery = ImporterFactory(center_ace_id="CEE010")
    elsewhere = ImporterFactory(center_ace_id="CEE001")
    for importer in (machinery, machinery, elsewhere):
        services.file_protest(
            actor=trade_user(importer),
            importer=importer,
            **protest_input([liquidated_entry(importer, dt.date(2026, 6, 1))]),
            filed_on=dt.date(2026, 6, 2),
        )
    sign_in(client, "specialist", demo.demo_password("specialist"))
    page = client.get("/queue/")
    rows = page.context["rows"]
    assert [row.case.importer for row in rows] == [machinery, machinery]
    assert all(row.case.assignee is None for row in rows)
    client.post(reverse("logout"))
    # A national supervisor (no Center) sees every Center's open cases.
    from importers.services import create_user

    create_user("national", password="a-long-national-pw", role="supervisor")
    sign_in(client, "national", "a-long-national-pw")
    assert len(client.get("/queue/").context["rows"]) == 3


def test_portal_lists_only_the_users_accounts_with_their_open_cases(client, demo_logins):
    mine = demo_logins and ImporterFactory(name="Mine Trading LLC")
    ImporterFactory(name="Someone Else Corp.")
    user = trade_user(mine)
    user.set_password("a-long-trade-pw")
    user.save()
    services.file_protest(
        actor=user,
        importer=mine,
        **protest_input([liquidated_entry(mine, dt.date(2026, 6, 1))]),
        filed_on=dt.date(2026, 6, 2),
    )
    sign_in(client, user.username, "a-long-trade-pw")
    page = client.get("/portal/")
    home = page.context["home"]  # the portal home of issue 13: accounts, and open cases listed apart
    assert [a.name for a in home.accounts] == ["Mine Trading LLC"]
    assert [c.importer.name for c in home.open_cases] == ["Mine Trading LLC"]
    assert "Someone Else Corp." not in page.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(client, demo_logins):
    sign_in(client, "broker", demo.demo_password("broker"))
    assert client.get(reverse("logout")).status_code == 405  # a link or prefetch cannot sign anyone out
    assert client.get("/portal/").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == LOGIN
    assert client.get("/portal/").status_code == 302


def test_password_change_needs_the_old_password_and_then_the_new_one_signs_in(client, demo_logins):
    sign_in(client, "manager", demo.demo_password("manager"))
    url = reverse("password_change")
    wrong = client.post(
        url, {"old_password": "nope", "new_password1": "Sturdy-new-pw-9", "new_password2": "Sturdy-new-pw-9"}
    )
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    done = client.post(
        url,
        {
            "old_password": demo.demo_password("manager"),
            "new_password1": "Sturdy-new-pw-9",
            "new_password2": "Sturdy-new-pw-9",
        },
    )
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    client.post(reverse("logout"))
    assert sign_in(client, "manager", demo.demo_password("manager")).status_code == 200
    assert sign_in(client, "manager", "Sturdy-new-pw-9").url == "/queue/"


def test_createsuperuser_makes_an_administrator_who_may_open_the_admin(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.gov", "a-long-test-password")
    assert root.role == "admin"  # issue 16 item 7
    response = sign_in(client, "root", "a-long-test-password")
    assert response.url == "/queue/"  # administrators land where staff work ...
    assert client.get("/admin/").status_code == 200  # ... and may also open the admin
