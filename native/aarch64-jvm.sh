#!/bin/sh
# Assembles an AArch64 Java runtime that runs on this x86-64 machine under
# qemu-aarch64, for the tests of the linux-aarch64 natives: Debian 13
# (trixie)'s arm64 OpenJDK 25, the libraries it needs, and Debian's arm64
# libpython3.13 (CPython 3.13.5, the interpreter backend's test binding,
# with libffi for ctypes).
#
#   native/aarch64-jvm.sh LINK
#
# The packages come from the Debian archive this machine's apt already uses
# (its sources' URIs, or CPYLOCK_DEBIAN_ARCHIVE and
# CPYLOCK_DEBIAN_SECURITY_ARCHIVE), with `apt-get download` against a package
# list of the script's own: no root needed, the machine's apt state untouched.
# They are unpacked with dpkg-deb into
#   $CPYLOCK_CACHE_DIR/aarch64-jvm/<hash of the package versions>/
# (default cache $XDG_CACHE_HOME/cpylock, else ~/.cache/cpylock), which holds
#   root/      the unpacked packages: the sysroot qemu-aarch64 -L reads
#   bin/java   a launcher script: the arm64 java under qemu-aarch64
#   release    the JDK's release file, for tools that read a launcher's JDK
# and LINK becomes a symbolic link to that directory. About 285 MB on disk
# and 20 s when the packages are new; the package list is refreshed once a
# day, and an existing runtime is kept when the archive cannot be reached.
set -eu

LINK=${1:?usage: aarch64-jvm.sh LINK}
SUITE=trixie
JVM_DIR=usr/lib/jvm/java-25-openjdk-arm64
PACKAGES="openjdk-25-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g
          libpython3.13 libpython3.13-minimal libpython3.13-stdlib libexpat1 libffi8"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

CACHE_DIR=${CPYLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cpylock}/aarch64-jvm
APT_DIR=$CACHE_DIR/apt

log() { printf 'aarch64-jvm: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

command -v qemu-aarch64 >/dev/null 2>&1 \
    || fail "needs qemu-aarch64 (Debian: apt-get install qemu-user; native/install-cross-toolchain.sh linux-aarch64)"
command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 \
    || fail "needs apt-get and dpkg-deb (a Debian or Ubuntu machine)"
[ -r "$KEYRING" ] || fail "needs Debian's archive keyring $KEYRING (apt-get install debian-archive-keyring)"

# The first URI of this machine's apt sources whose path ends in /$1.
archive() {
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -r "$file" ] || continue
        sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
            "$file" | tr ' ' '\n'
    done | grep -m 1 "/$1/\{0,1\}\$" || true
}

OPTIONS="-o Debug::NoLocking=1 -o APT::Architecture=arm64 -o APT::Architectures=arm64
     -o Dir::State=$APT_DIR -o Dir::State::Lists=$APT_DIR/lists -o Dir::State::status=/dev/null
     -o Dir::Cache=$APT_DIR/cache -o Dir::Etc::SourceList=$APT_DIR/sources.list
     -o Dir::Etc::SourceParts=$APT_DIR/none -o Dir::Etc::Preferences=$APT_DIR/none
     -o Dir::Etc::PreferencesParts=$APT_DIR/none -o APT::Sandbox::User=$(id -un)"
APT="apt-get -q $OPTIONS"

# Refreshes the package list if it is a day old or missing.
update() {
    mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/none"
    if [ -f "$APT_DIR/updated" ] && [ -n "$(find "$APT_DIR/updated" -mmin -1440)" ]; then
        return 0
    fi
    main=${CPYLOCK_DEBIAN_ARCHIVE:-$(archive debian)}
    security=${CPYLOCK_DEBIAN_SECURITY_ARCHIVE:-$(archive debian-security)}
    [ -n "$main" ] || { log "no Debian archive in /etc/apt's sources; set CPYLOCK_DEBIAN_ARCHIVE"; return 1; }
    {
        echo "deb [arch=arm64 signed-by=$KEYRING] $main $SUITE main"
        echo "deb [arch=arm64 signed-by=$KEYRING] $main $SUITE-updates main"
        [ -z "$security" ] || echo "deb [arch=arm64 signed-by=$KEYRING] $security $SUITE-security main"
    } > "$APT_DIR/sources.list"
    $APT update >&2 && touch "$APT_DIR/updated"
}

# The newest complete runtime, for when the archive cannot be reached.
newest() {
    ls -td "$CACHE_DIR"/*/.complete 2>/dev/null | head -n 1 | xargs -r dirname
}

link_to() {
    mkdir -p "$(dirname "$LINK")"
    ln -sfn "$1" "$LINK"
    echo "$1"
    exit 0
}

if ! update; then
    fallback=$(newest)
    [ -n "$fallback" ] || fail "the Debian archive could not be reached, and no runtime is cached"
    log "the Debian archive could not be reached: using $fallback"
    link_to "$fallback"
fi

pinned=
for package in $PACKAGES; do
    # shellcheck disable=SC2086
    version=$(apt-cache $OPTIONS policy "$package" | sed -n 's/^ *Candidate: *//p')
    [ -n "$version" ] && [ "$version" != "(none)" ] || fail "$SUITE arm64 has no package $package"
    pinned="$pinned $package=$version"
done
key=$(echo "$pinned" | tr ' ' '\n' | sort | sha256sum | cut -c1-16)
runtime=$CACHE_DIR/$key
[ -f "$runtime/.complete" ] && link_to "$runtime"

log "assembling$pinned"
rm -rf "$runtime"
mkdir -p "$runtime/debs" "$runtime/root" "$runtime/bin"
# shellcheck disable=SC2086
(cd "$runtime/debs" && $APT download $pinned >&2)
for deb in "$runtime"/debs/*.deb; do
    dpkg-deb -x "$deb" "$runtime/root"
done
rm -rf "$runtime/debs"
# Merged /usr: the loader and libraries are looked up under /lib.
ln -s usr/lib "$runtime/root/lib"
# Absolute symbolic links (the JDK's configuration in /etc) would leave the
# sysroot: each becomes a copy of the file it names inside it.
find "$runtime/root" -type l -lname '/*' | while read -r link; do
    target="$runtime/root$(readlink "$link")"
    rm "$link"
    if [ -e "$target" ]; then
        cp "$target" "$link"
    fi
done
cp "$runtime/root/$JVM_DIR/release" "$runtime/release"
# The JDK starts processes through jspawnhelper, an arm64 program the host
# cannot exec without binfmt_misc; fork/exec starts them directly (an arm64
# java is started through this launcher again, by the tests' child JVMs).
cat > "$runtime/bin/java" <<EOF
#!/bin/sh
exec qemu-aarch64 -L "$runtime/root" "$runtime/root/$JVM_DIR/bin/java" -Djdk.lang.Process.launchMechanism=FORK "\$@"
EOF
chmod +x "$runtime/bin/java"
"$runtime/bin/java" -version >&2 || fail "the assembled java does not start under qemu-aarch64"
touch "$runtime/.complete"
log "$(du -sh "$runtime" | cut -f1) in $runtime"
link_to "$runtime"
