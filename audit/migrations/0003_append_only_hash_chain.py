"""The audit log's guarantees, held by the database itself.

- audit_event_chain (BEFORE INSERT): locks the chain head row, gives the event the next sequence number, the
  previous event's hash and its own SHA-256 over audit_event_payload(). The lock serialises writers, so the chain
  follows commit order and cannot fork.
- audit_event_append_only (BEFORE UPDATE OR DELETE, and BEFORE TRUNCATE): refuses, for every role. Only someone who
  can disable triggers can alter a row, and `casework audit verify` finds that.
"""

from django.db import migrations, models

SQL = r"""
CREATE OR REPLACE FUNCTION audit_event_payload(e audit_auditevent) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT concat_ws('|',
    e.sequence::text,
    to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(e.actor_id::text, ''),
    e.action, e.object_type, e.object_id,
    coalesce(e.person_id::text, ''),
    e.changes::text, e.context::text,
    e.prev_hash)
$$;

CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  head audit_chainhead%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_chainhead WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO audit_chainhead (id, last_event_id, last_hash) VALUES (1, 0, repeat('0', 64))
      RETURNING * INTO head;
  END IF;
  NEW.occurred_at := coalesce(NEW.occurred_at, now());
  NEW.sequence := head.last_event_id + 1;
  NEW.prev_hash := head.last_hash;
  NEW.hash := encode(sha256(convert_to(audit_event_payload(NEW), 'UTF8')), 'hex');
  UPDATE audit_chainhead SET last_event_id = NEW.sequence, last_hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
INSERT INTO audit_chainhead (id, last_event_id, last_hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_chain ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_refuse_change();
DROP FUNCTION IF EXISTS audit_event_chain();
DROP FUNCTION IF EXISTS audit_event_payload(audit_auditevent);
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_auditevent_person")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(null=True, unique=True, editable=False),
        ),
        migrations.RunSQL(SQL, REVERSE),
    ]
