// Which questions of a form show for the answers given (docs/forms-format.md): the same walk as
// forms/validation.py, held to forms/conformance/validation.json ("visible"). Pages in order; a page or question whose
// show_if is false is hidden, and reads as null to the conditions after it; inside a repeating group, a condition
// reads the item's own questions first, then the form's.
import { holds, unanswered } from "./conditions.js";

const isItem = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export function visibleQuestions(definition, answers) {
  const visible = [];
  const seen = new Map();
  const formLookup = (id) => (seen.has(id) ? seen.get(id) : null);
  const groupOf = new Map();
  for (const page of definition.pages) {
    for (const q of page.questions) {
      if (q.type === "group") for (const sub of q.questions) groupOf.set(sub.id, q.id);
    }
  }
  const walkItem = (group, item, prefix, own) => {
    const lookup = (id) => (groupOf.get(id) === group.id ? (own.has(id) ? own.get(id) : null) : formLookup(id));
    for (const q of group.questions) {
      if ("show_if" in q && !holds(q.show_if, lookup)) continue;
      visible.push(`${prefix}.${q.id}`);
      const value = item[q.id];
      if (!unanswered(value)) own.set(q.id, value);
    }
  };
  for (const page of definition.pages) {
    if ("show_if" in page && !holds(page.show_if, formLookup)) continue;
    for (const q of page.questions) {
      if ("show_if" in q && !holds(q.show_if, formLookup)) continue;
      visible.push(q.id);
      const value = answers[q.id];
      if (!unanswered(value)) seen.set(q.id, value);
      if (q.type !== "group") continue;
      if (!q.repeats) {
        if (unanswered(value) || isItem(value)) walkItem(q, isItem(value) ? value : {}, q.id, seen);
      } else if (Array.isArray(value) && value.every(isItem) && value.length <= (q.max ?? 100)) {
        value.forEach((item, i) => walkItem(q, item, `${q.id}.${i}`, new Map()));
      }
    }
  }
  return visible;
}
