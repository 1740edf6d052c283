#!/usr/bin/env bash
# Fetches the Debian Description Translation Project's description indexes
# (human translations of package descriptions) for bookworm main into
# data/parallel/ddtp, without touching the system's apt state: a private
# sources list, package lists and cache under data/parallel/apt, the mirror
# taken from the system's own sources (as scripts/fetch_real_speech.sh does).
#   data/parallel/ddtp/Translation-en   English descriptions (the source side)
#   data/parallel/ddtp/Translation-XX   es fr it de pt (pt only if the archive has it)
#   data/parallel/ddtp/package-source.tsv  binary package -> source package (amd64 Packages),
#                                       so the corpus can keep a source's binaries in one split
#   data/parallel/ddtp/SOURCES.txt      mirror, Release date, per-file records and sha256
# Idempotent: when every index is present it does nothing (CLASP_DDTP_REFRESH=1
# fetches again). Then: clasp data parallel --ddtp data/parallel/ddtp.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/private_apt.sh
source scripts/lib/private_apt.sh
PAR=${CLASP_PARALLEL_DIR:-data/parallel}
LANGS=${CLASP_DDTP_LANGS:-"en es fr it de pt"}
OPTIONAL=" pt "   # languages the archive may not carry: skipped with a note
SUITE=bookworm

mkdir -p "$PAR/ddtp"
PAR=$(cd "$PAR" && pwd)
OUT="$PAR/ddtp"
APT="$PAR/apt"

missing=()
[ -s "$OUT/package-source.tsv" ] || missing+=(package-source)
for l in $LANGS; do
  [ -s "$OUT/Translation-$l" ] || [ -f "$OUT/.absent-$l" ] || missing+=("$l")
done
if [ ${#missing[@]} -eq 0 ] && [ "${CLASP_DDTP_REFRESH:-0}" != 1 ]; then
  echo "DDTP indexes present in $OUT (CLASP_DDTP_REFRESH=1 to fetch again)"
  exit 0
fi

debian_mirror "$SUITE"

read -ra lang_list <<<"$LANGS"
langs_csv=$(IFS=,; echo "${lang_list[*]}")
private_apt_opts "$APT" "$langs_csv"
echo "deb [signed-by=$keyring] $mirror $SUITE main" >"$APT/sources.list"
opts=("${apt_opts[@]}")
apt-get "${opts[@]}" -q update

# apt keeps each index as fetched: uncompressed, or .lz4/.gz/.xz/.zst where
# the system's apt.conf.d says so (Debian's docker images keep lz4).
# apt-helper cat-file reads whichever it is.
decompress() { /usr/lib/apt/apt-helper cat-file "$1"; }
release=$(compgen -G "$APT/lists/*_dists_${SUITE}_InRelease" | head -n1 || true)
{
  echo "# DDTP description indexes behind data/parallel/ddtp (written by scripts/fetch_parallel_text.sh)."
  echo "# The translations are made by volunteers through the Debian Description Translation Project"
  echo "# (https://ddtp.debian.org) and shipped in the archive beside Translation-en. DDTP states no"
  echo "# licence of its own for them: they are translations of the descriptions of packages in main"
  echo "# (non-free descriptions are not offered for translation, for licence reasons)."
  echo "mirror: $mirror"
  echo "suite: $SUITE main"
  [ -n "$release" ] && grep -m1 '^Date:' "$release" | sed 's/^/release /'
  printf '%-16s %8s  %s\n' file records sha256
} >"$OUT/SOURCES.txt.tmp"
for l in $LANGS; do
  src=$(compgen -G "$APT/lists/*_dists_${SUITE}_main_i18n_Translation-${l}*" | grep -v '/partial/' | head -n1 || true)
  if [ -z "$src" ]; then
    case $OPTIONAL in
      *" $l "*) echo "note: $SUITE main has no Translation-$l; skipped"; touch "$OUT/.absent-$l"; continue ;;
      *) echo "error: $SUITE main: Translation-$l not fetched (see $APT/lists)" >&2; exit 1 ;;
    esac
  fi
  rm -f "$OUT/.absent-$l"
  decompress "$src" >"$OUT/Translation-$l.tmp"
  mv "$OUT/Translation-$l.tmp" "$OUT/Translation-$l"
  n=$(grep -c '^Package:' "$OUT/Translation-$l" || true)
  sum=$(sha256sum "$OUT/Translation-$l" | cut -d' ' -f1)
  printf '%-16s %8s  %s\n' "Translation-$l" "$n" "$sum" >>"$OUT/SOURCES.txt.tmp"
done
# Binary -> source package from the amd64 Packages index (arch: all included);
# binaries built only for other architectures keep their own name.
pkgs=$(compgen -G "$APT/lists/*_dists_${SUITE}_main_binary-amd64_Packages*" | grep -v '/partial/' | head -n1 || true)
[ -n "$pkgs" ] || { echo "error: $SUITE main: binary-amd64 Packages not fetched (see $APT/lists)" >&2; exit 1; }
decompress "$pkgs" | awk '/^Package:/ {p=$2; s=$2} /^Source:/ {s=$2} /^$/ {if (p != "") print p "\t" s; p=""}
  END {if (p != "") print p "\t" s}' | sort -u >"$OUT/package-source.tsv.tmp"
mv "$OUT/package-source.tsv.tmp" "$OUT/package-source.tsv"
printf '%-16s %8s\n' package-source.tsv "$(wc -l <"$OUT/package-source.tsv")" >>"$OUT/SOURCES.txt.tmp"
mv "$OUT/SOURCES.txt.tmp" "$OUT/SOURCES.txt"
cat "$OUT/SOURCES.txt"
