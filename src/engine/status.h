/*
 * status.h - NTSTATUS translation: Linux errno <-> NTSTATUS -> Win32 error.
 *
 * Two directions cross the engine:
 *   - a FUSE reply carries a Linux errno that must become the NTSTATUS a
 *     Windows caller expects (wf_status_from_errno);
 *   - lxfront hands NT results back to Linux processes, which expect an
 *     errno (wf_errno_from_status).
 * wf_win32_from_status gives what RtlNtStatusToDosError gives, for the CLI
 * and for tests that think in GetLastError() terms; wf_status_name and
 * wf_status_format turn a status into text for logs and test failures.
 *
 * Every status in include/winfuse/ntstatus.h has one row in status.c
 * carrying its name, Win32 error and errno; the unit test checks that the
 * header and the table agree.
 */
#ifndef WINFUSE_ENGINE_STATUS_H
#define WINFUSE_ENGINE_STATUS_H

#include <stddef.h>

#include "winfuse/ntdefs.h"

/*
 * NTSTATUS for a POSITIVE Linux errno (negate the FUSE reply's error
 * first). 0 gives STATUS_SUCCESS. Every errno 1..133 has a row; a negative
 * value or one Linux does not define gives STATUS_UNSUCCESSFUL, because a
 * peer that sends it is broken and we cannot say more than "failed".
 */
NTSTATUS wf_status_from_errno(int err);

/*
 * Positive Linux errno for an NTSTATUS. Every success or informational
 * status gives 0, and so do the end-of-enumeration warnings
 * (STATUS_NO_MORE_FILES, _ENTRIES, _EAS), since on Linux the end of a
 * listing is not an error. An error this module does not know gives EIO.
 * No status gives ENOSYS: in a FUSE reply that errno tells the kernel the
 * operation is unimplemented for good, which must be a deliberate choice
 * of the caller, never the accident of a translation.
 */
int wf_errno_from_status(NTSTATUS status);

/*
 * The Win32 error RtlNtStatusToDosError gives for a status: the table for
 * the statuses we know; a customer status (bit 29) unchanged; the low
 * word of a status built from a Win32 error (facility 7, FACILITY_WIN32)
 * or of facility 1; ERROR_MR_MID_NOT_FOUND (317) for anything else.
 */
ULONG wf_win32_from_status(NTSTATUS status);

/* "STATUS_ACCESS_DENIED" for every status in ntstatus.h; NULL otherwise. */
const char *wf_status_name(NTSTATUS status);

/*
 * Writes the status name, or "0xC0000123" for a status without one, into
 * buf as a NUL-terminated string, truncated to fit size (nothing is
 * written when size is 0). Returns the length of the full text without
 * its NUL, as snprintf does; WF_STATUS_FORMAT_MAX always suffices.
 */
#define WF_STATUS_FORMAT_MAX 48
size_t wf_status_format(NTSTATUS status, char *buf, size_t size);

/*
 * The Win32 error codes wf_win32_from_status produces (winerror.h
 * values). Prefixed so they never meet winerror.h's own definitions.
 */
#define WF_ERROR_SUCCESS                            0
#define WF_ERROR_INVALID_FUNCTION                   1
#define WF_ERROR_FILE_NOT_FOUND                     2
#define WF_ERROR_PATH_NOT_FOUND                     3
#define WF_ERROR_TOO_MANY_OPEN_FILES                4
#define WF_ERROR_ACCESS_DENIED                      5
#define WF_ERROR_INVALID_HANDLE                     6
#define WF_ERROR_NOT_ENOUGH_MEMORY                  8
#define WF_ERROR_NOT_SAME_DEVICE                    17
#define WF_ERROR_NO_MORE_FILES                      18
#define WF_ERROR_WRITE_PROTECT                      19
#define WF_ERROR_NOT_READY                          21
#define WF_ERROR_BAD_COMMAND                        22
#define WF_ERROR_CRC                                23
#define WF_ERROR_BAD_LENGTH                         24
#define WF_ERROR_SECTOR_NOT_FOUND                   27
#define WF_ERROR_GEN_FAILURE                        31
#define WF_ERROR_SHARING_VIOLATION                  32
#define WF_ERROR_LOCK_VIOLATION                     33
#define WF_ERROR_WRONG_DISK                         34
#define WF_ERROR_HANDLE_EOF                         38
#define WF_ERROR_NOT_SUPPORTED                      50
#define WF_ERROR_REM_NOT_LIST                       51
#define WF_ERROR_DUP_NAME                           52
#define WF_ERROR_BAD_NETPATH                        53
#define WF_ERROR_NETWORK_BUSY                       54
#define WF_ERROR_DEV_NOT_EXIST                      55
#define WF_ERROR_BAD_NET_RESP                       58
#define WF_ERROR_UNEXP_NET_ERR                      59
#define WF_ERROR_NETNAME_DELETED                    64
#define WF_ERROR_NETWORK_ACCESS_DENIED              65
#define WF_ERROR_BAD_DEV_TYPE                       66
#define WF_ERROR_BAD_NET_NAME                       67
#define WF_ERROR_TOO_MANY_NAMES                     68
#define WF_ERROR_SHARING_PAUSED                     70
#define WF_ERROR_REQ_NOT_ACCEP                      71
#define WF_ERROR_CANNOT_MAKE                        82
#define WF_ERROR_INVALID_PARAMETER                  87
#define WF_ERROR_BROKEN_PIPE                        109
#define WF_ERROR_DISK_FULL                          112
#define WF_ERROR_SEM_TIMEOUT                        121
#define WF_ERROR_INSUFFICIENT_BUFFER                122
#define WF_ERROR_INVALID_NAME                       123
#define WF_ERROR_INVALID_LEVEL                      124
#define WF_ERROR_PROC_NOT_FOUND                     127
#define WF_ERROR_DIR_NOT_EMPTY                      145
#define WF_ERROR_LABEL_TOO_LONG                     154
#define WF_ERROR_NOT_LOCKED                         158
#define WF_ERROR_BAD_PATHNAME                       161
#define WF_ERROR_BUSY                               170
#define WF_ERROR_ALREADY_EXISTS                     183
#define WF_ERROR_BAD_EXE_FORMAT                     193
#define WF_ERROR_FILENAME_EXCED_RANGE               206
#define WF_ERROR_BAD_FILE_TYPE                      222
#define WF_ERROR_FILE_TOO_LARGE                     223
#define WF_ERROR_BAD_PIPE                           230
#define WF_ERROR_PIPE_BUSY                          231
#define WF_ERROR_NO_DATA                            232
#define WF_ERROR_PIPE_NOT_CONNECTED                 233
#define WF_ERROR_MORE_DATA                          234
#define WF_ERROR_INVALID_EA_NAME                    254
#define WF_ERROR_EA_LIST_INCONSISTENT               255
#define WF_ERROR_NO_MORE_ITEMS                      259
#define WF_ERROR_DIRECTORY                          267
#define WF_ERROR_EAS_NOT_SUPPORTED                  282
#define WF_ERROR_OPLOCK_NOT_GRANTED                 300
#define WF_ERROR_INVALID_OPLOCK_PROTOCOL            301
#define WF_ERROR_INVALID_LOCK_RANGE                 307
#define WF_ERROR_MR_MID_NOT_FOUND                   317
#define WF_ERROR_NO_SUCH_DEVICE                     433
#define WF_ERROR_ARITHMETIC_OVERFLOW                534
#define WF_ERROR_CANT_WAIT                          554
#define WF_ERROR_ILLEGAL_CHARACTER                  582
#define WF_ERROR_UNDEFINED_CHARACTER                583
#define WF_ERROR_DATA_NOT_ACCEPTED                  592
#define WF_ERROR_NOINTERFACE                        632
#define WF_ERROR_SYSTEM_SHUTDOWN                    641
#define WF_ERROR_RANGE_NOT_FOUND                    644
#define WF_ERROR_INVALID_DEVICE_OBJECT_PARAMETER    650
#define WF_ERROR_FILE_SYSTEM_LIMITATION             665
#define WF_ERROR_STOPPED_ON_SYMLINK                 681
#define WF_ERROR_OBJECT_NAME_EXISTS                 698
#define WF_ERROR_REPARSE                            741
#define WF_ERROR_OPLOCK_BREAK_IN_PROGRESS           742
#define WF_ERROR_NOTIFY_CLEANUP                     745
#define WF_ERROR_BUFFER_ALL_ZEROS                   754
#define WF_ERROR_REPARSE_OBJECT                     755
#define WF_ERROR_OPERATION_ABORTED                  995
#define WF_ERROR_IO_PENDING                         997
#define WF_ERROR_NOACCESS                           998
#define WF_ERROR_SWAPERROR                          999
#define WF_ERROR_UNRECOGNIZED_VOLUME                1005
#define WF_ERROR_FILE_INVALID                       1006
#define WF_ERROR_NO_TOKEN                           1008
#define WF_ERROR_NOTIFY_ENUM_DIR                    1022
#define WF_ERROR_END_OF_MEDIA                       1100
#define WF_ERROR_NO_DATA_DETECTED                   1104
#define WF_ERROR_MEDIA_CHANGED                      1110
#define WF_ERROR_NO_MEDIA_IN_DRIVE                  1112
#define WF_ERROR_NO_UNICODE_TRANSLATION             1113
#define WF_ERROR_IO_DEVICE                          1117
#define WF_ERROR_DISK_OPERATION_FAILED              1127
#define WF_ERROR_NOT_ENOUGH_SERVER_MEMORY           1130
#define WF_ERROR_POSSIBLE_DEADLOCK                  1131
#define WF_ERROR_TOO_MANY_LINKS                     1142
#define WF_ERROR_DEVICE_NOT_CONNECTED               1167
#define WF_ERROR_NOT_FOUND                          1168
#define WF_ERROR_INVALID_NETNAME                    1214
#define WF_ERROR_USER_MAPPED_FILE                   1224
#define WF_ERROR_CONNECTION_REFUSED                 1225
#define WF_ERROR_GRACEFUL_DISCONNECT                1226
#define WF_ERROR_ADDRESS_ALREADY_ASSOCIATED         1227
#define WF_ERROR_ADDRESS_NOT_ASSOCIATED             1228
#define WF_ERROR_CONNECTION_INVALID                 1229
#define WF_ERROR_CONNECTION_ACTIVE                  1230
#define WF_ERROR_NETWORK_UNREACHABLE                1231
#define WF_ERROR_HOST_UNREACHABLE                   1232
#define WF_ERROR_PROTOCOL_UNREACHABLE               1233
#define WF_ERROR_PORT_UNREACHABLE                   1234
#define WF_ERROR_REQUEST_ABORTED                    1235
#define WF_ERROR_CONNECTION_ABORTED                 1236
#define WF_ERROR_RETRY                              1237
#define WF_ERROR_CONNECTION_COUNT_LIMIT             1238
#define WF_ERROR_HOST_DOWN                          1256
#define WF_ERROR_DISK_QUOTA_EXCEEDED                1295
#define WF_ERROR_NOT_ALL_ASSIGNED                   1300
#define WF_ERROR_SOME_NOT_MAPPED                    1301
#define WF_ERROR_UNKNOWN_REVISION                   1305
#define WF_ERROR_REVISION_MISMATCH                  1306
#define WF_ERROR_INVALID_OWNER                      1307
#define WF_ERROR_INVALID_PRIMARY_GROUP              1308
#define WF_ERROR_NO_IMPERSONATION_TOKEN             1309
#define WF_ERROR_NO_SUCH_PRIVILEGE                  1313
#define WF_ERROR_PRIVILEGE_NOT_HELD                 1314
#define WF_ERROR_NONE_MAPPED                        1332
#define WF_ERROR_INVALID_ACL                        1336
#define WF_ERROR_INVALID_SID                        1337
#define WF_ERROR_INVALID_SECURITY_DESCR             1338
#define WF_ERROR_BAD_IMPERSONATION_LEVEL            1346
#define WF_ERROR_INTERNAL_ERROR                     1359
#define WF_ERROR_FILE_CORRUPT                       1392
#define WF_ERROR_DISK_CORRUPT                       1393
#define WF_ERROR_NO_SYSTEM_RESOURCES                1450
#define WF_ERROR_TIMEOUT                            1460
#define WF_ERROR_DEVICE_REMOVED                     1617
#define WF_ERROR_INVALID_USER_BUFFER                1784
#define WF_ERROR_UNRECOGNIZED_MEDIA                 1785
#define WF_ERROR_NOT_ENOUGH_QUOTA                   1816
#define WF_ERROR_CANT_ACCESS_FILE                   1920
#define WF_ERROR_CANT_RESOLVE_FILENAME              1921
#define WF_ERROR_OPEN_FILES                         2401
#define WF_ERROR_DEVICE_IN_USE                      2404
#define WF_ERROR_NOT_A_REPARSE_POINT                4390
#define WF_ERROR_REPARSE_ATTRIBUTE_CONFLICT         4391
#define WF_ERROR_INVALID_REPARSE_DATA               4392
#define WF_ERROR_REPARSE_TAG_INVALID                4393
#define WF_ERROR_REPARSE_TAG_MISMATCH               4394

#endif
