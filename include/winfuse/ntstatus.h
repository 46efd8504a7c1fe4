/*
 * ntstatus.h - the NTSTATUS values winfuse produces or checks.
 * Included by ntdefs.h; each value guarded for the kernel build.
 */
#ifndef WINFUSE_NTSTATUS_H
#define WINFUSE_NTSTATUS_H

#define WF_NTSTATUS(v) ((NTSTATUS)(v##L))

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS WF_NTSTATUS(0x00000000)
#endif

#endif
