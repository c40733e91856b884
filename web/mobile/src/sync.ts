// The sync client (issue 13; the protocol: docs/sync-protocol.md). Push the outbox, then pull the changes in the
// device's scope until `has_more` is false. Every request carries the device's id; POSTs carry the CSRF token from
// GET /api/v1/sync/session. Network failures, time-outs and 5xx are retried with backoff; a retried push sends the
// same mutation ids, which the server answers from what it kept, so nothing is applied twice.
//
// 401 with `"wipe": true`: this device was removed (or its user disabled): delete everything on it.
// 401 with `"reauth": true`: too long since the worker last signed in online: lock until they do.

import { type LocalStore, RECORDS_WARNING, wipeDevice } from "./store";
import type { LocalRecord, Mutation, MutationResult, OutboxEntry, PullPage, SyncRecord } from "./types";

export const API = "/api/v1/sync";
export const BATCH_MUTATIONS = 100;
// The server takes at most 512 KB a request (core.limits.REQUEST_BYTES, answered 413 above it): cut well below.
export const BATCH_BYTES = 400_000;

export type OpenedDocument =
  | { found: false; message: string }
  | { found: true; ready: false; message: string }
  | { found: true; ready: true; file_version: number; pages: Uint8Array[] };

export type StopReason = "offline" | "wiped" | "reauth" | "signin" | "refused";

/** Why a sync stopped, in words the worker can act on. */
export class SyncStopped extends Error {
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
  }
}

export interface SyncResult {
  pushed: number;
  pulled: number;
  requests: number;
  records: number;
  tooMany: boolean;
}

export interface SyncOptions {
  store: LocalStore;
  fetch?: typeof fetch;
  base?: string;
  pageLimit?: number;
  retries?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => Date;
  onWipe?: (message: string) => void;
  onReauth?: (message: string) => void;
  /** Whether the browser thinks it is online (navigator.onLine); offline, a sync stops at once. */
  online?: () => boolean;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retrying is worth it for these: the request may not have arrived, or the server was busy. */
const retryable = (status: number): boolean => status >= 500 || status === 408 || status === 429;

class Transient extends Error {}

export function batches(mutations: Mutation[], most = BATCH_MUTATIONS, bytes = BATCH_BYTES): Mutation[][] {
  const out: Mutation[][] = [];
  let current: Mutation[] = [];
  let size = '{"mutations":[]}'.length;
  const enc = new TextEncoder();
  for (const m of mutations) {
    const n = enc.encode(JSON.stringify(m)).length + 1;
    if (current.length && (current.length >= most || size + n > bytes)) {
      out.push(current);
      current = [];
      size = '{"mutations":[]}'.length;
    }
    current.push(m);
    size += n;
  }
  if (current.length) out.push(current);
  return out;
}

export class SyncClient {
  private csrf: string | null = null;
  private running: Promise<SyncResult> | null = null;
  private requests = 0;
  readonly fetch: typeof fetch;
  private readonly base: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => Date;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly o: SyncOptions) {
    this.fetch = o.fetch ?? ((input, init) => fetch(input, init));
    this.base = o.base ?? API;
    this.sleep = o.sleep ?? realSleep;
    this.random = o.random ?? Math.random;
    this.now = o.now ?? (() => new Date());
  }

  /** Sync now; a call while a sync is running joins it. */
  sync(): Promise<SyncResult> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /** Back online: cut short any wait between retries, so a sync waiting to retry goes now. */
  wake(): void {
    this.wakeUp?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = () => resolve();
      void this.sleep(ms).then(resolve);
    }).then(() => {
      this.wakeUp = null;
    });
  }

  get busy(): boolean {
    return this.running !== null;
  }

  private async run(): Promise<SyncResult> {
    this.requests = 0;
    const pushed = await this.push();
    const pulled = await this.pull();
    const records = await this.o.store.countRecords();
    await this.o.store.setMeta({ last_sync_at: this.now().toISOString(), reauth_needed: false });
    return { pushed, pulled, requests: this.requests, records, tooMany: records > RECORDS_WARNING };
  }

  // HTTP --------------------------------------------------------------------------------------------------------

  private async deviceId(): Promise<string> {
    const d = await this.o.store.device();
    if (!d) throw new SyncStopped("refused", "This device is not registered");
    return d.device_id;
  }

  private async token(): Promise<string> {
    if (this.csrf) return this.csrf;
    const r = await this.request("GET", "/session");
    const body = (await r.json()) as { csrf_token?: string; csrftoken?: string };
    this.csrf = body.csrf_token ?? body.csrftoken ?? "";
    return this.csrf;
  }

  /** One request, retried with exponential backoff and jitter when the network or the server failed. Answers
   * any status below 500 but 401 (which stops the sync: wipe, re-authenticate or sign in). */
  async request(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
    const retries = this.o.retries ?? 4;
    const online = this.o.online ?? (() => typeof navigator === "undefined" || navigator.onLine !== false);
    for (let attempt = 0; ; attempt += 1) {
      if (!online()) {
        throw new SyncStopped("offline", "This device is offline. Your changes are kept on it and sent when you are back online.");
      }
      try {
        const r = await this.once(method, path, body);
        if (r.status === 403 && method === "POST" && this.csrf !== null) {
          // The CSRF token may have rotated with a new sign-in: fetch it again, once.
          this.csrf = null;
          const again = await this.once(method, path, body);
          return await this.checked(again);
        }
        return await this.checked(r);
      } catch (e) {
        if (!(e instanceof Transient) || attempt >= retries) {
          if (e instanceof Transient) {
            throw new SyncStopped("offline", "Casework could not be reached. Your changes are kept on this device.");
          }
          throw e;
        }
        const delay = Math.min(60_000, 1000 * 2 ** attempt) * (0.5 + this.random() / 2);
        await this.pause(delay);
      }
    }
  }

  private async once(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (path !== "/session" && !(method === "POST" && path === "/devices")) {
      headers["X-Casework-Device"] = await this.deviceId();
    }
    if (method === "POST") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = await this.token();
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.o.timeoutMs ?? 60_000);
    this.requests += 1;
    try {
      const init: RequestInit = { method, headers, credentials: "same-origin", signal: controller.signal };
      if (body !== undefined) init.body = JSON.stringify(body);
      const r = await this.fetch(`${this.base}${path}`, init);
      if (retryable(r.status)) throw new Transient(`HTTP ${r.status}`);
      return r;
    } catch (e) {
      if (e instanceof Transient) throw e;
      // fetch rejects only when there was no answer: offline, dropped, timed out.
      throw new Transient(String(e));
    } finally {
      clearTimeout(timer);
    }
  }

  private async checked(r: Response): Promise<Response> {
    if (r.status !== 401) return r;
    const body = (await r.json().catch(() => ({}))) as { detail?: string; wipe?: boolean; reauth?: boolean };
    const detail = body.detail ?? "Sign in to Casework again to sync.";
    if (body.wipe) {
      await wipeDevice(this.o.store);
      this.o.onWipe?.(detail);
      throw new SyncStopped("wiped", detail);
    }
    if (body.reauth) {
      await this.o.store.setMeta({ reauth_needed: true });
      this.o.store.lock();
      this.o.onReauth?.(detail);
      throw new SyncStopped("reauth", detail);
    }
    throw new SyncStopped("signin", detail);
  }

  // Push --------------------------------------------------------------------------------------------------------

  /** Send every mutation waiting (and any left "pushing" by a sync that was cut off), in batches. */
  async push(): Promise<number> {
    const waiting = (await this.o.store.outbox()).filter((e) => e.state === "to_push" || e.state === "pushing");
    if (!waiting.length) return 0;
    const byId = new Map(waiting.map((e) => [e.mutation.id, e]));
    let settled = 0;
    for (const batch of batches(waiting.map((e) => e.mutation))) {
      settled += await this.pushBatch(batch, byId);
    }
    return settled;
  }

  private async pushBatch(batch: Mutation[], byId: Map<string, OutboxEntry>): Promise<number> {
    const entries = batch.map((m) => byId.get(m.id)!);
    await this.o.store.commit({
      outboxPut: entries.map((e) => ({ ...e, state: "pushing" as const, attempts: e.attempts + 1 })),
    });
    let r: Response;
    try {
      r = await this.request("POST", "/push", { mutations: batch });
    } catch (e) {
      await this.o.store.commit({ outboxPut: entries.map((x) => ({ ...x, state: "to_push" as const })) });
      throw e;
    }
    if (r.status === 200) {
      const { results } = (await r.json()) as { results: MutationResult[] };
      return this.settle(results, byId);
    }
    const body = (await r.json().catch(() => ({}))) as { detail?: string; errors?: Record<string, string> };
    if (batch.length > 1) {
      // The batch was refused whole: find the mutation at fault by sending them one at a time.
      let n = 0;
      for (const m of batch) n += await this.pushBatch([m], byId);
      return n;
    }
    const only = entries[0]!;
    await this.o.store.commit({
      outboxPut: [
        {
          ...only,
          state: "failed",
          reason: body.detail ?? `Casework refused this change (HTTP ${r.status})`,
          errors: body.errors ?? {},
        },
      ],
    });
    return 1;
  }

  private async settle(results: MutationResult[], byId: Map<string, OutboxEntry>): Promise<number> {
    const put: LocalRecord[] = [];
    const del: Array<{ type: string; id: string }> = [];
    const outboxDelete: string[] = [];
    const outboxPut: OutboxEntry[] = [];
    for (const res of results) {
      const entry = byId.get(res.id);
      if (!entry) continue;
      const m = entry.mutation;
      if (m.action === "create") del.push({ type: m.type, id: m.id });
      if (res.status === "applied" || res.status === "merged") {
        outboxDelete.push(m.id);
        // A form submission answers only {type: "form_response", id}: not a record the device holds.
        if (held(res.record)) put.push(res.record);
      } else if (res.status === "conflict") {
        // Kept on the server for a person to resolve; shown here until the next pull brings the server's own copy.
        outboxDelete.push(m.id);
        if (held(res.record)) put.push(res.record);
        put.push(conflictRecord(entry, res));
      } else {
        outboxPut.push({ ...entry, state: "failed", reason: res.reason ?? "Casework refused this change", errors: res.errors ?? {} });
        if (m.action === "create") del.pop(); // keep the note on the device, marked failed, so nothing is lost
      }
    }
    await this.o.store.commit({ put, delete: del, outboxDelete, outboxPut });
    return results.length;
  }

  // Pull --------------------------------------------------------------------------------------------------------

  /** Pull pages until the server has nothing more; answers how many records were upserted or evicted. */
  async pull(): Promise<number> {
    let meta = await this.o.store.meta();
    let changed = 0;
    let resets = 0;
    for (;;) {
      const q = new URLSearchParams({ limit: String(this.o.pageLimit ?? 500) });
      if (meta.cursor) q.set("cursor", meta.cursor);
      // The checksum of what this device really holds (not the server's last): a record lost or damaged here alone
      // makes the server answer `reset`.
      if (meta.cursor) q.set("checksum", await this.o.store.checksum());
      const r = await this.request("GET", `/pull?${q}`);
      if (r.status !== 200) {
        const body = (await r.json().catch(() => ({}))) as { detail?: string };
        throw new SyncStopped("refused", body.detail ?? `Casework refused to send changes (HTTP ${r.status})`);
      }
      const page = (await r.json()) as PullPage;
      if (page.reset) {
        // The device's records drifted from the server's: download them again. Changes waiting to sync are kept.
        resets += 1;
        if (resets > 2) throw new SyncStopped("refused", "The records on this device could not be matched to Casework's");
        await this.o.store.commit({ clearRecords: true, meta: { cursor: null, checksum: null } });
        meta = await this.o.store.meta();
        continue;
      }
      const del = page.evictions.filter((e) => e.type && e.id).map((e) => ({ type: e.type!, id: e.id! }));
      const people = page.evictions.filter((e) => e.person_id !== undefined).map((e) => e.person_id!);
      const patch = page.has_more
        ? { cursor: page.cursor }
        : { cursor: page.cursor, checksum: page.scope_checksum, last_online_at: this.now().toISOString() };
      await this.o.store.commit({ put: page.upserts, delete: del, evictPeople: people, meta: patch });
      changed += page.upserts.length + page.evictions.length;
      meta = { ...meta, ...patch };
      if (!page.has_more) {
        // A download again keeps the pages of documents opened before; those it did not bring back go.
        if (resets) await this.o.store.pruneFiles();
        return changed;
      }
    }
  }

  // Outside the sync: register the device, resolve a conflict ---------------------------------------------------

  async registerDevice(name: string): Promise<Response> {
    return this.request("POST", "/devices", { name });
  }

  /** The worker removes Casework from this device for good (POST /device/revoke): what waits is sent first, and
   * nothing is removed while anything still waits or failed (unless `discardWaiting`); then the server forgets the
   * device and everything on it is deleted. Answers how many changes were still waiting (0 when removed). */
  async removeDevice(discardWaiting = false): Promise<number> {
    await this.push();
    const left = (await this.o.store.outbox()).length;
    if (left && !discardWaiting) return left;
    const r = await this.request("POST", "/device/revoke");
    if (r.status !== 200) {
      const body = (await r.json().catch(() => ({}))) as { detail?: string };
      throw new SyncStopped("refused", body.detail ?? `Casework could not remove this device (HTTP ${r.status})`);
    }
    await wipeDevice(this.o.store);
    return 0;
  }

  /** Open a document online (GET /documents/{id}, then each of its pages), checked and audited by the server as
   * the web's document page; the pages are kept, encrypted, to read offline. */
  async openDocument(id: string, personId: SyncRecord["person_id"]): Promise<OpenedDocument> {
    const r = await this.request("GET", `/documents/${encodeURIComponent(id)}`);
    if (r.status === 404) return { found: false, message: ((await r.json().catch(() => ({}))) as { detail?: string }).detail ?? "" };
    if (r.status !== 200) throw new SyncStopped("refused", `Casework could not open the document (HTTP ${r.status})`);
    const doc = (await r.json()) as { file_version: number; status: string; message: string; pages: Array<{ page: number }> };
    if (!doc.pages.length) return { found: true, ready: false, message: doc.message || doc.status };
    const pages: Uint8Array[] = [];
    for (const pg of doc.pages) {
      const img = await this.request("GET", `/documents/${encodeURIComponent(id)}/v${doc.file_version}/pages/${pg.page}`);
      if (img.status !== 200) throw new SyncStopped("refused", `Casework could not send page ${pg.page} (HTTP ${img.status})`);
      pages.push(new Uint8Array(await img.arrayBuffer()));
    }
    await this.o.store.saveFile(id, personId, doc.file_version, pages);
    return { found: true, ready: true, file_version: doc.file_version, pages };
  }

  async resolveConflict(id: string | number, keep: "device" | "server" | "other", value?: unknown): Promise<Response> {
    return this.request("POST", `/conflicts/${encodeURIComponent(String(id))}/resolve`, { keep, value });
  }
}

/** Whether a push result's record is one the device keeps (a whole record as a pull sends it). */
function held(r: SyncRecord | null | undefined): r is SyncRecord {
  return Boolean(r && typeof r.data === "object" && r.data !== null && typeof r.version === "number");
}

/** A conflict the push answered, shaped as the server's own `conflict` record (docs/sync-protocol.md: field, what,
 * device_value, server_value, device_words, server_words), shown until the next pull brings the server's copy. */
function conflictRecord(entry: OutboxEntry, res: MutationResult): LocalRecord {
  const m = entry.mutation;
  const editable = (res.record?.data?.["editable"] ?? {}) as Record<string, unknown>;
  const field = Object.keys(m.fields).find((k) => k in editable && editable[k] !== m.fields[k]) ?? Object.keys(m.fields)[0] ?? "";
  const wordsOf = (v: unknown) => (typeof v === "boolean" ? (v ? "Yes" : "No") : v === null || v === undefined ? "" : String(v));
  return {
    type: "conflict",
    id: String(res.conflict_id ?? m.id),
    version: 0,
    person_id: res.record?.person_id ?? (m.fields["person_id"] as number | undefined) ?? null,
    data: {
      field,
      what: entry.summary,
      record_type: m.type,
      record_id: m.record_id,
      device_value: m.fields[field] ?? null,
      server_value: editable[field] ?? null,
      device_words: wordsOf(m.fields[field]),
      server_words: wordsOf(editable[field]),
      reason: res.reason,
      from_device: true,
    },
  };
}

/** When to sync: on start, when the browser comes back online, every few minutes, and when asked. No Background
 * Sync (Safari has none): the app syncs while it is open. */
export class SyncSchedule {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly online = (): void => {
    this.wake?.();
    void this.kick();
  };

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly everyMs = 5 * 60_000,
    private readonly target: Pick<EventTarget, "addEventListener" | "removeEventListener"> = globalThis,
    private readonly wake?: () => void,
  ) {}

  start(): void {
    this.target.addEventListener("online", this.online);
    this.timer = setInterval(() => void this.kick(), this.everyMs);
    void this.kick();
  }

  stop(): void {
    this.target.removeEventListener("online", this.online);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  kick(): Promise<unknown> {
    return this.run().catch(() => undefined);
  }
}
