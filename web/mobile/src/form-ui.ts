// Rendering a form definition's page in GOV.UK markup, and reading the answers back from it
// (docs/forms-format.md). Which questions show is decided by the validator's walk (validate.ts), the same as the
// server's: a question whose condition is false is hidden, and shown in place when an answer makes it true.

import type { Answers, FormDefinition, Option, Page, Question } from "./formdef";
import { choices, field, fieldset, h, input, textarea } from "./ui";
import { localToday } from "./validate";

export const fieldId = (key: string): string => `q-${key.replace(/\./g, "-")}`;

export interface PageContext {
  form: FormDefinition;
  visible: Set<string>;
  errors: Record<string, string>;
  people: Option[];
  onAdd: (groupId: string) => void;
  onRemove: (groupId: string, index: number) => void;
}

const YES_NO: Option[] = [
  { value: "yes", label: "Yes" },
  { value: "no", label: "No" },
];

function optionsOf(q: Question, ctx: PageContext): Option[] | null {
  if (q.options) return q.options;
  if (q.type === "code_list") return ctx.form.code_lists?.[q.code_list ?? ""] ?? null;
  if (q.type === "person") return ctx.people.length ? ctx.people : null;
  return null;
}

function dateParts(id: string, value: unknown, error: string | undefined, time: boolean): HTMLElement {
  const s = typeof value === "string" ? value : "";
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(s);
  const part = (name: string, label: string, v: string, width: number) =>
    h(
      "div",
      { class: "govuk-date-input__item" },
      h(
        "div",
        { class: "govuk-form-group" },
        h("label", { class: "govuk-label govuk-date-input__label", for: `${id}-${name}`, text: label }),
        h("input", {
          class: `govuk-input govuk-date-input__input govuk-input--width-${width}${error ? " govuk-input--error" : ""}`,
          id: `${id}-${name}`,
          name: `${id}-${name}`,
          type: "text",
          inputmode: "numeric",
          value: v,
        }),
      ),
    );
  return h(
    "div",
    { class: "govuk-date-input", id },
    part("day", "Day", m ? String(Number(m[3])) : "", 2),
    part("month", "Month", m ? String(Number(m[2])) : "", 2),
    part("year", "Year", m ? m[1]! : "", 4),
    time ? part("hour", "Hour", m?.[4] ?? "", 2) : null,
    time ? part("minute", "Minute", m?.[5] ?? "", 2) : null,
  );
}

function control(q: Question, key: string, value: unknown, ctx: PageContext): HTMLElement {
  const id = fieldId(key);
  const error = ctx.errors[key];
  const hint = q.hint;
  const opts = optionsOf(q, ctx);
  switch (q.type) {
    case "long_text":
      return field(id, q.label, textarea(id, typeof value === "string" ? value : "", 6), { hint, error, labelClass: "govuk-label--s" });
    case "number":
      return field(id, q.label, input(id, value === undefined || value === null ? "" : String(value), { inputmode: "decimal", class: "govuk-input govuk-input--width-10" }), { hint, error, labelClass: "govuk-label--s" });
    case "date":
    case "datetime":
      return fieldset(id, q.label, dateParts(id, value, error, q.type === "datetime"), { hint, error });
    case "yes_no":
      return fieldset(id, q.label, choices(id, id, "radio", YES_NO, (v) => (v === "yes" ? value === true : value === false), true), { hint, error });
    case "single_choice":
    case "multiple_choice":
    case "code_list":
    case "person": {
      const many = q.type === "multiple_choice" || (q.type === "code_list" && q.multiple);
      if (opts) {
        const chosen = (v: string) => (Array.isArray(value) ? value.map(String).includes(v) : String(value ?? "") === v);
        return fieldset(id, q.label, choices(id, id, many ? "checkbox" : "radio", opts, chosen), { hint, error });
      }
      const shown = Array.isArray(value) ? value.join(", ") : value === undefined || value === null ? "" : String(value);
      return field(id, q.label, input(id, shown), { hint: hint ?? (many ? "Codes, separated by commas" : undefined), error, labelClass: "govuk-label--s" });
    }
    case "address": {
      const a = (value ?? {}) as Record<string, string>;
      const parts: Array<[string, string]> = [["line_1", "Address line 1"], ["line_2", "Address line 2 (optional)"], ["town", "Town or city"], ["postcode", "Postcode"]];
      return fieldset(
        id,
        q.label,
        h("div", {}, parts.map(([k, label]) => field(`${id}-${k}`, label, input(`${id}-${k}`, a[k] ?? "")))),
        { hint, error },
      );
    }
    default:
      return field(id, q.label, input(id, typeof value === "string" ? value : ""), { hint, error, labelClass: "govuk-label--s" });
  }
}

/** Mark a rendered question with its key and show or hide it. */
function keyed(el: HTMLElement, key: string, ctx: PageContext): HTMLElement {
  el.dataset["key"] = key;
  el.hidden = !ctx.visible.has(key);
  return el;
}

/** Show or hide the page's questions for the answers as they stand, in place (nothing typed is lost). */
export function applyVisibility(root: ParentNode, visible: Set<string>): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>("[data-key]"))) el.hidden = !visible.has(el.dataset["key"]!);
}

/** Every question of the page, those whose conditions are false hidden (applyVisibility shows them as answers
 * change). */
export function renderPage(page: Page, answers: Answers, ctx: PageContext): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const q of page.questions) {
    if (q.type !== "group") {
      out.push(keyed(control(q, q.id, answers[q.id], ctx), q.id, ctx));
      continue;
    }
    const id = fieldId(q.id);
    if (!q.repeats) {
      const item = (answers[q.id] ?? {}) as Answers;
      const subs = (q.questions ?? []).map((s) => keyed(control(s, `${q.id}.${s.id}`, item[s.id], ctx), `${q.id}.${s.id}`, ctx));
      out.push(keyed(fieldset(id, q.label, h("div", {}, subs), { hint: q.hint, error: ctx.errors[q.id] }), q.id, ctx));
      continue;
    }
    const items = (Array.isArray(answers[q.id]) ? answers[q.id] : []) as Answers[];
    const label = q.item_label ?? "Item";
    const blocks = items.map((item, i) =>
      h(
        "div",
        { class: "govuk-inset-text" },
        h("h3", { class: "govuk-heading-s", text: `${label} ${i + 1}` }),
        (q.questions ?? []).map((s) => keyed(control(s, `${q.id}.${i}.${s.id}`, item[s.id], ctx), `${q.id}.${i}.${s.id}`, ctx)),
        h("button", { class: "govuk-button govuk-button--secondary", type: "button", onclick: () => ctx.onRemove(q.id, i) }, `Remove ${label.toLowerCase()} ${i + 1}`),
      ),
    );
    out.push(
      keyed(
        fieldset(
          id,
          q.label,
          h(
            "div",
            {},
            blocks,
            items.length < (q.max ?? 100)
              ? h("button", { class: "govuk-button govuk-button--secondary", type: "button", onclick: () => ctx.onAdd(q.id) }, items.length ? `Add another ${label.toLowerCase()}` : `Add ${label.toLowerCase()}`)
              : null,
          ),
          { hint: q.hint, error: ctx.errors[q.id] },
        ),
        q.id,
        ctx,
      ),
    );
  }
  return out;
}

const val = (root: ParentNode, id: string): string => (root.querySelector<HTMLInputElement>(`#${CSS.escape(id)}`)?.value ?? "");
const checked = (root: ParentNode, name: string): string[] =>
  Array.from(root.querySelectorAll<HTMLInputElement>(`input[name="${CSS.escape(name)}"]`)).filter((i) => i.checked).map((i) => i.value);
const present = (root: ParentNode, id: string): boolean => root.querySelector(`#${CSS.escape(id)}`) !== null;

function offset(): string {
  const m = -new Date().getTimezoneOffset();
  const sign = m >= 0 ? "+" : "-";
  const a = Math.abs(m);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

function readDate(root: ParentNode, id: string, time: boolean): unknown {
  const [d, m, y] = ["day", "month", "year"].map((k) => val(root, `${id}-${k}`).trim());
  const [hh, mm] = time ? ["hour", "minute"].map((k) => val(root, `${id}-${k}`).trim()) : ["", ""];
  if (![d, m, y, hh, mm].some(Boolean)) return undefined;
  const two = (s: string | undefined) => (s && /^\d{1,2}$/.test(s) ? s.padStart(2, "0") : "xx");
  const date = `${/^\d{4}$/.test(y ?? "") ? y : "xxxx"}-${two(m)}-${two(d)}`;
  return time ? `${date}T${two(hh)}:${two(mm)}:00${offset()}` : date;
}

function readOne(q: Question, key: string, root: ParentNode, ctx: PageContext): unknown {
  const id = fieldId(key);
  if (!present(root, id) && !["date", "datetime"].includes(q.type)) return undefined;
  switch (q.type) {
    case "date":
    case "datetime":
      return readDate(root, id, q.type === "datetime");
    case "number": {
      const s = val(root, id).trim();
      if (!s) return undefined;
      return /^-?\d+(\.\d+)?$/.test(s.replace(/,/g, "")) ? Number(s.replace(/,/g, "")) : s;
    }
    case "yes_no": {
      const [v] = checked(root, id);
      return v === undefined ? undefined : v === "yes";
    }
    case "single_choice":
    case "multiple_choice":
    case "code_list":
    case "person": {
      const many = q.type === "multiple_choice" || (q.type === "code_list" && q.multiple);
      const el = root.querySelector<HTMLInputElement>(`#${CSS.escape(id)}`);
      let values: string[];
      if (el && el.type === "text") values = el.value.split(many ? "," : "\u0000").map((s) => s.trim()).filter(Boolean);
      else values = checked(root, id);
      const cast = (v: string) => (q.type === "person" && /^\d+$/.test(v) ? Number(v) : v);
      if (many) return values.length ? values.map(cast) : undefined;
      return values[0] === undefined ? undefined : cast(values[0]);
    }
    case "address": {
      const a: Record<string, string> = {};
      for (const k of ["line_1", "line_2", "town", "postcode"]) {
        const v = val(root, `${id}-${k}`);
        if (v.trim()) a[k] = v;
      }
      return Object.keys(a).length ? a : undefined;
    }
    default: {
      const v = val(root, id);
      void ctx;
      return v === "" ? undefined : v;
    }
  }
}

/** The answers with this page's values as the worker left them (questions not on the page are untouched). Hidden
 * questions are read too: the conditions then ignore them, and their answers are dropped at submit. */
export function readPage(page: Page, root: ParentNode, answers: Answers, ctx: PageContext): Answers {
  const next: Answers = { ...answers };
  const set = (target: Answers, k: string, v: unknown) => {
    if (v === undefined) delete target[k];
    else target[k] = v;
  };
  for (const q of page.questions) {
    if (q.type !== "group") {
      set(next, q.id, readOne(q, q.id, root, ctx));
      continue;
    }
    if (!q.repeats) {
      const item: Answers = { ...((answers[q.id] ?? {}) as Answers) };
      for (const s of q.questions ?? []) set(item, s.id, readOne(s, `${q.id}.${s.id}`, root, ctx));
      set(next, q.id, Object.keys(item).length ? item : undefined);
      continue;
    }
    const items = ((Array.isArray(answers[q.id]) ? answers[q.id] : []) as Answers[]).map((item, i) => {
      const copy: Answers = { ...item };
      for (const s of q.questions ?? []) set(copy, s.id, readOne(s, `${q.id}.${i}.${s.id}`, root, ctx));
      return copy;
    });
    set(next, q.id, items.length ? items : undefined);
  }
  return next;
}

export const todayIso = localToday;
