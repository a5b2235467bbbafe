#!/usr/bin/env bash
# Demo of signed audit forms: make demo keys (inspector, manager), render and sign an audit form
# per record, countersign it, and verify it.
# Usage: scripts/demo-forms.sh BIN OUT RULEBOOK LANG RECORD...
#   BIN       the venv's bin folder (checkengine is run from there)
#   OUT       output folder (keys/ and one FORM.pdf per record)
#   RULEBOOK  the rulebook the records are evaluated against
#   LANG      the forms' language (one of the rulebook's)
# The demo key password is "demo" (CHECKENGINE_KEY_PASSWORD); these keys are SELF-SIGNED TEST KEYS.
set -euo pipefail
if [ $# -lt 5 ]; then
  echo "usage: $0 BIN OUT RULEBOOK LANG RECORD..." >&2
  exit 2
fi
BIN=$1; OUT=$2; RULEBOOK=$3; LANG_=$4; shift 4
CE="$BIN/checkengine"
export CHECKENGINE_KEY_PASSWORD=${CHECKENGINE_KEY_PASSWORD:-demo}
mkdir -p "$OUT/keys"
[ -f "$OUT/keys/inspector/key.p12" ] || "$CE" keys new --name "Demo Inspector" -o "$OUT/keys/inspector"
[ -f "$OUT/keys/manager/key.p12" ] || "$CE" keys new --name "Demo Site Manager" -o "$OUT/keys/manager"
for record in "$@"; do
  form="$OUT/$(basename "${record%.*}").pdf"
  "$CE" audit --rulebook "$RULEBOOK" "$record" --lang "$LANG_" -o "$form" --force \
    --sign "$OUT/keys/inspector/key.p12"
  "$CE" sign "$form" --key "$OUT/keys/manager/key.p12" --field manager
  "$CE" verify "$form" --trust "$OUT/keys/inspector/cert.pem" --trust "$OUT/keys/manager/cert.pem"
done
