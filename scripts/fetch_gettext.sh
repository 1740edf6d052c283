#!/usr/bin/env bash
# Fetches the gettext message catalogs (.mo: English msgid, translated msgstr)
# of a fixed list of Debian bookworm main packages into data/parallel/gettext,
# without touching the system's apt state (a private sources list, lists and
# cache under data/parallel/apt-gettext; see scripts/lib/private_apt.sh).
#   data/parallel/gettext/debs/*.deb                 the packages as downloaded
#   data/parallel/gettext/mo/<package>/<lang>/*.mo   their catalogs for our languages
#   data/parallel/gettext/SOURCES.txt                package, version, catalogs, licence
# Idempotent: skips what is there. Then: clasp data gettext.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/private_apt.sh
source scripts/lib/private_apt.sh
PAR=${CLASP_PARALLEL_DIR:-data/parallel}
LANGS=${CLASP_GETTEXT_LANGS:-"es fr it de pt"}
# Programs with many translated user-facing messages, all in Debian main.
# Their catalogs are part of each program and under its licence (GPL, LGPL,
# BSD and the like: every one in main is DFSG-free); SOURCES.txt records each.
PKGS=(${CLASP_GETTEXT_PACKAGES:-apt libapt-pkg6.0 adduser bash coreutils diffutils dpkg libdpkg-perl findutils
  gawk grep sed tar wget xz-utils psmisc procps man-db git gnupg-l10n libc-l10n libgtk-3-common
  libgtk2.0-common libglib2.0-data gettext gettext-base shared-mime-info xkb-data xdg-user-dirs appstream
  packagekit libgdk-pixbuf2.0-common libgnutls30 libexif12 libgphoto2-port12 login libpam-runtime
  gsettings-desktop-schemas at-spi2-common make systemd software-properties-common python-apt-common
  libgstreamer1.0-0 libgstreamer-plugins-base1.0-0})

G="$PAR/gettext"
mkdir -p "$G/debs" "$G/mo"
G=$(cd "$G" && pwd)
APT="$PAR/apt-gettext"
mkdir -p "$APT"
APT=$(cd "$APT" && pwd)

# pkg/bookworm: the release's own version, even when this system has a
# newer one installed from -security or -updates that the private list lacks.
private_apt_download "$APT" "$G/debs" "${PKGS[@]/%//bookworm}"

sources="$G/SOURCES.txt.tmp"
{
  echo "# gettext catalogs behind data/parallel/gettext (written by scripts/fetch_gettext.sh), Debian bookworm main."
  echo "# Each catalog is part of its program and shares its licence (first License: of debian/copyright below)."
  printf '%-32s %-28s %8s  %s\n' package version catalogs license
} >"$sources"
for p in "${PKGS[@]}"; do
  debs=("$G/debs/${p}"_*.deb)
  deb=${debs[0]}
  dest="$G/mo/$p"
  if [ ! -f "$dest/.extracted" ]; then
    rm -rf "$dest" "$G/tmp"
    mkdir -p "$G/tmp" "$dest"
    dpkg -x "$deb" "$G/tmp"
    for l in $LANGS; do
      src="$G/tmp/usr/share/locale/$l/LC_MESSAGES"
      if compgen -G "$src/*.mo" >/dev/null; then
        mkdir -p "$dest/$l"
        cp "$src"/*.mo "$dest/$l/"
      fi
    done
    cright=$(compgen -G "$G/tmp/usr/share/doc/*/copyright" | head -n1 || true)
    lic=unknown
    [ -n "$cright" ] && lic=$(awk '/^License:/ {sub(/^License: */, ""); print; exit}' "$cright")
    [ -n "$lic" ] || lic="see the package's copyright file"
    echo "${lic:-unknown}" >"$dest/LICENSE-NAME"
    rm -rf "$G/tmp"
    touch "$dest/.extracted"
  fi
  n=$(find "$dest" -name '*.mo' | wc -l)
  printf '%-32s %-28s %8s  %s\n' "$p" "$(dpkg-deb -f "$deb" Version)" "$n" "$(cat "$dest/LICENSE-NAME")" >>"$sources"
done
mv "$sources" "$G/SOURCES.txt"
echo "catalogs: $(find "$G/mo" -name '*.mo' | wc -l) in $G/mo ($(du -sh "$G/mo" | cut -f1))"
