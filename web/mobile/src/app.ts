// The offline app (issue 13): set up, unlock, the caseload, a child's record, recording notes and visits, filling
// in forms, what waits to sync and what failed, conflicts. Plain DOM over GOV.UK Frontend's CSS; hash routes under
// /mobile/ (#/child/7). Everything shown comes from the encrypted store; locking clears the page.

import { applyVisibility, fieldId, readPage, renderPage, type PageContext } from "./form-ui";
import type { Answers, FormDefinition, Option } from "./formdef";
import { IdleLock } from "./idle";
import { definitionOf, describe, relatedPeople } from "./records";
import { LocalStore, MAX_FAILURES, MIN_PASSPHRASE, RECORDS_WARNING } from "./store";
import { SyncClient, SyncSchedule, SyncStopped, type SyncResult } from "./sync";
import type { DeviceInfo, LocalRecord, Mutation, OutboxEntry } from "./types";
import { asText, button, choices, errorSummary, field, fieldset, h, heading, input, link, p, summaryList, tag, textarea, when, words } from "./ui";
import { uuidv7 } from "./uuid";
import { localToday, validate } from "./validate";

const root = document.getElementById("app")!;
const statusBox = document.getElementById("status");
const config = { sw: root.dataset["sw"] ?? "/mobile/sw.js", api: root.dataset["api"] ?? "/api/v1/sync", signIn: root.dataset["signIn"] ?? "/accounts/login/?next=/mobile/" };
document.body.classList.add("js-enabled", "govuk-frontend-supported");

let store: LocalStore;
let client: SyncClient;
let schedule: SyncSchedule | null = null;
let idle: IdleLock | null = null;
let lastSync: { ok: boolean; message: string } | null = null;
let persisted: boolean | null = null;
let activityWatched = false;

// Screens ---------------------------------------------------------------------------------------------------------

function show(title: string, ...nodes: Array<Node | null | false>): void {
  document.title = `${title} – Casework offline`;
  root.replaceChildren(...nodes.filter((n): n is Node => Boolean(n)));
  const first = root.querySelector<HTMLElement>(".govuk-error-summary") ?? root.querySelector<HTMLElement>("h1");
  if (first) {
    first.setAttribute("tabindex", "-1");
    first.focus();
  }
}

const back = (href = "#/") => link("Back", href, "govuk-back-link");

function setStatus(): void {
  if (!statusBox) return;
  statusBox.replaceChildren(
    navigator.onLine ? "" : h("div", { class: "govuk-inset-text govuk-!-margin-bottom-0", text: "You are offline. What you record is kept on this device and sent when you are back online." }),
  );
}

async function boot(): Promise<void> {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(config.sw, { scope: "/mobile/" }).catch(() => undefined);
  store = await LocalStore.open();
  client = new SyncClient({
    store,
    base: config.api,
    onWipe: (m) => wiped(m),
    onReauth: (m) => reauth(m),
  });
  addEventListener("online", setStatus);
  addEventListener("offline", setStatus);
  addEventListener("hashchange", () => void route());
  setStatus();
  if (!(await store.isSetUp())) return setupScreen({});
  return unlockScreen({});
}

function wiped(message: string): void {
  lockDown();
  show(
    "Removed from this device",
    heading("Casework has been removed from this device"),
    p(message),
    p("Everything Casework kept on this device has been deleted."),
    link("Set up this device again", "/mobile/", "govuk-button"),
  );
}

function reauth(message: string): void {
  lockDown();
  show(
    "Sign in online",
    heading("Sign in to Casework online"),
    p(message),
    p("Your records stay on this device, encrypted. Connect to the internet and sign in, then come back to unlock."),
    link("Sign in to Casework", config.signIn, "govuk-button"),
  );
}

function lockDown(): void {
  schedule?.stop();
  schedule = null;
  idle?.stop();
  idle = null;
  store?.lock();
}

// Set up ------------------------------------------------------------------------------------------------------------

function setupScreen(errors: Record<string, string>, values: { name?: string } = {}): void {
  const form = h(
    "form",
    { novalidate: true, onsubmit: (e: Event) => void setUp(e) },
    field("device-name", "Name this device", input("device-name", values.name ?? "", { autocomplete: "off" }), {
      hint: "So you and your administrator can recognise it, for example Sam's work iPad",
      error: errors["device-name"],
      labelClass: "govuk-label--s",
    }),
    field("passphrase", "Choose a passphrase", input("passphrase", "", { type: "password", autocomplete: "new-password" }), {
      hint: `At least ${MIN_PASSPHRASE} characters. Three random words are easy to remember and hard to guess. You will need it each time the app locks.`,
      error: errors["passphrase"],
      labelClass: "govuk-label--s",
    }),
    field("passphrase-again", "Type the passphrase again", input("passphrase-again", "", { type: "password", autocomplete: "new-password" }), {
      error: errors["passphrase-again"],
      labelClass: "govuk-label--s",
    }),
    h("div", { class: "govuk-warning-text" }, h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }), h("strong", { class: "govuk-warning-text__text" }, h("span", { class: "govuk-visually-hidden", text: "Warning" }), `If the passphrase is entered wrongly ${MAX_FAILURES} times in a row, everything on this device is deleted.`)),
    h("button", { class: "govuk-button", type: "submit" }, "Set up this device"),
  );
  show(
    "Set up this device",
    errorSummary(errors, (k) => (k === "__all__" ? "device-name" : k)),
    heading("Set up this device"),
    p("Your caseload will be downloaded to this device and encrypted with your passphrase, so you can read and record without a connection."),
    errors["__all__"] ? h("p", { class: "govuk-error-message", text: errors["__all__"] }) : null,
    form,
  );
}

async function setUp(e: Event): Promise<void> {
  e.preventDefault();
  const f = e.target as HTMLFormElement;
  const get = (id: string) => (f.querySelector<HTMLInputElement>(`#${id}`)?.value ?? "");
  const name = get("device-name").trim();
  const pass = get("passphrase");
  const errors: Record<string, string> = {};
  if (!name) errors["device-name"] = "Enter a name for this device";
  else if (name.length > 100) errors["device-name"] = "The device name must be 100 characters or fewer";
  if (pass.length < MIN_PASSPHRASE) errors["passphrase"] = `The passphrase must be at least ${MIN_PASSPHRASE} characters`;
  else if (get("passphrase-again") !== pass) errors["passphrase-again"] = "The passphrases do not match";
  if (Object.keys(errors).length) return setupScreen(errors, { name });
  show("Setting up", heading("Setting up this device"), p("Registering this device with Casework…"));
  let device: DeviceInfo;
  try {
    const r = await client.registerDevice(name);
    if (!r.ok) {
      const body = (await r.json().catch(() => ({}))) as { detail?: string; errors?: Record<string, string> };
      return setupScreen({ "device-name": body.errors?.["name"] ?? body.detail ?? "Casework could not register this device" }, { name });
    }
    device = (await r.json()) as DeviceInfo;
  } catch (err) {
    const message = err instanceof SyncStopped && err.reason === "signin"
      ? "Sign in to Casework first, then set up this device"
      : "You need to be online and signed in to Casework to set up this device";
    return setupScreen({ __all__: message }, { name });
  }
  await store.setUp(pass, device);
  persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? null;
  await opened();
}

// Unlock ------------------------------------------------------------------------------------------------------------

async function unlockScreen(errors: Record<string, string>): Promise<void> {
  const device = await store.device();
  show(
    "Unlock",
    errorSummary(errors, () => "passphrase"),
    heading("Unlock Casework"),
    device ? p(`This device: ${device.name}`, "govuk-body-s") : null,
    h(
      "form",
      { novalidate: true, onsubmit: (e: Event) => void unlock(e) },
      field("passphrase", "Passphrase", input("passphrase", "", { type: "password", autocomplete: "current-password" }), { error: errors["passphrase"], labelClass: "govuk-label--s" }),
      h("button", { class: "govuk-button", type: "submit" }, "Unlock"),
    ),
  );
}

async function unlock(e: Event): Promise<void> {
  e.preventDefault();
  const pass = (e.target as HTMLFormElement).querySelector<HTMLInputElement>("#passphrase")?.value ?? "";
  if (!pass) return unlockScreen({ passphrase: "Enter your passphrase" });
  const r = await store.unlock(pass);
  if (r.ok) return opened();
  if (r.wiped) return wiped(`The passphrase was entered wrongly ${MAX_FAILURES} times.`);
  return unlockScreen({
    passphrase: `The passphrase is not right. ${r.remaining} ${r.remaining === 1 ? "try" : "tries"} left before everything on this device is deleted`,
  });
}

async function opened(): Promise<void> {
  const device = (await store.device())!;
  const meta = await store.meta();
  const overdue = meta.last_online_at && Date.now() - Date.parse(meta.last_online_at) > device.reauth_days * 86_400_000;
  if (meta.reauth_needed || overdue) {
    // Try once: a sign-in online since then clears it.
    try {
      await client.sync();
    } catch {
      return reauth(`It is more than ${device.reauth_days} days since this device was last online with Casework.`);
    }
  }
  idle = new IdleLock(device.idle_lock_minutes, () => {
    lockDown();
    void unlockScreen({});
  });
  if (!activityWatched) {
    activityWatched = true;
    for (const ev of ["pointerdown", "keydown", "touchstart"]) addEventListener(ev, () => idle?.touch(), { passive: true });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") idle?.check();
    });
  }
  schedule = new SyncSchedule(() => syncNow(false), 5 * 60_000, globalThis, () => client.wake());
  schedule.start();
  await route();
}

async function syncNow(redraw = true): Promise<void> {
  if (!store.unlocked) return;
  let result: SyncResult | null = null;
  try {
    result = await client.sync();
    lastSync = { ok: true, message: result.pulled || result.pushed ? `Synced: ${result.pushed} sent, ${result.pulled} received` : "Up to date" };
  } catch (e) {
    if (e instanceof SyncStopped && (e.reason === "wiped" || e.reason === "reauth")) return;
    lastSync = { ok: false, message: e instanceof SyncStopped && e.reason === "signin" ? "Sign in to Casework to sync" : e instanceof Error ? e.message : String(e) };
  }
  if (redraw && store.unlocked) await route();
  else if (store.unlocked && location.hash.replace(/^#\/?/, "") === "") await route();
}

// Routes ------------------------------------------------------------------------------------------------------------

async function route(): Promise<void> {
  if (!store?.unlocked) return;
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [a, b, c, d, e] = parts;
  if (!a) return caseload();
  if (a === "child" && b && !c) return child(b);
  if (a === "child" && b && c === "note") return noteScreen(b, {});
  if (a === "child" && b && c === "visit") return visitScreen(b, {});
  if (a === "child" && b && c === "forms") return formsList(b);
  if (a === "child" && b && c === "document" && d) return documentScreen(b, d);
  if (a === "child" && b && c === "form" && d) return formPage(b, d, e ?? null, {});
  if (a === "edit" && b && c) return editScreen(b, c, {});
  if (a === "outbox") return outboxScreen();
  if (a === "conflicts") return conflictsScreen();
  if (a === "remove") return removeScreen(null);
  show("Page not found", heading("Page not found"), link("Go to your caseload", "#/"));
}

const nameOf = (r: LocalRecord | null): string => {
  if (!r) return "Unknown person";
  const d = r.data;
  return asText(d["name"] ?? d["full_name"] ?? d["display_name"] ?? [d["given_name"], d["family_name"]]) || `Person ${r.id}`;
};

async function caseload(): Promise<void> {
  const people = (await store.listRecords("person")).sort((x, y) => nameOf(x).localeCompare(nameOf(y)));
  const outbox = await store.outbox();
  const conflicts = await store.listRecords("conflict");
  const count = await store.countRecords();
  const meta = await store.meta();
  const waiting = outbox.filter((e) => e.state === "to_push" || e.state === "pushing").length;
  const failed = outbox.filter((e) => e.state === "failed").length;
  const safari = /iP(hone|ad|od)|Macintosh/.test(navigator.userAgent) && /Safari/.test(navigator.userAgent) && !/Chrome|CriOS|Edg/.test(navigator.userAgent);
  const standalone = matchMedia("(display-mode: standalone)").matches || (navigator as Navigator & { standalone?: boolean }).standalone === true;
  show(
    "Your caseload",
    heading("Your caseload"),
    safari && !standalone
      ? h("div", { class: "govuk-inset-text" }, h("p", { class: "govuk-body", text: "Add Casework to your Home Screen: tap Share, then Add to Home Screen. Safari deletes a website's data after 7 days without use; the app on the Home Screen keeps it." }))
      : null,
    persisted === false ? p("Your browser did not promise to keep Casework's data on this device; keep syncing so nothing waits here for long.", "govuk-body-s") : null,
    count > RECORDS_WARNING
      ? h("div", { class: "govuk-warning-text" }, h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }), h("strong", { class: "govuk-warning-text__text" }, `This device holds ${count.toLocaleString("en-GB")} records, more than ${RECORDS_WARNING.toLocaleString("en-GB")}. It may become slow; ask your manager whether your caseload can be shared.`))
      : null,
    summaryList([
      ["Last synced", meta.last_sync_at ? when(meta.last_sync_at) : "Not yet"],
      ["Waiting to sync", waiting || failed ? link(`${waiting} waiting${failed ? `, ${failed} failed` : ""}`, "#/outbox") : "Nothing"],
      ["Conflicts", conflicts.length ? link(`${conflicts.length} to resolve`, "#/conflicts") : "None"],
    ]),
    lastSync ? p(lastSync.message, lastSync.ok ? "govuk-body-s" : "govuk-error-message") : null,
    button(client.busy ? "Syncing…" : "Sync now", () => void syncNow(true), "govuk-button govuk-button--secondary"),
    people.length
      ? h("ul", { class: "govuk-list govuk-list--spaced" }, people.map((r) => h("li", {}, link(nameOf(r), `#/child/${encodeURIComponent(r.id)}`), r.data["age"] ? ` (${asText(r.data["age"])})` : "")))
      : p(meta.cursor ? "You have no children allocated to you." : "Your caseload has not been downloaded yet. Connect to the internet and choose Sync now."),
    h("p", { class: "govuk-body" }, button("Lock", () => { lockDown(); void unlockScreen({}); }, "govuk-button govuk-button--warning")),
    h("p", { class: "govuk-body" }, link("Remove Casework from this device", "#/remove")),
  );
}

// Removing the device for good (POST /api/v1/sync/device/revoke) ----------------------------------------------------

async function removeScreen(problem: string | null, waiting = 0): Promise<void> {
  const device = await store.device();
  show(
    "Remove Casework from this device",
    back(),
    problem ? h("div", { class: "govuk-error-summary", "data-module": "govuk-error-summary" }, h("div", { role: "alert" }, h("h2", { class: "govuk-error-summary__title", text: "There is a problem" }), h("div", { class: "govuk-error-summary__body" }, h("p", { class: "govuk-body", text: problem })))) : null,
    heading("Remove Casework from this device"),
    p(`Everything Casework keeps on ${device ? `“${device.name}”` : "this device"} will be deleted, and the device will no longer be able to sync. Anything waiting to sync is sent first. To use Casework offline here again you will need to set it up again.`),
    waiting
      ? h(
          "div",
          { class: "govuk-warning-text" },
          h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }),
          h("strong", { class: "govuk-warning-text__text" }, h("span", { class: "govuk-visually-hidden", text: "Warning" }), `${waiting} ${waiting === 1 ? "change has" : "changes have"} not reached Casework. Look at them under Waiting to sync, or remove the device anyway and lose them.`),
        )
      : null,
    h(
      "div",
      { class: "govuk-button-group" },
      button(waiting ? "Remove anyway and lose them" : "Remove Casework from this device", () => void removeDevice(waiting > 0), "govuk-button govuk-button--warning"),
      link("Cancel", "#/", "govuk-link"),
    ),
  );
}

async function removeDevice(discardWaiting: boolean): Promise<void> {
  try {
    const left = await client.removeDevice(discardWaiting);
    if (left) return removeScreen(null, left);
  } catch (e) {
    if (e instanceof SyncStopped && e.reason === "wiped") return; // the server had already removed it: wiped
    return removeScreen(e instanceof SyncStopped && e.reason === "offline" ? "You need to be online to remove this device" : e instanceof Error ? e.message : String(e));
  }
  wiped("You removed Casework from this device.");
}

const SKIP = new Set(["editable", "warnings", "name", "full_name", "display_name"]);
const timeOf = (r: LocalRecord) => describe(r).at;

function entry(r: LocalRecord, states: Map<string, OutboxEntry>, sources: Map<string, LocalRecord>): HTMLElement {
  const { title, at, text } = describe(r, sources);
  const state = states.get(r.id);
  return h(
    "div",
    { class: "govuk-summary-card" },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title" }, title, " ", r.local ? tag(state?.state === "failed" ? "Failed to sync" : "Waiting to sync", state?.state === "failed" ? "red" : "yellow") : null),
    ),
    h("div", { class: "govuk-summary-card__content" }, at ? p(when(at), "govuk-body-s") : null, text ? p(text) : null),
  );
}

async function child(id: string): Promise<void> {
  const person = await store.getRecord("person", id);
  if (!person) return show("Not on this device", back(), heading("This child's record is not on this device"), p("They may have left your caseload."));
  const all = await store.listRecords(null, person.person_id ?? Number(id));
  const states = new Map((await store.outbox()).map((e) => [e.mutation.id, e]));
  const of = (type: string) => all.filter((r) => r.type === type).sort((x, y) => timeOf(y).localeCompare(timeOf(x)));
  const warnings = person.data["warnings"];
  const name = nameOf(person);
  const rows = Object.entries(person.data).filter(([k, v]) => !SKIP.has(k) && v !== null && v !== "" && typeof v !== "object").map(([k, v]): [string, string] => [words(k), asText(v)]);
  const sources = new Map(all.filter((r) => r.type === "case_note" || r.type === "visit").map((r) => [`${r.type}:${r.id}`, r]));
  const section = (title: string, recs: LocalRecord[]) => (recs.length ? [heading(title, "m", "h2"), ...recs.map((r) => entry(r, states, sources))] : []);
  show(
    name,
    back(),
    h("span", { class: "govuk-caption-l", text: "Child" }),
    heading(name),
    asText(warnings) ? h("div", { class: "govuk-warning-text" }, h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }), h("strong", { class: "govuk-warning-text__text" }, h("span", { class: "govuk-visually-hidden", text: "Warning" }), asText(warnings))) : null,
    h(
      "div",
      { class: "govuk-button-group" },
      link("Record a case note", `#/child/${id}/note`, "govuk-button"),
      link("Record a visit", `#/child/${id}/visit`, "govuk-button govuk-button--secondary"),
      link("Fill in a form", `#/child/${id}/forms`, "govuk-button govuk-button--secondary"),
    ),
    summaryList(rows),
    await editableSection(person),
    ...section("Open tasks", of("task")),
    ...section("Plans", of("plan")),
    ...section("Relationships", of("relationship")),
    ...section("Chronology", [...of("chronology_entry"), ...all.filter((r) => r.local && (r.type === "case_note" || r.type === "visit"))].sort((x, y) => timeOf(y).localeCompare(timeOf(x)))),
    ...section("Case notes", of("case_note").filter((r) => !r.local)),
    ...section("Visits", of("visit").filter((r) => !r.local)),
    ...(await documentsSection(id, all.filter((r) => r.type === "document"))),
  );
}

// Documents: their details come with the sync; a document's pages only when it is opened (online), then kept -------

const SENSITIVITY_COLOURS: Record<string, string> = { Restricted: "red", "Sensitive third-party information": "orange" };

async function documentsSection(childId: string, docs: LocalRecord[]): Promise<HTMLElement[]> {
  if (!docs.length) return [];
  const saved = await store.savedFiles();
  docs.sort((x, y) => asText(y.data["document_date"]).localeCompare(asText(x.data["document_date"])) || Number(y.id) - Number(x.id));
  return [
    heading("Documents", "m", "h2"),
    h(
      "ul",
      { class: "govuk-list govuk-list--spaced", id: "documents" },
      docs.map((r) => {
        const d = r.data;
        const flag = asText(d["sensitivity"]);
        return h(
          "li",
          {},
          link(asText(d["title"]) || "Untitled document", `#/child/${encodeURIComponent(childId)}/document/${encodeURIComponent(r.id)}`),
          h("br"),
          h("span", { class: "govuk-body-s", text: [asText(d["kind"]), asText(d["date"])].filter(Boolean).join(", ") }),
          flag ? [" ", tag(flag, SENSITIVITY_COLOURS[flag] ?? "grey")] : null,
          saved.has(r.id) ? [" ", tag("On this device", "green")] : null,
        );
      }),
    ),
  ];
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function pagesOf(title: string, pages: Uint8Array[]): HTMLElement {
  return h(
    "div",
    { id: "document-pages" },
    pages.map((bytes, i) => {
      // A data: address (the page's policy allows data: images and nothing from elsewhere).
      const url = `data:image/png;base64,${base64(bytes)}`;
      return h("img", { src: url, alt: `Page ${i + 1} of ${pages.length} of ${title}`, class: "cw-document-page" });
    }),
  );
}

async function documentScreen(childId: string, docId: string): Promise<void> {
  const doc = await store.getRecord("document", docId);
  const person = await store.getRecord("person", childId);
  if (!doc) return show("Not on this device", back(`#/child/${encodeURIComponent(childId)}`), heading("This document is not on this device"), p("It may have been restricted, or its child may have left your caseload."));
  const d = doc.data;
  const title = asText(d["title"]) || "Untitled document";
  const flag = asText(d["sensitivity"]);
  const top = (...rest: Array<Node | null>) =>
    show(
      title,
      back(`#/child/${encodeURIComponent(childId)}`),
      h("span", { class: "govuk-caption-l", text: nameOf(person) }),
      heading(title),
      flag === "Restricted"
        ? warning("Restricted: only people given access can open this document.")
        : flag
          ? warning("This document contains sensitive information about other people. Check it, and redact what must not be shared, before it is disclosed.")
          : null,
      summaryList([
        ["Type", asText(d["kind"]) || "Not given"],
        ["Date", asText(d["date"]) || "Not given"],
        ["Sensitivity", flag || "Ordinary"],
      ]),
      heading("Pages", "m", "h2"),
      ...rest,
    );
  const wanted = Number(d["file_version"] ?? 0);
  let saved = null;
  try {
    saved = await store.getFile(docId);
  } catch {
    await store.removeFile(docId); // it did not decrypt: fetch it again
  }
  const online = navigator.onLine;
  if (saved && (saved.file_version >= wanted || !online)) {
    return top(
      saved.file_version < wanted ? p("Casework has a newer version of this document. Connect to the internet and open it again to see it.", "govuk-inset-text") : null,
      p(`Kept on this device since ${when(saved.saved_at)}.`, "govuk-body-s"),
      pagesOf(title, saved.pages),
    );
  }
  if (!online) {
    return top(h("div", { class: "govuk-inset-text", id: "not-downloaded" }, h("p", { class: "govuk-body govuk-!-font-weight-bold", text: "Not downloaded: connect to open it." }), p("Documents are kept on this device only once opened while online.")));
  }
  top(p("Opening the document…"));
  try {
    const opened = await client.openDocument(docId, doc.person_id);
    if (location.hash !== `#/child/${encodeURIComponent(childId)}/document/${encodeURIComponent(docId)}`) return;
    if (!opened.found) return top(h("div", { class: "govuk-inset-text", text: "This document is no longer available to you: it may have been restricted, or moved to another record. It will leave this device at the next sync." }));
    if (!opened.ready) return top(h("div", { class: "govuk-inset-text" }, p(`There are no pages to read on this device yet: ${opened.message.replace(/\.$/, "")}.`), p("If they are being made, try again in a minute. The original can be downloaded from Casework on a computer.")));
    return top(p("Kept on this device to read offline.", "govuk-body-s"), pagesOf(title, opened.pages));
  } catch (e) {
    if (e instanceof SyncStopped && (e.reason === "wiped" || e.reason === "reauth")) return;
    return top(h("div", { class: "govuk-inset-text", id: "not-downloaded" }, h("p", { class: "govuk-body govuk-!-font-weight-bold", text: "Not downloaded: connect to open it." }), p(e instanceof SyncStopped && e.reason === "signin" ? "Sign in to Casework, then open it again." : "Casework could not be reached.")));
  }
}

function warning(text: string): HTMLElement {
  return h("div", { class: "govuk-warning-text" }, h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }), h("strong", { class: "govuk-warning-text__text" }, h("span", { class: "govuk-visually-hidden", text: "Warning" }), text));
}

// Editing the fields a worker may edit offline (data.editable): an update with the values the device had as base ------

/** The record's editable values with this device's changes not yet taken by the server laid over them. */
async function editableNow(r: LocalRecord): Promise<{ values: Record<string, unknown>; pending: OutboxEntry[] }> {
  const base = (r.data["editable"] ?? {}) as Record<string, unknown>;
  const pending = (await store.outbox()).filter(
    (e) => e.mutation.action === "update" && e.mutation.type === r.type && e.mutation.record_id === r.id && e.state !== "conflict",
  );
  const values = { ...base };
  for (const e of pending) Object.assign(values, e.mutation.fields);
  return { values, pending };
}

async function editableSection(r: LocalRecord): Promise<HTMLElement | null> {
  if (!r.data["editable"] || typeof r.data["editable"] !== "object") return null;
  const { values, pending } = await editableNow(r);
  const state = pending.some((e) => e.state === "failed") ? tag("Failed to sync", "red") : pending.length ? tag("Waiting to sync", "yellow") : null;
  return h(
    "div",
    {},
    h("h2", { class: "govuk-heading-m" }, "Details you can change ", state),
    summaryList(Object.entries(values).map(([k, v]): [string, string] => [words(k), asText(v) || "Not given"])),
    link("Change these details", `#/edit/${encodeURIComponent(r.type)}/${encodeURIComponent(r.id)}`, "govuk-button govuk-button--secondary"),
  );
}

async function editScreen(type: string, id: string, errors: Record<string, string>): Promise<void> {
  const r = await store.getRecord(type, id);
  if (!r || !r.data["editable"]) return show("Not on this device", back(), heading("This record is not on this device"));
  const { values } = await editableNow(r);
  const backTo = type === "person" ? `#/child/${encodeURIComponent(id)}` : r.person_id !== null ? `#/child/${r.person_id}` : "#/";
  const yn = [{ value: "yes", label: "Yes" }, { value: "no", label: "No" }];
  const controls = Object.entries(values).map(([k, v]) =>
    typeof v === "boolean"
      ? fieldset(`edit-${k}`, words(k), choices(`edit-${k}`, `edit-${k}`, "radio", yn, (x) => x === (v ? "yes" : "no"), true), { error: errors[k] })
      : field(`edit-${k}`, words(k), input(`edit-${k}`, v === null || v === undefined ? "" : String(v)), { error: errors[k], labelClass: "govuk-label--s" }),
  );
  show(
    "Change details",
    back(backTo),
    errorSummary(errors, (k) => `edit-${k}`),
    h("span", { class: "govuk-caption-l", text: type === "person" ? nameOf(r) : words(type) }),
    heading("Change details"),
    p("Your change is sent when this device is online. If someone changes the same detail in Casework meanwhile, you will be asked which to keep: nothing is overwritten."),
    h("form", { novalidate: true, onsubmit: (e: Event) => void saveEdit(e, r, values, backTo) }, controls, h("button", { class: "govuk-button", type: "submit" }, "Save changes")),
  );
}

async function saveEdit(e: Event, r: LocalRecord, shown: Record<string, unknown>, backTo: string): Promise<void> {
  e.preventDefault();
  const f = e.target as HTMLFormElement;
  const server = (r.data["editable"] ?? {}) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [k, old] of Object.entries(shown)) {
    let v: unknown;
    if (typeof old === "boolean") v = f.querySelector<HTMLInputElement>(`input[name="edit-${k}"]:checked`)?.value === "yes";
    else {
      v = f.querySelector<HTMLInputElement>(`#edit-${CSS.escape(k)}`)?.value.trim() ?? "";
      const problem = textError(words(k), v as string, 200, false);
      if (problem) errors[k] = problem;
    }
    if (JSON.stringify(v) !== JSON.stringify(old)) fields[k] = v;
  }
  if (Object.keys(errors).length) return editScreen(r.type, r.id, errors);
  if (Object.keys(fields).length) {
    // The base is what this device last had from the server, field by field: the server finds conflicts with it.
    const base = Object.fromEntries(Object.keys(fields).map((k) => [k, server[k] ?? null]));
    const m: Mutation = { id: uuidv7(), type: r.type, action: "update", record_id: r.id, base_version: r.version, fields, base, made_at: new Date().toISOString() };
    const what = Object.keys(fields).map((k) => words(k).toLowerCase()).join(", ");
    await store.queue({ mutation: m, state: "to_push", reason: null, errors: {}, conflict_id: null, attempts: 0, summary: `Change of ${what} for ${r.type === "person" ? nameOf(r) : words(r.type)}` });
    if (navigator.onLine) void syncNow(false);
  }
  location.hash = backTo;
}

// Recording ---------------------------------------------------------------------------------------------------------

function nowParts(): { date: string; time: string } {
  const d = new Date();
  return { date: localToday(d), time: `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}` };
}

function isoLocal(date: string, time: string): string | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !m) return null;
  const dt = new Date(`${date}T${m[1]!.padStart(2, "0")}:${m[2]}:00`);
  if (Number.isNaN(dt.getTime())) return null;
  const off = -dt.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const a = Math.abs(off);
  return `${date}T${m[1]!.padStart(2, "0")}:${m[2]}:00${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

function textError(label: string, v: string, max: number, required = true): string | undefined {
  if (!v.trim()) return required ? `Enter ${label.toLowerCase()}` : undefined;
  if (CONTROL.test(v)) return `${label} must not contain hidden control characters`;
  if (Array.from(v).length > max) return `${label} must be ${max.toLocaleString("en-GB")} characters or fewer`;
  return undefined;
}

async function queue(personId: string, type: string, fields: Record<string, unknown>, summary: string, local = true, shown: Record<string, unknown> = {}): Promise<void> {
  const m: Mutation = { id: uuidv7(), type, action: "create", record_id: null, base_version: null, fields, base: {}, made_at: new Date().toISOString() };
  const e: OutboxEntry = { mutation: m, state: "to_push", reason: null, errors: {}, conflict_id: null, attempts: 0, summary };
  const person = await store.getRecord("person", personId);
  const pid = person?.person_id ?? Number(personId);
  await store.queue(e, local ? { type, id: m.id, version: 0, person_id: pid, data: { ...fields, ...shown, made_at: m.made_at } } : undefined);
  if (navigator.onLine) void syncNow(false);
}

function whenFields(errors: Record<string, string>, values: Record<string, string>, label: string): HTMLElement {
  return fieldset("when-date", label, h(
    "div",
    {},
    field("when-date", "Date", input("when-date", values["date"] ?? "", { type: "date", class: "govuk-input govuk-input--width-10" })),
    field("when-time", "Time", input("when-time", values["time"] ?? "", { type: "time", class: "govuk-input govuk-input--width-5" }), { hint: "For example, 14:30" }),
  ), { error: errors["when-date"] });
}

// The server's case note kinds (recording.models.CaseNoteType), in its words.
const NOTE_TYPES: Option[] = [{ value: "case_note", label: "Case note" }, { value: "phone_call", label: "Phone call" }, { value: "meeting", label: "Meeting" }, { value: "correspondence", label: "Letter or email" }];

async function noteScreen(id: string, errors: Record<string, string>, values: Record<string, string> = nowParts()): Promise<void> {
  const person = await store.getRecord("person", id);
  const types = NOTE_TYPES;
  show(
    "Record a case note",
    back(`#/child/${id}`),
    errorSummary(errors, (k) => k),
    h("span", { class: "govuk-caption-l", text: nameOf(person) }),
    heading("Record a case note"),
    h(
      "form",
      { novalidate: true, onsubmit: (e: Event) => void saveNote(e, id) },
      whenFields(errors, values, "When was it?"),
      fieldset("note-type", "Kind of note", choices("note-type", "note-type", "radio", types, (v) => v === (values["type"] ?? "case_note"))),
      field("subject", "Subject", input("subject", values["subject"] ?? ""), { error: errors["subject"], labelClass: "govuk-label--s" }),
      field("body", "Note", textarea("body", values["body"] ?? "", 10), { error: errors["body"], labelClass: "govuk-label--s" }),
      h("button", { class: "govuk-button", type: "submit" }, "Save the note"),
    ),
  );
}

async function saveNote(e: Event, id: string): Promise<void> {
  e.preventDefault();
  const f = e.target as HTMLFormElement;
  const v = (k: string) => f.querySelector<HTMLInputElement>(`#${k}`)?.value ?? "";
  const values = { date: v("when-date"), time: v("when-time"), subject: v("subject"), body: v("body"), type: f.querySelector<HTMLInputElement>("input[name=note-type]:checked")?.value ?? "case_note" };
  const errors: Record<string, string> = {};
  const at = isoLocal(values.date, values.time);
  if (!at) errors["when-date"] = "Enter the date and time of the note";
  else if (Date.parse(at) > Date.now() + 60_000) errors["when-date"] = "The date and time must be now or in the past";
  const s = textError("Subject", values.subject, 200);
  if (s) errors["subject"] = s;
  const b = textError("Note", values.body, 20_000);
  if (b) errors["body"] = b === "Enter note" ? "Enter the note" : b;
  if (Object.keys(errors).length) return noteScreen(id, errors, values);
  const person = await store.getRecord("person", id);
  await queue(id, "case_note", { person_id: person?.person_id ?? Number(id), occurred_at: at, note_type: values.type, subject: values.subject.trim(), body: values.body.trim() }, `Case note for ${nameOf(person)}: ${values.subject.trim()}`, true, { kind: NOTE_TYPES.find((t) => t.value === values.type)?.label ?? "Case note" });
  location.hash = `#/child/${encodeURIComponent(id)}`;
}

// The server's visit kinds (recording.models.VisitType), in its words.
const VISIT_TYPES: Option[] = [
  { value: "home", label: "Home visit" },
  { value: "statutory", label: "Statutory visit" },
  { value: "school", label: "Visit at school" },
  { value: "placement", label: "Visit at placement" },
  { value: "office", label: "Seen at the office" },
  { value: "other", label: "Other visit" },
];

async function visitScreen(id: string, errors: Record<string, string>, values: Record<string, string> = nowParts()): Promise<void> {
  const person = await store.getRecord("person", id);
  const yn = [{ value: "yes", label: "Yes" }, { value: "no", label: "No" }];
  show(
    "Record a visit",
    back(`#/child/${id}`),
    errorSummary(errors, (k) => k),
    h("span", { class: "govuk-caption-l", text: nameOf(person) }),
    heading("Record a visit"),
    h(
      "form",
      { novalidate: true, onsubmit: (e: Event) => void saveVisit(e, id) },
      whenFields(errors, values, "When was the visit?"),
      fieldset("visit-type", "Kind of visit", choices("visit-type", "visit-type", "radio", VISIT_TYPES, (v) => v === values["visit_type"]), { error: errors["visit-type"] }),
      fieldset("child-seen", "Was the child seen?", choices("child-seen", "child-seen", "radio", yn, (v) => v === values["seen"], true), { error: errors["child-seen"] }),
      fieldset("seen-alone", "Was the child seen alone?", choices("seen-alone", "seen-alone", "radio", yn, (v) => v === values["alone"], true), { hint: "Only if the child was seen" }),
      field("not-seen-reason", "Why was the child not seen?", input("not-seen-reason", values["reason"] ?? ""), { hint: "Only if the child was not seen", error: errors["not-seen-reason"], labelClass: "govuk-label--s" }),
      field("notes", "Notes of the visit", textarea("notes", values["notes"] ?? "", 10), { error: errors["notes"], labelClass: "govuk-label--s" }),
      h("button", { class: "govuk-button", type: "submit" }, "Save the visit"),
    ),
  );
}

async function saveVisit(e: Event, id: string): Promise<void> {
  e.preventDefault();
  const f = e.target as HTMLFormElement;
  const v = (k: string) => f.querySelector<HTMLInputElement>(`#${k}`)?.value ?? "";
  const radio = (k: string) => f.querySelector<HTMLInputElement>(`input[name=${k}]:checked`)?.value ?? "";
  const values = { date: v("when-date"), time: v("when-time"), visit_type: radio("visit-type"), seen: radio("child-seen"), alone: radio("seen-alone"), reason: v("not-seen-reason"), notes: v("notes") };
  const errors: Record<string, string> = {};
  const at = isoLocal(values.date, values.time);
  if (!at) errors["when-date"] = "Enter the date and time of the visit";
  else if (Date.parse(at) > Date.now() + 60_000) errors["when-date"] = "The date and time of the visit must be now or in the past";
  if (!values.visit_type) errors["visit-type"] = "Select the kind of visit";
  if (!values.seen) errors["child-seen"] = "Select yes if the child was seen";
  if (values.seen === "no") {
    const r = textError("Why the child was not seen", values.reason, 300);
    if (r) errors["not-seen-reason"] = r.startsWith("Enter") ? "Enter why the child was not seen" : r;
  }
  const n = textError("Notes", values.notes, 20_000);
  if (n) errors["notes"] = n.startsWith("Enter") ? "Enter the notes of the visit" : n;
  if (Object.keys(errors).length) return visitScreen(id, errors, values);
  const person = await store.getRecord("person", id);
  const fields: Record<string, unknown> = { person_id: person?.person_id ?? Number(id), occurred_at: at, visit_type: values.visit_type, child_seen: values.seen === "yes", seen_alone: values.seen === "yes" && values.alone === "yes", notes: values.notes.trim() };
  if (values.seen === "no") fields["not_seen_reason"] = values.reason.trim();
  const kind = VISIT_TYPES.find((t) => t.value === values.visit_type)?.label ?? "Visit";
  await queue(id, "visit", fields, `${kind} to ${nameOf(person)}`, true, { kind });
  location.hash = `#/child/${encodeURIComponent(id)}`;
}

// Forms -------------------------------------------------------------------------------------------------------------

async function definitions(): Promise<FormDefinition[]> {
  const latest = new Map<string, FormDefinition>();
  for (const r of await store.listRecords("form_definition")) {
    const d = definitionOf(r);
    if (!d) continue;
    const seen = latest.get(d.name);
    if (!seen || seen.version < d.version) latest.set(d.name, d);
  }
  return [...latest.values()].filter((d) => d.subject !== "adult").sort((a, b) => a.title.localeCompare(b.title));
}

async function formsList(id: string): Promise<void> {
  const person = await store.getRecord("person", id);
  const defs = await definitions();
  show(
    "Fill in a form",
    back(`#/child/${id}`),
    h("span", { class: "govuk-caption-l", text: nameOf(person) }),
    heading("Fill in a form"),
    defs.length
      ? h("ul", { class: "govuk-list govuk-list--spaced" }, defs.map((d) => h("li", {}, link(d.title, `#/child/${id}/form/${encodeURIComponent(d.name)}`))))
      : p("No forms have been downloaded to this device yet."),
  );
}

const draftId = (personId: string, form: string) => `${personId}:${form}`;
// Forms submitted in this session (person:form): Back into one shows where it went, not its pages empty.
const justSubmitted = new Set<string>();

async function draftOf(personId: string, form: FormDefinition): Promise<Answers> {
  const r = await store.getRecord("device_draft", draftId(personId, form.name));
  return r && r.data["version"] === form.version ? ((r.data["answers"] ?? {}) as Answers) : {};
}

async function saveDraft(personId: string, form: FormDefinition, answers: Answers): Promise<void> {
  const person = await store.getRecord("person", personId);
  await store.commit({ put: [{ type: "device_draft", id: draftId(personId, form.name), version: 0, person_id: person?.person_id ?? Number(personId), local: true, data: { form: form.name, version: form.version, answers } }] });
}

async function formPage(id: string, name: string, pageId: string | null, errors: Record<string, string>, answersIn?: Answers): Promise<void> {
  const form = (await definitions()).find((d) => d.name === name);
  if (!form) return show("Form not found", back(`#/child/${id}/forms`), heading("This form is not on this device"));
  const answers = answersIn ?? (await draftOf(id, form));
  const result = validate(form, answers);
  const visible = new Set(result.visible);
  const pages = form.pages.filter((pg) => pg.questions.some((q) => visible.has(q.id)));
  const person = await store.getRecord("person", id);
  const people: Option[] = relatedPeople(await store.listRecords("relationship", person?.person_id ?? Number(id)));
  if (pageId === "new") {
    justSubmitted.delete(draftId(id, form.name));
    location.replace(`#/child/${id}/form/${encodeURIComponent(form.name)}`);
    return;
  }
  if (!Object.keys(answers).length && (pageId === "check" || justSubmitted.has(draftId(id, form.name)))) {
    // Nothing saved: most often Back after submitting (the draft went with the form to the outbox). Say where the
    // form is rather than show its pages empty, inviting it to be filled in and sent twice.
    return show(
      `Nothing to check – ${form.title}`,
      back(`#/child/${id}`),
      h("span", { class: "govuk-caption-l", text: `${form.title}: ${nameOf(person)}` }),
      heading("There are no answers to check"),
      p("If you have just submitted this form, it is kept on this device and sent to Casework when you are online: it is listed under Waiting to sync."),
      h("ul", { class: "govuk-list" }, h("li", {}, link("See what is waiting to sync", "#/outbox")), h("li", {}, link(`Fill in a new ${form.title.toLowerCase()} form`, `#/child/${id}/form/${encodeURIComponent(form.name)}/new`)), h("li", {}, link(`Back to ${nameOf(person)}`, `#/child/${id}`))),
    );
  }
  if (pageId === "check") return checkAnswers(id, form, answers, errors, pages.map((pg) => pg.id));
  const page = pages.find((pg) => pg.id === pageId) ?? pages[0];
  if (!page) return show(form.title, heading(form.title), p("This form has no pages to fill in."));
  const idx = pages.indexOf(page);
  const ctx: PageContext = {
    form,
    visible,
    errors,
    people,
    onAdd: (g) => void rerender((a) => ({ ...a, [g]: [...((a[g] as Answers[] | undefined) ?? []), {}] })),
    onRemove: (g, i) => void rerender((a) => ({ ...a, [g]: ((a[g] as Answers[] | undefined) ?? []).filter((_, j) => j !== i) })),
  };
  const formEl = h("form", { novalidate: true }) as HTMLFormElement;
  const current = () => readPage(page, formEl, answers, ctx);
  async function rerender(change: (a: Answers) => Answers): Promise<void> {
    const next = change(current());
    await saveDraft(id, form!, next);
    await formPage(id, name, page!.id, {}, next);
  }
  formEl.addEventListener("change", () => {
    // Conditions: show and hide in place, at once, so nothing typed meanwhile is lost; then keep the draft.
    const next = current();
    ctx.visible = new Set(validate(form, next).visible);
    applyVisibility(formEl, ctx.visible);
    void saveDraft(id, form, next);
  });
  formEl.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      const next = current();
      await saveDraft(id, form, next);
      const r = validate(form, next);
      const ids = new Set(page.questions.map((q) => q.id));
      const mine = Object.fromEntries(Object.entries(r.errors).filter(([k]) => ids.has(k.split(".")[0]!)));
      if (Object.keys(mine).length) return formPage(id, name, page.id, mine, next);
      const shown = new Set(r.visible);
      const after = form.pages.filter((pg) => pg.questions.some((q) => shown.has(q.id)));
      const following = after[after.findIndex((pg) => pg.id === page.id) + 1];
      location.hash = `#/child/${id}/form/${encodeURIComponent(name)}/${following ? following.id : "check"}`;
    })();
  });
  formEl.append(...renderPage(page, answers, ctx), h("button", { class: "govuk-button", type: "submit" }, "Save and continue"));
  show(
    `${page.title} – ${form.title}`,
    back(idx > 0 ? `#/child/${id}/form/${encodeURIComponent(name)}/${pages[idx - 1]!.id}` : `#/child/${id}/forms`),
    errorSummary(errors, fieldId),
    h("span", { class: "govuk-caption-l", text: `${form.title}: ${nameOf(person)}` }),
    heading(page.title),
    page.guidance ? p(page.guidance) : null,
    formEl,
  );
}

function answerText(form: FormDefinition, qid: string, v: unknown): string {
  const q = form.pages.flatMap((pg) => pg.questions.flatMap((x) => [x, ...(x.questions ?? [])])).find((x) => x.id === qid);
  const label = (val: unknown) => q?.options?.find((o) => o.value === val)?.label ?? form.code_lists?.[q?.code_list ?? ""]?.find((o) => o.value === val)?.label ?? asText(val);
  if (Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null)) return (v as Answers[]).map((item, i) => `${q?.item_label ?? "Item"} ${i + 1}: ${Object.entries(item).map(([k, x]) => answerText(form, k, x)).join("; ")}`).join(" | ");
  if (Array.isArray(v)) return v.map(label).join(", ");
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) return when(v);
  return label(v);
}

async function checkAnswers(id: string, form: FormDefinition, answers: Answers, errors: Record<string, string>, pageIds: string[]): Promise<void> {
  const person = await store.getRecord("person", id);
  const rows: Array<[string, Node | string]> = [];
  for (const page of form.pages.filter((pg) => pageIds.includes(pg.id))) {
    for (const q of page.questions) {
      if (!(q.id in answers)) continue;
      rows.push([
        q.label,
        h(
          "span",
          {},
          answerText(form, q.id, answers[q.id]),
          " ",
          h("a", { class: "govuk-link", href: `#/child/${id}/form/${encodeURIComponent(form.name)}/${page.id}` }, "Change", h("span", { class: "govuk-visually-hidden", text: ` ${q.label.toLowerCase()}` })),
        ),
      ]);
    }
  }
  show(
    `Check your answers – ${form.title}`,
    back(`#/child/${id}/form/${encodeURIComponent(form.name)}/${pageIds[pageIds.length - 1] ?? ""}`),
    errorSummary(errors, fieldId),
    h("span", { class: "govuk-caption-l", text: `${form.title}: ${nameOf(person)}` }),
    heading("Check your answers"),
    summaryList(rows),
    p("When you submit, the form is kept on this device and sent to Casework when you are online."),
    button("Submit the form", () => void submitForm(id, form), "govuk-button"),
  );
}

async function submitForm(id: string, form: FormDefinition): Promise<void> {
  const answers = await draftOf(id, form);
  const r = validate(form, answers);
  if (Object.keys(r.errors).length) {
    const first = Object.keys(r.errors)[0]!.split(".")[0]!;
    const page = form.pages.find((pg) => pg.questions.some((q) => q.id === first));
    return formPage(id, form.name, page?.id ?? null, r.errors, answers);
  }
  const person = await store.getRecord("person", id);
  await queue(id, "form_submission", { form: form.name, version: form.version, person_id: person?.person_id ?? Number(id), answers: r.answers }, `${form.title} for ${nameOf(person)}`, false);
  await store.commit({ delete: [{ type: "device_draft", id: draftId(id, form.name) }] });
  justSubmitted.add(draftId(id, form.name));
  show(
    "Form submitted",
    h("div", { class: "govuk-panel govuk-panel--confirmation" }, h("h1", { class: "govuk-panel__title", text: "Form saved to send" }), h("div", { class: "govuk-panel__body", text: form.title })),
    p("It will be sent to Casework when this device is online. You can see it under Waiting to sync until then."),
    link(`Back to ${nameOf(person)}`, `#/child/${id}`),
  );
}

// Outbox and conflicts ----------------------------------------------------------------------------------------------

const STATE_WORDS: Record<string, [string, string]> = {
  to_push: ["Waiting to sync", "yellow"],
  pushing: ["Sending", "blue"],
  failed: ["Failed", "red"],
  conflict: ["Conflict", "orange"],
};

async function outboxScreen(): Promise<void> {
  const entries = await store.outbox();
  show(
    "Waiting to sync",
    back(),
    heading("Waiting to sync"),
    entries.length
      ? h(
          "div",
          {},
          entries.map((e) => {
            const [label, colour] = STATE_WORDS[e.state] ?? ["Waiting", ""];
            return h(
              "div",
              { class: "govuk-summary-card" },
              h("div", { class: "govuk-summary-card__title-wrapper" }, h("h2", { class: "govuk-summary-card__title" }, e.summary, " ", tag(label, colour))),
              h(
                "div",
                { class: "govuk-summary-card__content" },
                p(`Made ${when(e.mutation.made_at)}`, "govuk-body-s"),
                e.state === "failed" ? p(`Why: ${e.reason ?? "Casework refused it"}`) : null,
                Object.keys(e.errors).length ? h("ul", { class: "govuk-list govuk-list--bullet" }, Object.values(e.errors).map((m) => h("li", { text: m }))) : null,
                e.state === "failed"
                  ? h(
                      "div",
                      { class: "govuk-button-group" },
                      button("Try again", () => void retry(e), "govuk-button govuk-button--secondary"),
                      button("Discard it", () => void discard(e), "govuk-button govuk-button--warning"),
                    )
                  : null,
              ),
            );
          }),
        )
      : p("Nothing is waiting: everything you recorded has reached Casework."),
    button("Sync now", () => void syncNow(true), "govuk-button govuk-button--secondary"),
  );
}

async function retry(e: OutboxEntry): Promise<void> {
  await store.commit({ outboxPut: [{ ...e, state: "to_push", reason: null, errors: {} }] });
  await syncNow(true);
}

async function discard(e: OutboxEntry): Promise<void> {
  if (!confirm(`Discard "${e.summary}"? It has not reached Casework and will be lost.`)) return;
  await store.commit({ outboxDelete: [e.mutation.id], delete: [{ type: e.mutation.type, id: e.mutation.id }] });
  await outboxScreen();
}

async function conflictsScreen(): Promise<void> {
  const conflicts = await store.listRecords("conflict");
  const people = new Map((await store.listRecords("person")).map((r) => [String(r.person_id ?? r.id), r]));
  show(
    "Conflicts",
    back(),
    heading("Conflicts to resolve"),
    p("Someone changed these in Casework while you changed them on this device. Nothing has been overwritten: choose which to keep."),
    conflicts.length
      ? h(
          "div",
          {},
          conflicts.map((c) => {
            const d = c.data;
            // The server's conflict record (docs/sync-protocol.md): the values in words, and which detail.
            const mine = asText(d["device_words"] ?? d["device_value"]);
            const theirs = asText(d["server_words"] ?? d["server_value"]);
            const person = c.person_id !== null ? people.get(String(c.person_id)) : undefined;
            return h(
              "div",
              { class: "govuk-summary-card" },
              h("div", { class: "govuk-summary-card__title-wrapper" }, h("h2", { class: "govuk-summary-card__title", text: `${asText(d["what"] ?? d["field"] ?? "Conflict")}${person ? ` for ${nameOf(person)}` : ""}` })),
              h(
                "div",
                { class: "govuk-summary-card__content" },
                summaryList([["On this device", mine || "(nothing)"], ["In Casework", theirs || "(nothing)"]]),
                h(
                  "div",
                  { class: "govuk-button-group" },
                  button("Keep this device's", () => void resolve(c, "device"), "govuk-button govuk-button--secondary"),
                  button("Keep Casework's", () => void resolve(c, "server"), "govuk-button govuk-button--secondary"),
                ),
                // A text detail may also be set to a third value (keep: "other"); a yes/no one has only the two.
                typeof d["device_value"] === "string" || typeof d["server_value"] === "string"
                  ? h(
                      "form",
                      { novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); void resolve(c, "other", (e.target as HTMLFormElement).querySelector<HTMLInputElement>("input")?.value.trim() ?? ""); } },
                      field(`other-${c.id}`, "Or record another value", input(`other-${c.id}`, ""), { labelClass: "govuk-label--s" }),
                      h("button", { class: "govuk-button govuk-button--secondary", type: "submit" }, "Keep this value"),
                    )
                  : null,
              ),
            );
          }),
        )
      : p("There are no conflicts."),
  );
}

async function resolve(c: LocalRecord, keep: "device" | "server" | "other", value?: string): Promise<void> {
  try {
    const r = await client.resolveConflict(c.id, keep, value);
    if (!r.ok) {
      const body = (await r.json().catch(() => ({}))) as { detail?: string };
      lastSync = { ok: false, message: body.detail ?? "Casework could not resolve the conflict" };
    } else {
      await store.commit({ delete: [{ type: "conflict", id: c.id }] });
    }
  } catch (e) {
    lastSync = { ok: false, message: e instanceof Error ? e.message : "You need to be online to resolve a conflict" };
  }
  await syncNow(false);
  await conflictsScreen();
}

void boot().catch((e) => {
  show("Something went wrong", heading("Casework offline could not start"), p(e instanceof Error ? e.message : String(e)), p("Your records on this device are kept. Reload the page to try again."));
});
