"""The audit chain is linked at commit, not at insert (issue 11; docs/decisions/0006).

Before: a BEFORE INSERT trigger locked the chain head for every event, so a request that wrote its event early held
the one lock through the rest of its transaction (rendering, with ATOMIC_REQUESTS) and record views ran one at a time.

Now:
- audit_event_stamp (BEFORE INSERT): only the time; the event is inserted unlinked (sequence null), with no lock.
- audit_event_seal (AFTER INSERT, a constraint trigger DEFERRABLE INITIALLY DEFERRED): runs when the inserting
  transaction commits. It locks the chain head, gives the event the next sequence number, the previous event's hash
  and its own, and writes them on the row. The lock is held only from there to the end of the commit, so writers are
  serialised for the commit alone, and the chain still follows commit order and cannot fork: a transaction takes the
  lock only as it commits, and the next one gets it only once that commit is done.
- audit_event_append_only now lets exactly one change through: the seal itself (an unlinked row getting its link,
  every other column unchanged). Everything else is refused as before.
An event is therefore linked in the same transaction that wrote it; `casework audit verify` still finds any event
without a link (a row written with the triggers disabled) as a break in the chain.
"""

from django.db import migrations

SQL = r"""
DROP TRIGGER IF EXISTS audit_event_chain ON audit_auditevent;

CREATE OR REPLACE FUNCTION audit_event_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.occurred_at := coalesce(NEW.occurred_at, now());
  NEW.sequence := NULL;
  NEW.prev_hash := '';
  NEW.hash := '';
  RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION audit_event_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  head audit_chainhead%ROWTYPE;
  e audit_auditevent%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_chainhead WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO audit_chainhead (id, last_event_id, last_hash) VALUES (1, 0, repeat('0', 64))
      RETURNING * INTO head;
  END IF;
  SELECT * INTO e FROM audit_auditevent WHERE id = NEW.id;
  e.sequence := head.last_event_id + 1;
  e.prev_hash := head.last_hash;
  e.hash := encode(sha256(convert_to(audit_event_payload(e), 'UTF8')), 'hex');
  UPDATE audit_auditevent SET sequence = e.sequence, prev_hash = e.prev_hash, hash = e.hash WHERE id = NEW.id;
  UPDATE audit_chainhead SET last_event_id = e.sequence, last_hash = e.hash WHERE id = 1;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.sequence IS NULL AND NEW.sequence IS NOT NULL
     AND (NEW.id, NEW.occurred_at, NEW.actor_id, NEW.action, NEW.object_type, NEW.object_id, NEW.person_id,
          NEW.changes, NEW.context)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.occurred_at, OLD.actor_id, OLD.action, OLD.object_type, OLD.object_id, OLD.person_id,
          OLD.changes, OLD.context)
  THEN
    RETURN NEW;  -- the seal: an unlinked event getting its place in the chain, nothing else changed
  END IF;
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_stamp BEFORE INSERT ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_stamp();
CREATE CONSTRAINT TRIGGER audit_event_seal AFTER INSERT ON audit_auditevent
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_event_seal();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS audit_event_seal ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_stamp ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_seal();
DROP FUNCTION IF EXISTS audit_event_stamp();
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_break_glass_action")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
