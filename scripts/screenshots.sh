#!/usr/bin/env bash
# Refreshes docs/screenshots/ on purpose. Test runs write their screenshots to target/screenshots/
# (ignored by git), so running the tests never changes a tracked file; this script runs the specs
# that take screenshots against the release build in dist/ and copies the results over.
#
#   bash scripts/screenshots.sh            # build (release) if dist/ is missing, run, copy
#   SKIP_BUILD=1 bash scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if [ ! -f dist/index.html ] && [ -z "${SKIP_BUILD:-}" ]; then
  nice trunk build --release
fi

rm -rf target/screenshots
# The specs whose tests save screenshots (tests/e2e/helpers.mjs SCREENSHOT_DIR).
npx playwright test --project=chromium \
  tests/e2e/card.spec.mjs tests/e2e/features.spec.mjs tests/e2e/glance.spec.mjs \
  tests/e2e/wrapup.spec.mjs tests/e2e/a11y.spec.mjs

mkdir -p docs/screenshots
cp target/screenshots/*.png docs/screenshots/
echo "copied $(ls target/screenshots/*.png | wc -l) screenshots to docs/screenshots/"
