"""factory_boy factories: each builds a valid default; traits give states."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from cee_portal.users.models import User
from importers.identifiers import entry_check_digit
from importers.models import Center, Entry, EntryLine, Importer, Port


def center(ace_id: str) -> Center:
    return Center.objects.get(ace_id=ace_id)


def make_entry_number(filer_code: str, serial: int) -> str:
    """A valid normalised entry number for a filer code and a serial."""
    transaction = f"{serial:07d}"
    return f"{filer_code}{transaction}{entry_check_digit(filer_code, transaction)}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        center_ace_id = None

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov")
    role = User.Role.SPECIALIST
    center = factory.LazyAttribute(lambda u: center(u.center_ace_id) if u.center_ace_id else None)
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")


class ImporterFactory(DjangoModelFactory):
    class Meta:
        model = Importer

    class Params:
        center_ace_id = "CEE010"

    ior_number = factory.Sequence(lambda n: f"{10 + n // 10_000_000 % 90:02d}-{n % 10_000_000:07d}00")
    ior_kind = "ein"
    name = factory.Sequence(lambda n: f"Importer {n} Inc.")
    address = "1 Trade Way, Laredo, TX"
    center = factory.LazyAttribute(lambda i: center(i.center_ace_id) if i.center_ace_id else None)


class EntryFactory(DjangoModelFactory):
    class Meta:
        model = Entry

    entry_number = factory.Sequence(lambda n: make_entry_number("ABC", n + 1))
    filer_code = "ABC"
    importer = factory.SubFactory(ImporterFactory)
    port = factory.LazyFunction(lambda: Port.objects.get(code="2304"))
    entry_type = "01"
    entry_date = dt.date(2026, 1, 15)
    importation_date = factory.LazyAttribute(lambda e: e.entry_date)
    scheduled_liquidation_date = factory.LazyAttribute(lambda e: e.entry_date + dt.timedelta(days=314))

    class Params:
        liquidated = factory.Trait(
            liquidation_status="liquidated",
            liquidation_date=factory.LazyAttribute(lambda e: e.entry_date + dt.timedelta(days=314)),
        )


class EntryLineFactory(DjangoModelFactory):
    class Meta:
        model = EntryLine

    entry = factory.SubFactory(EntryFactory)
    line_number = factory.Sequence(lambda n: n + 1)
    hts_number = "8471300100"
    entered_value = Decimal("1000.00")
    duty = Decimal("0.00")


def trade_user(importer: Importer, **kwargs) -> User:
    """An importer-side user who belongs to the importer's account."""
    from importers.models import ImporterMembership

    user = UserFactory(role=User.Role.IMPORTER, **kwargs)
    ImporterMembership.objects.create(importer=importer, user=user)
    return user


def staff_user(ace_id: str = "CEE010", role: str = User.Role.SPECIALIST, **kwargs) -> User:
    return UserFactory(role=role, center_ace_id=ace_id, **kwargs)


def liquidated_entry(importer: Importer, liquidated_on: dt.date, **kwargs) -> Entry:
    entry_on = liquidated_on - dt.timedelta(days=314)
    return EntryFactory(
        importer=importer,
        entry_date=entry_on,
        importation_date=entry_on,
        scheduled_liquidation_date=liquidated_on,
        liquidation_status="liquidated",
        liquidation_date=liquidated_on,
        **kwargs,
    )


def protest_input(entries, *, identifier="12-3456789AB", name="Acme Inc.", category="", **kwargs) -> dict:
    """Keyword arguments for cases.services.file_protest with sensible defaults."""
    from cases.services import ObjectionInput, ProtestantInput, ProtestedEntry

    items = [e if isinstance(e, ProtestedEntry) else ProtestedEntry(e) for e in entries]
    return {
        "filing_port": items[0].entry.port,
        "entries": items,
        "protestant": ProtestantInput(identifier=identifier, name=name),
        "merchandise_category": category,
        "description": "Hydraulic excavators",
        "objections": [ObjectionInput("classification", "Classify in 8429.52", "GRI 1; EN to 84.29")],
        **kwargs,
    }


def broker_user(
    importer: Importer | None = None,
    *,
    kinds=("protest", "psc", "pic", "cf28", "cf29"),
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    **kwargs,
) -> User:
    """A customs broker of its own firm; with an importer, the firm holds a delegation of these kinds
    (by default from long ago until far ahead)."""
    from cee_portal.users.models import BrokerFirm
    from importers.models import BrokerDelegation

    serial = BrokerFirm.objects.count()
    firm = BrokerFirm.objects.create(name=f"Broker firm {serial}", filer_code=f"Z{serial:02d}"[-3:])
    user = UserFactory(role=User.Role.BROKER, broker_firm=firm, **kwargs)
    if importer is not None:
        BrokerDelegation.objects.create(
            importer=importer,
            broker_firm=firm,
            case_kinds="," + ",".join(sorted(kinds)) + ",",
            power_of_attorney=f"POA-{serial}",
            starts_on=starts_on or dt.date(2000, 1, 1),
            ends_on=ends_on or dt.date(2099, 12, 31),
        )
    return user


def sign_in_as(client, user) -> None:
    """Sign a test client in as a user (reloaded: factories set the password without saving it)."""
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk), backend="django.contrib.auth.backends.ModelBackend")
