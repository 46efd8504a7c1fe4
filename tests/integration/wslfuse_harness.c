/*
 * wslfuse_harness.c - the WinFsp side of the wslfuse tests: a queue
 * provider (queue_provider.c), request builders, trees. See
 * wslfuse_harness.h.
 */
#include "wf_test.h"
#include "wslfuse_harness.h"
#include "queue_provider.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct wh {
    wf_engine *engine;
    wf_launched *launched;
    wh_config config;
    tq_queue q;               /* the launcher's gone callback marks it dead */
    FSP_FSCTL_TRANSACT_RSP *rsp;
};

bool wh_dead(wh *h)
{
    return tq_dead(&h->q);
}

wh *wh_new(const wh_config *config)
{
    wh *h = calloc(1, sizeof *h);
    wf_engine_config ec;
    wf_provider provider;

    assert_non_null(h);
    h->config = *config;
    h->rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    assert_non_null(h->rsp);
    tq_init(&h->q);

    wf_engine_config_init(&ec);
    /* Requests come from whoever runs the test, as a local caller of the volume. */
    ec.default_uid = (UINT32)getuid();
    ec.default_gid = (UINT32)getgid();
    ec.transact_timeout_ns = config->transact_timeout_ns ? config->transact_timeout_ns
                                                         : 1000000000;
    if (config->file_info_timeout_ms)
        ec.volume_params.FileInfoTimeout = config->file_info_timeout_ms;
    provider = tq_provider(&h->q);
    assert_int_equal(wf_engine_create(&ec, &provider, &h->engine), STATUS_SUCCESS);
    return h;
}

int wh_launch(wh *h, char **argv)
{
    wf_launch_options o;

    wf_launch_options_init(&o);
    o.channel = h->config.channel;
    o.gone = tq_channel_gone;
    o.gone_context = &h->q;
    if (h->config.threads)
        o.threads = h->config.threads;
    return wf_launch_ex(h->engine, argv, &o, &h->launched);
}

wf_launched *wh_launched(wh *h)
{
    return h->launched;
}

wf_engine *wh_engine(wh *h)
{
    return h->engine;
}

bool wh_unmount(wh *h, int deadline_s)
{
    wf_engine_stats stats;

    tq_unmount(&h->q);
    for (int i = 0; i < deadline_s * 100; i++) {
        wf_engine_get_stats(h->engine, &stats);
        if (stats.stopped)
            return true;
        usleep(10000);
    }
    return false;
}

int wh_stop(wh *h)
{
    int status = wf_launch_stop(h->launched);

    h->launched = NULL;
    return status;
}

void wh_free(wh *h)
{
    if (h->launched)
        wh_stop(h);
    wf_engine_stop(h->engine);
    wf_engine_delete(h->engine);
    assert_null(h->q.all);
    tq_destroy(&h->q);
    free(h->rsp);
    free(h);
}

void wh_discard(wh *h)
{
    if (!h)
        return;
    if (h->launched)
        wh_stop(h);
    wf_engine_stop(h->engine);
    wf_engine_delete(h->engine);
    /* What is still outstanding is freed with the queue. */
    tq_destroy(&h->q);
    free(h->rsp);
    free(h);
}

unsigned wh_stray(wh *h)
{
    return h->q.stray;
}

/* ---- requests ---- */

FSP_FSCTL_TRANSACT_REQ *wh_req(UINT32 kind)
{
    FSP_FSCTL_TRANSACT_REQ *req = calloc(1, FSP_FSCTL_TRANSACT_REQ_SIZEMAX);

    assert_non_null(req);
    req->Size = sizeof *req;
    req->Kind = kind;
    return req;
}

FSP_FSCTL_TRANSACT_BUF wh_req_bytes(FSP_FSCTL_TRANSACT_REQ *req, const void *p, size_t n)
{
    FSP_FSCTL_TRANSACT_BUF b = {0, 0};

    assert_true(wf_fsctl_req_append(req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, p, n, &b));
    return b;
}

FSP_FSCTL_TRANSACT_BUF wh_req_path(FSP_FSCTL_TRANSACT_REQ *req, const char *path)
{
    WCHAR w[1024];
    size_t n = strlen(path);

    assert_true(n < 1024);
    for (size_t i = 0; i < n; i++)
        w[i] = (WCHAR)(UINT8)path[i];
    return wh_req_bytes(req, w, n * sizeof(WCHAR));
}

wh_slot *wh_submit(wh *h, FSP_FSCTL_TRANSACT_REQ *req)
{
    return tq_submit(&h->q, req);
}

bool wh_await(wh *h, wh_slot *s, int64_t deadline_ms, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    return tq_wait(&h->q, s, deadline_ms, rsp);
}

NTSTATUS wh_call(wh *h, FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    UINT32 kind = req->Kind;
    wh_slot *s = wh_submit(h, req);

    if (!wh_await(h, s, (int64_t)WH_DEADLINE_S * 1000, h->rsp))
        fail_msg("WinFsp request (kind %u) got no response", kind);
    if (rsp)
        memcpy(rsp, h->rsp, h->rsp->Size);
    return (NTSTATUS)h->rsp->IoStatus.Status;
}

const FSP_FSCTL_TRANSACT_RSP *wh_rsp(wh *h)
{
    return h->rsp;
}

NTSTATUS wh_open(wh *h, const char *path, UINT32 disposition, UINT32 options, UINT32 access,
    UINT64 *handle)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactCreateKind);
    NTSTATUS status;

    req->Req.Create.CreateOptions = (disposition << 24) | options;
    req->Req.Create.DesiredAccess = access;
    req->Req.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    req->FileName = wh_req_path(req, path);
    status = wh_call(h, req, NULL);
    *handle = NT_SUCCESS(status) ? h->rsp->Rsp.Create.Opened.UserContext2 : 0;
    return status;
}

void wh_close(wh *h, UINT64 handle)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactCleanupKind);

    req->Req.Cleanup.UserContext2 = handle;
    assert_int_equal(wh_call(h, req, NULL), STATUS_SUCCESS);
    req = wh_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    assert_int_equal(wh_call(h, req, NULL), STATUS_SUCCESS);
}

NTSTATUS wh_write(wh *h, UINT64 handle, UINT64 offset, const void *data, UINT32 len)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactWriteKind);

    req->Req.Write.UserContext2 = handle;
    req->Req.Write.Address = (UINT64)(uintptr_t)data;
    req->Req.Write.Offset = offset;
    req->Req.Write.Length = len;
    return wh_call(h, req, NULL);
}

NTSTATUS wh_read(wh *h, UINT64 handle, UINT64 offset, void *buf, UINT32 len, UINT32 *got)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactReadKind);
    NTSTATUS status;

    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Offset = offset;
    req->Req.Read.Length = len;
    status = wh_call(h, req, NULL);
    if (got)
        *got = NT_SUCCESS(status) ? (UINT32)h->rsp->IoStatus.Information : 0;
    return status;
}

NTSTATUS wh_query_info(wh *h, UINT64 handle, FSP_FSCTL_FILE_INFO *info)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactQueryInformationKind);
    NTSTATUS status;

    req->Req.QueryInformation.UserContext2 = handle;
    status = wh_call(h, req, NULL);
    if (NT_SUCCESS(status) && info)
        *info = h->rsp->Rsp.QueryInformation.FileInfo;
    return status;
}

NTSTATUS wh_rename(wh *h, const char *from, const char *to, bool replace)
{
    FSP_FSCTL_TRANSACT_REQ *req;
    NTSTATUS status;
    UINT64 handle;

    status = wh_open(h, from, FILE_OPEN, 0, DELETE | SYNCHRONIZE, &handle);
    if (!NT_SUCCESS(status))
        return status;
    req = wh_req(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.UserContext2 = handle;
    req->Req.SetInformation.FileInformationClass = FileRenameInformation;
    req->FileName = wh_req_path(req, from);
    req->Req.SetInformation.Info.Rename.NewFileName = wh_req_path(req, to);
    /* WinFsp passes the caller's token when the caller allows replacing. */
    req->Req.SetInformation.Info.Rename.AccessToken = replace ? 1 : 0;
    status = wh_call(h, req, NULL);
    wh_close(h, handle);
    return status;
}

NTSTATUS wh_delete(wh *h, const char *path, bool dir)
{
    FSP_FSCTL_TRANSACT_REQ *req;
    NTSTATUS status;
    UINT64 handle;

    status = wh_open(h, path, FILE_OPEN, dir ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE,
        DELETE | SYNCHRONIZE, &handle);
    if (!NT_SUCCESS(status))
        return status;
    req = wh_req(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.UserContext2 = handle;
    req->Req.SetInformation.FileInformationClass = FileDispositionInformation;
    req->Req.SetInformation.Info.Disposition.Delete = 1;
    req->FileName = wh_req_path(req, path);
    status = wh_call(h, req, NULL);
    req = wh_req(FspFsctlTransactCleanupKind);
    req->Req.Cleanup.UserContext2 = handle;
    if (NT_SUCCESS(status)) {
        req->Req.Cleanup.Delete = 1;
        req->FileName = wh_req_path(req, path);
    }
    assert_int_equal(wh_call(h, req, NULL), STATUS_SUCCESS);
    req = wh_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    assert_int_equal(wh_call(h, req, NULL), STATUS_SUCCESS);
    return status;
}

static void make_small(wh *h, const char *path, const char *text)
{
    UINT64 handle;

    assert_int_equal(wh_open(h, path, FILE_CREATE, FILE_NON_DIRECTORY_FILE,
                         FILE_GENERIC_READ | FILE_GENERIC_WRITE, &handle),
        STATUS_SUCCESS);
    assert_int_equal(wh_write(h, handle, 0, text, (UINT32)strlen(text)), STATUS_SUCCESS);
    wh_close(h, handle);
}

static void expect_small(wh *h, const char *path, const char *text)
{
    char buf[64];
    UINT32 got = 0;
    UINT64 handle;

    if (wh_open(h, path, FILE_OPEN, FILE_NON_DIRECTORY_FILE, FILE_GENERIC_READ, &handle) !=
        STATUS_SUCCESS)
        fail_msg("\"%s\" cannot be opened (0x%08x)", path,
            (unsigned)wh_rsp(h)->IoStatus.Status);
    assert_int_equal(wh_read(h, handle, 0, buf, sizeof buf, &got), STATUS_SUCCESS);
    assert_int_equal(got, strlen(text));
    assert_memory_equal(buf, text, got);
    wh_close(h, handle);
}

static void expect_gone(wh *h, const char *path)
{
    UINT64 handle;
    NTSTATUS status = wh_open(h, path, FILE_OPEN, 0, FILE_GENERIC_READ, &handle);

    if (status != STATUS_OBJECT_NAME_NOT_FOUND && status != STATUS_OBJECT_PATH_NOT_FOUND)
        fail_msg("\"%s\" should be gone, but opening it gives 0x%08x", path, (unsigned)status);
}

void wh_exercise_namespace(wh *h)
{
    UINT64 handle;

    make_small(h, "\\ns-a", "alpha");
    make_small(h, "\\ns-b", "bravo");
    assert_int_equal(wh_open(h, "\\ns-dir", FILE_CREATE, FILE_DIRECTORY_FILE,
                         FILE_LIST_DIRECTORY | SYNCHRONIZE, &handle),
        STATUS_SUCCESS);
    wh_close(h, handle);

    /* Into another directory under a new name. */
    assert_int_equal(wh_rename(h, "\\ns-a", "\\ns-dir\\ns-a2", false), STATUS_SUCCESS);
    expect_gone(h, "\\ns-a");
    expect_small(h, "\\ns-dir\\ns-a2", "alpha");
    /* Onto an existing name: refused unless replacing is allowed. */
    assert_int_equal(wh_rename(h, "\\ns-b", "\\ns-dir\\ns-a2", false),
        STATUS_OBJECT_NAME_COLLISION);
    expect_small(h, "\\ns-b", "bravo");
    assert_int_equal(wh_rename(h, "\\ns-b", "\\ns-dir\\ns-a2", true), STATUS_SUCCESS);
    expect_gone(h, "\\ns-b");
    expect_small(h, "\\ns-dir\\ns-a2", "bravo");
    /* A directory with something in it. */
    assert_int_equal(wh_rename(h, "\\ns-dir", "\\ns-dir2", false), STATUS_SUCCESS);
    expect_gone(h, "\\ns-dir\\ns-a2");
    expect_small(h, "\\ns-dir2\\ns-a2", "bravo");
    /* A directory that is not empty cannot be deleted; emptied, it can. */
    assert_int_equal(wh_delete(h, "\\ns-dir2", true), STATUS_DIRECTORY_NOT_EMPTY);
    assert_int_equal(wh_delete(h, "\\ns-dir2\\ns-a2", false), STATUS_SUCCESS);
    expect_gone(h, "\\ns-dir2\\ns-a2");
    assert_int_equal(wh_delete(h, "\\ns-dir2", true), STATUS_SUCCESS);
    expect_gone(h, "\\ns-dir2");
}

void wh_expect_ready(wh *h, const char *name)
{
    FSP_FSCTL_TRANSACT_RSP *rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    wh_slot *s = wh_submit(h, wh_req(FspFsctlTransactQueryVolumeInformationKind));
    wf_engine_stats stats;

    assert_non_null(rsp);
    if (!wh_await(h, s, 30000, rsp)) {
        wf_engine_get_stats(h->engine, &stats);
        fail_msg("%s never answered (engine: %s, FUSE 7.%u, %llu replies, %llu bad)", name,
            stats.stopped ? "stopped" : "running", stats.proto_minor,
            (unsigned long long)stats.fuse_replies, (unsigned long long)stats.bad_replies);
    }
    if ((NTSTATUS)rsp->IoStatus.Status != STATUS_SUCCESS) {
        wf_engine_get_stats(h->engine, &stats);
        fail_msg("%s: the first request failed with 0x%08x%s", name,
            (unsigned)rsp->IoStatus.Status,
            stats.stopped && stats.proto_minor == 0
                ? " (the engine refused its FUSE INIT: see the log above)"
                : h->q.dead ? " (the program went away)" : "");
    }
    free(rsp);
}

/* ---- directory listings ---- */

static void listing_add(wh_listing *l, const char *name, const FSP_FSCTL_FILE_INFO *info)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->names = realloc(l->names, l->cap * sizeof *l->names);
        l->info = realloc(l->info, l->cap * sizeof *l->info);
        assert_non_null(l->names);
        assert_non_null(l->info);
    }
    snprintf(l->names[l->count], sizeof l->names[0], "%s", name);
    l->info[l->count] = *info;
    l->count++;
}

NTSTATUS wh_list(wh *h, UINT64 dir, UINT32 bufsize, wh_listing *out)
{
    UINT8 *buf = malloc(bufsize);
    UINT64 marker = 0;
    bool have_marker = false, end = false;
    unsigned requests = 0;

    assert_non_null(buf);
    memset(out, 0, sizeof *out);
    while (!end) {
        FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactQueryDirectoryKind);
        size_t pos = 0, got = 0, info;
        NTSTATUS status;

        req->Req.QueryDirectory.UserContext2 = dir;
        req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)buf;
        req->Req.QueryDirectory.Length = bufsize;
        req->Req.QueryDirectory.CaseSensitive = 1;
        if (have_marker)
            req->Req.QueryDirectory.Marker = wh_req_bytes(req, &marker, sizeof marker);
        status = wh_call(h, req, NULL);
        if (!NT_SUCCESS(status)) {
            free(buf);
            return status;
        }
        info = h->rsp->IoStatus.Information;
        assert_true(info <= bufsize);
        for (;;) {
            FSP_FSCTL_DIR_INFO di;
            char name[256];
            size_t name_len;

            if (pos + sizeof(UINT16) > info)
                break;
            memcpy(&di.Size, buf + pos, sizeof di.Size);
            if (di.Size == 0) {
                end = true;
                break;
            }
            assert_true(di.Size >= sizeof di && pos + di.Size <= info);
            memcpy(&di, buf + pos, sizeof di);
            name_len = (di.Size - sizeof di) / sizeof(WCHAR);
            assert_true(name_len > 0 && name_len < sizeof name);
            for (size_t i = 0; i < name_len; i++) {
                WCHAR w;
                memcpy(&w, buf + pos + sizeof di + i * sizeof(WCHAR), sizeof w);
                assert_true(w > 0 && w < 128);
                name[i] = (char)w;
            }
            name[name_len] = 0;
            listing_add(out, name, &di.FileInfo);
            marker = di.NextOffset;
            have_marker = true;
            got++;
            pos += FSP_FSCTL_DEFAULT_ALIGN_UP(di.Size);
        }
        assert_true(end || got > 0);
        assert_true(++requests < 100000);
    }
    free(buf);
    return STATUS_SUCCESS;
}

void wh_listing_free(wh_listing *l)
{
    free(l->names);
    free(l->info);
    memset(l, 0, sizeof *l);
}

/* ---- trees ---- */

const wh_entry wh_tree[] = {
    {"\\d1", true, 0, 0},
    {"\\d1\\d2", true, 0, 0},
    {"\\d1\\d2\\d3", true, 0, 0},
    {"\\d1\\empty-dir", true, 0, 0},
    {"\\empty", false, 0, 1},
    {"\\one", false, 1, 2},
    {"\\top-1MiB+1", false, (1u << 20) + 1, 3},
    {"\\d1\\page", false, 4096, 4},
    {"\\d1\\page+1", false, 4097, 5},
    {"\\d1\\page-1", false, 4095, 6},
    {"\\d1\\d2\\64KiB+123", false, 65536 + 123, 7},
    {"\\d1\\d2\\3MiB+5", false, (3u << 20) + 5, 8},
    {"\\d1\\d2\\d3\\1.5MiB+17", false, (3u << 19) + 17, 9},
    {"\\d1\\d2\\d3\\empty", false, 0, 10},
    {"\\d1\\d2\\d3\\name with spaces.txt", false, 777, 11},
};
const size_t wh_tree_count = sizeof wh_tree / sizeof wh_tree[0];

void wh_fill(UINT8 *buf, size_t len, unsigned seed)
{
    uint64_t x = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (UINT8)x;
    }
}

void wh_write_tree(wh *h, const wh_entry *tree, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const wh_entry *e = &tree[i];
        UINT64 handle;

        if (e->dir) {
            assert_int_equal(wh_open(h, e->path, FILE_CREATE, FILE_DIRECTORY_FILE,
                                 FILE_LIST_DIRECTORY | SYNCHRONIZE, &handle),
                STATUS_SUCCESS);
            wh_close(h, handle);
            continue;
        }
        assert_int_equal(wh_open(h, e->path, FILE_CREATE, FILE_NON_DIRECTORY_FILE,
                             FILE_GENERIC_READ | FILE_GENERIC_WRITE, &handle),
            STATUS_SUCCESS);
        if (e->size) {
            UINT8 *data = malloc(e->size);
            /* In pieces of 256 KiB, as an application's writes would come. */
            const UINT32 piece = 256u << 10;
            assert_non_null(data);
            wh_fill(data, e->size, e->seed);
            for (UINT32 off = 0; off < e->size; off += piece) {
                UINT32 len = e->size - off < piece ? e->size - off : piece;
                assert_int_equal(wh_write(h, handle, off, data + off, len), STATUS_SUCCESS);
                assert_int_equal(wh_rsp(h)->IoStatus.Information, len);
            }
            free(data);
        }
        wh_close(h, handle);
    }
}

/* The entries directly inside dir ("" for the root), as names. */
static size_t children_of(const wh_entry *tree, size_t n, const char *dir, const char **names,
    size_t cap)
{
    size_t k = 0, dl = strlen(dir);

    for (size_t i = 0; i < n; i++) {
        const char *p = tree[i].path;
        if (strncmp(p, dir, dl) != 0 || p[dl] != '\\' || strchr(p + dl + 1, '\\'))
            continue;
        assert_true(k < cap);
        names[k++] = p + dl + 1;
    }
    return k;
}

static void expect_dir(wh *h, const wh_entry *tree, size_t n, const char *dir)
{
    const char *names[64];
    size_t count = children_of(tree, n, dir, names, 64);
    wh_listing l;
    UINT64 handle;

    assert_int_equal(wh_open(h, dir[0] ? dir : "\\", FILE_OPEN, FILE_DIRECTORY_FILE,
                         FILE_LIST_DIRECTORY | SYNCHRONIZE, &handle),
        STATUS_SUCCESS);
    /* A small buffer, so that the listing resumes from markers. */
    assert_int_equal(wh_list(h, handle, 512, &l), STATUS_SUCCESS);
    wh_close(h, handle);
    for (size_t i = 0; i < count; i++) {
        bool found = false;
        for (size_t j = 0; j < l.count && !found; j++)
            found = strcmp(l.names[j], names[i]) == 0;
        if (!found)
            fail_msg("\"%s\" is missing from the listing of \"%s\"", names[i], dir);
    }
    for (size_t j = 0; j < l.count; j++) {
        bool known = strcmp(l.names[j], ".") == 0 || strcmp(l.names[j], "..") == 0;
        for (size_t i = 0; i < count && !known; i++)
            known = strcmp(l.names[j], names[i]) == 0;
        /* Files systems may keep their own (lost+found); a test tree never has "~". */
        if (!known && strcmp(l.names[j], "lost+found") != 0)
            fail_msg("\"%s\" in \"%s\" is not in the tree", l.names[j], dir);
    }
    wh_listing_free(&l);
}

void wh_expect_tree(wh *h, const wh_entry *tree, size_t n)
{
    expect_dir(h, tree, n, "");
    for (size_t i = 0; i < n; i++) {
        const wh_entry *e = &tree[i];
        FSP_FSCTL_FILE_INFO info;
        UINT64 handle;
        UINT8 *want, *got;
        UINT32 len = 0;

        if (e->dir) {
            expect_dir(h, tree, n, e->path);
            continue;
        }
        if (wh_open(h, e->path, FILE_OPEN, FILE_NON_DIRECTORY_FILE, FILE_GENERIC_READ,
                &handle) != STATUS_SUCCESS)
            fail_msg("cannot open \"%s\" (0x%08x)", e->path,
                (unsigned)wh_rsp(h)->IoStatus.Status);
        assert_int_equal(wh_query_info(h, handle, &info), STATUS_SUCCESS);
        assert_int_equal(info.FileSize, e->size);
        want = malloc((size_t)e->size + 1);
        got = malloc((size_t)e->size + 4096);
        assert_non_null(want);
        assert_non_null(got);
        wh_fill(want, e->size, e->seed);
        if (e->size) {
            /* Ask for more than there is: the end of file shortens the read. */
            assert_int_equal(wh_read(h, handle, 0, got, e->size + 4096, &len), STATUS_SUCCESS);
            assert_int_equal(len, e->size);
            if (memcmp(got, want, e->size) != 0)
                fail_msg("\"%s\" reads back different content", e->path);
            /* And in odd pieces from odd offsets. */
            for (UINT32 off = 0; off < e->size; off += 100003) {
                UINT32 want_len = e->size - off < 65537 ? e->size - off : 65537;
                assert_int_equal(wh_read(h, handle, off, got, 65537, &len), STATUS_SUCCESS);
                assert_int_equal(len, want_len);
                if (memcmp(got, want + off, len) != 0)
                    fail_msg("\"%s\" reads back different content at %u", e->path, off);
            }
        }
        assert_int_equal(wh_read(h, handle, e->size, got, 16, &len), STATUS_END_OF_FILE);
        free(want);
        free(got);
        wh_close(h, handle);
    }
}

static void posix_path(const char *root, const char *path, char *out, size_t cap)
{
    size_t k = (size_t)snprintf(out, cap, "%s", root);

    for (const char *p = path; *p && k + 1 < cap; p++)
        out[k++] = *p == '\\' ? '/' : *p;
    out[k] = 0;
}

void wh_make_tree_on_disk(const char *root, const wh_entry *tree, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        UINT8 *data;
        int fd;

        posix_path(root, tree[i].path, path, sizeof path);
        if (tree[i].dir) {
            assert_int_equal(mkdir(path, 0755), 0);
            continue;
        }
        data = malloc((size_t)tree[i].size + 1);
        assert_non_null(data);
        wh_fill(data, tree[i].size, tree[i].seed);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, tree[i].size), (ssize_t)tree[i].size);
        close(fd);
        free(data);
    }
}

void wh_expect_tree_on_disk(const char *root, const wh_entry *tree, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        UINT8 *want, *got;
        int fd;

        posix_path(root, tree[i].path, path, sizeof path);
        if (stat(path, &st) != 0)
            fail_msg("%s is not on the disk (errno %d)", path, errno);
        if (tree[i].dir) {
            assert_true(S_ISDIR(st.st_mode));
            continue;
        }
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_size, tree[i].size);
        want = malloc((size_t)tree[i].size + 1);
        got = malloc((size_t)tree[i].size + 1);
        assert_non_null(want);
        assert_non_null(got);
        wh_fill(want, tree[i].size, tree[i].seed);
        fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, got, (size_t)tree[i].size + 1), (ssize_t)tree[i].size);
        close(fd);
        if (memcmp(got, want, tree[i].size) != 0)
            fail_msg("%s on the disk differs from what was written", path);
        free(want);
        free(got);
    }
}

/* ---- processes and files ---- */

int wh_run(char **argv)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        /* Keep the test's output clean: a tool's chatter goes to stderr. */
        if (null >= 0)
            dup2(null, 0);
        dup2(2, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

pid_t wh_spawn(char **argv)
{
    pid_t pid = fork();

    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(2, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

int wh_end(pid_t pid)
{
    int status = 0;

    if (pid <= 0)
        return 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

static void rmtree_at(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *de;

    if (fd < 0) {
        unlinkat(dirfd, name, 0);
        return;
    }
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        rmtree_at(fd, de->d_name);
    }
    closedir(d);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

void wh_rmtree(const char *path)
{
    if (path && *path)
        rmtree_at(AT_FDCWD, path);
}

char *wh_tempdir(const char *prefix)
{
    char *path = malloc(256);

    assert_non_null(path);
    snprintf(path, 256, "/tmp/%s-XXXXXX", prefix);
    assert_non_null(mkdtemp(path));
    return path;
}

bool wh_have(const char *program, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    char *save = NULL;

    snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(out, cap, "%s/%s", d, program);
        if (access(out, X_OK) == 0)
            return true;
    }
    return false;
}
