# Builds the .deb with CPack, checks its control fields and contents, extracts it into a
# scratch root with `dpkg-deb -x` (never `dpkg -i`: the machine is not modified), then runs
# the extracted CLI and builds and runs the consumer project against the extracted package.
#   cmake -DBUILD_DIR=<project build> -DSCRATCH=<dir> -DCONSUMER_SRC=<consumer/>
#         -DVERSION=<x.y.z> -DLIBDIR=<lib> -DCONFIG=<build type> -P deb_package.cmake
foreach(tool dpkg-deb dpkg-shlibdeps)
    find_program(found_${tool} ${tool})
    if(NOT found_${tool})
        message("SKIPPED: ${tool} not found (apt-get install dpkg-dev)")
        return()
    endif()
endforeach()

file(REMOVE_RECURSE "${SCRATCH}")
file(MAKE_DIRECTORY "${SCRATCH}/out" "${SCRATCH}/root")

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        string(REPLACE ";" " " cmd "${ARGN}")
        message(FATAL_ERROR "failed (exit ${rc}): ${cmd}\n${out}\n${err}")
    endif()
    set(out "${out}" PARENT_SCOPE)
endfunction()

# 1. Package the build tree.
run(${CMAKE_CPACK_COMMAND} -G DEB -C "${CONFIG}" -B "${SCRATCH}/out"
    --config "${BUILD_DIR}/CPackConfig.cmake")
file(GLOB debs "${SCRATCH}/out/twat-cache_*.deb")
list(LENGTH debs ndebs)
if(NOT ndebs EQUAL 1)
    message(FATAL_ERROR "expected one twat-cache_*.deb in ${SCRATCH}/out, found: ${debs}")
endif()
message(STATUS "built ${debs}")

# 2. Control fields.
run(dpkg-deb -I "${debs}")
set(control "${out}")
message("${control}")
set(problems "")
foreach(field
        "Package: twat-cache\n"
        "Version: ${VERSION}-1\n"
        "Architecture: [a-z0-9]+\n"
        "Maintainer: [^\n<]+ <[^\n>]+@[^\n>]+>\n"
        "Section: devel\n"
        "Priority: optional\n"
        "Description: C\\+\\+20 cache toolkit[^\n]*\n [^\n]+"
        "Depends:[^\n]*libc6"
        "Depends:[^\n]*libstdc\\+\\+6"
        "Depends:[^\n]*libsqlite3-0"
        "Depends:[^\n]*libhiredis"
        "Depends:[^\n]*libzstd1"
        "Depends:[^\n]*libspdlog")
    if(NOT control MATCHES "${field}")
        list(APPEND problems "control field missing or wrong: ${field}")
    endif()
endforeach()
if(control MATCHES "Depends:[^\n]*twat-cache")
    list(APPEND problems "the package depends on itself")
endif()
if(control MATCHES "example\\.com|TODO|FIXME|placeholder")
    list(APPEND problems "a placeholder in the control fields")
endif()

# 3. Contents.
run(dpkg-deb -c "${debs}")
set(listing "${out}")
foreach(path
        "./usr/bin/twat-cache"
        "./usr/${LIBDIR}/libtwat_cache.so.${VERSION}"
        "./usr/include/twat_cache/memoize.h"
        "./usr/include/twat_cache/export.h"
        "./usr/${LIBDIR}/cmake/TwatCache/TwatCacheConfig.cmake"
        "./usr/${LIBDIR}/pkgconfig/twat-cache.pc"
        "./usr/share/man/man1/twat-cache.1")
    string(FIND "${listing}" "${path}" pos)
    if(pos EQUAL -1)
        list(APPEND problems "not in the package: ${path}")
    endif()
endforeach()
if(listing MATCHES "/(examples|tests?)/|consumer")
    list(APPEND problems "test or example files in the package")
endif()
if(problems)
    string(REPLACE ";" "\n  " problems "${problems}")
    message(FATAL_ERROR "package problems:\n  ${problems}\n${listing}")
endif()

# 4. Extract and run the CLI from the scratch root.
set(root "${SCRATCH}/root")
run(dpkg-deb -x "${debs}" "${root}")
set(ENV{LD_LIBRARY_PATH} "${root}/usr/${LIBDIR}")
run("${root}/usr/bin/twat-cache" --version)
if(NOT out MATCHES "twat-cache ${VERSION}")
    message(FATAL_ERROR "extracted twat-cache --version printed: ${out}")
endif()
message(STATUS "extracted CLI: ${out}")
# A command that uses the library, against an empty scratch cache root.
file(MAKE_DIRECTORY "${SCRATCH}/cache-root")
run("${root}/usr/bin/twat-cache" --root "${SCRATCH}/cache-root" --json list)
if(NOT out MATCHES "^\\[")
    message(FATAL_ERROR "extracted twat-cache list --json printed: ${out}")
endif()
unset(ENV{LD_LIBRARY_PATH})

# 5. Build and run the consumer against the extracted package only.
run(${CMAKE_CTEST_COMMAND} --build-and-test "${CONSUMER_SRC}" "${SCRATCH}/consumer-build"
    --build-generator Ninja
    --build-options "-DCMAKE_PREFIX_PATH=${root}/usr" -DCMAKE_BUILD_TYPE=Release
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    --test-command consumer)
if(NOT out MATCHES "consumer ok")
    message(FATAL_ERROR "consumer did not run:\n${out}")
endif()
if(NOT EXISTS "${SCRATCH}/consumer-build/CMakeCache.txt")
    message(FATAL_ERROR "consumer was not configured")
endif()
file(STRINGS "${SCRATCH}/consumer-build/CMakeCache.txt" dir_line REGEX "^TwatCache_DIR:")
string(FIND "${dir_line}" "${root}/usr/" pos)
if(pos EQUAL -1)
    message(FATAL_ERROR "consumer found TwatCache outside the extracted package: ${dir_line}")
endif()
message(STATUS "consumer built against the extracted package (${dir_line})")
