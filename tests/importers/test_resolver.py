import pytest

from importers.models import Center, HtsRule, HtsRuleChange
from importers.reference import resolver
from tests.factories import EntryLineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("hts", "ace_id"),
    [
        pytest.param("4014100000", "CEE001", id="4014-heading-beats-chapter-40"),
        pytest.param("4011100010", "CEE009", id="chapter-40-rubber"),
        pytest.param("8511400000", "CEE003", id="8511-ignition-to-automotive"),
        pytest.param("8517620090", "CEE007", id="chapter-85-electronics"),
        pytest.param("9402100000", "CEE001", id="9402-medical-furniture-to-phc"),
        pytest.param("9401610000", "CEE008", id="chapter-94-furniture"),
        pytest.param("3304990000", "CEE008", id="3304-cosmetics-to-cpmm"),
        pytest.param("3301120000", "CEE001", id="chapter-33-essential-oils"),
        pytest.param("8471300100", "CEE010", id="8471-follows-chapter-84"),
        pytest.param("8703230190", "CEE003", id="8703-cars"),
        pytest.param("8429510000", "CEE010", id="chapter-84-machinery"),
        pytest.param("3901100000", "CEE009", id="chapter-39-plastics"),
        pytest.param("7208100000", "CEE005", id="chapter-72-steel"),
    ],
)
def test_longest_prefix_wins(hts, ace_id):
    assert resolver.resolve_center(hts).ace_id == ace_id
    assert resolver.heading_center_ids()[hts[:4]] == Center.objects.get(ace_id=ace_id).pk


@pytest.mark.parametrize("chapter", ["77", "98", "99"])
def test_chapters_without_a_center_resolve_to_none(chapter):
    assert resolver.resolve_center(f"{chapter}01000000") is None


def test_longest_prefix_center_prefers_heading_over_chapter():
    assert resolver.longest_prefix_center("4014", {"40": 9, "4014": 1}) == (1, "4014")
    assert resolver.longest_prefix_center("4015", {"40": 9, "4014": 1}) == (9, "40")
    assert resolver.longest_prefix_center("7701", {"40": 9}) == (None, "")


def test_rule_change_takes_effect_at_once_and_is_recorded_and_lines_are_reresolved(
    django_capture_on_commit_callbacks,
):
    admin = UserFactory(role="admin")
    line = EntryLineFactory(hts_number="8511400000", center=Center.objects.get(ace_id="CEE003"))
    other = EntryLineFactory(hts_number="8517620090", center=Center.objects.get(ace_id="CEE007"))
    rule = HtsRule.objects.get(prefix="8511")
    rule.center = Center.objects.get(ace_id="CEE010")
    with django_capture_on_commit_callbacks(execute=True):
        resolver.save_hts_rule(
            rule, actor=admin, is_new=False, old_center_id=Center.objects.get(ace_id="CEE003").pk
        )

    assert resolver.resolve_center("8511400000").ace_id == "CEE010"
    change = HtsRuleChange.objects.get()
    assert (change.prefix, change.old_center.ace_id, change.new_center.ace_id) == ("8511", "CEE003", "CEE010")
    assert change.changed_by == admin and change.headings_changed == 1
    line.refresh_from_db()
    other.refresh_from_db()
    assert line.center.ace_id == "CEE010"
    assert other.center.ace_id == "CEE007"


def test_deleting_a_heading_rule_falls_back_to_the_chapter():
    admin = UserFactory(role="admin")
    resolver.delete_hts_rule(HtsRule.objects.get(prefix="9402"), actor=admin)
    assert resolver.resolve_center("9402100000").ace_id == "CEE008"
    assert HtsRuleChange.objects.get().action == "deleted"
