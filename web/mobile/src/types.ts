// The records and mutations of the sync protocol (docs/sync-protocol.md, the contract with the server's `sync` app).

export type PersonId = number | string;

export interface SyncRecord {
  type: string;
  id: string;
  version: number;
  person_id: PersonId | null;
  data: Record<string, unknown>;
}

/** Where a record or mutation stands on this device. */
export type SyncState = "to_push" | "pushing" | "failed" | "conflict";

export interface LocalRecord extends SyncRecord {
  /** Set while this device has changes to the record the server has not taken yet. */
  sync?: { state: SyncState; reason?: string | null; mutation_id: string };
  /** A record made on this device (a note, a visit, a form) that the server has not answered for yet. */
  local?: boolean;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Mutation {
  id: string;
  type: string;
  action: "create" | "update";
  record_id: string | null;
  base_version: number | null;
  fields: Record<string, unknown>;
  base: Record<string, unknown>;
  made_at: string;
}

export type ResultStatus = "applied" | "merged" | "conflict" | "rejected";

export interface MutationResult {
  id: string;
  status: ResultStatus;
  record: SyncRecord | null;
  conflict_id: string | number | null;
  reason: string | null;
  errors: Record<string, string>;
}

export interface OutboxEntry {
  mutation: Mutation;
  state: SyncState;
  reason: string | null;
  errors: Record<string, string>;
  conflict_id: string | number | null;
  attempts: number;
  /** What the worker sees in "waiting to sync": "Case note for Amy Smith". */
  summary: string;
}

export interface Eviction {
  type?: string;
  id?: string;
  person_id?: PersonId;
}

export interface PullPage {
  cursor: string;
  has_more: boolean;
  upserts: SyncRecord[];
  evictions: Eviction[];
  scope_checksum: string;
  server_time: string;
  reset?: boolean;
}

export interface DeviceInfo {
  device_id: string;
  name: string;
  registered_at: string;
  reauth_days: number;
  idle_lock_minutes: number;
}

export interface SyncMeta {
  cursor: string | null;
  checksum: string | null;
  last_sync_at: string | null;
  last_online_at: string | null;
  /** Set when the server said the worker must sign in online again before the app opens. */
  reauth_needed: boolean;
  /** Set when a record on this device did not decrypt: the next sync downloads the records again. */
  damaged: boolean;
}
