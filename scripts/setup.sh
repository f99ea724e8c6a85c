#!/usr/bin/env bash
# Installs whatever is missing for building and testing callcard. Idempotent: a second run
# changes nothing and takes seconds. Everything comes from Debian, crates.io or npm; Trunk is
# configured never to download a tool, and no test tool downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14   # 0.22.x needs rustc >= 1.96.1
# wasm-bindgen-cli MUST equal the wasm-bindgen crate version in Cargo.lock.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v brotli >/dev/null || missing+=(brotli)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  step "cargo install trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WB_VERSION"; then
  step "cargo install wasm-bindgen-cli $WB_VERSION (about 3 minutes)"
  # No --locked: its lockfile pins a webpki-roots the registry here lacks (so the lockfile's own versions cannot be used offline).
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force
fi

# binaryen 132 (wasm-opt), esbuild (scripts/minify_js.py), Playwright and axe-core
# (tests/e2e/a11y.spec.mjs); never a browser download.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/@playwright/test ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

# Trunk runs cargo with --offline: the crates must already be here.
cargo fetch --quiet
