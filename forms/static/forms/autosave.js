// Autosave of a form page (forms/views_fill.py "autosave"): while the worker types, the page's answers are posted to
// the draft every 30 seconds with the page's CSRF token, and "Saved at 14:03" is said in the page's status region.
// A save that fails (no connection, signed out by the session time-out) is said calmly and tried again; until the
// server has the answers they are also kept in this tab's sessionStorage, so a time-out, a reload or signing in again
// loses nothing: the page puts them back when it is opened again in this tab, and saves them.
const form = document.getElementById("form-page");
const status = document.getElementById("autosave-status");

if (form && status && window.fetch && window.FormData) {
  const url = form.dataset.autosaveUrl;
  const key = `casework-form-draft:${url}`;
  const every = 30 * 1000;
  let dirty = false;
  let timer = null;
  let saving = false;

  const say = (text) => {
    if (status.textContent !== text) status.textContent = text;
  };
  const fields = () => {
    const out = [];
    for (const [name, value] of new FormData(form).entries()) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") out.push([name, value]);
    }
    return out;
  };
  const keep = () => {
    try {
      window.sessionStorage.setItem(key, JSON.stringify({ at: Date.now(), fields: fields() }));
    } catch (e) {
      // storage full or refused: the server copy is what counts
    }
  };
  const forget = () => {
    try {
      window.sessionStorage.removeItem(key);
    } catch (e) {
      // nothing to forget
    }
  };

  const save = async () => {
    timer = null;
    if (!dirty || saving) return;
    saving = true;
    dirty = false;
    const body = new FormData(form);
    body.delete("action");
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json", "X-CSRFToken": body.get("csrfmiddlewaretoken") || "" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("json")) throw new Error(`status ${response.status}`);
      const answer = await response.json();
      if (!dirty) forget();
      say(`Saved at ${answer.saved_at}`);
    } catch (error) {
      dirty = true;
      say("Not saved yet: Casework will try again shortly. What you have typed is kept on this device.");
    } finally {
      saving = false;
      if (dirty && timer === null) timer = window.setTimeout(save, every);
    }
  };

  const changed = () => {
    dirty = true;
    keep();
    if (timer === null) timer = window.setTimeout(save, every);
  };

  // Pages whose answers the server has saved since (a "Save and continue" that went through): drop their copies.
  for (const saved of (form.dataset.forget || "").split(" ")) {
    if (!saved) continue;
    try {
      window.sessionStorage.removeItem(`casework-form-draft:${saved}`);
    } catch (e) {
      // nothing to drop
    }
  }

  // Put back what was typed and not saved (signed out by a time-out, the connection lost), then save it.
  try {
    const kept = JSON.parse(window.sessionStorage.getItem(key) || "null");
    if (kept && Array.isArray(kept.fields)) {
      const byName = new Map();
      for (const [name, value] of kept.fields) byName.set(name, [...(byName.get(name) || []), value]);
      for (const el of form.elements) {
        if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.tagName === "BUTTON") continue;
        const values = byName.get(el.name) || [];
        if (el.type === "checkbox" || el.type === "radio") el.checked = values.includes(el.value);
        else if (el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.tagName === "INPUT") el.value = values[0] || "";
      }
      dirty = true;
      say("What you typed before has been put back. Saving it now.");
      save();
    }
  } catch (e) {
    forget();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Submitting saves on the server; keep the copy until the next page loads, in case the session has ended.
  form.addEventListener("submit", () => {
    if (timer !== null) window.clearTimeout(timer);
    keep();
  });
}
