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


@pytest.mark.postgres
def test_an_entry_must_refer_to_an_importer_and_a_port(tmp_path):
    """Checked per statement on PostgreSQL (migration 0015; SQLite keeps its foreign keys, checked at
    commit): an insert, COPY or update naming a missing importer or port is refused at once, and so is
    deleting or renumbering an importer or port that still has entries."""
    from django.db import IntegrityError, connection, transaction

    from importers.entries.bulk import copy_text
    from importers.entries.ingest import import_entries
    from tests.factories import make_entry_number
    from tests.importers.feeds import entry, line, write_csv

    number = make_entry_number("KEY", 1)
    import_entries(write_csv(tmp_path, [entry(number), line(number, 1)]))
    stored = Entry.objects.get()
    importer, port = stored.importer, stored.port
    other_port = Port.objects.ports_of_entry().exclude(pk=port.pk).first()

    def refused(sql: str, params: list) -> None:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    refused("UPDATE importers_entry SET importer_id = %s WHERE id = %s", [importer.pk + 1000, stored.pk])
    refused("UPDATE importers_entry SET port_id = %s WHERE id = %s", ["ZZZZ", stored.pk])
    columns = ["entry_number", "filer_code", "entry_type", "entry_date", "liquidation_status",
               "extension_requested_by_importer", "summary_under_review", "created_at", "updated_at",
               "importer_id", "port_id"]  # fmt: skip
    stamp = "2026-01-05 00:00:00+00"
    row = "{}\tKEY\t01\t2026-01-05\tunliquidated\tf\tf\t" + f"{stamp}\t{stamp}" + "\t{}\t{}\n"
    good = row.format(make_entry_number("KEY", 2), importer.pk, port.pk)
    for bad in (
        row.format(make_entry_number("KEY", 3), importer.pk + 1000, port.pk),
        row.format(make_entry_number("KEY", 3), importer.pk, "ZZZZ"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            copy_text(Entry, columns, good + bad)  # one bad entry refuses the whole statement
    copy_text(Entry, columns, good)
    Entry.objects.filter(pk=stored.pk).update(port=other_port)  # an existing port: allowed
    assert Entry.objects.count() == 2
    refused("DELETE FROM importers_importer WHERE id = %s", [importer.pk])
    refused("UPDATE importers_importer SET id = %s WHERE id = %s", [importer.pk + 1000, importer.pk])
    refused("DELETE FROM importers_port WHERE code = %s", [other_port.pk])
    refused("UPDATE importers_port SET code = %s WHERE code = %s", ["ZZZZ", other_port.pk])
    # Without entries they go: an importer with none, a port with none.
    unused, unused_port = ImporterFactory(), Port.objects.exclude(pk__in=[port.pk, other_port.pk]).first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM importers_importer WHERE id = %s", [unused.pk])
        cursor.execute("DELETE FROM importers_port WHERE code = %s", [unused_port.pk])
    assert not Importer.objects.filter(pk=unused.pk).exists()
    assert not Port.objects.filter(pk=unused_port.pk).exists()
