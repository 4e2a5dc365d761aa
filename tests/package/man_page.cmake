# Checks a hand-written man page against its program:
#   1. groff and man(1) render it without a warning (each skipped, with a message, when the
#      tool is missing);
#   2. it documents every long and short option that `PROGRAM --help` prints, and with
#      SUBCOMMANDS=ON every subcommand listed there and every option of `PROGRAM <cmd> --help`;
#   3. with ACTIONS=<actions.cpp>, every keyboard shortcut defined there appears as an item
#      of its KEYBOARD SHORTCUTS section;
#   4. with GZ=<page.1.gz> (the file that is installed), it is the page compressed with
#      gzip -9n: no file name, no time stamp, same text.
# `--help` runs without a display (DISPLAY, WAYLAND_DISPLAY, QT_QPA_PLATFORM unset), as over
# ssh, so it must work there.
#   5. its title line names this VERSION of twat-cache.
#   cmake -DMAN_PAGE=<page.1> -DPROGRAM=<exe> -DVERSION=<x.y.z> [-DSUBCOMMANDS=ON]
#         [-DACTIONS=<file>] [-DGZ=<page.1.gz>] -P man_page.cmake
file(READ "${MAN_PAGE}" page)
string(REPLACE "\\-" "-" page_text "${page}")
set(skipped "")
string(REPLACE "." "\\." version_pattern "${VERSION}")
if(NOT page MATCHES "\n\\.TH [A-Z-]+ 1 [0-9]+ \"twat-cache ${version_pattern}\" ")
    message(FATAL_ERROR "the .TH line of ${MAN_PAGE} does not name twat-cache ${VERSION}")
endif()

# 1. Rendering.
find_program(GROFF groff)
if(GROFF)
    execute_process(COMMAND "${GROFF}" -man -Tutf8 -ww -z "${MAN_PAGE}"
        RESULT_VARIABLE rc ERROR_VARIABLE warnings)
    if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
        message(FATAL_ERROR "groff reports problems in ${MAN_PAGE} (exit ${rc}):\n${warnings}")
    endif()
else()
    list(APPEND skipped "groff (apt-get install groff-base)")
endif()
find_program(MAN man)
if(MAN)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env MANWIDTH=80 MAN_DISABLE_SECCOMP=1
            "${MAN}" --warnings -l "${MAN_PAGE}"
        RESULT_VARIABLE rc OUTPUT_VARIABLE rendered ERROR_VARIABLE warnings)
    if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
        message(FATAL_ERROR "man -l reports problems in ${MAN_PAGE} (exit ${rc}):\n${warnings}")
    endif()
    if(NOT rendered MATCHES "NAME.*SYNOPSIS.*DESCRIPTION.*SEE ALSO")
        message(FATAL_ERROR "man -l rendered ${MAN_PAGE} without its sections:\n${rendered}")
    endif()
else()
    list(APPEND skipped "man (apt-get install man-db)")
endif()

# 2. Options and subcommands of --help.
function(help_of out)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=DISPLAY --unset=WAYLAND_DISPLAY
            --unset=QT_QPA_PLATFORM "${PROGRAM}" ${ARGN} --help
        RESULT_VARIABLE rc OUTPUT_VARIABLE help ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR help STREQUAL "")
        message(FATAL_ERROR "${PROGRAM} ${ARGN} --help failed (exit ${rc}):\n${help}${err}")
    endif()
    set(${out} "${help}" PARENT_SCOPE)
endfunction()

help_of(help)
set(missing "")
set(all_help "${help}")
set(ncommands 0)
if(SUBCOMMANDS)
    # Subcommands: the indented words after the "Subcommands:" heading.
    string(REGEX REPLACE ".*Subcommands:\n" "" sub_block "${help}")
    string(REGEX REPLACE "\n\n.*" "" sub_block "${sub_block}")
    string(REGEX MATCHALL "\n?  [a-z]+ " sub_lines "${sub_block}")
    set(commands "")
    foreach(line IN LISTS sub_lines)
        string(STRIP "${line}" command)
        list(APPEND commands ${command})
    endforeach()
    list(LENGTH commands ncommands)
    if(ncommands LESS 3)
        message(FATAL_ERROR "could not read the subcommands from --help:\n${help}")
    endif()
    foreach(command IN LISTS commands)
        if(NOT page_text MATCHES "\\.B[IR]? ${command}")
            list(APPEND missing "command ${command}")
        endif()
        help_of(sub_help ${command})
        string(APPEND all_help "${sub_help}")
    endforeach()
endif()
string(REGEX MATCHALL "--[a-z][a-z-]*" options "${all_help}")
# Short options as help texts print them: "  -h, --help" or "  -y,--yes".
string(REGEX MATCHALL "\n +-[a-zA-Z][, ]" shorts "${all_help}")
foreach(short IN LISTS shorts)
    string(REGEX REPLACE "[\n ,]" "" short "${short}")
    list(APPEND options "${short}")
endforeach()
list(REMOVE_DUPLICATES options)
foreach(option IN LISTS options)
    # A whole word: "-h" must not be found inside "--help".
    if(NOT page_text MATCHES "(^|[^-a-zA-Z])${option}([^-a-zA-Z]|$)")
        list(APPEND missing "option ${option}")
    endif()
endforeach()
list(LENGTH options noptions)
if(noptions LESS 3)
    message(FATAL_ERROR "could not read the options from --help:\n${all_help}")
endif()

# 3. Keyboard shortcuts: QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_Q) and
# the standard QKeySequence::Open / ::New / ::HelpContents (Ctrl+O, Ctrl+N, F1 on Linux
# desktops).
set(nshortcuts 0)
if(ACTIONS)
    file(READ "${ACTIONS}" actions)
    string(REGEX REPLACE "^.*\\.SH KEYBOARD SHORTCUTS\n" "" shortcut_section "${page_text}")
    string(REGEX REPLACE "\n\\.SH .*" "" shortcut_section "${shortcut_section}")
    string(REGEX MATCHALL "QKeySequence(::[A-Za-z]+|\\((Qt::CTRL \\| )?Qt::Key_[A-Za-z0-9]+\\))"
        sequences "${actions}")
    list(FILTER sequences EXCLUDE REGEX "::(Native|Portable)Text$")  # formats, not keys
    foreach(sequence IN LISTS sequences)
        if(sequence MATCHES "::Open$")
            set(text "Ctrl+O")
        elseif(sequence MATCHES "::New$")
            set(text "Ctrl+N")
        elseif(sequence MATCHES "::HelpContents$")
            set(text "F1")
        elseif(sequence MATCHES "Key_([A-Za-z0-9]+)")
            set(text "${CMAKE_MATCH_1}")
            if(text STREQUAL "Delete")
                set(text "Del")
            elseif(text STREQUAL "Slash")
                set(text "/")
            endif()
            if(sequence MATCHES "CTRL")
                set(text "Ctrl+${text}")
            endif()
        else()
            list(APPEND missing "a shortcut this test cannot name: ${sequence}")
            continue()
        endif()
        string(REPLACE "+" "\\+" pattern "${text}")
        if(NOT shortcut_section MATCHES "\n\\.B ${pattern}\n")
            list(APPEND missing "shortcut ${text} (${sequence})")
        endif()
        math(EXPR nshortcuts "${nshortcuts} + 1")
    endforeach()
    if(nshortcuts LESS 3)
        message(FATAL_ERROR "found only ${nshortcuts} shortcuts in ${ACTIONS}")
    endif()
endif()

if(missing)
    string(REPLACE ";" "\n  " missing "${missing}")
    message(FATAL_ERROR "${MAN_PAGE} does not document:\n  ${missing}")
endif()

# 4. The installed, compressed page.
if(GZ)
    file(READ "${GZ}" header HEX LIMIT 10)
    # Magic 1f8b, method 08, flags 00 (no FNAME), mtime 00000000, XFL 02 (-9).
    if(NOT header MATCHES "^1f8b080000000000(02)")
        message(FATAL_ERROR "${GZ} is not gzip -9n output (header ${header})")
    endif()
    execute_process(COMMAND gzip -dc "${GZ}" OUTPUT_VARIABLE unpacked RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0 OR NOT unpacked STREQUAL page)
        message(FATAL_ERROR "${GZ} does not hold ${MAN_PAGE} (gunzip exit ${rc})")
    endif()
endif()

message(STATUS "${MAN_PAGE} renders cleanly and documents ${ncommands} commands, "
               "${noptions} options and ${nshortcuts} shortcuts")
if(skipped)
    string(REPLACE ";" ", " skipped "${skipped}")
    message("not checked, tools missing: ${skipped}")
endif()
