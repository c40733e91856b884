// Builds the offline app (issue 13) with esbuild: `node web/mobile/build.mjs` writes the app's bundle, service
// worker, manifest and icons into casework/static_build/mobile/ and prints the gzip size of the first load;
// `node web/mobile/build.mjs --test` bundles the unit tests and runs them with node's test runner.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

if (process.argv.includes("--test")) {
  const out = join(root, "var", "mobile-tests");
  rmSync(out, { recursive: true, force: true });
  const tests = readdirSync(join(here, "test")).filter((f) => f.endsWith(".test.ts"));
  await build({
    entryPoints: tests.map((f) => join(here, "test", f)),
    outdir: out,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  const files = readdirSync(out).filter((f) => f.endsWith(".test.mjs")).map((f) => join(out, f));
  const run = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit", env: { ...process.env, CASEWORK_ROOT: root } });
  process.exit(run.status ?? 1);
}

const out = join(root, "casework", "static_build", "mobile");
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, format: "esm", target: ["es2020", "safari15", "chrome100", "edge100"], logLevel: "warning" };
await build({ ...common, entryPoints: [join(here, "src", "app.ts")], outfile: join(out, "app.js"), format: "esm" });
await build({ ...common, entryPoints: [join(here, "src", "sw.ts")], outfile: join(out, "sw.js"), format: "iife" });
for (const f of readdirSync(join(here, "icons"))) copyFileSync(join(here, "icons", f), join(out, f));
// The first load runs app.js and installs sw.js (the CSS is the site's own stylesheet).
const sizes = ["app.js", "sw.js"].map((f) => [f, gzipSync(readFileSync(join(out, f)), { level: 9 }).length]);
const total = sizes.reduce((a, [, n]) => a + n, 0);
const each = sizes.map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KB`).join(", ");
console.log(`mobile app: first-load JavaScript ${(total / 1024).toFixed(1)} KB gzip (${each}; target under 150 KB)`);
