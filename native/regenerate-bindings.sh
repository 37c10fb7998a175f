#!/bin/sh
# Regenerates generated/ (package org.cpylock.internal.ffi) from
# native/src/cpylock.h (class CPyLock), native/src/cpylock_bundled.h (class
# CPyLockBundled) and native/src/cpylock_interpreter.h (class
# CPyLockInterpreter) with jextract, always with the options below.
#
#   native/regenerate-bindings.sh
#
# jextract is not part of the build: put it on PATH, or name it with the
# environment variable JEXTRACT. The header is read through CPython's own
# headers, so the CPython sources are obtained and configured first (the
# CMake configure step, in target/native, as the Maven build does).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
jextract=${JEXTRACT:-$(command -v jextract || true)}
if [ -z "$jextract" ] || [ ! -x "$jextract" ]; then
    echo "regenerate-bindings: jextract was not found on PATH and JEXTRACT is not set." >&2
    echo "  Build jextract (https://github.com/openjdk/jextract, with libclang) and" >&2
    echo "  put its bin/ directory on PATH, or run: JEXTRACT=/path/to/jextract $0" >&2
    exit 2
fi

# Paths are relative to the repository, so that the few paths jextract writes
# into comments are the same on every machine.
cd "$root"
build=target/native
if [ ! -f "$build/cpython/config/pyconfig.h" ]; then
    cmake -S . -B "$build" >&2
fi
src=$(echo "$build"/cpython/Python-*/)
src=${src%/}

# The functions a header declares: the only names the libraries export.
declared() {
    grep -oE '\bcpylock_[A-Za-z0-9_]+\(' "$1" | tr -d '(' | sort -u
}
functions=$(declared native/src/cpylock.h)
# Each library's own functions, in a header class of their own.
bundled_functions=$(declared native/src/cpylock_bundled.h)
interpreter_functions=$(declared native/src/cpylock_interpreter.h)

structs="PyMutex PyEvent _PyOnceFlag _PyRawMutex _PyRWMutex _PySeqLock _PyRecursiveMutex
    PyCriticalSection PyCriticalSection2"
typedefs="_Py_once_fn_t _Py_unpark_fn_t"
constants="_Py_UNLOCKED _Py_LOCKED _Py_HAS_PARKED _Py_ONCE_INITIALIZED
    PY_LOCK_FAILURE PY_LOCK_ACQUIRED PY_LOCK_INTR
    _Py_LOCK_DONT_DETACH _PY_LOCK_DETACH _PY_LOCK_HANDLE_SIGNALS
    Py_PARK_OK Py_PARK_AGAIN Py_PARK_TIMEOUT Py_PARK_INTR"

set --
for f in $functions; do set -- "$@" --include-function "$f"; done
for s in $structs; do set -- "$@" --include-struct "$s"; done
for t in $typedefs; do set -- "$@" --include-typedef "$t"; done
for c in $constants; do set -- "$@" --include-constant "$c"; done

out=generated
rm -rf "$out/org/cpylock/internal/ffi"
# jextract with the fixed options: $1 header, $2 header class, then filters.
run_jextract() {
    header=$1 class=$2
    shift 2
    "$jextract" \
        --output "$out" \
        --target-package org.cpylock.internal.ffi \
        --header-class-name "$class" \
        -D Py_BUILD_CORE -D Py_GIL_DISABLED=1 -D NDEBUG \
        -I "$build/cpython/config" -I "$src/Include" -I "$src/Include/internal" \
        -I native/src \
        "$@" \
        "$header" 2>&1 |
        grep -v -e 'warning: Skipping' >&2 || true
}
run_jextract native/src/cpylock.h CPyLock "$@"
set --
for f in $bundled_functions; do set -- "$@" --include-function "$f"; done
run_jextract native/src/cpylock_bundled.h CPyLockBundled "$@"
set --
for f in $interpreter_functions; do set -- "$@" --include-function "$f"; done
for c in CPYLOCK_UNPARK_MARK_OFFSET CPYLOCK_UNPARKED_FOR_INTERRUPT CPYLOCK_UNPARKED_IN_PASSING; do
    set -- "$@" --include-constant "$c"
done
run_jextract native/src/cpylock_interpreter.h CPyLockInterpreter "$@"
echo "regenerate-bindings: wrote $(find "$out/org/cpylock/internal/ffi" -name '*.java' | wc -l) files under generated/org/cpylock/internal/ffi" >&2
