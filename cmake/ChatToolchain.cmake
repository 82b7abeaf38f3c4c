# Compiler settings shared by every target: warnings, sanitizers, fuzzing, ccache.

find_program(CHAT_CCACHE ccache)
if(CHAT_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CHAT_CCACHE})
endif()

# Every project target links chat_options; third-party code never sees these flags.
add_library(chat_options INTERFACE)
target_compile_options(chat_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Werror=switch -Wno-missing-field-initializers)
if(CHAT_WERROR)
    target_compile_options(chat_options INTERFACE -Werror)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        # GCC 12 at -O2/-O3 reports -Wrestrict inside std::string's own copy for
        # plain concatenations (GCC bugs 105329, 105651): still shown, not fatal,
        # so that a Release build with -Werror works on Debian 12.
        target_compile_options(chat_options INTERFACE -Wno-error=restrict)
    endif()
endif()

if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Asio only detects co_await support on GCC by itself.
    target_compile_definitions(chat_options INTERFACE BOOST_ASIO_HAS_CO_AWAIT BOOST_ASIO_HAS_STD_COROUTINE)
endif()

if(CHAT_SANITIZE)
    set(CHAT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                             -fno-omit-frame-pointer)
    add_compile_options(${CHAT_SANITIZER_FLAGS})
    add_link_options(${CHAT_SANITIZER_FLAGS})
endif()

if(CHAT_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "CHAT_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
    endif()
    # Instrument all project code for coverage; only the fuzz targets link the libFuzzer main.
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
