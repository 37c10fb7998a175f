# Cross-building cpylock for linux-aarch64 with Debian's gcc-aarch64-linux-gnu;
# the native test program runs under qemu-user (qemu-aarch64).
#
#   cmake -S . -B target/native-linux-aarch64 -DCMAKE_TOOLCHAIN_FILE=native/toolchains/linux-aarch64.cmake
#
# native/install-cross-toolchain.sh linux-aarch64 installs both on Debian.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
# The host triple CPython's configure is run for.
set(CPYLOCK_CPYTHON_HOST aarch64-linux-gnu)
