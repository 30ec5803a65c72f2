#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for the workshop kit, and does nothing
# twice: Debian's chromium and the fonts the planning guide is set in (the PDF
# exports print with them), a virtual environment in .venv with the package
# installed (editable; SQLite only), and, with --test, the test tools and the
# PostgreSQL driver (the package's test and postgres extras), the system
# packages the tests drive for real (poppler-utils and postgresql), and the
# pinned axe-core the accessibility tests inject (npm ci in tests/browser).
# Safe to run again; it only redoes what changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "setup.sh: unknown option $arg (expected --test)" >&2; exit 2 ;;
  esac
done

# System packages. Chromium prints the PDFs (the planning guide a facilitator
# exports after every workshop, the handout) and runs the browser tests; the
# guide and handout are set in Liberation Sans/Serif (DejaVu otherwise).
# PostgreSQL is the scale-out store the tests run against.
apt_missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || apt_missing+=(chromium)
fc-list 2>/dev/null | grep -qi "liberation sans" || apt_missing+=(fonts-liberation)
if [ "$want_test" = 1 ]; then
  # pdfinfo/pdftotext read back the PDFs Chromium prints (tests/toolkit/exports/test_pdf.py).
  command -v pdftotext >/dev/null 2>&1 || apt_missing+=(poppler-utils)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_missing+=(postgresql)
  fc-list 2>/dev/null | grep -qi dejavu || apt_missing+=(fonts-dejavu-core)
fi
# npm builds the pages' front end (toolkit/serve/page_bundle.py) and, with
# --test, installs axe-core for tests/browser/test_a11y.py (Debian's npm
# brings nodejs).
command -v npm >/dev/null 2>&1 || apt_missing+=(npm)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
  if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ] || ! command -v apt-get >/dev/null 2>&1; then
    if [ "$want_test" = 1 ]; then
      echo "setup: the tests need ${apt_missing[*]}; run: sudo apt-get install ${apt_missing[*]}" >&2
      exit 1
    fi
    # The workshop itself runs without them: the PDF exports need Chromium
    # and the fonts; without npm pages use Voila's larger front end.
    echo "setup: the PDF exports and the pages' small front end need ${apt_missing[*]}, which setup cannot install here (no root, no sudo or no apt-get);" >&2
    echo "setup: install them with: sudo apt-get install ${apt_missing[*]}  (everything else works without them)" >&2
  else
    echo "setup: installing system packages: ${apt_missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
# One stamp per pyproject.toml and set of extras: a test install also serves
# the start command, not the other way round.
hash="$(sha1sum pyproject.toml | cut -c1-12)"
if [ "$want_test" = 1 ]; then
  target=".[test,postgres]"; stamp=".venv/.installed-$hash-test"; check="import pytest, nbval, playwright, psycopg"
else
  target="."; stamp=".venv/.installed-$hash"; check="import platformdirs"
fi
if [ ! -f "$stamp" ] && [ ! -f ".venv/.installed-$hash-test" ]; then
  echo "setup: installing Python packages into .venv (first run takes a few minutes)"
  # pip's notes about local mirrors that are absent are noise here.
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored: it is neither" || true
  .venv/bin/python -m pip install -q -e "$target" 2>&1 | grep -v -e "is ignored: it is neither" -e "BuildBackendWarning" || true
  .venv/bin/python -c "import toolkit, voila, ipywidgets, sqlalchemy, pandas; $check" || { echo "setup: the install failed" >&2; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# The pages' own front end (toolkit/serve/page_bundle.py): npm ci of its lock
# file once, then an esbuild bundle of a second or two; without npm the pages
# use Voila's front end (1.2 MB a first visit instead of 0.2 MB).
front_lock="$(sha1sum toolkit/serve/front_end/package-lock.json toolkit/serve/front_end/*.js toolkit/serve/front_end/page.css toolkit/serve/icons.py toolkit/serve/page_bundle.py | sha1sum | cut -c1-12)"
if [ ! -f ".venv/.front-end-$front_lock" ] || [ ! -f toolkit/serve/static/page/page.js ] || [ ! -f toolkit/serve/static/page/page.css ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "setup: building the pages' front end (npm ci, esbuild)"
    .venv/bin/python -m toolkit.serve.page_bundle || { echo "setup: the pages' front end did not build" >&2; exit 1; }
    rm -f .venv/.front-end-*
    touch ".venv/.front-end-$front_lock"
  elif [ "$want_test" = 1 ]; then
    echo "setup: the tests need npm; run: sudo apt-get install npm" >&2
    exit 1
  fi
fi

# axe-core for the accessibility tests, exactly as package-lock.json pins it
# (npm ci), once per lock file: the tests read it from node_modules and fetch
# nothing while they run.
if [ "$want_test" = 1 ]; then
  lock_hash="$(sha1sum tests/browser/package-lock.json | cut -c1-12)"
  npm_stamp="tests/browser/node_modules/.installed-$lock_hash"
  if [ ! -f "$npm_stamp" ] || [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    echo "setup: installing axe-core for the browser tests (npm ci)"
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
    [ -f tests/browser/node_modules/axe-core/axe.min.js ] || { echo "setup: npm ci did not install axe-core" >&2; exit 1; }
    rm -f tests/browser/node_modules/.installed-*
    touch "$npm_stamp"
  fi
fi
