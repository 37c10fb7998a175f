# Writes the names LIBRARY leaves for the dynamic linker to bind in the
# process's global scope (its undefined, unversioned dynamic symbols: the
# interpreter's functions and data; the C library's are versioned), one per
# line, to OUTPUT. The interpreter backend checks, before it loads the
# interpreter library, that each of them resolves in the interpreter it binds.
#
#   cmake -DNM=nm -DLIBRARY=lib.so -DOUTPUT=lib.so.imports -P list-imports.cmake
execute_process(COMMAND "${NM}" -D --undefined-only "${LIBRARY}" OUTPUT_VARIABLE table RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIBRARY}")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${table}")
set(names "")
foreach(line IN LISTS lines)
  # "U name"; weak references (w) may stay unbound, versioned ones are libc's.
  if(line MATCHES "^ *U ([^ @]+)$")
    list(APPEND names "${CMAKE_MATCH_1}")
  endif()
endforeach()
list(SORT names)
list(JOIN names "\n" text)
file(WRITE "${OUTPUT}" "${text}\n")
