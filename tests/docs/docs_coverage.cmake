# Keeps the documentation index and the configuration reference complete:
#   1. every TWAT_CACHE_* environment variable the code reads (a quoted "TWAT_CACHE_..." in
#      the sources of the library, the CLI and the GUI: getenv, qEnvironmentVariable...,
#      the config resolver's lookups) is documented in docs/CONFIG.md;
#   2. README's "Documentation" section links every docs/*.md file, and every link there
#      names a file that exists.
#   cmake -DSOURCE_DIR=<project source> -P docs_coverage.cmake
set(problems "")

# 1. Environment variables.
file(GLOB_RECURSE sources
    "${SOURCE_DIR}/core/*.cpp" "${SOURCE_DIR}/core/*.h"
    "${SOURCE_DIR}/app/*.cpp" "${SOURCE_DIR}/app/*.h"
    "${SOURCE_DIR}/ui/*.cpp" "${SOURCE_DIR}/ui/*.h")
set(variables "")
foreach(source IN LISTS sources)
    file(STRINGS "${source}" lines REGEX "\"TWAT_CACHE_[A-Z0-9_]+")
    foreach(line IN LISTS lines)
        string(REGEX MATCHALL "\"TWAT_CACHE_[A-Z0-9_]*[A-Z0-9]" found "${line}")
        foreach(name IN LISTS found)
            string(SUBSTRING "${name}" 1 -1 name)
            list(APPEND variables ${name})
        endforeach()
    endforeach()
endforeach()
list(REMOVE_DUPLICATES variables)
list(SORT variables)
list(LENGTH variables nvariables)
# The resolver alone reads eight; fewer means this scan no longer sees how the code reads them.
if(nvariables LESS 8)
    message(FATAL_ERROR "found only ${nvariables} TWAT_CACHE_* variables in the sources: "
                        "${variables}")
endif()
file(READ "${SOURCE_DIR}/docs/CONFIG.md" config)
foreach(name IN LISTS variables)
    if(NOT config MATCHES "`${name}`")
        list(APPEND problems "docs/CONFIG.md does not document ${name}")
    endif()
endforeach()

# 2. README's documentation index.
file(READ "${SOURCE_DIR}/README.md" readme)
if(NOT readme MATCHES "\n## Documentation\n")
    message(FATAL_ERROR "README.md has no \"## Documentation\" section")
endif()
string(REGEX REPLACE ".*\n## Documentation\n" "" index "${readme}")
string(REGEX REPLACE "\n## .*" "" index "${index}")
# Square brackets group list elements in CMake: drop them, keeping "text(target)".
string(REPLACE "[" "" index "${index}")
string(REPLACE "]" "" index "${index}")
file(GLOB docs RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/docs/*.md")
list(LENGTH docs ndocs)
foreach(doc IN LISTS docs)
    string(FIND "${index}" "(${doc})" pos)
    if(pos EQUAL -1)
        list(APPEND problems "README's Documentation section does not link ${doc}")
    endif()
endforeach()
string(REGEX MATCHALL "\\([^() ]+\\)" links "${index}")
foreach(link IN LISTS links)
    string(REGEX REPLACE "^\\(([^)#]+).*" "\\1" target "${link}")
    if(NOT target MATCHES "^https?:" AND NOT EXISTS "${SOURCE_DIR}/${target}")
        list(APPEND problems "README links ${target}, which does not exist")
    endif()
endforeach()

if(problems)
    string(REPLACE ";" "\n  " problems "${problems}")
    message(FATAL_ERROR "documentation gaps:\n  ${problems}")
endif()
message(STATUS "docs/CONFIG.md documents all ${nvariables} variables (${variables}); "
               "README links all ${ndocs} docs")
