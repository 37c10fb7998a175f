# cpylock_dynamic_symbols(NM LIBRARY WHICH OUT): the names in LIBRARY's
# dynamic symbol table, as nm reports them: WHICH is DEFINED (defined
# symbols, the version node left out) or UNDEFINED (unversioned undefined
# ones: those a library leaves for the dynamic linker to bind in the
# process's global scope; the C library's are versioned). For the scripts
# native/list-imports.cmake and native/test/check_exports.cmake.
function(cpylock_dynamic_symbols nm library which out)
  if(which STREQUAL "DEFINED")
    set(option --defined-only)
    set(pattern "^[0-9a-fA-F]+ ([B-Zb-z]) ([^ @]+)")
  else()
    set(option --undefined-only)
    set(pattern "^ *(U) ([^ @]+)$")
  endif()
  execute_process(COMMAND "${nm}" -D ${option} "${library}" OUTPUT_VARIABLE table RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${nm} failed on ${library}")
  endif()
  string(REGEX MATCHALL "[^\n]+" lines "${table}")
  set(names "")
  foreach(line IN LISTS lines)
    if(line MATCHES "${pattern}")
      list(APPEND names "${CMAKE_MATCH_2}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES names)
  list(SORT names)
  set(${out} "${names}" PARENT_SCOPE)
endfunction()
