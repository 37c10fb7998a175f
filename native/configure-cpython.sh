#!/bin/sh
# Runs CPython's configure for its pyconfig.h, the only output the build uses,
# and keeps that file in the cache, as the tarball is kept:
#
#   native/configure-cpython.sh SOURCES CONFIG_DIR CC [CONFIGURE_ARGUMENTS...]
#
# writes CONFIG_DIR/pyconfig.h (configure's log goes to standard output).
# pyconfig.h depends on the sources, configure's arguments, the site file
# named by $CONFIG_SITE, and the compiler with the C library it targets; the
# cache entry $CPYLOCK_CACHE_DIR/pyconfig/<hash of all five>/pyconfig.h
# (default cache $XDG_CACHE_HOME/cpylock, else ~/.cache/cpylock) is keyed by
# them: the pinned hash, the arguments, the site file's text and the
# compiler's predefined macros with <limits.h> included, which name the
# compiler's version, its target and the C library's version. A fresh
# checkout then skips configure (about 90 s per platform on 2 cores).
set -eu

SOURCES=${1:?usage: configure-cpython.sh SOURCES CONFIG_DIR CC [ARGS...]}
CONFIG_DIR=${2:?usage: configure-cpython.sh SOURCES CONFIG_DIR CC [ARGS...]}
CC=${3:?usage: configure-cpython.sh SOURCES CONFIG_DIR CC [ARGS...]}
shift 3

here=$(cd "$(dirname "$0")" && pwd)
SHA256=$(sed -n 's/^SHA256=//p' "$here/obtain-cpython.sh")
CACHE_DIR=${CPYLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cpylock}/pyconfig

# The arguments name paths under the build directory (a cross build's stub
# build Python): the key has them relative to it.
build_dir=$(dirname "$CONFIG_DIR")
key=$({
    echo "$SHA256 $CC"
    printf '%s\n' "$@" | sed "s|$build_dir|BUILD|g"
    [ -z "${CONFIG_SITE:-}" ] || cat "$CONFIG_SITE"
    printf '#include <limits.h>\n' | "$CC" -dM -E - | LC_ALL=C sort
} | sha256sum | cut -c1-16)
cached="$CACHE_DIR/$key/pyconfig.h"

mkdir -p "$CONFIG_DIR"
if [ -f "$cached" ]; then
    echo "configure-cpython: pyconfig.h from $cached"
    cp "$cached" "$CONFIG_DIR/pyconfig.h"
    exit 0
fi

(cd "$CONFIG_DIR" && "$SOURCES/configure" "$@" "CC=$CC")
if mkdir -p "$CACHE_DIR/$key" 2>/dev/null; then
    cp "$CONFIG_DIR/pyconfig.h" "$cached.part.$$" && mv "$cached.part.$$" "$cached" || true
fi
