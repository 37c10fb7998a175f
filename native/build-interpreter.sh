#!/bin/sh
# Builds a real CPython interpreter from the pinned tarball, for the tests
# that embed one; prints its install prefix.
#
#   native/build-interpreter.sh FLAVOUR [LINK]
#
# FLAVOUR is default or free-threaded (--disable-gil), built as a shared
# library (--enable-shared); or default-static or free-threaded-static,
# built as CPython builds by default: libpython linked into the executable,
# which exports the C API (-Xlinker -export-dynamic), as Debian's and
# python-build-standalone's are. With LINK, also makes LINK a symbolic link
# to the built libpython, or to the executable of a static build.
#
# The build is cached per tarball hash and flavour, as the tarball is:
# $CPYLOCK_CACHE_DIR/interpreters/cpython-<version>-<hash>-<flavour>
# (default cache $XDG_CACHE_HOME/cpylock, else ~/.cache/cpylock). A first
# build takes about 6 minutes on 2 cores. ctypes needs libffi's headers: on a
# Debian machine without them, the script installs libffi-dev with apt-get
# when it runs as root, and otherwise says what to install.
set -eu

FLAVOUR=${1:?usage: build-interpreter.sh default|free-threaded [LINK]}
LINK=${2:-}
case "$FLAVOUR" in
    default) gil_option= shared=--enable-shared ;;
    free-threaded) gil_option=--disable-gil shared=--enable-shared ;;
    default-static) gil_option= shared= ;;
    free-threaded-static) gil_option=--disable-gil shared= ;;
    *) echo "build-interpreter: unknown flavour $FLAVOUR (default, free-threaded, default-static," \
           "free-threaded-static)" >&2; exit 64 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
# The version and hash are obtain-cpython.sh's.
VERSION=$(sed -n 's/^VERSION=//p' "$here/obtain-cpython.sh")
SHA256=$(sed -n 's/^SHA256=//p' "$here/obtain-cpython.sh")
CACHE_DIR=${CPYLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cpylock}
prefix="$CACHE_DIR/interpreters/cpython-$VERSION-$(echo "$SHA256" | cut -c1-12)-$FLAVOUR"

log() { printf 'build-interpreter: %s\n' "$*" >&2; }

# Prints the prefix, and makes LINK point at the library, of a complete build.
done_with() {
    if [ -n "$LINK" ]; then
        mkdir -p "$(dirname "$LINK")"
        if [ -n "$shared" ]; then
            ln -sfn "$(ls "$prefix"/lib/libpython3*.so.1.0)" "$LINK"
        else
            ln -sfn "$(ls "$prefix"/bin/python3.[0-9]* | head -n 1)" "$LINK"
        fi
    fi
    echo "$prefix"
    exit 0
}

[ -f "$prefix/.complete" ] && done_with

has_ffi_headers() {
    for dir in /usr/include /usr/include/*-linux-gnu /usr/local/include; do
        [ -f "$dir/ffi.h" ] && return 0
    done
    return 1
}
if ! has_ffi_headers; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing libffi-dev (ctypes needs it)"
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libffi-dev >&2
    else
        log "ctypes needs libffi's headers: install them (Debian: apt-get install libffi-dev) and run again"
        exit 1
    fi
fi

mkdir -p "$CACHE_DIR/interpreters"
lock="$prefix.lock"
until mkdir "$lock" 2>/dev/null; do
    log "waiting for another build of $prefix ($lock)"
    sleep 5
done
work=$(mktemp -d "$CACHE_DIR/interpreters/build.XXXXXX")
trap 'rm -rf "$work" "$lock"' EXIT
[ -f "$prefix/.complete" ] && done_with

sh "$here/obtain-cpython.sh" "$work/Python-$VERSION.tar.xz"
tar -xJf "$work/Python-$VERSION.tar.xz" -C "$work"
rm -rf "$prefix"
log "building CPython $VERSION ($FLAVOUR) into $prefix (log: $work/build.log, kept on failure in $prefix.log)"
# At a lower priority: the test command builds modules side by side, and the
# oracle's timed schedules run beside this build on a new machine.
(
    cd "$work/Python-$VERSION"
    nice -n 10 ./configure --prefix="$prefix" $shared $gil_option --with-ensurepip=no --disable-test-modules \
        LDFLAGS="-Wl,-rpath,$prefix/lib"
    nice -n 10 make -j"$(nproc 2>/dev/null || echo 2)"
    nice -n 10 make install
) > "$work/build.log" 2>&1 || {
    cp "$work/build.log" "$prefix.log"
    log "the build failed: see $prefix.log"
    exit 1
}
# ctypes is what the embedding tests drive the interpreter's C API with.
if [ -z "$(find "$prefix/lib" -path '*/lib-dynload/_ctypes.*so' 2>/dev/null)" ]; then
    cp "$work/build.log" "$prefix.log"
    log "the build has no ctypes module: see $prefix.log"
    exit 1
fi
touch "$prefix/.complete"
done_with
