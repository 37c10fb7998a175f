# Checks that LIBRARY's dynamic symbol table defines exactly the entry points:
# the cpylock_* functions the HEADERS declare, and no other name (so none that
# a libpython also defines).
#
#   cmake -DNM=nm -DLIBRARY=lib.so "-DHEADERS=a.h;b.h" -P check_exports.cmake
include(${CMAKE_CURRENT_LIST_DIR}/../dynamic-symbols.cmake)
cpylock_dynamic_symbols("${NM}" "${LIBRARY}" DEFINED defined)

set(declared "")
foreach(header_file IN LISTS HEADERS)
  file(READ "${header_file}" header)
  string(REGEX MATCHALL "cpylock_[A-Za-z0-9_]+\\(" functions "${header}")
  list(APPEND declared ${functions})
endforeach()
list(TRANSFORM declared REPLACE "\\($" "")
set(expected ${declared})
list(REMOVE_DUPLICATES expected)
list(SORT expected)

set(extra ${defined})
list(REMOVE_ITEM extra ${expected})
set(missing ${expected})
list(REMOVE_ITEM missing ${defined})
list(LENGTH extra extra_count)
list(LENGTH missing missing_count)
if(extra_count GREATER 0 OR missing_count GREATER 0)
  message(FATAL_ERROR "${LIBRARY}: exported but not an entry point: ${extra}; entry point not exported: ${missing}")
endif()
list(LENGTH defined count)
message(STATUS "${LIBRARY}: exports exactly its ${count} entry points")
