#!/usr/bin/env bash
# Fetches Debian's klettres-data (letters and syllables spoken by people in
# about 25 languages) into data/real without touching the system's apt state:
# a private sources list, package lists and cache under data/real/apt-klettres
# (the technique of scripts/fetch_real_speech.sh, in folders of its own).
# Idempotent: skips what is there.
#   data/real/debs-klettres/klettres-data_*.deb   the package as downloaded
#   data/real/pkgs/klettres-data/...              dpkg -x of it
#   data/real/LICENSES-klettres.txt               archive area, Section and License
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/private_apt.sh
source scripts/lib/private_apt.sh
REAL=${CLASP_REAL_DIR:-data/real}
PKG=klettres-data

mkdir -p "$REAL/debs-klettres" "$REAL/pkgs"
REAL=$(cd "$REAL" && pwd)
APT="$REAL/apt-klettres"
DEBS="$REAL/debs-klettres"

private_apt_download "$APT" "$DEBS" "$PKG"

debs=("$DEBS/${PKG}"_*.deb)
deb=${debs[-1]}
dest="$REAL/pkgs/$PKG"
if [ ! -f "$dest/.extracted" ]; then
  rm -rf "$dest"
  dpkg -x "$deb" "$dest"
  touch "$dest/.extracted"
fi

ver=$(dpkg-deb -f "$deb" Version)
section=$(dpkg-deb -f "$deb" Section)
area=main
case $section in */*) area=${section%%/*}; section=${section#*/} ;; esac
copyright="$dest/usr/share/doc/$PKG/copyright"
lic="$REAL/LICENSES-klettres.txt.tmp"
{
  echo "# Debian bookworm package behind data/real/pkgs/$PKG (written by scripts/fetch_klettres.sh)."
  printf '%-16s %-12s %-5s %-10s %s\n' package version area section "licenses (copyright file)"
  licenses=$( { [ -f "$copyright" ] && grep -E '^License:' "$copyright" | awk '{print $2}' | sort -u | paste -sd' '; } || true)
  printf '%-16s %-12s %-5s %-10s %s\n' "$PKG" "$ver" "$area" "$section" "${licenses:-? (no machine-readable License: lines)}"
  echo
  echo "# The package's copyright file, verbatim:"
  if [ -f "$copyright" ]; then sed 's/^/  /' "$copyright"; else echo "  (none)"; fi
} >"$lic"
mv "$lic" "$REAL/LICENSES-klettres.txt"
sed -n 1,3p "$REAL/LICENSES-klettres.txt"
