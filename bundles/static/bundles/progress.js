// Follows a bundle being made: polls its status every two seconds, moves the progress bar and the stage, and reloads
// the page when it has finished (to show the download and the exhibits). Without JavaScript the page has a
// "Refresh this page" link instead.
const box = document.getElementById("bundle-progress");

if (box && box.dataset.finished !== "true") {
  const bar = document.getElementById("bundle-progress-bar");
  const percent = document.getElementById("bundle-percent");
  const stage = document.getElementById("bundle-stage");
  const refresh = document.getElementById("bundle-refresh");
  let failures = 0;
  if (refresh) refresh.hidden = true;

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const bundle = await response.json();
      failures = 0;
      bar.value = bundle.percent;
      bar.textContent = `${bundle.percent}%`;
      percent.textContent = String(bundle.percent);
      if (stage.textContent !== bundle.stage) stage.textContent = bundle.stage;
      if (bundle.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      failures += 1;
      if (refresh && failures >= 3) refresh.hidden = false;
      if (failures >= 30) return;
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
