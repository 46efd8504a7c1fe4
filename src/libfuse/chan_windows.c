/*
 * chan_windows.c - the Windows channel: a WinFuse volume, driven with
 * DeviceIoControl(FUSE_FSCTL_TRANSACT) on its volume handle.
 *
 * The volume is created the way WinFuse's own libfuse creates it: the
 * WinFsp DLL's FspFsctlCreateVolume on "WinFsp.Disk" (or "WinFsp.Net" for
 * a UNC prefix) with VOLUME_PARAMS.FsextControlCode = FUSE_FSCTL_TRANSACT,
 * which hands the volume to the winfuse driver, then FspMountSet for the
 * drive letter or directory. The DLL is loaded at run time (from the
 * search path, else from WinFsp's InstallDir in the registry), so nothing
 * of WinFsp is needed to build.
 *
 * FUSE_FSCTL_TRANSACT is METHOD_BUFFERED: the input buffer is the FUSE
 * reply (or none), the output buffer receives the next FUSE request (or
 * none is asked for); bytes returned is the request's length, 0 when
 * none came before the driver's transact timeout. A reply the driver no
 * longer knows fails with ERROR_INVALID_PARAMETER and is dropped; a volume
 * being torn down fails with ERROR_OPERATION_ABORTED (STATUS_CANCELLED) or
 * ERROR_INVALID_HANDLE, which ends the session.
 *
 * Compiled for Windows only (user mode, mingw-w64 or MSVC); nothing here
 * may assume POSIX.
 */
#if defined(_WIN32)

#define WF_LIBFUSE_CHAN_ONLY
#include "internal.h"

#include <windows.h>
#include <winioctl.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUSE_FSCTL_TRANSACT
#define FUSE_FSCTL_TRANSACT                                                              \
    CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0xC00 + 'F', METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif

#if defined(_M_ARM64) || defined(__aarch64__)
#define WF_WINFSP_DLL L"winfsp-a64.dll"
#elif defined(_WIN64)
#define WF_WINFSP_DLL L"winfsp-x64.dll"
#else
#define WF_WINFSP_DLL L"winfsp-x86.dll"
#endif

#define WF_VOLUME_NAME_SIZEMAX (256 * sizeof(WCHAR))

/*
 * FSP_FSCTL_VOLUME_PARAMS (winfsp/fsctl.h, 504 bytes), with its bit fields
 * spelled as flag words so this file does not depend on WinFsp's headers.
 */
typedef struct {
    UINT16 Version;
    UINT16 SectorSize;
    UINT16 SectorsPerAllocationUnit;
    UINT16 MaxComponentLength;
    UINT64 VolumeCreationTime;
    UINT32 VolumeSerialNumber;
    UINT32 TransactTimeout;
    UINT32 IrpTimeout;
    UINT32 IrpCapacity;
    UINT32 FileInfoTimeout;
    UINT32 Flags;
    WCHAR Prefix[192];
    WCHAR FileSystemName[16];
    UINT32 Flags2;
    UINT32 VolumeInfoTimeout;
    UINT32 DirInfoTimeout;
    UINT32 SecurityTimeout;
    UINT32 StreamInfoTimeout;
    UINT32 EaTimeout;
    UINT32 FsextControlCode;
    UINT32 Reserved32[1];
    UINT64 Reserved64[2];
} wf_volume_params;

_Static_assert(sizeof(wf_volume_params) == 504, "FSP_FSCTL_VOLUME_PARAMS is 504 bytes");

/* Bits of wf_volume_params.Flags, in WinFsp's bit-field order. */
enum {
    VP_CASE_SENSITIVE_SEARCH = 1u << 0,
    VP_CASE_PRESERVED_NAMES = 1u << 1,
    VP_UNICODE_ON_DISK = 1u << 2,
    VP_PERSISTENT_ACLS = 1u << 3,
    VP_REPARSE_POINTS = 1u << 4,
    VP_REPARSE_POINTS_ACCESS_CHECK = 1u << 5,
    VP_NAMED_STREAMS = 1u << 6,
    VP_POST_CLEANUP_WHEN_MODIFIED_ONLY = 1u << 10,
    VP_PASS_QUERY_DIRECTORY_PATTERN = 1u << 11,
    VP_PASS_QUERY_DIRECTORY_FILE_NAME = 1u << 13,
    VP_FLUSH_AND_PURGE_ON_CLEANUP = 1u << 14,
    VP_DEVICE_CONTROL = 1u << 15,
};

/* FSP_MOUNT_DESC (winfsp/winfsp.h). */
typedef struct {
    HANDLE VolumeHandle;
    PWSTR VolumeName;
    PSECURITY_DESCRIPTOR Security;
    UINT64 Reserved;
    PWSTR MountPoint;
    HANDLE MountHandle;
} wf_mount_desc;

typedef LONG(NTAPI *create_volume_fn)(PWSTR DevicePath, const wf_volume_params *VolumeParams,
    PWCHAR VolumeNameBuf, SIZE_T VolumeNameSize, PHANDLE PVolumeHandle);
typedef LONG(NTAPI *mount_fn)(wf_mount_desc *Desc);

static struct {
    create_volume_fn create_volume;
    mount_fn mount_set;
    mount_fn mount_remove;
} winfsp;

static INIT_ONCE winfsp_once = INIT_ONCE_STATIC_INIT;

static HMODULE load_winfsp(void)
{
    WCHAR path[MAX_PATH];
    DWORD size = sizeof path;
    HMODULE module;
    HKEY key;
    LONG res;
    size_t len;

    module = LoadLibraryW(WF_WINFSP_DLL);
    if (module)
        return module;
    res = RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\WinFsp", 0, KEY_READ | KEY_WOW64_32KEY,
        &key);
    if (res != ERROR_SUCCESS)
        return NULL;
    res = RegQueryValueExW(key, L"InstallDir", NULL, NULL, (BYTE *)path, &size);
    RegCloseKey(key);
    if (res != ERROR_SUCCESS || size < sizeof(WCHAR))
        return NULL;
    path[sizeof path / sizeof path[0] - 1] = L'\0';
    len = wcslen(path);
    if (len + wcslen(L"bin\\" WF_WINFSP_DLL) + 1 > sizeof path / sizeof path[0])
        return NULL;
    wcscpy(path + len, L"bin\\" WF_WINFSP_DLL);
    return LoadLibraryW(path);
}

static BOOL CALLBACK winfsp_init(PINIT_ONCE once, PVOID param, PVOID *context)
{
    HMODULE module = load_winfsp();

    (void)once;
    (void)param;
    (void)context;
    if (!module)
        return FALSE;
    winfsp.create_volume = (create_volume_fn)(void (*)(void))GetProcAddress(module,
        "FspFsctlCreateVolume");
    winfsp.mount_set = (mount_fn)(void (*)(void))GetProcAddress(module, "FspMountSet");
    winfsp.mount_remove = (mount_fn)(void (*)(void))GetProcAddress(module, "FspMountRemove");
    if (!winfsp.create_volume || !winfsp.mount_set || !winfsp.mount_remove) {
        FreeLibrary(module);
        return FALSE;
    }
    return TRUE;
}

struct windows_chan {
    struct fuse_chan ch;
    HANDLE volume;
    HANDLE mount_handle;
    bool mounted;
    WCHAR volume_name[WF_VOLUME_NAME_SIZEMAX / sizeof(WCHAR)];
    WCHAR mount_point[MAX_PATH];
};

static long transact_error(DWORD error)
{
    switch (error) {
    case ERROR_OPERATION_ABORTED: /* STATUS_CANCELLED: the volume is going away */
    case ERROR_INVALID_HANDLE:
    case ERROR_FILE_INVALID:
        return -ENODEV;
    case ERROR_INVALID_PARAMETER:
        return -ENOENT;
    case ERROR_INSUFFICIENT_BUFFER:
        return -ENOBUFS;
    case ERROR_NOT_ENOUGH_MEMORY:
        return -ENOMEM;
    default:
        return -EIO;
    }
}

static long windows_transact(struct fuse_chan *ch, const void *reply, size_t reply_len, void *buf,
    size_t size)
{
    struct windows_chan *wc = (struct windows_chan *)ch;
    DWORD bytes = 0;
    DWORD in_len = reply ? (DWORD)reply_len : 0;
    DWORD out_len = buf ? (DWORD)(size > 0xFFFFFFFFu ? 0xFFFFFFFFu : size) : 0;

    if (reply_len > 0xFFFFFFFFu)
        return -EINVAL;
    if (!DeviceIoControl(wc->volume, FUSE_FSCTL_TRANSACT, (void *)reply, in_len, buf, out_len,
            &bytes, NULL)) {
        DWORD error = GetLastError();
        /* A reply the driver no longer knows is dropped; still fetch the request. */
        if (reply && error == ERROR_INVALID_PARAMETER) {
            if (!buf)
                return -ENOENT;
            if (DeviceIoControl(wc->volume, FUSE_FSCTL_TRANSACT, NULL, 0, buf, out_len, &bytes,
                    NULL))
                return (long)bytes;
            error = GetLastError();
        }
        return transact_error(error);
    }
    return buf ? (long)bytes : 0;
}

static void windows_destroy(struct fuse_chan *ch)
{
    struct windows_chan *wc = (struct windows_chan *)ch;

    if (wc->mounted) {
        wf_mount_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.VolumeHandle = wc->volume;
        desc.VolumeName = wc->volume_name;
        desc.MountPoint = wc->mount_point;
        desc.MountHandle = wc->mount_handle;
        winfsp.mount_remove(&desc);
    }
    if (wc->volume != INVALID_HANDLE_VALUE)
        CloseHandle(wc->volume);
    free(wc);
}

static const struct fuse_chan_ops windows_ops = {
    .name = "windows",
    .receive = NULL,
    .send = NULL,
    .transact = windows_transact,
    .clone = NULL,
    .destroy = windows_destroy,
};

/* UTF-8 to UTF-16 into a fixed buffer; false if it does not fit. */
static bool utf8_to_wide(const char *s, WCHAR *w, size_t wcount)
{
    if (!s || !*s) {
        w[0] = L'\0';
        return true;
    }
    return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, (int)wcount) != 0;
}

static void fill_volume_params(wf_volume_params *vp, const struct fuse_chan_windows_params *p)
{
    FILETIME now;

    memset(vp, 0, sizeof *vp);
    vp->Version = sizeof *vp;
    vp->SectorSize = 4096;
    if (p && p->sector_size >= 512 && p->sector_size <= 4096)
        vp->SectorSize = (UINT16)p->sector_size;
    vp->SectorsPerAllocationUnit = 1;
    vp->MaxComponentLength = 255;
    GetSystemTimeAsFileTime(&now);
    vp->VolumeCreationTime = ((UINT64)now.dwHighDateTime << 32) | now.dwLowDateTime;
    vp->VolumeSerialNumber = now.dwHighDateTime ^ now.dwLowDateTime;
    vp->FileInfoTimeout = p && p->file_info_timeout_ms ? p->file_info_timeout_ms : 1000;
    vp->Flags = VP_CASE_PRESERVED_NAMES | VP_UNICODE_ON_DISK | VP_PERSISTENT_ACLS |
        VP_REPARSE_POINTS | VP_POST_CLEANUP_WHEN_MODIFIED_ONLY |
        VP_PASS_QUERY_DIRECTORY_FILE_NAME | VP_FLUSH_AND_PURGE_ON_CLEANUP | VP_DEVICE_CONTROL;
    if (!p || !p->case_insensitive)
        vp->Flags |= VP_CASE_SENSITIVE_SEARCH;
    vp->FsextControlCode = FUSE_FSCTL_TRANSACT;
}

int fuse_chan_windows_mount(const char *mountpoint, const struct fuse_chan_windows_params *params,
    struct fuse_chan **pch)
{
    struct windows_chan *wc;
    wf_volume_params vp;
    wf_mount_desc desc;
    WCHAR fsname[16];
    LONG status;

    *pch = NULL;
    if (!InitOnceExecuteOnce(&winfsp_once, winfsp_init, NULL, NULL))
        return -ENOENT; /* WinFsp is not installed */
    wc = calloc(1, sizeof *wc);
    if (!wc)
        return -ENOMEM;
    wc->ch.ops = &windows_ops;
    wc->ch.refs = 1;
    wc->ch.fd = -1;
    wc->volume = INVALID_HANDLE_VALUE;

    fill_volume_params(&vp, params);
    if (!utf8_to_wide(mountpoint, wc->mount_point, sizeof wc->mount_point / sizeof(WCHAR)))
        goto einval;
    if (params && params->volume_prefix) {
        WCHAR *c;
        if (!utf8_to_wide(params->volume_prefix, vp.Prefix, sizeof vp.Prefix / sizeof(WCHAR)))
            goto einval;
        for (c = vp.Prefix; *c; c++)
            if (*c == L'/')
                *c = L'\\';
    }
    /* "FUSE" or "FUSE-<name>", as WinFuse names its file systems. */
    wcscpy(vp.FileSystemName, L"FUSE");
    if (params && params->fs_name && *params->fs_name) {
        if (!utf8_to_wide(params->fs_name, fsname, sizeof fsname / sizeof(WCHAR)) ||
            wcslen(fsname) > 10)
            goto einval;
        wcscat(vp.FileSystemName, L"-");
        wcscat(vp.FileSystemName, fsname);
    }

    status = winfsp.create_volume(vp.Prefix[0] ? L"WinFsp.Net" : L"WinFsp.Disk", &vp,
        wc->volume_name, sizeof wc->volume_name, &wc->volume);
    if (status < 0) {
        wc->volume = INVALID_HANDLE_VALUE;
        free(wc);
        return -ENODEV;
    }
    memset(&desc, 0, sizeof desc);
    desc.VolumeHandle = wc->volume;
    desc.VolumeName = wc->volume_name;
    desc.MountPoint = wc->mount_point;
    status = winfsp.mount_set(&desc);
    if (status < 0) {
        CloseHandle(wc->volume);
        free(wc);
        return -EINVAL;
    }
    wc->mount_handle = desc.MountHandle;
    wc->mounted = true;
    *pch = &wc->ch;
    return 0;

einval:
    free(wc);
    return -EINVAL;
}

#endif /* _WIN32 */
