# Writes the names LIBRARY leaves for the dynamic linker to bind in the
# process's global scope (its undefined, unversioned dynamic symbols: the
# interpreter's functions and data; the C library's are versioned), one per
# line, to OUTPUT. The interpreter backend checks, before it loads the
# interpreter library, that each of them resolves in the interpreter it binds.
#
#   cmake -DNM=nm -DLIBRARY=lib.so -DOUTPUT=lib.so.imports -P list-imports.cmake
include(${CMAKE_CURRENT_LIST_DIR}/dynamic-symbols.cmake)
cpylock_dynamic_symbols("${NM}" "${LIBRARY}" UNDEFINED names)
list(JOIN names "\n" text)
file(WRITE "${OUTPUT}" "${text}\n")
