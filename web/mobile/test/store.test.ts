import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { test } from "node:test";
import { IdleLock } from "../src/idle";
import { DB_NAME, LocalStore, LockedError, MAX_FAILURES, recordKey } from "../src/store";
import type { DeviceInfo, OutboxEntry } from "../src/types";
import { isUuidv7, uuidv7 } from "../src/uuid";

const DEVICE: DeviceInfo = {
  device_id: "d1",
  name: "Sam's iPad",
  registered_at: "2026-12-06T09:00:00Z",
  reauth_days: 14,
  idle_lock_minutes: 10,
};
const PASS = "correct horse battery";
let n = 0;
async function fresh(): Promise<LocalStore> {
  n += 1;
  const s = await LocalStore.open(`${DB_NAME}-test-${n}`);
  await s.setUp(PASS, DEVICE);
  return s;
}
const amy = { type: "person", id: "7", version: 3, person_id: 7, data: { name: "Amy Smith", dob: "2015-03-02" } };

test("records round-trip through the encryption, and nothing about the person is in the clear", async () => {
  const s = await fresh();
  await s.commit({ put: [amy] });
  assert.deepEqual(await s.getRecord("person", "7"), amy);
  const row = await s.raw.get("records", recordKey("person", "7"));
  const clear = JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? "<bytes>" : v));
  assert.ok(!clear.includes("Amy"), clear);
  assert.ok(!new TextDecoder().decode(row.ct).includes("Amy"));
  assert.equal(row.iv.length, 12);
  s.close();
});

test("each write has a fresh IV", async () => {
  const s = await fresh();
  await s.commit({ put: [amy] });
  const a = await s.raw.get("records", recordKey("person", "7"));
  await s.commit({ put: [amy] });
  const b = await s.raw.get("records", recordKey("person", "7"));
  assert.notEqual(Array.from(a.iv).join(","), Array.from(b.iv).join(","));
  s.close();
});

test("a changed ciphertext is detected, not read", async () => {
  const s = await fresh();
  await s.commit({ put: [amy] });
  const row = await s.raw.get("records", recordKey("person", "7"));
  row.ct[3] ^= 1;
  await s.raw.put("records", row);
  await assert.rejects(s.getRecord("person", "7"), /changed or moved/);
  s.close();
});

test("AAD binding: a record moved to another id, or given another version, fails to decrypt", async () => {
  const s = await fresh();
  await s.commit({ put: [amy] });
  const row = await s.raw.get("records", recordKey("person", "7"));
  await s.raw.put("records", { ...row, k: recordKey("person", "8"), id: "8" });
  await assert.rejects(s.getRecord("person", "8"), /changed or moved/);
  await s.raw.put("records", { ...row, version: 4 });
  await assert.rejects(s.getRecord("person", "7"), /changed or moved/);
  s.close();
});

test("locked, nothing can be read; the right passphrase unlocks and a new session reads the records", async () => {
  const s = await fresh();
  await s.commit({ put: [amy] });
  s.lock();
  await assert.rejects(s.getRecord("person", "7"), LockedError);
  assert.deepEqual(await s.unlock(PASS), { ok: true });
  assert.deepEqual(await s.getRecord("person", "7"), amy);
  const name = s.name;
  s.close();
  const again = await LocalStore.open(name);
  assert.equal(again.unlocked, false);
  assert.equal(await again.isSetUp(), true);
  assert.deepEqual((await again.unlock(PASS)).ok, true);
  assert.deepEqual(await again.getRecord("person", "7"), amy);
  again.close();
});

test("wrong passphrases are counted, a right one resets the count, the fifth in a row wipes the device", async () => {
  const s = await fresh();
  await s.commit({ put: [amy] });
  s.lock();
  assert.deepEqual(await s.unlock("wrong passphrase 1"), { ok: false, remaining: 4, wiped: false });
  assert.deepEqual(await s.unlock("wrong passphrase 2"), { ok: false, remaining: 3, wiped: false });
  assert.deepEqual(await s.unlock(PASS), { ok: true });
  assert.equal(await s.failuresSoFar(), 0);
  s.lock();
  for (let i = 1; i < MAX_FAILURES; i += 1) {
    const r = await s.unlock(`wrong ${i} xxxxxxxx`);
    assert.deepEqual(r, { ok: false, remaining: MAX_FAILURES - i, wiped: false });
  }
  const other = `${DB_NAME}-other`;
  (await LocalStore.open(other)).close();
  assert.deepEqual(await s.unlock("wrong 5 xxxxxxxx"), { ok: false, remaining: 0, wiped: true });
  const names = (await indexedDB.databases()).map((d) => d.name);
  assert.ok(!names.includes(s.name), `${s.name} still there: ${names}`);
  assert.ok(!names.includes(other), "every IndexedDB database of the site is deleted");
  const reopened = await LocalStore.open(s.name);
  assert.equal(await reopened.isSetUp(), false);
  assert.equal(await reopened.countRecords(), 0);
  reopened.close();
});

test("the passphrase must be long enough, and a set-up device cannot be set up again over its data", async () => {
  n += 1;
  const s = await LocalStore.open(`${DB_NAME}-test-${n}`);
  await assert.rejects(s.setUp("short", DEVICE), /at least 10 characters/);
  await s.setUp(PASS, DEVICE);
  await assert.rejects(s.setUp(PASS, DEVICE), /already set up/);
  s.close();
});

test("the outbox keeps mutations in order, encrypted, and a rewritten entry binds its revision", async () => {
  const s = await fresh();
  const entry = (i: number): OutboxEntry => ({
    mutation: {
      id: uuidv7(),
      type: "case_note",
      action: "create",
      record_id: null,
      base_version: null,
      fields: { person_id: 7, subject: `Note ${i}`, body: "Seen at home" },
      base: {},
      made_at: "2026-12-06T09:00:00Z",
    },
    state: "to_push",
    reason: null,
    errors: {},
    conflict_id: null,
    attempts: 0,
    summary: `Case note ${i}`,
  });
  const entries = [1, 2, 3].map(entry);
  for (const e of entries) await s.queue(e);
  assert.deepEqual((await s.outbox()).map((e) => e.summary), ["Case note 1", "Case note 2", "Case note 3"]);
  assert.ok(entries.every((e) => isUuidv7(e.mutation.id)));
  const first = entries[0]!;
  const oldRow = await s.raw.get("outbox", first.mutation.id);
  await s.commit({ outboxPut: [{ ...first, state: "failed", reason: "Subject is too long" }] });
  assert.deepEqual((await s.outbox()).map((e) => e.state), ["failed", "to_push", "to_push"]);
  // Putting back the old ciphertext (replaying an earlier state) fails: the revision is in the additional data.
  const newRow = await s.raw.get("outbox", first.mutation.id);
  await s.raw.put("outbox", { ...newRow, iv: oldRow.iv, ct: oldRow.ct });
  await assert.rejects(s.outbox(), /changed or moved/);
  s.close();
});

test("evicting a person removes every record about them", async () => {
  const s = await fresh();
  await s.commit({
    put: [
      amy,
      { type: "case_note", id: "n1", version: 1, person_id: 7, data: { subject: "Visit" } },
      { type: "case_note", id: "n2", version: 1, person_id: 9, data: { subject: "Other child" } },
      { type: "form_definition", id: "visit.v1", version: 1, person_id: null, data: {} },
    ],
  });
  await s.commit({ evictPeople: [7] });
  assert.deepEqual((await s.listRecords(null)).map((r) => r.id).sort(), ["n2", "visit.v1"]);
  s.close();
});

test("UUIDv7 ids sort by time", () => {
  const a = uuidv7(1_700_000_000_000);
  const b = uuidv7(1_700_000_000_001);
  assert.ok(a < b);
  assert.ok(isUuidv7(a));
});

test("the idle lock fires after the idle time, a touch starts it again, and a sleeping device locks on waking", () => {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const clock = {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return t;
    },
    clearTimeout: (h: unknown) => {
      (h as { live: boolean }).live = false;
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...timers]) if (t.live && t.at <= now) {
      t.live = false;
      t.fn();
    }
  };
  let locked = 0;
  const idle = new IdleLock(10, () => (locked += 1), clock);
  advance(9 * 60_000);
  idle.touch();
  advance(9 * 60_000);
  assert.equal(locked, 0);
  advance(60_000);
  assert.equal(locked, 1);
  // A device asleep: no timer fired, but on waking the time has passed.
  const sleepy = new IdleLock(10, () => (locked += 1), { ...clock, setTimeout: () => ({ live: true }) });
  now += 11 * 60_000;
  assert.equal(sleepy.check(), true);
  assert.equal(locked, 2);
});
