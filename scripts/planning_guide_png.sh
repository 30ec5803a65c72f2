#!/usr/bin/env bash
# Regenerates docs/planning-guide-page1.png: the first page of the demo
# workshop's planning guide, printed by headless Chromium and rasterised by
# pdftoppm (poppler-utils). Uses a throw-away store; touches nothing else.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
.venv/bin/workshop demo --db "$tmp/demo.sqlite" >/dev/null
.venv/bin/workshop export demo --db "$tmp/demo.sqlite" --format pdf --output "$tmp/guide.pdf" >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/guide.pdf" docs/planning-guide-page1
echo "docs/planning-guide-page1.png ($(pdfinfo "$tmp/guide.pdf" | awk '/^Pages:/ {print $2}') pages in the PDF)"
