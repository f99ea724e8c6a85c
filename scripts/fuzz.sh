#!/usr/bin/env bash
# Runs the decoder properties of crates/core/tests/props_*.rs (every suite) with a large case count, optimised, and prints
# one line: `N cases, P panics` (N: the cases that ran and passed, as each property reports
# them; P: the properties that failed or panicked). Exit status is non-zero if any failed.
#
#   scripts/fuzz.sh              # 55,000 cases per property (≥ 1,000,000 in all)
#   CASES=1000 scripts/fuzz.sh   # a quick run
#
# Not part of scripts/test.sh: CI runs the same properties with their small default counts
# through `cargo test`.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" CARGO_TERM_COLOR=never
cases=${CASES:-55000}
threads=${THREADS:-2}
log=$(mktemp)
t0=$(date +%s)

# The release profile, but with unwinding (a panic must fail its property, not abort the run),
# full speed instead of size, and no LTO (faster to build); in its own target directory so it
# never disturbs the app's builds.
export CARGO_PROFILE_RELEASE_PANIC=unwind CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
if ! cargo build --release -p callcard-core --test 'props_*' --target-dir target/fuzz --quiet 2>"$log"; then
  cat "$log"
  echo "build failed"
  echo "0 cases, 1 panics"
  exit 1
fi
t_build=$(( $(date +%s) - t0 ))

PROPTEST_CASES=$cases cargo test --release -p callcard-core --target-dir target/fuzz --quiet --test 'props_*' -- \
  --nocapture --test-threads="$threads" >"$log" 2>&1
rc=$?
t_run=$(( $(date +%s) - t0 - t_build ))

# (The harness's progress dots may share a line with a report: match anywhere.)
counts=$(grep -oE 'props-cases [A-Za-z0-9_]+ [0-9]+' "$log")
total=$(awk '{ n += $3 } END { print n + 0 }' <<<"$counts")
reported=$(grep -c . <<<"$counts")
passed=$(awk '/^test result:/ { for (i = 2; i <= NF; i++) if ($i ~ /^passed;?$/) p += $(i-1) } END { print p + 0 }' "$log")
failed=$(awk '/^test result:/ { for (i = 2; i <= NF; i++) if ($i ~ /^failed;?$/) f += $(i-1) } END { print f + 0 }' "$log")

# Every property that passed must have reported its count, and nothing may have failed.
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$reported" -ne "$passed" ] || [ "$passed" -eq 0 ]; then
  grep -E 'props-failed |panicked at|Test failed|minimal failing input' "$log" | cut -c1-2000
  [ "$failed" -eq 0 ] && failed=1
  echo "properties: $passed passed, $failed failed ($reported reported a count); build ${t_build}s, run ${t_run}s; log: $log"
  echo "$total cases, $failed panics"
  exit 1
fi
echo "properties: $passed, $cases cases each; build ${t_build}s, run ${t_run}s"
rm -f "$log"
echo "$total cases, 0 panics"
