#!/usr/bin/env bash
# Regenerates docs/facilitator-guide-page.png (the notes page of tool 2 in
# the facilitator's guide for the "first-meeting" plan: core questions,
# timings, method, pitfalls and a sensitive question) and
# docs/worksheet-stakeholder-map.png, printed by headless Chromium and
# rasterised by pdftoppm (poppler-utils). Needs no store.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
.venv/bin/workshop handout --facilitator --plan first-meeting --format pdf --output "$tmp/guide.pdf" >/dev/null
.venv/bin/workshop worksheet stakeholder-map --format pdf --output "$tmp/sheet.pdf" >/dev/null
page="$(pdftotext -layout "$tmp/guide.pdf" - | awk -v RS='\f' '!p && /Share a Vision of Success/ && /Pitfalls|PITFALLS|P I T FA L L S/ {p = NR} END {print p}')"
pdftoppm -png -r 80 -f "$page" -l "$page" -singlefile "$tmp/guide.pdf" docs/facilitator-guide-page
pdftoppm -png -r 80 -singlefile "$tmp/sheet.pdf" docs/worksheet-stakeholder-map
echo "docs/facilitator-guide-page.png (page $page of $(pdfinfo "$tmp/guide.pdf" | awk '/^Pages:/ {print $2}')), docs/worksheet-stakeholder-map.png"
