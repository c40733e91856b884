// The shared conformance suite (forms/conformance/*.json) run against what the app uses: the conditions module it
// bundles and its validator.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { evaluate } from "../../../forms/static/forms/conditions.js";
import type { FormDefinition } from "../src/formdef";
import { validate } from "../src/validate";

const root = process.env["CASEWORK_ROOT"] ?? ".";
const load = (name: string) => JSON.parse(readFileSync(`${root}/forms/conformance/${name}`, "utf8"));

interface ConditionCase { name: string; condition: unknown; answers: Record<string, unknown>; expected?: unknown; error?: string }
interface ValidationCase { name: string; definition: string; answers: unknown; visible: string[]; errors: Record<string, string>; answers_kept?: unknown }

test("conditions.json: every case, in the evaluator the app bundles", () => {
  const { cases } = load("conditions.json") as { cases: ConditionCase[] };
  assert.ok(cases.length > 50);
  for (const c of cases) {
    const lookup = (id: string) => (Object.hasOwn(c.answers, id) ? c.answers[id] : null);
    if (c.error !== undefined) {
      assert.throws(() => evaluate(c.condition, lookup), (e: Error) => e.message.includes(c.error!), c.name);
    } else {
      assert.equal(JSON.stringify(evaluate(c.condition, lookup)), JSON.stringify(c.expected), c.name);
    }
  }
});

test("validation.json: what shows, the errors and the answers kept, in the app's validator", () => {
  const { definitions, cases, today } = load("validation.json") as {
    definitions: Record<string, FormDefinition>;
    cases: ValidationCase[];
    today: string;
  };
  for (const c of cases) {
    const r = validate(definitions[c.definition]!, c.answers, { today, now: Date.parse(`${today}T23:59:59Z`), codes: () => new Set() });
    assert.deepEqual(r.visible, c.visible, `${c.name}: visible`);
    assert.deepEqual(r.errors, c.errors, `${c.name}: errors`);
    if (c.answers_kept !== undefined) assert.deepEqual(r.answers, c.answers_kept, `${c.name}: answers kept`);
  }
});
