#!/usr/bin/env bash
# The demo behind `make demo`: lint and test the bundled rulebooks, evaluate the example month
# against every rulebook, produce signed and countersigned audit forms and verify them, and build
# the monthly report. Outputs go to OUT (default build/demo).
# Usage: scripts/demo.sh BIN OUT
set -euo pipefail
BIN=${1:-.venv/bin}; OUT=${2:-build/demo}
CE="$BIN/checkengine"
MONTH=examples/month-2026-11
mkdir -p "$OUT/results"

# Exit 1 means findings, which the example month has on purpose; 2 and 3 are real problems.
findings_ok() { local rc=$?; [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { echo "demo: step failed (exit $rc)" >&2; exit "$rc"; }; }

echo "== 1. lint the rulebooks"
"$CE" lint rulebooks/

echo; echo "== 2. rulebook unit tests, with coverage"
"$CE" test rulebooks/ --coverage --min-coverage 100 | tail -n 2

echo; echo "== 3. evaluate the example month (November 2026) against every rulebook"
for rb in rulebooks/*.yaml rulebooks/branches/*.yaml; do
  id=$(basename "${rb%.yaml}")
  echo; echo "-- $rb"
  "$CE" evaluate --rulebook "$rb" "$MONTH" --waivers "$MONTH/waivers.yaml" --format json \
    -o "$OUT/results/$id.json" || findings_ok
  "$CE" evaluate --rulebook "$rb" "$MONTH" --waivers "$MONTH/waivers.yaml" --format summary || findings_ok
done

echo; echo "== 4. signed audit forms: render, sign (inspector), countersign (site manager), verify"
bash scripts/demo-forms.sh "$BIN" "$OUT/forms" rulebooks/cs-floor.yaml zh-Hant \
  "$MONTH/inspections/FI-2026-11-03-001.yaml" "$MONTH/inspections/FI-2026-11-12-001.yaml"
bash scripts/demo-forms.sh "$BIN" "$OUT/forms" rulebooks/cs-floor.yaml en "$MONTH/inspections/FI-2026-11-24-001.yaml"
bash scripts/demo-forms.sh "$BIN" "$OUT/forms" rulebooks/branch-service.yaml zh-Hans "$MONTH/inspections/BI-2026-11-05-001.yaml"
bash scripts/demo-forms.sh "$BIN" "$OUT/forms" rulebooks/mystery-shopping.yaml es "$MONTH/inspections/MS-2026-11-16-001.yaml"
echo; echo "== 5. archive the month (append-only) and build the centre's monthly report"
rm -f "$OUT/archive.sqlite" "$OUT/archive.sqlite-wal" "$OUT/archive.sqlite-shm"
for rb in rulebooks/cs-floor.yaml rulebooks/leave-and-swaps.yaml rulebooks/call-quality.yaml \
          rulebooks/service-awareness.yaml rulebooks/management.yaml; do
  "$CE" archive add --db "$OUT/archive.sqlite" --rulebook "$rb" "$MONTH" --waivers "$MONTH/waivers.yaml" --lang zh-Hant
done
"$CE" archive query --db "$OUT/archive.sqlite" --site cc-taipei --period 2026-11 --outcome fail | tail -n 5

echo; echo "-- corrective actions (opened by archive add): one done with a photo, verified by a second person"
DB="$OUT/archive.sqlite"
"$CE" actions list --db "$DB" --site cc-taipei --overdue --today 2026-11-30 | tail -n 4
# sed reads the whole listing (head would close the pipe on a listing still being written)
id=$("$CE" actions list --db "$DB" --site cc-taipei --status open | sed -n '1s/^#\([0-9]*\) .*/\1/p')
"$CE" actions update "$id" assign --to E001 --by E022 --db "$DB"
"$CE" actions update "$id" done --by E001 --note "put right on the floor; photo taken" \
  --photo "$MONTH/inspections/photos/fi-2026-11-10-e009-desk.jpg" --db "$DB"
"$CE" actions update "$id" verify --by E001 --db "$DB" 2>&1 || echo "(refused, as it should be: E001 did the work)"
"$CE" actions update "$id" verify --by E022 --db "$DB"
"$CE" actions show "$id" --db "$DB"

echo; echo "-- schedules: what November wanted at the centre; the all-agents meeting moved to the 24th"
"$CE" schedule --db "$DB" --period 2026-11 --site cc-taipei --status missed || findings_ok
"$CE" schedule reschedule monthly-all-staff-meeting --site cc-taipei --due 2026-11-20 --to 2026-11-24 --by E022 \
  --reason "system switch-over drill on the 20th" --db "$DB"
"$CE" schedule --db "$DB" --period 2026-11 --site cc-taipei | tail -n 1 || findings_ok
"$CE" report --archive "$OUT/archive.sqlite" --period 2026-11 --site cc-taipei --lang zh-Hant \
  -o "$OUT/report-cc-taipei-2026-11.pdf" --html "$OUT/report-cc-taipei-2026-11.html"

echo; echo "== 6. for other tools: OSCAL assessment results and HDF of the floor rounds, the rulebook as an"
echo "      OSCAL catalog and its night overlay as a profile, and the rulebook as a signed, verified bundle"
mkdir -p "$OUT/exchange"
for fmt in oscal hdf; do
  "$CE" evaluate --rulebook rulebooks/cs-floor.yaml "$MONTH/inspections" --waivers "$MONTH/waivers.yaml" \
    --format "$fmt" -o "$OUT/exchange/cs-floor-2026-11.$fmt.json" || findings_ok
done
"$CE" oscal catalog rulebooks/cs-floor.yaml -o "$OUT/exchange/cs-floor.catalog.json"
"$CE" oscal profile rulebooks/branches/cc-taipei-night.yaml -o "$OUT/exchange/cc-taipei-night.profile.json"
rm -f "$OUT"/exchange/cs-floor-*.tar.gz "$OUT"/exchange/cs-floor-*.tar.gz.p7s
CHECKENGINE_KEY_PASSWORD=${CHECKENGINE_KEY_PASSWORD:-demo} \
  "$CE" bundle rulebooks/cs-floor.yaml -o "$OUT/exchange" --sign "$OUT/forms/keys/inspector/key.p12"
"$CE" bundle --verify "$OUT"/exchange/cs-floor-*.tar.gz --trust "$OUT/forms/keys/inspector/cert.pem"

echo; echo "demo outputs are in $OUT"
