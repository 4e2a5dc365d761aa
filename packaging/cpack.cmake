# CPack: a Debian package (and a tarball) of everything the build installs.
#
# One package, `twat-cache`, holds the shared library, the CLI, the man pages, the headers,
# the CMake/pkg-config files, the copyright file and changelogs (share/doc/twat-cache), and
# the Qt inspector with its desktop file, metainfo and icon when TWAT_CACHE_BUILD_GUI is ON
# (CPACK_DEB_COMPONENT_INSTALL stays OFF, so every install component goes in, whatever
# components the GUI or later parts define). Why not libtwat-cache0 + libtwat-cache-dev:
# the library is 0.x and its SOVERSION (0) does not yet track ABI changes between minor
# releases, so a separate runtime package would promise a compatibility it cannot keep; one
# package keeps headers, library and tools in lockstep. Split once the ABI is stable (1.0).
#
# Included LAST from the root CMakeLists.txt, after all install() rules.

set(CPACK_PACKAGE_NAME "twat-cache")
set(CPACK_PACKAGE_VENDOR "The twat-cache authors")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "C++20 cache toolkit: memoization into memory, SQLite, file and Redis caches")
# The extended description, wrapped for dpkg (CPack indents each line of it).
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
    "twat-cache is a C++20 library that memoizes expensive functions into memory,"
    "SQLite, one-file-per-entry folders and Redis (mcache, bcache, fcache, ucache,"
    "acache), with an inspection layer that reads and cleans its own caches as well"
    "as python-diskcache, joblib and plain cache folders."
    "."
    "This package ships the shared library, its headers with CMake and pkg-config"
    "files, the twat-cache command-line tool and the twat-cache-inspector desktop"
    "application (when built), with their man pages.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "twat-cache")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_SOURCE_IGNORE_FILES "/build/" "/\\\\.git/" "/\\\\.cache/")

include(${CMAKE_CURRENT_LIST_DIR}/package_info.cmake)  # maintainer, homepage, revision
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")

set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_DEBIAN_PACKAGE_NAME "twat-cache")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # twat-cache_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${TWAT_CACHE_DEBIAN_REVISION})
# dpkg and lintian want control files 0644/0755 and directories 0755 whatever the umask.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TWAT_CACHE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")  # a library with headers first; tools beside it
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
if(TWAT_CACHE_HOMEPAGE)
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${TWAT_CACHE_HOMEPAGE}")
endif()
# Runtime dependencies come from dpkg-shlibdeps (package dpkg-dev), which reads the ELF
# files: libc6, libstdc++6, libsqlite3-0, libhiredis0.14, libzstd1, libspdlog1.10, libfmt9,
# and the Qt 6 libraries when the inspector is packaged. Our own library is found in the
# package itself through the generated shlibs file.
find_program(TWAT_CACHE_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(TWAT_CACHE_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
    set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
else()
    message(WARNING "dpkg-shlibdeps not found (apt-get install dpkg-dev): the .deb will lack "
                    "its Depends field")
endif()
# ldconfig runs from a dpkg trigger (Debian policy 8.1.1). CPack still adds postinst/postrm
# calling ldconfig; lintian warns about those (docs/PACKAGING.md), but they are harmless.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_CURRENT_LIST_DIR}/debian/triggers")
# The headers, CMake package and pkg-config file serve builds: suggest the build tools.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake (>= 3.25), pkg-config, g++ (>= 4:12)")

# Strip: the dev preset builds with -g, which makes the library about 100 MB; debug symbols
# belong in a separate -dbgsym package, not in what users install.
set(CPACK_STRIP_FILES ON)
include(CPack)
