#!/usr/bin/env bash
# Fails if the pure core (crates/core) or the demo simulation (crates/sim) depends, directly or
# not, on a browser crate, or if the simulation depends on anything of ours but the core.
# Checked for the WebAssembly target, where those crates would be available.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
for pkg in callcard-core callcard-sim; do
  tree=$(cargo tree -p "$pkg" --target wasm32-unknown-unknown -e normal --prefix none --format '{p}' 2>&1) || {
    echo "$pkg: cargo tree failed: $tree"; exit 1; }
  hits=$(printf '%s\n' "$tree" | awk '{print $1}' | grep -E '^(wasm-bindgen|wasm-bindgen-futures|web-sys|js-sys|leptos|gloo-timers|callcard)$' | sort -u)
  if [ -n "$hits" ]; then echo "$pkg depends on: $(echo $hits)"; bad=1; fi
  echo "$pkg: $(printf '%s\n' "$tree" | awk '{print $1}' | sort -u | wc -l) crates, none of them a browser crate"
done
ours=$(cargo tree -p callcard-sim -e normal --prefix none --format '{p}' | awk '{print $1}' | grep -E '^callcard' | sort -u | tr '\n' ' ')
[ "$ours" = "callcard-core callcard-sim " ] || { echo "callcard-sim depends on: $ours (the core only)"; bad=1; }
[ $bad -eq 0 ] && echo "the core and the simulation are pure"
exit $bad
