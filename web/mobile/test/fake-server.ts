// A fake of the sync server (docs/sync-protocol.md) for the client's tests: an in-memory scope with a change log,
// push with per-mutation results kept by id, and faults: requests dropped before or after the server acted,
// requests delivered twice, answers delayed.
import { createHash } from "node:crypto";
import type { Mutation, MutationResult, SyncRecord } from "../src/types";

type Fault = "drop-request" | "drop-response" | "duplicate" | "server-error" | { delay: number };

interface Change {
  seq: number;
  upsert?: SyncRecord;
  evict?: { type?: string; id?: string; person_id?: number };
}

export class FakeServer {
  records = new Map<string, SyncRecord>();
  log: Change[] = [];
  results = new Map<string, MutationResult>();
  applied: Mutation[] = [];
  faults: Fault[] = [];
  requests: Array<{ method: string; url: string; body?: unknown; headers: Record<string, string> }> = [];
  answer401: { wipe?: boolean; reauth?: boolean } | null = null;
  /** Documents the user may open, and their pages' bytes; and every document request made. */
  documentPages = new Map<string, Uint8Array[]>();
  documentViews: string[] = [];
  refuse: ((m: Mutation) => string | null) | null = null;
  private seq = 0;
  private nextId = 1000;

  key = (type: string, id: string) => `${type}:${id}`;

  upsert(r: SyncRecord): void {
    this.records.set(this.key(r.type, r.id), r);
    this.log.push({ seq: ++this.seq, upsert: r });
  }

  evict(type: string, id: string): void {
    this.records.delete(this.key(type, id));
    this.log.push({ seq: ++this.seq, evict: { type, id } });
  }

  evictPerson(personId: number): void {
    for (const [k, r] of this.records) if (r.person_id === personId) this.records.delete(k);
    this.log.push({ seq: ++this.seq, evict: { person_id: personId } });
  }

  /** The server's scope checksum (sync/records.py checksum_of): SHA-256 of "type id version\n" lines, sorted. */
  checksum(): string {
    const rows = [...this.records.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return createHash("sha256").update(rows.map((r) => `${r.type} ${r.id} ${r.version}\n`).join("")).digest("hex");
  }

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    this.requests.push({ method, url, body, headers: { ...(init?.headers as Record<string, string>) } });
    const fault = this.faults.shift();
    if (fault === "drop-request") throw new TypeError("Failed to fetch");
    if (fault === "server-error") return json(502, { detail: "Bad gateway", errors: {} });
    if (typeof fault === "object") {
      await new Promise((r) => setTimeout(r, fault.delay));
      if (init?.signal?.aborted) throw new DOMException("The operation was aborted", "AbortError");
    }
    const answer = () => this.handle(method, url, body);
    if (fault === "duplicate") answer();
    const r = answer();
    if (fault === "drop-response") throw new TypeError("Failed to fetch");
    return r;
  };

  handle(method: string, url: string, body: any): Response {
    const u = new URL(url, "https://casework.test");
    const path = u.pathname.replace("/api/v1/sync", "");
    if (path === "/session") return json(200, { csrf_token: "token-1", user: "Sam" });
    if (this.answer401) return json(401, { detail: "This device has been removed from Casework", errors: {}, ...this.answer401 });
    if (path === "/pull") return this.pull(u.searchParams);
    if (path === "/push" && method === "POST") return this.push(body);
    const doc = /^\/documents\/([^/]+)(?:\/v(\d+)\/pages\/(\d+))?$/.exec(path);
    if (doc && method === "GET") {
      this.documentViews.push(path);
      const pages = this.documentPages.get(doc[1]!);
      if (!pages) return json(404, { detail: "No document with that number that you may see", errors: {} });
      if (!doc[3]) return json(200, { id: Number(doc[1]), file_version: 1, status: "Ready", message: "", pages: pages.map((_, i) => ({ page: i + 1 })) });
      const bytes = pages[Number(doc[3]) - 1];
      return bytes ? new Response(bytes as BodyInit, { status: 200, headers: { "Content-Type": "image/png" } }) : json(404, { detail: "No such page", errors: {} });
    }
    if (path === "/device/revoke" && method === "POST") {
      this.answer401 = { wipe: true };
      return json(200, { device_id: "dev-1", name: "Work phone", registered_at: "2026-12-06T09:00:00Z", reauth_days: 14, idle_lock_minutes: 10 });
    }
    return json(404, { detail: "Not found", errors: {} });
  }

  pull(q: URLSearchParams): Response {
    const limit = Number(q.get("limit") ?? 500);
    const cursor = q.get("cursor") ?? "snap:0:" + this.seq;
    if (cursor.startsWith("snap:")) {
      // First download: a snapshot of the scope as it is, paged; each page's cursor is good for the next.
      const [, offset, at] = cursor.split(":").map(Number) as [number, number, number];
      const all = [...this.records.values()].sort((a, b) => this.key(a.type, a.id).localeCompare(this.key(b.type, b.id)));
      const page = all.slice(offset, offset + limit);
      const more = offset + limit < all.length;
      return json(200, {
        cursor: more ? `snap:${offset + limit}:${at}` : String(at),
        has_more: more || this.log.some((c) => c.seq > at),
        upserts: page,
        evictions: [],
        scope_checksum: this.checksum(),
        server_time: "2026-12-06T09:00:00Z",
      });
    }
    const after = Number(cursor);
    const pending = this.log.filter((c) => c.seq > after);
    const claimed = q.get("checksum");
    if (!pending.length && claimed && claimed !== this.checksum()) {
      return json(200, { cursor: String(after), has_more: false, upserts: [], evictions: [], scope_checksum: this.checksum(), server_time: "", reset: true });
    }
    const page = pending.slice(0, limit);
    const last = page.length ? page[page.length - 1]!.seq : after;
    return json(200, {
      cursor: String(last),
      has_more: pending.length > limit,
      upserts: page.filter((c) => c.upsert).map((c) => c.upsert),
      evictions: page.filter((c) => c.evict).map((c) => c.evict),
      scope_checksum: this.checksum(),
      server_time: "2026-12-06T09:00:00Z",
    });
  }

  push(body: { mutations: Mutation[] }): Response {
    if (!Array.isArray(body?.mutations)) return json(422, { detail: "The body must have a list of mutations", errors: {} });
    if (body.mutations.length > 100) return json(413, { detail: "A batch may hold at most 100 mutations", errors: {} });
    // As the real server: the API's 512 KB (core.limits.REQUEST_BYTES).
    if (JSON.stringify(body).length > 512 * 1024) return json(413, { detail: "The request is too large", errors: {} });
    const results = body.mutations.map((m) => {
      const kept = this.results.get(m.id);
      if (kept) return kept;
      const r = this.apply(m);
      this.results.set(m.id, r);
      return r;
    });
    return json(200, { results });
  }

  apply(m: Mutation): MutationResult {
    const base = { id: m.id, record: null, conflict_id: null, reason: null, errors: {} };
    const refused = this.refuse?.(m);
    if (refused) return { ...base, status: "rejected", reason: refused, errors: { subject: refused } };
    this.applied.push(m);
    if (m.type === "form_submission") {
      // As sync/push.py: the response is named, not sent (it is not a record the device holds).
      return { ...base, status: "applied", record: { type: "form_response", id: String(this.nextId++) } as unknown as SyncRecord };
    }
    if (m.action === "create") {
      const rec: SyncRecord = { type: m.type, id: String(this.nextId++), version: 1, person_id: (m.fields["person_id"] as number) ?? null, data: m.fields };
      this.upsert(rec);
      return { ...base, status: "applied", record: rec };
    }
    const cur = this.records.get(this.key(m.type, m.record_id!))!;
    const data = { ...cur.data };
    const clash = Object.keys(m.fields).filter((f) => JSON.stringify(cur.data[f]) !== JSON.stringify(m.base[f]));
    for (const f of Object.keys(m.fields)) if (!clash.includes(f)) data[f] = m.fields[f];
    const rec = { ...cur, version: cur.version + 1, data };
    this.upsert(rec);
    if (clash.length) return { ...base, status: "conflict", record: rec, conflict_id: `c-${m.id.slice(-4)}`, reason: `${clash.join(", ")} changed on the server` };
    return { ...base, status: cur.version === m.base_version ? "applied" : "merged", record: rec };
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
