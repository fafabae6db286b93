# The data step between the new columns (0003) and the constraint that uses them (0005): on
# PostgreSQL an index cannot be built in the transaction that updated the table's rows.

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery

SEPARATE = ("exclusion", "drawback", "refusal_1520d", "charges_outside")


def name_protested_acts(apps, schema_editor):
    """Name the act each stored protest runs from, set-based (the benchmark holds 700,000 links).

    The decision date stored at filing stays as it was: a link whose date is the entry's
    reliquidation date protested the reliquidation; the other merged decisions, the liquidation.
    """
    CaseEntry = apps.get_model("cases", "CaseEntry")
    Entry = apps.get_model("importers", "Entry")
    Case = apps.get_model("cases", "Case")
    ProtestDetail = apps.get_model("cases", "ProtestDetail")
    protests = CaseEntry.objects.filter(case_kind="protest")
    protests.filter(protested_decision__in=SEPARATE).update(protested_act="separate")
    merged = protests.exclude(protested_decision__in=SEPARATE)
    merged.filter(decision_date__isnull=True).update(
        decision_date=Subquery(Entry.objects.filter(pk=OuterRef("entry_id")).values("liquidation_date")[:1])
    )
    reliquidated = Entry.objects.filter(pk=OuterRef("entry_id"), reliquidation_date=OuterRef("decision_date"))
    merged.filter(Exists(reliquidated)).update(protested_act="reliquidation")
    merged.filter(protested_act="").update(protested_act="liquidation")
    ProtestDetail.objects.exclude(afr_status="not_requested").update(
        afr_filed_on=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("filed_on")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [("cases", "0006_protest_clock_corrections")]

    operations = [migrations.RunPython(name_protested_acts, migrations.RunPython.noop)]
