"""A bundle is kept as it was made: nothing is deleted, an exhibit never changes, and once a bundle's file is
recorded (its storage name, SHA-256, size and pages) they never change; a new bundle is a new row."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION bundles_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'bundles are kept: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION bundle_file_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.sha256 <> '' AND (NEW.storage_name, NEW.sha256, NEW.size, NEW.pages, NEW.person_id)
     IS DISTINCT FROM (OLD.storage_name, OLD.sha256, OLD.size, OLD.pages, OLD.person_id) THEN
    RAISE EXCEPTION 'a bundle''s file never changes: make a new bundle' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER bundle_file_fixed BEFORE UPDATE ON bundles_bundle FOR EACH ROW EXECUTE FUNCTION bundle_file_fixed();
CREATE TRIGGER bundles_exhibit_fixed BEFORE UPDATE ON bundles_exhibit
  FOR EACH ROW EXECUTE FUNCTION bundles_refuse_change();
CREATE TRIGGER bundles_bundle_no_delete BEFORE DELETE ON bundles_bundle
  FOR EACH ROW EXECUTE FUNCTION bundles_refuse_change();
CREATE TRIGGER bundles_exhibit_no_delete BEFORE DELETE ON bundles_exhibit
  FOR EACH ROW EXECUTE FUNCTION bundles_refuse_change();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS bundle_file_fixed ON bundles_bundle;
DROP TRIGGER IF EXISTS bundles_exhibit_fixed ON bundles_exhibit;
DROP TRIGGER IF EXISTS bundles_bundle_no_delete ON bundles_bundle;
DROP TRIGGER IF EXISTS bundles_exhibit_no_delete ON bundles_exhibit;
DROP FUNCTION IF EXISTS bundle_file_fixed();
DROP FUNCTION IF EXISTS bundles_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("bundles", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
