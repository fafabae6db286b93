import django.db.models.deletion
from django.db import migrations, models

SHIPPED_1520D = {"USMCA", "CL", "CAFTA-DR", "OM", "PE", "KR", "CO", "PA"}


def agreements_for_existing_claims(apps, schema_editor):
    """Give every agreement code already on a claim a reference row, so the key can be added.

    Codes of programs without 1520(d) claims (SG, AU, MA, BH) get an inactive row: the claims stay
    readable, and no new claim is accepted under them. `load_reference_data --update` fills in
    the shipped names and citations.
    """
    PicDetail = apps.get_model("cases", "PicDetail")
    PreferenceAgreement = apps.get_model("importers", "PreferenceAgreement")
    used = set(PicDetail.objects.values_list("agreement", flat=True).distinct())
    known = set(PreferenceAgreement.objects.values_list("code", flat=True))
    PreferenceAgreement.objects.bulk_create(
        PreferenceAgreement(
            code=code,
            name=code,
            regulation="(run load_reference_data --update)",
            active=code in SHIPPED_1520D,
            note="Created by the migration for claims filed before the agreements were reference data.",
        )
        for code in sorted(used - known)
    )


def one_open_claim_per_entry(apps, schema_editor):
    """Closed claims release their entry; of several open claims on one entry the first keeps it."""
    CaseEntry = apps.get_model("cases", "CaseEntry")
    Case = apps.get_model("cases", "Case")
    CaseEntry.objects.filter(case_kind="pic", active=True, case__is_open=False).update(active=False)
    seen = set()
    for link in CaseEntry.objects.filter(case_kind="pic", active=True).order_by("entry_id", "case_id"):
        if link.entry_id in seen:
            CaseEntry.objects.filter(pk=link.pk).update(active=False)
            Case.objects.filter(pk=link.case_id).update(
                flagged_for_specialist=True,
                flag_reason="Another 1520(d) claim on the same entry was already open when this one was "
                "filed; one open claim per entry.",
            )
        seen.add(link.entry_id)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_queue_filter_indexes_and_no_unused_permissions"),
        ("importers", "0009_preference_agreements_and_optional_importation_date"),
    ]

    operations = [
        migrations.RunPython(agreements_for_existing_claims, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="picdetail",
            name="agreement",
            field=models.ForeignKey(
                db_column="agreement",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="importers.preferenceagreement",
                to_field="code",
            ),
        ),
        migrations.RunPython(one_open_claim_per_entry, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="caseentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True), ("case_kind", "pic")),
                fields=("entry",),
                name="uniq_open_pic_entry",
            ),
        ),
    ]
