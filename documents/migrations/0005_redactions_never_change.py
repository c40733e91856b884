"""A redaction once applied never changes, and nothing about redactions is deleted (as migration 0002 for documents).

- redaction_area_fixed (BEFORE UPDATE on areas): only `removed_at` may be set, and only while its redaction is a
  draft; where an area is and why never change.
- redaction_fixed (BEFORE UPDATE on redactions): which version it redacts, what it supersedes and who started it
  never change.
- no delete of redactions or their areas.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION redaction_area_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.redaction_id, NEW.page, NEW.x, NEW.y, NEW.width, NEW.height, NEW.reason, NEW.reason_other, NEW.method,
      NEW.found_text, NEW.added_at)
     IS DISTINCT FROM
     (OLD.redaction_id, OLD.page, OLD.x, OLD.y, OLD.width, OLD.height, OLD.reason, OLD.reason_other, OLD.method,
      OLD.found_text, OLD.added_at) THEN
    RAISE EXCEPTION 'a redaction''s area never changes: take it off and mark another'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (SELECT status FROM documents_redaction WHERE id = NEW.redaction_id) <> 'draft' THEN
    RAISE EXCEPTION 'an applied redaction never changes: start a new redaction from it'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION redaction_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.version_id, NEW.supersedes_id, NEW.created_by_id, NEW.created_at)
     IS DISTINCT FROM (OLD.version_id, OLD.supersedes_id, OLD.created_by_id, OLD.created_at) THEN
    RAISE EXCEPTION 'a redaction never changes what it redacts' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER redaction_area_fixed BEFORE UPDATE ON documents_redactionarea
  FOR EACH ROW EXECUTE FUNCTION redaction_area_fixed();
CREATE TRIGGER redaction_fixed BEFORE UPDATE ON documents_redaction
  FOR EACH ROW EXECUTE FUNCTION redaction_fixed();
CREATE TRIGGER documents_redaction_no_delete BEFORE DELETE ON documents_redaction
  FOR EACH ROW EXECUTE FUNCTION documents_refuse_change();
CREATE TRIGGER documents_redactionarea_no_delete BEFORE DELETE ON documents_redactionarea
  FOR EACH ROW EXECUTE FUNCTION documents_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS redaction_area_fixed ON documents_redactionarea;
DROP TRIGGER IF EXISTS redaction_fixed ON documents_redaction;
DROP TRIGGER IF EXISTS documents_redaction_no_delete ON documents_redaction;
DROP TRIGGER IF EXISTS documents_redactionarea_no_delete ON documents_redactionarea;
DROP FUNCTION IF EXISTS redaction_area_fixed();
DROP FUNCTION IF EXISTS redaction_fixed();
"""


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_redaction")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
