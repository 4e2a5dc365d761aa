# Applies TWAT_CACHE_SANITIZER to every target of the build (the presets set it).
if(TWAT_CACHE_SANITIZER STREQUAL "address")
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
elseif(TWAT_CACHE_SANITIZER STREQUAL "thread")
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
elseif(TWAT_CACHE_SANITIZER STREQUAL "fuzzer")
    # Coverage for libFuzzer everywhere; the fuzz targets add -fsanitize=fuzzer (its main).
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
elseif(NOT TWAT_CACHE_SANITIZER STREQUAL "")
    message(FATAL_ERROR "TWAT_CACHE_SANITIZER must be empty, 'address', 'thread' or 'fuzzer', not '${TWAT_CACHE_SANITIZER}'")
endif()
