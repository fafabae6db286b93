"""Load the reference data shipped in importers/reference/data/ (copied from the public sources)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from importers.models import (
    Basis,
    Center,
    District,
    HeadingCenter,
    HtsChapter,
    HtsRule,
    Port,
    PreferenceAgreement,
)
from importers.reference.resolver import rebuild_heading_table

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadResult:
    created: dict[str, int]
    updated: dict[str, int]


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _upsert(model, objects: list, key: str, fields: list[str], *, update: bool) -> tuple[int, int]:
    """Insert missing rows; with update=True also rewrite the shipped fields of existing rows."""
    existing = {
        getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in objects]})
    }
    new = [o for o in objects if getattr(o, key) not in existing]
    model.objects.bulk_create(new, batch_size=1000)
    changed = []
    if update:
        for o in objects:
            old = existing.get(getattr(o, key))
            if old is not None and any(getattr(old, f) != getattr(o, f) for f in fields):
                for f in fields:
                    setattr(old, f, getattr(o, f))
                changed.append(old)
        model.objects.bulk_update(changed, fields, batch_size=1000)
    return len(new), len(changed)


@transaction.atomic
def load_reference_data(*, update: bool = False) -> LoadResult:
    """Load Centers, districts, ports, HTS chapters and rules, and 1520(d) agreements; idempotent.

    Without update=True, rows that already exist are left alone, so an administrator's edits
    (a rule moved to another Center, a port deactivated) survive a re-run.
    """
    created: dict[str, int] = {}
    updated: dict[str, int] = {}

    centers = [
        Center(
            ace_id=r["cee_id"],
            short_code=r["short"],
            name=r["name"],
            management_office=r["management_office"],
        )
        for r in _rows("centers.csv")
    ]
    created["centers"], updated["centers"] = _upsert(
        Center, centers, "ace_id", ["short_code", "name", "management_office"], update=update
    )
    center_ids = dict(Center.objects.values_list("ace_id", "id"))

    districts = [
        District(code=r["district_code"], name=r["district_name"], kind=r["kind"])
        for r in _rows("districts.csv")
    ]
    created["districts"], updated["districts"] = _upsert(
        District, districts, "code", ["name", "kind"], update=update
    )

    ports = [
        Port(
            code=r["code"],
            name=r["name"],
            state=r["state"],
            district_id=r["district_code"],
            kind=r["kind"],
            source_status=r["source_status"],
            in_census_schedule_d=r["in_census_schedule_d"] == "yes",
            # Current ports of entry: kind=port and listed in Census Schedule D (data/README.md).
            active=r["kind"] == Port.Kind.PORT and r["in_census_schedule_d"] == "yes",
            note=r["note"][:200],
        )
        for r in _rows("ports.csv")
    ]
    port_fields = [
        "name",
        "state",
        "district_id",
        "kind",
        "source_status",
        "in_census_schedule_d",
        "active",
        "note",
    ]
    created["ports"], updated["ports"] = _upsert(Port, ports, "code", port_fields, update=update)

    chapters = [
        HtsChapter(
            code=r["chapter"],
            title=r["title"],
            section=r["section"],
            basis=r["cee_basis"],
            notes=r["cee_notes"],
        )
        for r in _rows("hts_chapters.csv")
    ]
    created["chapters"], updated["chapters"] = _upsert(
        HtsChapter, chapters, "code", ["title", "section", "basis", "notes"], update=update
    )

    rules = [
        HtsRule(
            prefix=r["hts_prefix"],
            center_id=center_ids[r["cee_id"]],
            basis=r["basis"] or Basis.ASSUMED,
            source=r["source"],
        )
        for r in _rows("cee_hts_rules.csv")
    ]
    created["rules"], updated["rules"] = _upsert(
        HtsRule, rules, "prefix", ["center_id", "basis", "source"], update=update
    )
    agreements = [
        PreferenceAgreement(
            code=r["code"],
            name=r["name"],
            regulation=r["regulation"],
            implementing_act=r["implementing_act"],
            basis=r["basis"] or Basis.ASSUMED,
            note=r["note"],
        )
        for r in _rows("preference_agreements.csv")
    ]
    # `active` is not shipped: an administrator's decision to stop claims under one survives --update.
    created["1520(d) agreements"], updated["1520(d) agreements"] = _upsert(
        PreferenceAgreement,
        agreements,
        "code",
        ["name", "regulation", "implementing_act", "basis", "note"],
        update=update,
    )
    # The heading table is derived: headings it gains are "new", Centers it changes are "updated".
    had = set(HeadingCenter.objects.values_list("heading", flat=True))
    changed = rebuild_heading_table()
    created["headings"] = HeadingCenter.objects.count() - len(had)
    updated["headings"] = len(changed & had)
    return LoadResult(created=created, updated=updated)
