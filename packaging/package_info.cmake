# Who makes the package and when: shared by the installed documentation files
# (packaging/CMakeLists.txt: copyright, changelog.Debian) and the CPack settings
# (packaging/cpack.cmake), so the two cannot disagree.

# Who answers for the package: a role address of the project, not a person. Distributors
# set their own with -DTWAT_CACHE_MAINTAINER="Name <email>".
set(TWAT_CACHE_MAINTAINER "twat-cache authors <maintainers@twat-cache.invalid>"
    CACHE STRING "Maintainer field of the Debian package (Name <email>)")
# The project has no published home page yet: while this is empty the Homepage field is left
# out rather than filled with an address nobody answers.
set(TWAT_CACHE_HOMEPAGE "" CACHE STRING "Homepage field of the Debian package")

set(TWAT_CACHE_COPYRIGHT "2026 The twat-cache authors")
# Date of this version, RFC 5322 as debian/changelog wants it. A fixed value (not the time
# of the build) keeps the package reproducible; update it with PROJECT_VERSION.
set(TWAT_CACHE_RELEASE_DATE "Tue, 24 Nov 2026 00:00:00 +0000")
# The Debian revision of packages built here (the version becomes <version>-<revision>).
set(TWAT_CACHE_DEBIAN_REVISION 1)
