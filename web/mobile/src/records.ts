// How each record the server sends reads on the device, from the fields docs/sync-protocol.md settles per type (the
// server sends words, not codes). Pure, so the node tests check it against the protocol's shapes.

import type { FormDefinition } from "./formdef";
import type { SyncRecord } from "./types";

export interface Described {
  title: string;
  /** ISO date or date-time to sort and show by ("" when the record has none). */
  at: string;
  text: string;
}

const s = (v: unknown): string => (v === null || v === undefined ? "" : Array.isArray(v) ? v.map(s).filter(Boolean).join(", ") : String(v));

/** `sources`: the case notes and visits on the device by "type:id", so a chronology entry made by one shows its whole
 * text (the entry's own summary may be cut). */
export function describe(r: SyncRecord, sources: Map<string, SyncRecord> = new Map()): Described {
  const d = r.data;
  switch (r.type) {
    case "chronology_entry": {
      const src = d["source"] as { type?: string; id?: string | number } | undefined;
      const whole = src ? sources.get(`${src.type}:${src.id}`) : undefined;
      const text = whole ? s(whole.data["body"] ?? whole.data["notes"]) : s(d["text"] || d["summary"]);
      return { title: s(d["title"]) || s(d["kind"]) || "Chronology entry", at: s(d["occurred_at"]), text };
    }
    case "case_note":
      return { title: s(d["subject"]) || s(d["kind"]) || "Case note", at: s(d["occurred_at"] ?? d["made_at"]), text: s(d["body"]) };
    case "visit":
      return { title: s(d["kind"]) || "Visit", at: s(d["occurred_at"] ?? d["made_at"]), text: s(d["notes"] || d["not_seen_reason"]) };
    case "task":
      return { title: s(d["what"]) || "Task", at: s(d["due_on"]), text: [d["due"] ? `Due ${s(d["due"])}` : "", d["overdue"] === "Yes" ? "Overdue" : "", s(d["note"])].filter(Boolean).join(". ") };
    case "plan":
      return { title: s(d["plan"]) || "Plan", at: "", text: [d["since"] ? `Since ${s(d["since"])}` : "", s(d["category"])].filter(Boolean).join(". ") };
    case "relationship":
      return {
        title: [s(d["other_name"]), s(d["relationship"])].filter(Boolean).join(": ") || "Relationship",
        at: "",
        text: [d["parental_responsibility"] ? `Parental responsibility: ${s(d["parental_responsibility"])}` : "", d["lives_with"] ? `Lives with: ${s(d["lives_with"])}` : "", d["since"] ? `Since ${s(d["since"])}` : ""].filter(Boolean).join(". "),
      };
    default:
      return { title: s(d["title"] ?? d["subject"] ?? d["summary"]) || r.type.replace(/_/g, " "), at: s(d["occurred_at"] ?? d["made_at"]), text: s(d["body"] ?? d["notes"] ?? d["text"]) };
  }
}

/** The people a form may name as "another person": the child's relationships (`other_id`, `other_name`). */
export function relatedPeople(relationships: SyncRecord[]): Array<{ value: string; label: string }> {
  return relationships.map((r) => ({ value: s(r.data["other_id"]), label: s(r.data["other_name"]) })).filter((o) => o.value && o.label);
}

/** A `form_definition` record's definition: the server sends `{name, version, title, body}` with the definition JSON
 * as it loads it in `body` (the draft contract had it as the data itself, which is still read). Null when it has no
 * pages to show. */
export function definitionOf(r: SyncRecord): FormDefinition | null {
  const d = r.data;
  const body = d["body"] && typeof d["body"] === "object" ? (d["body"] as Record<string, unknown>) : d;
  const def = { ...body, name: d["name"] ?? body["name"], version: d["version"] ?? body["version"], title: d["title"] ?? body["title"] } as unknown as FormDefinition;
  return def.name && Array.isArray(def.pages) ? def : null;
}
