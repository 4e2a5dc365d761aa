# twat_cache_set_warnings(<target>): the project's warning set, per target.
function(twat_cache_set_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
        -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
        -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
    # GCC 12 at -O3 reports -Wrestrict inside std::string's operator+ (a known false
    # positive, GCC bug 105329).
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
    if(TWAT_CACHE_WARNINGS_AS_ERRORS)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# Relaxed warnings for tests and benchmarks, which lean on Qt Test and Google Benchmark macros.
function(twat_cache_set_test_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra)
    if(TWAT_CACHE_WARNINGS_AS_ERRORS)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
