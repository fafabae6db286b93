import pytest

from importers.models import Center, District, HeadingCenter, HtsChapter, HtsRule, Port
from importers.reference.reference_data import load_reference_data

pytestmark = pytest.mark.django_db


def test_shipped_reference_data_is_loaded():
    assert Center.objects.count() == 10
    assert list(Center.objects.values_list("ace_id", flat=True)) == [f"CEE{n:03d}" for n in range(1, 11)]
    assert Center.objects.get(ace_id="CEE010").name == "Machinery"
    assert Port.objects.count() == 589
    assert Port.objects.ports_of_entry().count() == 336
    # ACE-only and delisted `port` rows are kept, inactive.
    assert Port.objects.filter(kind="port", active=False).count() == 51
    assert District.objects.count() == 55
    assert HtsChapter.objects.count() == 99
    assert HtsRule.objects.count() == 115
    assert HeadingCenter.objects.count() == 9900


def test_loading_twice_changes_nothing():
    before = list(HtsRule.objects.values_list("prefix", "center_id", "updated_at"))
    result = load_reference_data()
    assert all(count == 0 for count in result.created.values())
    assert not any(result.updated.values())
    assert list(HtsRule.objects.values_list("prefix", "center_id", "updated_at")) == before


def test_reload_keeps_an_administrators_edits_unless_asked_to_update():
    Port.objects.filter(code="2304").update(active=False)
    load_reference_data()
    assert not Port.objects.get(code="2304").active
    result = load_reference_data(update=True)
    assert result.updated["ports"] == 1
    assert Port.objects.get(code="2304").active
