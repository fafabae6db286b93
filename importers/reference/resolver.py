"""The one Center resolver: HTS number -> Center, longest matching prefix wins.

HtsRule rows (chapter or heading prefixes) are expanded into HeadingCenter, one row per 4-digit
heading, whenever a rule changes. SQL joins on HeadingCenter; Python looks headings up in it.
rebuild_heading_table is the only place that applies the longest-prefix logic.
"""

from collections.abc import Iterable

from celery import shared_task
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr

from importers.accounts.mix import refresh_monthly_mix
from importers.models import Center, EntryLine, HeadingCenter, HtsRule, HtsRuleChange

ALL_HEADINGS = tuple(f"{chapter:02d}{heading:02d}" for chapter in range(1, 100) for heading in range(100))


def longest_prefix_center(heading: str, rules: dict[str, int]) -> tuple[int | None, str]:
    """Return (center id, matching prefix) for a heading: the longest matching rule prefix wins."""
    for length in (4, 2):
        prefix = heading[:length]
        if prefix in rules:
            return rules[prefix], prefix
    return None, ""


@transaction.atomic
def rebuild_heading_table() -> set[str]:
    """Recompute every heading's Center from the rules; return the headings whose Center changed."""
    rules = dict(HtsRule.objects.values_list("prefix", "center_id"))
    current = {
        h: (c, p) for h, c, p in HeadingCenter.objects.values_list("heading", "center_id", "rule_prefix")
    }
    wanted = {heading: longest_prefix_center(heading, rules) for heading in ALL_HEADINGS}
    stale = [h for h, value in wanted.items() if current.get(h) != value]
    if stale:
        HeadingCenter.objects.bulk_create(
            [HeadingCenter(heading=h, center_id=wanted[h][0], rule_prefix=wanted[h][1]) for h in stale],
            update_conflicts=True,
            unique_fields=["heading"],
            update_fields=["center", "rule_prefix"],
            batch_size=2000,
        )
    return {h for h in stale if current.get(h, (None, ""))[0] != wanted[h][0]}


def resolve_center(hts_number: str) -> Center | None:
    """Return the Center that administers an HTS number (any length >= 4), or None."""
    row = HeadingCenter.objects.select_related("center").filter(heading=hts_number[:4]).first()
    return row.center if row else None


def heading_center_ids() -> dict[str, int | None]:
    """Return {heading: center id} for bulk lookups in Python (one query, no process cache)."""
    return dict(HeadingCenter.objects.values_list("heading", "center_id"))


def reresolve_lines(headings: Iterable[str]) -> int:
    """Re-resolve the Center of entry lines under the given headings; return lines updated."""
    headings = sorted(set(headings))
    if not headings:
        return 0
    center_of_heading = HeadingCenter.objects.filter(heading=Substr(OuterRef("hts_number"), 1, 4)).values(
        "center_id"
    )[:1]
    updated = 0
    importer_ids: set[int] = set()
    # Chunked so that a rule change over a big chapter does not build one enormous statement.
    for start in range(0, len(headings), 200):
        chunk = headings[start : start + 200]
        lines = EntryLine.objects.annotate(heading=Substr("hts_number", 1, 4)).filter(heading__in=chunk)
        importer_ids.update(lines.values_list("entry__importer_id", flat=True).distinct())
        updated += lines.update(center_id=Subquery(center_of_heading))
    # The mix rollup follows, so the next reassignment (or its dry run) sees the new attribution.
    refresh_monthly_mix(importer_ids)
    return updated


@transaction.atomic
def save_hts_rule(rule: HtsRule, *, actor, is_new: bool, old_center_id: int | None) -> HtsRuleChange:
    """Save a rule, record who changed what, rebuild the heading table and re-resolve lines."""
    rule.save()
    changed = rebuild_heading_table()
    change = HtsRuleChange.objects.create(
        prefix=rule.prefix,
        action=HtsRuleChange.Action.CREATED if is_new else HtsRuleChange.Action.CHANGED,
        old_center_id=old_center_id,
        new_center_id=rule.center_id,
        changed_by=actor,
        headings_changed=len(changed),
    )
    _after_headings_changed(changed)
    return change


@transaction.atomic
def delete_hts_rule(rule: HtsRule, *, actor) -> HtsRuleChange:
    """Delete a rule, record it, rebuild the heading table and re-resolve lines."""
    prefix, old_center_id = rule.prefix, rule.center_id
    rule.delete()
    changed = rebuild_heading_table()
    change = HtsRuleChange.objects.create(
        prefix=prefix,
        action=HtsRuleChange.Action.DELETED,
        old_center_id=old_center_id,
        changed_by=actor,
        headings_changed=len(changed),
    )
    _after_headings_changed(changed)
    return change


def _after_headings_changed(headings: set[str]) -> None:
    if not headings:
        return
    # Re-resolving can touch millions of lines: done by a task after commit, not in the admin request.
    transaction.on_commit(lambda: reresolve_lines_task.delay(sorted(headings)))


def headings_moved_by(prefix: str, center_id: int | None) -> dict[str, tuple[int | None, int | None]]:
    """Headings whose Center a rule change would change: {heading: (Center now, Center after)}.

    `center_id` None previews deleting the rule. Pure over the rules (one query): the same
    longest-prefix logic rebuild_heading_table applies, on the rules as they would be.
    """
    rules = dict(HtsRule.objects.values_list("prefix", "center_id"))
    after = dict(rules)
    if center_id is None:
        after.pop(prefix, None)
    else:
        after[prefix] = center_id
    moved = {}
    for heading in ALL_HEADINGS:
        if not heading.startswith(prefix[:2]):
            continue  # a chapter or heading rule only reaches the headings of its chapter
        now, _ = longest_prefix_center(heading, rules)
        then, _ = longest_prefix_center(heading, after)
        if now != then:
            moved[heading] = (now, then)
    return moved


# Defined beside what it runs and what schedules it (_after_headings_changed); importers/tasks.py
# re-exports it, so the resolver and the tasks module do not import each other.
@shared_task(name="importers.reresolve_lines")
def reresolve_lines_task(headings: list[str]) -> int:
    """Re-resolve entry lines under headings whose Center changed."""
    return reresolve_lines(headings)
