// The device's local store (issue 13) on IndexedDB through idb: the records the server sent, keyed by type and id;
// the outbox of mutations waiting for the server (UUIDv7 ids); the sync cursor and scope checksum; the device.
//
// Everything about people is encrypted (crypto.ts): a row keeps in the clear only what IndexedDB needs to find it
// (type, id, version, the person's record id for evictions; a mutation's id and state), and the rest is sealed with
// the data key, which lives in memory only while the app is unlocked. Five wrong passphrases in a row wipe the
// device: its IndexedDB databases, its caches and its service worker.

import { type IDBPDatabase, deleteDB, openDB } from "idb";
import {
  MIN_ITERATIONS,
  type Sealed,
  TamperedError,
  type WrappedKey,
  additionalData,
  newDataKey,
  open,
  openBytes,
  seal,
  sealBytes,
  unwrapDataKey,
} from "./crypto";
import type { DeviceInfo, LocalRecord, OutboxEntry, PersonId, SyncMeta, SyncState } from "./types";

export const DB_NAME = "casework-mobile";
export const MAX_FAILURES = 5;
export const RECORDS_WARNING = 10_000;
export const MIN_PASSPHRASE = 10;

interface KeyMeta extends WrappedKey {
  failures: number;
}

interface RecordRow extends Sealed {
  k: string;
  type: string;
  id: string;
  version: number;
  person_id: PersonId | null;
  /** 1 for a record this device made (a note waiting to sync, a form draft): not the server's, so not in the scope
   * checksum, and kept when the server's records are downloaded again. */
  local?: 1;
}

/** A document's pages kept on this device once opened (each sealed on its own): evicted with the child, or when
 * the document's record leaves the device (a grant ended, a reset that does not bring it back). */
interface FileRow {
  id: string;
  person_id: PersonId | null;
  file_version: number;
  pages: Sealed[];
  saved_at: string;
}

export interface SavedFile {
  file_version: number;
  pages: Uint8Array[];
  saved_at: string;
}

interface OutboxRow extends Sealed {
  id: string;
  seq: number;
  state: SyncState;
  rev: number;
}

const EMPTY_META: SyncMeta = {
  cursor: null,
  checksum: null,
  last_sync_at: null,
  last_online_at: null,
  reauth_needed: false,
  damaged: false,
};

const hex = (bytes: ArrayBuffer): string => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** What the scope checksum is when a record on this device was found damaged: no checksum of a real scope (those are
 * 64 hex digits), so the server answers `reset` and the records are downloaded again. */
export const DAMAGED = "damaged";

export const recordKey = (type: string, id: string): string => `${type}\u0000${id}`;

export class LockedError extends Error {
  constructor() {
    super("The app is locked: enter your passphrase");
  }
}

export type UnlockResult = { ok: true } | { ok: false; remaining: number; wiped: boolean };

/** Several changes made at once, in one IndexedDB transaction (encrypted before it starts). */
export interface Commit {
  put?: LocalRecord[];
  delete?: Array<{ type: string; id: string }>;
  evictPeople?: PersonId[];
  clearRecords?: boolean;
  outboxPut?: OutboxEntry[];
  outboxDelete?: string[];
  meta?: Partial<SyncMeta>;
}

export class LocalStore {
  private key: CryptoKey | null = null;

  private constructor(
    private db: IDBPDatabase,
    readonly name: string,
  ) {}

  static async open(name: string = DB_NAME): Promise<LocalStore> {
    let store: LocalStore | null = null;
    const db = await openDB(name, 2, {
      // Another tab (or a wipe) wants the database deleted or upgraded: let go of it, and of the key.
      blocking() {
        store?.close();
      },
      upgrade(d, from) {
        if (from < 1) {
          d.createObjectStore("meta");
          const records = d.createObjectStore("records", { keyPath: "k" });
          records.createIndex("type", "type");
          records.createIndex("person", "person_id");
          const outbox = d.createObjectStore("outbox", { keyPath: "id" });
          outbox.createIndex("seq", "seq", { unique: true });
        }
        if (from < 2) d.createObjectStore("files", { keyPath: "id" }).createIndex("person", "person_id");
      },
    });
    store = new LocalStore(db, name);
    return store;
  }

  close(): void {
    this.key = null;
    this.db.close();
  }

  // Keys, locking and wiping ------------------------------------------------------------------------------------

  get unlocked(): boolean {
    return this.key !== null;
  }

  async isSetUp(): Promise<boolean> {
    return (await this.db.get("meta", "keys")) !== undefined;
  }

  /** First use: a new data key under this passphrase, and the device the server registered. */
  async setUp(passphrase: string, device: DeviceInfo, iterations: number = MIN_ITERATIONS): Promise<void> {
    if (passphrase.length < MIN_PASSPHRASE) {
      throw new Error(`The passphrase must be at least ${MIN_PASSPHRASE} characters`);
    }
    if (await this.isSetUp()) throw new Error("This device is already set up");
    const { key, wrapped } = await newDataKey(passphrase, iterations);
    const tx = this.db.transaction("meta", "readwrite");
    await tx.store.put({ ...wrapped, failures: 0 } satisfies KeyMeta, "keys");
    await tx.store.put(device, "device");
    await tx.store.put({ ...EMPTY_META }, "sync");
    await tx.done;
    this.key = key;
  }

  /** Unlock with the passphrase. The failure is counted before the slow derivation, so closing the tab mid-way
   * does not give a free guess; the fifth wrong passphrase in a row wipes the device. */
  async unlock(passphrase: string): Promise<UnlockResult> {
    const keys = (await this.db.get("meta", "keys")) as KeyMeta | undefined;
    if (!keys) throw new Error("This device is not set up");
    const failures = keys.failures + 1;
    await this.db.put("meta", { ...keys, failures }, "keys");
    const key = await unwrapDataKey(passphrase, keys);
    if (key) {
      await this.db.put("meta", { ...keys, failures: 0 }, "keys");
      this.key = key;
      return { ok: true };
    }
    if (failures >= MAX_FAILURES) {
      await wipeDevice(this);
      return { ok: false, remaining: 0, wiped: true };
    }
    return { ok: false, remaining: MAX_FAILURES - failures, wiped: false };
  }

  async failuresSoFar(): Promise<number> {
    const keys = (await this.db.get("meta", "keys")) as KeyMeta | undefined;
    return keys?.failures ?? 0;
  }

  /** Forget the data key: nothing can be read until the passphrase is entered again. */
  lock(): void {
    this.key = null;
  }

  private dataKey(): CryptoKey {
    if (!this.key) throw new LockedError();
    return this.key;
  }

  // Device and sync state (not about people: kept in the clear) ---------------------------------------------------

  async device(): Promise<DeviceInfo | null> {
    return ((await this.db.get("meta", "device")) as DeviceInfo | undefined) ?? null;
  }

  async setDevice(device: DeviceInfo): Promise<void> {
    await this.db.put("meta", device, "device");
  }

  async meta(): Promise<SyncMeta> {
    return { ...EMPTY_META, ...((await this.db.get("meta", "sync")) as SyncMeta | undefined) };
  }

  async setMeta(patch: Partial<SyncMeta>): Promise<void> {
    const tx = this.db.transaction("meta", "readwrite");
    const now = { ...EMPTY_META, ...((await tx.store.get("sync")) as SyncMeta | undefined) };
    await tx.store.put({ ...now, ...patch }, "sync");
    await tx.done;
  }

  // Records -------------------------------------------------------------------------------------------------------

  private async sealRecord(r: LocalRecord): Promise<RecordRow> {
    const k = recordKey(r.type, r.id);
    const payload: Pick<LocalRecord, "data" | "local"> = { data: r.data };
    if (r.local) payload.local = true;
    const sealed = await seal(this.dataKey(), additionalData("records", k, r.version), payload);
    const row: RecordRow = { k, type: r.type, id: r.id, version: r.version, person_id: r.person_id ?? null, ...sealed };
    if (r.local) row.local = 1;
    return row;
  }

  private async openRecord(row: RecordRow): Promise<LocalRecord> {
    let payload: Pick<LocalRecord, "data" | "local">;
    try {
      payload = await open<Pick<LocalRecord, "data" | "local">>(
        this.dataKey(),
        additionalData("records", row.k, row.version),
        row,
      );
    } catch (e) {
      // A record that does not decrypt was changed on the device: the next sync downloads the records again.
      if (e instanceof TamperedError) await this.setMeta({ damaged: true });
      throw e;
    }
    const r: LocalRecord = { type: row.type, id: row.id, version: row.version, person_id: row.person_id, data: payload.data };
    if (payload.local) r.local = true;
    return r;
  }

  async getRecord(type: string, id: string): Promise<LocalRecord | null> {
    const row = (await this.db.get("records", recordKey(type, id))) as RecordRow | undefined;
    return row ? this.openRecord(row) : null;
  }

  /** Records of a type (all types when null), optionally only one person's. */
  async listRecords(type: string | null, personId?: PersonId): Promise<LocalRecord[]> {
    let rows: RecordRow[];
    if (personId !== undefined) {
      rows = (await this.db.getAllFromIndex("records", "person", personId)) as RecordRow[];
      if (type !== null) rows = rows.filter((r) => r.type === type);
    } else if (type !== null) {
      rows = (await this.db.getAllFromIndex("records", "type", type)) as RecordRow[];
    } else {
      rows = (await this.db.getAll("records")) as RecordRow[];
    }
    return Promise.all(rows.map((r) => this.openRecord(r)));
  }

  async countRecords(): Promise<number> {
    return this.db.count("records");
  }

  /** The scope checksum of what this device holds, as the server computes it over the scope (sync/records.py,
   * docs/sync-protocol.md): SHA-256 (hex) of one line "type id version\n" per record, sorted by type then id. Only
   * the server's records count (not what this device made and has not sent), read from what is in the clear, so it
   * costs one read of the store and no decryption; a record missing, added, at another version, or found not to
   * decrypt (DAMAGED) makes it differ from the server's, and the server then answers `reset`. */
  async checksum(): Promise<string> {
    if ((await this.meta()).damaged) return DAMAGED;
    const rows = (await this.db.getAll("records")) as RecordRow[];
    const lines: Array<[string, string, number]> = [];
    for (const r of rows) {
      if (r.local) continue;
      if (typeof r.type !== "string" || typeof r.id !== "string" || !Number.isInteger(r.version) || r.version < 0) continue;
      if (!(r.iv instanceof Uint8Array) || !(r.ct instanceof Uint8Array) || r.iv.length !== 12) continue;
      lines.push([r.type, r.id, r.version]);
    }
    // Code unit order, as the server's (all ids and types are ASCII).
    lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const text = lines.map(([t, i, v]) => `${t} ${i} ${v}\n`).join("");
    return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  }

  // Documents' pages, kept once opened ------------------------------------------------------------------------------

  private fileAad(id: string, page: number, version: number): Uint8Array {
    return additionalData("files", `${id}/${page}`, version);
  }

  /** Keep a document's pages (sealed one by one) for reading offline. */
  async saveFile(id: string, personId: PersonId | null, fileVersion: number, pages: Uint8Array[]): Promise<void> {
    const key = this.dataKey();
    const sealed = await Promise.all(pages.map((bytes, i) => sealBytes(key, this.fileAad(id, i + 1, fileVersion), bytes)));
    const row: FileRow = { id, person_id: personId, file_version: fileVersion, pages: sealed, saved_at: new Date().toISOString() };
    // Only while the document is still on the device (a sync may have evicted it while the pages came).
    const tx = this.db.transaction(["records", "files"], "readwrite");
    if (await tx.objectStore("records").getKey(recordKey("document", id))) await tx.objectStore("files").put(row);
    await tx.done;
  }

  async getFile(id: string): Promise<SavedFile | null> {
    const row = (await this.db.get("files", id)) as FileRow | undefined;
    if (!row) return null;
    const key = this.dataKey();
    const pages = await Promise.all(row.pages.map((p, i) => openBytes(key, this.fileAad(id, i + 1, row.file_version), p)));
    return { file_version: row.file_version, pages, saved_at: row.saved_at };
  }

  /** The documents whose pages are on this device, and which version of them (no decryption). */
  async savedFiles(): Promise<Map<string, number>> {
    const rows = (await this.db.getAll("files")) as FileRow[];
    return new Map(rows.map((r) => [r.id, r.file_version]));
  }

  async removeFile(id: string): Promise<void> {
    await this.db.delete("files", id);
  }

  /** Delete the pages of documents no longer on the device (after a download that did not bring them back). */
  async pruneFiles(): Promise<void> {
    const tx = this.db.transaction(["records", "files"], "readwrite");
    const files = tx.objectStore("files");
    for (const id of (await files.getAllKeys()) as string[]) {
      if (!(await tx.objectStore("records").getKey(recordKey("document", id)))) await files.delete(id);
    }
    await tx.done;
  }

  // Outbox ----------------------------------------------------------------------------------------------------------

  private async sealOutbox(e: OutboxEntry, rev: number): Promise<OutboxRow> {
    const sealed = await seal(this.dataKey(), additionalData("outbox", e.mutation.id, rev), e);
    return { id: e.mutation.id, seq: 0, state: e.state, rev, ...sealed };
  }

  /** Every mutation not yet settled by the server, oldest first. */
  async outbox(): Promise<OutboxEntry[]> {
    const rows = (await this.db.getAllFromIndex("outbox", "seq")) as OutboxRow[];
    const key = this.dataKey();
    return Promise.all(rows.map((r) => open<OutboxEntry>(key, additionalData("outbox", r.id, r.rev), r)));
  }

  async outboxCount(): Promise<number> {
    return this.db.count("outbox");
  }

  /** Add a mutation to the outbox (and, for a create, the record it makes, shown as waiting to sync). */
  async queue(entry: OutboxEntry, localRecord?: LocalRecord): Promise<void> {
    await this.commit({ outboxPut: [entry], ...(localRecord ? { put: [{ ...localRecord, local: true }] } : {}) });
  }

  // One transaction for many changes --------------------------------------------------------------------------------

  async commit(c: Commit): Promise<void> {
    // WebCrypto is asynchronous and an IndexedDB transaction commits itself when its task awaits anything else, so
    // everything is sealed first; the transaction then only reads and writes.
    const records = await Promise.all((c.put ?? []).map((r) => this.sealRecord(r)));
    const existing = new Map<string, number>();
    for (const e of c.outboxPut ?? []) {
      const row = (await this.db.get("outbox", e.mutation.id)) as OutboxRow | undefined;
      existing.set(e.mutation.id, row ? row.rev + 1 : 1);
    }
    const outbox = await Promise.all(
      (c.outboxPut ?? []).map((e) => this.sealOutbox(e, existing.get(e.mutation.id) ?? 1)),
    );
    const tx = this.db.transaction(["records", "outbox", "meta", "files"], "readwrite");
    const rs = tx.objectStore("records");
    const fs = tx.objectStore("files");
    const os = tx.objectStore("outbox");
    const ms = tx.objectStore("meta");
    if (c.clearRecords) {
      // The server's records go; what this device made and has not sent stays.
      let cursor = await rs.openCursor();
      while (cursor) {
        if (!(cursor.value as RecordRow).local) await cursor.delete();
        cursor = await cursor.continue();
      }
    }
    for (const p of c.evictPeople ?? []) {
      for (const k of await rs.index("person").getAllKeys(p)) await rs.delete(k);
      await rs.delete(recordKey("person", String(p)));
      // A child leaving the caseload takes the documents opened from their record with them.
      for (const k of await fs.index("person").getAllKeys(p)) await fs.delete(k);
    }
    for (const d of c.delete ?? []) {
      await rs.delete(recordKey(d.type, d.id));
      if (d.type === "document") await fs.delete(d.id);
    }
    for (const r of records) await rs.put(r);
    for (const id of c.outboxDelete ?? []) await os.delete(id);
    if (outbox.length) {
      const last = await os.index("seq").openCursor(null, "prev");
      let seq = last ? (last.value as OutboxRow).seq : 0;
      for (const row of outbox) {
        const old = (await os.get(row.id)) as OutboxRow | undefined;
        if (old) row.seq = old.seq;
        else {
          seq += 1;
          row.seq = seq;
        }
        await os.put(row);
      }
    }
    if (c.meta || c.clearRecords) {
      const now = { ...EMPTY_META, ...((await ms.get("sync")) as SyncMeta | undefined) };
      await ms.put({ ...now, ...c.meta, ...(c.clearRecords ? { damaged: false } : {}) }, "sync");
    }
    await tx.done;
  }

  /** The raw rows (for tests of tampering and of what is kept in the clear). */
  get raw(): IDBPDatabase {
    return this.db;
  }
}

/** Delete everything Casework keeps on this device: its IndexedDB databases, the Cache Storage of the service
 * worker, the service worker itself and web storage. Used for a remote wipe and after five wrong passphrases. */
export async function wipeDevice(store?: LocalStore | null): Promise<void> {
  store?.close();
  const g = globalThis as typeof globalThis & { caches?: CacheStorage };
  const names = new Set<string>([store?.name ?? DB_NAME]);
  if (typeof indexedDB !== "undefined" && typeof indexedDB.databases === "function") {
    for (const d of await indexedDB.databases()) if (d.name) names.add(d.name);
  }
  for (const n of names) await deleteDB(n);
  if (g.caches) for (const k of await g.caches.keys()) await g.caches.delete(k);
  if (typeof navigator !== "undefined" && navigator.serviceWorker) {
    for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
  }
  try {
    globalThis.localStorage?.clear();
    globalThis.sessionStorage?.clear();
  } catch {
    // Storage may be unavailable (a private window); there is nothing in it to clear then.
  }
}
