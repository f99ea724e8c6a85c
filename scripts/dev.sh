#!/usr/bin/env bash
# Installs what is missing, then serves the demo card at http://127.0.0.1:8080/ (trunk serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
echo "Demo card: http://127.0.0.1:8080/  (try ?scenario=hidden&lang=ru&theme=dark — see README)"
exec trunk serve "$@"
