/*
 * check_volume.c - NtQueryVolumeInformationFile: size, full size,
 * attributes, volume, device; buffer and class checks.
 */
#include "check/ck.h"

static NTSTATUS open_root(ck_ctx *c, nt_handle *h)
{
    return ck_create(c, h, "\\", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE, NULL);
}

static NTSTATUS query(ck_ctx *c, nt_handle h, void *info, UINT32 len, UINT32 cls)
{
    nt_io_status io;
    memset(info, 0, len);
    return nt_query_volume_information_file(c->vol, h, &io, info, len, cls);
}

static void size(ck_ctx *c)
{
    nt_handle h;
    FILE_FS_SIZE_INFORMATION s;

    CK_OK(c, open_root(c, &h));
    CK_OK(c, query(c, h, &s, sizeof s, FileFsSizeInformation));
    CK_TRUE(c, s.TotalAllocationUnits > 0, "TotalAllocationUnits > 0");
    CK_TRUE(c, s.AvailableAllocationUnits >= 0 &&
        s.AvailableAllocationUnits <= s.TotalAllocationUnits,
        "0 <= AvailableAllocationUnits <= TotalAllocationUnits");
    CK_TRUE(c, s.SectorsPerAllocationUnit > 0, "SectorsPerAllocationUnit > 0");
    CK_TRUE(c, s.BytesPerSector >= 512 && (s.BytesPerSector & (s.BytesPerSector - 1)) == 0,
        "BytesPerSector a power of two, at least 512");
}

static void full_size(ck_ctx *c)
{
    nt_handle h;
    FILE_FS_SIZE_INFORMATION s;
    FILE_FS_FULL_SIZE_INFORMATION f;

    CK_OK(c, open_root(c, &h));
    CK_OK(c, query(c, h, &s, sizeof s, FileFsSizeInformation));
    CK_OK(c, query(c, h, &f, sizeof f, FileFsFullSizeInformation));
    CK_EQ(c, "TotalAllocationUnits (as FileFsSizeInformation)", f.TotalAllocationUnits,
        s.TotalAllocationUnits);
    CK_EQ(c, "SectorsPerAllocationUnit", f.SectorsPerAllocationUnit, s.SectorsPerAllocationUnit);
    CK_EQ(c, "BytesPerSector", f.BytesPerSector, s.BytesPerSector);
    CK_TRUE(c, f.CallerAvailableAllocationUnits <= f.TotalAllocationUnits,
        "CallerAvailableAllocationUnits <= TotalAllocationUnits");
    CK_TRUE(c, f.ActualAvailableAllocationUnits <= f.TotalAllocationUnits,
        "ActualAvailableAllocationUnits <= TotalAllocationUnits");
    CK_TRUE(c, f.CallerAvailableAllocationUnits <= f.ActualAvailableAllocationUnits,
        "CallerAvailableAllocationUnits <= ActualAvailableAllocationUnits");
}

static void attribute(ck_ctx *c)
{
    nt_handle h;
    union {
        FILE_FS_ATTRIBUTE_INFORMATION info;
        UINT8 b[512];
    } u;
    UINT32 flags;

    CK_OK(c, open_root(c, &h));
    CK_OK(c, query(c, h, &u, sizeof u, FileFsAttributeInformation));
    flags = u.info.FileSystemAttributes;
    CK_EQ(c, "MaximumComponentLength", u.info.MaximumComponentNameLength, 255);
    CK_TRUE(c, u.info.FileSystemNameLength > 0 && u.info.FileSystemNameLength % 2 == 0 &&
        u.info.FileSystemNameLength <= sizeof u - offsetof(FILE_FS_ATTRIBUTE_INFORMATION,
        FileSystemName), "a FileSystemName of whole characters");
    CK_TRUE(c, flags & FILE_CASE_PRESERVED_NAMES, "FILE_CASE_PRESERVED_NAMES");
    CK_TRUE(c, flags & FILE_UNICODE_ON_DISK, "FILE_UNICODE_ON_DISK");
    /* What the runner derived its choices from must be what any handle reads. */
    CK_EQ(c, "FileSystemAttributes (as probed first)", flags, c->fs_attributes);
}

static void attribute_overflow(ck_ctx *c)
{
    nt_handle h;
    union {
        FILE_FS_ATTRIBUTE_INFORMATION info;
        UINT8 b[512];
    } u;
    FILE_FS_ATTRIBUTE_INFORMATION small;
    nt_io_status io;

    CK_OK(c, open_root(c, &h));
    CK_OK(c, query(c, h, &u, sizeof u, FileFsAttributeInformation));
    CK_NEED(c, u.info.FileSystemNameLength > sizeof small -
        offsetof(FILE_FS_ATTRIBUTE_INFORMATION, FileSystemName),
        "the file system name fits the fixed part");
    memset(&small, 0, sizeof small);
    memset(&io, 0, sizeof io);
    CK_STATUS(c, STATUS_BUFFER_OVERFLOW, nt_query_volume_information_file(c->vol, h, &io, &small,
        sizeof small, FileFsAttributeInformation));
    CK_EQ(c, "FileSystemAttributes", small.FileSystemAttributes, u.info.FileSystemAttributes);
    CK_EQ(c, "MaximumComponentLength", small.MaximumComponentNameLength,
        u.info.MaximumComponentNameLength);
}

static void volume(ck_ctx *c)
{
    nt_handle h;
    union {
        FILE_FS_VOLUME_INFORMATION info;
        UINT8 b[512];
    } u;

    CK_OK(c, open_root(c, &h));
    CK_OK(c, query(c, h, &u, sizeof u, FileFsVolumeInformation));
    CK_TRUE(c, u.info.VolumeLabelLength % 2 == 0 && u.info.VolumeLabelLength <= 64,
        "a VolumeLabelLength of at most 32 whole characters");
}

static void device(ck_ctx *c)
{
    nt_handle h;
    FILE_FS_DEVICE_INFORMATION d;

    CK_OK(c, open_root(c, &h));
    CK_OK(c, query(c, h, &d, sizeof d, FileFsDeviceInformation));
    CK_TRUE(c, d.DeviceType == FILE_DEVICE_DISK || d.DeviceType == FILE_DEVICE_DISK_FILE_SYSTEM ||
        d.DeviceType == FILE_DEVICE_NETWORK_FILE_SYSTEM,
        "DeviceType FILE_DEVICE_DISK, _DISK_FILE_SYSTEM or _NETWORK_FILE_SYSTEM");
    if (d.DeviceType == FILE_DEVICE_NETWORK_FILE_SYSTEM)
        CK_TRUE(c, d.Characteristics & FILE_REMOTE_DEVICE,
            "FILE_REMOTE_DEVICE for a network file system");
}

static void length_mismatch(ck_ctx *c)
{
    nt_handle h;
    UINT8 b[64];

    CK_OK(c, open_root(c, &h));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, query(c, h, b, 8, FileFsSizeInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, query(c, h, b, 8, FileFsFullSizeInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, query(c, h, b, 8, FileFsAttributeInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, query(c, h, b, 4, FileFsDeviceInformation));
}

static void invalid_class(ck_ctx *c)
{
    nt_handle h;
    UINT8 b[512];

    CK_OK(c, open_root(c, &h));
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, query(c, h, b, sizeof b, 0));
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, query(c, h, b, sizeof b, 99));
    /* The label is set, not queried. */
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, query(c, h, b, sizeof b, FileFsLabelInformation));
}

static void from_file(ck_ctx *c)
{
    nt_handle root, f;
    FILE_FS_SIZE_INFORMATION a, b;
    union {
        FILE_FS_ATTRIBUTE_INFORMATION info;
        UINT8 b[512];
    } u;

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, open_root(c, &root));
    CK_OK(c, ck_open(c, &f, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, query(c, root, &a, sizeof a, FileFsSizeInformation));
    CK_OK(c, query(c, f, &b, sizeof b, FileFsSizeInformation));
    CK_EQ(c, "TotalAllocationUnits through a file", b.TotalAllocationUnits,
        a.TotalAllocationUnits);
    CK_EQ(c, "BytesPerSector through a file", b.BytesPerSector, a.BytesPerSector);
    CK_OK(c, query(c, f, &u, sizeof u, FileFsAttributeInformation));
    CK_EQ(c, "FileSystemAttributes through a file", u.info.FileSystemAttributes,
        c->fs_attributes);
}

const ck_case ck_cases_volume[] = {
    {"volume_size", size, CK_RO_SAFE,
        "FileFsSizeInformation: units, sectors, bytes per sector consistent",
        "getvolinfo_test"},
    {"volume_full_size", full_size, CK_RO_SAFE,
        "FileFsFullSizeInformation agrees with FileFsSizeInformation", "getvolinfo_test"},
    {"volume_attribute", attribute, CK_RO_SAFE,
        "FileFsAttributeInformation: 255-character names, case-preserved Unicode names",
        "getvolinfo_test"},
    {"volume_attribute_overflow", attribute_overflow, CK_RO_SAFE,
        "FileFsAttributeInformation without room for the name: STATUS_BUFFER_OVERFLOW",
        "getvolinfo_test"},
    {"volume_volume", volume, CK_RO_SAFE,
        "FileFsVolumeInformation: a label of at most 32 characters", "getvolinfo_test"},
    {"volume_device", device, CK_RO_SAFE,
        "FileFsDeviceInformation: a disk or network file system device", "getvolinfo_test"},
    {"volume_length_mismatch", length_mismatch, CK_RO_SAFE,
        "buffers shorter than the fixed structure: STATUS_INFO_LENGTH_MISMATCH",
        "getvolinfo_test"},
    {"volume_invalid_class", invalid_class, CK_RO_SAFE,
        "classes out of range or set-only (label): STATUS_INVALID_INFO_CLASS",
        "getvolinfo_test"},
    {"volume_from_file", from_file, 0,
        "any handle on the volume answers volume queries alike", "getvolinfo_test"},
    {NULL, NULL, 0, NULL, NULL},
};
