#!/bin/sh
# Regenerates generated/ (package org.cpylock.internal.ffi) from
# native/src/cpylock.h with jextract, always with the options below.
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

functions="
    _PyMutex_LockTimed _PyMutex_TryUnlock
    _PyEvent_IsSet _PyEvent_Notify PyEvent_Wait PyEvent_WaitTimed
    _PyOnceFlag_CallOnceSlow
    _PyRawMutex_LockSlow _PyRawMutex_UnlockSlow
    _PyRWMutex_RLock _PyRWMutex_RUnlock _PyRWMutex_Lock _PyRWMutex_Unlock
    _PySeqLock_LockWrite _PySeqLock_UnlockWrite _PySeqLock_AbandonWrite
    _PySeqLock_BeginRead _PySeqLock_EndRead _PySeqLock_AfterFork
    _PyRecursiveMutex_IsLockedByCurrentThread _PyRecursiveMutex_Lock _PyRecursiveMutex_Unlock
    _PyParkingLot_Park _PyParkingLot_Unpark _PyParkingLot_UnparkAll _PyParkingLot_AfterFork
    _PyCriticalSection_BeginSlow _PyCriticalSection2_BeginSlow
    _PyCriticalSection_SuspendAll _PyCriticalSection_Resume
"
# Every function cpylock.h declares.
functions="$functions $(grep -oE '\bcpylock_[A-Za-z0-9_]+\(' native/src/cpylock.h | tr -d '(' | sort -u)"

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
"$jextract" \
    --output "$out" \
    --target-package org.cpylock.internal.ffi \
    --header-class-name CPyLock \
    -D Py_BUILD_CORE -D Py_GIL_DISABLED=1 -D NDEBUG \
    -I "$build/cpython/config" -I "$src/Include" -I "$src/Include/internal" \
    -I native/src \
    "$@" \
    native/src/cpylock.h 2>&1 |
    grep -v -e 'warning: Skipping' >&2 || true
echo "regenerate-bindings: wrote $(find "$out/org/cpylock/internal/ffi" -name '*.java' | wc -l) files under generated/org/cpylock/internal/ffi" >&2
