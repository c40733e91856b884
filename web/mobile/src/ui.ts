// Small DOM helpers for GOV.UK Frontend markup (the project's built CSS); no framework.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h(tag: string, attrs: Attrs = {}, ...children: Array<Child | Child[]>): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = String(v);
    else el.setAttribute(k === "className" ? "class" : k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

export const p = (text: string, cls = "govuk-body") => h("p", { class: cls, text });
export const heading = (text: string, size: "xl" | "l" | "m" | "s" = "l", tag = "h1") =>
  h(tag, { class: `govuk-heading-${size}`, text });
export const link = (text: string, href: string, cls = "govuk-link") => h("a", { class: cls, href, text });
export const button = (text: string, onclick: EventListener, cls = "govuk-button", type = "button") =>
  h("button", { class: cls, type, onclick, "data-module": "govuk-button" }, text);
export const tag = (text: string, colour = "") => h("strong", { class: `govuk-tag${colour ? ` govuk-tag--${colour}` : ""}`, text });

export function summaryList(rows: Array<[string, Node | string]>): HTMLElement {
  return h(
    "dl",
    { class: "govuk-summary-list" },
    rows.map(([k, v]) =>
      h("div", { class: "govuk-summary-list__row" }, h("dt", { class: "govuk-summary-list__key", text: k }), h("dd", { class: "govuk-summary-list__value" }, v)),
    ),
  );
}

export function errorSummary(errors: Record<string, string>, idFor: (key: string) => string): HTMLElement | null {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return h(
    "div",
    { class: "govuk-error-summary", "data-module": "govuk-error-summary", tabindex: "-1" },
    h(
      "div",
      { role: "alert" },
      h("h2", { class: "govuk-error-summary__title", text: "There is a problem" }),
      h(
        "div",
        { class: "govuk-error-summary__body" },
        h("ul", { class: "govuk-list govuk-error-summary__list" }, entries.map(([k, m]) => h("li", {}, link(m, `#${idFor(k)}`, "")))),
      ),
    ),
  );
}

export const errorMessage = (id: string, text: string) =>
  h("p", { class: "govuk-error-message", id: `${id}-error` }, h("span", { class: "govuk-visually-hidden", text: "Error: " }), text);

export function field(
  id: string,
  label: string,
  control: HTMLElement,
  o: { hint?: string | undefined; error?: string | undefined; labelClass?: string } = {},
): HTMLElement {
  const described = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  if (described) control.setAttribute("aria-describedby", described);
  if (o.error) control.classList.add(control.tagName === "TEXTAREA" ? "govuk-textarea--error" : "govuk-input--error");
  return h(
    "div",
    { class: `govuk-form-group${o.error ? " govuk-form-group--error" : ""}` },
    h("label", { class: `govuk-label ${o.labelClass ?? ""}`.trim(), for: id, text: label }),
    o.hint ? h("div", { class: "govuk-hint", id: `${id}-hint`, text: o.hint }) : null,
    o.error ? errorMessage(id, o.error) : null,
    control,
  );
}

export function fieldset(
  id: string,
  legend: string,
  body: HTMLElement,
  o: { hint?: string | undefined; error?: string | undefined } = {},
): HTMLElement {
  const described = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return h(
    "div",
    { class: `govuk-form-group${o.error ? " govuk-form-group--error" : ""}` },
    h(
      "fieldset",
      { class: "govuk-fieldset", "aria-describedby": described || null },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, legend),
      o.hint ? h("div", { class: "govuk-hint", id: `${id}-hint`, text: o.hint }) : null,
      o.error ? errorMessage(id, o.error) : null,
      body,
    ),
  );
}

export function choices(
  id: string,
  name: string,
  kind: "radio" | "checkbox",
  options: Array<{ value: string; label: string; hint?: string | undefined }>,
  checked: (v: string) => boolean,
  inline = false,
): HTMLElement {
  const cls = kind === "radio" ? "govuk-radios" : "govuk-checkboxes";
  return h(
    "div",
    { class: `${cls}${inline ? " govuk-radios--inline" : ""}`, "data-module": cls.replace("govuk-", "govuk-") },
    options.map((o, i) => {
      const oid = i === 0 ? id : `${id}-${i + 1}`;
      return h(
        "div",
        { class: `${cls}__item` },
        h("input", { class: `${cls}__input`, id: oid, name, type: kind, value: o.value, checked: checked(o.value) }),
        h("label", { class: `govuk-label ${cls}__label`, for: oid, text: o.label }),
        o.hint ? h("div", { class: `govuk-hint ${cls}__hint`, text: o.hint }) : null,
      );
    }),
  );
}

export const input = (id: string, value: string, attrs: Attrs = {}) =>
  h("input", { class: "govuk-input", id, name: id, type: "text", value, ...attrs });

export function textarea(id: string, value: string, rows = 5): HTMLElement {
  const t = h("textarea", { class: "govuk-textarea", id, name: id, rows }) as HTMLTextAreaElement;
  t.value = value;
  return t;
}

/** "date_of_birth" -> "Date of birth". */
const ABBREVIATIONS = new Set(["nhs", "upn", "id", "gp", "cp", "cin", "uasc"]);
export const words = (key: string): string => {
  const s = key
    .split("_")
    .map((w) => (ABBREVIATIONS.has(w) ? w.toUpperCase() : w))
    .join(" ");
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** A value from the server (words already) as text. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (Array.isArray(v)) return v.map(asText).filter(Boolean).join(", ");
  if (typeof v === "object") return Object.values(v as Record<string, unknown>).map(asText).filter(Boolean).join(", ");
  return String(v);
}

export function when(iso: unknown): string {
  if (typeof iso !== "string" || !iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  return iso.length > 10 ? `${date} at ${d.toLocaleTimeString("en-GB", { hour: "numeric", minute: "2-digit" })}` : date;
}
