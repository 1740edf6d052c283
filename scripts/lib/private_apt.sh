# Sourced by the scripts that fetch Debian packages or indexes without
# touching the system's apt state: a private sources list, package lists and
# cache, with the mirror taken from the system's own sources.

# debian_mirror SUITE: sets $mirror and $keyring from the system's sources
# (deb822 .sources files or a one-line sources.list), Debian's defaults else.
debian_mirror() {
  local suite=$1 f
  mirror="" keyring=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    for f in /etc/apt/sources.list.d/*.sources; do
      # First stanza whose suite is the plain release (not -security / -updates).
      read -r mirror keyring < <(awk -v suite="$suite" '
        /^URIs:/ {u=$2} /^Signed-By:/ {k=$2} /^Suites:/ {s=$0 " "}
        /^$/ {if (u != "" && index(s, " " suite " ")) {print u, k; exit} u=""; k=""; s=""}
        END {if (u != "" && index(s, " " suite " ")) print u, k}' "$f") || true
      [ -n "$mirror" ] && break
    done
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk -v suite="$suite" '$1 == "deb" && $0 ~ (" " suite " ") {
        for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  # Signed-By may hold the key itself rather than a file: then Debian's keyring.
  [[ $keyring == /* ]] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  echo "mirror: $mirror"
}

# private_apt_opts APT_DIR LANGUAGES: the apt-get options of a private
# configuration under APT_DIR (its sources.list written by the caller) in $apt_opts.
private_apt_opts() {
  local apt=$1 langs=$2
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  apt_opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=-"
            -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
            -o "Dir::State::status=/var/lib/dpkg/status" -o "Acquire::Languages=$langs"
            -o "APT::Sandbox::User=root")
}

# private_apt_download APT_DIR DEST_DIR PACKAGE...: bookworm's packages (every
# archive area: some voices live in non-free) as .deb files in DEST_DIR. A
# package may be named pkg/release; one whose .deb DEST_DIR already holds is
# not fetched again, and when none is missing the network is not touched.
private_apt_download() {
  local apt=$1 dest=$2 p
  shift 2
  local missing=()
  for p in "$@"; do
    compgen -G "$dest/${p%%/*}_*.deb" >/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  set -- "${missing[@]}"
  debian_mirror bookworm
  private_apt_opts "$apt" none
  echo "deb [signed-by=$keyring] $mirror bookworm main contrib non-free non-free-firmware" >"$apt/sources.list"
  apt-get "${apt_opts[@]}" -q update
  # Into a side folder first, so a killed download never looks complete.
  rm -rf "$apt/incoming" && mkdir -p "$apt/incoming" "$dest"
  (cd "$apt/incoming" && apt-get "${apt_opts[@]}" -q download "$@")
  mv "$apt/incoming"/*.deb "$dest/"
}
