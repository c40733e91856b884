// Validating a form's answers on the device, the same walk as forms/validation.py (docs/forms-format.md,
// "Validation"), held to forms/conformance/validation.json by test/forms.test.ts. Conditions are evaluated by the
// very module the server's pages use in the browser, forms/static/forms/conditions.js (held to conditions.json).

import { holds, unanswered as answeredNot } from "../../../forms/static/forms/conditions.js";
import type { Answers, FormDefinition, Question } from "./formdef";

const TEXT_LIMITS: Record<string, number> = { text: 500, long_text: 20_000 };
const ADDRESS_PARTS: Record<string, string> = {
  line_1: "Address line 1",
  line_2: "Address line 2",
  town: "Town or city",
  postcode: "Postcode",
};
const ADDRESS_LIMIT = 200;
const GROUP_MAX = 100;
const SELECT_TYPES = ["yes_no", "single_choice", "multiple_choice", "code_list", "person"];
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,6})?)?(Z|([+-])(\d{2}):(\d{2}))$/;

export interface Result {
  answers: Answers;
  errors: Record<string, string>;
  visible: string[];
}

type Lookup = (id: string) => unknown;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const length = (s: string): number => Array.from(s).length; // code points, as Python counts
export const unanswered = (v: unknown): boolean => answeredNot(v) || (isObject(v) && Object.keys(v).length === 0);

export const lowerFirst = (label: string): string =>
  label.length > 1 && label[1] === label[1]!.toUpperCase() && label[1] !== label[1]!.toLowerCase()
    ? label
    : label.slice(0, 1).toLowerCase() + label.slice(1);
const isQuestion = (label: string): boolean => label.trimEnd().endsWith("?");
const named = (label: string): string => (isQuestion(label) ? `The answer to '${label.trim()}'` : label);
const namedLower = (label: string): string => (isQuestion(label) ? `the answer to '${label.trim()}'` : lowerFirst(label));
const IRREGULAR: Record<string, string> = { person: "people", child: "children", man: "men", woman: "women" };
const AFTER_NOUN = new Set(["of", "who", "that", "to", "for", "in", "with", "from", "at", "on", "seen", "given", "taken"]);
/** forms/validation.py plural: the noun a phrase is about made plural ("2 people who took part"). */
export function plural(phrase: string, n: number): string {
  if (n === 1) return phrase;
  const words = phrase.split(" ");
  let at = words.length - 1;
  for (let i = 1; i < words.length; i += 1) {
    const w = words[i]!.toLowerCase();
    if (AFTER_NOUN.has(w) || (w.endsWith("ed") && w.length > 3)) {
      at = i - 1;
      break;
    }
  }
  const noun = words[at]!;
  const low = noun.toLowerCase();
  let many: string;
  if (Object.hasOwn(IRREGULAR, low)) {
    many = IRREGULAR[low]!;
    if (noun.slice(0, 1) !== noun.slice(0, 1).toLowerCase()) many = many.slice(0, 1).toUpperCase() + many.slice(1);
  } else if (/(s|x|z|ch|sh)$/.test(low)) many = `${noun}es`;
  else if (/[^aeiou]y$/.test(low)) many = `${noun.slice(0, -1)}ies`;
  else many = `${noun}s`;
  return [...words.slice(0, at), many, ...words.slice(at + 1)].join(" ");
}
const num = (n: number): string =>
  Number.isInteger(n) ? Math.trunc(n).toLocaleString("en-GB") : n.toLocaleString("en-GB", { maximumFractionDigits: 20 });

/** Python's str.strip(): whitespace at both ends. */
const strip = (s: string): string => s.replace(/^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/gu, "");

function tidy(value: unknown): unknown {
  if (typeof value === "string") return strip(value.replace(/\r\n/g, "\n"));
  if (Array.isArray(value)) return value.map(tidy);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidy(v)]));
  return value;
}

function realDate(s: string): boolean {
  const [y, m, d] = s.split("-").map(Number) as [number, number, number];
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate(); // days in month m (leap year 2000 for February)
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 ? (leap ? 29 : 28) : days);
}

/** The instant of an ISO date-time with an offset (ms), or null when it is not a real one. */
export function instant(s: string): number | null {
  const m = DATETIME.exec(s);
  if (!m || !realDate(m[1]!)) return null;
  const [h, min, sec] = [Number(m[2]), Number(m[3]), Number(m[5] ?? 0)];
  if (h > 23 || min > 59 || sec > 59) return null;
  if (m[8] && (Number(m[9]) > 23 || Number(m[10]) > 59)) return null;
  const t = Date.parse(s.length && m[7] === "Z" ? s : s);
  return Number.isNaN(t) ? null : t;
}

class Invalid extends Error {}

export interface ValidateOptions {
  today?: string; // YYYY-MM-DD, the device's local date
  now?: number; // ms
  codes?: (list: string) => Set<string> | null;
}

export function localToday(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

class Validator {
  result: Result = { answers: {}, errors: {}, visible: [] };
  seen = new Map<string, unknown>();
  valid = new Map<string, unknown>();
  questions = new Map<string, { q: Question; group: string | null }>();
  today: string;
  now: number;

  constructor(
    private form: FormDefinition,
    private o: ValidateOptions,
  ) {
    this.today = o.today ?? localToday();
    this.now = o.now ?? Date.now();
    for (const page of form.pages) {
      for (const q of page.questions) {
        this.questions.set(q.id, { q, group: null });
        for (const sub of q.questions ?? []) this.questions.set(sub.id, { q: sub, group: q.id });
      }
    }
  }

  lookup: Lookup = (id) => (this.seen.has(id) ? this.seen.get(id) : null);

  run(answers: unknown): Result {
    if (!isObject(answers)) {
      this.result.errors["__all__"] = "The answers must be a JSON object keyed by question id";
      return this.result;
    }
    for (const key of Object.keys(answers)) {
      const q = this.questions.get(key);
      if (!q || q.group !== null) this.result.errors[key] = `This form has no question "${key}"`;
    }
    for (const page of this.form.pages) {
      if (page.show_if !== undefined && !holds(page.show_if, this.lookup)) continue;
      for (const q of page.questions) {
        if (q.show_if !== undefined && !holds(q.show_if, this.lookup)) continue;
        this.result.visible.push(q.id);
        const raw = answers[q.id];
        if (!unanswered(raw)) this.seen.set(q.id, raw);
        if (q.type === "group") this.group(q, raw);
        else this.question(q, raw, q.id, this.valid, this.result.answers);
      }
    }
    return this.result;
  }

  group(g: Question, raw: unknown): void {
    const itemLabel = lowerFirst(g.item_label || "item");
    if (!g.repeats) {
      const value = unanswered(raw) ? {} : raw;
      if (!isObject(value)) {
        this.result.errors[g.id] = `${named(g.label)} must be a set of answers (a JSON object)`;
        return;
      }
      const kept = this.item(g, value, g.id, this.lookup, null);
      if (Object.keys(kept).length) this.result.answers[g.id] = kept;
      return;
    }
    const list = unanswered(raw) ? [] : raw;
    if (!Array.isArray(list) || !list.every(isObject)) {
      this.result.errors[g.id] = `${named(g.label)} must be a list of answers (JSON objects)`;
      return;
    }
    const least = g.min ?? (g.required ? 1 : 0);
    const most = g.max ?? GROUP_MAX;
    const messages = g.messages ?? {};
    if (list.length < least) {
      this.result.errors[g.id] =
        messages[list.length ? "minItems" : "required"] || `Add at least ${least} ${plural(itemLabel, least)}`;
    } else if (list.length > most) {
      this.result.errors[g.id] = messages["maxItems"] || `Add no more than ${most} ${plural(itemLabel, most)}`;
      return;
    }
    const items = list.map((item, i) => {
      const seen = new Map<string, unknown>();
      const lookup: Lookup = (id) =>
        this.questions.get(id)?.group === g.id ? (seen.has(id) ? seen.get(id) : null) : this.lookup(id);
      return this.item(g, item, `${g.id}.${i}`, lookup, seen);
    });
    if (items.length) this.result.answers[g.id] = items;
  }

  item(g: Question, raw: Record<string, unknown>, prefix: string, lookup: Lookup, seen: Map<string, unknown> | null) {
    const own = new Set((g.questions ?? []).map((s) => s.id));
    for (const key of Object.keys(raw)) {
      if (!own.has(key)) this.result.errors[`${prefix}.${key}`] = `${named(g.label)} has no question "${key}"`;
    }
    const kept: Answers = {};
    const valid = new Map<string, unknown>();
    for (const q of g.questions ?? []) {
      if (q.show_if !== undefined && !holds(q.show_if, lookup)) continue;
      const key = `${prefix}.${q.id}`;
      this.result.visible.push(key);
      const value = raw[q.id];
      if (!unanswered(value)) (seen ?? this.seen).set(q.id, value);
      this.question(q, value, key, valid, kept);
    }
    return kept;
  }

  question(q: Question, raw: unknown, key: string, valid: Map<string, unknown>, kept: Answers): void {
    const value = tidy(raw);
    if (unanswered(value)) {
      if (q.required) this.result.errors[key] = q.messages?.["required"] || requiredMessage(q);
      return;
    }
    try {
      const checked = this.checkType(q, value);
      this.checkConstraints(q, value);
      this.checkDates(q, checked, valid);
      valid.set(q.id, checked);
      kept[q.id] = value;
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      this.result.errors[key] = e.message;
    }
  }

  fail(q: Question, key: string, fallback: string): Invalid {
    return new Invalid(q.messages?.[key] || fallback);
  }

  checkType(q: Question, value: unknown): unknown {
    const [label, lower] = [named(q.label), namedLower(q.label)];
    const strings = typeof value === "string" ? [value] : Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    if (strings.some((s) => typeof s === "string" && CONTROL.test(s))) {
      throw new Invalid(`${label} must not contain control characters (such as a NUL byte): delete them`);
    }
    switch (q.type) {
      case "text":
      case "long_text": {
        if (typeof value !== "string") throw this.fail(q, "type", `${label} must be text`);
        if (q.type === "text" && value.includes("\n")) throw this.fail(q, "type", `${label} must be one line`);
        const limit = TEXT_LIMITS[q.type]!;
        if (length(value) > limit) throw this.fail(q, "maxLength", `${label} must be ${num(limit)} characters or fewer`);
        return value;
      }
      case "number":
        if (!isNumber(value)) throw this.fail(q, "type", `${label} must be a number`);
        return value;
      case "date":
        if (typeof value !== "string" || !DATE.test(value) || !realDate(value)) {
          throw this.fail(q, "type", `${label} must be a real date`);
        }
        return value;
      case "datetime": {
        const t = typeof value === "string" ? instant(value) : null;
        if (t === null) throw this.fail(q, "type", `${label} must be a real date and time`);
        return t;
      }
      case "yes_no":
        if (typeof value !== "boolean") {
          throw this.fail(q, "type", isQuestion(q.label) ? `${label} must be yes or no` : `${label}: select yes or no`);
        }
        return value;
      case "single_choice":
      case "multiple_choice": {
        const options = (q.options ?? []).map((o) => o.value);
        if (q.type === "multiple_choice" && !Array.isArray(value)) {
          throw this.fail(q, "type", `${label} must be a list of the options`);
        }
        const chosen = q.type === "multiple_choice" ? (value as unknown[]) : [value];
        if (!chosen.every((v) => typeof v === "string" && options.includes(v)) || new Set(chosen).size !== chosen.length) {
          throw this.fail(q, "type", `Select ${lower} from the options`);
        }
        return value;
      }
      case "code_list": {
        const codes = this.o.codes?.(q.code_list ?? "") ?? null;
        const many = Boolean(q.multiple);
        if (many && !Array.isArray(value)) throw this.fail(q, "type", `${label} must be a list of codes`);
        const chosen = many ? (value as unknown[]) : [value];
        // Without the list on the device, any code is sent and the server checks it.
        const known = (v: unknown) => typeof v === "string" && (codes === null || codes.has(v));
        if (!chosen.every(known) || new Set(chosen).size !== chosen.length) {
          throw this.fail(q, "type", `Select ${lower} from the list`);
        }
        return value;
      }
      case "person":
        if (!Number.isInteger(value) || (value as number) < 1) {
          throw this.fail(q, "type", `${label} must be a person from the record`);
        }
        return value;
      case "address": {
        if (!isObject(value) || !Object.keys(value).every((k) => k in ADDRESS_PARTS)) {
          throw this.fail(q, "type", `${label} must be an address (line 1, line 2, town, postcode)`);
        }
        for (const [part, words] of Object.entries(ADDRESS_PARTS)) {
          const text = value[part] ?? "";
          if (typeof text !== "string") throw this.fail(q, "type", `${label}: ${lowerFirst(words)} must be text`);
          if (length(text) > ADDRESS_LIMIT) {
            throw this.fail(q, "maxLength", `${label}: ${lowerFirst(words)} must be ${ADDRESS_LIMIT} characters or fewer`);
          }
        }
        return value;
      }
      default:
        throw new Invalid(`${label} cannot be answered`);
    }
  }

  /** The JSON Schema keywords the format allows, each applying to its own kind of value, first failure wins. */
  checkConstraints(q: Question, value: unknown): void {
    const [label, lower] = [named(q.label), namedLower(q.label)];
    for (const [keyword, raw] of Object.entries(q.constraints ?? {})) {
      const n = raw as number;
      let bad = false;
      let words = "";
      if (typeof value === "string") {
        if (keyword === "maxLength") [bad, words] = [length(value) > n, `${label} must be ${num(n)} characters or fewer`];
        if (keyword === "minLength") [bad, words] = [length(value) < n, `${label} must be ${num(n)} characters or more`];
        if (keyword === "pattern") [bad, words] = [!new RegExp(String(raw), "u").test(value), `${label} is not in the right format`];
      } else if (isNumber(value)) {
        if (keyword === "minimum") [bad, words] = [value < n, `${label} must be ${num(n)} or more`];
        if (keyword === "maximum") [bad, words] = [value > n, `${label} must be ${num(n)} or less`];
      } else if (Array.isArray(value)) {
        if (keyword === "minItems") [bad, words] = [value.length < n, `Select at least ${num(n)} for ${lower}`];
        if (keyword === "maxItems") [bad, words] = [value.length > n, `Select no more than ${num(n)} for ${lower}`];
      }
      if (bad) throw this.fail(q, keyword, words);
    }
  }

  checkDates(q: Question, checked: unknown, valid: Map<string, unknown>): void {
    if (q.type !== "date" && q.type !== "datetime") return;
    if (q.not_in_future) {
      const future = q.type === "date" ? (checked as string) > this.today : (checked as number) > this.now;
      if (future) throw this.fail(q, "not_in_future", `${named(q.label)} must be today or in the past`);
    }
    const otherId = q.on_or_after;
    if (otherId) {
      const other = valid.has(otherId) ? valid.get(otherId) : this.valid.get(otherId);
      if (other !== undefined && other !== null && (checked as string | number) < (other as string | number)) {
        const otherLabel = namedLower(this.questions.get(otherId)!.q.label);
        throw this.fail(q, "on_or_after", `${named(q.label)} must be the same as or after ${otherLabel}`);
      }
    }
  }
}

function requiredMessage(q: Question): string {
  const verb = SELECT_TYPES.includes(q.type) ? "Select" : "Enter";
  if (isQuestion(q.label)) return q.type === "yes_no" ? "Select yes or no" : `${verb} an answer`;
  return `${verb} ${lowerFirst(q.label)}`;
}

/** Check the answers: those to keep (visible, tidied), the errors ("id" or "group.index.id") and what showed. */
export function validate(form: FormDefinition, answers: unknown, options: ValidateOptions = {}): Result {
  return new Validator(form, options).run(answers);
}

/** The errors of one page only (the page's own questions and their items), for "Continue". */
export function pageErrors(form: FormDefinition, pageId: string, answers: Answers, options: ValidateOptions = {}) {
  const page = form.pages.find((p) => p.id === pageId);
  const ids = new Set((page?.questions ?? []).map((q) => q.id));
  const { errors } = validate(form, answers, options);
  return Object.fromEntries(Object.entries(errors).filter(([k]) => ids.has(k.split(".")[0]!)));
}

/** The pages that show for these answers, in order. */
export function visiblePages(form: FormDefinition, answers: Answers) {
  const shown = new Set(validate(form, answers).visible.map((k) => k.split(".")[0]));
  return form.pages.filter((p) => p.questions.some((q) => shown.has(q.id)));
}
