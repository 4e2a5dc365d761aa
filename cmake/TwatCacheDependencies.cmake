# Every third-party dependency is found here, once; all come from Debian 12 packages
# (scripts/dev.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(spdlog 1.10 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(zstd REQUIRED)
find_package(CLI11 REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# TLS to Redis (rediss://): hiredis 0.14 has none, so the core speaks it through OpenSSL.
find_package(OpenSSL 3 REQUIRED)
# SSH tunnels to Redis (?ssh=user@host).
pkg_check_modules(LIBSSH REQUIRED IMPORTED_TARGET libssh)

if(TWAT_CACHE_BUILD_TESTS)
    find_package(Qt6 6.4 REQUIRED COMPONENTS Core Test)
endif()
if(TWAT_CACHE_BUILD_GUI)
    find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Charts Concurrent Svg Test)
    find_package(Qt6Keychain REQUIRED)
endif()
if(TWAT_CACHE_BUILD_BENCH)
    find_package(benchmark REQUIRED)
endif()
