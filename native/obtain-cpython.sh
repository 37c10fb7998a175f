#!/bin/sh
# Obtains the pinned CPython release tarball and writes it to DEST.
#
#   native/obtain-cpython.sh DEST [GIVEN]
#
# Routes, in order:
#   1. GIVEN, or $CPYLOCK_CPYTHON_TARBALL: a tarball the user supplies;
#   2. the local cache, $CPYLOCK_CACHE_DIR (default $XDG_CACHE_HOME/cpylock,
#      else ~/.cache/cpylock);
#   3. the python.org download URL;
#   4. Debian's source package python3.13 (suite trixie), fetched with
#      `apt-get source --download-only` under a private sources list and state
#      directory, from the mirror named in this machine's own apt sources.
# Every candidate must match the pinned SHA-256; a verified download is copied
# into the cache so later builds work offline.
set -eu

# The one place the pinned release is named: CMakeLists.txt and
# build-interpreter.sh read these two lines.
VERSION=3.13.5
SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
NAME="Python-$VERSION.tar.xz"
URL="https://www.python.org/ftp/python/$VERSION/$NAME"
DEBIAN_PACKAGE=python3.13
DEBIAN_SUITE=trixie

DEST=${1:?usage: obtain-cpython.sh DEST [GIVEN]}
GIVEN=${2:-${CPYLOCK_CPYTHON_TARBALL:-}}
CACHE_DIR=${CPYLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cpylock}

log() { printf 'obtain-cpython: %s\n' "$*" >&2; }

TEMP_DIRS=
trap 'rm -rf $TEMP_DIRS' EXIT
new_temp_dir() { TMPD=$(mktemp -d); TEMP_DIRS="$TEMP_DIRS $TMPD"; }

verified() {
    [ -f "$1" ] || return 1
    actual=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$actual" != "$SHA256" ]; then
        log "$1 has SHA-256 $actual, expected $SHA256: ignored"
        return 1
    fi
}

deliver() {
    mkdir -p "$(dirname "$DEST")"
    cp "$1" "$DEST.part" && mv "$DEST.part" "$DEST"
    if [ "$2" = store ] && mkdir -p "$CACHE_DIR" 2>/dev/null; then
        cp "$1" "$CACHE_DIR/$NAME.part" && mv "$CACHE_DIR/$NAME.part" "$CACHE_DIR/$NAME" || true
    fi
    log "using $1"
    exit 0
}

# Prints the URI of the Debian archive this machine's apt sources name for its
# own release (the suite equal to VERSION_CODENAME in /etc/os-release), read
# from one-line (.list) and deb822 (.sources) files.
debian_mirror() {
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return 0
    {
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] && awk -v want="$codename" '$1 == "deb" || $1 == "deb-src" {
                i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) == want) print $i }' "$f"
        done
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && awk -v want="$codename" 'BEGIN { RS = ""; FS = "\n" } {
                uris = ""; suites = ""
                for (n = 1; n <= NF; n++) {
                    if ($n ~ /^URIs:/) uris = substr($n, 6)
                    if ($n ~ /^Suites:/) suites = substr($n, 8)
                }
                k = split(suites, s, " ")
                for (j = 1; j <= k; j++) if (s[j] == want && uris != "") { split(uris, u, " "); print u[1]; break }
            }' "$f"
        done
    } 2>/dev/null | head -n 1
}

from_debian() {
    command -v apt-get >/dev/null 2>&1 || { log "apt-get not found"; return 1; }
    mirror=$(debian_mirror)
    [ -n "$mirror" ] || { log "no Debian archive in this machine's apt sources"; return 1; }
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || { log "$keyring not found"; return 1; }
    new_temp_dir; work=$TMPD
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/etc/parts" "$work/etc/prefs.d" "$work/dl"
    echo "deb-src [signed-by=$keyring] $mirror $DEBIAN_SUITE main" > "$work/etc/sources.list"
    : > "$work/status"
    set -- -o Dir::Etc::SourceList="$work/etc/sources.list" \
           -o Dir::Etc::SourceParts="$work/etc/parts" \
           -o Dir::Etc::Preferences="$work/etc/prefs" \
           -o Dir::Etc::PreferencesParts="$work/etc/prefs.d" \
           -o Dir::State="$work" -o Dir::State::Lists="$work/lists" \
           -o Dir::State::status="$work/status" -o Dir::Cache="$work/cache" \
           -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" -q
    log "trying Debian source package $DEBIAN_PACKAGE ($DEBIAN_SUITE) from $mirror"
    if apt-get "$@" update >&2 &&
       (cd "$work/dl" && apt-get "$@" source --download-only "$DEBIAN_PACKAGE" >&2); then
        for f in "$work"/dl/"${DEBIAN_PACKAGE}_$VERSION".orig.tar.xz; do
            if verified "$f"; then
                deliver "$f" store
            fi
        done
        log "Debian's $DEBIAN_PACKAGE source package has no verified ${DEBIAN_PACKAGE}_$VERSION.orig.tar.xz"
    fi
    return 1
}

# 1. given by the user
if [ -n "$GIVEN" ]; then
    verified "$GIVEN" && deliver "$GIVEN" store
    log "the given tarball $GIVEN is missing or does not verify"
fi

# 2. local cache
verified "$CACHE_DIR/$NAME" && deliver "$CACHE_DIR/$NAME" keep

# 3. python.org
new_temp_dir; tmp=$TMPD
if command -v curl >/dev/null 2>&1; then
    log "trying $URL"
    curl -fsSL --connect-timeout 15 --max-time 600 -o "$tmp/$NAME" "$URL" 2>&1 | sed 's/^/obtain-cpython: /' >&2 || true
elif command -v wget >/dev/null 2>&1; then
    log "trying $URL"
    wget -q -T 15 -O "$tmp/$NAME" "$URL" || true
fi
verified "$tmp/$NAME" && deliver "$tmp/$NAME" store

# 4. Debian's source package
from_debian || true

cat >&2 <<MSG
obtain-cpython: could not obtain $NAME (SHA-256 $SHA256).
Routes tried, in order:
  1. a tarball given by hand: cmake -DCPYTHON_TARBALL=/path/to/$NAME,
     or the environment variable CPYLOCK_CPYTHON_TARBALL (${GIVEN:-not set});
  2. the local cache: $CACHE_DIR/$NAME;
  3. the download URL: $URL;
  4. Debian's source package $DEBIAN_PACKAGE (suite $DEBIAN_SUITE) through
     apt-get source --download-only, from the Debian mirror in /etc/apt.
To build offline, copy $NAME (or Debian's identical ${DEBIAN_PACKAGE}_$VERSION.orig.tar.xz)
from any machine into $CACHE_DIR/$NAME, or pass its path with one of the
options of route 1.
MSG
exit 1
