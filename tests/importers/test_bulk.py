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
