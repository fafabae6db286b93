"""An entry's importer and port must exist: checked per statement instead of per entry (PostgreSQL).

The two foreign keys of importers_entry checked each new entry with one query per key at commit:
400,000 queries for a feed of 200,000 entries, 2-2.7 s of the backend's CPU where the COPY of the
entries and their million lines took 3.7 s (issue 11). These triggers check a whole insert, COPY or
update at once, as 0007 does for the lines: they lock the importers and ports the new entries refer
to (FOR KEY SHARE, as the constraints did, so that none can be deleted before the entries commit)
and refuse the statement if one does not exist; deleting an importer or a port that still has
entries, or changing its key, is refused too (row triggers: those are rare). Same error class as the
constraints (foreign_key_violation, IntegrityError in Django); the check now runs at the end of the
statement instead of at commit.

SQLite keeps its foreign keys (only the model state says db_constraint=False): a later migration that
makes SQLite rebuild importers_entry must drop and remake 0007's triggers anyway (as 0008 does).
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = """
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN
        SELECT conname FROM pg_constraint
        WHERE conrelid = 'importers_entry'::regclass AND contype = 'f'
          AND confrelid IN ('importers_importer'::regclass, 'importers_port'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE importers_entry DROP CONSTRAINT %I', name);
    END LOOP;
END $$;

CREATE FUNCTION importers_entry_keys_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    PERFORM 1 FROM importers_importer i
    WHERE i.id IN (SELECT DISTINCT importer_id FROM new_entries)
    FOR KEY SHARE OF i;
    SELECT n.importer_id::text INTO missing FROM (SELECT DISTINCT importer_id FROM new_entries) n
    WHERE NOT EXISTS (SELECT 1 FROM importers_importer i WHERE i.id = n.importer_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry refers to importer id %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'importers_entry';
    END IF;
    PERFORM 1 FROM importers_port p
    WHERE p.code IN (SELECT DISTINCT port_id FROM new_entries)
    FOR KEY SHARE OF p;
    SELECT n.port_id INTO missing FROM (SELECT DISTINCT port_id FROM new_entries) n
    WHERE NOT EXISTS (SELECT 1 FROM importers_port p WHERE p.code = n.port_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry refers to port %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'importers_entry';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER importers_entry_keys_exist_insert AFTER INSERT ON importers_entry
REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION importers_entry_keys_exist();

CREATE TRIGGER importers_entry_keys_exist_update AFTER UPDATE ON importers_entry
REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION importers_entry_keys_exist();

CREATE FUNCTION importers_importer_keeps_its_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM importers_entry e WHERE e.importer_id = OLD.id) THEN
        RAISE EXCEPTION 'importer id % still has entries', OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'importers_importer';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER importers_importer_keeps_its_entries_delete AFTER DELETE ON importers_importer
FOR EACH ROW EXECUTE FUNCTION importers_importer_keeps_its_entries();

CREATE TRIGGER importers_importer_keeps_its_entries_update AFTER UPDATE OF id ON importers_importer
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION importers_importer_keeps_its_entries();

CREATE FUNCTION importers_port_keeps_its_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM importers_entry e WHERE e.port_id = OLD.code) THEN
        RAISE EXCEPTION 'port % still has entries', OLD.code
            USING ERRCODE = 'foreign_key_violation', TABLE = 'importers_port';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER importers_port_keeps_its_entries_delete AFTER DELETE ON importers_port
FOR EACH ROW EXECUTE FUNCTION importers_port_keeps_its_entries();

CREATE TRIGGER importers_port_keeps_its_entries_update AFTER UPDATE OF code ON importers_port
FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION importers_port_keeps_its_entries();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER importers_entry_keys_exist_insert ON importers_entry;
DROP TRIGGER importers_entry_keys_exist_update ON importers_entry;
DROP FUNCTION importers_entry_keys_exist();
DROP TRIGGER importers_importer_keeps_its_entries_delete ON importers_importer;
DROP TRIGGER importers_importer_keeps_its_entries_update ON importers_importer;
DROP FUNCTION importers_importer_keeps_its_entries();
DROP TRIGGER importers_port_keeps_its_entries_delete ON importers_port;
DROP TRIGGER importers_port_keeps_its_entries_update ON importers_port;
DROP FUNCTION importers_port_keeps_its_entries();
ALTER TABLE importers_entry ADD CONSTRAINT importers_entry_importer_id_fk_importers_importer_id
    FOREIGN KEY (importer_id) REFERENCES importers_importer (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE importers_entry ADD CONSTRAINT importers_entry_port_id_fk_importers_port_code
    FOREIGN KEY (port_id) REFERENCES importers_port (code) DEFERRABLE INITIALLY DEFERRED;
"""


def keys_per_statement(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)


def keys_per_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("importers", "0015_invitation_emailed_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="importer",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="importers.importer",
                    ),
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="port",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="importers.port",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(keys_per_statement, keys_per_row)],
        ),
    ]
