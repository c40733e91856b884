import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { test } from "node:test";
import { DAMAGED, DB_NAME, LocalStore, recordKey } from "../src/store";
import { BATCH_BYTES, SyncClient, SyncSchedule, SyncStopped, batches } from "../src/sync";
import type { Mutation, OutboxEntry, SyncRecord } from "../src/types";
import { uuidv7 } from "../src/uuid";
import { FakeServer } from "./fake-server";

let n = 0;
async function device(server: FakeServer, extra: Partial<ConstructorParameters<typeof SyncClient>[0]> = {}) {
  n += 1;
  const store = await LocalStore.open(`${DB_NAME}-sync-${n}`);
  await store.setUp("correct horse battery", {
    device_id: `device-${n}`,
    name: "Test",
    registered_at: "",
    reauth_days: 14,
    idle_lock_minutes: 10,
  });
  const sleeps: number[] = [];
  const client = new SyncClient({
    store,
    fetch: server.fetch,
    pageLimit: 2,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...extra,
  });
  return { store, client, sleeps };
}

function child(id: number, version = 1, name = `Child ${id}`): SyncRecord {
  return { type: "person", id: String(id), version, person_id: id, data: { name, phone: "01632 960000" } };
}

function note(personId: number, subject = "Home visit", body = "Seen at home"): OutboxEntry {
  const m: Mutation = {
    id: uuidv7(),
    type: "case_note",
    action: "create",
    record_id: null,
    base_version: null,
    fields: { person_id: personId, subject, body },
    base: {},
    made_at: "2026-12-06T09:00:00Z",
  };
  return { mutation: m, state: "to_push", reason: null, errors: {}, conflict_id: null, attempts: 0, summary: subject };
}

const ids = async (s: LocalStore) => (await s.listRecords(null)).map((r) => `${r.type}:${r.id}`).sort();

test("the first download pulls pages until has_more is false, keeps the cursor and checksum", async () => {
  const server = new FakeServer();
  for (let i = 1; i <= 5; i += 1) server.upsert(child(i));
  const { store, client } = await device(server);
  const result = await client.sync();
  assert.equal(result.pulled, 5);
  assert.equal(server.requests.filter((r) => r.url.includes("/pull")).length, 3);
  assert.equal((await store.meta()).checksum, server.checksum());
  assert.equal((await store.meta()).cursor, "5");
  assert.ok(server.requests.every((r) => r.headers["X-Casework-Device"] === "device-" + n));
  // Nothing changed: one request.
  server.requests = [];
  const again = await client.sync();
  assert.equal(again.requests, 1);
  assert.equal(again.pulled, 0);
});

test("a dropped page is retried from the cursor it had: the download resumes, nothing twice", async () => {
  const server = new FakeServer();
  for (let i = 1; i <= 6; i += 1) server.upsert(child(i));
  const { store, client, sleeps } = await device(server);
  server.faults = [undefined as never, "drop-response", "server-error", { delay: 5 }];
  await client.sync();
  assert.deepEqual(await ids(store), ["1", "2", "3", "4", "5", "6"].map((i) => `person:${i}`).sort());
  assert.deepEqual(sleeps, [750, 1500], "backoff doubles (with jitter)");
});

test("when the network stays down the sync stops with words, and the outbox is kept to push later", async () => {
  const server = new FakeServer();
  const { store, client } = await device(server, { retries: 2 });
  await store.queue(note(1));
  server.faults = ["drop-request", "drop-request", "drop-request", "drop-request"];
  await assert.rejects(client.sync(), (e: unknown) => e instanceof SyncStopped && e.reason === "offline");
  assert.deepEqual((await store.outbox()).map((e) => e.state), ["to_push"]);
  await client.sync();
  assert.equal(await store.outboxCount(), 0);
  assert.equal(server.applied.length, 1);
});

test("offline, a sync stops at once without trying; back online, a sync waiting to retry goes at once", async () => {
  const server = new FakeServer();
  let online = false;
  const { store, client } = await device(server, { online: () => online });
  await store.queue(note(1));
  await assert.rejects(client.sync(), (e: unknown) => e instanceof SyncStopped && e.reason === "offline");
  assert.equal(server.requests.length, 0);
  online = true;
  // A retry waiting a long time (the sleep never ends by itself) is cut short by wake().
  const slow = await device(server, { sleep: () => new Promise<void>(() => undefined) });
  server.faults = ["drop-request"];
  const running = slow.client.sync();
  await new Promise((r) => setTimeout(r, 20));
  slow.client.wake();
  await running;
  assert.ok(server.requests.length >= 2);
});

test("evictions: a child leaving the caseload leaves the device with all their records", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  server.upsert(child(2));
  server.upsert({ type: "case_note", id: "n1", version: 1, person_id: 1, data: { subject: "Visit" } });
  const { store, client } = await device(server);
  await client.sync();
  server.evictPerson(1);
  await client.sync();
  assert.deepEqual(await ids(store), ["person:2"]);
  assert.equal((await store.meta()).checksum, server.checksum());
});

test("a checksum mismatch resets the store and downloads again, keeping what waits to sync", async () => {
  const server = new FakeServer();
  for (let i = 1; i <= 3; i += 1) server.upsert(child(i));
  const { store, client } = await device(server);
  await client.sync();
  // The scope drifted on the server without a change in the log (the checksum catches it).
  server.records.set(server.key("person", "9"), child(9));
  server.records.delete(server.key("person", "2"));
  const waiting = { ...note(1), state: "failed" as const, reason: "Subject is too long" };
  await store.queue(waiting, { type: "case_note", id: waiting.mutation.id, version: 0, person_id: 1, data: {} });
  await client.sync();
  assert.deepEqual(await ids(store), ["case_note:" + waiting.mutation.id, "person:1", "person:3", "person:9"].sort());
  assert.equal((await store.meta()).checksum, server.checksum());
  assert.deepEqual((await store.outbox()).map((e) => e.mutation.id), [waiting.mutation.id]);
});

test("a record deleted from the store directly: the device's checksum differs, the server resets it, the record comes back", async () => {
  const server = new FakeServer();
  for (let i = 1; i <= 3; i += 1) server.upsert(child(i));
  server.upsert({ type: "case_note", id: "n1", version: 2, person_id: 2, data: { subject: "Visit" } });
  const { store, client } = await device(server);
  await client.sync();
  assert.equal(await store.checksum(), server.checksum(), "the device computes the server's checksum over what it holds");
  // Nothing changed: the checksum sent is the device's own, and it matches (one request, no reset).
  server.requests = [];
  assert.equal((await client.sync()).requests, 1);
  // Lost on the device alone (the server's log has nothing to send): the last checksum the server gave would match.
  await store.raw.delete("records", recordKey("case_note", "n1"));
  const lastFromServer = (await store.meta()).checksum;
  assert.equal(lastFromServer, server.checksum());
  assert.notEqual(await store.checksum(), lastFromServer);
  server.requests = [];
  await client.sync();
  const pulls = server.requests.filter((r) => r.url.includes("/pull"));
  assert.equal(new URL(pulls[0]!.url, "https://x").searchParams.get("checksum"), await (async () => {
    // what the device claimed: its store without n1
    const copy = new FakeServer();
    for (const [k, r] of server.records) if (k !== server.key("case_note", "n1")) copy.records.set(k, r);
    return copy.checksum();
  })());
  assert.ok(!new URL(pulls[1]!.url, "https://x").searchParams.has("cursor"), "then a clean download");
  assert.deepEqual((await store.getRecord("case_note", "n1"))?.data, { subject: "Visit" });
  assert.equal(await store.checksum(), server.checksum());
});

test("a record at another version on the device alone, or one that no longer decrypts, also forces a clean download", async () => {
  const server = new FakeServer();
  for (let i = 1; i <= 2; i += 1) server.upsert(child(i));
  const { store, client } = await device(server);
  await client.sync();
  const row = await store.raw.get("records", recordKey("person", "1"));
  await store.raw.put("records", { ...row, version: 7 });
  await client.sync();
  assert.equal((await store.getRecord("person", "1"))?.version, 1);
  // The ciphertext damaged, the version intact: the checksum cannot see it until the record is read.
  const again = await store.raw.get("records", recordKey("person", "2"));
  again.ct[5] ^= 1;
  await store.raw.put("records", again);
  assert.equal(await store.checksum(), server.checksum());
  await assert.rejects(store.getRecord("person", "2"), /changed or moved/);
  assert.equal(await store.checksum(), DAMAGED);
  await client.sync();
  assert.deepEqual((await store.getRecord("person", "2"))?.data, child(2).data);
  assert.equal(await store.checksum(), server.checksum());
  assert.equal((await store.meta()).damaged, false);
});

test("what the device made and has not sent (a failed note, a form draft) is not in the checksum and survives a reset", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  const { store, client } = await device(server);
  await client.sync();
  const waiting = { ...note(1), state: "failed" as const, reason: "Subject is too long" };
  await store.queue(waiting, { type: "case_note", id: waiting.mutation.id, version: 0, person_id: 1, data: {} });
  await store.commit({ put: [{ type: "device_draft", id: "1:assessment", version: 0, person_id: 1, local: true, data: { answers: { a: 1 } } }] });
  assert.equal(await store.checksum(), server.checksum());
  server.requests = [];
  assert.equal((await client.sync()).requests, 1, "no reset");
  await store.raw.delete("records", recordKey("person", "1"));
  await client.sync();
  assert.deepEqual(await ids(store), ["case_note:" + waiting.mutation.id, "device_draft:1:assessment", "person:1"]);
});

test("a document is opened online, kept encrypted, read again offline, and leaves with its child or its record", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  server.upsert(child(2));
  const doc = (id: string, person: number): SyncRecord => ({ type: "document", id, version: 1, person_id: person, data: { title: `Letter ${id}`, file_version: 1, pages: 2 } });
  server.upsert(doc("d1", 1));
  server.upsert(doc("d2", 2));
  server.upsert(doc("d3", 1));
  const page = (n: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, n, n, n]);
  server.documentPages.set("d1", [page(1), page(2)]);
  server.documentPages.set("d2", [page(3)]);
  const { store, client } = await device(server);
  await client.sync();
  assert.equal(server.documentViews.length, 0, "the sync downloads the documents' details only");
  const opened = await client.openDocument("d1", 1);
  assert.ok(opened.found && opened.ready);
  assert.deepEqual(server.documentViews, ["/documents/d1", "/documents/d1/v1/pages/1", "/documents/d1/v1/pages/2"]);
  // Kept encrypted: read back without the server; the bytes are not in the clear.
  const saved = await store.getFile("d1");
  assert.deepEqual(saved?.pages.map((p) => Array.from(p)), [Array.from(page(1)), Array.from(page(2))]);
  const row = await store.raw.get("files", "d1");
  assert.ok(!Array.from(row.pages[0].ct as Uint8Array).join(",").includes("137,80,78,71,1,1,1"));
  assert.deepEqual([...(await store.savedFiles()).keys()], ["d1"]);
  // One the user may not see (restricted since): the server says so, nothing is kept.
  assert.deepEqual(await client.openDocument("d3", 1), { found: false, message: "No document with that number that you may see" });
  assert.equal(await store.getFile("d3"), null);
  await client.openDocument("d2", 2);
  // The document's record evicted (a grant ended): its pages go too. The child leaving: theirs go.
  server.evict("document", "d2");
  server.requests = [];
  await client.sync();
  assert.equal(await store.getFile("d2"), null);
  server.evictPerson(1);
  await client.sync();
  assert.ok(server.requests.filter((r) => r.url.includes("/pull")).every((r) => r.url.includes("cursor=")), "no reset needed");
  assert.equal(await store.getFile("d1"), null);
  assert.equal((await store.savedFiles()).size, 0);
});

test("a clean download again keeps the pages of documents it brings back, and drops the others", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  server.upsert({ type: "document", id: "d1", version: 1, person_id: 1, data: { title: "Letter" } });
  server.upsert({ type: "document", id: "d2", version: 1, person_id: 1, data: { title: "Report" } });
  server.documentPages.set("d1", [new Uint8Array([1])]);
  server.documentPages.set("d2", [new Uint8Array([2])]);
  const { store, client } = await device(server);
  await client.sync();
  await client.openDocument("d1", 1);
  await client.openDocument("d2", 1);
  server.records.delete(server.key("document", "d2")); // drifted: no eviction in the log
  await client.sync();
  assert.deepEqual([...(await store.savedFiles()).keys()], ["d1"]);
});

test("push: batches of at most 100 mutations and about 400 KB (the server takes 512 KB)", () => {
  const many = Array.from({ length: 250 }, () => note(1).mutation);
  assert.deepEqual(batches(many).map((b) => b.length), [100, 100, 50]);
  const big = Array.from({ length: 5 }, () => note(1, "Long", "x".repeat(150_000)).mutation);
  const sized = batches(big);
  assert.deepEqual(sized.map((b) => b.length), [2, 2, 1]);
  for (const b of sized) assert.ok(JSON.stringify({ mutations: b }).length <= 400_000);
  assert.equal(BATCH_BYTES, 400_000);
  assert.ok(BATCH_BYTES < 512 * 1024);
});

test("push: 250 notes in three requests, each applied once even when answers are lost or doubled", async () => {
  const server = new FakeServer();
  const { store, client } = await device(server);
  for (let i = 0; i < 250; i += 1) await store.queue(note(1, `Note ${i}`));
  server.faults = ["drop-response", "duplicate", undefined as never, { delay: 20 }];
  // The first POST is preceded by the session (CSRF) request, so faults land: session dropped-after, ...
  await client.sync();
  assert.equal(await store.outboxCount(), 0);
  assert.equal(server.applied.length, 250, "every note applied exactly once");
  assert.equal(new Set(server.applied.map((m) => m.id)).size, 250);
  const posts = server.requests.filter((r) => r.method === "POST");
  assert.ok(posts.every((p) => (p.body as { mutations: unknown[] }).mutations.length <= 100));
  assert.ok(posts.every((p) => p.headers["X-CSRFToken"] === "token-1"));
  const notes = await store.listRecords("case_note");
  assert.equal(notes.length, 250);
  assert.ok(notes.every((r) => !r.local), "the server's records replace the ones made on the device");
});

test("a response lost after the server applied the batch: the retry sends the same ids and is answered, not re-applied", async () => {
  const server = new FakeServer();
  const { store, client } = await device(server);
  const e = note(3);
  await store.queue(e, { type: "case_note", id: e.mutation.id, version: 0, person_id: 3, data: e.mutation.fields });
  server.faults = [undefined as never, "drop-response"]; // session, then the push
  await client.sync();
  const pushes = server.requests.filter((r) => r.url.endsWith("/push"));
  assert.equal(pushes.length, 2);
  assert.deepEqual(pushes.map((p) => (p.body as { mutations: Mutation[] }).mutations[0]!.id), [e.mutation.id, e.mutation.id]);
  assert.equal(server.applied.length, 1);
  assert.deepEqual((await store.listRecords("case_note")).map((r) => [r.id, !!r.local]), [["1000", false]]);
});

test("a timed-out request is retried: the late answer is ignored and nothing is applied twice", async () => {
  const server = new FakeServer();
  const { store, client } = await device(server, { timeoutMs: 10 });
  await store.queue(note(3));
  server.faults = [undefined as never, { delay: 50 }];
  await client.sync();
  assert.equal(server.applied.length, 1);
  assert.equal(await store.outboxCount(), 0);
});

test("results: merged and applied settle, a conflict is kept to show, a rejection stays with its reason", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  server.upsert(child(2));
  const { store, client } = await device(server);
  await client.sync();
  // On the server someone changes child 2's phone; on the device the worker changes both phones.
  server.upsert({ ...child(2, 2), data: { name: "Child 2", phone: "07700 900001" } });
  const edit = (id: number, phone: string): OutboxEntry => ({
    ...note(id),
    mutation: {
      id: uuidv7(),
      type: "person",
      action: "update",
      record_id: String(id),
      base_version: 1,
      fields: { phone },
      base: { phone: "01632 960000" },
      made_at: "2026-12-06T09:00:00Z",
    },
    summary: `Phone number for child ${id}`,
  });
  await store.queue(edit(1, "07700 900123"));
  await store.queue(edit(2, "07700 900999"));
  server.refuse = (m) => (m.fields["subject"] === "Bad" ? "Subject must not contain hidden control characters" : null);
  await store.queue(note(1, "Bad"), { type: "case_note", id: "pending", version: 0, person_id: 1, data: {} });
  await client.sync();
  assert.equal((await store.getRecord("person", "1"))!.data["phone"], "07700 900123");
  assert.equal((await store.getRecord("person", "2"))!.data["phone"], "07700 900001", "the server's value is not overwritten");
  const conflicts = await store.listRecords("conflict");
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]!.data["field"], "phone");
  assert.equal(conflicts[0]!.data["device_words"], "07700 900999");
  const left = await store.outbox();
  assert.deepEqual(left.map((e) => [e.state, e.reason]), [["failed", "Subject must not contain hidden control characters"]]);
  // A failed mutation is not sent again by itself.
  server.requests = [];
  await client.sync();
  assert.equal(server.requests.filter((r) => r.url.endsWith("/push")).length, 0);
});

test("401 with wipe: the device deletes everything; 401 with reauth: it locks until the worker signs in", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  let wiped = "";
  const { store, client } = await device(server, { onWipe: (m) => (wiped = m) });
  await client.sync();
  server.answer401 = { wipe: true };
  await assert.rejects(client.sync(), (e: unknown) => e instanceof SyncStopped && e.reason === "wiped");
  assert.match(wiped, /removed/);
  const names = (await indexedDB.databases()).map((d) => d.name);
  assert.ok(!names.includes(store.name));

  const other = new FakeServer();
  const second = await device(other);
  other.answer401 = { reauth: true };
  await assert.rejects(second.client.sync(), (e: unknown) => e instanceof SyncStopped && e.reason === "reauth");
  assert.equal(second.store.unlocked, false);
  assert.equal((await second.store.meta()).reauth_needed, true);
});

test("removing the device: what waits is sent first, nothing removed while a change failed, then the server forgets it and the device is wiped", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  const { store, client } = await device(server);
  await client.sync();
  server.refuse = (m) => (m.fields["subject"] === "Bad" ? "Subject must not contain hidden control characters" : null);
  await store.queue(note(1, "Good"));
  await store.queue(note(1, "Bad"));
  assert.equal(await client.removeDevice(), 1, "the failed note is still on the device: not removed");
  assert.equal(server.applied.length, 1, "the good note was sent first");
  assert.ok(!server.requests.some((r) => r.url.endsWith("/device/revoke")));
  assert.equal(await client.removeDevice(true), 0);
  const revoke = server.requests.find((r) => r.url.endsWith("/device/revoke"))!;
  assert.equal(revoke.method, "POST");
  assert.ok(revoke.headers["X-Casework-Device"]);
  assert.equal(revoke.headers["X-CSRFToken"], "token-1");
  assert.ok(!(await indexedDB.databases()).map((d) => d.name).includes(store.name));
});

test("a form submission's answer names the response: it is not kept as a record on the device", async () => {
  const server = new FakeServer();
  server.upsert(child(1));
  const { store, client } = await device(server);
  await client.sync();
  await store.queue({ ...note(1), mutation: { ...note(1).mutation, type: "form_submission", fields: { form: "statutory-visit", version: 1, person_id: 1, answers: {} } } });
  await client.sync();
  assert.equal(server.applied.length, 1);
  assert.equal((await store.outbox()).length, 0);
  assert.deepEqual(await store.listRecords("form_response"), []);
});

test("the schedule syncs on start, when the browser is back online, and on demand; joined while running", async () => {
  let runs = 0;
  const target = new EventTarget();
  const schedule = new SyncSchedule(async () => void (runs += 1), 60_000, target);
  schedule.start();
  assert.equal(runs, 1);
  target.dispatchEvent(new Event("online"));
  assert.equal(runs, 2);
  await schedule.kick();
  assert.equal(runs, 3);
  schedule.stop();
  target.dispatchEvent(new Event("online"));
  assert.equal(runs, 3);

  const server = new FakeServer();
  server.upsert(child(1));
  const { client } = await device(server);
  const [a, b] = [client.sync(), client.sync()];
  assert.equal(a, b);
  await a;
});
