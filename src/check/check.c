/*
 * check.c - the suite's runner and the helpers the cases are written with.
 *
 * The runner learns what the volume is (FILE_FS_ATTRIBUTE_INFORMATION and a
 * probe for write protection), then runs each case of the registry in its
 * own scratch directory and reports it. Whatever a case leaves behind,
 * handles or files, is closed and removed before the next one starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check/ck.h"
#include "engine/status.h"
#include "engine/utf.h"

static const ck_case *const families[] = {
    ck_cases_create, ck_cases_security, ck_cases_share, ck_cases_info,
    ck_cases_delete, ck_cases_rename, ck_cases_volume, ck_cases_rw,
    ck_cases_flush, ck_cases_lock, ck_cases_dir, ck_cases_reparse,
    ck_cases_case, ck_cases_badinput,
};

#define NFAMILIES (sizeof families / sizeof families[0])

/* The index-th case of the registry, or NULL. */
static const ck_case *case_at(unsigned index)
{
    for (size_t f = 0; f < NFAMILIES; f++)
        for (const ck_case *cs = families[f]; cs->name; cs++)
            if (index-- == 0)
                return cs;
    return NULL;
}

unsigned wf_check_count(void)
{
    unsigned n = 0;
    while (case_at(n))
        n++;
    return n;
}

bool wf_check_describe(unsigned index, const char **name, const char **description,
    const char **winfsp_test)
{
    const ck_case *cs = case_at(index);

    if (!cs)
        return false;
    if (name)
        *name = cs->name;
    if (description)
        *description = cs->desc;
    if (winfsp_test)
        *winfsp_test = cs->winfsp;
    return true;
}

/* ---- assertions ---- */

const char *ck_status(NTSTATUS status)
{
    static _Thread_local char bufs[4][WF_STATUS_FORMAT_MAX];
    static _Thread_local unsigned next;
    char *buf = bufs[next++ % 4];

    wf_status_format(status, buf, WF_STATUS_FORMAT_MAX);
    return buf;
}

static const char *base_name(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? slash + 1 : file;
}

static void fail_v(ck_ctx *c, const char *file, int line, const char *fmt, va_list ap)
{
    size_t n;

    /* The first failure is the one worth reading; later ones follow from it. */
    if (c->outcome == CK_FAIL)
        return;
    c->outcome = CK_FAIL;
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    n = strlen(c->msg);
    snprintf(c->msg + n, sizeof c->msg - n, " (%s:%d)", base_name(file), line);
}

void ck_failf(ck_ctx *c, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(c, file, line, fmt, ap);
    va_end(ap);
}

void ck_fail_status(ck_ctx *c, const char *file, int line, NTSTATUS expected, NTSTATUS got)
{
    ck_failf(c, file, line, "expected %s got %s", ck_status(expected), ck_status(got));
}

void ck_skipf(ck_ctx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->outcome == CK_FAIL)
        return;
    c->outcome = CK_SKIP;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
}

bool ck_data_equal(ck_ctx *c, const char *file, int line, const char *what, const void *got,
    const void *expected, size_t len)
{
    const UINT8 *g = got, *e = expected;
    size_t i;

    for (i = 0; i < len; i++)
        if (g[i] != e[i])
            break;
    if (i == len)
        return true;
    ck_failf(c, file, line, "expected %s byte %zu of %zu = 0x%02x got 0x%02x", what, i, len,
        e[i], g[i]);
    return false;
}

/* ---- helpers ---- */

void *ck_alloc(ck_ctx *c, size_t size)
{
    void *p;

    if (c->nallocs == CK_MAX_ALLOCS)
        return NULL;
    p = calloc(1, size ? size : 1);
    if (p)
        c->allocs[c->nallocs++] = p;
    return p;
}

static void *ck_realloc(ck_ctx *c, void *old, size_t size)
{
    void *p;

    if (!old)
        return ck_alloc(c, size);
    for (unsigned i = 0; i < c->nallocs; i++)
        if (c->allocs[i] == old) {
            p = realloc(old, size);
            if (p)
                c->allocs[i] = p;
            return p;
        }
    return NULL;
}

const char *ck_path(ck_ctx *c, const char *rel)
{
    char *buf = c->paths[c->next_path++ % 4];

    const char *head = rel[0] == '\\' ? "" : rel[0] == 0 && !c->dir[0] ? "\\" : c->dir;
    const char *sep = rel[0] == '\\' || rel[0] == 0 ? "" : "\\";
    size_t h = strlen(head), s = strlen(sep), r = strlen(rel);

    /* Cases use short paths; one too long is cut, and then simply not found. */
    if (h + s + r >= CK_PATH_MAX)
        r = CK_PATH_MAX - 1 - h - s;
    memcpy(buf, head, h);
    memcpy(buf + h, sep, s);
    memcpy(buf + h + s, rel, r);
    buf[h + s + r] = 0;
    return buf;
}

void ck_track(ck_ctx *c, nt_handle h)
{
    /* Beyond the table a handle stays open until unmount; cases open far fewer. */
    if (c->nhandles < CK_MAX_HANDLES)
        c->handles[c->nhandles++] = h;
}

static void untrack(ck_ctx *c, nt_handle h)
{
    for (unsigned i = c->nhandles; i-- > 0;)
        if (c->handles[i] == h) {
            c->handles[i] = c->handles[--c->nhandles];
            return;
        }
}

NTSTATUS ck_close(ck_ctx *c, nt_handle h)
{
    untrack(c, h);
    return nt_close(c->vol, h);
}

static NTSTATUS create_common(ck_ctx *c, nt_handle *h, nt_handle root, const char *path,
    ACCESS_MASK access, UINT32 attributes, UINT32 share, UINT32 disposition, UINT32 options,
    const void *sd, size_t sd_len, UINT64 allocation, nt_io_status *iosb)
{
    nt_io_status local;
    nt_handle handle = 0;
    NTSTATUS status;

    if (!iosb)
        iosb = &local;
    memset(iosb, 0, sizeof *iosb);
    if (!(options & CK_RAW)) {
        access |= SYNCHRONIZE;
        options |= FILE_SYNCHRONOUS_IO_NONALERT;
    }
    options &= ~CK_RAW;
    status = nt_create_file(c->vol, &handle, access, root, path, iosb, allocation, attributes,
        share, disposition, options, sd, sd_len, NULL, 0);
    if (NT_SUCCESS(status)) {
        ck_track(c, handle);
        if (iosb->Status != status)
            ck_failf(c, __FILE__, __LINE__, "expected IoStatus.Status %s (as returned) got %s",
                ck_status(status), ck_status(iosb->Status));
        if (!h)
            ck_close(c, handle);
    }
    if (h)
        *h = NT_SUCCESS(status) ? handle : 0;
    return status;
}

NTSTATUS ck_create(ck_ctx *c, nt_handle *h, const char *rel, ACCESS_MASK access,
    UINT32 attributes, UINT32 share, UINT32 disposition, UINT32 options, nt_io_status *iosb)
{
    return create_common(c, h, 0, ck_path(c, rel), access, attributes, share, disposition,
        options, NULL, 0, 0, iosb);
}

NTSTATUS ck_create_rel(ck_ctx *c, nt_handle *h, nt_handle root, const char *name,
    ACCESS_MASK access, UINT32 attributes, UINT32 share, UINT32 disposition, UINT32 options,
    nt_io_status *iosb)
{
    return create_common(c, h, root, name, access, attributes, share, disposition, options,
        NULL, 0, 0, iosb);
}

NTSTATUS ck_create_sd(ck_ctx *c, nt_handle *h, const char *rel, ACCESS_MASK access,
    UINT32 share, UINT32 disposition, UINT32 options, const void *sd, size_t sd_len,
    UINT64 allocation_size, nt_io_status *iosb)
{
    return create_common(c, h, 0, ck_path(c, rel), access, 0, share, disposition, options, sd,
        sd_len, allocation_size, iosb);
}

NTSTATUS ck_open(ck_ctx *c, nt_handle *h, const char *rel, ACCESS_MASK access, UINT32 share)
{
    return ck_create(c, h, rel, access, 0, share, FILE_OPEN, 0, NULL);
}

NTSTATUS ck_mkfile(ck_ctx *c, const char *rel, const void *data, size_t len)
{
    nt_handle h;
    NTSTATUS status = ck_create(c, &h, rel, FILE_GENERIC_WRITE, FILE_ATTRIBUTE_NORMAL,
        CK_SHARE_ALL, FILE_CREATE, FILE_NON_DIRECTORY_FILE, NULL);
    UINT32 done = 0;

    if (!NT_SUCCESS(status))
        return status;
    if (len) {
        status = ck_write(c, h, 0, data, (UINT32)len, &done);
        if (NT_SUCCESS(status) && done != len)
            status = STATUS_DISK_FULL;
    }
    ck_close(c, h);
    return status;
}

NTSTATUS ck_mkdir(ck_ctx *c, const char *rel)
{
    return ck_create(c, NULL, rel, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
        FILE_ATTRIBUTE_NORMAL, CK_SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE, NULL);
}

NTSTATUS ck_exists(ck_ctx *c, const char *rel)
{
    return ck_create(c, NULL, rel, FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL);
}

NTSTATUS ck_delete(ck_ctx *c, const char *rel)
{
    nt_handle h;
    NTSTATUS status = ck_create(c, &h, rel, DELETE, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL);

    if (!NT_SUCCESS(status))
        return status;
    status = ck_set_delete(c, h, true);
    ck_close(c, h);
    return status;
}

NTSTATUS ck_read(ck_ctx *c, nt_handle h, INT64 offset, void *buf, UINT32 len, UINT32 *got)
{
    nt_io_status iosb;
    NTSTATUS status;

    memset(&iosb, 0, sizeof iosb);
    status = nt_read_file(c->vol, h, &iosb, buf, len, offset == CK_POS ? NULL : &offset, 0);
    if (got)
        *got = NT_SUCCESS(status) ? (UINT32)iosb.Information : 0;
    if (NT_SUCCESS(status) && iosb.Information > len)
        ck_failf(c, __FILE__, __LINE__, "expected at most %u bytes read got %llu", len,
            (unsigned long long)iosb.Information);
    return status;
}

NTSTATUS ck_write(ck_ctx *c, nt_handle h, INT64 offset, const void *buf, UINT32 len,
    UINT32 *done)
{
    nt_io_status iosb;
    NTSTATUS status;

    memset(&iosb, 0, sizeof iosb);
    status = nt_write_file(c->vol, h, &iosb, buf, len, offset == CK_POS ? NULL : &offset, 0);
    if (done)
        *done = NT_SUCCESS(status) ? (UINT32)iosb.Information : 0;
    return status;
}

NTSTATUS ck_read_file(ck_ctx *c, const char *rel, void *buf, size_t cap, size_t *len)
{
    nt_handle h;
    NTSTATUS status = ck_open(c, &h, rel, FILE_GENERIC_READ, CK_SHARE_ALL);
    size_t total = 0;

    *len = 0;
    if (!NT_SUCCESS(status))
        return status;
    while (total < cap) {
        UINT32 chunk = cap - total > 1048576 ? 1048576 : (UINT32)(cap - total), got;
        status = ck_read(c, h, (INT64)total, (UINT8 *)buf + total, chunk, &got);
        if (status == STATUS_END_OF_FILE) {
            status = STATUS_SUCCESS;
            break;
        }
        if (!NT_SUCCESS(status))
            break;
        if (got == 0)
            break;
        total += got;
    }
    ck_close(c, h);
    *len = total;
    return status;
}

NTSTATUS ck_query(ck_ctx *c, nt_handle h, void *info, UINT32 len, UINT32 cls)
{
    nt_io_status iosb;
    return nt_query_information_file(c->vol, h, &iosb, info, len, cls);
}

NTSTATUS ck_set(ck_ctx *c, nt_handle h, const void *info, UINT32 len, UINT32 cls)
{
    nt_io_status iosb;
    return nt_set_information_file(c->vol, h, &iosb, info, len, cls);
}

NTSTATUS ck_basic(ck_ctx *c, nt_handle h, FILE_BASIC_INFORMATION *info)
{
    memset(info, 0, sizeof *info);
    return ck_query(c, h, info, sizeof *info, FileBasicInformation);
}

NTSTATUS ck_standard(ck_ctx *c, nt_handle h, FILE_STANDARD_INFORMATION *info)
{
    memset(info, 0, sizeof *info);
    return ck_query(c, h, info, sizeof *info, FileStandardInformation);
}

NTSTATUS ck_index(ck_ctx *c, nt_handle h, INT64 *index)
{
    FILE_INTERNAL_INFORMATION info = {0};
    NTSTATUS status = ck_query(c, h, &info, sizeof info, FileInternalInformation);
    *index = info.IndexNumber;
    return status;
}

NTSTATUS ck_set_basic(ck_ctx *c, nt_handle h, INT64 creation, INT64 access, INT64 write,
    INT64 change, UINT32 attributes)
{
    FILE_BASIC_INFORMATION info;

    memset(&info, 0, sizeof info);
    info.CreationTime = creation;
    info.LastAccessTime = access;
    info.LastWriteTime = write;
    info.ChangeTime = change;
    info.FileAttributes = attributes;
    return ck_set(c, h, &info, sizeof info, FileBasicInformation);
}

NTSTATUS ck_set_eof(ck_ctx *c, nt_handle h, INT64 eof)
{
    FILE_END_OF_FILE_INFORMATION info;
    info.EndOfFile = eof;
    return ck_set(c, h, &info, sizeof info, FileEndOfFileInformation);
}

NTSTATUS ck_set_delete(ck_ctx *c, nt_handle h, bool del)
{
    FILE_DISPOSITION_INFORMATION info;
    info.DeleteFile = del;
    return ck_set(c, h, &info, sizeof info, FileDispositionInformation);
}

NTSTATUS ck_set_delete_ex(ck_ctx *c, nt_handle h, UINT32 flags)
{
    FILE_DISPOSITION_INFORMATION_EX info;
    info.Flags = flags;
    return ck_set(c, h, &info, sizeof info, FileDispositionInformationEx);
}

NTSTATUS ck_rename(ck_ctx *c, nt_handle h, nt_handle root, const char *target, bool ex,
    UINT32 flags)
{
    size_t cap = offsetof(FILE_RENAME_INFORMATION, FileName) + CK_PATH_MAX * sizeof(WCHAR);
    FILE_RENAME_INFORMATION *info = ck_alloc(c, cap);
    size_t n, len;

    if (!info)
        return STATUS_NO_MEMORY;
    n = ck_to_utf16(target, info->FileName, CK_PATH_MAX);
    if (ex)
        info->Flags = flags;
    else
        info->ReplaceIfExists = flags != 0;
    info->RootDirectory = root;
    info->FileNameLength = (UINT32)(n * sizeof(WCHAR));
    /* As MoveFileEx: never less than the structure, whose size the I/O manager insists on. */
    len = offsetof(FILE_RENAME_INFORMATION, FileName) + n * sizeof(WCHAR);
    if (len < sizeof *info)
        len = sizeof *info;
    return ck_set(c, h, info, (UINT32)len, ex ? FileRenameInformationEx : FileRenameInformation);
}

NTSTATUS ck_name(ck_ctx *c, nt_handle h, char *buf, size_t cap)
{
    size_t len = offsetof(FILE_NAME_INFORMATION, FileName) + CK_PATH_MAX * sizeof(WCHAR);
    FILE_NAME_INFORMATION *info = ck_alloc(c, len);
    NTSTATUS status;

    buf[0] = 0;
    if (!info)
        return STATUS_NO_MEMORY;
    status = ck_query(c, h, info, (UINT32)len, FileNameInformation);
    if (NT_SUCCESS(status)) {
        if (info->FileNameLength % 2 || info->FileNameLength > CK_PATH_MAX * sizeof(WCHAR)) {
            ck_failf(c, __FILE__, __LINE__, "expected a FileNameLength that fits got %u",
                info->FileNameLength);
            return STATUS_INTERNAL_ERROR;
        }
        ck_from_utf16(info->FileName, info->FileNameLength / sizeof(WCHAR), buf, cap);
    }
    return status;
}

NTSTATUS ck_attributes(ck_ctx *c, const char *rel, UINT32 *attributes)
{
    nt_handle h;
    FILE_BASIC_INFORMATION info;
    NTSTATUS status = ck_create(c, &h, rel, FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL);

    *attributes = 0;
    if (!NT_SUCCESS(status))
        return status;
    status = ck_basic(c, h, &info);
    *attributes = info.FileAttributes;
    ck_close(c, h);
    return status;
}

NTSTATUS ck_size(ck_ctx *c, const char *rel, INT64 *eof)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION info;
    NTSTATUS status = ck_create(c, &h, rel, FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL);

    *eof = -1;
    if (!NT_SUCCESS(status))
        return status;
    status = ck_standard(c, h, &info);
    *eof = info.EndOfFile;
    ck_close(c, h);
    return status;
}

UINT32 ck_attr(UINT32 attributes)
{
    return attributes & ~(UINT32)(FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_NORMAL);
}

void ck_fill(void *buf, size_t len, uint32_t seed)
{
    UINT8 *p = buf;
    uint32_t x = seed * 2654435761u + 1;

    for (size_t i = 0; i < len; i++) {
        /* xorshift32: cheap, and never all zero, so holes cannot pass for data */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (UINT8)(x >> 24);
    }
}

size_t ck_to_utf16(const char *s, WCHAR *out, size_t cap)
{
    size_t n = 0;
    wf_utf8_to_utf16(s, strlen(s), out, cap, &n, WF_UTF_REPLACE);
    return n;
}

void ck_from_utf16(const WCHAR *s, size_t n, char *out, size_t cap)
{
    size_t len = 0;

    if (cap == 0)
        return;
    if (!NT_SUCCESS(wf_utf16_to_utf8(s, n, out, cap - 1, &len, WF_UTF_REPLACE)))
        len = 0;
    out[len] = 0;
}

INT64 ck_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (INT64)ts.tv_sec * 10000000 + ts.tv_nsec / 100 + 116444736000000000LL;
}

/* ---- directory listings ---- */

static UINT32 get32(const UINT8 *p)
{
    UINT32 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static INT64 get64(const UINT8 *p)
{
    INT64 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Where the name and its length are in an entry of this class. */
static bool class_layout(UINT32 cls, size_t *name_off, size_t *len_off)
{
    switch (cls) {
    case FileDirectoryInformation:
        *name_off = offsetof(FILE_DIRECTORY_INFORMATION, FileName);
        *len_off = offsetof(FILE_DIRECTORY_INFORMATION, FileNameLength);
        return true;
    case FileFullDirectoryInformation:
        *name_off = offsetof(FILE_FULL_DIR_INFORMATION, FileName);
        *len_off = offsetof(FILE_FULL_DIR_INFORMATION, FileNameLength);
        return true;
    case FileBothDirectoryInformation:
        *name_off = offsetof(FILE_BOTH_DIR_INFORMATION, FileName);
        *len_off = offsetof(FILE_BOTH_DIR_INFORMATION, FileNameLength);
        return true;
    case FileIdBothDirectoryInformation:
        *name_off = offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileName);
        *len_off = offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileNameLength);
        return true;
    case FileNamesInformation:
        *name_off = offsetof(FILE_NAMES_INFORMATION, FileName);
        *len_off = offsetof(FILE_NAMES_INFORMATION, FileNameLength);
        return true;
    default:
        return false;
    }
}

static bool list_add(ck_ctx *c, ck_list *l, const UINT8 *p, UINT32 cls, size_t name_off,
    UINT32 name_len)
{
    ck_entry *e;
    WCHAR name[512];

    if (l->count == l->cap) {
        unsigned cap = l->cap ? l->cap * 2 : 64;
        ck_entry *n = ck_realloc(c, l->e, cap * sizeof *n);
        if (!n)
            return false;
        l->e = n;
        l->cap = cap;
    }
    e = &l->e[l->count++];
    memset(e, 0, sizeof *e);
    memcpy(name, p + name_off, name_len);
    ck_from_utf16(name, name_len / sizeof(WCHAR), e->name, sizeof e->name);
    if (cls == FileNamesInformation)
        return true;
    /* The classes other than Names share the FILE_DIRECTORY_INFORMATION prefix. */
    e->creation_time = get64(p + offsetof(FILE_DIRECTORY_INFORMATION, CreationTime));
    e->last_access_time = get64(p + offsetof(FILE_DIRECTORY_INFORMATION, LastAccessTime));
    e->last_write_time = get64(p + offsetof(FILE_DIRECTORY_INFORMATION, LastWriteTime));
    e->change_time = get64(p + offsetof(FILE_DIRECTORY_INFORMATION, ChangeTime));
    e->end_of_file = get64(p + offsetof(FILE_DIRECTORY_INFORMATION, EndOfFile));
    e->allocation_size = get64(p + offsetof(FILE_DIRECTORY_INFORMATION, AllocationSize));
    e->attributes = get32(p + offsetof(FILE_DIRECTORY_INFORMATION, FileAttributes));
    if (cls != FileDirectoryInformation)
        e->ea_size = get32(p + offsetof(FILE_FULL_DIR_INFORMATION, EaSize));
    if (cls == FileBothDirectoryInformation || cls == FileIdBothDirectoryInformation)
        e->short_name_len = p[offsetof(FILE_BOTH_DIR_INFORMATION, ShortNameLength)];
    if (cls == FileIdBothDirectoryInformation)
        e->file_id = get64(p + offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileId));
    return true;
}

NTSTATUS ck_list_handle(ck_ctx *c, nt_handle h, const char *pattern, UINT32 cls, UINT32 buflen,
    bool single, bool restart_scan, ck_list *out)
{
    UINT8 *buf = ck_alloc(c, buflen);
    size_t name_off, len_off;
    bool first = true;

    memset(out, 0, sizeof *out);
    if (!buf || !class_layout(cls, &name_off, &len_off))
        return STATUS_INVALID_PARAMETER;
    for (unsigned calls = 0;; calls++) {
        nt_io_status iosb;
        NTSTATUS status;
        size_t off = 0;
        unsigned entries = 0;

        if (calls > 2000000) {
            ck_failf(c, __FILE__, __LINE__, "expected a listing to end, still going after %u calls",
                calls);
            return STATUS_INTERNAL_ERROR;
        }
        memset(&iosb, 0, sizeof iosb);
        status = nt_query_directory_file(c->vol, h, &iosb, buf, buflen, cls, single,
            first ? pattern : NULL, first && restart_scan);
        if (status == STATUS_NO_MORE_FILES && !first)
            return STATUS_SUCCESS;
        if (status != STATUS_SUCCESS)
            return status;
        first = false;
        if (iosb.Information == 0 || iosb.Information > buflen) {
            ck_failf(c, __FILE__, __LINE__,
                "expected STATUS_SUCCESS with 1..%u bytes of entries got %llu bytes", buflen,
                (unsigned long long)iosb.Information);
            return STATUS_INTERNAL_ERROR;
        }
        out->calls++;
        for (;;) {
            const UINT8 *p = buf + off;
            UINT32 next, name_len;

            if (off + name_off > iosb.Information) {
                ck_failf(c, __FILE__, __LINE__, "expected entry at %zu inside the %llu bytes",
                    off, (unsigned long long)iosb.Information);
                return STATUS_INTERNAL_ERROR;
            }
            next = get32(p);
            name_len = get32(p + len_off);
            if (name_len == 0 || name_len % 2 || name_len > 1020 ||
                off + name_off + name_len > iosb.Information) {
                ck_failf(c, __FILE__, __LINE__, "expected a FileNameLength within the entry got %u",
                    name_len);
                return STATUS_INTERNAL_ERROR;
            }
            if (next != 0 && (next % 8 || next < name_off + name_len)) {
                ck_failf(c, __FILE__, __LINE__,
                    "expected NextEntryOffset 8-byte aligned past the name got %u", next);
                return STATUS_INTERNAL_ERROR;
            }
            if (!list_add(c, out, p, cls, name_off, name_len))
                return STATUS_NO_MEMORY;
            entries++;
            if (next == 0)
                break;
            off += next;
        }
        if (single && entries != 1) {
            ck_failf(c, __FILE__, __LINE__,
                "expected one entry per call with ReturnSingleEntry got %u", entries);
            return STATUS_INTERNAL_ERROR;
        }
    }
}

NTSTATUS ck_list_dir(ck_ctx *c, const char *rel, const char *pattern, ck_list *out)
{
    nt_handle h;
    NTSTATUS status = ck_create(c, &h, rel, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES, 0,
        CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE, NULL);

    memset(out, 0, sizeof *out);
    if (!NT_SUCCESS(status))
        return status;
    status = ck_list_handle(c, h, pattern, FileDirectoryInformation, 65536, false, false, out);
    ck_close(c, h);
    return status;
}

unsigned ck_list_count(const ck_list *l, const char *name)
{
    unsigned n = 0;
    for (unsigned i = 0; i < l->count; i++)
        if (strcmp(l->e[i].name, name) == 0)
            n++;
    return n;
}

const ck_entry *ck_list_find(const ck_list *l, const char *name)
{
    for (unsigned i = 0; i < l->count; i++)
        if (strcmp(l->e[i].name, name) == 0)
            return &l->e[i];
    return NULL;
}

bool ck_list_is(ck_ctx *c, const char *file, int line, const ck_list *l, const char *const *names)
{
    unsigned expected = 0;

    for (const char *const *n = names; *n; n++, expected++) {
        unsigned count = ck_list_count(l, *n);
        if (count != 1) {
            ck_failf(c, file, line, "expected \"%s\" once in the listing got %u times", *n, count);
            return false;
        }
    }
    for (unsigned i = 0; i < l->count; i++) {
        bool known = false;
        for (const char *const *n = names; *n && !known; n++)
            known = strcmp(l->e[i].name, *n) == 0;
        if (!known) {
            ck_failf(c, file, line, "expected no \"%s\" in the listing", l->e[i].name);
            return false;
        }
    }
    if (l->count != expected) {
        ck_failf(c, file, line, "expected %u entries got %u", expected, l->count);
        return false;
    }
    return true;
}

/* ---- scratch directories ---- */

/* Remove path and everything below it, whatever attributes, links or states it has. */
static NTSTATUS rmtree(wf_fsd_volume *vol, const char *path, unsigned depth)
{
    nt_handle h = 0;
    nt_io_status iosb;
    FILE_BASIC_INFORMATION basic;
    NTSTATUS status;

    if (depth > 64)
        return STATUS_NAME_TOO_LONG;
    status = nt_create_file(vol, &h,
        DELETE | FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE,
        0, path, &iosb, 0, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, NULL, 0);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND || status == STATUS_OBJECT_PATH_NOT_FOUND)
        return STATUS_SUCCESS;
    if (!NT_SUCCESS(status))
        return status;
    memset(&basic, 0, sizeof basic);
    status = nt_query_information_file(vol, h, &iosb, &basic, sizeof basic, FileBasicInformation);
    if (NT_SUCCESS(status) && (basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
        !(basic.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        /* Names first, deletions after: a listing is not stable while it shrinks. */
        size_t cap = 65536, used = 0;
        char *names = malloc(cap);
        UINT8 *buf = malloc(65536);
        bool first = true;

        while (names && buf) {
            size_t off = 0;
            status = nt_query_directory_file(vol, h, &iosb, buf, 65536, FileNamesInformation,
                false, NULL, first);
            first = false;
            if (status != STATUS_SUCCESS)
                break;
            while (off < iosb.Information) {
                const FILE_NAMES_INFORMATION *e = (const void *)(buf + off);
                char name[1024];
                size_t n;

                ck_from_utf16(e->FileName, e->FileNameLength / sizeof(WCHAR), name, sizeof name);
                n = strlen(name) + 1;
                if (strcmp(name, ".") && strcmp(name, "..")) {
                    if (used + n > cap) {
                        char *more = realloc(names, cap * 2);
                        if (!more)
                            break;
                        names = more;
                        cap *= 2;
                    }
                    memcpy(names + used, name, n);
                    used += n;
                }
                if (e->NextEntryOffset == 0)
                    break;
                off += e->NextEntryOffset;
            }
        }
        for (size_t off = 0; names && off < used; off += strlen(names + off) + 1) {
            char *child = malloc(strlen(path) + strlen(names + off) + 2);
            if (child) {
                sprintf(child, "%s\\%s", path, names + off);
                rmtree(vol, child, depth + 1);
                free(child);
            }
        }
        free(names);
        free(buf);
    }
    {
        FILE_DISPOSITION_INFORMATION del = {true};
        status = nt_set_information_file(vol, h, &iosb, &del, sizeof del,
            FileDispositionInformation);
    }
    nt_close(vol, h);
    if (status == STATUS_CANNOT_DELETE && (basic.FileAttributes & FILE_ATTRIBUTE_READONLY)) {
        /* Clear the attribute through a handle of its own, then delete through a fresh one. */
        FILE_BASIC_INFORMATION clear;
        memset(&clear, 0, sizeof clear);
        clear.FileAttributes = basic.FileAttributes & ~(UINT32)FILE_ATTRIBUTE_READONLY;
        /* ARCHIVE rather than NORMAL: the same to Windows, and spared a mistaken "0 = no change". */
        if (clear.FileAttributes == 0)
            clear.FileAttributes = FILE_ATTRIBUTE_ARCHIVE;
        if (NT_SUCCESS(nt_create_file(vol, &h, FILE_WRITE_ATTRIBUTES | SYNCHRONIZE, 0, path, &iosb,
                0, 0, CK_SHARE_ALL, FILE_OPEN,
                FILE_OPEN_REPARSE_POINT | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, NULL, 0))) {
            nt_set_information_file(vol, h, &iosb, &clear, sizeof clear, FileBasicInformation);
            nt_close(vol, h);
        }
        status = nt_create_file(vol, &h, DELETE | SYNCHRONIZE, 0, path, &iosb, 0, 0,
            CK_SHARE_ALL, FILE_OPEN, FILE_OPEN_REPARSE_POINT | FILE_SYNCHRONOUS_IO_NONALERT, NULL,
            0, NULL, 0);
        if (NT_SUCCESS(status)) {
            FILE_DISPOSITION_INFORMATION del = {true};
            status = nt_set_information_file(vol, h, &iosb, &del, sizeof del,
                FileDispositionInformation);
            nt_close(vol, h);
        }
    }
    return status;
}

/* ---- the runner ---- */

typedef struct runner {
    wf_fsd_volume *vol;
    const wf_check_options *opts;
    FILE *out;
    wf_check_result res;
    bool first_json;
    /* volume facts, copied into each case's context */
    UINT32 fs_attributes;
    UINT32 max_component;
    bool read_only;
    char read_only_reason[256];
} runner;

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static void report(runner *r, const ck_case *cs, int outcome, const char *msg)
{
    static const char *const words[] = {"PASS", "FAIL", "SKIP"};

    if (outcome == CK_PASS)
        r->res.passed++;
    else if (outcome == CK_FAIL)
        r->res.failed++;
    else
        r->res.skipped++;
    if (r->opts->json) {
        fprintf(r->out, "%s\n    {\"name\": ", r->first_json ? "" : ",");
        r->first_json = false;
        json_string(r->out, cs->name);
        fprintf(r->out, ", \"result\": \"%s\"", outcome == CK_PASS ? "pass" :
            outcome == CK_FAIL ? "fail" : "skip");
        if (outcome != CK_PASS) {
            fprintf(r->out, ", \"message\": ");
            json_string(r->out, msg);
        }
        fprintf(r->out, ", \"description\": ");
        json_string(r->out, cs->desc);
        fprintf(r->out, "}");
    } else if (outcome == CK_PASS) {
        fprintf(r->out, "PASS %s\n", cs->name);
    } else {
        fprintf(r->out, "%s %s: %s\n", words[outcome], cs->name, msg);
    }
    fflush(r->out);
}

static bool selected(const runner *r, const ck_case *cs)
{
    return !r->opts->only || !r->opts->only[0] || strstr(cs->name, r->opts->only);
}

static void run_case(runner *r, const ck_case *cs)
{
    ck_ctx *c = calloc(1, sizeof *c);
    nt_handle scratch = 0;
    nt_io_status iosb;
    NTSTATUS status;

    if (!c) {
        report(r, cs, CK_FAIL, "out of memory");
        return;
    }
    c->vol = r->vol;
    c->opts = r->opts;
    c->cs = cs;
    c->fs_attributes = r->fs_attributes;
    c->max_component = r->max_component;
    c->read_only = r->read_only;
    c->case_sensitive = (r->fs_attributes & FILE_CASE_SENSITIVE_SEARCH) &&
        !r->opts->case_insensitive;
    c->reparse_points = (r->fs_attributes & FILE_SUPPORTS_REPARSE_POINTS) &&
        !r->opts->no_symlinks;
    c->posix_semantics = r->fs_attributes & FILE_SUPPORTS_POSIX_UNLINK_RENAME;
    c->persistent_acls = (r->fs_attributes & FILE_PERSISTENT_ACLS) && !r->opts->no_security;
    c->named_streams = r->fs_attributes & FILE_NAMED_STREAMS;
    c->outcome = CK_PASS;

    if (!(cs->flags & CK_RO_SAFE)) {
        if (r->read_only) {
            report(r, cs, CK_SKIP, r->read_only_reason);
            free(c);
            return;
        }
        snprintf(c->dir, sizeof c->dir, "\\check-%s", cs->name);
        /* A previous run may have died half way: start from nothing. */
        status = rmtree(r->vol, c->dir, 0);
        if (NT_SUCCESS(status))
            status = nt_create_file(r->vol, &scratch, FILE_LIST_DIRECTORY | SYNCHRONIZE, 0,
                c->dir, &iosb, 0, 0, CK_SHARE_ALL, FILE_CREATE,
                FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, NULL, 0);
        if (!NT_SUCCESS(status)) {
            char msg[CK_MSG_MAX];
            snprintf(msg, sizeof msg, "cannot make the scratch directory %.200s: %s", c->dir,
                ck_status(status));
            report(r, cs, CK_FAIL, msg);
            free(c);
            return;
        }
        nt_close(r->vol, scratch);
    }

    cs->fn(c);

    while (c->nhandles)
        nt_close(r->vol, c->handles[--c->nhandles]);
    for (unsigned i = 0; i < c->nallocs; i++)
        free(c->allocs[i]);
    if (c->dir[0]) {
        status = rmtree(r->vol, c->dir, 0);
        if (!NT_SUCCESS(status) && c->outcome == CK_PASS) {
            c->outcome = CK_FAIL;
            snprintf(c->msg, sizeof c->msg, "cannot remove the scratch directory %.200s: %s", c->dir,
                ck_status(status));
        }
    }
    report(r, cs, c->outcome, c->msg);
    free(c);
}

/* What the volume is: FILE_FS_ATTRIBUTE_INFORMATION, and whether it can be written. */
static NTSTATUS probe(runner *r)
{
    nt_handle root = 0, h = 0;
    nt_io_status iosb;
    union {
        FILE_FS_ATTRIBUTE_INFORMATION info;
        UINT8 bytes[1024];
    } attr;
    NTSTATUS status;

    status = nt_create_file(r->vol, &root, FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, "\\", &iosb, 0,
        0, CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0,
        NULL, 0);
    if (!NT_SUCCESS(status))
        return status;
    memset(&attr, 0, sizeof attr);
    status = nt_query_volume_information_file(r->vol, root, &iosb, &attr, sizeof attr,
        FileFsAttributeInformation);
    nt_close(r->vol, root);
    if (!NT_SUCCESS(status))
        return status;
    r->fs_attributes = attr.info.FileSystemAttributes;
    r->max_component = (UINT32)attr.info.MaximumComponentNameLength;

    if (r->opts->read_only) {
        r->read_only = true;
        snprintf(r->read_only_reason, sizeof r->read_only_reason,
            "the file system is read-only (as told)");
        return STATUS_SUCCESS;
    }
    if (r->fs_attributes & FILE_READ_ONLY_VOLUME) {
        r->read_only = true;
        snprintf(r->read_only_reason, sizeof r->read_only_reason,
            "read-only volume (FILE_READ_ONLY_VOLUME)");
        return STATUS_SUCCESS;
    }
    status = nt_create_file(r->vol, &h, DELETE | FILE_LIST_DIRECTORY | SYNCHRONIZE, 0,
        "\\check-probe", &iosb, 0, 0, CK_SHARE_ALL, FILE_OPEN_IF,
        FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0, NULL, 0);
    if (NT_SUCCESS(status)) {
        FILE_DISPOSITION_INFORMATION del = {true};
        nt_set_information_file(r->vol, h, &iosb, &del, sizeof del, FileDispositionInformation);
        nt_close(r->vol, h);
    } else {
        r->read_only = true;
        snprintf(r->read_only_reason, sizeof r->read_only_reason,
            "cannot write the volume: creating \\check-probe gives %s", ck_status(status));
    }
    return STATUS_SUCCESS;
}

int wf_check_run(wf_fsd_volume *volume, const wf_check_options *opts, wf_check_result *result)
{
    static const wf_check_options defaults;
    runner r;
    NTSTATUS status;

    memset(&r, 0, sizeof r);
    r.vol = volume;
    r.opts = opts ? opts : &defaults;
    r.out = r.opts->out ? r.opts->out : stdout;
    r.first_json = true;
    if (result)
        memset(result, 0, sizeof *result);

    status = probe(&r);
    if (!NT_SUCCESS(status)) {
        if (r.opts->json)
            fprintf(r.out, "{\"error\": \"cannot open the volume root: %s\"}\n",
                ck_status(status));
        else
            fprintf(r.out, "cannot open the volume root: %s\n", ck_status(status));
        return 2;
    }
    if (r.opts->json)
        fprintf(r.out, "{\n  \"cases\": [");
    for (size_t f = 0; f < NFAMILIES; f++)
        for (const ck_case *cs = families[f]; cs->name; cs++)
            if (selected(&r, cs))
                run_case(&r, cs);
    if (r.opts->json)
        fprintf(r.out, "\n  ],\n  \"passed\": %u,\n  \"failed\": %u,\n  \"skipped\": %u\n}\n",
            r.res.passed, r.res.failed, r.res.skipped);
    else
        fprintf(r.out, "%u passed, %u failed, %u skipped\n", r.res.passed, r.res.failed,
            r.res.skipped);
    fflush(r.out);
    if (result)
        *result = r.res;
    return r.res.failed ? 1 : 0;
}
