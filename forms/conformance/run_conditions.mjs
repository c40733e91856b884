// node forms/conformance/run_conditions.mjs: the conformance cases for conditions, in the browser's evaluator.
// Prints one line per failing case and a summary; exits 1 when any case fails. Run by forms/tests/test_conformance.py.
import { readFileSync } from "node:fs";
import { evaluate } from "../static/forms/conditions.js";

const file = new URL("./conditions.json", import.meta.url);
const { cases } = JSON.parse(readFileSync(file, "utf8"));
let failed = 0;
for (const c of cases) {
  const lookup = (id) => (Object.hasOwn(c.answers, id) ? c.answers[id] : null);
  let got;
  let error = null;
  try {
    got = evaluate(c.condition, lookup);
  } catch (e) {
    error = e;
  }
  if ("error" in c) {
    if (!error || !String(error.message).includes(c.error)) {
      failed += 1;
      console.log(`FAIL ${c.name}: expected an error with "${c.error}", got ${error ? error.message : JSON.stringify(got)}`);
    }
  } else if (error) {
    failed += 1;
    console.log(`FAIL ${c.name}: expected ${JSON.stringify(c.expected)}, got the error ${error.message}`);
  } else if (JSON.stringify(got) !== JSON.stringify(c.expected)) {
    failed += 1;
    console.log(`FAIL ${c.name}: expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(got)}`);
  }
}
console.log(`${cases.length - failed} of ${cases.length} condition cases pass in node ${process.version}`);
process.exit(failed ? 1 : 0);
