// node forms/conformance/run_visibility.mjs: the "visible" part of validation.json, in the browser's code.
import { readFileSync } from "node:fs";
import { visibleQuestions } from "../static/forms/visibility.js";

const { definitions, cases } = JSON.parse(readFileSync(new URL("./validation.json", import.meta.url), "utf8"));
let failed = 0;
for (const c of cases) {
  const got = visibleQuestions(definitions[c.definition], c.answers);
  if (JSON.stringify(got) !== JSON.stringify(c.visible)) {
    failed += 1;
    console.log(`FAIL ${c.name}:\n  expected ${JSON.stringify(c.visible)}\n  got      ${JSON.stringify(got)}`);
  }
}
console.log(`${cases.length - failed} of ${cases.length} visibility cases pass in node ${process.version}`);
process.exit(failed ? 1 : 0);
