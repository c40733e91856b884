// forms/static/forms/live.js and reading.js in node's test runner (`make web-test`), without a browser: reading.js is
// pure (a Map of posted fields in, answers out); live.js's `start` runs on a small fake page (elements with a name,
// a value, `checked`, `hidden`, `disabled` and `closest`), which is all it touches. The process's zone is set far
// from London, so that the browser's own zone cannot pass for the server's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { start, LIVE_FLAG } from "../../static/forms/live.js";
import { pageAnswers, readQuestion, readTime, zoneOffset } from "../../static/forms/reading.js";

process.env.TZ = "Asia/Tokyo"; // the browser's own zone, far from the council's

const datetimes = JSON.parse(readFileSync(new URL("../../conformance/datetimes.json", import.meta.url), "utf8"));
const fields = (entries) => new Map(Object.entries(entries).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

test("a date-time is read in the council's zone, as the server reads it (conformance/datetimes.json)", () => {
  assert.notEqual(new Date(2026, 6, 1).getTimezoneOffset(), -60, "the process runs away from London");
  for (const c of datetimes.cases) {
    const posted = fields({ "m-day": c.day, "m-month": c.month, "m-year": c.year, "m-time": c.time });
    const got = readQuestion({ id: "m", type: "datetime" }, posted, "m", datetimes.time_zone);
    assert.equal(got ?? null, c.expected, c.name);
  }
});

test("summer and winter offsets, whatever the browser's zone", () => {
  for (const tz of ["Asia/Tokyo", "America/New_York", "UTC"]) {
    process.env.TZ = tz;
    assert.equal(zoneOffset("Europe/London", 2026, 7, 1, 10, 30), "+01:00", tz);
    assert.equal(zoneOffset("Europe/London", 2026, 1, 10, 9, 0), "+00:00", tz);
  }
  assert.equal(zoneOffset("America/New_York", 2026, 1, 10, 9, 0), "-05:00");
});

test("times as the server reads them", () => {
  assert.deepEqual(readTime("14:30"), [14, 30]);
  assert.deepEqual(readTime("2:30pm"), [14, 30]);
  assert.deepEqual(readTime("12am"), [0, 0]);
  assert.equal(readTime("25:00"), null);
  assert.equal(readTime("13pm"), null);
});

test("a page's answers: every type, a repeating group's entries, empty answers left out", () => {
  const questions = [
    { id: "seen", type: "yes_no" },
    { id: "count", type: "number" },
    { id: "note", type: "text" },
    { id: "who", type: "multiple_choice" },
    { id: "lead", type: "person" },
    { id: "home", type: "address" },
    { id: "on", type: "date" },
    { id: "actions", type: "group", repeats: true, questions: [{ id: "what", type: "text" }] },
  ];
  const posted = fields({
    seen: "no", count: "1,200", note: "   ", who: ["mum", "dad"], lead: "other", "lead-record": "123",
    "home-line_1": "1 High St", "home-town": "", "on-day": "5", "on-month": "3", "on-year": "2026",
    "actions-0-what": "Visit", "actions-1-what": "",
  });
  assert.deepEqual(pageAnswers(questions, posted, () => 2), {
    seen: false, count: 1200, who: ["mum", "dad"], lead: 123, home: { line_1: "1 High St" }, on: "2026-03-05",
    actions: [{ what: "Visit" }, {}],
  });
});

// A fake page: just what live.js touches.
class El {
  constructor(attrs = {}, parent = null) {
    Object.assign(this, { name: "", type: "text", value: "", checked: false, disabled: false, tagName: "INPUT" }, attrs);
    this.parent = parent;
  }
  closest(selector) {
    assert.equal(selector, "[data-show-key][hidden]");
    for (let b = this.parent; b; b = b.parent) if (b.hidden) return b;
    return null;
  }
}

function fakePage() {
  const block = (key) => ({ dataset: { showKey: key }, hidden: false, parent: null });
  const blocks = { seen: block("seen"), why: block("why"), meeting: block("meeting"), late: block("late") };
  const elements = [
    new El({ name: "seen", type: "radio", value: "yes" }, blocks.seen),
    new El({ name: "seen", type: "radio", value: "no" }, blocks.seen),
    new El({ name: "why" }, blocks.why),
    new El({ name: "meeting-day", value: "1" }, blocks.meeting),
    new El({ name: "meeting-month", value: "7" }, blocks.meeting),
    new El({ name: "meeting-year", value: "2026" }, blocks.meeting),
    new El({ name: "meeting-time", value: "10:30" }, blocks.meeting),
    new El({ name: "late" }, blocks.late),
    new El({ name: "action", tagName: "BUTTON", type: "submit" }),
  ];
  const listeners = {};
  const form = {
    elements,
    querySelectorAll: () => Object.values(blocks),
    querySelector: () => null,
    appendChild: (el) => elements.push(el),
    addEventListener: (type, fn) => { listeners[type] = fn; },
  };
  const doc = { createElement: (tag) => new El({ tagName: tag.toUpperCase() }) };
  return { form, doc, blocks, elements, listeners };
}

const conditions = {
  time_zone: "Europe/London",
  read: ["seen", "why", "meeting", "late"],
  answers: {},
  pages: [{
    id: "visit",
    questions: [
      { id: "seen", type: "yes_no" },
      { id: "why", type: "text", show_if: { "==": [{ var: "seen" }, false] } },
      { id: "meeting", type: "datetime" },
      // After 10:00 UK time on 1 July 2026 (a summer time): true on the server for 10:30, so it must be here too.
      { id: "late", type: "text", show_if: { ">": [{ var: "meeting" }, "2026-07-01T10:00:00+01:00"] } },
    ],
  }],
};

test("live.js hides and disables a question until an answer brings it up, and tells the server it did", () => {
  process.env.TZ = "America/Los_Angeles";
  const { form, doc, blocks, elements, listeners } = fakePage();
  start(form, conditions, doc);
  assert.equal(blocks.why.hidden, true);
  assert.equal(elements[2].disabled, true, "a hidden question's input is not posted");
  assert.equal(blocks.seen.hidden, false);
  const flag = elements.at(-1);
  assert.deepEqual([flag.name, flag.type, flag.value], [LIVE_FLAG, "hidden", "1"]);

  elements[1].checked = true; // "No"
  listeners.input();
  assert.equal(blocks.why.hidden, false);
  assert.equal(elements[2].disabled, false);
  elements[1].checked = false;
  elements[0].checked = true; // "Yes"
  listeners.change();
  assert.equal(blocks.why.hidden, true);
});

test("live.js compares a date-time in UK time, as the server does, in summer and in winter", () => {
  process.env.TZ = "Asia/Tokyo";
  const { form, doc, blocks, elements, listeners } = fakePage();
  start(form, conditions, doc);
  assert.equal(blocks.late.hidden, false, "10:30 in July is after 10:00 UK time");
  elements[6].value = "9:45";
  listeners.input();
  assert.equal(blocks.late.hidden, true, "9:45 in July is before 10:00 UK time");
  // In winter the clock is on GMT: 10:30 on 1 December is 10:30+00:00, later than 10:00+01:00 on 1 July anyway;
  // the answer read carries +00:00, as the server's.
  const posted = fields({ "m-day": "1", "m-month": "12", "m-year": "2026", "m-time": "10:30" });
  assert.equal(readQuestion({ type: "datetime" }, posted, "m"), "2026-12-01T10:30:00+00:00");
});
