// Marking an area to redact by dragging a box over a page image (documents/redaction.html). Without this script the
// page works the same: the "Enter a page and area" form takes the page and the area as percentages. Dragging only
// fills that form in (page, from the left, from the top, width, height, all as percentages of the page) and moves to
// its reason; the worker then marks the area with the form's button, so the server checks it as it checks any other.
const form = document.querySelector("form[data-redaction-area-form]");
const notice = document.getElementById("drawn-notice");

function field(name) {
  return form.querySelector(`[name="area-${name}"]`);
}

function percent(value) {
  return String(Math.round(Math.min(100, Math.max(0, value * 100)) * 100) / 100);
}

function fill(page, box) {
  field("page").value = String(page);
  field("x").value = percent(box.x);
  field("y").value = percent(box.y);
  field("width").value = percent(box.width);
  field("height").value = percent(box.height);
  field("method").value = "drawn";
  notice.textContent = `Area drawn on page ${page}. Choose why it is being redacted, then select Mark this area.`;
  const reason = form.querySelector('[name="area-reason"]');
  form.scrollIntoView({ block: "start" });
  (reason || field("page")).focus({ preventScroll: true });
}

function place(element, box) {
  element.style.left = `${box.x * 100}%`;
  element.style.top = `${box.y * 100}%`;
  element.style.width = `${box.width * 100}%`;
  element.style.height = `${box.height * 100}%`;
}

function attach(container) {
  const page = Number(container.dataset.redactPage);
  let start = null;
  let drawn = null;

  const at = (event) => {
    const rect = container.getBoundingClientRect();
    return {
      x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)),
      y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)),
    };
  };
  const boxFrom = (a, b) => ({
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    width: Math.abs(a.x - b.x),
    height: Math.abs(a.y - b.y),
  });

  container.addEventListener("pointerdown", (event) => {
    // A finger scrolls the page as usual (a box is drawn with a mouse or a pen; on a phone, enter the area).
    if (event.button !== 0 || event.pointerType === "touch") return;
    event.preventDefault();
    start = at(event);
    container.setPointerCapture(event.pointerId);
    for (const old of document.querySelectorAll(".cw-redact-box")) old.remove();
    drawn = document.createElement("div");
    drawn.className = "cw-redact-box";
    drawn.setAttribute("aria-hidden", "true");
    container.appendChild(drawn);
    place(drawn, boxFrom(start, start));
  });
  container.addEventListener("pointermove", (event) => {
    if (start && drawn) place(drawn, boxFrom(start, at(event)));
  });
  container.addEventListener("pointerup", (event) => {
    if (!start) return;
    const box = boxFrom(start, at(event));
    start = null;
    if (box.width < 0.005 || box.height < 0.005) {
      if (drawn) drawn.remove();
      return;
    }
    fill(page, box);
  });
}

if (form && notice) {
  for (const container of document.querySelectorAll("[data-redact-page]")) attach(container);
}
