/*
 * nt.h - an NT-style file API over an fsd volume (winfuse/fsd.h).
 *
 * The calls mirror the native NT ones (NtCreateFile, NtReadFile, ...) in
 * parameters, information classes, structure layouts and NTSTATUS
 * results, so that Windows file semantics over any FUSE file system can
 * be exercised and verified on Linux. Paths are Windows paths relative to
 * the volume root ("\dir\file"), in UTF-8 (nt_create_file) or UTF-16
 * (nt_create_file_w), optionally relative to an open directory handle.
 *
 * This header is for the Linux stand-in only; it is never compiled for
 * the NT kernel, where the real definitions live in the DDK.
 */
#ifndef WINFUSE_NT_H
#define WINFUSE_NT_H

#include "winfuse/fsd.h"
#include "winfuse/ntdefs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A handle to an open file object; 0 is never valid. */
typedef UINT64 nt_handle;

typedef struct nt_io_status {
    NTSTATUS Status;
    UINT64 Information;
} nt_io_status;

/* ByteOffset values of NtWriteFile / NtReadFile (LowPart of a -1 HighPart). */
#define NT_WRITE_TO_END_OF_FILE ((INT64)0xffffffffffffffffll)
#define NT_USE_FILE_POINTER_POSITION ((INT64)0xfffffffffffffffell)

/* ---- file information (NtQueryInformationFile / NtSetInformationFile) ---- */

typedef struct FILE_BASIC_INFORMATION {
    INT64 CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
    UINT32 FileAttributes;
} FILE_BASIC_INFORMATION;

typedef struct FILE_STANDARD_INFORMATION {
    INT64 AllocationSize, EndOfFile;
    UINT32 NumberOfLinks;
    BOOLEAN DeletePending, Directory;
} FILE_STANDARD_INFORMATION;

typedef struct FILE_INTERNAL_INFORMATION {
    INT64 IndexNumber;
} FILE_INTERNAL_INFORMATION;

typedef struct FILE_EA_INFORMATION {
    UINT32 EaSize;
} FILE_EA_INFORMATION;

typedef struct FILE_ACCESS_INFORMATION {
    ACCESS_MASK AccessFlags;
} FILE_ACCESS_INFORMATION;

typedef struct FILE_POSITION_INFORMATION {
    INT64 CurrentByteOffset;
} FILE_POSITION_INFORMATION;

typedef struct FILE_MODE_INFORMATION {
    UINT32 Mode;
} FILE_MODE_INFORMATION;

typedef struct FILE_ALIGNMENT_INFORMATION {
    UINT32 AlignmentRequirement;
} FILE_ALIGNMENT_INFORMATION;

typedef struct FILE_NAME_INFORMATION {
    UINT32 FileNameLength; /* bytes */
    WCHAR FileName[1];
} FILE_NAME_INFORMATION;

typedef struct FILE_ALL_INFORMATION {
    FILE_BASIC_INFORMATION BasicInformation;
    FILE_STANDARD_INFORMATION StandardInformation;
    FILE_INTERNAL_INFORMATION InternalInformation;
    FILE_EA_INFORMATION EaInformation;
    FILE_ACCESS_INFORMATION AccessInformation;
    FILE_POSITION_INFORMATION PositionInformation;
    FILE_MODE_INFORMATION ModeInformation;
    FILE_ALIGNMENT_INFORMATION AlignmentInformation;
    FILE_NAME_INFORMATION NameInformation;
} FILE_ALL_INFORMATION;

typedef struct FILE_NETWORK_OPEN_INFORMATION {
    INT64 CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
    INT64 AllocationSize, EndOfFile;
    UINT32 FileAttributes;
} FILE_NETWORK_OPEN_INFORMATION;

typedef struct FILE_ATTRIBUTE_TAG_INFORMATION {
    UINT32 FileAttributes;
    UINT32 ReparseTag;
} FILE_ATTRIBUTE_TAG_INFORMATION;

typedef struct FILE_END_OF_FILE_INFORMATION {
    INT64 EndOfFile;
} FILE_END_OF_FILE_INFORMATION;

typedef struct FILE_ALLOCATION_INFORMATION {
    INT64 AllocationSize;
} FILE_ALLOCATION_INFORMATION;

typedef struct FILE_DISPOSITION_INFORMATION {
    BOOLEAN DeleteFile;
} FILE_DISPOSITION_INFORMATION;

typedef struct FILE_DISPOSITION_INFORMATION_EX {
    UINT32 Flags; /* FILE_DISPOSITION_* */
} FILE_DISPOSITION_INFORMATION_EX;

/* FileRenameInformation and FileRenameInformationEx (Flags: FILE_RENAME_*). */
typedef struct FILE_RENAME_INFORMATION {
    union {
        BOOLEAN ReplaceIfExists;
        UINT32 Flags;
    };
    nt_handle RootDirectory;
    UINT32 FileNameLength; /* bytes */
    WCHAR FileName[1];
} FILE_RENAME_INFORMATION;

typedef struct FILE_STREAM_INFORMATION {
    UINT32 NextEntryOffset;
    UINT32 StreamNameLength;
    INT64 StreamSize;
    INT64 StreamAllocationSize;
    WCHAR StreamName[1];
} FILE_STREAM_INFORMATION;

/* ---- directory information (NtQueryDirectoryFile) ---- */

typedef struct FILE_DIRECTORY_INFORMATION {
    UINT32 NextEntryOffset;
    UINT32 FileIndex;
    INT64 CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
    INT64 EndOfFile, AllocationSize;
    UINT32 FileAttributes;
    UINT32 FileNameLength;
    WCHAR FileName[1];
} FILE_DIRECTORY_INFORMATION;

typedef struct FILE_FULL_DIR_INFORMATION {
    UINT32 NextEntryOffset;
    UINT32 FileIndex;
    INT64 CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
    INT64 EndOfFile, AllocationSize;
    UINT32 FileAttributes;
    UINT32 FileNameLength;
    UINT32 EaSize;
    WCHAR FileName[1];
} FILE_FULL_DIR_INFORMATION;

typedef struct FILE_BOTH_DIR_INFORMATION {
    UINT32 NextEntryOffset;
    UINT32 FileIndex;
    INT64 CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
    INT64 EndOfFile, AllocationSize;
    UINT32 FileAttributes;
    UINT32 FileNameLength;
    UINT32 EaSize;
    INT8 ShortNameLength;
    WCHAR ShortName[12];
    WCHAR FileName[1];
} FILE_BOTH_DIR_INFORMATION;

typedef struct FILE_ID_BOTH_DIR_INFORMATION {
    UINT32 NextEntryOffset;
    UINT32 FileIndex;
    INT64 CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
    INT64 EndOfFile, AllocationSize;
    UINT32 FileAttributes;
    UINT32 FileNameLength;
    UINT32 EaSize;
    INT8 ShortNameLength;
    WCHAR ShortName[12];
    INT64 FileId;
    WCHAR FileName[1];
} FILE_ID_BOTH_DIR_INFORMATION;

typedef struct FILE_ID_FULL_DIR_INFORMATION {
    UINT32 NextEntryOffset;
    UINT32 FileIndex;
    INT64 CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
    INT64 EndOfFile, AllocationSize;
    UINT32 FileAttributes;
    UINT32 FileNameLength;
    UINT32 EaSize;
    INT64 FileId;
    WCHAR FileName[1];
} FILE_ID_FULL_DIR_INFORMATION;

typedef struct FILE_NAMES_INFORMATION {
    UINT32 NextEntryOffset;
    UINT32 FileIndex;
    UINT32 FileNameLength;
    WCHAR FileName[1];
} FILE_NAMES_INFORMATION;

/* ---- volume information (NtQueryVolumeInformationFile) ---- */

typedef struct FILE_FS_VOLUME_INFORMATION {
    INT64 VolumeCreationTime;
    UINT32 VolumeSerialNumber;
    UINT32 VolumeLabelLength; /* bytes */
    BOOLEAN SupportsObjects;
    WCHAR VolumeLabel[1];
} FILE_FS_VOLUME_INFORMATION;

typedef struct FILE_FS_LABEL_INFORMATION {
    UINT32 VolumeLabelLength; /* bytes */
    WCHAR VolumeLabel[1];
} FILE_FS_LABEL_INFORMATION;

typedef struct FILE_FS_SIZE_INFORMATION {
    INT64 TotalAllocationUnits, AvailableAllocationUnits;
    UINT32 SectorsPerAllocationUnit, BytesPerSector;
} FILE_FS_SIZE_INFORMATION;

typedef struct FILE_FS_FULL_SIZE_INFORMATION {
    INT64 TotalAllocationUnits, CallerAvailableAllocationUnits, ActualAvailableAllocationUnits;
    UINT32 SectorsPerAllocationUnit, BytesPerSector;
} FILE_FS_FULL_SIZE_INFORMATION;

typedef struct FILE_FS_ATTRIBUTE_INFORMATION {
    UINT32 FileSystemAttributes;
    INT32 MaximumComponentNameLength;
    UINT32 FileSystemNameLength; /* bytes */
    WCHAR FileSystemName[1];
} FILE_FS_ATTRIBUTE_INFORMATION;

typedef struct FILE_FS_DEVICE_INFORMATION {
    UINT32 DeviceType;
    UINT32 Characteristics;
} FILE_FS_DEVICE_INFORMATION;

typedef struct FILE_FS_SECTOR_SIZE_INFORMATION {
    UINT32 LogicalBytesPerSector;
    UINT32 PhysicalBytesPerSectorForAtomicity;
    UINT32 PhysicalBytesPerSectorForPerformance;
    UINT32 FileSystemEffectivePhysicalBytesPerSectorForAtomicity;
    UINT32 Flags; /* SSINFO_FLAGS_* */
    UINT32 ByteOffsetForSectorAlignment;
    UINT32 ByteOffsetForPartitionAlignment;
} FILE_FS_SECTOR_SIZE_INFORMATION;

#ifndef SSINFO_FLAGS_ALIGNED_DEVICE
#define SSINFO_FLAGS_ALIGNED_DEVICE 0x00000001
#endif
#ifndef SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE
#define SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE 0x00000002
#endif
#ifndef SSINFO_FLAGS_NO_SEEK_PENALTY
#define SSINFO_FLAGS_NO_SEEK_PENALTY 0x00000004
#endif

/* ---- the calls ----
 *
 * Conventions, as the native calls: a call returns its NTSTATUS and, when
 * iosb is given, also stores it there with the byte count (or, for
 * nt_create_file, FILE_CREATED etc.) in Information; on failure *handle
 * is left as it was. Checks happen in the order of the I/O manager
 * (parameters, information class, buffer length, handle, granted access)
 * and then of WinFsp's FSD, so a bad call changes nothing and the file
 * system never sees it. A handle whose volume was unmounted only accepts
 * nt_close.
 */

/*
 * NtCreateFile. root: 0, or an open directory the path is relative to.
 * sd / ea: a self-relative security descriptor / FILE_FULL_EA_INFORMATION
 * list for a new file, or NULL. On success *handle is set and
 * iosb->Information is FILE_CREATED, FILE_OPENED, ... as Windows gives.
 * An empty path (and no root) opens the volume itself. Symbolic links on
 * the way and at the end are followed, as the I/O manager reparses,
 * unless FILE_OPEN_REPARSE_POINT asks for the last one itself; a target
 * off the volume or a chain of more than 63 gives
 * STATUS_REPARSE_POINT_NOT_RESOLVED.
 */
NTSTATUS nt_create_file(wf_fsd_volume *volume, nt_handle *handle, ACCESS_MASK desired_access,
    nt_handle root, const char *path, nt_io_status *iosb, UINT64 allocation_size,
    UINT32 file_attributes, UINT32 share_access, UINT32 create_disposition,
    UINT32 create_options, const void *sd, size_t sd_len, const void *ea, size_t ea_len);
NTSTATUS nt_create_file_w(wf_fsd_volume *volume, nt_handle *handle, ACCESS_MASK desired_access,
    nt_handle root, const WCHAR *path, size_t path_len, nt_io_status *iosb,
    UINT64 allocation_size, UINT32 file_attributes, UINT32 share_access,
    UINT32 create_disposition, UINT32 create_options, const void *sd, size_t sd_len,
    const void *ea, size_t ea_len);

/* NtClose: the last handle of a file object brings Cleanup, then Close. */
NTSTATUS nt_close(wf_fsd_volume *volume, nt_handle handle);

/*
 * NtReadFile / NtWriteFile. offset NULL (or NT_USE_FILE_POINTER_POSITION)
 * uses the file position; NT_WRITE_TO_END_OF_FILE appends. key is the
 * byte-range lock key.
 */
NTSTATUS nt_read_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb, void *buffer,
    UINT32 length, const INT64 *offset, UINT32 key);
NTSTATUS nt_write_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    const void *buffer, UINT32 length, const INT64 *offset, UINT32 key);

NTSTATUS nt_query_information_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    void *info, UINT32 length, UINT32 info_class);
NTSTATUS nt_set_information_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    const void *info, UINT32 length, UINT32 info_class);

/*
 * NtQueryDirectoryFile. pattern (UTF-8, may be NULL) takes effect on the
 * first call for a handle or with restart_scan, as on Windows.
 */
NTSTATUS nt_query_directory_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    void *buffer, UINT32 length, UINT32 info_class, bool return_single_entry,
    const char *pattern, bool restart_scan);

NTSTATUS nt_query_volume_information_file(wf_fsd_volume *volume, nt_handle handle,
    nt_io_status *iosb, void *info, UINT32 length, UINT32 fs_info_class);
NTSTATUS nt_set_volume_information_file(wf_fsd_volume *volume, nt_handle handle,
    nt_io_status *iosb, const void *info, UINT32 length, UINT32 fs_info_class);

NTSTATUS nt_flush_buffers_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb);

/* NtLockFile / NtUnlockFile: byte-range locks, kept in the fsd as WinFsp does. */
NTSTATUS nt_lock_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb, INT64 offset,
    INT64 length, UINT32 key, bool fail_immediately, bool exclusive);
NTSTATUS nt_unlock_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    INT64 offset, INT64 length, UINT32 key);

NTSTATUS nt_fs_control_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    UINT32 code, const void *input, UINT32 input_length, void *output, UINT32 output_length);
NTSTATUS nt_device_io_control_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    UINT32 code, const void *input, UINT32 input_length, void *output, UINT32 output_length);

/*
 * NtQueryEaFile (the whole list of the file's EAs, as FILE_FULL_EA_INFORMATION)
 * and NtSetEaFile (each entry set, or removed when its value is empty).
 * They need FILE_READ_EA and FILE_WRITE_EA. No EAs: STATUS_NO_EAS_ON_FILE.
 */
NTSTATUS nt_query_ea_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    void *buffer, UINT32 length);
NTSTATUS nt_set_ea_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    const void *buffer, UINT32 length);

/* NtQuerySecurityObject / NtSetSecurityObject (OWNER_/GROUP_/DACL_SECURITY_INFORMATION). */
NTSTATUS nt_query_security_object(wf_fsd_volume *volume, nt_handle handle, UINT32 info,
    void *sd, UINT32 length, UINT32 *length_needed);
NTSTATUS nt_set_security_object(wf_fsd_volume *volume, nt_handle handle, UINT32 info,
    const void *sd, UINT32 length);

#ifdef __cplusplus
}
#endif

#endif
