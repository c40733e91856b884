// Questions that show and hide as the worker answers (docs/forms.md, "Conditions on the page"). The server renders
// every question of the page, those hidden by a condition with the `hidden` attribute (so without JavaScript the page
// is as the server decided); this reads the page's answers as the server would (forms/filling.py read_question), adds
// the answers from other pages that the conditions read (the JSON the page carries, forms/filling.py
// live_conditions), walks the form with visibility.js (held to the same conformance cases as forms/validation.py)
// and shows or hides each question. A hidden question's inputs are disabled, so its answer is neither posted nor
// saved; the server decides again on what was posted (forms/validation.py visible) and drops hidden answers at submit.
import { visibleQuestions } from "./visibility.js";

const form = document.querySelector("form[data-live-conditions]");
const data = document.getElementById("form-conditions");

const ADDRESS_PARTS = ["line_1", "line_2", "town", "postcode"];
const ABSENT = undefined;

function pad(s) {
  return /^\d$/.test(s) ? `0${s}` : s;
}

function readDate(fields, name) {
  const part = (p) => (fields.get(`${name}-${p}`) || [""])[0].trim();
  const [day, month, year] = [part("day"), part("month"), part("year")];
  if (!day && !month && !year) return ABSENT;
  return `${year}-${pad(month)}-${pad(day)}`;
}

function readTime(text) {
  const t = text.trim().toLowerCase().replace(".", ":");
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/.exec(t);
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] || "0");
  if (m[3]) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (m[3] === "pm" ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return null;
  return [hour, minute];
}

function offset(date) {
  // The browser's offset from UTC on that day, as "+01:00" (the server makes times aware in the council's zone).
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(String(Math.floor(abs / 60)))}:${pad(String(abs % 60))}`;
}

function readQuestion(q, fields, name) {
  const one = () => (fields.get(name) || [""])[0];
  switch (q.type) {
    case "text":
    case "long_text": {
      const text = one();
      return text.trim() ? text : ABSENT;
    }
    case "number": {
      const text = one().trim().replace(/,/g, "");
      if (!text) return ABSENT;
      if (/^[+-]?\d+$/.test(text)) return Number(text);
      const n = Number(text);
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) && Number.isFinite(n) ? n : one().trim();
    }
    case "date":
      return readDate(fields, name);
    case "datetime": {
      const day = readDate(fields, name);
      const at = (fields.get(`${name}-time`) || [""])[0].trim();
      if (day === ABSENT && !at) return ABSENT;
      const d = day === ABSENT ? "" : day;
      const time = readTime(at);
      const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
      if (!time || !parts) return `${d}T${at}`;
      const local = new Date(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]), time[0], time[1]);
      return `${d}T${pad(String(time[0]))}:${pad(String(time[1]))}:00${offset(local)}`;
    }
    case "yes_no":
      return { yes: true, no: false }[one()];
    case "multiple_choice": {
      const values = (fields.get(name) || []).filter(Boolean);
      return values.length ? values : ABSENT;
    }
    case "code_list": {
      if (q.multiple) {
        const values = (fields.get(name) || []).filter(Boolean);
        return values.length ? values : ABSENT;
      }
      return one() || ABSENT;
    }
    case "single_choice":
      return one() || ABSENT;
    case "person": {
      let chosen = one();
      if (chosen === "other") chosen = (fields.get(`${name}-record`) || [""])[0].trim();
      if (!chosen) return ABSENT;
      return /^\d{1,11}$/.test(chosen) ? Number(chosen) : chosen;
    }
    case "address": {
      const out = {};
      for (const p of ADDRESS_PARTS) {
        const v = (fields.get(`${name}-${p}`) || [""])[0];
        if (v.trim()) out[p] = v;
      }
      return Object.keys(out).length ? out : ABSENT;
    }
    default:
      return ABSENT;
  }
}

function put(target, key, value) {
  if (value === ABSENT) delete target[key];
  else target[key] = value;
}

if (form && data) {
  const conditions = JSON.parse(data.textContent);
  const definition = { pages: conditions.pages };
  const reading = new Set(conditions.read);
  const questions = conditions.pages.flatMap((p) => p.questions).filter((q) => reading.has(q.id));
  const blocks = Array.from(form.querySelectorAll("[data-show-key]"));

  // Tell the server the worker saw the questions as they appeared (forms/views_fill.py LIVE).
  const flag = document.createElement("input");
  flag.type = "hidden";
  flag.name = "live-conditions";
  flag.value = "1";
  form.appendChild(flag);

  const pageAnswers = () => {
    // Every input, hidden ones too: a condition reads what is there, and the walk decides what shows.
    const fields = new Map();
    for (const el of form.elements) {
      if (!el.name || el.tagName === "BUTTON" || el.type === "submit") continue;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
      fields.set(el.name, [...(fields.get(el.name) || []), el.value]);
    }
    const answers = {};
    for (const q of questions) {
      if (q.type === "group" && q.repeats) {
        const block = form.querySelector(`[data-show-key="${q.id}"]`);
        const count = block ? Number(block.dataset.items || "0") : 0;
        const items = [];
        for (let i = 0; i < count; i += 1) {
          const item = {};
          for (const s of q.questions) put(item, s.id, readQuestion(s, fields, `${q.id}-${i}-${s.id}`));
          items.push(item);
        }
        put(answers, q.id, items.length ? items : ABSENT);
      } else if (q.type === "group") {
        const item = {};
        for (const s of q.questions) put(item, s.id, readQuestion(s, fields, `${q.id}-${s.id}`));
        put(answers, q.id, Object.keys(item).length ? item : ABSENT);
      } else {
        put(answers, q.id, readQuestion(q, fields, q.id));
      }
    }
    return answers;
  };

  const update = () => {
    const shown = new Set(visibleQuestions(definition, { ...conditions.answers, ...pageAnswers() }));
    for (const block of blocks) block.hidden = !shown.has(block.dataset.showKey);
    for (const el of form.elements) {
      if (!el.name || el === flag || el.tagName === "BUTTON") continue;
      el.disabled = el.closest("[data-show-key][hidden]") !== null;
    }
  };

  update();
  form.addEventListener("input", update);
  form.addEventListener("change", update);
}
