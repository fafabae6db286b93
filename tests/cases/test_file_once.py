"""cases.services.file_once: a posted form's token files once, even when the same form races itself."""

import datetime as dt
import threading

import pytest
from django.db import connection

from cases import services
from cases.exceptions import CaseError
from cases.models import Case, FilingReceipt
from tests.factories import ImporterFactory, liquidated_entry, protest_input, trade_user

TOKEN = "k" * 32
FILED_ON = dt.date(2026, 6, 2)


def _filing(importer, filer, entry):
    return lambda: (
        services.file_protest(
            actor=filer, importer=importer, **protest_input([entry]), filed_on=FILED_ON
        ).case
    )


@pytest.mark.django_db
def test_the_second_post_of_a_token_answers_the_first_case():
    importer = ImporterFactory()
    filer = trade_user(importer)
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    first, created = services.file_once(
        TOKEN, actor=filer, action="protest", filing=_filing(importer, filer, entry)
    )
    again, created_again = services.file_once(
        TOKEN, actor=filer, action="protest", filing=_filing(importer, filer, entry)
    )
    assert (created, created_again) == (True, False) and again == first
    assert Case.objects.count() == 1 and FilingReceipt.objects.get().case == first


@pytest.mark.django_db
def test_a_refused_filing_keeps_no_receipt_and_the_token_stays_usable():
    importer = ImporterFactory()
    filer = trade_user(importer)
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))

    def refused():
        raise CaseError({"description": "Describe the merchandise (19 CFR 174.13(a)(5))."})

    with pytest.raises(CaseError):
        services.file_once(TOKEN, actor=filer, action="protest", filing=refused)
    assert not FilingReceipt.objects.exists()
    case, created = services.file_once(
        TOKEN, actor=filer, action="protest", filing=_filing(importer, filer, entry)
    )
    assert created and case.reference_number


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "short", "x" * 65, "bad token with spaces!!"])
def test_a_malformed_token_is_refused(token):
    importer = ImporterFactory()
    with pytest.raises(CaseError) as refused:
        services.file_once(token, actor=trade_user(importer), action="protest", filing=lambda: None)
    assert "filing_token" in refused.value.error_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_twice_at_once_files_one_protest():
    """Two requests carrying one token at the same moment: the second waits on the unique token."""
    importer = ImporterFactory()
    filer = trade_user(importer)
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    barrier, results, errors = threading.Barrier(2), [], []

    def post():
        try:
            barrier.wait()
            results.append(
                services.file_once(
                    TOKEN, actor=filer, action="protest", filing=_filing(importer, filer, entry)
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(created for _, created in results) == [False, True]
    assert len({case.pk for case, _ in results}) == 1
    assert Case.objects.count() == 1 and FilingReceipt.objects.count() == 1
