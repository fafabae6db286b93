"""1520(d) agreements as reference data; an entry's importation date may be missing (never the entry date).

On SQLite, making importation_date nullable rebuilds importers_entry, which the triggers of 0007
refer to: they are dropped first and made again after (as 0008 does).
"""

from importlib import import_module

from django.db import migrations, models

line_triggers = import_module("importers.migrations.0007_entry_lines_checked_per_statement")


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        line_triggers.drop_triggers(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        line_triggers.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('importers', '0008_entry_number_unique_without_pattern_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='PreferenceAgreement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Code used in filings, e.g. USMCA', max_length=10, unique=True)),
                ('name', models.CharField(max_length=120)),
                ('regulation', models.CharField(help_text='The CFR sections on post-importation claims under this agreement', max_length=120)),
                ('implementing_act', models.CharField(blank=True, max_length=200)),
                ('basis', models.CharField(choices=[('confirmed', 'Confirmed (Federal Register or CBP notice)'), ('confirmed_partial', 'Confirmed in part'), ('per_brief', "Per the Center's published brief"), ('per_brief_partial', 'Per brief, in part'), ('assumed', 'Assumed (administrator to confirm)'), ('assumed_partial', 'Assumed, in part'), ('n/a', 'No Center of its own')], default='assumed', max_length=20)),
                ('active', models.BooleanField(default=True, help_text='1520(d) claims under it may be filed')),
                ('note', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': '1520(d) agreement',
                'ordering': ['code'],
            },
        ),
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.AlterField(
            model_name='entry',
            name='importation_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
