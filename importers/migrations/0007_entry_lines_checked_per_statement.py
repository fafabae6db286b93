"""Entry lines must belong to an existing entry: checked per statement instead of per line.

A foreign-key constraint checks each inserted line with one query at commit (a million queries
for a million lines). These triggers check a whole insert, COPY or update at once: they lock the
entries the new lines refer to (FOR KEY SHARE, as the constraint does, so that none can be deleted
before the lines commit) and refuse the statement if any line refers to no entry; deleting or
renumbering an entry that still has lines is refused too. Same error class as the constraint
(foreign_key_violation, IntegrityError in Django). SQLite gets row-level triggers to the same effect;
a later migration that makes SQLite rebuild either table must drop and remake them (as 0008 does).
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = """
CREATE FUNCTION importers_entryline_entry_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    PERFORM 1 FROM importers_entry e
    WHERE e.id IN (SELECT DISTINCT entry_id FROM new_lines)
    FOR KEY SHARE OF e;
    SELECT n.entry_id INTO missing FROM new_lines n
    WHERE NOT EXISTS (SELECT 1 FROM importers_entry e WHERE e.id = n.entry_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry line refers to entry id %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'importers_entryline';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER importers_entryline_entry_exists_insert AFTER INSERT ON importers_entryline
REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION importers_entryline_entry_exists();

CREATE TRIGGER importers_entryline_entry_exists_update AFTER UPDATE ON importers_entryline
REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION importers_entryline_entry_exists();

CREATE FUNCTION importers_entry_keeps_its_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT o.id INTO kept FROM old_entries o
        WHERE EXISTS (SELECT 1 FROM importers_entryline l WHERE l.entry_id = o.id)
        LIMIT 1;
    ELSE  -- an UPDATE that changed an id
        SELECT o.id INTO kept FROM old_entries o
        WHERE NOT EXISTS (SELECT 1 FROM new_entries n WHERE n.id = o.id)
          AND EXISTS (SELECT 1 FROM importers_entryline l WHERE l.entry_id = o.id)
        LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'entry id % still has lines', kept
            USING ERRCODE = 'foreign_key_violation', TABLE = 'importers_entry';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER importers_entry_keeps_its_lines_delete AFTER DELETE ON importers_entry
REFERENCING OLD TABLE AS old_entries FOR EACH STATEMENT EXECUTE FUNCTION importers_entry_keeps_its_lines();

CREATE TRIGGER importers_entry_keeps_its_lines_update AFTER UPDATE ON importers_entry
REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
FOR EACH STATEMENT EXECUTE FUNCTION importers_entry_keeps_its_lines();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER importers_entryline_entry_exists_insert ON importers_entryline;
DROP TRIGGER importers_entryline_entry_exists_update ON importers_entryline;
DROP FUNCTION importers_entryline_entry_exists();
DROP TRIGGER importers_entry_keeps_its_lines_delete ON importers_entry;
DROP TRIGGER importers_entry_keeps_its_lines_update ON importers_entry;
DROP FUNCTION importers_entry_keeps_its_lines();
"""

SQLITE = [
    """
    CREATE TRIGGER importers_entryline_entry_exists_insert BEFORE INSERT ON importers_entryline
    WHEN NOT EXISTS (SELECT 1 FROM importers_entry WHERE id = NEW.entry_id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: entry line refers to no entry'); END
    """,
    """
    CREATE TRIGGER importers_entryline_entry_exists_update BEFORE UPDATE OF entry_id ON importers_entryline
    WHEN NOT EXISTS (SELECT 1 FROM importers_entry WHERE id = NEW.entry_id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: entry line refers to no entry'); END
    """,
    """
    CREATE TRIGGER importers_entry_keeps_its_lines_delete BEFORE DELETE ON importers_entry
    WHEN EXISTS (SELECT 1 FROM importers_entryline WHERE entry_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: entry still has lines'); END
    """,
    """
    CREATE TRIGGER importers_entry_keeps_its_lines_update BEFORE UPDATE OF id ON importers_entry
    WHEN NEW.id <> OLD.id AND EXISTS (SELECT 1 FROM importers_entryline WHERE entry_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: entry still has lines'); END
    """,
]
SQLITE_TRIGGERS = [
    "importers_entryline_entry_exists_insert",
    "importers_entryline_entry_exists_update",
    "importers_entry_keeps_its_lines_delete",
    "importers_entry_keeps_its_lines_update",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("importers", "0006_ingest_without_per_row_checks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entryline",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="importers.entry",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
