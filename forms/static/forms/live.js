// Questions that show and hide as the worker answers (docs/forms.md, "Conditions on the page"). The server renders
// every question of the page, those hidden by a condition with the `hidden` attribute (so without JavaScript the page
// is as the server decided); this reads the page's answers as the server would (reading.js, after forms/filling.py
// read_question), adds the answers from other pages that the conditions read (the JSON the page carries,
// forms/filling.py live_conditions), walks the form with visibility.js (held to the same conformance cases as
// forms/validation.py) and shows or hides each question. A hidden question's inputs are disabled, so its answer is
// neither posted nor saved; the server decides again on what was posted (forms/validation.py visible) and drops
// hidden answers at submit. `start` takes the form, the JSON and the document, so node's tests run it on a small
// fake page (forms/tests/js/live.test.mjs); in the browser it starts on the page's form.
import { pageAnswers } from "./reading.js";
import { visibleQuestions } from "./visibility.js";

export const LIVE_FLAG = "live-conditions"; // forms/views_fill.py LIVE

function postedFields(form) {
  // Every input, hidden ones too: a condition reads what is there, and the walk decides what shows.
  const fields = new Map();
  for (const el of form.elements) {
    if (!el.name || el.tagName === "BUTTON" || el.type === "submit") continue;
    if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
    fields.set(el.name, [...(fields.get(el.name) || []), el.value]);
  }
  return fields;
}

export function start(form, conditions, doc) {
  const definition = { pages: conditions.pages };
  const reading = new Set(conditions.read);
  const questions = conditions.pages.flatMap((p) => p.questions).filter((q) => reading.has(q.id));
  const blocks = Array.from(form.querySelectorAll("[data-show-key]"));
  const timeZone = conditions.time_zone || undefined;

  // Tell the server the worker saw the questions as they appeared (forms/views_fill.py LIVE).
  const flag = doc.createElement("input");
  flag.type = "hidden";
  flag.name = LIVE_FLAG;
  flag.value = "1";
  form.appendChild(flag);

  const itemCount = (groupId) => {
    const block = form.querySelector(`[data-show-key="${groupId}"]`);
    return block ? Number(block.dataset.items || "0") : 0;
  };

  const update = () => {
    const answers = pageAnswers(questions, postedFields(form), itemCount, timeZone);
    const shown = new Set(visibleQuestions(definition, { ...conditions.answers, ...answers }));
    for (const block of blocks) block.hidden = !shown.has(block.dataset.showKey);
    for (const el of form.elements) {
      if (!el.name || el === flag || el.tagName === "BUTTON") continue;
      el.disabled = el.closest("[data-show-key][hidden]") !== null;
    }
  };

  update();
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  return update;
}

if (typeof document !== "undefined") {
  const form = document.querySelector("form[data-live-conditions]");
  const data = document.getElementById("form-conditions");
  if (form && data) start(form, JSON.parse(data.textContent), document);
}
