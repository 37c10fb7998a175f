# Checks that LIBRARY's dynamic symbol table defines exactly the entry points:
# the cpylock_* functions the HEADERS declare, and no other name (so none that
# a libpython also defines).
#
#   cmake -DNM=nm -DLIBRARY=lib.so "-DHEADERS=a.h;b.h" -P check_exports.cmake
execute_process(COMMAND "${NM}" -D --defined-only "${LIBRARY}" OUTPUT_VARIABLE table RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIBRARY}")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${table}")
set(defined "")
foreach(line IN LISTS lines)
  # "address type name"; the version node (type A) is not a symbol of ours.
  if(line MATCHES "^[0-9a-fA-F]+ ([A-Za-z]) ([^ @]+)")
    if(NOT CMAKE_MATCH_1 STREQUAL "A")
      list(APPEND defined "${CMAKE_MATCH_2}")
    endif()
  endif()
endforeach()

set(declared "")
foreach(header_file IN LISTS HEADERS)
  file(READ "${header_file}" header)
  string(REGEX MATCHALL "cpylock_[A-Za-z0-9_]+\\(" functions "${header}")
  list(APPEND declared ${functions})
endforeach()
list(TRANSFORM declared REPLACE "\\($" "")
set(expected ${declared})
list(REMOVE_DUPLICATES expected)
list(REMOVE_DUPLICATES defined)
list(SORT expected)
list(SORT defined)

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
