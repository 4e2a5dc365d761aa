# Builds the .deb with CPack, checks its control fields and contents, extracts it into a
# scratch root with `dpkg-deb -x` (never `dpkg -i`: the machine is not modified), then runs
# the extracted CLI and builds and runs the consumer project against the extracted package.
# When lintian is installed it checks the package too: an error (E:) fails the test, warnings
# are printed (docs/PACKAGING.md lists the ones that remain and why).
#   cmake -DBUILD_DIR=<project build> -DSCRATCH=<dir> -DCONSUMER_SRC=<consumer/>
#         -DVERSION=<x.y.z> -DLIBDIR=<lib> -DCONFIG=<build type> -DGUI=<ON|OFF>
#         -DLICENSE=<LICENSE> -DCHANGELOG=<CHANGELOG.md> -P deb_package.cmake
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
        "Depends:[^\n]*libspdlog"
        "Depends:[^\n]*libfmt")
    if(NOT control MATCHES "${field}")
        list(APPEND problems "control field missing or wrong: ${field}")
    endif()
endforeach()
if(GUI)
    foreach(dep libqt6widgets6 libqt6gui6 libqt6core6 libqt6keychain1 libqt6charts6)
        if(NOT control MATCHES "Depends:[^\n]*${dep}")
            list(APPEND problems "the inspector's dependency ${dep} is not in Depends")
        endif()
    endforeach()
endif()
if(control MATCHES "Depends:[^\n]*twat-cache")
    list(APPEND problems "the package depends on itself")
endif()
run(dpkg-deb -I "${debs}" triggers)
if(NOT out MATCHES "(^|\n)activate-noawait ldconfig\n")
    list(APPEND problems "no ldconfig trigger: ${out}")
endif()
if(control MATCHES "example\\.com|\\.example>|TODO|FIXME|placeholder")
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
        "./usr/share/man/man1/twat-cache.1.gz"
        "./usr/share/doc/twat-cache/copyright"
        "./usr/share/doc/twat-cache/changelog.gz"
        "./usr/share/doc/twat-cache/changelog.Debian.gz")
    string(FIND "${listing}" "${path}" pos)
    if(pos EQUAL -1)
        list(APPEND problems "not in the package: ${path}")
    endif()
endforeach()
if(GUI)
    foreach(path
            "./usr/bin/twat-cache-inspector"
            "./usr/share/man/man1/twat-cache-inspector.1.gz"
            "./usr/share/applications/twat-cache-inspector.desktop"
            "./usr/share/metainfo/io.github.twat_cache.inspector.metainfo.xml"
            "./usr/share/icons/hicolor/scalable/apps/twat-cache-inspector.svg")
        string(FIND "${listing}" "${path}" pos)
        if(pos EQUAL -1)
            list(APPEND problems "not in the package: ${path}")
        endif()
    endforeach()
endif()
if(listing MATCHES "/man1/[^\n]*\\.1\n")
    list(APPEND problems "an uncompressed man page")
endif()
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
if(GUI)
    # --version needs no display; it proves the inspector's libraries all resolve.
    run(${CMAKE_COMMAND} -E env --unset=DISPLAY --unset=WAYLAND_DISPLAY --unset=QT_QPA_PLATFORM
        "${root}/usr/bin/twat-cache-inspector" --version)
    if(NOT out MATCHES "twat-cache-inspector ${VERSION}")
        message(FATAL_ERROR "extracted twat-cache-inspector --version printed: ${out}")
    endif()
endif()
unset(ENV{LD_LIBRARY_PATH})

# 5. Documentation: the copyright file carries LICENSE's text, changelog.gz is CHANGELOG.md,
# and the installed man pages render without a warning.
set(doc "${root}/usr/share/doc/twat-cache")
file(READ "${doc}/copyright" copyright)
file(STRINGS "${LICENSE}" license_lines REGEX "[A-Za-z]")
foreach(line IN LISTS license_lines)
    if(NOT line MATCHES "^(MIT License|Copyright)")
        string(FIND "${copyright}" " ${line}\n" pos)
        if(pos EQUAL -1)
            message(FATAL_ERROR "copyright lacks the LICENSE line: ${line}")
        endif()
    endif()
endforeach()
if(NOT copyright MATCHES "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
   OR NOT copyright MATCHES "\nFiles: \\*\nCopyright: [0-9]+ The twat-cache authors\nLicense: Expat\n")
    message(FATAL_ERROR "copyright is not a DEP-5 file for the Expat (MIT) licence:\n${copyright}")
endif()
run(gzip -dc "${doc}/changelog.gz")
file(READ "${CHANGELOG}" changelog)
if(NOT out STREQUAL changelog)
    message(FATAL_ERROR "changelog.gz is not CHANGELOG.md")
endif()
run(gzip -dc "${doc}/changelog.Debian.gz")
if(NOT out MATCHES "^twat-cache \\(${VERSION}-1\\) ")
    message(FATAL_ERROR "changelog.Debian.gz does not open with this version:\n${out}")
endif()
find_program(MAN man)
if(MAN)
    file(GLOB pages "${root}/usr/share/man/man1/*.1.gz")
    foreach(page IN LISTS pages)
        execute_process(COMMAND ${CMAKE_COMMAND} -E env MANWIDTH=80 MAN_DISABLE_SECCOMP=1
                "${MAN}" --warnings -l "${page}"
            RESULT_VARIABLE rc OUTPUT_VARIABLE rendered ERROR_VARIABLE warnings)
        if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "" OR NOT rendered MATCHES "SYNOPSIS")
            message(FATAL_ERROR "man -l ${page} (exit ${rc}):\n${warnings}")
        endif()
    endforeach()
    message(STATUS "installed man pages render: ${pages}")
endif()

# 6. lintian, when installed.
find_program(LINTIAN lintian)
if(LINTIAN)
    execute_process(COMMAND "${LINTIAN}" --tag-display-limit 0 "${debs}"
        OUTPUT_VARIABLE out ERROR_VARIABLE err)
    message("lintian:\n${out}${err}")
    if(out MATCHES "(^|\n)E: ")
        message(FATAL_ERROR "lintian reports errors")
    endif()
else()
    message("lintian not found (apt-get install lintian): the package was not linted")
endif()

# 7. Build and run the consumer against the extracted package only.
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
