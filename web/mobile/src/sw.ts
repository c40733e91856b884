// The offline app's service worker. /mobile/sw.js (sync.app_views.service_worker) sets self.CASEWORK_SHELL (this
// release's version and files) and imports this file. It caches the shell so the app opens with no network:
// the page and static files come from the cache (and the page is refreshed in the background); nothing under
// /api/ is ever cached, because everything about people stays in the encrypted store. A wipe deletes the caches
// and unregisters this worker (store.ts, wipeDevice).

export {};
const sw = self as unknown as ServiceWorkerGlobalScope & {
  CASEWORK_SHELL: { version: string; files: string[]; shell: string };
};

const { version, files, shell } = sw.CASEWORK_SHELL;
const CACHE = `casework-mobile-${version}`;

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Fetched one by one, so one missing icon does not stop the app from installing.
      await Promise.all(
        files.map(async (url) => {
          const r = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
          if (r.ok && !r.redirected) await cache.put(url, r);
        }),
      );
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith("casework-mobile-") && key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

async function fromCache(key: string): Promise<Response | undefined> {
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

async function refresh(request: Request, key: string): Promise<Response> {
  const r = await fetch(request);
  // Only a real page is kept: never a redirect to sign in, never an error page.
  if (r.ok && !r.redirected && r.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(key, r.clone());
  }
  return r;
}

sw.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== sw.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && url.pathname === shell) {
    // The shell: from the cache at once, refreshed in the background for next time.
    event.respondWith(
      (async () => {
        const cached = await fromCache(shell);
        const fresh = refresh(request, shell);
        if (cached) {
          event.waitUntil(fresh.catch(() => undefined));
          return cached;
        }
        return fresh;
      })(),
    );
    return;
  }
  if (url.pathname.startsWith("/static/") || files.includes(url.pathname)) {
    // Static files have hashed names: the cached copy is right; what is not cached yet is kept on first use.
    event.respondWith(
      (async () => (await fromCache(url.pathname)) ?? refresh(request, url.pathname))(),
    );
  }
});
