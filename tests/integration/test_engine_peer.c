/*
 * The engine serving a real FUSE file system: peer_fs, a libfuse3
 * low-level program, reached through the SOCK_SEQPACKET channel
 * (src/wslfuse/seqpacket.c) exactly as it would read /dev/fuse.
 *
 * The WinFsp side is a thread-safe queue the test fills; call() submits
 * one request and waits for its response. Every test runs against a fresh
 * peer, in several shapes: single-threaded with caching; multi-threaded,
 * jittery and caching nothing (every path walk asks, every node is
 * forgotten, and at unmount every lookup must have been returned); and
 * multi-threaded with several sending threads for concurrent requests.
 */
#include "wf_test.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/security.h"
#include "winfuse/engine.h"
#include "winfuse/fsctl.h"
#include "winfuse/ntdefs.h"
#include "winfuse/ntstatus.h"
#include "wslfuse/seqpacket.h"

#include "queue_provider.h"

#ifndef WF_PEER_FS
#error "WF_PEER_FS must name the peer_fs executable"
#endif

/* Deadlines only keep a broken engine from hanging the run; nothing is timed. */
#define DEADLINE_S 60
/* A local user and the local "None" group, as WinFsp maps them (0x30000 + RID). */
#define TEST_UID 197609
#define TEST_GID 197121

typedef struct peer_config {
    const char *name;
    bool mt;                  /* libfuse's multi-threaded loop */
    bool jitter;              /* handlers sleep at random: replies overtake */
    const char *timeout;      /* entry and attribute validity, seconds */
    unsigned senders;         /* channel sending threads */
    int64_t transact_timeout_ns;
    bool strict;              /* no cache: every lookup forgotten by unmount */
    int sndbuf;               /* 0: wf_seqpacket_socketpair; else SO_SNDBUF for both ends */
} peer_config;

static const peer_config cfg_st = {.name = "st", .timeout = "10", .senders = 2,
    .transact_timeout_ns = 1000000000};
/* Waiting for ever in the engine: any lost wake-up hangs and fails the test. */
static const peer_config cfg_mt = {.name = "mt", .mt = true, .jitter = true, .timeout = "0",
    .senders = 1, .transact_timeout_ns = -1, .strict = true};
static const peer_config cfg_mt4 = {.name = "mt4", .mt = true, .jitter = true, .timeout = "10",
    .senders = 4, .transact_timeout_ns = 1000000000};
/* Small socket buffers, as unprivileged on a stock kernel: messages must shrink. */
static const peer_config cfg_small = {.name = "small", .mt = true, .timeout = "10", .senders = 2,
    .transact_timeout_ns = 1000000000, .sndbuf = 100000};

typedef struct fixture {
    const peer_config *cfg;
    wf_engine *engine;
    wf_seqpacket *sp;
    pid_t pid;
    bool killed;
    int report_fd;
    char report[8192];
    size_t report_len;

    tq_queue q;               /* the WinFsp side */

    FSP_FSCTL_TRANSACT_RSP *rsp; /* the last response */
} fixture;

/* ---- the WinFsp side: queue_provider.c ---- */

/* Wait for a submitted request; its response goes to f->rsp. */
static NTSTATUS await(fixture *f, tq_slot *s)
{
    if (!tq_wait(&f->q, s, (int64_t)DEADLINE_S * 1000, f->rsp))
        fail_msg("WinFsp request (kind %u) got no response", s->req->Kind);
    return (NTSTATUS)f->rsp->IoStatus.Status;
}

static NTSTATUS call(fixture *f, FSP_FSCTL_TRANSACT_REQ *req)
{
    return await(f, tq_submit(&f->q, req));
}

/* ---- building requests ---- */

static FSP_FSCTL_TRANSACT_REQ *req_new(UINT32 kind)
{
    FSP_FSCTL_TRANSACT_REQ *req = calloc(1, FSP_FSCTL_TRANSACT_REQ_SIZEMAX);

    assert_non_null(req);
    req->Size = sizeof *req;
    req->Kind = kind;
    return req;
}

static FSP_FSCTL_TRANSACT_BUF req_bytes(FSP_FSCTL_TRANSACT_REQ *req, const void *p, size_t n)
{
    FSP_FSCTL_TRANSACT_BUF b = {0, 0};

    assert_true(wf_fsctl_req_append(req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, p, n, &b));
    return b;
}

static size_t to_utf16(const char *s, WCHAR *w, size_t cap)
{
    size_t n = strlen(s);

    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++)
        w[i] = (WCHAR)(UINT8)s[i];
    return n;
}

/* An ASCII path as UTF-16, without a terminating NUL. */
static FSP_FSCTL_TRANSACT_BUF req_str(FSP_FSCTL_TRANSACT_REQ *req, const char *s)
{
    WCHAR w[1024];
    size_t n = to_utf16(s, w, 1024);

    return req_bytes(req, w, n * sizeof(WCHAR));
}

static NTSTATUS open_path(fixture *f, const char *path, UINT32 disposition, UINT32 options,
    UINT32 access, UINT64 *handle)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactCreateKind);
    NTSTATUS status;

    req->Req.Create.CreateOptions = (disposition << 24) | options;
    req->Req.Create.DesiredAccess = access;
    req->Req.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    req->FileName = req_str(req, path);
    status = call(f, req);
    *handle = NT_SUCCESS(status) ? f->rsp->Rsp.Create.Opened.UserContext2 : 0;
    return status;
}

static UINT64 create_file(fixture *f, const char *path)
{
    UINT64 h;

    assert_int_equal(open_path(f, path, FILE_CREATE, FILE_NON_DIRECTORY_FILE,
        FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE, &h), STATUS_SUCCESS);
    assert_int_equal(f->rsp->IoStatus.Information, FILE_CREATED);
    return h;
}

static UINT64 open_file(fixture *f, const char *path)
{
    UINT64 h;

    assert_int_equal(open_path(f, path, FILE_OPEN, 0,
        FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE, &h), STATUS_SUCCESS);
    return h;
}

static UINT64 open_dir(fixture *f, const char *path, UINT32 disposition)
{
    UINT64 h;

    assert_int_equal(open_path(f, path, disposition, FILE_DIRECTORY_FILE,
        FILE_LIST_DIRECTORY | DELETE, &h), STATUS_SUCCESS);
    return h;
}

static void cleanup(fixture *f, UINT64 h, const char *delete_path)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactCleanupKind);

    req->Req.Cleanup.UserContext2 = h;
    if (delete_path) {
        req->Req.Cleanup.Delete = 1;
        req->FileName = req_str(req, delete_path);
    }
    assert_int_equal(call(f, req), STATUS_SUCCESS);
}

static void close_only(fixture *f, UINT64 h)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactCloseKind);

    req->Req.Close.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
}

static void close_handle(fixture *f, UINT64 h)
{
    cleanup(f, h, NULL);
    close_only(f, h);
}

static NTSTATUS write_at(fixture *f, UINT64 h, UINT64 off, const void *data, UINT32 len)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactWriteKind);

    req->Req.Write.UserContext2 = h;
    req->Req.Write.Address = (UINT64)(uintptr_t)data;
    req->Req.Write.Offset = off;
    req->Req.Write.Length = len;
    return call(f, req);
}

static void write_all(fixture *f, UINT64 h, UINT64 off, const void *data, UINT32 len)
{
    assert_int_equal(write_at(f, h, off, data, len), STATUS_SUCCESS);
    assert_int_equal(f->rsp->IoStatus.Information, len);
}

static NTSTATUS read_at(fixture *f, UINT64 h, UINT64 off, void *buf, UINT32 len)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactReadKind);

    req->Req.Read.UserContext2 = h;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Offset = off;
    req->Req.Read.Length = len;
    return call(f, req);
}

static FSP_FSCTL_FILE_INFO query_info(fixture *f, UINT64 h)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactQueryInformationKind);

    req->Req.QueryInformation.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    return f->rsp->Rsp.QueryInformation.FileInfo;
}

static NTSTATUS set_info(fixture *f, UINT64 h, UINT32 cls, FSP_FSCTL_TRANSACT_REQ *req)
{
    req->Req.SetInformation.UserContext2 = h;
    req->Req.SetInformation.FileInformationClass = cls;
    return call(f, req);
}

static NTSTATUS set_delete(fixture *f, UINT64 h, const char *path)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactSetInformationKind);

    req->Req.SetInformation.Info.Disposition.Delete = 1;
    req->FileName = req_str(req, path);
    return set_info(f, h, FileDispositionInformation, req);
}

/* Delete as Windows does: mark the open file, then its last cleanup removes it. */
static NTSTATUS delete_path(fixture *f, const char *path, bool dir)
{
    UINT64 h;
    NTSTATUS status = open_path(f, path, FILE_OPEN, dir ? FILE_DIRECTORY_FILE : 0, DELETE, &h);

    if (!NT_SUCCESS(status))
        return status;
    status = set_delete(f, h, path);
    cleanup(f, h, NT_SUCCESS(status) ? path : NULL);
    close_only(f, h);
    return status;
}

static NTSTATUS rename_path(fixture *f, const char *from, const char *to, bool replace)
{
    UINT64 h;
    FSP_FSCTL_TRANSACT_REQ *req;
    NTSTATUS status = open_path(f, from, FILE_OPEN, 0, DELETE, &h);

    if (!NT_SUCCESS(status))
        return status;
    req = req_new(FspFsctlTransactSetInformationKind);
    req->FileName = req_str(req, from);
    req->Req.SetInformation.Info.Rename.NewFileName = req_str(req, to);
    /* WinFsp passes the caller's token when the caller allows replacing. */
    req->Req.SetInformation.Info.Rename.AccessToken = replace ? 1 : 0;
    status = set_info(f, h, FileRenameInformation, req);
    close_handle(f, h);
    return status;
}

static void expect_missing(fixture *f, const char *path, NTSTATUS expected)
{
    UINT64 h;

    assert_int_equal(open_path(f, path, FILE_OPEN, 0, FILE_GENERIC_READ, &h), expected);
}

/* The whole content of a file, checked against what it must be. */
static void expect_content(fixture *f, const char *path, const void *data, UINT32 len)
{
    UINT64 h = open_file(f, path);
    UINT8 *buf = malloc((size_t)len + 16);

    assert_non_null(buf);
    assert_int_equal(query_info(f, h).FileSize, len);
    if (len) {
        assert_int_equal(read_at(f, h, 0, buf, len + 16), STATUS_SUCCESS);
        assert_int_equal(f->rsp->IoStatus.Information, len);
        assert_memory_equal(buf, data, len);
    }
    assert_int_equal(read_at(f, h, len, buf, 16), STATUS_END_OF_FILE);
    free(buf);
    close_handle(f, h);
}

static void make_file(fixture *f, const char *path, const void *data, UINT32 len)
{
    UINT64 h = create_file(f, path);

    if (len)
        write_all(f, h, 0, data, len);
    close_handle(f, h);
}

static void fill(UINT8 *buf, size_t len, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (UINT8)x;
    }
}

/* ---- directory listings ---- */

typedef struct listing {
    size_t count;
    char names[2100][32];
    FSP_FSCTL_FILE_INFO info[2100];
    unsigned requests;
} listing;

/* List a directory through as many QueryDirectory requests as it takes. */
static void list_dir(fixture *f, UINT64 h, const char *pattern, bool is_name, UINT32 bufsize,
    listing *out)
{
    UINT8 *buf = malloc(bufsize);
    UINT64 marker = 0;
    bool have_marker = false, end = false;

    assert_non_null(buf);
    memset(out, 0, sizeof *out);
    while (!end) {
        FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactQueryDirectoryKind);
        size_t pos = 0, got = 0, info;

        req->Req.QueryDirectory.UserContext2 = h;
        req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)buf;
        req->Req.QueryDirectory.Length = bufsize;
        req->Req.QueryDirectory.CaseSensitive = 1;
        if (pattern) {
            req->Req.QueryDirectory.Pattern = req_str(req, pattern);
            req->Req.QueryDirectory.PatternIsFileName = is_name;
        }
        if (have_marker)
            req->Req.QueryDirectory.Marker = req_bytes(req, &marker, sizeof marker);
        memset(buf, 0xcc, bufsize);
        assert_int_equal(call(f, req), STATUS_SUCCESS);
        out->requests++;
        info = f->rsp->IoStatus.Information;
        assert_true(info <= bufsize);
        for (;;) {
            FSP_FSCTL_DIR_INFO di;
            size_t name_len;

            if (pos + sizeof(UINT16) > info) {
                break; /* the buffer is full: ask again from the marker */
            }
            memcpy(&di.Size, buf + pos, sizeof di.Size);
            if (di.Size == 0) {
                end = true;
                break;
            }
            assert_true(di.Size >= sizeof di && pos + di.Size <= info);
            memcpy(&di, buf + pos, sizeof di);
            name_len = (di.Size - sizeof di) / sizeof(WCHAR);
            assert_true(name_len > 0 && name_len < sizeof out->names[0]);
            assert_true(out->count < sizeof out->names / sizeof out->names[0]);
            for (size_t i = 0; i < name_len; i++) {
                WCHAR w;
                memcpy(&w, buf + pos + sizeof di + i * sizeof(WCHAR), sizeof w);
                assert_true(w > 0 && w < 128);
                out->names[out->count][i] = (char)w;
            }
            out->names[out->count][name_len] = 0;
            out->info[out->count] = di.FileInfo;
            out->count++;
            marker = di.NextOffset;
            have_marker = true;
            got++;
            pos += FSP_FSCTL_DEFAULT_ALIGN_UP(di.Size);
        }
        /* A full buffer holds at least one entry, or the listing never moves. */
        assert_true(end || got > 0);
        assert_true(out->requests < 10000);
    }
    free(buf);
}

static long find_name(const listing *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->names[i], name) == 0)
            return (long)i;
    return -1;
}

/* ---- the peer process ---- */

/* Read report lines until one equal to line arrives; false at end of file or deadline. */
static bool wait_report(fixture *f, const char *line)
{
    struct timespec start, t;

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd p = {f->report_fd, POLLIN, 0};
        char *hit;
        ssize_t n;

        f->report[f->report_len] = 0;
        hit = strstr(f->report, line);
        if (hit && (hit == f->report || hit[-1] == '\n'))
            return true;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - start.tv_sec > DEADLINE_S)
            return false;
        if (poll(&p, 1, 1000) <= 0)
            continue;
        if (f->report_len + 1 >= sizeof f->report)
            return false;
        n = read(f->report_fd, f->report + f->report_len, sizeof f->report - 1 - f->report_len);
        if (n <= 0)
            return false;
        f->report_len += (size_t)n;
    }
}

static int reap(fixture *f)
{
    int status = 0;

    for (int i = 0; i < DEADLINE_S * 100; i++) {
        pid_t r = waitpid(f->pid, &status, WNOHANG);
        if (r == f->pid) {
            f->pid = 0;
            return status;
        }
        if (r < 0)
            break;
        usleep(10000);
    }
    kill(f->pid, SIGKILL);
    waitpid(f->pid, &status, 0);
    f->pid = 0;
    fail_msg("peer_fs did not exit when its channel closed");
    return status;
}

static int setup(void **state)
{
    const peer_config *cfg = *state;
    fixture *f = calloc(1, sizeof *f);
    wf_engine_config config;
    wf_provider provider;
    int sv[2], rp[2];
    char report_arg[32], timeout_arg[32], mount_arg[32];
    char *argv[8];
    int argc = 0;

    assert_non_null(f);
    f->cfg = cfg;
    f->rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    assert_non_null(f->rsp);
    tq_init(&f->q);

    if (cfg->sndbuf) {
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &cfg->sndbuf, sizeof(int)), 0);
        assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &cfg->sndbuf, sizeof(int)), 0);
    } else {
        assert_int_equal(wf_seqpacket_socketpair(sv), 0);
    }
    assert_int_equal(pipe2(rp, O_CLOEXEC), 0);
    snprintf(report_arg, sizeof report_arg, "--report-fd=%d", rp[1]);
    snprintf(timeout_arg, sizeof timeout_arg, "--timeout=%s", cfg->timeout);
    snprintf(mount_arg, sizeof mount_arg, "/dev/fd/%d", sv[1]);
    argv[argc++] = (char *)WF_PEER_FS;
    argv[argc++] = report_arg;
    argv[argc++] = timeout_arg;
    if (cfg->mt)
        argv[argc++] = (char *)"--mt";
    if (cfg->jitter)
        argv[argc++] = (char *)"--jitter";
    argv[argc++] = mount_arg;
    argv[argc] = NULL;

    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        /* Only the peer's end and the report pipe cross exec. */
        fcntl(sv[1], F_SETFD, 0);
        fcntl(rp[1], F_SETFD, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    /* Our copy of the peer's end must go, or its death would not close the socket. */
    close(sv[1]);
    close(rp[1]);
    f->report_fd = rp[0];

    wf_engine_config_init(&config);
    config.default_uid = TEST_UID;
    config.default_gid = TEST_GID;
    config.transact_timeout_ns = cfg->transact_timeout_ns;
    provider = tq_provider(&f->q);
    assert_int_equal(wf_engine_create(&config, &provider, &f->engine), STATUS_SUCCESS);
    assert_int_equal(wf_seqpacket_start(f->engine, sv[0], cfg->senders, &f->sp), STATUS_SUCCESS);
    *state = f;
    return 0;
}

static void parse_exit(const fixture *f, uint64_t *lookups, uint64_t *forgets, uint64_t *live,
    uint64_t *errors)
{
    const char *line = strstr(f->report, "exit ");

    if (!line || sscanf(line, "exit lookups=%" SCNu64 " forgets=%" SCNu64 " live=%" SCNu64
                     " nodes=%*u errors=%" SCNu64, lookups, forgets, live, errors) != 4)
        fail_msg("peer_fs left no exit report (report: \"%s\")", f->report);
}

static int teardown(void **state)
{
    fixture *f = *state;
    wf_engine_stats stats;
    uint64_t lookups, forgets, live, errors, replies;
    int status;

    if (!f->killed) {
        wf_engine_get_stats(f->engine, &stats);
        if (f->cfg->strict) {
            /* Nothing may be held: every handle is closed and nothing is cached. */
            assert_int_equal(stats.open_files, 0);
            assert_int_equal(stats.nodes, 1);
            /*
             * One request more carries the forgets out first: the one
             * sending thread takes them before it asks for new work.
             */
            assert_int_equal(call(f, req_new(FspFsctlTransactQueryVolumeInformationKind)),
                STATUS_SUCCESS);
        }
        /* Unmount: the provider's volume is gone, the engine says DESTROY. */
        wf_engine_get_stats(f->engine, &stats);
        replies = stats.fuse_replies;
        tq_unmount(&f->q);
        if (!wait_report(f, "destroy\n"))
            fail_msg("peer_fs got no DESTROY (report: \"%s\")", f->report);
        /* Its answer is the last reply; then the channel may close without cutting it off. */
        for (int i = 0; i < DEADLINE_S * 1000; i++) {
            wf_engine_get_stats(f->engine, &stats);
            if (stats.fuse_replies > replies)
                break;
            usleep(1000);
        }
        assert_int_equal(stats.fuse_replies, replies + 1);
    }
    wf_seqpacket_stop(f->sp);
    wf_engine_get_stats(f->engine, &stats);
    wf_engine_delete(f->engine);
    status = reap(f);
    assert_int_equal(f->q.stray, 0);
    assert_null(f->q.all);
    if (!f->killed) {
        assert_true(WIFEXITED(status));
        wait_report(f, "exit ");
        parse_exit(f, &lookups, &forgets, &live, &errors);
        if (WEXITSTATUS(status) != 0 || errors != 0)
            fail_msg("peer_fs exited with %d, %" PRIu64 " errors", WEXITSTATUS(status), errors);
        /* Every forget the engine emitted arrived; none was invented. */
        if (f->cfg->senders == 1)
            assert_int_equal(forgets, stats.forgets);
        else
            assert_true(forgets <= stats.forgets);
        if (f->cfg->strict)
            assert_int_equal(live, 0);
        /* With one sender nothing goes out after DESTROY, so every reply fits a request. */
        if (f->cfg->senders == 1)
            assert_int_equal(stats.bad_replies, 0);
    }
    close(f->report_fd);
    tq_destroy(&f->q);
    free(f->rsp);
    free(f);
    return 0;
}

/* ---- the tests ---- */

static void files_write_read(void **state)
{
    fixture *f = *state;
    static UINT8 data[10000], buf[10016];
    FSP_FSCTL_TRANSACT_REQ *req;
    UINT64 h;

    fill(data, sizeof data, 1);
    h = create_file(f, "\\f.txt");
    assert_int_equal(f->rsp->Rsp.Create.Opened.FileInfo.FileSize, 0);
    write_all(f, h, 0, data, sizeof data);
    assert_int_equal(f->rsp->Rsp.Write.FileInfo.FileSize, sizeof data);
    assert_int_equal(read_at(f, h, 0, buf, sizeof buf), STATUS_SUCCESS);
    assert_int_equal(f->rsp->IoStatus.Information, sizeof data);
    assert_memory_equal(buf, data, sizeof data);
    assert_int_equal(read_at(f, h, 5000, buf, 100), STATUS_SUCCESS);
    assert_int_equal(f->rsp->IoStatus.Information, 100);
    assert_memory_equal(buf, data + 5000, 100);
    assert_int_equal(read_at(f, h, sizeof data, buf, 10), STATUS_END_OF_FILE);
    assert_int_equal(query_info(f, h).FileSize, sizeof data);
    assert_true(query_info(f, h).AllocationSize >= sizeof data);

    /* Cut it short. */
    req = req_new(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.Info.EndOfFile.FileSize = 4000;
    assert_int_equal(set_info(f, h, FileEndOfFileInformation, req), STATUS_SUCCESS);
    assert_int_equal(f->rsp->Rsp.SetInformation.FileInfo.FileSize, 4000);
    /* Flush reaches the file system and answers the file's information. */
    req = req_new(FspFsctlTransactFlushBuffersKind);
    req->Req.FlushBuffers.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_int_equal(f->rsp->Rsp.FlushBuffers.FileInfo.FileSize, 4000);
    close_handle(f, h);
    expect_content(f, "\\f.txt", data, 4000);

    /* Open again, overwrite: empty. */
    assert_int_equal(open_path(f, "\\f.txt", FILE_OVERWRITE_IF, 0, FILE_GENERIC_WRITE, &h),
        STATUS_SUCCESS);
    assert_int_equal(f->rsp->IoStatus.Information, FILE_OVERWRITTEN);
    req = req_new(FspFsctlTransactOverwriteKind);
    req->Req.Overwrite.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_int_equal(f->rsp->Rsp.Overwrite.FileInfo.FileSize, 0);
    /* Appending goes where the file ends. */
    write_all(f, h, 0, "abc", 3);
    write_all(f, h, UINT64_MAX, "def", 3);
    close_handle(f, h);
    expect_content(f, "\\f.txt", "abcdef", 6);

    assert_int_equal(open_path(f, "\\f.txt", FILE_CREATE, 0, FILE_GENERIC_WRITE, &h),
        STATUS_OBJECT_NAME_COLLISION);
    expect_missing(f, "\\nope", STATUS_OBJECT_NAME_NOT_FOUND);
    expect_missing(f, "\\nodir\\x", STATUS_OBJECT_PATH_NOT_FOUND);
    expect_missing(f, "\\f.txt\\x", STATUS_OBJECT_PATH_NOT_FOUND);
    assert_int_equal(open_path(f, "\\f.txt", FILE_OPEN, FILE_DIRECTORY_FILE, FILE_LIST_DIRECTORY,
        &h), STATUS_NOT_A_DIRECTORY);
}

static void directory_listing(void **state)
{
    fixture *f = *state;
    static listing l;
    UINT64 h;
    long i;

    h = open_dir(f, "\\d", FILE_CREATE);
    assert_int_equal(f->rsp->IoStatus.Information, FILE_CREATED);
    close_handle(f, h);
    make_file(f, "\\d\\a.txt", "aaa", 3);
    make_file(f, "\\d\\b.bin", "b", 1);
    make_file(f, "\\d\\c.txt", "", 0);
    close_handle(f, open_dir(f, "\\d\\sub", FILE_CREATE));

    h = open_dir(f, "\\d", FILE_OPEN);
    assert_true(f->rsp->Rsp.Create.Opened.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    list_dir(f, h, NULL, false, 4096, &l);
    assert_int_equal(l.count, 6);
    assert_true(find_name(&l, ".") >= 0 && find_name(&l, "..") >= 0);
    i = find_name(&l, "a.txt");
    assert_true(i >= 0);
    assert_int_equal(l.info[i].FileSize, 3);
    assert_false(l.info[i].FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    i = find_name(&l, "sub");
    assert_true(i >= 0);
    assert_true(l.info[i].FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    assert_true(find_name(&l, "b.bin") >= 0 && find_name(&l, "c.txt") >= 0);

    list_dir(f, h, "*.txt", false, 4096, &l);
    assert_int_equal(l.count, 2);
    assert_true(find_name(&l, "a.txt") >= 0 && find_name(&l, "c.txt") >= 0);
    list_dir(f, h, "b.bin", true, 4096, &l);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.names[0], "b.bin");
    list_dir(f, h, "zzz", true, 4096, &l);
    assert_int_equal(l.count, 0);
    list_dir(f, h, "?.t*", false, 4096, &l);
    assert_int_equal(l.count, 2);
    close_handle(f, h);

    /* The root lists no dot entries. */
    h = open_dir(f, "\\", FILE_OPEN);
    list_dir(f, h, NULL, false, 4096, &l);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.names[0], "d");
    close_handle(f, h);
}

static void rename_files(void **state)
{
    fixture *f = *state;

    make_file(f, "\\r1", "one", 3);
    make_file(f, "\\r2", "two", 3);
    assert_int_equal(rename_path(f, "\\r1", "\\r3", false), STATUS_SUCCESS);
    expect_missing(f, "\\r1", STATUS_OBJECT_NAME_NOT_FOUND);
    expect_content(f, "\\r3", "one", 3);

    /* Onto an existing name: only when replacing is allowed. */
    assert_int_equal(rename_path(f, "\\r3", "\\r2", false), STATUS_OBJECT_NAME_COLLISION);
    expect_content(f, "\\r2", "two", 3);
    assert_int_equal(rename_path(f, "\\r3", "\\r2", true), STATUS_SUCCESS);
    expect_content(f, "\\r2", "one", 3);
    expect_missing(f, "\\r3", STATUS_OBJECT_NAME_NOT_FOUND);

    /* A directory moves with what it holds. */
    close_handle(f, open_dir(f, "\\rd", FILE_CREATE));
    close_handle(f, open_dir(f, "\\other", FILE_CREATE));
    make_file(f, "\\rd\\x", "x", 1);
    assert_int_equal(rename_path(f, "\\rd", "\\other\\rd2", false), STATUS_SUCCESS);
    expect_content(f, "\\other\\rd2\\x", "x", 1);
    expect_missing(f, "\\rd\\x", STATUS_OBJECT_PATH_NOT_FOUND);
    /* A file moves between directories, and nowhere that does not exist. */
    assert_int_equal(rename_path(f, "\\r2", "\\other\\rd2\\y", false), STATUS_SUCCESS);
    expect_content(f, "\\other\\rd2\\y", "one", 3);
    assert_int_equal(rename_path(f, "\\other\\rd2\\y", "\\missing\\y", false),
        STATUS_OBJECT_PATH_NOT_FOUND);
    /* A file does not replace a directory. */
    assert_int_equal(rename_path(f, "\\other\\rd2\\y", "\\other", true), STATUS_ACCESS_DENIED);
    expect_content(f, "\\other\\rd2\\y", "one", 3);
}

static void delete_files_and_dirs(void **state)
{
    fixture *f = *state;
    FSP_FSCTL_TRANSACT_REQ *req;
    UINT64 h;

    make_file(f, "\\gone", "x", 1);
    assert_int_equal(delete_path(f, "\\gone", false), STATUS_SUCCESS);
    expect_missing(f, "\\gone", STATUS_OBJECT_NAME_NOT_FOUND);

    close_handle(f, open_dir(f, "\\dd", FILE_CREATE));
    make_file(f, "\\dd\\f", "f", 1);
    assert_int_equal(delete_path(f, "\\dd", true), STATUS_DIRECTORY_NOT_EMPTY);
    expect_content(f, "\\dd\\f", "f", 1);
    assert_int_equal(delete_path(f, "\\dd\\f", false), STATUS_SUCCESS);
    assert_int_equal(delete_path(f, "\\dd", true), STATUS_SUCCESS);
    expect_missing(f, "\\dd", STATUS_OBJECT_NAME_NOT_FOUND);
    expect_missing(f, "\\dd\\f", STATUS_OBJECT_PATH_NOT_FOUND);

    /* Read-only cannot be deleted; made writable again, it can. */
    make_file(f, "\\ro", "r", 1);
    h = open_file(f, "\\ro");
    req = req_new(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.Info.Basic.FileAttributes = FILE_ATTRIBUTE_READONLY;
    assert_int_equal(set_info(f, h, FileBasicInformation, req), STATUS_SUCCESS);
    assert_true(f->rsp->Rsp.SetInformation.FileInfo.FileAttributes & FILE_ATTRIBUTE_READONLY);
    assert_int_equal(set_delete(f, h, "\\ro"), STATUS_CANNOT_DELETE);
    req = req_new(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.Info.Basic.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    assert_int_equal(set_info(f, h, FileBasicInformation, req), STATUS_SUCCESS);
    assert_false(f->rsp->Rsp.SetInformation.FileInfo.FileAttributes & FILE_ATTRIBUTE_READONLY);
    assert_int_equal(set_delete(f, h, "\\ro"), STATUS_SUCCESS);
    cleanup(f, h, "\\ro");
    close_only(f, h);
    expect_missing(f, "\\ro", STATUS_OBJECT_NAME_NOT_FOUND);
}

static void put16(UINT8 *p, UINT16 v)
{
    p[0] = (UINT8)v;
    p[1] = (UINT8)(v >> 8);
}

static void put32(UINT8 *p, UINT32 v)
{
    put16(p, (UINT16)v);
    put16(p + 2, (UINT16)(v >> 16));
}

static UINT32 get32(const UINT8 *p)
{
    return (UINT32)p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

/* Turn the file at path into a symbolic link to target. */
static NTSTATUS set_symlink(fixture *f, UINT64 h, const char *path, const char *target,
    bool relative)
{
    UINT8 rp[1024];
    WCHAR w[256];
    size_t n = to_utf16(target, w, 256), bytes = n * sizeof(WCHAR);
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactFileSystemControlKind);

    memset(rp, 0, sizeof rp);
    put32(rp, IO_REPARSE_TAG_SYMLINK);
    put16(rp + 4, (UINT16)(12 + 2 * bytes));
    put16(rp + 8, 0);
    put16(rp + 10, (UINT16)bytes);
    put16(rp + 12, (UINT16)bytes);
    put16(rp + 14, (UINT16)bytes);
    put32(rp + 16, relative ? SYMLINK_FLAG_RELATIVE : 0);
    memcpy(rp + 20, w, bytes);
    memcpy(rp + 20 + bytes, w, bytes);
    req->Req.FileSystemControl.UserContext2 = h;
    req->Req.FileSystemControl.FsControlCode = FSCTL_SET_REPARSE_POINT;
    req->Req.FileSystemControl.Buffer = req_bytes(req, rp, 20 + 2 * bytes);
    req->FileName = req_str(req, path);
    return call(f, req);
}

/* Read a link back: its substitute name, as ASCII, and its flags. */
static void get_symlink(fixture *f, UINT64 h, char *target, size_t cap, UINT32 *flags)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactFileSystemControlKind);
    const UINT8 *rp;
    size_t off, len;

    req->Req.FileSystemControl.UserContext2 = h;
    req->Req.FileSystemControl.FsControlCode = FSCTL_GET_REPARSE_POINT;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    rp = f->rsp->Buffer + f->rsp->Rsp.FileSystemControl.Buffer.Offset;
    assert_true(f->rsp->Rsp.FileSystemControl.Buffer.Size >= 20);
    assert_int_equal(get32(rp), IO_REPARSE_TAG_SYMLINK);
    off = (size_t)(rp[8] | rp[9] << 8);
    len = (size_t)(rp[10] | rp[11] << 8) / sizeof(WCHAR);
    assert_true(len < cap && 20 + off + len * 2 <= f->rsp->Rsp.FileSystemControl.Buffer.Size);
    *flags = get32(rp + 16);
    for (size_t i = 0; i < len; i++)
        target[i] = (char)rp[20 + off + 2 * i];
    target[len] = 0;
}

static void symlinks_as_reparse_points(void **state)
{
    fixture *f = *state;
    char target[256];
    UINT32 flags;
    UINT64 h;

    make_file(f, "\\target.txt", "pointed at", 10);
    close_handle(f, open_dir(f, "\\dir", FILE_CREATE));

    h = create_file(f, "\\lnk");
    assert_int_equal(set_symlink(f, h, "\\lnk", "target.txt", true), STATUS_SUCCESS);
    get_symlink(f, h, target, sizeof target, &flags);
    assert_string_equal(target, "target.txt");
    assert_int_equal(flags, SYMLINK_FLAG_RELATIVE);
    close_handle(f, h);

    assert_int_equal(open_path(f, "\\lnk", FILE_OPEN, FILE_OPEN_REPARSE_POINT,
        FILE_READ_ATTRIBUTES | DELETE, &h), STATUS_SUCCESS);
    assert_int_equal(f->rsp->Rsp.Create.Opened.FileInfo.ReparseTag, IO_REPARSE_TAG_SYMLINK);
    assert_true(f->rsp->Rsp.Create.Opened.FileInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
    get_symlink(f, h, target, sizeof target, &flags);
    assert_string_equal(target, "target.txt");
    close_handle(f, h);

    /* Relative with directories, and rooted at the volume. */
    h = create_file(f, "\\dir\\up");
    assert_int_equal(set_symlink(f, h, "\\dir\\up", "..\\target.txt", true), STATUS_SUCCESS);
    get_symlink(f, h, target, sizeof target, &flags);
    assert_string_equal(target, "..\\target.txt");
    close_handle(f, h);
    h = create_file(f, "\\abs");
    assert_int_equal(set_symlink(f, h, "\\abs", "\\dir\\up", false), STATUS_SUCCESS);
    get_symlink(f, h, target, sizeof target, &flags);
    assert_string_equal(target, "\\dir\\up");
    assert_int_equal(flags, 0);
    close_handle(f, h);

    /* A plain file is no reparse point; a link is deleted like a file. */
    h = open_file(f, "\\target.txt");
    {
        FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactFileSystemControlKind);
        req->Req.FileSystemControl.UserContext2 = h;
        req->Req.FileSystemControl.FsControlCode = FSCTL_GET_REPARSE_POINT;
        assert_int_equal(call(f, req), STATUS_NOT_A_REPARSE_POINT);
    }
    close_handle(f, h);
    assert_int_equal(open_path(f, "\\lnk", FILE_OPEN, FILE_OPEN_REPARSE_POINT, DELETE, &h),
        STATUS_SUCCESS);
    assert_int_equal(set_delete(f, h, "\\lnk"), STATUS_SUCCESS);
    cleanup(f, h, "\\lnk");
    close_only(f, h);
    expect_missing(f, "\\lnk", STATUS_OBJECT_NAME_NOT_FOUND);
    expect_content(f, "\\target.txt", "pointed at", 10);
}

static UINT32 descriptor_mode(fixture *f, FSP_FSCTL_TRANSACT_BUF sd, UINT32 *uid, UINT32 *gid)
{
    UINT32 mode = 0;

    *uid = *gid = 0xffffffffu;
    assert_true(sd.Size > 0);
    assert_int_equal(wf_sd_to_posix(NULL, f->rsp->Buffer + sd.Offset, sd.Size, uid, gid, &mode),
        STATUS_SUCCESS);
    return mode & 0777;
}

static void security_is_owner_and_mode(void **state)
{
    fixture *f = *state;
    FSP_FSCTL_TRANSACT_REQ *req;
    UINT8 sd[1024];
    size_t sd_len;
    UINT32 uid, gid;
    UINT64 h;

    make_file(f, "\\sec", "s", 1);
    h = open_file(f, "\\sec");
    req = req_new(FspFsctlTransactQuerySecurityKind);
    req->Req.QuerySecurity.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_int_equal(descriptor_mode(f, f->rsp->Rsp.QuerySecurity.SecurityDescriptor, &uid,
        &gid), 0644);
    /* The file belongs to whoever the engine said created it. */
    assert_int_equal(uid, TEST_UID);
    assert_int_equal(gid, TEST_GID);

    /* chmod 0600 through a new DACL. */
    assert_int_equal(wf_sd_from_posix(NULL, TEST_UID, TEST_GID, 0600, sd, sizeof sd, &sd_len),
        STATUS_SUCCESS);
    req = req_new(FspFsctlTransactSetSecurityKind);
    req->Req.SetSecurity.UserContext2 = h;
    req->Req.SetSecurity.SecurityInformation = DACL_SECURITY_INFORMATION;
    req->Req.SetSecurity.SecurityDescriptor = req_bytes(req, sd, sd_len);
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_int_equal(descriptor_mode(f, f->rsp->Rsp.SetSecurity.SecurityDescriptor, &uid, &gid),
        0600);
    close_handle(f, h);

    /* The file system kept it: a fresh open asks again (or trusts what it said). */
    h = open_file(f, "\\sec");
    req = req_new(FspFsctlTransactQuerySecurityKind);
    req->Req.QuerySecurity.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_int_equal(descriptor_mode(f, f->rsp->Rsp.QuerySecurity.SecurityDescriptor, &uid,
        &gid), 0600);

    /* No write bit for anyone is the read-only attribute. */
    assert_int_equal(wf_sd_from_posix(NULL, TEST_UID, TEST_GID, 0444, sd, sizeof sd, &sd_len),
        STATUS_SUCCESS);
    req = req_new(FspFsctlTransactSetSecurityKind);
    req->Req.SetSecurity.UserContext2 = h;
    req->Req.SetSecurity.SecurityInformation = DACL_SECURITY_INFORMATION;
    req->Req.SetSecurity.SecurityDescriptor = req_bytes(req, sd, sd_len);
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_true(query_info(f, h).FileAttributes & FILE_ATTRIBUTE_READONLY);
    close_handle(f, h);
}

static void volume_information(void **state)
{
    fixture *f = *state;
    static UINT8 data[1024 * 1024];
    FSP_FSCTL_VOLUME_INFO before, after;

    assert_int_equal(call(f, req_new(FspFsctlTransactQueryVolumeInformationKind)),
        STATUS_SUCCESS);
    before = f->rsp->Rsp.QueryVolumeInformation.VolumeInfo;
    assert_int_equal(before.TotalSize, (UINT64)4096 << 20);
    assert_int_equal(before.FreeSize, before.TotalSize);
    fill(data, sizeof data, 7);
    make_file(f, "\\mega", data, sizeof data);
    assert_int_equal(call(f, req_new(FspFsctlTransactQueryVolumeInformationKind)),
        STATUS_SUCCESS);
    after = f->rsp->Rsp.QueryVolumeInformation.VolumeInfo;
    assert_int_equal(after.TotalSize, before.TotalSize);
    assert_int_equal(before.FreeSize - after.FreeSize, sizeof data);
    /* No label to set on a FUSE volume. */
    assert_int_equal(call(f, req_new(FspFsctlTransactSetVolumeInformationKind)),
        STATUS_INVALID_DEVICE_REQUEST);
}

/* Append one FILE_FULL_EA_INFORMATION entry to an EA list. */
static size_t ea_put(UINT8 *list, size_t used, size_t *last, const char *name, const char *value)
{
    size_t at = (used + 3) & ~(size_t)3, nl = strlen(name), vl = strlen(value);

    memset(list + used, 0, at - used);
    if (used)
        put32(list + *last, (UINT32)(at - *last));
    put32(list + at, 0);
    list[at + 4] = 0;
    list[at + 5] = (UINT8)nl;
    put16(list + at + 6, (UINT16)vl);
    memcpy(list + at + 8, name, nl + 1);
    memcpy(list + at + 9 + nl, value, vl);
    *last = at;
    return at + 9 + nl + vl;
}

/* The value of EA name in the last QueryEa response, or NULL. */
static const char *ea_get(fixture *f, const char *name, char *value, size_t cap, size_t *count)
{
    const UINT8 *p = f->rsp->Buffer + f->rsp->Rsp.QueryEa.Ea.Offset;
    size_t len = f->rsp->Rsp.QueryEa.Ea.Size, pos = 0;
    const char *found = NULL;

    *count = 0;
    while (len && pos + 8 <= len) {
        UINT32 next = get32(p + pos);
        size_t nl = p[pos + 5], vl = (size_t)(p[pos + 6] | p[pos + 7] << 8);

        assert_true(pos + 9 + nl + vl <= len);
        (*count)++;
        if (strlen(name) == nl && memcmp(p + pos + 8, name, nl) == 0) {
            assert_true(vl < cap);
            memcpy(value, p + pos + 9 + nl, vl);
            value[vl] = 0;
            found = value;
        }
        if (next == 0)
            break;
        pos += next;
    }
    return found;
}

static void extended_attributes(void **state)
{
    fixture *f = *state;
    FSP_FSCTL_TRANSACT_REQ *req;
    UINT8 list[256];
    char value[64];
    size_t used = 0, last = 0, count;
    UINT64 h;

    make_file(f, "\\ea", "e", 1);
    h = open_file(f, "\\ea");
    req = req_new(FspFsctlTransactQueryEaKind);
    req->Req.QueryEa.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_null(ea_get(f, "ALPHA", value, sizeof value, &count));
    assert_int_equal(count, 0);

    used = ea_put(list, used, &last, "ALPHA", "one");
    used = ea_put(list, used, &last, "BETA", "twenty-two");
    req = req_new(FspFsctlTransactSetEaKind);
    req->Req.SetEa.UserContext2 = h;
    req->Req.SetEa.Ea = req_bytes(req, list, used);
    assert_int_equal(call(f, req), STATUS_SUCCESS);

    req = req_new(FspFsctlTransactQueryEaKind);
    req->Req.QueryEa.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_non_null(ea_get(f, "ALPHA", value, sizeof value, &count));
    assert_string_equal(value, "one");
    assert_non_null(ea_get(f, "BETA", value, sizeof value, &count));
    assert_string_equal(value, "twenty-two");
    assert_int_equal(count, 2);

    /* An empty value removes the EA. */
    used = last = 0;
    used = ea_put(list, used, &last, "ALPHA", "");
    req = req_new(FspFsctlTransactSetEaKind);
    req->Req.SetEa.UserContext2 = h;
    req->Req.SetEa.Ea = req_bytes(req, list, used);
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    req = req_new(FspFsctlTransactQueryEaKind);
    req->Req.QueryEa.UserContext2 = h;
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    assert_null(ea_get(f, "ALPHA", value, sizeof value, &count));
    assert_non_null(ea_get(f, "BETA", value, sizeof value, &count));
    assert_int_equal(count, 1);
    close_handle(f, h);
}

#define MANY 2000

static void many_files_in_one_directory(void **state)
{
    fixture *f = *state;
    static listing l;
    static bool seen[MANY];
    char path[64];
    UINT64 h;

    close_handle(f, open_dir(f, "\\many", FILE_CREATE));
    for (int i = 0; i < MANY; i++) {
        snprintf(path, sizeof path, "\\many\\file%04d", i);
        close_handle(f, create_file(f, path));
    }
    h = open_dir(f, "\\many", FILE_OPEN);
    /* A small buffer: the listing resumes from markers many times. */
    list_dir(f, h, NULL, false, 8192, &l);
    assert_true(l.requests > 10);
    assert_int_equal(l.count, MANY + 2);
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < l.count; i++) {
        int n;
        if (strcmp(l.names[i], ".") == 0 || strcmp(l.names[i], "..") == 0)
            continue;
        assert_int_equal(sscanf(l.names[i], "file%d", &n), 1);
        assert_true(n >= 0 && n < MANY);
        assert_false(seen[n]);
        seen[n] = true;
    }
    list_dir(f, h, "file1*", false, 16384, &l);
    assert_int_equal(l.count, 1000);
    close_handle(f, h);
    expect_content(f, "\\many\\file1999", "", 0);
}

static void large_transfers(void **state)
{
    fixture *f = *state;
    const UINT32 size = 4u << 20, odd = (1u << 20) + 12345;
    UINT8 *data = malloc(size), *buf = malloc(size + 4096);
    wf_engine_stats before, after;
    UINT64 h;

    assert_non_null(data);
    assert_non_null(buf);
    fill(data, size, 3);
    h = create_file(f, "\\big");
    wf_engine_get_stats(f->engine, &before);
    write_all(f, h, 0, data, size);
    wf_engine_get_stats(f->engine, &after);
    /* No FUSE write carries more than 1 MiB. */
    assert_true(after.fuse_requests - before.fuse_requests >= 4);
    assert_int_equal(query_info(f, h).FileSize, size);
    /* Every request fits a message of the socket (Linux doubles SO_SNDBUF; 32 bytes overhead). */
    if (f->cfg->sndbuf)
        assert_true(wf_engine_request_size_min(f->engine) <= (size_t)f->cfg->sndbuf * 2 - 32);
    memset(buf, 0, size);
    assert_int_equal(read_at(f, h, 0, buf, size + 4096), STATUS_SUCCESS);
    assert_int_equal(f->rsp->IoStatus.Information, size);
    assert_memory_equal(buf, data, size);

    /* Unaligned, across piece boundaries. */
    fill(data, odd, 4);
    write_all(f, h, 777, data, odd);
    assert_int_equal(read_at(f, h, 777, buf, odd), STATUS_SUCCESS);
    assert_int_equal(f->rsp->IoStatus.Information, odd);
    assert_memory_equal(buf, data, odd);
    close_handle(f, h);
    free(data);
    free(buf);
}

#define CONCURRENT 16

static void concurrent_requests(void **state)
{
    fixture *f = *state;
    enum { LEN = 65536 + 123 };
    static UINT8 data[CONCURRENT][LEN], buf[CONCURRENT][LEN];
    tq_slot *s[CONCURRENT];
    UINT64 h[CONCURRENT];
    char path[32];

    for (int i = 0; i < CONCURRENT; i++) {
        snprintf(path, sizeof path, "\\c%02d", i);
        h[i] = create_file(f, path);
        fill(data[i], LEN, (uint64_t)i + 100);
    }
    /* All at once: the file system answers them in its own order. */
    for (int i = 0; i < CONCURRENT; i++) {
        FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactWriteKind);
        req->Req.Write.UserContext2 = h[i];
        req->Req.Write.Address = (UINT64)(uintptr_t)data[i];
        req->Req.Write.Length = LEN;
        s[i] = tq_submit(&f->q, req);
    }
    for (int i = CONCURRENT - 1; i >= 0; i--) {
        assert_int_equal(await(f, s[i]), STATUS_SUCCESS);
        assert_int_equal(f->rsp->IoStatus.Information, LEN);
    }
    for (int round = 0; round < 4; round++) {
        memset(buf, 0, sizeof buf);
        for (int i = 0; i < CONCURRENT; i++) {
            FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactReadKind);
            req->Req.Read.UserContext2 = h[i];
            req->Req.Read.Address = (UINT64)(uintptr_t)buf[i];
            req->Req.Read.Length = LEN;
            s[i] = tq_submit(&f->q, req);
        }
        for (int i = 0; i < CONCURRENT; i++) {
            assert_int_equal(await(f, s[i]), STATUS_SUCCESS);
            assert_int_equal(f->rsp->IoStatus.Information, LEN);
            assert_memory_equal(buf[i], data[i], LEN);
        }
    }
    /* Opens and closes interleaved too: walks, lookups and forgets cross. */
    for (int i = 0; i < CONCURRENT; i++) {
        FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactCleanupKind);
        req->Req.Cleanup.UserContext2 = h[i];
        s[i] = tq_submit(&f->q, req);
    }
    for (int i = 0; i < CONCURRENT; i++)
        assert_int_equal(await(f, s[i]), STATUS_SUCCESS);
    for (int i = 0; i < CONCURRENT; i++) {
        FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactCloseKind);
        req->Req.Close.UserContext2 = h[i];
        s[i] = tq_submit(&f->q, req);
    }
    for (int i = 0; i < CONCURRENT; i++)
        assert_int_equal(await(f, s[i]), STATUS_SUCCESS);
    for (int i = 0; i < CONCURRENT; i++) {
        snprintf(path, sizeof path, "\\c%02d", i);
        expect_content(f, path, data[i], LEN);
    }
}

static tq_slot *submit_hang(fixture *f)
{
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactCreateKind);
    tq_slot *s;

    req->Req.Create.CreateOptions = FILE_OPEN << 24;
    req->Req.Create.DesiredAccess = FILE_GENERIC_READ;
    req->FileName = req_str(req, "\\__hang");
    s = tq_submit(&f->q, req);
    if (!wait_report(f, "hang\n"))
        fail_msg("peer_fs never got the request that hangs (report: \"%s\")", f->report);
    return s;
}

static void cancel_interrupts_the_peer(void **state)
{
    fixture *f = *state;
    tq_slot *s = submit_hang(f);
    UINT64 hint = s->req->Hint;

    /* WinFsp cancels the IRP: the engine sends INTERRUPT, the file system gives up. */
    wf_engine_cancel(f->engine, hint);
    assert_int_equal(await(f, s), STATUS_CANCELLED);
    assert_true(wait_report(f, "interrupted\n"));
    /* And the volume goes on. */
    make_file(f, "\\after", "ok", 2);
    expect_content(f, "\\after", "ok", 2);
}

static void peer_killed_while_pending(void **state)
{
    fixture *f = *state;
    tq_slot *s;

    make_file(f, "\\before", "x", 1);
    s = submit_hang(f);
    assert_int_equal(kill(f->pid, SIGKILL), 0);
    f->killed = true;
    /* The socket closes with the process: the pending request fails at once. */
    assert_false(NT_SUCCESS(await(f, s)));
    assert_int_equal((NTSTATUS)f->rsp->IoStatus.Status, STATUS_CANCELLED);
}

/* WinFsp counts the terminating NUL in FileName.Size (src/sys/iop.c). */
static void file_name_with_terminating_nul(void **state)
{
    fixture *f = *state;
    FSP_FSCTL_TRANSACT_REQ *req = req_new(FspFsctlTransactCreateKind);
    WCHAR w[16];
    size_t n = to_utf16("\\withnul", w, 15);
    UINT64 h;

    w[n++] = 0;
    req->Req.Create.CreateOptions = (FILE_CREATE << 24) | FILE_NON_DIRECTORY_FILE;
    req->Req.Create.DesiredAccess = FILE_GENERIC_WRITE;
    req->FileName = req_bytes(req, w, n * sizeof(WCHAR));
    assert_int_equal(call(f, req), STATUS_SUCCESS);
    h = f->rsp->Rsp.Create.Opened.UserContext2;
    close_handle(f, h);
    expect_content(f, "\\withnul", "", 0);
}

#define PEER_TEST(fn, cfg) \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&(cfg))
#define DATA_TESTS(cfg)                                            \
    PEER_TEST(files_write_read, cfg),                              \
    PEER_TEST(directory_listing, cfg),                             \
    PEER_TEST(rename_files, cfg),                                  \
    PEER_TEST(delete_files_and_dirs, cfg),                         \
    PEER_TEST(symlinks_as_reparse_points, cfg),                    \
    PEER_TEST(security_is_owner_and_mode, cfg),                    \
    PEER_TEST(volume_information, cfg),                            \
    PEER_TEST(extended_attributes, cfg),                           \
    PEER_TEST(many_files_in_one_directory, cfg),                   \
    PEER_TEST(large_transfers, cfg),                               \
    PEER_TEST(concurrent_requests, cfg)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DATA_TESTS(cfg_st),
        DATA_TESTS(cfg_mt),
        PEER_TEST(concurrent_requests, cfg_mt4),
        PEER_TEST(large_transfers, cfg_mt4),
        PEER_TEST(large_transfers, cfg_small),
        PEER_TEST(many_files_in_one_directory, cfg_small),
        PEER_TEST(cancel_interrupts_the_peer, cfg_st),
        PEER_TEST(cancel_interrupts_the_peer, cfg_mt4),
        PEER_TEST(peer_killed_while_pending, cfg_st),
        PEER_TEST(peer_killed_while_pending, cfg_mt),
        PEER_TEST(file_name_with_terminating_nul, cfg_st),
    };
    /* A peer that dies must not take us with it when we write to it. */
    signal(SIGPIPE, SIG_IGN);
    return WF_RUN_TESTS(tests);
}
