import pytest

from importers.models import Entry, Importer, Port
from tests.factories import ImporterFactory

pytestmark = pytest.mark.django_db


def test_any_of_matches_text_numbers_and_nothing():
    first, second = ImporterFactory(), ImporterFactory()
    numbers = [first.ior_number, second.ior_number, "00-0000000ZZ"]
    assert set(Importer.objects.filter(ior_number__any_of=numbers)) == {first, second}
    assert set(Importer.objects.filter(pk__any_of=[second.pk, 10**9])) == {second}
    assert not Importer.objects.filter(ior_number__any_of=[]).exists()
    assert not Importer.objects.filter(pk__any_of=[]).exists()


def test_any_of_takes_values_with_commas_and_relations():
    assert list(Port.objects.filter(name__any_of=["x, y"])) == []
    importer = ImporterFactory(name="Acme, Inc.")
    assert list(Importer.objects.filter(name__any_of=["Acme, Inc.", "Other"])) == [importer]
    assert list(Entry.objects.filter(importer__any_of=[importer.pk])) == []


def test_an_entry_line_must_belong_to_an_entry(tmp_path):
    from django.db import IntegrityError, connection, transaction

    from importers.entries.bulk import copy_text
    from importers.entries.ingest import import_entries
    from importers.models import EntryLine
    from tests.factories import make_entry_number
    from tests.importers.feeds import entry, line, write_csv

    number = make_entry_number("KEY", 1)
    import_entries(write_csv(tmp_path, [entry(number), line(number, 1)]))
    stored = Entry.objects.get()
    missing = stored.pk + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        EntryLine.objects.create(entry_id=missing, line_number=1, hts_number="8471300100", entered_value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        columns = ["entry_id", "line_number", "hts_number", "entered_value", "duty", "center_id"]
        copy_text(
            EntryLine,
            columns,
            f"{stored.pk}\t2\t8471300100\t1.00\t0.00\t\\N\n{missing}\t1\t8471300100\t1.00\t0.00\t\\N\n",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        EntryLine.objects.filter(entry=stored).update(entry_id=missing)
    # An entry keeps its lines: a plain SQL delete is refused, the ORM's cascade deletes both.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM importers_entry WHERE id = %s", [stored.pk])
    assert EntryLine.objects.filter(entry=stored).count() == 1
    stored.delete()
    assert not EntryLine.objects.exists() and not Entry.objects.exists()
