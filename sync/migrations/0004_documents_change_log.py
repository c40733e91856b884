"""Documents in the change log (issue 13: "documents only when opened"): a device holds each document's metadata as
a `document` record; a document written, a version added or its renditions made (the pages to read), and a grant to
a restricted one given or ended all stamp that record, so the devices of the person's workers get the new metadata,
or an eviction when the user may no longer see it (a grant ended: the app then also deletes the copy it cached)."""

from django.db import migrations

# table: the SQL over the transition table `new_rows` giving (record id, person id) of the document written.
DOCUMENT_TABLES = {
    "documents_document": "SELECT DISTINCT n.id::text, n.person_id FROM new_rows n",
    "documents_documentversion": (
        "SELECT DISTINCT d.id::text, d.person_id FROM new_rows n JOIN documents_document d ON d.id = n.document_id"
    ),
    "documents_documentgrant": (
        "SELECT DISTINCT d.id::text, d.person_id FROM new_rows n JOIN documents_document d ON d.id = n.document_id"
    ),
}


def forward_sql() -> str:
    parts = []
    for table, rows in DOCUMENT_TABLES.items():
        fn = f"sync_log_{table}"
        parts.append(f"""
CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_change (txid, type, record_id, person_id)
        SELECT pg_current_xact_id()::text::bigint, 'document', w.record_id, w.person_id
        FROM ({rows}) AS w (record_id, person_id);
    INSERT INTO sync_recordversion (type, record_id, version)
        SELECT DISTINCT 'document', w.record_id, 1 FROM ({rows}) AS w (record_id, person_id)
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
        for t in DOCUMENT_TABLES
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0003_pruning"),
        ("documents", "0003_import_review"),
    ]

    operations = [migrations.RunSQL(forward_sql(), reverse_sql())]
