#!/usr/bin/env bash
# Fetches Debian's Asterisk prompt packages (real speakers + transcripts) into
# data/real without touching the system's apt state: a private sources list,
# package lists and cache under data/real/apt. Idempotent: skips what is there.
#   data/real/debs/*.deb              the packages as downloaded
#   data/real/pkgs/<package>/...      dpkg -x of each (transcripts also gunzipped)
#   data/real/LICENSES.txt            archive area, Section and License of each package
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/private_apt.sh
source scripts/lib/private_apt.sh
REAL=${CLASP_REAL_DIR:-data/real}
LANGS=${CLASP_REAL_LANGS:-"en es fr it"}
PKGS=()
for l in $LANGS; do PKGS+=("asterisk-core-sounds-$l" "asterisk-core-sounds-$l-wav"); done

mkdir -p "$REAL/debs" "$REAL/pkgs"
REAL=$(cd "$REAL" && pwd)
APT="$REAL/apt"

private_apt_download "$APT" "$REAL/debs" "${PKGS[@]}"

# Extract, gunzip transcripts, record archive area, Section and License.
lic="$REAL/LICENSES.txt.tmp"
{
  echo "# Debian bookworm packages behind data/real (written by scripts/fetch_real_speech.sh)."
  echo "# license: of this language's recordings (the copyright file's 'Files: <lang>-*' stanza, else 'Files: *')."
  printf '%-30s %-8s %-5s %-5s %-12s %s\n' package version area section license copyright
} >"$lic"
for p in "${PKGS[@]}"; do
  debs=("$REAL/debs/${p}"_*.deb)
  deb=${debs[0]}
  dest="$REAL/pkgs/$p"
  if [ ! -f "$dest/.extracted" ]; then
    rm -rf "$dest"
    dpkg -x "$deb" "$dest"
    touch "$dest/.extracted"
  fi
  for gz in "$dest"/usr/share/doc/"$p"/core-sounds-*.txt.gz; do
    [ -f "$gz" ] && [ ! -f "${gz%.gz}" ] && gunzip -k "$gz"
  done
  ver=$(dpkg-deb -f "$deb" Version)
  section=$(dpkg-deb -f "$deb" Section)
  area=main
  case $section in */*) area=${section%%/*}; section=${section#*/} ;; esac
  lang=${p#asterisk-core-sounds-}
  lang=${lang%-wav}
  # DEP-5 stanzas: the language's own, else the catch-all.
  read -r license holder < <(awk -v want="$lang-*" '
    /^Files:/ {f=$2; lic=""; cr=""}
    /^Copyright:/ {sub(/^Copyright: */, ""); cr=$0; gsub(/ /, "_", cr)}
    /^License:/ && f != "" {lic=$2; if (f == want) {print lic, cr; found=1; exit} if (f == "*") {d=lic " " cr}; f=""}
    END {if (!found) print d}' "$dest/usr/share/doc/$p/copyright")
  printf '%-30s %-8s %-5s %-5s %-12s %s\n' "$p" "$ver" "$area" "$section" "${license:-?}" "${holder//_/ }" >>"$lic"
done
mv "$lic" "$REAL/LICENSES.txt"
cat "$REAL/LICENSES.txt"
