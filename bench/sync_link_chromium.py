"""The fallback link of bench/sync_link.py: Debian's Chromium with CDP's network emulation (no root, no `ip`).

The page is opened on the server's origin and speaks the protocol with fetch, as the app does (the browser asks for
brotli itself); `Network.emulateNetworkConditions` gives 300 ms latency and 50,000 bytes/s each way. Bytes are the
sum of CDP's `encodedDataLength` (response headers and body) and the request bodies. Chromium's latency is a minimum
per request (from sending it to the response headers), not added on each crossing: the server's own time hides
inside it, and there is no handshake round trip, so its times are kinder than the namespace's.
"""

from __future__ import annotations

import shutil
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

CLIENT_JS = """
async ({kind, token, device, limit, people}) => {
  const h = {"Authorization": `Bearer ${token}`, "X-Casework-Device": device};
  window.state = window.state || {store: new Map(), cursor: null};
  const st = window.state;
  const checksum = async () => {
    const rows = [...st.store.values()].map((r) => [r.type, r.id, r.version]);
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const text = rows.map(([t, i, v]) => `${t} ${i} ${v}\\n`).join("");
    const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  const t0 = performance.now();
  let requests = 0, sent = 0, ok = null;
  if (kind === "push") {
    const batch = people.split(",").map((p) => {
      const rec = st.store.get(`person ${p}`);
      return {id: crypto.randomUUID(), type: "person", action: "update", record_id: p, base_version: rec.version,
              fields: {first_language: "Welsh"}, base: {first_language: rec.data.editable.first_language}};
    });
    const body = JSON.stringify({mutations: batch});
    sent += body.length;
    const r = await fetch("/api/v1/sync/push", {method: "POST", headers: {...h, "Content-Type": "application/json"}, body});
    requests += 1;
    const results = (await r.json()).results;
    return {seconds: (performance.now() - t0) / 1000, requests, sent, statuses: [...new Set(results.map((x) => x.status))].sort(),
            records: st.store.size};
  }
  for (;;) {
    const q = new URLSearchParams({limit: String(limit)});
    if (st.cursor) { q.set("cursor", st.cursor); q.set("checksum", await checksum()); }
    const r = await fetch(`/api/v1/sync/pull?${q}`, {headers: h});
    requests += 1;
    const page = await r.json();
    if (page.reset) { st.store.clear(); st.cursor = null; continue; }
    for (const e of page.evictions) {
      if (e.person_id !== undefined) { for (const [k, v] of st.store) if (v.person_id === e.person_id) st.store.delete(k); }
      else st.store.delete(`${e.type} ${e.id}`);
    }
    for (const rec of page.upserts) st.store.set(`${rec.type} ${rec.id}`, rec);
    st.cursor = page.cursor;
    if (!page.has_more) { ok = page.scope_checksum === (await checksum()); break; }
  }
  return {seconds: (performance.now() - t0) / 1000, requests, sent, checksum_ok: ok, records: st.store.size};
}
"""


class ChromiumLink:
    kind = "chromium"

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self.pw = sync_playwright().start()
        self.browser = self.pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        self.page = self.browser.new_page()
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 300, "downloadThroughput": 50_000, "uploadThroughput": 50_000},
        )
        self.received = 0
        self.sent = 0
        self.cdp.on("Network.loadingFinished", self._finished)
        self.opened = False
        self.reason = ""

    def _finished(self, event: dict[str, Any]) -> None:
        self.received += int(event.get("encodedDataLength", 0))

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "chromium",
            "emulation": "CDP Network.emulateNetworkConditions: latency 300 ms, 50,000 bytes/s down and up",
            "why_not_netns": self.reason,
        }

    def wire_bytes(self) -> int:
        return self.received + self.sent

    def run(
        self, kind: str, *, host: str, port: int, token: str, device: str, limit: int, people: str
    ) -> dict[str, Any]:
        if not self.opened:
            # A page of Casework's own, whose policy lets its script call Casework (connect-src 'self'); a JSON
            # answer such as /healthz forbids everything (default-src 'none').
            self.page.goto(f"http://{host}:{port}/accounts/login/")
            self.page.wait_for_load_state("networkidle")  # its styles and scripts are not the sync's bytes
            self.page.wait_for_timeout(500)
            self.opened = True
            self.received = 0
        got = self.page.evaluate(
            CLIENT_JS, {"kind": "push" if kind == "push" else "pull", "token": token, "device": device,
                        "limit": limit, "people": people},
        )  # fmt: skip
        self.page.wait_for_timeout(200)  # the last loadingFinished events
        self.sent += int(got.pop("sent"))
        got["body_bytes"] = None
        got["seconds"] = round(got["seconds"], 3)
        return got

    def close(self) -> None:
        self.browser.close()
        self.pw.stop()
