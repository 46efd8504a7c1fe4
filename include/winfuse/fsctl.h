/*
 * fsctl.h - the WinFsp transact ABI, as the engine speaks it.
 *
 * The WinFsp FSD hands file system work to its user (here: our engine) as
 * FSP_FSCTL_TRANSACT_REQ records packed in a buffer, and takes the answers
 * back as FSP_FSCTL_TRANSACT_RSP records. On Windows the other side of this
 * ABI is the real winfsp.sys, built with MSVC; on Linux it is our FSD
 * stand-in. Either way the bytes must be WinFsp's, so the types and field
 * names are WinFsp's own (a Windows developer should recognise every one)
 * and every size and offset is asserted below.
 *
 * Layout rules the definitions rely on:
 *  - natural alignment of UINT64 (8), as MSVC x64 and GCC x86_64 agree;
 *  - bit fields declared UINT32 and allocated from bit 0 upwards, each
 *    group in its own 32-bit unit. MSVC (and mingw-w64, which uses MS
 *    bit-field rules) closes a unit when a non-bit-field member follows;
 *    the SysV ABI would pack that member into the rest of the unit, so
 *    where that could happen an unnamed bit field pads the unit to 32.
 */
#ifndef WINFUSE_FSCTL_H
#define WINFUSE_FSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "winfuse/ntdefs.h"

/* ---- alignment ---- */

/* Records in a transact buffer, and buffers inside a record, start at 8. */
#define FSP_FSCTL_ALIGN_UP(x, s) (((x) + ((s)-1L)) & ~((s)-1L))
#define FSP_FSCTL_DEFAULT_ALIGNMENT 8
#define FSP_FSCTL_DEFAULT_ALIGN_UP(x) FSP_FSCTL_ALIGN_UP(x, FSP_FSCTL_DEFAULT_ALIGNMENT)

/* ---- control codes of the WinFsp devices ---- */

/*
 * FSCTLs on the WinFsp file system control device (and IOCTLs for the
 * variants that go through a volume handle). Only the transact pair matters
 * to the engine; the rest name what a Windows shell would send.
 */
#define FSP_FSCTL_MOUNTDEV \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'M', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_FSCTL_MOUNTMGR \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'm', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_FSCTL_VOLUME_NAME \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'N', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_FSCTL_VOLUME_LIST \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'L', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_FSCTL_TRANSACT \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'T', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_FSCTL_TRANSACT_BATCH \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 't', METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define FSP_FSCTL_TRANSACT_INTERNAL \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'I', METHOD_NEITHER, FILE_ANY_ACCESS)
#define FSP_FSCTL_STOP \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'S', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_FSCTL_STOP0 \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 's', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_FSCTL_NOTIFY \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'n', METHOD_NEITHER, FILE_ANY_ACCESS)
#define FSP_FSCTL_UNLOAD \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'U', METHOD_NEITHER, FILE_ANY_ACCESS)
#define FSP_FSCTL_QUERY_WINFSP \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + '?', METHOD_BUFFERED, FILE_ANY_ACCESS)
/* device type 0xC657 ('F','W' with the customer bit): unsigned on purpose */
#define FSP_IOCTL_DEVICE_TYPE (0x8000U | ('F' << 8) | 'W')
#define FSP_IOCTL_TRANSACT \
    CTL_CODE(FSP_IOCTL_DEVICE_TYPE, 0x800 + 'T', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_IOCTL_TRANSACT_BATCH \
    CTL_CODE(FSP_IOCTL_DEVICE_TYPE, 0x800 + 't', METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSP_IOCTL_TRANSACT_INTERNAL \
    CTL_CODE(FSP_IOCTL_DEVICE_TYPE, 0x800 + 'I', METHOD_BUFFERED, FILE_ANY_ACCESS)

#define FSP_FSCTL_VOLUME_PARAMS_PREFIX "\\VolumeParams="

/* ---- size limits ---- */

/* Volume names are \Device\Volume{...} plus an optional UNC prefix. */
#define FSP_FSCTL_VOLUME_NAME_SIZE (64 * sizeof(WCHAR))
#define FSP_FSCTL_VOLUME_PREFIX_SIZE (192 * sizeof(WCHAR))
#define FSP_FSCTL_VOLUME_FSNAME_SIZE (16 * sizeof(WCHAR))
#define FSP_FSCTL_VOLUME_NAME_SIZEMAX (FSP_FSCTL_VOLUME_NAME_SIZE + FSP_FSCTL_VOLUME_PREFIX_SIZE)

/* The longest path a request may carry, in bytes. */
#define FSP_FSCTL_TRANSACT_PATH_SIZEMAX (1024 * sizeof(WCHAR))

/*
 * One request or response never exceeds these (the FSD keeps 64 bytes of
 * its own header in front of each request, inside a 16K allocation); the
 * variable part is what is left after the fixed record.
 */
#define FSP_FSCTL_TRANSACT_REQ_SIZEMAX (16 * 1024 - 64)
#define FSP_FSCTL_TRANSACT_RSP_SIZEMAX (16 * 1024)
#define FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX \
    (FSP_FSCTL_TRANSACT_REQ_SIZEMAX - sizeof(FSP_FSCTL_TRANSACT_REQ))
#define FSP_FSCTL_TRANSACT_RSP_BUFFER_SIZEMAX \
    (FSP_FSCTL_TRANSACT_RSP_SIZEMAX - sizeof(FSP_FSCTL_TRANSACT_RSP))
/* A transact output buffer must hold at least one maximal request. */
#define FSP_FSCTL_TRANSACT_BATCH_BUFFER_SIZEMIN (64 * 1024)
#define FSP_FSCTL_TRANSACT_BUFFER_SIZEMIN FSP_FSCTL_TRANSACT_REQ_SIZEMAX

/* Create.AccessToken and Rename.AccessToken: (PID << 32) | token handle. */
#if defined(WF_NT_KERNEL)
#define FSP_FSCTL_TRANSACT_REQ_TOKEN_HANDLE(T) ((HANDLE)((UINT_PTR)((T)&0xffffffff)))
#else
#define FSP_FSCTL_TRANSACT_REQ_TOKEN_HANDLE(T) ((UINT_PTR)((T)&0xffffffff))
#endif
#define FSP_FSCTL_TRANSACT_REQ_TOKEN_PID(T) ((UINT32)(((T) >> 32) & 0xffffffff))

/* DeviceControl input and output must fit a request and a response. */
#define FSP_FSCTL_DEVICECONTROL_SIZEMAX (4 * 1024)

#define FSP_FSCTL_NOTIFY_INFO_SIZEMAX (0x7fffffffU)

/* ---- request kinds ---- */

/* FSP_FSCTL_TRANSACT_REQ.Kind; the order is the ABI. */
enum
{
    FspFsctlTransactReservedKind = 0,
    FspFsctlTransactCreateKind,
    FspFsctlTransactOverwriteKind,
    FspFsctlTransactCleanupKind,
    FspFsctlTransactCloseKind,
    FspFsctlTransactReadKind,
    FspFsctlTransactWriteKind,
    FspFsctlTransactQueryInformationKind,
    FspFsctlTransactSetInformationKind,
    FspFsctlTransactQueryEaKind,
    FspFsctlTransactSetEaKind,
    FspFsctlTransactFlushBuffersKind,
    FspFsctlTransactQueryVolumeInformationKind,
    FspFsctlTransactSetVolumeInformationKind,
    FspFsctlTransactQueryDirectoryKind,
    FspFsctlTransactFileSystemControlKind,
    FspFsctlTransactDeviceControlKind,
    FspFsctlTransactShutdownKind,
    FspFsctlTransactLockControlKind,
    FspFsctlTransactQuerySecurityKind,
    FspFsctlTransactSetSecurityKind,
    FspFsctlTransactQueryStreamInformationKind,
    FspFsctlTransactKindCount,
};

/* The ranges the FSD accepts for VOLUME_PARAMS timeouts and capacity (ms). */
enum
{
    FspFsctlTransactTimeoutMinimum = 1000,
    FspFsctlTransactTimeoutMaximum = 10000,
    FspFsctlTransactTimeoutDefault = 1000,
    FspFsctlIrpTimeoutMinimum = 60000,
    FspFsctlIrpTimeoutMaximum = 600000,
    FspFsctlIrpTimeoutDefault = 300000,
    FspFsctlIrpTimeoutDebug = 142,
    FspFsctlIrpCapacityMinimum = 100,
    FspFsctlIrpCapacityMaximum = 1000,
    FspFsctlIrpCapacityDefault = 1000,
};

/* ---- volume parameters ---- */

/*
 * What a file system tells the FSD when it creates its volume. V0 is the
 * original 456-byte record; the full one appends the V1 fields and is
 * announced by Version == sizeof(FSP_FSCTL_VOLUME_PARAMS). Both are built
 * from the same field lists so V0 stays an exact prefix.
 */
#define FSP_FSCTL_VOLUME_PARAMS_V0_FIELD_DEFN                                       \
    UINT16 Version; /* 0 (V0) or sizeof(FSP_FSCTL_VOLUME_PARAMS) */                 \
    UINT16 SectorSize;                                                              \
    UINT16 SectorsPerAllocationUnit;                                                \
    UINT16 MaxComponentLength; /* longest name component */                         \
    UINT64 VolumeCreationTime;                                                      \
    UINT32 VolumeSerialNumber;                                                      \
    UINT32 TransactTimeout; /* deprecated */                                        \
    UINT32 IrpTimeout;      /* ms a pending IRP may wait for its response */        \
    UINT32 IrpCapacity;     /* how many IRPs may be pending at once */              \
    UINT32 FileInfoTimeout; /* ms the FSD may cache file, security, volume info */  \
    /* becomes FILE_FS_ATTRIBUTE_INFORMATION.FileSystemAttributes */                \
    UINT32 CaseSensitiveSearch : 1;                                                 \
    UINT32 CasePreservedNames : 1;                                                  \
    UINT32 UnicodeOnDisk : 1;                                                       \
    UINT32 PersistentAcls : 1;                                                      \
    UINT32 ReparsePoints : 1;                                                       \
    UINT32 ReparsePointsAccessCheck : 1;                                            \
    UINT32 NamedStreams : 1;                                                        \
    UINT32 HardLinks : 1; /* WinFsp leaves this 0 */                                \
    UINT32 ExtendedAttributes : 1;                                                  \
    UINT32 ReadOnlyVolume : 1;                                                      \
    /* how the FSD behaves */                                                       \
    UINT32 PostCleanupWhenModifiedOnly : 1; /* Cleanup only if modified/deleted */  \
    UINT32 PassQueryDirectoryPattern : 1;                                           \
    UINT32 AlwaysUseDoubleBuffering : 1;                                            \
    UINT32 PassQueryDirectoryFileName : 1;                                          \
    UINT32 FlushAndPurgeOnCleanup : 1;                                              \
    UINT32 DeviceControl : 1;                                                       \
    /* for the user-mode dispatcher only */                                         \
    UINT32 UmFileContextIsUserContext2 : 1;                                         \
    UINT32 UmFileContextIsFullContext : 1;                                          \
    UINT32 UmNoReparsePointsDirCheck : 1;                                           \
    UINT32 UmReservedFlags : 5;                                                     \
    /* more FSD behaviour */                                                        \
    UINT32 AllowOpenInKernelMode : 1;                                               \
    UINT32 CasePreservedExtendedAttributes : 1;                                     \
    UINT32 WslFeatures : 1;                                                         \
    UINT32 DirectoryMarkerAsNextOffset : 1; /* marker = NextOffset, not a name */   \
    UINT32 RejectIrpPriorToTransact0 : 1;   /* deprecated */                        \
    UINT32 SupportsPosixUnlinkRename : 1;                                           \
    UINT32 PostDispositionWhenNecessaryOnly : 1;                                    \
    UINT32 KmReservedFlags : 1;                                                     \
    WCHAR Prefix[FSP_FSCTL_VOLUME_PREFIX_SIZE / sizeof(WCHAR)]; /* \server\share */ \
    WCHAR FileSystemName[FSP_FSCTL_VOLUME_FSNAME_SIZE / sizeof(WCHAR)];
#define FSP_FSCTL_VOLUME_PARAMS_V1_FIELD_DEFN                                      \
    /* which of the per-kind cache timeouts below replace FileInfoTimeout */       \
    UINT32 VolumeInfoTimeoutValid : 1;                                             \
    UINT32 DirInfoTimeoutValid : 1;                                                \
    UINT32 SecurityTimeoutValid : 1;                                               \
    UINT32 StreamInfoTimeoutValid : 1;                                             \
    UINT32 EaTimeoutValid : 1;                                                     \
    UINT32 KmAdditionalReservedFlags : 27;                                         \
    UINT32 VolumeInfoTimeout;                                                      \
    UINT32 DirInfoTimeout;                                                         \
    UINT32 SecurityTimeout;                                                        \
    UINT32 StreamInfoTimeout;                                                      \
    UINT32 EaTimeout;                                                              \
    UINT32 FsextControlCode;                                                       \
    UINT32 Reserved32[1];                                                          \
    UINT64 Reserved64[2];

typedef struct
{
    FSP_FSCTL_VOLUME_PARAMS_V0_FIELD_DEFN
} FSP_FSCTL_VOLUME_PARAMS_V0;

typedef struct
{
    FSP_FSCTL_VOLUME_PARAMS_V0_FIELD_DEFN
    FSP_FSCTL_VOLUME_PARAMS_V1_FIELD_DEFN
} FSP_FSCTL_VOLUME_PARAMS;

/* ---- information records ---- */

/* Answers QueryVolumeInformation; the label is not NUL terminated. */
typedef struct
{
    UINT64 TotalSize;
    UINT64 FreeSize;
    UINT16 VolumeLabelLength; /* bytes */
    WCHAR VolumeLabel[32];
} FSP_FSCTL_VOLUME_INFO;

/* The metadata of one file; times are FILETIME (100 ns since 1601). */
typedef struct
{
    UINT32 FileAttributes;
    UINT32 ReparseTag;
    UINT64 AllocationSize;
    UINT64 FileSize;
    UINT64 CreationTime;
    UINT64 LastAccessTime;
    UINT64 LastWriteTime;
    UINT64 ChangeTime;
    UINT64 IndexNumber;
    UINT32 HardLinks; /* WinFsp leaves this 0 */
    UINT32 EaSize;
} FSP_FSCTL_FILE_INFO;

/*
 * The user-mode dispatcher's view of FILE_INFO during Create: a file system
 * may hand back the name as it is stored. It holds a pointer, so it never
 * crosses the transact ABI.
 */
typedef struct
{
    FSP_FSCTL_FILE_INFO FileInfo;
    PWSTR NormalizedName;
    UINT16 NormalizedNameSize;
} FSP_FSCTL_OPEN_FILE_INFO;

/*
 * One directory entry in a QueryDirectory answer. The fixed part is as big
 * as FILE_ID_BOTH_DIR_INFORMATION so the FSD can convert in place. Size
 * covers the name (not NUL terminated); the next entry starts at
 * FSP_FSCTL_DEFAULT_ALIGN_UP(Size), and a zero Size ends the list.
 */
typedef struct
{
    UINT16 Size;
    FSP_FSCTL_FILE_INFO FileInfo;
    union
    {
        UINT64 NextOffset; /* the marker when DirectoryMarkerAsNextOffset */
        UINT8 Padding[24];
    };
    WCHAR FileNameBuf[];
} FSP_FSCTL_DIR_INFO;

/* One stream in a QueryStreamInformation answer, packed like DIR_INFO. */
typedef struct
{
    UINT16 Size;
    UINT64 StreamSize;
    UINT64 StreamAllocationSize;
    WCHAR StreamNameBuf[];
} FSP_FSCTL_STREAM_INFO;

/* One change to report through FSP_FSCTL_NOTIFY. */
typedef struct
{
    UINT16 Size;
    UINT32 Filter; /* FILE_NOTIFY_CHANGE_* */
    UINT32 Action; /* FILE_ACTION_* */
    WCHAR FileNameBuf[];
} FSP_FSCTL_NOTIFY_INFO;

/* ---- requests and responses ---- */

typedef struct
{
    UINT64 UserContext;
    UINT64 UserContext2;
} FSP_FSCTL_TRANSACT_FULL_CONTEXT;

/* A piece of a record's variable part: Offset counts from Buffer[0]. */
typedef struct
{
    UINT16 Offset;
    UINT16 Size;
} FSP_FSCTL_TRANSACT_BUF;

/*
 * A request. UserContext/UserContext2 are what the file system returned
 * from Create (file node, file descriptor). FileName is set for Create,
 * Cleanup, SetInformation (Disposition, Rename) and reparse-point
 * FileSystemControl; its Size counts the terminating NUL.
 */
typedef struct
{
    UINT16 Version;
    UINT16 Size; /* the whole record, fixed part included */
    UINT32 Kind; /* FspFsctlTransact*Kind */
    UINT64 Hint; /* opaque; echoed by the response to pair them */
    union
    {
        struct
        {
            UINT32 CreateOptions;  /* disposition << 24 | FILE_* options */
            UINT32 FileAttributes; /* for a new file */
            FSP_FSCTL_TRANSACT_BUF SecurityDescriptor; /* for a new file */
            UINT64 AllocationSize;
            UINT64 AccessToken; /* see FSP_FSCTL_TRANSACT_REQ_TOKEN_* */
            UINT32 DesiredAccess;
            UINT32 GrantedAccess; /* already granted by the FSD's own checks */
            UINT32 ShareAccess;
            FSP_FSCTL_TRANSACT_BUF Ea; /* EAs, or a reparse point if EaIsReparsePoint */
            UINT32 UserMode : 1;
            UINT32 HasTraversePrivilege : 1;
            UINT32 HasBackupPrivilege : 1;
            UINT32 HasRestorePrivilege : 1;
            UINT32 OpenTargetDirectory : 1; /* answer FILE_EXISTS/FILE_DOES_NOT_EXIST */
            UINT32 CaseSensitive : 1;
            UINT32 HasTrailingBackslash : 1;
            UINT32 AcceptsSecurityDescriptor : 1;
            UINT32 EaIsReparsePoint : 1;
            UINT32 ReservedFlags : 24; /* does not fit: starts a second unit */
            UINT16 NamedStream; /* byte offset of the ':' in FileName, or 0 */
        } Create;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT32 FileAttributes; /* the attributes the file ends up with */
            UINT64 AllocationSize;
            UINT32 Supersede : 1; /* FILE_SUPERSEDE rather than FILE_OVERWRITE */
            UINT32 : 31;          /* keeps Ea out of the unit on SysV */
            FSP_FSCTL_TRANSACT_BUF Ea;
        } Overwrite;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT32 Delete : 1; /* the last handle of a delete-pending file */
            UINT32 SetAllocationSize : 1;
            UINT32 SetArchiveBit : 1;
            UINT32 SetLastAccessTime : 1;
            UINT32 SetLastWriteTime : 1;
            UINT32 SetChangeTime : 1;
        } Cleanup;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
        } Close;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT64 Address; /* where the data goes (the FSD's mapping) */
            UINT64 Offset;
            UINT32 Length;
            UINT32 Key;
        } Read;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT64 Address; /* where the data comes from */
            UINT64 Offset;  /* (UINT64)-1: append at the end of the file */
            UINT32 Length;
            UINT32 Key;
            UINT32 ConstrainedIo : 1; /* paging I/O: do not extend the file */
        } Write;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
        } QueryInformation;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT32 FileInformationClass; /* selects the member of Info */
            union
            {
                struct
                {
                    UINT64 AllocationSize;
                } Allocation;
                struct
                {
                    UINT32 FileAttributes; /* INVALID_FILE_ATTRIBUTES: keep */
                    UINT64 CreationTime;   /* 0: keep */
                    UINT64 LastAccessTime;
                    UINT64 LastWriteTime;
                    UINT64 ChangeTime;
                } Basic;
                struct
                {
                    UINT32 Delete : 1;
                } Disposition;
                struct
                {
                    UINT32 Flags; /* FILE_DISPOSITION_* */
                } DispositionEx;
                struct
                {
                    UINT64 FileSize;
                } EndOfFile;
                struct
                {
                    FSP_FSCTL_TRANSACT_BUF NewFileName;
                    UINT64 AccessToken;
                } Rename;
                struct
                {
                    FSP_FSCTL_TRANSACT_BUF NewFileName;
                    UINT64 AccessToken;
                    UINT32 Flags; /* FILE_RENAME_* */
                } RenameEx;
            } Info;
        } SetInformation;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
        } QueryEa;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            FSP_FSCTL_TRANSACT_BUF Ea; /* FILE_FULL_EA_INFORMATION list */
        } SetEa;
        struct
        {
            UINT64 UserContext; /* 0: flush the volume */
            UINT64 UserContext2;
        } FlushBuffers;
        struct
        {
            UINT32 FsInformationClass;
            union
            {
                struct
                {
                    FSP_FSCTL_TRANSACT_BUF VolumeLabel;
                } Label;
            } Info;
        } SetVolumeInformation;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT64 Address; /* where the DIR_INFO records go */
            UINT32 Length;
            FSP_FSCTL_TRANSACT_BUF Pattern; /* if PassQueryDirectoryPattern */
            FSP_FSCTL_TRANSACT_BUF Marker;  /* resume after this name (or offset) */
            UINT32 CaseSensitive : 1;
            UINT32 PatternIsFileName : 1; /* Pattern has no wildcards */
        } QueryDirectory;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT32 FsControlCode;
            FSP_FSCTL_TRANSACT_BUF Buffer;
            UINT16 TargetOnFileSystem; /* a symlink target inside this volume */
        } FileSystemControl;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT32 IoControlCode;
            FSP_FSCTL_TRANSACT_BUF Buffer;
            UINT32 OutputLength;
        } DeviceControl;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
        } QuerySecurity;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
            UINT32 SecurityInformation; /* *_SECURITY_INFORMATION */
            FSP_FSCTL_TRANSACT_BUF SecurityDescriptor;
        } SetSecurity;
        struct
        {
            UINT64 UserContext;
            UINT64 UserContext2;
        } QueryStreamInformation;
    } Req;
    FSP_FSCTL_TRANSACT_BUF FileName;
    _Alignas(FSP_FSCTL_DEFAULT_ALIGNMENT) UINT8 Buffer[];
} FSP_FSCTL_TRANSACT_REQ;

/*
 * A response. Kind and Hint repeat the request's. IoStatus is what the IRP
 * completes with; for Create, Information is FILE_OPENED, FILE_CREATED etc.
 */
typedef struct
{
    UINT16 Version;
    UINT16 Size;
    UINT32 Kind;
    UINT64 Hint;
    struct
    {
        UINT32 Information;
        UINT32 Status; /* an NTSTATUS */
    } IoStatus;
    union
    {
        union
        {
            /* when IoStatus.Status is STATUS_SUCCESS */
            struct
            {
                UINT64 UserContext;  /* the file node */
                UINT64 UserContext2; /* the open file (handle) */
                UINT32 GrantedAccess;
                FSP_FSCTL_TRANSACT_BUF SecurityDescriptor;
                FSP_FSCTL_FILE_INFO FileInfo;
                FSP_FSCTL_TRANSACT_BUF FileName; /* the name as stored, if it differs */
                UINT32 DisableCache : 1;
                UINT32 HasSecurityDescriptor : 1;
            } Opened;
            /* when IoStatus.Status is STATUS_REPARSE */
            struct
            {
                FSP_FSCTL_TRANSACT_BUF Buffer;
            } Reparse;
        } Create;
        struct
        {
            FSP_FSCTL_FILE_INFO FileInfo;
        } Overwrite;
        struct
        {
            FSP_FSCTL_FILE_INFO FileInfo;
        } Write;
        struct
        {
            FSP_FSCTL_FILE_INFO FileInfo;
        } QueryInformation;
        struct
        {
            FSP_FSCTL_FILE_INFO FileInfo; /* for Allocation, Basic, EndOfFile */
        } SetInformation;
        struct
        {
            FSP_FSCTL_TRANSACT_BUF Ea;
        } QueryEa;
        struct
        {
            FSP_FSCTL_FILE_INFO FileInfo;
            FSP_FSCTL_TRANSACT_BUF Ea; /* Size 0: no EAs returned */
        } SetEa;
        struct
        {
            FSP_FSCTL_FILE_INFO FileInfo; /* when a file (not the volume) was flushed */
        } FlushBuffers;
        struct
        {
            FSP_FSCTL_VOLUME_INFO VolumeInfo;
        } QueryVolumeInformation;
        struct
        {
            FSP_FSCTL_VOLUME_INFO VolumeInfo;
        } SetVolumeInformation;
        struct
        {
            FSP_FSCTL_TRANSACT_BUF Buffer;
        } FileSystemControl;
        struct
        {
            FSP_FSCTL_TRANSACT_BUF Buffer;
        } DeviceControl;
        struct
        {
            FSP_FSCTL_TRANSACT_BUF SecurityDescriptor;
        } QuerySecurity;
        struct
        {
            FSP_FSCTL_TRANSACT_BUF SecurityDescriptor; /* Size 0: none returned */
        } SetSecurity;
        struct
        {
            FSP_FSCTL_TRANSACT_BUF Buffer;
        } QueryStreamInformation;
    } Rsp;
    _Alignas(FSP_FSCTL_DEFAULT_ALIGNMENT) UINT8 Buffer[];
} FSP_FSCTL_TRANSACT_RSP;

/* ---- layout checks: the numbers are WinFsp's (MSVC x64) ---- */

#define WF_FSCTL_AT(T, F, N) _Static_assert(offsetof(T, F) == (N), #T "." #F " must be at " #N)
#define WF_FSCTL_SIZE(T, N) _Static_assert(sizeof(T) == (N), "sizeof(" #T ") must be " #N)

_Static_assert(sizeof(WCHAR) == 2, "WCHAR is UTF-16");
_Static_assert(_Alignof(UINT64) == 8, "UINT64 must be naturally aligned, as on MSVC x64");

WF_FSCTL_SIZE(FSP_FSCTL_VOLUME_PARAMS_V0, 456);
WF_FSCTL_SIZE(FSP_FSCTL_VOLUME_PARAMS, 504);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, Version, 0);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, SectorSize, 2);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, SectorsPerAllocationUnit, 4);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, MaxComponentLength, 6);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, VolumeCreationTime, 8);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, VolumeSerialNumber, 16);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, TransactTimeout, 20);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, IrpTimeout, 24);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, IrpCapacity, 28);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, FileInfoTimeout, 32);
/* the V0 flag word is at 36: bit positions are checked in test_fsctl */
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, Prefix, 40);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, FileSystemName, 424);
/* the V1 flag word is at 456 */
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, VolumeInfoTimeout, 460);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, DirInfoTimeout, 464);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, SecurityTimeout, 468);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, StreamInfoTimeout, 472);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, EaTimeout, 476);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, FsextControlCode, 480);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, Reserved32, 484);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS, Reserved64, 488);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS_V0, Prefix, 40);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_PARAMS_V0, FileSystemName, 424);

WF_FSCTL_SIZE(FSP_FSCTL_VOLUME_INFO, 88);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_INFO, TotalSize, 0);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_INFO, FreeSize, 8);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_INFO, VolumeLabelLength, 16);
WF_FSCTL_AT(FSP_FSCTL_VOLUME_INFO, VolumeLabel, 18);

WF_FSCTL_SIZE(FSP_FSCTL_FILE_INFO, 72);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, FileAttributes, 0);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, ReparseTag, 4);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, AllocationSize, 8);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, FileSize, 16);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, CreationTime, 24);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, LastAccessTime, 32);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, LastWriteTime, 40);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, ChangeTime, 48);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, IndexNumber, 56);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, HardLinks, 64);
WF_FSCTL_AT(FSP_FSCTL_FILE_INFO, EaSize, 68);

WF_FSCTL_AT(FSP_FSCTL_OPEN_FILE_INFO, FileInfo, 0);
WF_FSCTL_AT(FSP_FSCTL_OPEN_FILE_INFO, NormalizedName, 72);
WF_FSCTL_AT(FSP_FSCTL_OPEN_FILE_INFO, NormalizedNameSize, 72 + sizeof(PWSTR));

WF_FSCTL_SIZE(FSP_FSCTL_DIR_INFO, 104);
WF_FSCTL_AT(FSP_FSCTL_DIR_INFO, Size, 0);
WF_FSCTL_AT(FSP_FSCTL_DIR_INFO, FileInfo, 8);
WF_FSCTL_AT(FSP_FSCTL_DIR_INFO, NextOffset, 80);
WF_FSCTL_AT(FSP_FSCTL_DIR_INFO, Padding, 80);
WF_FSCTL_AT(FSP_FSCTL_DIR_INFO, FileNameBuf, 104);

WF_FSCTL_SIZE(FSP_FSCTL_STREAM_INFO, 24);
WF_FSCTL_AT(FSP_FSCTL_STREAM_INFO, Size, 0);
WF_FSCTL_AT(FSP_FSCTL_STREAM_INFO, StreamSize, 8);
WF_FSCTL_AT(FSP_FSCTL_STREAM_INFO, StreamAllocationSize, 16);
WF_FSCTL_AT(FSP_FSCTL_STREAM_INFO, StreamNameBuf, 24);

WF_FSCTL_SIZE(FSP_FSCTL_NOTIFY_INFO, 12);
WF_FSCTL_AT(FSP_FSCTL_NOTIFY_INFO, Size, 0);
WF_FSCTL_AT(FSP_FSCTL_NOTIFY_INFO, Filter, 4);
WF_FSCTL_AT(FSP_FSCTL_NOTIFY_INFO, Action, 8);
WF_FSCTL_AT(FSP_FSCTL_NOTIFY_INFO, FileNameBuf, 12);

WF_FSCTL_SIZE(FSP_FSCTL_TRANSACT_FULL_CONTEXT, 16);
WF_FSCTL_SIZE(FSP_FSCTL_TRANSACT_BUF, 4);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_BUF, Offset, 0);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_BUF, Size, 2);

/* requests: the header, then each kind's fields */
WF_FSCTL_SIZE(FSP_FSCTL_TRANSACT_REQ, 88);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Version, 0);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Size, 2);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Kind, 4);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Hint, 8);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, FileName, 80);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Buffer, 88);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.CreateOptions, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.FileAttributes, 20);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.SecurityDescriptor, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.AllocationSize, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.AccessToken, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.DesiredAccess, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.GrantedAccess, 52);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.ShareAccess, 56);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.Ea, 60);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.NamedStream, 72);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Overwrite.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Overwrite.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Overwrite.FileAttributes, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Overwrite.AllocationSize, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Overwrite.Ea, 52);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Close.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Close.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Read.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Read.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Read.Address, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Read.Offset, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Read.Length, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Read.Key, 52);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Write.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Write.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Write.Address, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Write.Offset, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Write.Length, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.Write.Key, 52);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryInformation.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryInformation.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.FileInformationClass, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Allocation.AllocationSize, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Basic.FileAttributes, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Basic.CreationTime, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Basic.LastAccessTime, 56);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Basic.LastWriteTime, 64);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Basic.ChangeTime, 72);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.DispositionEx.Flags, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.EndOfFile.FileSize, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Rename.NewFileName, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Rename.AccessToken, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.RenameEx.NewFileName, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.RenameEx.AccessToken, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.RenameEx.Flags, 56);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryEa.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryEa.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetEa.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetEa.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetEa.Ea, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.FlushBuffers.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.FlushBuffers.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetVolumeInformation.FsInformationClass, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetVolumeInformation.Info.Label.VolumeLabel, 20);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.Address, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.Length, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.Pattern, 44);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.Marker, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.FileSystemControl.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.FileSystemControl.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.FileSystemControl.FsControlCode, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.FileSystemControl.Buffer, 36);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.FileSystemControl.TargetOnFileSystem, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.DeviceControl.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.DeviceControl.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.DeviceControl.IoControlCode, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.DeviceControl.Buffer, 36);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.DeviceControl.OutputLength, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QuerySecurity.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QuerySecurity.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetSecurity.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetSecurity.UserContext2, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetSecurity.SecurityInformation, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetSecurity.SecurityDescriptor, 36);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryStreamInformation.UserContext, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryStreamInformation.UserContext2, 24);

/* responses */
WF_FSCTL_SIZE(FSP_FSCTL_TRANSACT_RSP, 128);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Version, 0);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Size, 2);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Kind, 4);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Hint, 8);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, IoStatus.Information, 16);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, IoStatus.Status, 20);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Buffer, 128);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.UserContext, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.UserContext2, 32);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.GrantedAccess, 40);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.SecurityDescriptor, 44);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.FileInfo, 48);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.FileName, 120);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Reparse.Buffer, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Overwrite.FileInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Write.FileInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.QueryInformation.FileInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.SetInformation.FileInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.QueryEa.Ea, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.SetEa.FileInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.SetEa.Ea, 96);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.FlushBuffers.FileInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.QueryVolumeInformation.VolumeInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.SetVolumeInformation.VolumeInfo, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.FileSystemControl.Buffer, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.DeviceControl.Buffer, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.QuerySecurity.SecurityDescriptor, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.SetSecurity.SecurityDescriptor, 24);
WF_FSCTL_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.QueryStreamInformation.Buffer, 24);

/* the limits must leave room for what WinFsp promises to fit */
_Static_assert(FSP_FSCTL_VOLUME_NAME_SIZEMAX <= 260 * sizeof(WCHAR),
    "a volume name must fit MAX_PATH");
_Static_assert(FSP_FSCTL_TRANSACT_RSP_BUFFER_SIZEMAX > FSP_FSCTL_TRANSACT_PATH_SIZEMAX,
    "a normalized name must fit a Create response");
_Static_assert(FSP_FSCTL_DEVICECONTROL_SIZEMAX < FSP_FSCTL_TRANSACT_REQ_SIZEMAX &&
        FSP_FSCTL_DEVICECONTROL_SIZEMAX < FSP_FSCTL_TRANSACT_RSP_SIZEMAX,
    "DeviceControl data must fit a request and a response");
_Static_assert(FSP_FSCTL_TRANSACT_REQ_SIZEMAX % FSP_FSCTL_DEFAULT_ALIGNMENT == 0 &&
        FSP_FSCTL_TRANSACT_RSP_SIZEMAX % FSP_FSCTL_DEFAULT_ALIGNMENT == 0,
    "a maximal record must end aligned");
_Static_assert(FSP_FSCTL_TRANSACT_RSP_SIZEMAX <= UINT16_MAX &&
        FSP_FSCTL_TRANSACT_REQ_SIZEMAX <= UINT16_MAX,
    "record sizes must fit the UINT16 Size and Offset fields");

#undef WF_FSCTL_AT
#undef WF_FSCTL_SIZE

/* ---- CreateOptions ---- */

/* Create.CreateOptions packs the disposition (FILE_OPEN...) above the options. */
static inline UINT32 wf_fsctl_create_disposition(UINT32 CreateOptions)
{
    return (CreateOptions >> 24) & 0xff;
}

static inline UINT32 wf_fsctl_create_options(UINT32 CreateOptions)
{
    return CreateOptions & 0x00ffffffU;
}

/* ---- producing and consuming transact buffers ---- */

/*
 * WinFsp's own helpers, same names and contract: a producer checks that a
 * maximal record still fits before it writes one, then steps past what it
 * wrote; a consumer gets the next record or NULL when the current one is
 * not a whole record inside the buffer. Unlike WinFsp's they never form a
 * pointer past the buffer end, and they read a record's Size only when its
 * whole fixed part is inside the buffer.
 */
static inline BOOLEAN FspFsctlTransactCanProduceRequest(
    FSP_FSCTL_TRANSACT_REQ *Request, void *RequestBufEnd)
{
    return (UINT8 *)Request <= (UINT8 *)RequestBufEnd &&
        (size_t)((UINT8 *)RequestBufEnd - (UINT8 *)Request) >= FSP_FSCTL_TRANSACT_REQ_SIZEMAX;
}

static inline FSP_FSCTL_TRANSACT_REQ *FspFsctlTransactProduceRequest(
    FSP_FSCTL_TRANSACT_REQ *Request, size_t RequestSize)
{
    return (FSP_FSCTL_TRANSACT_REQ *)((UINT8 *)Request + FSP_FSCTL_DEFAULT_ALIGN_UP(RequestSize));
}

static inline FSP_FSCTL_TRANSACT_REQ *FspFsctlTransactConsumeRequest(
    FSP_FSCTL_TRANSACT_REQ *Request, void *RequestBufEnd)
{
    if ((UINT8 *)Request > (UINT8 *)RequestBufEnd)
        return NULL;
    size_t avail = (size_t)((UINT8 *)RequestBufEnd - (UINT8 *)Request);
    if (avail < sizeof(FSP_FSCTL_TRANSACT_REQ) || Request->Size < sizeof(FSP_FSCTL_TRANSACT_REQ))
        return NULL;
    size_t step = FSP_FSCTL_DEFAULT_ALIGN_UP((size_t)Request->Size);
    return step <= avail ? (FSP_FSCTL_TRANSACT_REQ *)((UINT8 *)Request + step) : NULL;
}

static inline BOOLEAN FspFsctlTransactCanProduceResponse(
    FSP_FSCTL_TRANSACT_RSP *Response, void *ResponseBufEnd)
{
    return (UINT8 *)Response <= (UINT8 *)ResponseBufEnd &&
        (size_t)((UINT8 *)ResponseBufEnd - (UINT8 *)Response) >= FSP_FSCTL_TRANSACT_RSP_SIZEMAX;
}

static inline FSP_FSCTL_TRANSACT_RSP *FspFsctlTransactProduceResponse(
    FSP_FSCTL_TRANSACT_RSP *Response, size_t ResponseSize)
{
    return (FSP_FSCTL_TRANSACT_RSP *)((UINT8 *)Response + FSP_FSCTL_DEFAULT_ALIGN_UP(ResponseSize));
}

static inline FSP_FSCTL_TRANSACT_RSP *FspFsctlTransactConsumeResponse(
    FSP_FSCTL_TRANSACT_RSP *Response, void *ResponseBufEnd)
{
    if ((UINT8 *)Response > (UINT8 *)ResponseBufEnd)
        return NULL;
    size_t avail = (size_t)((UINT8 *)ResponseBufEnd - (UINT8 *)Response);
    if (avail < sizeof(FSP_FSCTL_TRANSACT_RSP) ||
        Response->Size < sizeof(FSP_FSCTL_TRANSACT_RSP))
        return NULL;
    size_t step = FSP_FSCTL_DEFAULT_ALIGN_UP((size_t)Response->Size);
    return step <= avail ? (FSP_FSCTL_TRANSACT_RSP *)((UINT8 *)Response + step) : NULL;
}

/*
 * Our stricter walk over a buffer of records laid end to end, for input
 * we do not trust. It tells a clean end from a malformed buffer (WinFsp's
 * consumers just stop), and it refuses a record that is shorter than the
 * fixed part, longer than the ABI allows, longer than what is left, or
 * misaligned. Only the last record may end unaligned at the buffer end.
 */
typedef enum wf_fsctl_walk
{
    WF_FSCTL_WALK_BAD = -1, /* malformed: stop and fail the whole buffer */
    WF_FSCTL_WALK_END = 0,  /* no more records */
    WF_FSCTL_WALK_ITEM = 1, /* *PItem is the next record */
} wf_fsctl_walk;

static inline wf_fsctl_walk wf_fsctl__walk(const void *Buffer, size_t Length, size_t *POffset,
    size_t FixedSize, size_t MaxSize, const void **PItem)
{
    size_t offset = *POffset;
    *PItem = NULL;
    if (offset == Length)
        return WF_FSCTL_WALK_END;
    if (offset > Length || 0 != offset % FSP_FSCTL_DEFAULT_ALIGNMENT ||
        0 != (uintptr_t)Buffer % FSP_FSCTL_DEFAULT_ALIGNMENT || Length - offset < FixedSize)
        return WF_FSCTL_WALK_BAD;
    const UINT8 *item = (const UINT8 *)Buffer + offset;
    /* every record kind starts with UINT16 Version, UINT16 Size */
    UINT16 size;
    memcpy(&size, item + 2, sizeof size);
    if (size < FixedSize || size > MaxSize || size > Length - offset)
        return WF_FSCTL_WALK_BAD;
    size_t step = FSP_FSCTL_DEFAULT_ALIGN_UP((size_t)size);
    *POffset = step < Length - offset ? offset + step : Length;
    *PItem = item;
    return WF_FSCTL_WALK_ITEM;
}

static inline wf_fsctl_walk wf_fsctl_req_next(const void *Buffer, size_t Length, size_t *POffset,
    const FSP_FSCTL_TRANSACT_REQ **PRequest)
{
    const void *item;
    wf_fsctl_walk walk = wf_fsctl__walk(Buffer, Length, POffset, sizeof(FSP_FSCTL_TRANSACT_REQ),
        FSP_FSCTL_TRANSACT_REQ_SIZEMAX, &item);
    *PRequest = (const FSP_FSCTL_TRANSACT_REQ *)item;
    return walk;
}

static inline wf_fsctl_walk wf_fsctl_rsp_next(const void *Buffer, size_t Length, size_t *POffset,
    const FSP_FSCTL_TRANSACT_RSP **PResponse)
{
    const void *item;
    wf_fsctl_walk walk = wf_fsctl__walk(Buffer, Length, POffset, sizeof(FSP_FSCTL_TRANSACT_RSP),
        FSP_FSCTL_TRANSACT_RSP_SIZEMAX, &item);
    *PResponse = (const FSP_FSCTL_TRANSACT_RSP *)item;
    return walk;
}

/* ---- the variable part of a record ---- */

/*
 * Where a FSP_FSCTL_TRANSACT_BUF points, if it lies wholly inside a record
 * of RecordSize bytes whose variable part starts at FixedSize. An empty
 * piece is valid (data points at its offset, possibly the record's end).
 */
static inline bool wf_fsctl__buf(const void *Record, size_t RecordSize, size_t FixedSize,
    FSP_FSCTL_TRANSACT_BUF Buf, const void **PData)
{
    *PData = NULL;
    if (RecordSize < FixedSize || (size_t)Buf.Offset + Buf.Size > RecordSize - FixedSize)
        return false;
    *PData = (const UINT8 *)Record + FixedSize + Buf.Offset;
    return true;
}

static inline bool wf_fsctl_req_buf(const FSP_FSCTL_TRANSACT_REQ *Request,
    FSP_FSCTL_TRANSACT_BUF Buf, const void **PData)
{
    return wf_fsctl__buf(Request, Request->Size, sizeof *Request, Buf, PData);
}

static inline bool wf_fsctl_rsp_buf(const FSP_FSCTL_TRANSACT_RSP *Response,
    FSP_FSCTL_TRANSACT_BUF Buf, const void **PData)
{
    return wf_fsctl__buf(Response, Response->Size, sizeof *Response, Buf, PData);
}

/*
 * A UTF-16 string piece (FileName, Pattern, Marker, NewFileName...): whole
 * code units at an even offset. WinFsp counts a terminating NUL in Size;
 * *PLength stops at the first NUL, so a name can be used with or without.
 */
static inline bool wf_fsctl__wstr(const void *Record, size_t RecordSize, size_t FixedSize,
    FSP_FSCTL_TRANSACT_BUF Buf, const WCHAR **PStr, size_t *PLength)
{
    const void *data;
    *PStr = NULL;
    *PLength = 0;
    if (0 != Buf.Offset % sizeof(WCHAR) || 0 != Buf.Size % sizeof(WCHAR) ||
        !wf_fsctl__buf(Record, RecordSize, FixedSize, Buf, &data))
        return false;
    const WCHAR *str = (const WCHAR *)data;
    size_t length = 0;
    while (length < Buf.Size / sizeof(WCHAR) && 0 != str[length])
        length++;
    *PStr = str;
    *PLength = length;
    return true;
}

static inline bool wf_fsctl_req_wstr(const FSP_FSCTL_TRANSACT_REQ *Request,
    FSP_FSCTL_TRANSACT_BUF Buf, const WCHAR **PStr, size_t *PLength)
{
    return wf_fsctl__wstr(Request, Request->Size, sizeof *Request, Buf, PStr, PLength);
}

static inline bool wf_fsctl_rsp_wstr(const FSP_FSCTL_TRANSACT_RSP *Response,
    FSP_FSCTL_TRANSACT_BUF Buf, const WCHAR **PStr, size_t *PLength)
{
    return wf_fsctl__wstr(Response, Response->Size, sizeof *Response, Buf, PStr, PLength);
}

/*
 * Append DataSize bytes to the variable part of a record being built in
 * Capacity bytes of storage, at the next aligned offset (as the FSD lays
 * out Create requests), and describe them in *PBuf. The record's Size must
 * already cover its fixed part. Padding is zeroed so no stale bytes leave.
 * Fails, changing nothing, when the record would outgrow its storage or
 * the ABI's maximum. Appending nothing yields {0, 0}, WinFsp's "absent".
 */
static inline bool wf_fsctl__append(void *Record, UINT16 *PRecordSize, size_t FixedSize,
    size_t MaxSize, size_t Capacity, const void *Data, size_t DataSize,
    FSP_FSCTL_TRANSACT_BUF *PBuf)
{
    size_t size = *PRecordSize;
    size_t limit = Capacity < MaxSize ? Capacity : MaxSize;
    if (size < FixedSize || size > limit)
        return false;
    if (0 == DataSize) {
        PBuf->Offset = 0;
        PBuf->Size = 0;
        return true;
    }
    size_t start = FSP_FSCTL_DEFAULT_ALIGN_UP(size);
    if (start > limit || DataSize > limit - start)
        return false;
    memset((UINT8 *)Record + size, 0, start - size);
    memcpy((UINT8 *)Record + start, Data, DataSize);
    PBuf->Offset = (UINT16)(start - FixedSize);
    PBuf->Size = (UINT16)DataSize;
    *PRecordSize = (UINT16)(start + DataSize);
    return true;
}

static inline bool wf_fsctl_req_append(FSP_FSCTL_TRANSACT_REQ *Request, size_t Capacity,
    const void *Data, size_t DataSize, FSP_FSCTL_TRANSACT_BUF *PBuf)
{
    return wf_fsctl__append(Request, &Request->Size, sizeof *Request,
        FSP_FSCTL_TRANSACT_REQ_SIZEMAX, Capacity, Data, DataSize, PBuf);
}

static inline bool wf_fsctl_rsp_append(FSP_FSCTL_TRANSACT_RSP *Response, size_t Capacity,
    const void *Data, size_t DataSize, FSP_FSCTL_TRANSACT_BUF *PBuf)
{
    return wf_fsctl__append(Response, &Response->Size, sizeof *Response,
        FSP_FSCTL_TRANSACT_RSP_SIZEMAX, Capacity, Data, DataSize, PBuf);
}

/* ---- DIR_INFO, STREAM_INFO and NOTIFY_INFO lists ---- */

/*
 * Add one record (its first UINT16 is its Size) to a list in Buffer, at
 * *PBytesTransferred, which advances to the next aligned slot: the
 * FspFileSystemAddDirInfo contract. Info NULL adds the end marker (a zero
 * Size). False when it does not fit; then nothing is written.
 */
static inline bool wf_fsctl__info_add(const void *Info, size_t FixedSize, void *Buffer,
    size_t Length, size_t *PBytesTransferred)
{
    static const UINT16 end_marker = 0;
    size_t done = *PBytesTransferred;
    size_t copy, step;
    if (NULL != Info) {
        UINT16 size;
        memcpy(&size, Info, sizeof size);
        if (size < FixedSize)
            return false;
        copy = size;
        step = FSP_FSCTL_DEFAULT_ALIGN_UP(copy);
    } else {
        Info = &end_marker;
        copy = step = sizeof end_marker;
    }
    if (done > Length || step > Length - done)
        return false;
    memcpy((UINT8 *)Buffer + done, Info, copy);
    memset((UINT8 *)Buffer + done + copy, 0, step - copy);
    *PBytesTransferred = done + step;
    return true;
}

/*
 * Walk such a list. END at the buffer end or at the end marker; BAD for a
 * record that is shorter than its fixed part, runs past the buffer, has a
 * name of an odd number of bytes, or a buffer/offset that is misaligned.
 */
static inline wf_fsctl_walk wf_fsctl__info_next(const void *Buffer, size_t Length,
    size_t *POffset, size_t FixedSize, const void **PInfo)
{
    size_t offset = *POffset;
    *PInfo = NULL;
    if (offset == Length)
        return WF_FSCTL_WALK_END;
    if (offset > Length || 0 != offset % FSP_FSCTL_DEFAULT_ALIGNMENT ||
        0 != (uintptr_t)Buffer % FSP_FSCTL_DEFAULT_ALIGNMENT || Length - offset < sizeof(UINT16))
        return WF_FSCTL_WALK_BAD;
    const UINT8 *info = (const UINT8 *)Buffer + offset;
    UINT16 size;
    memcpy(&size, info, sizeof size);
    if (0 == size) {
        *POffset = Length;
        return WF_FSCTL_WALK_END;
    }
    if (size < FixedSize || size > Length - offset || 0 != (size - FixedSize) % sizeof(WCHAR))
        return WF_FSCTL_WALK_BAD;
    size_t step = FSP_FSCTL_DEFAULT_ALIGN_UP((size_t)size);
    *POffset = step < Length - offset ? offset + step : Length;
    *PInfo = info;
    return WF_FSCTL_WALK_ITEM;
}

static inline bool wf_fsctl_dirinfo_add(const FSP_FSCTL_DIR_INFO *DirInfo, void *Buffer,
    size_t Length, size_t *PBytesTransferred)
{
    return wf_fsctl__info_add(DirInfo, sizeof *DirInfo, Buffer, Length, PBytesTransferred);
}

static inline wf_fsctl_walk wf_fsctl_dirinfo_next(const void *Buffer, size_t Length,
    size_t *POffset, const FSP_FSCTL_DIR_INFO **PDirInfo)
{
    const void *info;
    wf_fsctl_walk walk =
        wf_fsctl__info_next(Buffer, Length, POffset, sizeof(FSP_FSCTL_DIR_INFO), &info);
    *PDirInfo = (const FSP_FSCTL_DIR_INFO *)info;
    return walk;
}

static inline bool wf_fsctl_streaminfo_add(const FSP_FSCTL_STREAM_INFO *StreamInfo,
    void *Buffer, size_t Length, size_t *PBytesTransferred)
{
    return wf_fsctl__info_add(StreamInfo, sizeof *StreamInfo, Buffer, Length, PBytesTransferred);
}

static inline wf_fsctl_walk wf_fsctl_streaminfo_next(const void *Buffer, size_t Length,
    size_t *POffset, const FSP_FSCTL_STREAM_INFO **PStreamInfo)
{
    const void *info;
    wf_fsctl_walk walk =
        wf_fsctl__info_next(Buffer, Length, POffset, sizeof(FSP_FSCTL_STREAM_INFO), &info);
    *PStreamInfo = (const FSP_FSCTL_STREAM_INFO *)info;
    return walk;
}

static inline bool wf_fsctl_notifyinfo_add(const FSP_FSCTL_NOTIFY_INFO *NotifyInfo,
    void *Buffer, size_t Length, size_t *PBytesTransferred)
{
    return wf_fsctl__info_add(NotifyInfo, sizeof *NotifyInfo, Buffer, Length, PBytesTransferred);
}

static inline wf_fsctl_walk wf_fsctl_notifyinfo_next(const void *Buffer, size_t Length,
    size_t *POffset, const FSP_FSCTL_NOTIFY_INFO **PNotifyInfo)
{
    const void *info;
    wf_fsctl_walk walk =
        wf_fsctl__info_next(Buffer, Length, POffset, sizeof(FSP_FSCTL_NOTIFY_INFO), &info);
    *PNotifyInfo = (const FSP_FSCTL_NOTIFY_INFO *)info;
    return walk;
}

/* The name in a DIR_INFO, in code units (Size excludes any NUL). */
static inline size_t wf_fsctl_dirinfo_name_length(const FSP_FSCTL_DIR_INFO *DirInfo)
{
    return DirInfo->Size > sizeof *DirInfo ? (DirInfo->Size - sizeof *DirInfo) / sizeof(WCHAR) : 0;
}

#endif
