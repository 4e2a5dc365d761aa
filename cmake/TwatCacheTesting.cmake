# twat_cache_add_test(NAME <name> SOURCES <files...> LABELS <labels...>
#                     [LIBS <targets...>] [TIMEOUT <seconds>] [QT])
# One test class per executable; every test is labelled (core, redis, ui, interop, slow).
# The test links the static core so that it may use private headers under core/src. Tests
# keep their state (the deletion audit log) in the build folder, never in the user's home.
function(twat_cache_add_test)
    cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LABELS;LIBS" ${ARGN})
    if(NOT T_LABELS)
        message(FATAL_ERROR "test ${T_NAME} needs LABELS")
    endif()
    add_executable(${T_NAME} ${T_SOURCES})
    set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
    target_link_libraries(${T_NAME} PRIVATE twat_cache_core_static twat_cache_test_support
        Qt6::Core Qt6::Test ${T_LIBS})
    twat_cache_set_test_warnings(${T_NAME})
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;TSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/tsan.supp:die_after_fork=0;TWAT_CACHE_TEST_PYTHON=${TWAT_CACHE_PYTHON};TWAT_CACHE_SOURCE_DIR=${PROJECT_SOURCE_DIR};XDG_STATE_HOME=${CMAKE_BINARY_DIR}/test-state")
endfunction()

# Interop fixtures use Debian's interpreter, where python3-diskcache and python3-joblib live.
find_program(TWAT_CACHE_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT TWAT_CACHE_PYTHON)
    find_program(TWAT_CACHE_PYTHON NAMES python3)
endif()
