# Runs one example program as a test:
#   cmake -DPROGRAM=<exe> -DRUNS=<n> [-DSET_ENV=<VAR=value>] -DEXPECT_FIRST=<regex>
#         -DEXPECT=<regex> -P run_example.cmake
# TWAT_CACHE_DIR must be set (by the test's ENVIRONMENT) to a folder of the build tree; it is
# emptied first, so each test run starts from a fresh cache root. Every other TWAT_CACHE_*
# variable is cleared, so the caller's environment cannot leak in; SET_ENV then sets the one
# variable the test is about.
if(NOT DEFINED ENV{TWAT_CACHE_DIR} OR "$ENV{TWAT_CACHE_DIR}" STREQUAL "")
    message(FATAL_ERROR "run_example.cmake: TWAT_CACHE_DIR must name a scratch folder")
endif()
set(root "$ENV{TWAT_CACHE_DIR}")
file(REMOVE_RECURSE "${root}")
file(MAKE_DIRECTORY "${root}")

foreach(var TTL MAXSIZE POLICY ENGINE COMPRESS REDIS_URL LOG_LEVEL)
    unset(ENV{TWAT_CACHE_${var}})
endforeach()
if(SET_ENV MATCHES "^([A-Z_]+)=(.*)$")
    set(ENV{${CMAKE_MATCH_1}} "${CMAKE_MATCH_2}")
endif()

foreach(run RANGE 1 ${RUNS})
    execute_process(COMMAND "${PROGRAM}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
        ERROR_VARIABLE err TIMEOUT 50)
    message("---- run ${run}: exit ${rc}\n${out}${err}")
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${PROGRAM} failed on run ${run} (exit ${rc})")
    endif()
    if(run EQUAL 1 AND NOT "${EXPECT_FIRST}" STREQUAL "" AND NOT out MATCHES "${EXPECT_FIRST}")
        message(FATAL_ERROR "run 1 output does not match '${EXPECT_FIRST}'")
    endif()
endforeach()
if(NOT "${EXPECT}" STREQUAL "" AND NOT out MATCHES "${EXPECT}")
    message(FATAL_ERROR "run ${RUNS} output does not match '${EXPECT}'")
endif()
