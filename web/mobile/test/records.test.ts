import assert from "node:assert/strict";
import { test } from "node:test";
import { definitionOf, describe, relatedPeople } from "../src/records";
import type { SyncRecord } from "../src/types";

// Records exactly as the server's pull sends them (docs/sync-protocol.md, "Settled, per type"; sync/records.py).
const rec = (type: string, id: string, data: Record<string, unknown>): SyncRecord => ({ type, id, version: 1, person_id: 7, data });

test("a chronology entry made by a case note reads the note's whole text; others their summary", () => {
  const note = rec("case_note", "12", { occurred_at: "2026-12-05T14:30:00+00:00", when: "5 December 2026 at 14:30", kind: "Phone call", subject: "School", body: "The whole note, long." });
  const made = rec("chronology_entry", "30", { occurred_at: "2026-12-05T14:30:00+00:00", kind: "Phone call", title: "School", summary: "The whole…", recorded_by: "Alice Tester", significant: "No", source: { type: "case_note", id: "12" } });
  assert.deepEqual(describe(made, new Map([["case_note:12", note]])), { title: "School", at: "2026-12-05T14:30:00+00:00", text: "The whole note, long." });
  const plain = rec("chronology_entry", "31", { occurred_at: "2026-12-01T09:00:00+00:00", kind: "Warning", title: "Warning added", summary: "Dog at address" });
  assert.equal(describe(plain).text, "Dog at address");
  const cut = rec("chronology_entry", "32", { occurred_at: "2026-12-01T09:00:00+00:00", title: "Long", summary: "Short…", text: "Short and then the rest" });
  assert.equal(describe(cut).text, "Short and then the rest");
});

test("visits, tasks, plans and relationships read in the server's words", () => {
  assert.deepEqual(describe(rec("visit", "3", { occurred_at: "2026-12-05T10:00:00+00:00", kind: "Home visit", child_seen: "No", seen_alone: "No", not_seen_reason: "Out with a friend", notes: "" })), { title: "Home visit", at: "2026-12-05T10:00:00+00:00", text: "Out with a friend" });
  const task = describe(rec("task", "9", { what: "Statutory visit", due_on: "2026-12-10", due: "10 December 2026", overdue: "No", note: "" }));
  assert.equal(task.title, "Statutory visit");
  assert.equal(task.at, "2026-12-10");
  assert.equal(task.text, "Due 10 December 2026");
  assert.equal(describe(rec("plan", "cp:4", { plan: "Child protection plan", since: "1 October 2026", category: "Neglect" })).title, "Child protection plan");
  const rel = describe(rec("relationship", "5", { other_id: 8, other_name: "Sarah Hughes", relationship: "Parent", parental_responsibility: "Yes", lives_with: "Yes", since: "" }));
  assert.equal(rel.title, "Sarah Hughes: Parent");
  assert.match(rel.text, /Parental responsibility: Yes/);
});

test("a form's other people come from the relationships' other_id and other_name", () => {
  const rels = [rec("relationship", "5", { other_id: 8, other_name: "Sarah Hughes", relationship: "Parent" }), rec("relationship", "6", { other_id: null, other_name: "" })];
  assert.deepEqual(relatedPeople(rels), [{ value: "8", label: "Sarah Hughes" }]);
});

test("a form definition comes in the record's body, as the server loads it", () => {
  const body = { format: 1, name: "statutory-visit", version: 1, title: "Statutory visit", subject: "child", record: "visit", pages: [{ id: "about", title: "About the visit", questions: [] }] };
  const def = definitionOf({ type: "form_definition", id: "3", version: 0, person_id: null, data: { name: "statutory-visit", version: 1, title: "Statutory visit", body } });
  assert.equal(def?.name, "statutory-visit");
  assert.equal(def?.version, 1);
  assert.equal(def?.pages.length, 1);
  assert.equal(definitionOf({ type: "form_definition", id: "4", version: 0, person_id: null, data: { name: "x", version: 1, title: "X", body: {} } }), null);
});
