#!/bin/sh
# Makes sure the cross compiler and emulator a cpylock cross build needs are
# installed; on Debian, as root, installs them with apt-get.
#
#   native/install-cross-toolchain.sh PLATFORM      (linux-aarch64)
set -eu

PLATFORM=${1:?usage: install-cross-toolchain.sh linux-aarch64}
case "$PLATFORM" in
    linux-aarch64) tools="aarch64-linux-gnu-gcc qemu-aarch64"; packages="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user" ;;
    *) echo "install-cross-toolchain: no cross build for $PLATFORM (linux-aarch64)" >&2; exit 64 ;;
esac

missing=
for tool in $tools; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-cross-toolchain: installing$missing ($packages)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >&2
    exit 0
fi
echo "install-cross-toolchain: $PLATFORM needs$missing (Debian: apt-get install $packages)," >&2
echo "  or build for this machine's platform only: mvn ... -Dcpylock.cross=" >&2
exit 1
