#!/usr/bin/env bash
# The one test command: sets everything up on a fresh machine, then runs the
# whole suite (unit, headless widgets, notebooks under nbval, PostgreSQL, and a
# real Voila server driven by Debian's Chromium). Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh --test
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "test: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
