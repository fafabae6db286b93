from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cee_portal.users.models import User
from importers.models import ImporterMembership
from importers.services import create_user
from tests.factories import ImporterFactory

pytestmark = pytest.mark.django_db

PASSWORD = "long-enough-Pass-42"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme():
    return ImporterFactory(ior_number="12-3456789AB", name="Acme Imports Inc.")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("role", "center", "staff"),
    [
        ("account_manager", "CEE010", False),
        ("specialist", "CEE003", False),
        ("supervisor", "CEE010", False),
        ("supervisor", None, False),
        ("admin", None, True),
        ("admin", "CEE001", True),
        ("broker", None, False),
    ],
)
def test_create_user_for_each_staff_and_broker_role(role, center, staff):
    user = create_user("pat", password=PASSWORD, role=role, center_ace_id=center)

    assert (user.role, user.center.ace_id if user.center else None) == (role, center)
    assert user.is_staff is staff and user.is_superuser is staff
    assert authenticate(username="pat", password=PASSWORD) == user


def test_create_importer_user_normalises_the_ior_and_joins_the_account(acme):
    user = create_user("ann", password=PASSWORD, role="importer", importer_iors=[" 123456789ab "])

    assert list(user.importer_accounts.all()) == [acme]
    assert user.center is None and not user.is_staff


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"role": "importer"}, "importers", "needs at least one importer account"),
        ({"role": "importer", "importer_iors": ["98-7654321ZZ"]}, "importers", "98-7654321ZZ"),
        ({"role": "importer", "importer_iors": ["12-34"]}, "importers", "not a recognised format"),
        (
            {"role": "importer", "importer_iors": ["12-3456789AB"], "center_ace_id": "CEE001"},
            "center",
            "Only CBP staff",
        ),
        ({"role": "broker", "center_ace_id": "CEE001"}, "center", "Only CBP staff"),
        ({"role": "specialist", "center_ace_id": "CEE099"}, "center", "No Center CEE099"),
        ({"role": "specialist"}, "center", "works for one Center"),
        ({"role": "account_manager"}, "center", "works for one Center"),
        ({"role": "supervisor", "importer_iors": ["12-3456789AB"]}, "importers", "CBP staff are not members"),
        ({"role": "director"}, "role", "Unknown role 'director'"),
        ({"role": "broker", "email": "not-an-email"}, "email", "not a valid email"),
    ],
)
def test_create_user_refuses_bad_input_field_by_field(acme, kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        create_user("pat", password=PASSWORD, **kwargs)

    assert any(message in text for text in caught.value.message_dict[field])
    assert not User.objects.filter(username="pat").exists()


def test_create_user_refuses_weak_passwords():
    with pytest.raises(ValidationError) as caught:
        create_user("pat", password="12345678", role="broker")

    assert "password" in caught.value.message_dict


def test_create_user_with_update_updates_role_center_memberships_and_password(acme):
    other = ImporterFactory(ior_number="12-3456789CD")
    first = create_user("pat", password=PASSWORD, role="admin")
    again = create_user("pat", password=PASSWORD, role="admin", update=True)
    assert again.pk == first.pk and User.objects.count() == 1

    moved = create_user(
        "pat", password="another-Pass-77", role="importer", importer_iors=["12-3456789AB"], update=True
    )
    assert not moved.is_superuser and not moved.is_staff and moved.center is None
    assert list(moved.importer_accounts.all()) == [acme]

    moved = create_user(
        "pat", password="another-Pass-77", role="importer", importer_iors=["12-3456789CD"], update=True
    )
    assert list(moved.importer_accounts.all()) == [other]
    assert ImporterMembership.objects.count() == 1
    assert authenticate(username="pat", password="another-Pass-77") == moved
    assert authenticate(username="pat", password=PASSWORD) is None

    staff = create_user("pat", password=PASSWORD, role="specialist", center_ace_id="cee007", update=True)
    assert staff.center.ace_id == "CEE007" and not staff.importer_accounts.exists()


def test_create_user_command_reports_created_then_updated_with_update(acme):
    args = ("create_user", "ann", "--password", PASSWORD, "--role", "importer", "--importer", "12-3456789AB")

    assert run(*args).startswith("Created user ann (Importer user; importers 12-3456789AB)")
    assert run(*args, "--update").startswith("Updated user ann")
    assert User.objects.filter(username="ann").count() == 1


# Issue 16 item 7: `create_user` on an existing name silently updated it ("alice" became a
# superuser with a new password); "Alice" and "alice" were two accounts.


@pytest.mark.parametrize("name", ["alice", "Alice", "ALICE", " alice "])
def test_create_user_refuses_an_existing_name_in_any_case_without_update(name):
    alice = create_user("alice", password=PASSWORD, role="broker")
    with pytest.raises(CommandError, match="A user named 'alice' already exists.*--update"):
        run("create_user", name, "--password", "another-Pass-77", "--role", "admin")

    alice.refresh_from_db()
    assert (alice.role, alice.is_superuser, User.objects.count()) == ("broker", False, 1)
    assert authenticate(username="alice", password=PASSWORD) == alice


def test_create_user_update_in_another_case_updates_the_one_account():
    alice = create_user("alice", password=PASSWORD, role="broker")
    updated = create_user("Alice", password=PASSWORD, role="supervisor", update=True)
    assert updated.pk == alice.pk and updated.username == "alice" and User.objects.count() == 1


def test_user_names_are_unique_regardless_of_case_in_the_database():
    from django.db import IntegrityError, transaction

    User.objects.create_user("alice", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("ALICE", password=PASSWORD)
    assert User.objects.count() == 1


def test_sign_in_name_is_case_insensitive():
    alice = create_user("alice", password=PASSWORD, role="broker")
    assert authenticate(username="Alice", password=PASSWORD) == alice


def test_createsuperuser_makes_an_administrator(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", "--noinput", "--username", "root", "--email", "r@cbp.example", stdout=StringIO()
    )

    root = User.objects.get(username="root")
    assert (root.role, root.is_superuser, root.is_staff, root.is_cbp_staff) == ("admin", True, True, True)


def test_createsuperuser_refuses_an_existing_name_in_another_case(monkeypatch):
    create_user("root", password=PASSWORD, role="broker")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "createsuperuser", "--noinput", "--username", "ROOT", "--email", "r@x.example", stdout=StringIO()
        )
    assert User.objects.count() == 1


def test_create_user_command_sets_up_an_admin():
    output = run("create_user", "root", "--password", PASSWORD, "--role", "admin", "--email", "r@cbp.example")

    assert "superuser" in output
    user = User.objects.get(username="root")
    assert user.is_superuser and user.email == "r@cbp.example"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "importer"], "importers: An importer user needs at least one importer account"),
        (
            ["--role", "importer", "--importer", "98-7654321ZZ"],
            "No importer with importer number 98-7654321ZZ",
        ),
        (
            ["--role", "importer", "--importer", "12-3456789AB", "--center", "CEE001"],
            "center: Only CBP staff",
        ),
        (["--role", "specialist", "--center", "CEE099"], "center: No Center CEE099"),
        (["--role", "overlord"], "invalid choice: 'overlord'"),
    ],
)
def test_create_user_command_turns_refusals_into_command_errors(acme, extra, message):
    with pytest.raises(CommandError, match=message):
        run("create_user", "pat", "--password", PASSWORD, *extra)


def test_api_token_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("api_token", "ghost")
