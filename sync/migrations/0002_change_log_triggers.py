"""The change log's triggers (sync.models.Change, RecordVersion): every insert or update on a synced table adds one
row per record written, stamped with the transaction's id, and bumps the record's version. Statement-level triggers
with transition tables, so a bulk load (COPY, the demo seed) costs one INSERT per statement, not one per row."""

from django.db import migrations

# table: (record type, the record's id as SQL over the new row, the person it belongs to)
SYNCED = {
    "people_person": ("person", "id::text", "id"),
    "people_personname": ("person", "person_id::text", "person_id"),
    "people_personaddress": ("person", "person_id::text", "person_id"),
    "people_personidentifier": ("person", "person_id::text", "person_id"),
    "people_warning": ("person", "person_id::text", "person_id"),
    "people_relationship": ("relationship", "id::text", "person_id"),
    "recording_chronologyentry": ("chronology_entry", "id::text", "person_id"),
    "recording_casenote": ("case_note", "id::text", "person_id"),
    "recording_visit": ("visit", "id::text", "person_id"),
    "cases_task": ("task", "id::text", "person_id"),
    "cases_childprotectionplan": ("plan", "'cp:' || id", "person_id"),
    "cases_childinneedplan": ("plan", "'cin:' || id", "person_id"),
    "forms_formresponse": ("form_draft", "id::text", "person_id"),
    "forms_formdefinition": ("form_definition", "id::text", "NULL::bigint"),
    "sync_conflict": ("conflict", "id::text", "person_id"),
}


def forward_sql() -> str:
    parts = []
    for table, (kind, record, person) in SYNCED.items():
        fn = f"sync_log_{table}"
        parts.append(f"""
CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_change (txid, type, record_id, person_id)
        SELECT DISTINCT pg_current_xact_id()::text::bigint, '{kind}', {record}, {person} FROM new_rows;
    INSERT INTO sync_recordversion (type, record_id, version)
        SELECT DISTINCT '{kind}', {record}, 1 FROM new_rows
        ON CONFLICT (type, record_id) DO UPDATE SET version = sync_recordversion.version + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER sync_log_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {fn}();
CREATE TRIGGER sync_log_update AFTER UPDATE ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {fn}();
""")
    return "\n".join(parts)


def reverse_sql() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS sync_log_insert ON {t}; DROP TRIGGER IF EXISTS sync_log_update ON {t}; "
        f"DROP FUNCTION IF EXISTS sync_log_{t}();"
        for t in SYNCED
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_initial"),
        ("people", "0007_involvement_break_glass_conflicts"),
        ("recording", "0005_visit_corrections"),
        ("cases", "0011_conference_chair"),
        ("forms", "0002_response_decision"),
    ]

    operations = [migrations.RunSQL(forward_sql(), reverse_sql())]
