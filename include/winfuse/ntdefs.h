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

/* ---- constants: each guarded, so that the DDK definition wins in the kernel ---- */

/*
 * File attributes (FILE_BASIC_INFORMATION, FSP_FSCTL_FILE_INFO.FileAttributes).
 * They travel unchanged between the caller, the FSD and the engine, which
 * derives them from POSIX modes; several share a bit (EA and RECALL_ON_OPEN)
 * because Windows gives the bit different meanings in different places.
 */
#ifndef FILE_ATTRIBUTE_READONLY
#define FILE_ATTRIBUTE_READONLY 0x00000001
#endif
#ifndef FILE_ATTRIBUTE_HIDDEN
#define FILE_ATTRIBUTE_HIDDEN 0x00000002
#endif
#ifndef FILE_ATTRIBUTE_SYSTEM
#define FILE_ATTRIBUTE_SYSTEM 0x00000004
#endif
#ifndef FILE_ATTRIBUTE_DIRECTORY
#define FILE_ATTRIBUTE_DIRECTORY 0x00000010
#endif
#ifndef FILE_ATTRIBUTE_ARCHIVE
#define FILE_ATTRIBUTE_ARCHIVE 0x00000020
#endif
#ifndef FILE_ATTRIBUTE_DEVICE
#define FILE_ATTRIBUTE_DEVICE 0x00000040
#endif
#ifndef FILE_ATTRIBUTE_NORMAL
#define FILE_ATTRIBUTE_NORMAL 0x00000080
#endif
#ifndef FILE_ATTRIBUTE_TEMPORARY
#define FILE_ATTRIBUTE_TEMPORARY 0x00000100
#endif
#ifndef FILE_ATTRIBUTE_SPARSE_FILE
#define FILE_ATTRIBUTE_SPARSE_FILE 0x00000200
#endif
#ifndef FILE_ATTRIBUTE_REPARSE_POINT
#define FILE_ATTRIBUTE_REPARSE_POINT 0x00000400
#endif
#ifndef FILE_ATTRIBUTE_COMPRESSED
#define FILE_ATTRIBUTE_COMPRESSED 0x00000800
#endif
#ifndef FILE_ATTRIBUTE_OFFLINE
#define FILE_ATTRIBUTE_OFFLINE 0x00001000
#endif
#ifndef FILE_ATTRIBUTE_NOT_CONTENT_INDEXED
#define FILE_ATTRIBUTE_NOT_CONTENT_INDEXED 0x00002000
#endif
#ifndef FILE_ATTRIBUTE_ENCRYPTED
#define FILE_ATTRIBUTE_ENCRYPTED 0x00004000
#endif
#ifndef FILE_ATTRIBUTE_INTEGRITY_STREAM
#define FILE_ATTRIBUTE_INTEGRITY_STREAM 0x00008000
#endif
#ifndef FILE_ATTRIBUTE_VIRTUAL
#define FILE_ATTRIBUTE_VIRTUAL 0x00010000
#endif
#ifndef FILE_ATTRIBUTE_NO_SCRUB_DATA
#define FILE_ATTRIBUTE_NO_SCRUB_DATA 0x00020000
#endif
#ifndef FILE_ATTRIBUTE_EA
#define FILE_ATTRIBUTE_EA 0x00040000
#endif
#ifndef FILE_ATTRIBUTE_RECALL_ON_OPEN
#define FILE_ATTRIBUTE_RECALL_ON_OPEN 0x00040000
#endif
#ifndef FILE_ATTRIBUTE_PINNED
#define FILE_ATTRIBUTE_PINNED 0x00080000
#endif
#ifndef FILE_ATTRIBUTE_UNPINNED
#define FILE_ATTRIBUTE_UNPINNED 0x00100000
#endif
#ifndef FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS
#define FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS 0x00400000
#endif
#ifndef FILE_ATTRIBUTE_STRICTLY_SEQUENTIAL
#define FILE_ATTRIBUTE_STRICTLY_SEQUENTIAL 0x20000000
#endif

/*
 * The masks a file system applies to attributes it is asked to store: the
 * classic DDK values (what the mingw-w64 DDK also has, so both builds agree).
 */
#ifndef FILE_ATTRIBUTE_VALID_FLAGS
#define FILE_ATTRIBUTE_VALID_FLAGS 0x00007fb7
#endif
#ifndef FILE_ATTRIBUTE_VALID_SET_FLAGS
#define FILE_ATTRIBUTE_VALID_SET_FLAGS 0x000031a7
#endif
#ifndef INVALID_FILE_ATTRIBUTES
#define INVALID_FILE_ATTRIBUTES 0xffffffff
#endif

/*
 * Standard access rights (ACCESS_MASK high word): checked against the
 * security descriptor on open and stored in the file object.
 */
#ifndef DELETE
#define DELETE 0x00010000
#endif
#ifndef READ_CONTROL
#define READ_CONTROL 0x00020000
#endif
#ifndef WRITE_DAC
#define WRITE_DAC 0x00040000
#endif
#ifndef WRITE_OWNER
#define WRITE_OWNER 0x00080000
#endif
#ifndef SYNCHRONIZE
#define SYNCHRONIZE 0x00100000
#endif
#ifndef STANDARD_RIGHTS_REQUIRED
#define STANDARD_RIGHTS_REQUIRED 0x000F0000
#endif
#ifndef STANDARD_RIGHTS_READ
#define STANDARD_RIGHTS_READ READ_CONTROL
#endif
#ifndef STANDARD_RIGHTS_WRITE
#define STANDARD_RIGHTS_WRITE READ_CONTROL
#endif
#ifndef STANDARD_RIGHTS_EXECUTE
#define STANDARD_RIGHTS_EXECUTE READ_CONTROL
#endif
#ifndef STANDARD_RIGHTS_ALL
#define STANDARD_RIGHTS_ALL 0x001F0000
#endif
#ifndef SPECIFIC_RIGHTS_ALL
#define SPECIFIC_RIGHTS_ALL 0x0000FFFF
#endif
#ifndef ACCESS_SYSTEM_SECURITY
#define ACCESS_SYSTEM_SECURITY 0x01000000
#endif
#ifndef MAXIMUM_ALLOWED
#define MAXIMUM_ALLOWED 0x02000000
#endif
#ifndef GENERIC_ALL
#define GENERIC_ALL 0x10000000
#endif
#ifndef GENERIC_EXECUTE
#define GENERIC_EXECUTE 0x20000000
#endif
#ifndef GENERIC_WRITE
#define GENERIC_WRITE 0x40000000
#endif
#ifndef GENERIC_READ
#define GENERIC_READ 0x80000000
#endif

/*
 * File-specific access rights (ACCESS_MASK low word). Directory names alias
 * the file names because a directory reuses the same bits.
 */
#ifndef FILE_READ_DATA
#define FILE_READ_DATA 0x00000001
#endif
#ifndef FILE_LIST_DIRECTORY
#define FILE_LIST_DIRECTORY 0x00000001
#endif
#ifndef FILE_WRITE_DATA
#define FILE_WRITE_DATA 0x00000002
#endif
#ifndef FILE_ADD_FILE
#define FILE_ADD_FILE 0x00000002
#endif
#ifndef FILE_APPEND_DATA
#define FILE_APPEND_DATA 0x00000004
#endif
#ifndef FILE_ADD_SUBDIRECTORY
#define FILE_ADD_SUBDIRECTORY 0x00000004
#endif
#ifndef FILE_CREATE_PIPE_INSTANCE
#define FILE_CREATE_PIPE_INSTANCE 0x00000004
#endif
#ifndef FILE_READ_EA
#define FILE_READ_EA 0x00000008
#endif
#ifndef FILE_WRITE_EA
#define FILE_WRITE_EA 0x00000010
#endif
#ifndef FILE_EXECUTE
#define FILE_EXECUTE 0x00000020
#endif
#ifndef FILE_TRAVERSE
#define FILE_TRAVERSE 0x00000020
#endif
#ifndef FILE_DELETE_CHILD
#define FILE_DELETE_CHILD 0x00000040
#endif
#ifndef FILE_READ_ATTRIBUTES
#define FILE_READ_ATTRIBUTES 0x00000080
#endif
#ifndef FILE_WRITE_ATTRIBUTES
#define FILE_WRITE_ATTRIBUTES 0x00000100
#endif
#ifndef FILE_ALL_ACCESS
#define FILE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF)
#endif
#ifndef FILE_GENERIC_READ
#define FILE_GENERIC_READ \
    (STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE)
#endif
#ifndef FILE_GENERIC_WRITE
#define FILE_GENERIC_WRITE                                                                   \
    (STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA |        \
     FILE_APPEND_DATA | SYNCHRONIZE)
#endif
#ifndef FILE_GENERIC_EXECUTE
#define FILE_GENERIC_EXECUTE \
    (STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE)
#endif

/*
 * Share access (NtCreateFile ShareAccess, Req.Create.ShareAccess): what
 * later openers of the same file may still do.
 */
#ifndef FILE_SHARE_READ
#define FILE_SHARE_READ 0x00000001
#endif
#ifndef FILE_SHARE_WRITE
#define FILE_SHARE_WRITE 0x00000002
#endif
#ifndef FILE_SHARE_DELETE
#define FILE_SHARE_DELETE 0x00000004
#endif
#ifndef FILE_SHARE_VALID_FLAGS
#define FILE_SHARE_VALID_FLAGS 0x00000007
#endif

/*
 * Create dispositions. WinFsp carries them in the high 8 bits of
 * Create.CreateOptions. When an OVERWRITE or SUPERSEDE Create opens an
 * existing file, the answer is FILE_OVERWRITTEN or FILE_SUPERSEDED and the
 * FSD follows up with an Overwrite request that does the truncation.
 */
#ifndef FILE_SUPERSEDE
#define FILE_SUPERSEDE 0x00000000
#endif
#ifndef FILE_OPEN
#define FILE_OPEN 0x00000001
#endif
#ifndef FILE_CREATE
#define FILE_CREATE 0x00000002
#endif
#ifndef FILE_OPEN_IF
#define FILE_OPEN_IF 0x00000003
#endif
#ifndef FILE_OVERWRITE
#define FILE_OVERWRITE 0x00000004
#endif
#ifndef FILE_OVERWRITE_IF
#define FILE_OVERWRITE_IF 0x00000005
#endif
#ifndef FILE_MAXIMUM_DISPOSITION
#define FILE_MAXIMUM_DISPOSITION 0x00000005
#endif

/*
 * Create options: the low 24 bits of Create.CreateOptions.
 */
#ifndef FILE_DIRECTORY_FILE
#define FILE_DIRECTORY_FILE 0x00000001
#endif
#ifndef FILE_WRITE_THROUGH
#define FILE_WRITE_THROUGH 0x00000002
#endif
#ifndef FILE_SEQUENTIAL_ONLY
#define FILE_SEQUENTIAL_ONLY 0x00000004
#endif
#ifndef FILE_NO_INTERMEDIATE_BUFFERING
#define FILE_NO_INTERMEDIATE_BUFFERING 0x00000008
#endif
#ifndef FILE_SYNCHRONOUS_IO_ALERT
#define FILE_SYNCHRONOUS_IO_ALERT 0x00000010
#endif
#ifndef FILE_SYNCHRONOUS_IO_NONALERT
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#endif
#ifndef FILE_NON_DIRECTORY_FILE
#define FILE_NON_DIRECTORY_FILE 0x00000040
#endif
#ifndef FILE_CREATE_TREE_CONNECTION
#define FILE_CREATE_TREE_CONNECTION 0x00000080
#endif
#ifndef FILE_COMPLETE_IF_OPLOCKED
#define FILE_COMPLETE_IF_OPLOCKED 0x00000100
#endif
#ifndef FILE_NO_EA_KNOWLEDGE
#define FILE_NO_EA_KNOWLEDGE 0x00000200
#endif
#ifndef FILE_OPEN_REMOTE_INSTANCE
#define FILE_OPEN_REMOTE_INSTANCE 0x00000400
#endif
#ifndef FILE_RANDOM_ACCESS
#define FILE_RANDOM_ACCESS 0x00000800
#endif
#ifndef FILE_DELETE_ON_CLOSE
#define FILE_DELETE_ON_CLOSE 0x00001000
#endif
#ifndef FILE_OPEN_BY_FILE_ID
#define FILE_OPEN_BY_FILE_ID 0x00002000
#endif
#ifndef FILE_OPEN_FOR_BACKUP_INTENT
#define FILE_OPEN_FOR_BACKUP_INTENT 0x00004000
#endif
#ifndef FILE_NO_COMPRESSION
#define FILE_NO_COMPRESSION 0x00008000
#endif
#ifndef FILE_OPEN_REQUIRING_OPLOCK
#define FILE_OPEN_REQUIRING_OPLOCK 0x00010000
#endif
#ifndef FILE_DISALLOW_EXCLUSIVE
#define FILE_DISALLOW_EXCLUSIVE 0x00020000
#endif
#ifndef FILE_SESSION_AWARE
#define FILE_SESSION_AWARE 0x00040000
#endif
#ifndef FILE_RESERVE_OPFILTER
#define FILE_RESERVE_OPFILTER 0x00100000
#endif
#ifndef FILE_OPEN_REPARSE_POINT
#define FILE_OPEN_REPARSE_POINT 0x00200000
#endif
#ifndef FILE_OPEN_NO_RECALL
#define FILE_OPEN_NO_RECALL 0x00400000
#endif
#ifndef FILE_OPEN_FOR_FREE_SPACE_QUERY
#define FILE_OPEN_FOR_FREE_SPACE_QUERY 0x00800000
#endif
#ifndef FILE_VALID_OPTION_FLAGS
#define FILE_VALID_OPTION_FLAGS 0x00ffffff
#endif
#ifndef FILE_VALID_PIPE_OPTION_FLAGS
#define FILE_VALID_PIPE_OPTION_FLAGS 0x00000032
#endif
#ifndef FILE_VALID_MAILSLOT_OPTION_FLAGS
#define FILE_VALID_MAILSLOT_OPTION_FLAGS 0x00000032
#endif
#ifndef FILE_VALID_SET_FLAGS
#define FILE_VALID_SET_FLAGS 0x00000036
#endif

/*
 * Create results, returned in IoStatus.Information of a Create (and, for
 * EXISTS/DOES_NOT_EXIST, of an open with OpenTargetDirectory).
 */
#ifndef FILE_SUPERSEDED
#define FILE_SUPERSEDED 0x00000000
#endif
#ifndef FILE_OPENED
#define FILE_OPENED 0x00000001
#endif
#ifndef FILE_CREATED
#define FILE_CREATED 0x00000002
#endif
#ifndef FILE_OVERWRITTEN
#define FILE_OVERWRITTEN 0x00000003
#endif
#ifndef FILE_EXISTS
#define FILE_EXISTS 0x00000004
#endif
#ifndef FILE_DOES_NOT_EXIST
#define FILE_DOES_NOT_EXIST 0x00000005
#endif

/*
 * Write offsets with a special meaning for NtWriteFile (ByteOffset.LowPart
 * with HighPart -1): append, or write at the current position.
 */
#ifndef FILE_WRITE_TO_END_OF_FILE
#define FILE_WRITE_TO_END_OF_FILE 0xffffffff
#endif
#ifndef FILE_USE_FILE_POINTER_POSITION
#define FILE_USE_FILE_POINTER_POSITION 0xfffffffe
#endif

/*
 * FileDispositionInformationEx flags (Req.SetInformation.Info.DispositionEx).
 * POSIX_SEMANTICS unlinks the name at once while open handles live on.
 */
#ifndef FILE_DISPOSITION_DO_NOT_DELETE
#define FILE_DISPOSITION_DO_NOT_DELETE 0x00000000
#endif
#ifndef FILE_DISPOSITION_DELETE
#define FILE_DISPOSITION_DELETE 0x00000001
#endif
#ifndef FILE_DISPOSITION_POSIX_SEMANTICS
#define FILE_DISPOSITION_POSIX_SEMANTICS 0x00000002
#endif
#ifndef FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK
#define FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK 0x00000004
#endif
#ifndef FILE_DISPOSITION_ON_CLOSE
#define FILE_DISPOSITION_ON_CLOSE 0x00000008
#endif
#ifndef FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE
#define FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE 0x00000010
#endif

/*
 * FileRenameInformationEx flags (Req.SetInformation.Info.RenameEx.Flags).
 */
#ifndef FILE_RENAME_REPLACE_IF_EXISTS
#define FILE_RENAME_REPLACE_IF_EXISTS 0x00000001
#endif
#ifndef FILE_RENAME_POSIX_SEMANTICS
#define FILE_RENAME_POSIX_SEMANTICS 0x00000002
#endif
#ifndef FILE_RENAME_SUPPRESS_PIN_STATE_INHERITANCE
#define FILE_RENAME_SUPPRESS_PIN_STATE_INHERITANCE 0x00000004
#endif
#ifndef FILE_RENAME_SUPPRESS_STORAGE_RESERVE_INHERITANCE
#define FILE_RENAME_SUPPRESS_STORAGE_RESERVE_INHERITANCE 0x00000008
#endif
#ifndef FILE_RENAME_NO_INCREASE_AVAILABLE_SPACE
#define FILE_RENAME_NO_INCREASE_AVAILABLE_SPACE 0x00000010
#endif
#ifndef FILE_RENAME_NO_DECREASE_AVAILABLE_SPACE
#define FILE_RENAME_NO_DECREASE_AVAILABLE_SPACE 0x00000020
#endif
#ifndef FILE_RENAME_IGNORE_READONLY_ATTRIBUTE
#define FILE_RENAME_IGNORE_READONLY_ATTRIBUTE 0x00000040
#endif
#ifndef FILE_RENAME_FORCE_RESIZE_TARGET_SR
#define FILE_RENAME_FORCE_RESIZE_TARGET_SR 0x00000080
#endif
#ifndef FILE_RENAME_FORCE_RESIZE_SOURCE_SR
#define FILE_RENAME_FORCE_RESIZE_SOURCE_SR 0x00000100
#endif

/*
 * File system attributes (FILE_FS_ATTRIBUTE_INFORMATION.FileSystemAttributes),
 * derived from the FSP_FSCTL_VOLUME_PARAMS bit fields: they tell Windows
 * which semantics the volume honours.
 */
#ifndef FILE_CASE_SENSITIVE_SEARCH
#define FILE_CASE_SENSITIVE_SEARCH 0x00000001
#endif
#ifndef FILE_CASE_PRESERVED_NAMES
#define FILE_CASE_PRESERVED_NAMES 0x00000002
#endif
#ifndef FILE_UNICODE_ON_DISK
#define FILE_UNICODE_ON_DISK 0x00000004
#endif
#ifndef FILE_PERSISTENT_ACLS
#define FILE_PERSISTENT_ACLS 0x00000008
#endif
#ifndef FILE_FILE_COMPRESSION
#define FILE_FILE_COMPRESSION 0x00000010
#endif
#ifndef FILE_VOLUME_QUOTAS
#define FILE_VOLUME_QUOTAS 0x00000020
#endif
#ifndef FILE_SUPPORTS_SPARSE_FILES
#define FILE_SUPPORTS_SPARSE_FILES 0x00000040
#endif
#ifndef FILE_SUPPORTS_REPARSE_POINTS
#define FILE_SUPPORTS_REPARSE_POINTS 0x00000080
#endif
#ifndef FILE_SUPPORTS_REMOTE_STORAGE
#define FILE_SUPPORTS_REMOTE_STORAGE 0x00000100
#endif
#ifndef FILE_RETURNS_CLEANUP_RESULT_INFO
#define FILE_RETURNS_CLEANUP_RESULT_INFO 0x00000200
#endif
#ifndef FILE_SUPPORTS_POSIX_UNLINK_RENAME
#define FILE_SUPPORTS_POSIX_UNLINK_RENAME 0x00000400
#endif
#ifndef FILE_VOLUME_IS_COMPRESSED
#define FILE_VOLUME_IS_COMPRESSED 0x00008000
#endif
#ifndef FILE_SUPPORTS_OBJECT_IDS
#define FILE_SUPPORTS_OBJECT_IDS 0x00010000
#endif
#ifndef FILE_SUPPORTS_ENCRYPTION
#define FILE_SUPPORTS_ENCRYPTION 0x00020000
#endif
#ifndef FILE_NAMED_STREAMS
#define FILE_NAMED_STREAMS 0x00040000
#endif
#ifndef FILE_READ_ONLY_VOLUME
#define FILE_READ_ONLY_VOLUME 0x00080000
#endif
#ifndef FILE_SEQUENTIAL_WRITE_ONCE
#define FILE_SEQUENTIAL_WRITE_ONCE 0x00100000
#endif
#ifndef FILE_SUPPORTS_TRANSACTIONS
#define FILE_SUPPORTS_TRANSACTIONS 0x00200000
#endif
#ifndef FILE_SUPPORTS_HARD_LINKS
#define FILE_SUPPORTS_HARD_LINKS 0x00400000
#endif
#ifndef FILE_SUPPORTS_EXTENDED_ATTRIBUTES
#define FILE_SUPPORTS_EXTENDED_ATTRIBUTES 0x00800000
#endif
#ifndef FILE_SUPPORTS_OPEN_BY_FILE_ID
#define FILE_SUPPORTS_OPEN_BY_FILE_ID 0x01000000
#endif
#ifndef FILE_SUPPORTS_USN_JOURNAL
#define FILE_SUPPORTS_USN_JOURNAL 0x02000000
#endif
#ifndef FILE_SUPPORTS_INTEGRITY_STREAMS
#define FILE_SUPPORTS_INTEGRITY_STREAMS 0x04000000
#endif

/*
 * Reparse points. Symbolic links are what FUSE symlinks become; the LX and
 * NFS tags are how WSL and WinFsp-FUSE represent FIFOs, sockets and devices.
 */
#ifndef IO_REPARSE_TAG_RESERVED_ZERO
#define IO_REPARSE_TAG_RESERVED_ZERO 0
#endif
#ifndef IO_REPARSE_TAG_RESERVED_ONE
#define IO_REPARSE_TAG_RESERVED_ONE 1
#endif
#ifndef IO_REPARSE_TAG_RESERVED_RANGE
#define IO_REPARSE_TAG_RESERVED_RANGE IO_REPARSE_TAG_RESERVED_ONE
#endif
#ifndef IO_REPARSE_TAG_MOUNT_POINT
#define IO_REPARSE_TAG_MOUNT_POINT 0xA0000003
#endif
#ifndef IO_REPARSE_TAG_SYMLINK
#define IO_REPARSE_TAG_SYMLINK 0xA000000C
#endif
#ifndef IO_REPARSE_TAG_NFS
#define IO_REPARSE_TAG_NFS 0x80000014
#endif
#ifndef IO_REPARSE_TAG_LX_SYMLINK
#define IO_REPARSE_TAG_LX_SYMLINK 0xA000001D
#endif
#ifndef IO_REPARSE_TAG_AF_UNIX
#define IO_REPARSE_TAG_AF_UNIX 0x80000023
#endif
#ifndef IO_REPARSE_TAG_LX_FIFO
#define IO_REPARSE_TAG_LX_FIFO 0x80000024
#endif
#ifndef IO_REPARSE_TAG_LX_CHR
#define IO_REPARSE_TAG_LX_CHR 0x80000025
#endif
#ifndef IO_REPARSE_TAG_LX_BLK
#define IO_REPARSE_TAG_LX_BLK 0x80000026
#endif
#ifndef IO_REPARSE_TAG_VALID_VALUES
#define IO_REPARSE_TAG_VALID_VALUES 0xF000FFFF
#endif
#ifndef IsReparseTagMicrosoft
#define IsReparseTagMicrosoft(_tag) (((_tag) & 0x80000000))
#endif
#ifndef IsReparseTagNameSurrogate
#define IsReparseTagNameSurrogate(_tag) (((_tag) & 0x20000000))
#endif
#ifndef IsReparseTagValid
#define IsReparseTagValid(tag) \
    (!((tag) & ~IO_REPARSE_TAG_VALID_VALUES) && ((tag) > IO_REPARSE_TAG_RESERVED_RANGE))
#endif
#ifndef SYMLINK_FLAG_RELATIVE
#define SYMLINK_FLAG_RELATIVE 1
#endif
#ifndef MAXIMUM_REPARSE_DATA_BUFFER_SIZE
#define MAXIMUM_REPARSE_DATA_BUFFER_SIZE (16 * 1024)
#endif

/*
 * I/O control codes: the layout of an FSCTL/IOCTL number, and the reparse
 * point FSCTLs that reach the file system as FileSystemControl requests.
 */
#ifndef FILE_DEVICE_DISK
#define FILE_DEVICE_DISK 0x00000007
#endif
#ifndef FILE_DEVICE_DISK_FILE_SYSTEM
#define FILE_DEVICE_DISK_FILE_SYSTEM 0x00000008
#endif
#ifndef FILE_DEVICE_FILE_SYSTEM
#define FILE_DEVICE_FILE_SYSTEM 0x00000009
#endif
#ifndef FILE_DEVICE_NETWORK_FILE_SYSTEM
#define FILE_DEVICE_NETWORK_FILE_SYSTEM 0x00000014
#endif
#ifndef METHOD_BUFFERED
#define METHOD_BUFFERED 0
#endif
#ifndef METHOD_IN_DIRECT
#define METHOD_IN_DIRECT 1
#endif
#ifndef METHOD_OUT_DIRECT
#define METHOD_OUT_DIRECT 2
#endif
#ifndef METHOD_NEITHER
#define METHOD_NEITHER 3
#endif
#ifndef FILE_ANY_ACCESS
#define FILE_ANY_ACCESS 0
#endif
#ifndef FILE_SPECIAL_ACCESS
#define FILE_SPECIAL_ACCESS (FILE_ANY_ACCESS)
#endif
#ifndef FILE_READ_ACCESS
#define FILE_READ_ACCESS 0x0001
#endif
#ifndef FILE_WRITE_ACCESS
#define FILE_WRITE_ACCESS 0x0002
#endif
#ifndef CTL_CODE
/* unsigned arithmetic: device types >= 0x8000 would shift into the sign bit */
#define CTL_CODE(DeviceType, Function, Method, Access)                       \
    (((ULONG)(DeviceType) << 16) | ((ULONG)(Access) << 14) | ((ULONG)(Function) << 2) | \
     (ULONG)(Method))
#endif
#ifndef FSCTL_SET_REPARSE_POINT
#define FSCTL_SET_REPARSE_POINT \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 41, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)
#endif
#ifndef FSCTL_GET_REPARSE_POINT
#define FSCTL_GET_REPARSE_POINT \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 42, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif
#ifndef FSCTL_DELETE_REPARSE_POINT
#define FSCTL_DELETE_REPARSE_POINT \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 43, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)
#endif

/*
 * Device characteristics: a network volume's device carries
 * FILE_REMOTE_DEVICE, and a volume device with a file system mounted on it
 * FILE_DEVICE_IS_MOUNTED.
 */
#ifndef FILE_REMOVABLE_MEDIA
#define FILE_REMOVABLE_MEDIA 0x00000001
#endif
#ifndef FILE_READ_ONLY_DEVICE
#define FILE_READ_ONLY_DEVICE 0x00000002
#endif
#ifndef FILE_REMOTE_DEVICE
#define FILE_REMOTE_DEVICE 0x00000010
#endif
#ifndef FILE_DEVICE_IS_MOUNTED
#define FILE_DEVICE_IS_MOUNTED 0x00000020
#endif
#ifndef FILE_VIRTUAL_VOLUME
#define FILE_VIRTUAL_VOLUME 0x00000040
#endif
#ifndef FILE_DEVICE_SECURE_OPEN
#define FILE_DEVICE_SECURE_OPEN 0x00000100
#endif

/*
 * SECURITY_INFORMATION: which parts of a security descriptor a
 * QuerySecurity/SetSecurity request reads or replaces.
 */
#ifndef OWNER_SECURITY_INFORMATION
#define OWNER_SECURITY_INFORMATION 0x00000001
#endif
#ifndef GROUP_SECURITY_INFORMATION
#define GROUP_SECURITY_INFORMATION 0x00000002
#endif
#ifndef DACL_SECURITY_INFORMATION
#define DACL_SECURITY_INFORMATION 0x00000004
#endif
#ifndef SACL_SECURITY_INFORMATION
#define SACL_SECURITY_INFORMATION 0x00000008
#endif
#ifndef LABEL_SECURITY_INFORMATION
#define LABEL_SECURITY_INFORMATION 0x00000010
#endif
#ifndef ATTRIBUTE_SECURITY_INFORMATION
#define ATTRIBUTE_SECURITY_INFORMATION 0x00000020
#endif
#ifndef SCOPE_SECURITY_INFORMATION
#define SCOPE_SECURITY_INFORMATION 0x00000040
#endif
#ifndef BACKUP_SECURITY_INFORMATION
#define BACKUP_SECURITY_INFORMATION 0x00010000
#endif
#ifndef UNPROTECTED_SACL_SECURITY_INFORMATION
#define UNPROTECTED_SACL_SECURITY_INFORMATION 0x10000000
#endif
#ifndef UNPROTECTED_DACL_SECURITY_INFORMATION
#define UNPROTECTED_DACL_SECURITY_INFORMATION 0x20000000
#endif
#ifndef PROTECTED_SACL_SECURITY_INFORMATION
#define PROTECTED_SACL_SECURITY_INFORMATION 0x40000000
#endif
#ifndef PROTECTED_DACL_SECURITY_INFORMATION
#define PROTECTED_DACL_SECURITY_INFORMATION 0x80000000
#endif

/*
 * Change notification (FSP_FSCTL_NOTIFY_INFO Filter and Action): what
 * changed, so that directory watchers and caches can react.
 */
#ifndef FILE_NOTIFY_CHANGE_FILE_NAME
#define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001
#endif
#ifndef FILE_NOTIFY_CHANGE_DIR_NAME
#define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002
#endif
#ifndef FILE_NOTIFY_CHANGE_NAME
#define FILE_NOTIFY_CHANGE_NAME 0x00000003
#endif
#ifndef FILE_NOTIFY_CHANGE_ATTRIBUTES
#define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004
#endif
#ifndef FILE_NOTIFY_CHANGE_SIZE
#define FILE_NOTIFY_CHANGE_SIZE 0x00000008
#endif
#ifndef FILE_NOTIFY_CHANGE_LAST_WRITE
#define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010
#endif
#ifndef FILE_NOTIFY_CHANGE_LAST_ACCESS
#define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020
#endif
#ifndef FILE_NOTIFY_CHANGE_CREATION
#define FILE_NOTIFY_CHANGE_CREATION 0x00000040
#endif
#ifndef FILE_NOTIFY_CHANGE_EA
#define FILE_NOTIFY_CHANGE_EA 0x00000080
#endif
#ifndef FILE_NOTIFY_CHANGE_SECURITY
#define FILE_NOTIFY_CHANGE_SECURITY 0x00000100
#endif
#ifndef FILE_NOTIFY_CHANGE_STREAM_NAME
#define FILE_NOTIFY_CHANGE_STREAM_NAME 0x00000200
#endif
#ifndef FILE_NOTIFY_CHANGE_STREAM_SIZE
#define FILE_NOTIFY_CHANGE_STREAM_SIZE 0x00000400
#endif
#ifndef FILE_NOTIFY_CHANGE_STREAM_WRITE
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800
#endif
#ifndef FILE_NOTIFY_VALID_MASK
#define FILE_NOTIFY_VALID_MASK 0x00000fff
#endif
#ifndef FILE_ACTION_ADDED
#define FILE_ACTION_ADDED 0x00000001
#endif
#ifndef FILE_ACTION_REMOVED
#define FILE_ACTION_REMOVED 0x00000002
#endif
#ifndef FILE_ACTION_MODIFIED
#define FILE_ACTION_MODIFIED 0x00000003
#endif
#ifndef FILE_ACTION_RENAMED_OLD_NAME
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004
#endif
#ifndef FILE_ACTION_RENAMED_NEW_NAME
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005
#endif
#ifndef FILE_ACTION_ADDED_STREAM
#define FILE_ACTION_ADDED_STREAM 0x00000006
#endif
#ifndef FILE_ACTION_REMOVED_STREAM
#define FILE_ACTION_REMOVED_STREAM 0x00000007
#endif
#ifndef FILE_ACTION_MODIFIED_STREAM
#define FILE_ACTION_MODIFIED_STREAM 0x00000008
#endif

/*
 * IRP major function codes: the FSD stand-in and the logs name requests
 * by the IRP that caused them, as WinFsp does.
 */
#ifndef IRP_MJ_CREATE
#define IRP_MJ_CREATE 0x00
#endif
#ifndef IRP_MJ_CREATE_NAMED_PIPE
#define IRP_MJ_CREATE_NAMED_PIPE 0x01
#endif
#ifndef IRP_MJ_CLOSE
#define IRP_MJ_CLOSE 0x02
#endif
#ifndef IRP_MJ_READ
#define IRP_MJ_READ 0x03
#endif
#ifndef IRP_MJ_WRITE
#define IRP_MJ_WRITE 0x04
#endif
#ifndef IRP_MJ_QUERY_INFORMATION
#define IRP_MJ_QUERY_INFORMATION 0x05
#endif
#ifndef IRP_MJ_SET_INFORMATION
#define IRP_MJ_SET_INFORMATION 0x06
#endif
#ifndef IRP_MJ_QUERY_EA
#define IRP_MJ_QUERY_EA 0x07
#endif
#ifndef IRP_MJ_SET_EA
#define IRP_MJ_SET_EA 0x08
#endif
#ifndef IRP_MJ_FLUSH_BUFFERS
#define IRP_MJ_FLUSH_BUFFERS 0x09
#endif
#ifndef IRP_MJ_QUERY_VOLUME_INFORMATION
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0a
#endif
#ifndef IRP_MJ_SET_VOLUME_INFORMATION
#define IRP_MJ_SET_VOLUME_INFORMATION 0x0b
#endif
#ifndef IRP_MJ_DIRECTORY_CONTROL
#define IRP_MJ_DIRECTORY_CONTROL 0x0c
#endif
#ifndef IRP_MJ_FILE_SYSTEM_CONTROL
#define IRP_MJ_FILE_SYSTEM_CONTROL 0x0d
#endif
#ifndef IRP_MJ_DEVICE_CONTROL
#define IRP_MJ_DEVICE_CONTROL 0x0e
#endif
#ifndef IRP_MJ_INTERNAL_DEVICE_CONTROL
#define IRP_MJ_INTERNAL_DEVICE_CONTROL 0x0f
#endif
#ifndef IRP_MJ_SHUTDOWN
#define IRP_MJ_SHUTDOWN 0x10
#endif
#ifndef IRP_MJ_LOCK_CONTROL
#define IRP_MJ_LOCK_CONTROL 0x11
#endif
#ifndef IRP_MJ_CLEANUP
#define IRP_MJ_CLEANUP 0x12
#endif
#ifndef IRP_MJ_CREATE_MAILSLOT
#define IRP_MJ_CREATE_MAILSLOT 0x13
#endif
#ifndef IRP_MJ_QUERY_SECURITY
#define IRP_MJ_QUERY_SECURITY 0x14
#endif
#ifndef IRP_MJ_SET_SECURITY
#define IRP_MJ_SET_SECURITY 0x15
#endif
#ifndef IRP_MJ_POWER
#define IRP_MJ_POWER 0x16
#endif
#ifndef IRP_MJ_SYSTEM_CONTROL
#define IRP_MJ_SYSTEM_CONTROL 0x17
#endif
#ifndef IRP_MJ_DEVICE_CHANGE
#define IRP_MJ_DEVICE_CHANGE 0x18
#endif
#ifndef IRP_MJ_QUERY_QUOTA
#define IRP_MJ_QUERY_QUOTA 0x19
#endif
#ifndef IRP_MJ_SET_QUOTA
#define IRP_MJ_SET_QUOTA 0x1a
#endif
#ifndef IRP_MJ_PNP
#define IRP_MJ_PNP 0x1b
#endif
#ifndef IRP_MJ_MAXIMUM_FUNCTION
#define IRP_MJ_MAXIMUM_FUNCTION 0x1b
#endif

/*
 * IRP stack flags the FSD looks at (IrpSp->Flags): restart/single-entry for
 * directory queries, target-directory opens, case-sensitive lookups.
 */
#ifndef SL_RESTART_SCAN
#define SL_RESTART_SCAN 0x01
#endif
#ifndef SL_RETURN_SINGLE_ENTRY
#define SL_RETURN_SINGLE_ENTRY 0x02
#endif
#ifndef SL_INDEX_SPECIFIED
#define SL_INDEX_SPECIFIED 0x04
#endif
#ifndef SL_WATCH_TREE
#define SL_WATCH_TREE 0x01
#endif
#ifndef SL_OPEN_TARGET_DIRECTORY
#define SL_OPEN_TARGET_DIRECTORY 0x04
#endif
#ifndef SL_STOP_ON_SYMLINK
#define SL_STOP_ON_SYMLINK 0x08
#endif
#ifndef SL_CASE_SENSITIVE
#define SL_CASE_SENSITIVE 0x80
#endif

/*
 * Name limits: a Win32 path (MAX_PATH characters, terminator included) and
 * one name component as NTFS allows it, in characters (UTF-16 code units).
 */
#ifndef MAX_PATH
#define MAX_PATH 260
#endif

/*
 * One name component, in characters (UTF-16 code units): what NTFS allows
 * and what FILE_FS_ATTRIBUTE_INFORMATION.MaximumComponentNameLength reports.
 * Not a Windows macro, hence our prefix.
 */
#define WF_MAX_COMPONENT_LENGTH 255

/*
 * Information classes. The DDK declares these as enumerators of
 * FILE_INFORMATION_CLASS and FS_INFORMATION_CLASS, which #ifndef cannot
 * see, so the kernel build takes them from <ntifs.h> and only the other
 * builds get ours. The values are fixed by the NT ABI and appear as plain
 * numbers in WinFsp requests (Req.SetInformation.FileInformationClass,
 * Req.SetVolumeInformation.FsInformationClass). The list ends where the
 * mingw-w64 DDK's does, so code using a name compiles in both builds.
 */
#if !defined(WF_NT_KERNEL)
typedef enum _FILE_INFORMATION_CLASS
{
    FileDirectoryInformation = 1,
    FileFullDirectoryInformation = 2,
    FileBothDirectoryInformation = 3,
    FileBasicInformation = 4,
    FileStandardInformation = 5,
    FileInternalInformation = 6,
    FileEaInformation = 7,
    FileAccessInformation = 8,
    FileNameInformation = 9,
    FileRenameInformation = 10,
    FileLinkInformation = 11,
    FileNamesInformation = 12,
    FileDispositionInformation = 13,
    FilePositionInformation = 14,
    FileFullEaInformation = 15,
    FileModeInformation = 16,
    FileAlignmentInformation = 17,
    FileAllInformation = 18,
    FileAllocationInformation = 19,
    FileEndOfFileInformation = 20,
    FileAlternateNameInformation = 21,
    FileStreamInformation = 22,
    FilePipeInformation = 23,
    FilePipeLocalInformation = 24,
    FilePipeRemoteInformation = 25,
    FileMailslotQueryInformation = 26,
    FileMailslotSetInformation = 27,
    FileCompressionInformation = 28,
    FileObjectIdInformation = 29,
    FileCompletionInformation = 30,
    FileMoveClusterInformation = 31,
    FileQuotaInformation = 32,
    FileReparsePointInformation = 33,
    FileNetworkOpenInformation = 34,
    FileAttributeTagInformation = 35,
    FileTrackingInformation = 36,
    FileIdBothDirectoryInformation = 37,
    FileIdFullDirectoryInformation = 38,
    FileValidDataLengthInformation = 39,
    FileShortNameInformation = 40,
    FileIoCompletionNotificationInformation = 41,
    FileIoStatusBlockRangeInformation = 42,
    FileIoPriorityHintInformation = 43,
    FileSfioReserveInformation = 44,
    FileSfioVolumeInformation = 45,
    FileHardLinkInformation = 46,
    FileProcessIdsUsingFileInformation = 47,
    FileNormalizedNameInformation = 48,
    FileNetworkPhysicalNameInformation = 49,
    FileIdGlobalTxDirectoryInformation = 50,
    FileIsRemoteDeviceInformation = 51,
    FileUnusedInformation = 52,
    FileNumaNodeInformation = 53,
    FileStandardLinkInformation = 54,
    FileRemoteProtocolInformation = 55,
    FileRenameInformationBypassAccessCheck = 56,
    FileLinkInformationBypassAccessCheck = 57,
    FileVolumeNameInformation = 58,
    FileIdInformation = 59,
    FileIdExtdDirectoryInformation = 60,
    FileReplaceCompletionInformation = 61,
    FileHardLinkFullIdInformation = 62,
    FileIdExtdBothDirectoryInformation = 63,
    FileDispositionInformationEx = 64,
    FileRenameInformationEx = 65,
    FileRenameInformationExBypassAccessCheck = 66,
    FileDesiredStorageClassInformation = 67,
    FileStatInformation = 68,
    FileMemoryPartitionInformation = 69,
    FileStatLxInformation = 70,
    FileCaseSensitiveInformation = 71,
    FileLinkInformationEx = 72,
    FileLinkInformationExBypassAccessCheck = 73,
    FileStorageReserveIdInformation = 74,
    FileCaseSensitiveInformationForceAccessCheck = 75,
} FILE_INFORMATION_CLASS;

typedef enum _FSINFOCLASS
{
    FileFsVolumeInformation = 1,
    FileFsLabelInformation = 2,
    FileFsSizeInformation = 3,
    FileFsDeviceInformation = 4,
    FileFsAttributeInformation = 5,
    FileFsControlInformation = 6,
    FileFsFullSizeInformation = 7,
    FileFsObjectIdInformation = 8,
    FileFsDriverPathInformation = 9,
    FileFsVolumeFlagsInformation = 10,
    FileFsSectorSizeInformation = 11,
    FileFsDataCopyInformation = 12,
    FileFsMetadataSizeInformation = 13,
    FileFsFullSizeInformationEx = 14,
} FS_INFORMATION_CLASS;
#endif

#endif
