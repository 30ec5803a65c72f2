#!/usr/bin/env bash
# The one start command: sets up a fresh machine (with Debian's chromium, which
# prints the planning guide's PDF after the workshop), fills the store with a
# demo workshop if it is empty, and serves the workshop with Voila. Extra
# arguments go to `workshop serve` (try --help).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
.venv/bin/workshop demo --if-empty
exec .venv/bin/workshop serve "$@"
