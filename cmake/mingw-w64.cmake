# Cross-compiling the Windows parts of winfuse with Debian's mingw-w64.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(WF_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${WF_MINGW_PREFIX}-gcc)
set(CMAKE_RC_COMPILER ${WF_MINGW_PREFIX}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${WF_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# The kernel-mode headers (ntddk.h, wdm.h, ntifs.h) live apart from the Win32 ones.
set(WF_DDK_INCLUDE /usr/${WF_MINGW_PREFIX}/include/ddk)
