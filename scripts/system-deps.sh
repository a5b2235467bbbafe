#!/usr/bin/env bash
# Installs the Debian packages the PDF side needs (fonts with CJK glyphs, HarfBuzz subsetting for
# WeasyPrint, poppler's pdfsig/pdffonts/pdftoppm, qpdf), and PostgreSQL's server (the archive's store tests run a
# throw-away cluster of it), and chromium (the browser tests of `checkengine serve` and of the
# interactive report drive it), when
# they are missing.
# As root it installs them; otherwise it prints the one command to run and exits 2.
set -euo pipefail
packages=(fonts-noto-cjk fonts-noto-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils qpdf
          postgresql chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "checkengine needs these system packages: ${missing[*]} (or your system's equivalent); install them and run make again." >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "checkengine needs system packages that are missing: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
