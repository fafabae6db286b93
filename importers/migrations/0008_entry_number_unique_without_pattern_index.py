"""Entry numbers unique through a constraint: the same unique index, without the pattern index.

On SQLite, changing the field rebuilds importers_entry, which the triggers of 0007 refer to (and
two of them live on): they are dropped first and made again after.
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
        ("importers", "0007_entry_lines_checked_per_statement"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.AlterField(
            model_name="entry",
            name="entry_number",
            field=models.CharField(help_text="Normalised: filer code, 7 digits, check", max_length=11),
        ),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.UniqueConstraint(fields=("entry_number",), name="uniq_entry_number"),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
