#!/usr/bin/env bash
# Compiles the Sass and copies GOV.UK Frontend's fonts, images and JavaScript into casework/static_build/.
# No bundler: server-rendered pages need one stylesheet and GOV.UK Frontend's own module.
set -euo pipefail
cd "$(dirname "$0")/.."
out=casework/static_build
gf=web/node_modules/govuk-frontend/dist/govuk
mkdir -p "$out/css" "$out/js" "$out/assets"
web/node_modules/.bin/sass --no-source-map --style=compressed --quiet \
  --load-path=web/node_modules web/scss/application.scss "$out/css/application.css"
cp -R "$gf/assets/." "$out/assets/"
cp "$gf/govuk-frontend.min.js" "$out/js/govuk-frontend.min.js"
cp web/js/*.js "$out/js/"
cp web/node_modules/axe-core/axe.min.js "$out/axe.min.js.test-only"
# The offline app (web/mobile, issue 13): TypeScript bundled by esbuild into $out/mobile/, its first-load size printed.
node web/mobile/build.mjs
echo "assets built in $out"
