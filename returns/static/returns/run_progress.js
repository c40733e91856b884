// Follows a return being made: polls the run's status every few seconds, moves the progress bar and the stage,
// and reloads the page when the run has finished (to show the files and the validation result). Without
// JavaScript the page has a "Refresh this page" link instead.
const box = document.getElementById("run-progress");

if (box && box.dataset.finished !== "true") {
  const every = Number(box.dataset.pollSeconds || "2") * 1000;
  const bar = document.getElementById("run-progress-bar");
  const percent = document.getElementById("run-percent");
  const status = document.getElementById("run-status");
  const stage = document.getElementById("run-stage");
  const count = document.getElementById("run-count");
  const refresh = document.getElementById("run-refresh");
  const number = new Intl.NumberFormat("en-GB");
  let failures = 0;

  if (refresh) refresh.hidden = true;

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const run = await response.json();
      failures = 0;
      bar.value = run.percent;
      bar.textContent = `${run.percent}%`;
      percent.textContent = String(run.percent);
      const tag = status.querySelector(".govuk-tag");
      if (tag && tag.textContent !== run.status_label) tag.textContent = run.status_label;
      if (stage.textContent !== run.stage) stage.textContent = run.stage;
      count.textContent = run.total > 0 && !run.finished ? `(${number.format(run.done)} of ${number.format(run.total)})` : "";
      if (run.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      failures += 1;
      if (refresh && failures >= 3) refresh.hidden = false; // the link again, if the server cannot be reached
      if (failures >= 30) return; // signed out, or the server is gone: stop asking
    }
    window.setTimeout(poll, every);
  };

  window.setTimeout(poll, every);
}
