"""The data step of migration 0007: stored protests get the act they run from, their dates unchanged."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cases", "0005_readable_names")]
AFTER = [("cases", "0008_protest_unique_per_decision")]


@pytest.mark.django_db(transaction=True)
def test_stored_protests_are_named_by_the_act_they_run_from():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Importer = apps.get_model("importers", "Importer")
    Port = apps.get_model("importers", "Port")
    Entry = apps.get_model("importers", "Entry")
    Case = apps.get_model("cases", "Case")
    CaseEntry = apps.get_model("cases", "CaseEntry")
    ProtestDetail = apps.get_model("cases", "ProtestDetail")
    importer = Importer.objects.exclude(center=None).first()
    if importer is None:
        from importers.models import Center

        center_id = Center.objects.values_list("pk", flat=True).first()
        importer = Importer.objects.create(ior_number="123456789AB", name="Acme", center_id=center_id)
    port = Port.objects.first()

    def entry(n, **dates):
        return Entry.objects.create(
            entry_number=f"ABC{n:07d}0", filer_code="ABC", importer=importer, port=port,
            entry_date=dt.date(2025, 1, 2), importation_date=dt.date(2025, 1, 2), **dates,
        )  # fmt: skip

    case = Case.objects.create(
        reference_number="2304-25-000001", kind="protest", status="received", is_open=True,
        center_id=importer.center_id, filing_port=port, importer=importer, filed_on=dt.date(2025, 6, 1),
    )  # fmt: skip
    ProtestDetail.objects.create(case=case, description="Goods", afr_status="requested")
    liquidated = entry(1, liquidation_date=dt.date(2025, 3, 7), liquidation_status="liquidated")
    relq = entry(2, liquidation_date=dt.date(2025, 3, 7), reliquidation_date=dt.date(2025, 4, 4))
    excluded = entry(3)
    rows = [
        (liquidated, "liquidation", None),
        (relq, "classification", dt.date(2025, 4, 4)),
        (excluded, "exclusion", dt.date(2025, 1, 10)),
    ]
    for linked, decision, on in rows:
        CaseEntry.objects.create(
            case=case, entry=linked, case_kind="protest", protested_decision=decision, decision_date=on
        )
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        CaseEntry = apps.get_model("cases", "CaseEntry")
        ProtestDetail = apps.get_model("cases", "ProtestDetail")
        found = dict(CaseEntry.objects.values_list("entry_id", "protested_act"))
        dates = dict(CaseEntry.objects.values_list("entry_id", "decision_date"))
        assert found == {liquidated.pk: "liquidation", relq.pk: "reliquidation", excluded.pk: "separate"}
        assert dates == {
            liquidated.pk: dt.date(2025, 3, 7),
            relq.pk: dt.date(2025, 4, 4),
            excluded.pk: dt.date(2025, 1, 10),
        }
        assert ProtestDetail.objects.get().afr_filed_on == dt.date(2025, 6, 1)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
