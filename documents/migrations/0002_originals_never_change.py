"""What a document version says about its original bytes cannot change, and nothing is deleted.

- document_version_fixed (BEFORE UPDATE): refuses a change to a version's document, number, name, storage name,
  SHA-256, size, format, who uploaded it and when; its renditions' status, text and fixity may change.
- rendition_fixed (BEFORE UPDATE): a rendition's file, hash and size never change (a new one is a new row).
- documents_no_delete (BEFORE DELETE on documents, versions, renditions, grants, fixity checks and findings): refuses.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION documents_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'documents are kept: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION document_version_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.document_id, NEW.number, NEW.original_name, NEW.storage_name, NEW.sha256, NEW.size, NEW.media_type,
      NEW.uploaded_by_id, NEW.uploaded_at, NEW.source, NEW.capture)
     IS DISTINCT FROM
     (OLD.document_id, OLD.number, OLD.original_name, OLD.storage_name, OLD.sha256, OLD.size, OLD.media_type,
      OLD.uploaded_by_id, OLD.uploaded_at, OLD.source, OLD.capture) THEN
    RAISE EXCEPTION 'a document version''s original never changes: add a new version'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION rendition_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.version_id, NEW.kind, NEW.page, NEW.storage_name, NEW.sha256, NEW.size)
     IS DISTINCT FROM (OLD.version_id, OLD.kind, OLD.page, OLD.storage_name, OLD.sha256, OLD.size) THEN
    RAISE EXCEPTION 'a rendition never changes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER document_version_fixed BEFORE UPDATE ON documents_documentversion
  FOR EACH ROW EXECUTE FUNCTION document_version_fixed();
CREATE TRIGGER rendition_fixed BEFORE UPDATE ON documents_rendition
  FOR EACH ROW EXECUTE FUNCTION rendition_fixed();
"""

TABLES = [
    "documents_document",
    "documents_documentversion",
    "documents_rendition",
    "documents_documentgrant",
    "documents_fixitycheck",
    "documents_fixityfinding",
]

NO_DELETE = "\n".join(
    f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION documents_refuse_change();"
    for t in TABLES
)

REVERSE = "\n".join(f"DROP TRIGGER IF EXISTS {t}_no_delete ON {t};" for t in TABLES) + """
DROP TRIGGER IF EXISTS document_version_fixed ON documents_documentversion;
DROP TRIGGER IF EXISTS rendition_fixed ON documents_rendition;
DROP FUNCTION IF EXISTS document_version_fixed();
DROP FUNCTION IF EXISTS rendition_fixed();
DROP FUNCTION IF EXISTS documents_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunSQL(SQL + NO_DELETE, REVERSE)]
