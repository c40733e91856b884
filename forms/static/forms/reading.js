// Reading a form page's answers as the server reads them (forms/filling.py read_question and read_page), without a
// page: `fields` is a Map of input name to its values, as the browser would post them. Used by live.js; a module of
// its own so that node's tests can run it (forms/tests/js/live.test.mjs) with no DOM.

const ADDRESS_PARTS = ["line_1", "line_2", "town", "postcode"];
const ABSENT = undefined;
const DEFAULT_ZONE = "Europe/London"; // settings.TIME_ZONE; the page says which (forms/filling.py live_conditions)

function pad(s) {
  return /^\d$/.test(s) ? `0${s}` : s;
}

export function readDate(fields, name) {
  const part = (p) => (fields.get(`${name}-${p}`) || [""])[0].trim();
  const [day, month, year] = [part("day"), part("month"), part("year")];
  if (!day && !month && !year) return ABSENT;
  return `${year}-${pad(month)}-${pad(day)}`;
}

export function readTime(text) {
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

const formatters = new Map();

function offsetAt(timeZone, instant) {
  // The zone's offset from UTC at an instant, in minutes (Intl knows the zone's rules, whatever the browser's zone).
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((wall - instant) / 60000);
}

export function zoneOffset(timeZone, year, month, day, hour, minute) {
  // The offset the server gives a time on the clock in its zone (forms/filling.py read_question: Django's make_aware,
  // Python's zoneinfo with fold=0), as "+01:00": in the hour the clocks go back, the first (summer) one; in the hour
  // they go forward, which never happens on a clock, the offset before the change. Not the browser's own zone: a
  // worker's laptop set to another zone gives the answer the server would.
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let minutes;
  try {
    const before = offsetAt(timeZone, wall - 86400000);
    const after = offsetAt(timeZone, wall + 86400000);
    const fits = (o) => offsetAt(timeZone, wall - o * 60000) === o;
    minutes = fits(before) || !fits(after) ? before : after;
  } catch {
    minutes = -new Date(year, month - 1, day, hour, minute).getTimezoneOffset(); // no Intl time zones: the browser's
  }
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(String(Math.floor(abs / 60)))}:${pad(String(abs % 60))}`;
}

export function readQuestion(q, fields, name, timeZone = DEFAULT_ZONE) {
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
      const real = parts && new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])));
      if (!time || !real || real.getUTCDate() !== Number(parts[3]) || real.getUTCMonth() !== Number(parts[2]) - 1) {
        return `${d}T${at}`; // not a real date or time: kept as typed, as the server keeps it
      }
      const zone = zoneOffset(timeZone, Number(parts[1]), Number(parts[2]), Number(parts[3]), time[0], time[1]);
      return `${d}T${pad(String(time[0]))}:${pad(String(time[1]))}:00${zone}`;
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

export function pageAnswers(questions, fields, itemCount, timeZone = DEFAULT_ZONE) {
  // The answers to `questions` (the page's, as live_conditions lists them); `itemCount(groupId)` is how many entries
  // a repeating group shows on the page.
  const answers = {};
  for (const q of questions) {
    if (q.type === "group" && q.repeats) {
      const count = itemCount(q.id);
      const items = [];
      for (let i = 0; i < count; i += 1) {
        const item = {};
        for (const s of q.questions) put(item, s.id, readQuestion(s, fields, `${q.id}-${i}-${s.id}`, timeZone));
        items.push(item);
      }
      put(answers, q.id, items.length ? items : ABSENT);
    } else if (q.type === "group") {
      const item = {};
      for (const s of q.questions) put(item, s.id, readQuestion(s, fields, `${q.id}-${s.id}`, timeZone));
      put(answers, q.id, Object.keys(item).length ? item : ABSENT);
    } else {
      put(answers, q.id, readQuestion(q, fields, q.id, timeZone));
    }
  }
  return answers;
}
