# Validates the inspector's desktop entry (desktop-file-validate: no error, warning or hint)
# and AppStream metainfo (appstreamcli validate, offline: no error or warning), and checks
# that the metainfo's project licence is the one in LICENSE and that it lists a release of
# this VERSION.
#   cmake -DDESKTOP=<file.desktop> -DMETAINFO=<file.metainfo.xml> -DLICENSE=<LICENSE>
#         -DVERSION=<x.y.z> -P desktop_files.cmake
find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(APPSTREAMCLI appstreamcli)
if(NOT DESKTOP_FILE_VALIDATE OR NOT APPSTREAMCLI)
    message("SKIPPED: desktop-file-validate or appstreamcli not found "
            "(apt-get install desktop-file-utils appstream)")
    return()
endif()

execute_process(COMMAND "${DESKTOP_FILE_VALIDATE}" "${DESKTOP}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
    message(FATAL_ERROR "desktop-file-validate ${DESKTOP} (exit ${rc}):\n${out}${err}")
endif()

execute_process(COMMAND "${APPSTREAMCLI}" validate --no-net --no-color "${METAINFO}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0 OR "${out}" MATCHES "(^|\n)[EW]: ")
    message(FATAL_ERROR "appstreamcli validate ${METAINFO} (exit ${rc}):\n${out}${err}")
endif()

file(READ "${METAINFO}" metainfo)
file(READ "${LICENSE}" license)
if(NOT license MATCHES "^MIT License\n")
    message(FATAL_ERROR "${LICENSE} is not the MIT licence this test knows")
endif()
if(NOT metainfo MATCHES "<project_license>MIT</project_license>"
   OR NOT metainfo MATCHES "<metadata_license>(CC0-1.0|MIT)</metadata_license>")
    message(FATAL_ERROR "${METAINFO}: project_license must be MIT (LICENSE) and "
                        "metadata_license CC0-1.0 or MIT")
endif()
if(NOT metainfo MATCHES "<release version=\"${VERSION}\" date=\"[0-9-]+\"")
    message(FATAL_ERROR "${METAINFO} has no <release> for version ${VERSION}")
endif()
message(STATUS "desktop entry and metainfo are valid")
