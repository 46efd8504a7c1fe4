/*
 * volinfo.c - NtQueryVolumeInformationFile and NtSetVolumeInformationFile.
 *
 * As WinFsp's volinfo.c: what the volume parameters say is answered at
 * once (attributes, device, sector size); sizes and the label come from a
 * QueryVolumeInformation request, cached for VolumeInfoTimeout. Setting
 * the label is the one volume change a file system is asked for.
 */
#include <stddef.h>

#include "fsd/internal.h"

/* WinFsp's DRIVER_NAME, put before a file system name that asks for it. */
static const WCHAR fsd_driver_name[] = {'W', 'i', 'n', 'F', 's', 'p'};

typedef struct fs_class {
    UINT32 cls;
    UINT32 length;
} fs_class;

static const fs_class query_classes[] = {
    {FileFsVolumeInformation, sizeof(FILE_FS_VOLUME_INFORMATION)},
    {FileFsSizeInformation, sizeof(FILE_FS_SIZE_INFORMATION)},
    {FileFsDeviceInformation, sizeof(FILE_FS_DEVICE_INFORMATION)},
    {FileFsAttributeInformation, sizeof(FILE_FS_ATTRIBUTE_INFORMATION)},
    {FileFsControlInformation, 48},
    {FileFsFullSizeInformation, sizeof(FILE_FS_FULL_SIZE_INFORMATION)},
    {FileFsObjectIdInformation, 64},
    {FileFsDriverPathInformation, 12},
    {FileFsVolumeFlagsInformation, 4},
    {FileFsSectorSizeInformation, sizeof(FILE_FS_SECTOR_SIZE_INFORMATION)},
    {FileFsDataCopyInformation, 4},
    {FileFsMetadataSizeInformation, 24},
    {FileFsFullSizeInformationEx, 120},
};

static NTSTATUS volume_info(wf_fsd_volume *v, FSP_FSCTL_VOLUME_INFO *vi)
{
    fsd_req *r;
    NTSTATUS status;

    pthread_mutex_lock(&v->lock);
    if (v->volume_info_valid && fsd_now() < v->volume_info_expiry) {
        *vi = v->volume_info;
        pthread_mutex_unlock(&v->lock);
        return STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&v->lock);
    r = fsd_req_new(FspFsctlTransactQueryVolumeInformationKind);
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        *vi = r->rsp->Rsp.QueryVolumeInformation.VolumeInfo;
        if (vi->VolumeLabelLength > sizeof vi->VolumeLabel)
            vi->VolumeLabelLength = sizeof vi->VolumeLabel;
        pthread_mutex_lock(&v->lock);
        v->volume_info = *vi;
        v->volume_info_valid = true;
        v->volume_info_expiry = fsd_expiry(v->volume_info_timeout_ns);
        pthread_mutex_unlock(&v->lock);
    }
    fsd_req_free(v, r);
    return status;
}

/* Copy a variable-length tail; STATUS_BUFFER_OVERFLOW when only part of it fits. */
static UINT32 put_tail(UINT8 *out, UINT32 room, const void *src, UINT32 size, NTSTATUS *status)
{
    UINT32 copy = size > room ? room : size;
    *status = copy < size ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    memcpy(out, src, copy);
    return copy;
}

NTSTATUS nt_query_volume_information_file(wf_fsd_volume *volume, nt_handle handle,
    nt_io_status *iosb, void *info, UINT32 length, UINT32 fs_info_class)
{
    wf_fsd_volume *v = volume;
    const FSP_FSCTL_VOLUME_PARAMS *vp;
    const fs_class *fc = NULL;
    UINT8 *out = info;
    UINT64 information = 0, unit;
    FSP_FSCTL_VOLUME_INFO vi;
    fsd_fobj *f;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    vp = &v->params;
    unit = (UINT64)vp->SectorSize * vp->SectorsPerAllocationUnit;
    for (size_t i = 0; i < sizeof query_classes / sizeof query_classes[0]; i++)
        if (query_classes[i].cls == fs_info_class)
            fc = &query_classes[i];
    if (!fc) {
        status = STATUS_INVALID_INFO_CLASS;
        goto exit;
    }
    if (length < fc->length) {
        status = STATUS_INFO_LENGTH_MISMATCH;
        goto exit;
    }
    if (!info) {
        status = STATUS_INVALID_USER_BUFFER;
        goto exit;
    }
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;

    switch (fs_info_class) {
    case FileFsAttributeInformation: {
        FILE_FS_ATTRIBUTE_INFORMATION a;
        WCHAR name[sizeof fsd_driver_name / sizeof(WCHAR) + sizeof vp->FileSystemName / sizeof(WCHAR)];
        size_t n = 0, fl = 0;
        UINT32 base = offsetof(FILE_FS_ATTRIBUTE_INFORMATION, FileSystemName);

        while (fl < sizeof vp->FileSystemName / sizeof(WCHAR) && vp->FileSystemName[fl])
            fl++;
        /* An empty name, or one that continues ours ("-FUSE"), gets WinFsp's in front. */
        if (fl == 0 || vp->FileSystemName[0] == '-' || vp->FileSystemName[0] == '/' ||
            vp->FileSystemName[0] == '\\') {
            memcpy(name, fsd_driver_name, sizeof fsd_driver_name);
            n = sizeof fsd_driver_name / sizeof(WCHAR);
        }
        memcpy(name + n, vp->FileSystemName, fl * sizeof(WCHAR));
        n += fl;
        memset(&a, 0, sizeof a);
        a.FileSystemAttributes =
            (vp->CaseSensitiveSearch ? FILE_CASE_SENSITIVE_SEARCH : 0) |
            (vp->CasePreservedNames ? FILE_CASE_PRESERVED_NAMES : 0) |
            (vp->UnicodeOnDisk ? FILE_UNICODE_ON_DISK : 0) |
            (vp->PersistentAcls ? FILE_PERSISTENT_ACLS : 0) |
            (vp->ReparsePoints ? FILE_SUPPORTS_REPARSE_POINTS : 0) |
            (vp->NamedStreams ? FILE_NAMED_STREAMS : 0) |
            (vp->ExtendedAttributes ? FILE_SUPPORTS_EXTENDED_ATTRIBUTES : 0) |
            (vp->ReadOnlyVolume ? FILE_READ_ONLY_VOLUME : 0) |
            (vp->SupportsPosixUnlinkRename ? FILE_SUPPORTS_POSIX_UNLINK_RENAME : 0);
        a.MaximumComponentNameLength = vp->MaxComponentLength;
        a.FileSystemNameLength = (UINT32)(n * sizeof(WCHAR));
        memcpy(out, &a, base);
        information = base + put_tail(out + base, length - base, name,
            (UINT32)(n * sizeof(WCHAR)), &status);
        break;
    }
    case FileFsDeviceInformation: {
        bool remote = vp->Prefix[0] != 0;
        /* FILE_DEVICE_DISK: GetFileType depends on it, even for network volumes. */
        FILE_FS_DEVICE_INFORMATION d = {FILE_DEVICE_DISK, remote ? FILE_REMOTE_DEVICE : 0};
        memcpy(out, &d, sizeof d);
        information = sizeof d;
        break;
    }
    case FileFsSectorSizeInformation: {
        FILE_FS_SECTOR_SIZE_INFORMATION s;
        memset(&s, 0, sizeof s);
        s.LogicalBytesPerSector = s.PhysicalBytesPerSectorForAtomicity =
            s.PhysicalBytesPerSectorForPerformance =
                s.FileSystemEffectivePhysicalBytesPerSectorForAtomicity = vp->SectorSize;
        s.Flags = SSINFO_FLAGS_ALIGNED_DEVICE | SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE |
            SSINFO_FLAGS_NO_SEEK_PENALTY;
        memcpy(out, &s, sizeof s);
        information = sizeof s;
        break;
    }
    case FileFsSizeInformation:
    case FileFsFullSizeInformation:
    case FileFsVolumeInformation:
        status = volume_info(v, &vi);
        if (!NT_SUCCESS(status))
            break;
        if (fs_info_class == FileFsSizeInformation) {
            FILE_FS_SIZE_INFORMATION s;
            memset(&s, 0, sizeof s);
            s.TotalAllocationUnits = (INT64)(vi.TotalSize / unit);
            s.AvailableAllocationUnits = (INT64)(vi.FreeSize / unit);
            s.SectorsPerAllocationUnit = vp->SectorsPerAllocationUnit;
            s.BytesPerSector = vp->SectorSize;
            memcpy(out, &s, sizeof s);
            information = sizeof s;
        } else if (fs_info_class == FileFsFullSizeInformation) {
            FILE_FS_FULL_SIZE_INFORMATION s;
            memset(&s, 0, sizeof s);
            s.TotalAllocationUnits = (INT64)(vi.TotalSize / unit);
            s.CallerAvailableAllocationUnits = s.ActualAvailableAllocationUnits =
                (INT64)(vi.FreeSize / unit);
            s.SectorsPerAllocationUnit = vp->SectorsPerAllocationUnit;
            s.BytesPerSector = vp->SectorSize;
            memcpy(out, &s, sizeof s);
            information = sizeof s;
        } else {
            FILE_FS_VOLUME_INFORMATION s;
            UINT32 base = offsetof(FILE_FS_VOLUME_INFORMATION, VolumeLabel);
            memset(&s, 0, sizeof s);
            s.VolumeCreationTime = (INT64)vp->VolumeCreationTime;
            s.VolumeSerialNumber = vp->VolumeSerialNumber;
            s.VolumeLabelLength = vi.VolumeLabelLength;
            s.SupportsObjects = 0;
            memcpy(out, &s, base);
            information = base + put_tail(out + base, length - base, vi.VolumeLabel,
                vi.VolumeLabelLength, &status);
        }
        break;
    default:
        /* Classes the I/O manager knows and WinFsp does not answer. */
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status,
        NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW ? information : 0);
}

NTSTATUS nt_set_volume_information_file(wf_fsd_volume *volume, nt_handle handle,
    nt_io_status *iosb, const void *info, UINT32 length, UINT32 fs_info_class)
{
    wf_fsd_volume *v = volume;
    FILE_FS_LABEL_INFORMATION label;
    UINT32 base = offsetof(FILE_FS_LABEL_INFORMATION, VolumeLabel);
    fsd_fobj *f;
    fsd_req *r = NULL;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    if (fs_info_class != FileFsLabelInformation && fs_info_class != FileFsControlInformation &&
        fs_info_class != FileFsObjectIdInformation) {
        status = STATUS_INVALID_INFO_CLASS;
        goto exit;
    }
    if (length < (fs_info_class == FileFsLabelInformation ? sizeof label
                  : fs_info_class == FileFsControlInformation ? 48u : 64u)) {
        status = STATUS_INFO_LENGTH_MISMATCH;
        goto exit;
    }
    if (!info) {
        status = STATUS_INVALID_USER_BUFFER;
        goto exit;
    }
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    if (!(f->granted & FILE_WRITE_DATA)) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    if (fs_info_class != FileFsLabelInformation) {
        status = STATUS_INVALID_PARAMETER;
        goto release;
    }
    memcpy(&label, info, base);
    if (label.VolumeLabelLength > length - base || (label.VolumeLabelLength & 1)) {
        status = STATUS_INVALID_PARAMETER;
        goto release;
    }
    r = fsd_req_new(FspFsctlTransactSetVolumeInformationKind);
    if (!r) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    {
        WCHAR text[FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX / sizeof(WCHAR)];
        size_t n = label.VolumeLabelLength / sizeof(WCHAR);
        if (n >= sizeof text / sizeof text[0]) {
            status = STATUS_INVALID_VOLUME_LABEL;
            goto release;
        }
        memcpy(text, (const UINT8 *)info + base, n * sizeof(WCHAR));
        if (!fsd_req_append_name(r, text, n,
                &r->req->Req.SetVolumeInformation.Info.Label.VolumeLabel)) {
            status = STATUS_INVALID_VOLUME_LABEL;
            goto release;
        }
    }
    r->req->Req.SetVolumeInformation.FsInformationClass = fs_info_class;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        FSP_FSCTL_VOLUME_INFO vi = r->rsp->Rsp.SetVolumeInformation.VolumeInfo;
        if (vi.VolumeLabelLength > sizeof vi.VolumeLabel)
            vi.VolumeLabelLength = sizeof vi.VolumeLabel;
        pthread_mutex_lock(&v->lock);
        v->volume_info = vi;
        v->volume_info_valid = true;
        v->volume_info_expiry = fsd_expiry(v->volume_info_timeout_ns);
        pthread_mutex_unlock(&v->lock);
    }
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, 0);
}
