/*
 * ntdefs.h - the Windows types and constants winfuse speaks.
 *
 * In the NT kernel build (WF_NT_KERNEL) the real definitions come from the
 * DDK headers and every constant here is guarded so that the two agree
 * silently; everywhere else this header is the definition. Values are
 * Windows' own, so they can travel unchanged across the WinFsp ABI.
 */
#ifndef WINFUSE_NTDEFS_H
#define WINFUSE_NTDEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(WF_NT_KERNEL)
#include <ntifs.h>
#else
typedef int32_t NTSTATUS;
typedef uint8_t BOOLEAN;
typedef uint16_t WCHAR;
typedef WCHAR *PWSTR;
typedef const WCHAR *PCWSTR;
typedef uint8_t UINT8, UCHAR;
typedef uint16_t UINT16, USHORT;
typedef uint32_t UINT32, ULONG, DWORD;
typedef uint64_t UINT64, ULONGLONG;
typedef int8_t INT8;
typedef int16_t INT16;
typedef int32_t INT32, LONG;
typedef int64_t INT64, LONGLONG;
typedef uintptr_t UINT_PTR;
typedef ULONG ACCESS_MASK;
#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)
#endif

#include "winfuse/ntstatus.h"

/* ---- constants (filled in below, each guarded for the kernel build) ---- */

#endif
