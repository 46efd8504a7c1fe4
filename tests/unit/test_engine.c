/*
 * The engine against a scripted FUSE peer: for each WinFsp request kind,
 * the exact FUSE requests it sends and the WinFsp response it gives for
 * the replies the test chooses, good, bad and malformed.
 */
#include "engine_harness.h"

#define DIR_MODE (LINUX_S_IFDIR | 0755)
#define REG_MODE (LINUX_S_IFREG | 0644)
#define LNK_MODE (LINUX_S_IFLNK | 0777)

static int setup(void **state)
{
    harness *h = calloc(1, sizeof *h);
    h_setup(h);
    h_init(h, FUSE_DO_READDIRPLUS | FUSE_MAX_PAGES | FUSE_ATOMIC_O_TRUNC, 128 * 1024);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    harness *h = *state;
    h_teardown(h);
    free(h);
    return 0;
}

/* Open "\dir\file" (both looked up) and return the handle. */
static UINT64 open_file(harness *h, const char *path, UINT64 fh)
{
    h_submit(h, h_create_req(path, FILE_OPEN, 0, FILE_GENERIC_READ | FILE_GENERIC_WRITE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 2, DIR_MODE, 0, 60);
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 3, REG_MODE, 10, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, fh);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    return h_done(h)->Rsp.Create.Opened.UserContext2;
}

static void init_negotiates(void **state)
{
    harness *h = *state;
    wf_engine_stats stats;
    wf_engine_get_stats(h->engine, &stats);
    assert_int_equal(stats.proto_minor, 31);
    assert_true(wf_engine_request_size_min(h->engine) >= 128 * 1024);
    /* Everything but the root is unknown yet. */
    assert_int_equal(stats.nodes, 1);
}

static void init_refuses_old_peer(void **state)
{
    harness h;
    struct fuse_init_out out;
    (void)state;
    h_setup(&h);
    h_expect(&h, FUSE_INIT);
    memset(&out, 0, sizeof out);
    out.major = 7;
    out.minor = 12;
    out.max_write = 4096;
    h_reply_raw(&h, 0, &out, sizeof out);
    h_submit(&h, h_create_req("\\a", FILE_OPEN, 0, FILE_READ_DATA));
    assert_null(h_transact(&h));
    assert_int_equal(h.last_transact, STATUS_CANCELLED);
    h_teardown(&h);
}

static void nothing_before_init(void **state)
{
    harness h;
    (void)state;
    h_setup(&h);
    h_submit(&h, h_create_req("\\a", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_INIT);
    /* INIT unanswered: no other request may go out. */
    assert_null(h_transact(&h));
    assert_int_equal(h.ndone, 0);
    h_teardown(&h);
}

static void open_walks_path(void **state)
{
    harness *h = *state;
    const struct fuse_in_header *in;
    FSP_FSCTL_TRANSACT_RSP *rsp;

    h_submit(h, h_create_req("\\dir\\file", FILE_OPEN, FILE_NON_DIRECTORY_FILE,
        FILE_READ_DATA));
    in = h_expect(h, FUSE_LOOKUP);
    assert_int_equal(in->nodeid, FUSE_ROOT_ID);
    assert_string_equal(h_name(h, 0), "dir");
    h_reply_entry(h, 2, DIR_MODE, 0, 60);
    in = h_expect(h, FUSE_LOOKUP);
    assert_int_equal(in->nodeid, 2);
    assert_string_equal(h_name(h, 0), "file");
    h_reply_entry(h, 3, REG_MODE, 1234, 60);
    in = h_expect(h, FUSE_OPEN);
    assert_int_equal(in->nodeid, 3);
    assert_int_equal(((const struct fuse_open_in *)h_body(h))->flags & LINUX_O_ACCMODE,
        LINUX_O_RDONLY);
    h_reply_open(h, 77);
    h_idle(h);
    rsp = h_done(h);
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_SUCCESS);
    assert_int_equal(rsp->IoStatus.Information, FILE_OPENED);
    assert_int_equal(rsp->Rsp.Create.Opened.FileInfo.FileSize, 1234);
    assert_int_equal(rsp->Rsp.Create.Opened.FileInfo.IndexNumber, 3);
    assert_int_not_equal(rsp->Rsp.Create.Opened.UserContext2, 0);

    /* Within entry_valid the path is not looked up again. */
    h_submit(h, h_create_req("\\dir\\file", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 78);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
}

static void open_missing(void **state)
{
    harness *h = *state;

    h_submit(h, h_create_req("\\nope\\file", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_PATH_NOT_FOUND);

    h_submit(h, h_create_req("\\nope2", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void open_through_file_is_path_not_found(void **state)
{
    harness *h = *state;

    h_submit(h, h_create_req("\\f\\x", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 5, REG_MODE, 0, 60);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_PATH_NOT_FOUND);
}

static void open_dir_as_file_and_file_as_dir(void **state)
{
    harness *h = *state;

    h_submit(h, h_create_req("\\d", FILE_OPEN, FILE_NON_DIRECTORY_FILE, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 2, DIR_MODE, 0, 60);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_FILE_IS_A_DIRECTORY);

    h_submit(h, h_create_req("\\f", FILE_OPEN, FILE_DIRECTORY_FILE, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 3, REG_MODE, 0, 60);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_NOT_A_DIRECTORY);
}

static void create_new_file(void **state)
{
    harness *h = *state;
    const struct fuse_create_in *cin;
    struct {
        struct fuse_entry_out e;
        struct fuse_open_out o;
    } reply;

    h_submit(h, h_create_req("\\new", FILE_CREATE, 0, FILE_GENERIC_WRITE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_expect(h, FUSE_CREATE);
    cin = h_body(h);
    assert_int_equal(cin->flags & (LINUX_O_CREAT | LINUX_O_EXCL), LINUX_O_CREAT | LINUX_O_EXCL);
    assert_int_equal(cin->flags & LINUX_O_ACCMODE, LINUX_O_WRONLY);
    assert_int_equal(cin->mode & LINUX_S_IFMT, LINUX_S_IFREG);
    assert_string_equal(h_name(h, sizeof *cin), "new");
    memset(&reply, 0, sizeof reply);
    reply.e.nodeid = 9;
    reply.e.entry_valid = 60;
    reply.e.attr = h_attr(9, REG_MODE, 0);
    reply.o.fh = 5;
    h_reply_raw(h, 0, &reply, sizeof reply);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, FILE_CREATED);
}

static void create_existing_collides(void **state)
{
    harness *h = *state;

    h_submit(h, h_create_req("\\here", FILE_CREATE, 0, FILE_GENERIC_WRITE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 4, REG_MODE, 0, 60);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_COLLISION);
}

static void create_directory(void **state)
{
    harness *h = *state;
    const struct fuse_mkdir_in *min;

    h_submit(h, h_create_req("\\d2", FILE_CREATE, FILE_DIRECTORY_FILE, FILE_LIST_DIRECTORY));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_expect(h, FUSE_MKDIR);
    min = h_body(h);
    assert_int_equal(min->mode & LINUX_S_IFMT, LINUX_S_IFDIR);
    h_reply_entry(h, 12, DIR_MODE, 0, 60);
    h_expect(h, FUSE_OPENDIR);
    h_reply_open(h, 3);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_true(h_done(h)->Rsp.Create.Opened.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
}

static void create_without_create_op(void **state)
{
    harness *h = *state;

    h_submit(h, h_create_req("\\m", FILE_CREATE, 0, FILE_GENERIC_WRITE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_expect(h, FUSE_CREATE);
    h_reply_err(h, LINUX_ENOSYS);
    h_expect(h, FUSE_MKNOD);
    h_reply_entry(h, 13, REG_MODE, 0, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 4);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, FILE_CREATED);

    /* ENOSYS is remembered: CREATE is not tried again. */
    h_submit(h, h_create_req("\\m2", FILE_CREATE, 0, FILE_GENERIC_WRITE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_expect(h, FUSE_MKNOD);
    h_reply_entry(h, 14, REG_MODE, 0, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 5);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
}

static void overwrite_truncates(void **state)
{
    harness *h = *state;
    FSP_FSCTL_TRANSACT_REQ *req;
    const struct fuse_setattr_in *sin;
    UINT64 handle;

    h_submit(h, h_create_req("\\o", FILE_OVERWRITE_IF, 0, FILE_GENERIC_WRITE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 20, REG_MODE, 500, 0);
    h_expect(h, FUSE_GETATTR);
    h_reply_attr(h, 20, REG_MODE, 500, 0);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 8);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, FILE_OVERWRITTEN);
    handle = h_done(h)->Rsp.Create.Opened.UserContext2;

    req = h_req(FspFsctlTransactOverwriteKind);
    req->Req.Overwrite.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_SETATTR);
    sin = h_body(h);
    assert_true(sin->valid & FATTR_SIZE);
    assert_int_equal(sin->size, 0);
    assert_int_equal(sin->fh, 8);
    h_reply_attr(h, 20, REG_MODE, 0, 1);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->Rsp.Overwrite.FileInfo.FileSize, 0);
}

static void read_and_eof(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    char buf[64];
    FSP_FSCTL_TRANSACT_REQ *req;
    const struct fuse_read_in *rin;

    memset(buf, 0, sizeof buf);
    req = h_req(FspFsctlTransactReadKind);
    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Offset = 3;
    req->Req.Read.Length = sizeof buf;
    h_submit(h, req);
    h_expect(h, FUSE_READ);
    rin = h_body(h);
    assert_int_equal(rin->fh, 42);
    assert_int_equal(rin->offset, 3);
    assert_int_equal(rin->size, sizeof buf);
    h_reply_raw(h, 0, "hello", 5);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, 5);
    assert_memory_equal(buf, "hello", 5);

    req = h_req(FspFsctlTransactReadKind);
    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Offset = 100;
    req->Req.Read.Length = sizeof buf;
    h_submit(h, req);
    h_expect(h, FUSE_READ);
    h_reply_raw(h, 0, NULL, 0);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_END_OF_FILE);
}

static FSP_FSCTL_TRANSACT_REQ *read_req(UINT64 handle, void *buf, UINT32 len)
{
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactReadKind);
    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Length = len;
    return req;
}

/* Replies in pieces (wf_transact_reply): the usual two, any other number, and bad lengths. */
static void reply_in_pieces(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    char buf[64];
    struct fuse_out_header out;
    wf_reply_piece p[4];

    memset(buf, 0, sizeof buf);
    h_submit(h, read_req(handle, buf, sizeof buf));
    out.unique = h_expect(h, FUSE_READ)->unique;
    out.error = 0;
    out.len = sizeof out + 5;
    p[0] = (wf_reply_piece){&out, sizeof out};
    p[1] = (wf_reply_piece){"hello", 5};
    assert_int_equal(wf_transact_reply(h->engine, p, 2), STATUS_SUCCESS);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, 5);
    assert_memory_equal(buf, "hello", 5);

    /* Three pieces, the header split across two: joined first. */
    h_submit(h, read_req(handle, buf, sizeof buf));
    out.unique = h_expect(h, FUSE_READ)->unique;
    out.len = sizeof out + 6;
    p[0] = (wf_reply_piece){&out, 10};
    p[1] = (wf_reply_piece){(const char *)&out + 10, sizeof out - 10};
    p[2] = (wf_reply_piece){"worlds", 6};
    assert_int_equal(wf_transact_reply(h->engine, p, 3), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, 6);
    assert_memory_equal(buf, "worlds", 6);

    /* A header whose length is not the pieces' total, or no header at all: refused. */
    h_submit(h, read_req(handle, buf, sizeof buf));
    out.unique = h_expect(h, FUSE_READ)->unique;
    out.len = sizeof out + 4;
    p[0] = (wf_reply_piece){&out, sizeof out};
    p[1] = (wf_reply_piece){"abc", 3};
    assert_int_equal(wf_transact_reply(h->engine, p, 2), STATUS_INVALID_PARAMETER);
    p[0] = (wf_reply_piece){&out, 8};
    assert_int_equal(wf_transact_reply(h->engine, p, 1), STATUS_INVALID_PARAMETER);
    assert_int_equal(wf_transact_reply(h->engine, p, 0), STATUS_INVALID_PARAMETER);
    /* The read still waits for a good answer. */
    out.len = sizeof out + 3;
    p[0] = (wf_reply_piece){&out, sizeof out};
    assert_int_equal(wf_transact_reply(h->engine, p, 2), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, 3);

    /* An empty body in a piece of its own, with no address: the end of the file. */
    h_submit(h, read_req(handle, buf, sizeof buf));
    out.unique = h_expect(h, FUSE_READ)->unique;
    out.len = sizeof out;
    p[1] = (wf_reply_piece){NULL, 0};
    assert_int_equal(wf_transact_reply(h->engine, p, 2), STATUS_SUCCESS);
    assert_int_equal(h_status(h), STATUS_END_OF_FILE);
    h_idle(h);
}

static void read_longer_than_reply_max_is_malformed(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    char buf[4];
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactReadKind);

    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Length = sizeof buf;
    h_submit(h, req);
    h_expect(h, FUSE_READ);
    h_reply_raw(h, 0, "too long", 8);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_NETWORK_RESPONSE);
}

static void read_split_by_max_read(void **state)
{
    harness h;
    wf_engine_config config;
    static char buf[3 * 4096];
    FSP_FSCTL_TRANSACT_REQ *req;
    UINT64 handle;
    struct fuse_init_out out;
    (void)state;

    memset(&h, 0, sizeof h);
    wf_engine_config_init(&config);
    h_setup_config(&h, &config);
    h_expect(&h, FUSE_INIT);
    memset(&out, 0, sizeof out);
    out.major = 7;
    out.minor = 31;
    out.flags = FUSE_MAX_PAGES;
    out.max_pages = 1; /* 4 KiB per request */
    out.max_write = 4096;
    h_reply_raw(&h, 0, &out, sizeof out);
    handle = open_file(&h, "\\dir\\file", 1);

    req = h_req(FspFsctlTransactReadKind);
    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Length = sizeof buf;
    h_submit(&h, req);
    for (int i = 0; i < 3; i++) {
        const struct fuse_read_in *rin;
        static char data[4096];
        h_expect(&h, FUSE_READ);
        rin = h_body(&h);
        assert_int_equal(rin->offset, (UINT64)i * 4096);
        assert_int_equal(rin->size, 4096);
        memset(data, 'a' + i, sizeof data);
        h_reply_raw(&h, 0, data, i == 2 ? 100 : sizeof data);
    }
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_SUCCESS);
    assert_int_equal(h_done(&h)->IoStatus.Information, 2 * 4096 + 100);
    assert_int_equal(buf[4096], 'b');
    assert_int_equal(buf[8192 + 99], 'c');
    h_teardown(&h);
}

static void write_sends_data(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    static const char data[] = "written data";
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactWriteKind);
    const struct fuse_write_in *win;
    struct fuse_write_out wout;

    req->Req.Write.UserContext2 = handle;
    req->Req.Write.Address = (UINT64)(uintptr_t)data;
    req->Req.Write.Offset = 8;
    req->Req.Write.Length = sizeof data;
    h_submit(h, req);
    h_expect(h, FUSE_WRITE);
    win = h_body(h);
    assert_int_equal(win->offset, 8);
    assert_int_equal(win->size, sizeof data);
    assert_int_equal(win->fh, 42);
    assert_memory_equal((const char *)h_body(h) + sizeof *win, data, sizeof data);
    memset(&wout, 0, sizeof wout);
    wout.size = sizeof data;
    h_reply_raw(h, 0, &wout, sizeof wout);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->IoStatus.Information, sizeof data);
    assert_int_equal(h_done(h)->Rsp.Write.FileInfo.FileSize, 8 + sizeof data);
}

static void write_to_end_of_file(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactWriteKind);
    struct fuse_write_out wout;

    req->Req.Write.UserContext2 = handle;
    req->Req.Write.Address = (UINT64)(uintptr_t)"xy";
    req->Req.Write.Offset = UINT64_MAX;
    req->Req.Write.Length = 2;
    h_submit(h, req);
    h_expect(h, FUSE_GETATTR);
    h_reply_attr(h, 3, REG_MODE, 1000, 1);
    h_expect(h, FUSE_WRITE);
    assert_int_equal(((const struct fuse_write_in *)h_body(h))->offset, 1000);
    memset(&wout, 0, sizeof wout);
    wout.size = 2;
    h_reply_raw(h, 0, &wout, sizeof wout);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->Rsp.Write.FileInfo.FileSize, 1002);
}

static void bad_handles(void **state)
{
    harness *h = *state;
    UINT32 kinds[] = {FspFsctlTransactReadKind, FspFsctlTransactCloseKind,
        FspFsctlTransactQueryInformationKind, FspFsctlTransactCleanupKind};

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        FSP_FSCTL_TRANSACT_REQ *req = h_req(kinds[i]);
        /* UserContext2 is the first field of every per-file request. */
        req->Req.Close.UserContext2 = 0x1234567800000003ull;
        h_submit(h, req);
        h_idle(h);
        assert_int_equal(h_status(h), STATUS_INVALID_HANDLE);
    }
}

static void close_releases(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactCloseKind);
    wf_engine_stats stats;

    req->Req.Close.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_RELEASE);
    assert_int_equal(((const struct fuse_release_in *)h_body(h))->fh, 42);
    h_reply_ok(h);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    wf_engine_get_stats(h->engine, &stats);
    assert_int_equal(stats.open_files, 0);

    /* The same handle again is stale. */
    req = h_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    h_submit(h, req);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_HANDLE);
}

static void cleanup_deletes(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactCleanupKind);
    const struct fuse_in_header *in;

    req->Req.Cleanup.UserContext2 = handle;
    req->Req.Cleanup.Delete = 1;
    req->FileName = h_req_wstr(req, "\\dir\\file");
    h_submit(h, req);
    in = h_expect(h, FUSE_UNLINK);
    assert_int_equal(in->nodeid, 2);
    assert_string_equal(h_name(h, 0), "file");
    h_reply_ok(h);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    /* The name is gone from the cache: the next open asks again. */
    h_submit(h, h_create_req("\\dir\\file", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void cleanup_flushes_once_enosys(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactCleanupKind);

    req->Req.Cleanup.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_FLUSH);
    h_reply_err(h, LINUX_ENOSYS);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    req = h_req(FspFsctlTransactCleanupKind);
    req->Req.Cleanup.UserContext2 = handle;
    h_submit(h, req);
    h_idle(h); /* no FLUSH: the file system said it has none */
    assert_int_equal(h_status(h), STATUS_SUCCESS);
}

static void unknown_unique_rejected(void **state)
{
    harness *h = *state;
    struct fuse_out_header out = {sizeof out, 0, 987654};
    size_t len;

    assert_int_equal(wf_transact(h->engine, &out, sizeof out, NULL, 0, &len),
        STATUS_INVALID_PARAMETER);
    out.len = 3; /* a header that lies about its length */
    assert_int_equal(wf_transact(h->engine, &out, sizeof out, NULL, 0, &len),
        STATUS_INVALID_PARAMETER);
    assert_int_equal(wf_transact(h->engine, &out, 4, NULL, 0, &len), STATUS_INVALID_PARAMETER);
    /* The engine still works. */
    h_submit(h, h_create_req("\\z", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void malformed_replies_fail_one_request(void **state)
{
    harness *h = *state;
    struct fuse_entry_out e;

    /* A LOOKUP reply of the wrong size. */
    h_submit(h, h_create_req("\\a", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_raw(h, 0, "short", 5);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_NETWORK_RESPONSE);

    /* A positive error. */
    h_submit(h, h_create_req("\\b", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_raw(h, 5, NULL, 0);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_NETWORK_RESPONSE);

    /* An error with a body. */
    h_submit(h, h_create_req("\\c", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_raw(h, -LINUX_ENOENT, "x", 1);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_NETWORK_RESPONSE);

    /* An entry with a bogus file type and one naming the root. */
    h_submit(h, h_create_req("\\d", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    memset(&e, 0, sizeof e);
    e.nodeid = 50;
    e.attr.mode = 0170000;
    h_reply_raw(h, 0, &e, sizeof e);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_NETWORK_RESPONSE);
    h_submit(h, h_create_req("\\e", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, FUSE_ROOT_ID, DIR_MODE, 0, 1);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_NETWORK_RESPONSE);
}

static void stop_releases_waiters(void **state)
{
    harness *h = *state;
    size_t len;

    h_submit(h, h_create_req("\\a", FILE_OPEN, 0, FILE_READ_DATA));
    h_submit(h, h_create_req("\\b", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_LOOKUP);
    /* A second thread takes the second request; neither is answered. */
    assert_int_equal(wf_transact(h->engine, NULL, 0, h->out, H_BUF, &len), STATUS_SUCCESS);
    assert_true(len > 0);
    wf_engine_stop(h->engine);
    assert_int_equal(h->ndone, 2);
    assert_int_equal((NTSTATUS)h->done[0]->IoStatus.Status, STATUS_CANCELLED);
    assert_int_equal((NTSTATUS)h->done[1]->IoStatus.Status, STATUS_CANCELLED);
    assert_int_equal(wf_transact(h->engine, NULL, 0, h->out, H_BUF, &len), STATUS_CANCELLED);
}

static void query_volume(void **state)
{
    harness *h = *state;
    struct fuse_statfs_out st;
    const FSP_FSCTL_VOLUME_INFO *vi;

    h_submit(h, h_req(FspFsctlTransactQueryVolumeInformationKind));
    h_expect(h, FUSE_STATFS);
    memset(&st, 0, sizeof st);
    st.st.blocks = 1000;
    st.st.bavail = 250;
    st.st.bfree = 300;
    st.st.bsize = 4096;
    st.st.frsize = 4096;
    h_reply_raw(h, 0, &st, sizeof st);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    vi = &h_done(h)->Rsp.QueryVolumeInformation.VolumeInfo;
    assert_int_equal(vi->TotalSize, 1000 * 4096);
    assert_int_equal(vi->FreeSize, 250 * 4096);
}

static void query_information_uses_attr_cache(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactQueryInformationKind);

    req->Req.QueryInformation.UserContext2 = handle;
    h_submit(h, req);
    h_idle(h); /* attr_valid was 60 s: no GETATTR */
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->Rsp.QueryInformation.FileInfo.FileSize, 10);
}

/* Append one READDIRPLUS entry. */
static size_t put_direntplus(UINT8 *buf, size_t at, UINT64 nodeid, const char *name,
    UINT32 mode, UINT64 off)
{
    struct fuse_direntplus d;
    size_t len = strlen(name);
    memset(&d, 0, sizeof d);
    d.entry_out.nodeid = nodeid;
    d.entry_out.entry_valid = 60;
    d.entry_out.attr_valid = 60;
    d.entry_out.attr = h_attr(nodeid ? nodeid : 99, mode, 7);
    d.dirent.ino = nodeid;
    d.dirent.off = off;
    d.dirent.namelen = (UINT32)len;
    d.dirent.type = (mode & LINUX_S_IFMT) >> 12;
    memcpy(buf + at, &d, sizeof d);
    memcpy(buf + at + sizeof d, name, len);
    memset(buf + at + sizeof d + len, 0, FUSE_DIRENTPLUS_SIZE(&d) - sizeof d - len);
    return at + FUSE_DIRENTPLUS_SIZE(&d);
}

static void query_directory_plus(void **state)
{
    harness *h = *state;
    static UINT8 listing[4096], out[4096];
    FSP_FSCTL_TRANSACT_REQ *req;
    size_t n = 0, pos = 0, names = 0;
    UINT64 handle, marker = 0;
    wf_engine_stats before, after;
    const FSP_FSCTL_DIR_INFO *di;

    h_submit(h, h_create_req("\\dir", FILE_OPEN, FILE_DIRECTORY_FILE, FILE_LIST_DIRECTORY));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 2, DIR_MODE, 0, 60);
    h_expect(h, FUSE_OPENDIR);
    h_reply_open(h, 11);
    h_idle(h);
    handle = h_done(h)->Rsp.Create.Opened.UserContext2;

    req = h_req(FspFsctlTransactQueryDirectoryKind);
    req->Req.QueryDirectory.UserContext2 = handle;
    req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)out;
    req->Req.QueryDirectory.Length = sizeof out;
    req->Req.QueryDirectory.Pattern = h_req_wstr(req, "*.txt");
    h_submit(h, req);
    h_expect(h, FUSE_READDIRPLUS);
    assert_int_equal(((const struct fuse_read_in *)h_body(h))->fh, 11);
    n = put_direntplus(listing, n, 0, ".", DIR_MODE, 1);
    n = put_direntplus(listing, n, 0, "..", DIR_MODE, 2);
    n = put_direntplus(listing, n, 30, "a.txt", REG_MODE, 3);
    n = put_direntplus(listing, n, 31, "b.bin", REG_MODE, 4);
    n = put_direntplus(listing, n, 32, "c.txt", REG_MODE, 5);
    wf_engine_get_stats(h->engine, &before);
    h_reply_raw(h, 0, listing, n);
    h_expect(h, FUSE_READDIRPLUS);
    assert_int_equal(((const struct fuse_read_in *)h_body(h))->offset, 5);
    h_reply_raw(h, 0, NULL, 0);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    wf_engine_get_stats(h->engine, &after);
    /* Three entries were lookups, cached by name. */
    assert_int_equal(after.nodes, before.nodes + 3);

    while (pos + sizeof(UINT16) <= h_done(h)->IoStatus.Information) {
        di = (const FSP_FSCTL_DIR_INFO *)(out + pos);
        if (di->Size == 0)
            break;
        names++;
        marker = di->NextOffset;
        assert_int_equal(di->FileInfo.FileSize, 7);
        pos += FSP_FSCTL_DEFAULT_ALIGN_UP(di->Size);
    }
    /* "." ".." "a.txt" "c.txt" would match "*" but the pattern keeps two. */
    assert_int_equal(names, 2);
    assert_int_equal(marker, 5);
    di = (const FSP_FSCTL_DIR_INFO *)out;
    assert_int_equal(di->FileNameBuf[0], 'a');

    /* Resuming: the marker as WinFsp sends it, the offset and a NUL WCHAR. */
    {
        UINT8 m[10];
        memcpy(m, &marker, 8);
        m[8] = m[9] = 0;
        req = h_req(FspFsctlTransactQueryDirectoryKind);
        req->Req.QueryDirectory.UserContext2 = handle;
        req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)out;
        req->Req.QueryDirectory.Length = sizeof out;
        req->Req.QueryDirectory.Marker = h_req_bytes(req, m, sizeof m);
        h_submit(h, req);
        h_expect(h, FUSE_READDIRPLUS);
        assert_int_equal(((const struct fuse_read_in *)h_body(h))->offset, 5);
        h_reply_raw(h, 0, NULL, 0);
        h_idle(h);
        assert_int_equal(h_status(h), STATUS_SUCCESS);
    }
}

/* FUSE_NOTIFY_INVAL_ENTRY for (parent, name), extra bytes past the name's NUL. */
static NTSTATUS inval_entry(harness *h, UINT64 parent, const char *name, size_t extra)
{
    UINT8 buf[sizeof(struct fuse_out_header) + sizeof(struct fuse_notify_inval_entry_out) + 64];
    struct fuse_out_header hdr;
    struct fuse_notify_inval_entry_out e;
    size_t nlen = strlen(name), size = sizeof hdr + sizeof e + nlen + 1 + extra, len;

    assert_true(size <= sizeof buf);
    memset(buf, 0, sizeof buf);
    memset(&hdr, 0, sizeof hdr);
    hdr.len = (UINT32)size;
    hdr.error = FUSE_NOTIFY_INVAL_ENTRY;
    memset(&e, 0, sizeof e);
    e.parent = parent;
    e.namelen = (UINT32)nlen;
    memcpy(buf, &hdr, sizeof hdr);
    memcpy(buf + sizeof hdr, &e, sizeof e);
    memcpy(buf + sizeof hdr + sizeof e, name, nlen);
    return wf_transact(h->engine, buf, size, NULL, 0, &len);
}

static void forgets_are_sent(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactCloseKind);
    const struct fuse_in_header *in;
    wf_engine_stats stats;

    req->Req.Close.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_RELEASE);
    h_reply_ok(h);
    h_idle(h);
    /* Entries are still cached (60 s): nothing to forget yet. */
    wf_engine_get_stats(h->engine, &stats);
    assert_int_equal(stats.forgets, 0);
    assert_int_equal(stats.nodes, 3);

    /* Deleting the entry drops the last reference to inode 3. */
    h_submit(h, h_create_req("\\dir\\file", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(h, FUSE_OPEN);
    h_reply_err(h, LINUX_EACCES);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_ACCESS_DENIED);
    assert_int_equal(inval_entry(h, 2, "file", 0), STATUS_SUCCESS);
    /* One byte more than the name and its NUL is a malformed notification. */
    assert_int_equal(inval_entry(h, 2, "file", 1), STATUS_INVALID_PARAMETER);
    in = h_expect(h, FUSE_FORGET);
    assert_int_equal(in->nodeid, 3);
    assert_int_equal(((const struct fuse_forget_in *)h_body(h))->nlookup, 1);
    h_idle(h);
    wf_engine_get_stats(h->engine, &stats);
    assert_int_equal(stats.forgets, 1);
}

static void rename_without_replace_collides(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactSetInformationKind);

    req->Req.SetInformation.UserContext2 = handle;
    req->Req.SetInformation.FileInformationClass = FileRenameInformation;
    req->FileName = h_req_wstr(req, "\\dir\\file");
    req->Req.SetInformation.Info.Rename.NewFileName = h_req_wstr(req, "\\dir\\other");
    h_submit(h, req);
    h_expect(h, FUSE_LOOKUP);
    assert_string_equal(h_name(h, 0), "other");
    h_reply_entry(h, 40, REG_MODE, 0, 60);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_COLLISION);
}

static void rename_noreplace(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactSetInformationKind);
    const struct fuse_rename2_in *rin;

    req->Req.SetInformation.UserContext2 = handle;
    req->Req.SetInformation.FileInformationClass = FileRenameInformation;
    req->FileName = h_req_wstr(req, "\\dir\\file");
    req->Req.SetInformation.Info.Rename.NewFileName = h_req_wstr(req, "\\newname");
    h_submit(h, req);
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_expect(h, FUSE_RENAME2);
    rin = h_body(h);
    assert_int_equal(rin->newdir, FUSE_ROOT_ID);
    assert_int_equal(rin->flags, LINUX_RENAME_NOREPLACE);
    assert_string_equal(h_name(h, sizeof *rin), "file");
    assert_string_equal(h_name(h, sizeof *rin) + 5, "newname");
    h_reply_ok(h);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
}

static void delete_checks(void **state)
{
    harness *h = *state;
    UINT64 handle;
    FSP_FSCTL_TRANSACT_REQ *req;
    UINT8 listing[512];
    size_t n = 0;

    /* A read-only file cannot be marked for deletion. */
    h_submit(h, h_create_req("\\ro", FILE_OPEN, 0, DELETE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 60, LINUX_S_IFREG | 0444, 0, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 1);
    h_idle(h);
    assert_true(h_done(h)->Rsp.Create.Opened.FileInfo.FileAttributes & FILE_ATTRIBUTE_READONLY);
    handle = h_done(h)->Rsp.Create.Opened.UserContext2;
    req = h_req(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.UserContext2 = handle;
    req->Req.SetInformation.FileInformationClass = FileDispositionInformation;
    req->Req.SetInformation.Info.Disposition.Delete = 1;
    h_submit(h, req);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_CANNOT_DELETE);

    /* A directory with entries cannot either. */
    h_submit(h, h_create_req("\\full", FILE_OPEN, FILE_DIRECTORY_FILE, DELETE));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 61, DIR_MODE, 0, 60);
    h_expect(h, FUSE_OPENDIR);
    h_reply_open(h, 2);
    h_idle(h);
    handle = h_done(h)->Rsp.Create.Opened.UserContext2;
    req = h_req(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.UserContext2 = handle;
    req->Req.SetInformation.FileInformationClass = FileDispositionInformation;
    req->Req.SetInformation.Info.Disposition.Delete = 1;
    h_submit(h, req);
    h_expect(h, FUSE_READDIR);
    {
        struct fuse_dirent d;
        const char *names[] = {".", "..", "x"};
        for (int i = 0; i < 3; i++) {
            memset(&d, 0, sizeof d);
            d.ino = 1;
            d.off = (UINT64)i + 1;
            d.namelen = (UINT32)strlen(names[i]);
            memcpy(listing + n, &d, sizeof d);
            memset(listing + n + sizeof d, 0, 8);
            memcpy(listing + n + sizeof d, names[i], d.namelen);
            n += FUSE_DIRENT_SIZE(&d);
        }
    }
    h_reply_raw(h, 0, listing, n);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_DIRECTORY_NOT_EMPTY);
}

static void query_security_maps_mode(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactQuerySecurityKind);
    FSP_FSCTL_TRANSACT_RSP *rsp;

    req->Req.QuerySecurity.UserContext2 = handle;
    h_submit(h, req);
    h_idle(h);
    rsp = h_done(h);
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_SUCCESS);
    /* A self-relative descriptor: revision 1, SE_SELF_RELATIVE set. */
    assert_true(rsp->Rsp.QuerySecurity.SecurityDescriptor.Size >= 20);
    assert_int_equal(rsp->Buffer[rsp->Rsp.QuerySecurity.SecurityDescriptor.Offset], 1);
}

static void symlink_reparse_point(void **state)
{
    harness *h = *state;
    FSP_FSCTL_TRANSACT_REQ *req;
    FSP_FSCTL_TRANSACT_RSP *rsp;
    UINT64 handle;
    const UINT8 *rp;

    h_submit(h, h_create_req("\\link", FILE_OPEN, FILE_OPEN_REPARSE_POINT, FILE_READ_ATTRIBUTES));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 70, LNK_MODE, 5, 60);
    h_idle(h); /* no OPEN for a symlink */
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->Rsp.Create.Opened.FileInfo.ReparseTag, IO_REPARSE_TAG_SYMLINK);
    handle = h_done(h)->Rsp.Create.Opened.UserContext2;

    req = h_req(FspFsctlTransactFileSystemControlKind);
    req->Req.FileSystemControl.UserContext2 = handle;
    req->Req.FileSystemControl.FsControlCode = FSCTL_GET_REPARSE_POINT;
    h_submit(h, req);
    h_expect(h, FUSE_READLINK);
    h_reply_raw(h, 0, "a/b", 3);
    h_idle(h);
    rsp = h_done(h);
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_SUCCESS);
    rp = rsp->Buffer + rsp->Rsp.FileSystemControl.Buffer.Offset;
    assert_int_equal(rp[0] | rp[1] << 8 | rp[2] << 16 | (UINT32)rp[3] << 24,
        IO_REPARSE_TAG_SYMLINK);
    /* Flags: relative; substitute name "a\b". */
    assert_int_equal(rp[16], SYMLINK_FLAG_RELATIVE);
    assert_int_equal(rp[20], 'a');
    assert_int_equal(rp[22], '\\');
    assert_int_equal(rp[24], 'b');
}

static void invalid_names_rejected(void **state)
{
    harness *h = *state;
    const char *bad[] = {"\\a\\..\\b", "\\a*b", "\\a\\\\b", "\\.", "\\x:y"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h_submit(h, h_create_req(bad[i], FILE_OPEN, 0, FILE_READ_DATA));
        h_idle(h);
        assert_int_equal(h_status(h), STATUS_OBJECT_NAME_INVALID);
    }
}

/* READDIR entries (off = index + 1) into buf; returns the length. */
static size_t dir_listing(UINT8 *buf, const char *const *names, int count)
{
    size_t n = 0;
    for (int i = 0; i < count; i++) {
        struct fuse_dirent d;
        size_t len = strlen(names[i]);
        memset(&d, 0, sizeof d);
        d.ino = 100 + (UINT64)i;
        d.off = (UINT64)i + 1;
        d.namelen = (UINT32)len;
        memset(buf + n, 0, FUSE_DIRENT_SIZE(&d));
        memcpy(buf + n, &d, sizeof d);
        memcpy(buf + n + sizeof d, names[i], len);
        n += FUSE_DIRENT_SIZE(&d);
    }
    return n;
}

static void expect_listing(harness *h, const char *const *names, int count)
{
    UINT8 listing[1024];
    h_expect(h, FUSE_OPENDIR);
    h_reply_open(h, 9);
    h_expect(h, FUSE_READDIR);
    h_reply_raw(h, 0, listing, dir_listing(listing, names, count));
    h_expect(h, FUSE_READDIR);
    h_reply_raw(h, 0, NULL, 0);
    h_expect(h, FUSE_RELEASEDIR);
    h_reply_ok(h);
}

/* A harness on a case-insensitive volume. */
static void ci_setup(harness *h)
{
    wf_engine_config config;

    memset(h, 0, sizeof *h);
    wf_engine_config_init(&config);
    config.volume_params.CaseSensitiveSearch = 0;
    h_setup_config(h, &config);
    h_init(h, 0, 65536);
}

static void case_insensitive_lookup(void **state)
{
    harness h;
    UINT8 listing[256];
    static const char *const names[] = {"bar", "foo"};
    FSP_FSCTL_TRANSACT_RSP *rsp;
    const WCHAR *name;
    (void)state;

    ci_setup(&h);
    h_submit(&h, h_create_req("\\FOO", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    assert_string_equal(h_name(&h, 0), "FOO");
    h_reply_err(&h, LINUX_ENOENT);
    h_expect(&h, FUSE_OPENDIR);
    h_reply_open(&h, 9);
    h_expect(&h, FUSE_READDIR);
    h_reply_raw(&h, 0, listing, dir_listing(listing, names, 2));
    h_expect(&h, FUSE_RELEASEDIR);
    assert_int_equal(((const struct fuse_release_in *)h_body(&h))->fh, 9);
    h_reply_ok(&h);
    h_expect(&h, FUSE_LOOKUP);
    assert_string_equal(h_name(&h, 0), "foo");
    h_reply_entry(&h, 11, REG_MODE, 3, 60);
    h_expect(&h, FUSE_OPEN);
    h_reply_open(&h, 1);
    h_idle(&h);
    rsp = h_done(&h);
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_SUCCESS);
    /* WinFsp learns the name as the file system spells it. */
    assert_int_equal(rsp->Rsp.Create.Opened.FileName.Size, 4 * sizeof(WCHAR));
    name = (const WCHAR *)(const void *)(rsp->Buffer + rsp->Rsp.Create.Opened.FileName.Offset);
    assert_int_equal(name[0], '\\');
    assert_int_equal(name[1], 'f');
    assert_int_equal(name[3], 'o');

    /* A name absent in every case is not found, after one listing. */
    h_submit(&h, h_create_req("\\none", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    h_reply_err(&h, LINUX_ENOENT);
    h_expect(&h, FUSE_OPENDIR);
    h_reply_open(&h, 9);
    h_expect(&h, FUSE_READDIR);
    h_reply_raw(&h, 0, NULL, 0);
    h_expect(&h, FUSE_RELEASEDIR);
    h_reply_ok(&h);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_OBJECT_NAME_NOT_FOUND);
    h_teardown(&h);
}

/*
 * One listing answers later misses in the same directory while names may
 * be cached; what the engine creates joins it; a name it gives that is
 * gone brings a fresh listing.
 */
static void case_insensitive_index(void **state)
{
    harness h;
    static const char *const names[] = {"a", "Foo", "bar"};
    static const char *const names_after[] = {"a", "Foo"};
    (void)state;

    ci_setup(&h);

    /* An entry the file system lets be cached for 60 s. */
    h_submit(&h, h_create_req("\\a", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    h_reply_entry(&h, 10, REG_MODE, 0, 60);
    h_expect(&h, FUSE_OPEN);
    h_reply_open(&h, 1);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_SUCCESS);

    /* The first miss lists the directory... */
    h_submit(&h, h_create_req("\\x1", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    h_reply_err(&h, LINUX_ENOENT);
    expect_listing(&h, names, 3);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_OBJECT_NAME_NOT_FOUND);

    /* ... the next ones do not. */
    h_submit(&h, h_create_req("\\x2", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    h_reply_err(&h, LINUX_ENOENT);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_OBJECT_NAME_NOT_FOUND);
    h_submit(&h, h_create_req("\\FOO", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    assert_string_equal(h_name(&h, 0), "FOO");
    h_reply_err(&h, LINUX_ENOENT);
    h_expect(&h, FUSE_LOOKUP);
    assert_string_equal(h_name(&h, 0), "Foo");
    h_reply_entry(&h, 11, REG_MODE, 0, 60);
    h_expect(&h, FUSE_OPEN);
    h_reply_open(&h, 2);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_SUCCESS);

    /* A file the engine creates is known at once in every case. */
    {
        struct {
            struct fuse_entry_out e;
            struct fuse_open_out o;
        } reply;
        h_submit(&h, h_create_req("\\New", FILE_CREATE, 0, FILE_GENERIC_WRITE));
        h_expect(&h, FUSE_LOOKUP);
        h_reply_err(&h, LINUX_ENOENT);
        h_expect(&h, FUSE_CREATE);
        memset(&reply, 0, sizeof reply);
        reply.e.nodeid = 12;
        reply.e.entry_valid = reply.e.attr_valid = 60;
        reply.e.attr = h_attr(12, REG_MODE, 0);
        reply.o.fh = 3;
        h_reply_raw(&h, 0, &reply, sizeof reply);
        h_idle(&h);
        assert_int_equal(h_status(&h), STATUS_SUCCESS);
    }
    h_submit(&h, h_create_req("\\NEW", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    h_reply_err(&h, LINUX_ENOENT);
    h_expect(&h, FUSE_OPEN);
    h_reply_open(&h, 4);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_SUCCESS);

    /* "bar" went behind the engine's back: its LOOKUP says so, and the directory is listed anew. */
    h_submit(&h, h_create_req("\\BAR", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    assert_string_equal(h_name(&h, 0), "BAR");
    h_reply_err(&h, LINUX_ENOENT);
    h_expect(&h, FUSE_LOOKUP);
    assert_string_equal(h_name(&h, 0), "bar");
    h_reply_err(&h, LINUX_ENOENT);
    expect_listing(&h, names_after, 2);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_OBJECT_NAME_NOT_FOUND);
    h_submit(&h, h_create_req("\\x3", FILE_OPEN, 0, FILE_READ_DATA));
    h_expect(&h, FUSE_LOOKUP);
    h_reply_err(&h, LINUX_ENOENT);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_OBJECT_NAME_NOT_FOUND);
    h_teardown(&h);
}

static void cancel_interrupts(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    char buf[16];
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactReadKind);
    UINT64 hint = req->Hint, read_unique;
    const struct fuse_in_header *in;
    struct fuse_out_header out;

    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Length = sizeof buf;
    h_submit(h, req);
    in = h_expect(h, FUSE_READ);
    read_unique = in->unique;
    /* A hint nobody has changes nothing. */
    wf_engine_cancel(h->engine, 12345);
    assert_null(h_transact(h));
    wf_engine_cancel(h->engine, hint);
    in = h_expect(h, FUSE_INTERRUPT);
    assert_int_equal(in->unique, read_unique | 1);
    assert_int_equal(((const struct fuse_interrupt_in *)h_body(h))->unique, read_unique);
    /* The file system answers the interrupt "try later", then the read with EINTR. */
    out.len = sizeof out;
    out.error = -LINUX_EAGAIN;
    out.unique = read_unique | 1;
    assert_int_equal(wf_transact(h->engine, &out, sizeof out, NULL, 0, &h->out_len),
        STATUS_SUCCESS);
    out.error = -LINUX_EINTR;
    out.unique = read_unique;
    assert_int_equal(wf_transact(h->engine, &out, sizeof out, NULL, 0, &h->out_len),
        STATUS_SUCCESS);
    assert_int_equal(h_status(h), STATUS_CANCELLED);
}

static void unmount_sends_destroy(void **state)
{
    harness *h = *state;

    h->gone = true;
    h_expect(h, FUSE_DESTROY);
    h_reply_ok(h);
    assert_null(h_transact(h));
    assert_int_equal(h->last_transact, STATUS_CANCELLED);
    /* And never again. */
    assert_null(h_transact(h));
    assert_int_equal(h->last_transact, STATUS_CANCELLED);
}

static void eas_are_user_xattrs(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    /* FILE_FULL_EA_INFORMATION: next 0, flags 0, name "FOO", value "bar". */
    static const UINT8 ea[] = {0, 0, 0, 0, 0, 3, 3, 0, 'F', 'O', 'O', 0, 'b', 'a', 'r'};
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactSetEaKind);
    FSP_FSCTL_TRANSACT_RSP *rsp;
    const UINT8 *p;

    req->Req.SetEa.UserContext2 = handle;
    req->Req.SetEa.Ea = h_req_bytes(req, ea, sizeof ea);
    h_submit(h, req);
    h_expect(h, FUSE_SETXATTR);
    assert_int_equal(((const struct fuse_setxattr_in *)h_body(h))->size, 3);
    assert_string_equal(h_name(h, FUSE_COMPAT_SETXATTR_IN_SIZE), "user.FOO");
    assert_memory_equal(h_name(h, FUSE_COMPAT_SETXATTR_IN_SIZE) + 9, "bar", 3);
    h_reply_ok(h);
    h_expect(h, FUSE_GETATTR);
    h_reply_attr(h, 3, REG_MODE, 10, 1);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    req = h_req(FspFsctlTransactQueryEaKind);
    req->Req.QueryEa.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_LISTXATTR);
    h_reply_raw(h, 0, "security.x\0user.FOO\0", 20);
    h_expect(h, FUSE_GETXATTR);
    assert_string_equal(h_name(h, sizeof(struct fuse_getxattr_in)), "user.FOO");
    h_reply_raw(h, 0, "bar", 3);
    h_idle(h);
    rsp = h_done(h);
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_SUCCESS);
    assert_int_equal(rsp->Rsp.QueryEa.Ea.Size, sizeof ea);
    p = rsp->Buffer + rsp->Rsp.QueryEa.Ea.Offset;
    assert_memory_equal(p, ea, sizeof ea);

    /* A list whose entry runs past its end changes nothing. */
    req = h_req(FspFsctlTransactSetEaKind);
    req->Req.SetEa.UserContext2 = handle;
    req->Req.SetEa.Ea = h_req_bytes(req, ea, sizeof ea - 1);
    h_submit(h, req);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_EA_LIST_INCONSISTENT);
}

static void user_mode_access_checked(void **state)
{
    harness h;
    wf_engine_config config;
    FSP_FSCTL_TRANSACT_REQ *req;
    (void)state;

    memset(&h, 0, sizeof h);
    wf_engine_config_init(&config);
    config.default_uid = 1000;
    config.default_gid = 1000;
    h_setup_config(&h, &config);
    h_init(&h, 0, 65536);

    /* Root's 0644 file: a user may read it but not write it. */
    req = h_create_req("\\f", FILE_OPEN, 0, FILE_GENERIC_WRITE);
    req->Req.Create.UserMode = 1;
    h_submit(&h, req);
    h_expect(&h, FUSE_LOOKUP);
    h_reply_entry(&h, 5, REG_MODE, 1, 60);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_ACCESS_DENIED);

    req = h_create_req("\\f", FILE_OPEN, 0, FILE_GENERIC_READ);
    req->Req.Create.UserMode = 1;
    h_submit(&h, req);
    h_expect(&h, FUSE_OPEN);
    h_reply_open(&h, 3);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_SUCCESS);
    assert_int_equal(h_done(&h)->Rsp.Create.Opened.GrantedAccess, FILE_GENERIC_READ);

    /* Creating in root's 0755 directory is refused before anything is made. */
    req = h_create_req("\\d\\new", FILE_CREATE, 0, FILE_GENERIC_WRITE);
    req->Req.Create.UserMode = 1;
    h_submit(&h, req);
    h_expect(&h, FUSE_LOOKUP);
    h_reply_entry(&h, 6, DIR_MODE, 0, 60);
    h_expect(&h, FUSE_LOOKUP);
    h_reply_err(&h, LINUX_ENOENT);
    h_idle(&h);
    assert_int_equal(h_status(&h), STATUS_ACCESS_DENIED);
    h_teardown(&h);
}

static void names_may_carry_their_nul(void **state)
{
    harness *h = *state;
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactCreateKind);
    static const WCHAR name[] = {'\\', 'n', 'u', 'l', 0};

    /* WinFsp counts a terminating NUL in a name's size. */
    req->Req.Create.CreateOptions = FILE_OPEN << 24;
    req->Req.Create.DesiredAccess = FILE_READ_DATA;
    req->FileName = h_req_bytes(req, name, sizeof name);
    h_submit(h, req);
    h_expect(h, FUSE_LOOKUP);
    assert_string_equal(h_name(h, 0), "nul");
    h_reply_err(h, LINUX_ENOENT);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_NOT_FOUND);

    /* A name outside the request is refused before anything goes out. */
    req = h_create_req("\\x", FILE_OPEN, 0, FILE_READ_DATA);
    req->FileName.Offset = 4000;
    h_submit(h, req);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_INVALID);
}

static void overwrite_failure_releases(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactOverwriteKind);

    req->Req.Overwrite.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_SETATTR);
    h_reply_err(h, LINUX_EROFS);
    /* WinFsp sends no Close after a failed Overwrite: the handle goes now. */
    h_expect(h, FUSE_RELEASE);
    assert_int_equal(((const struct fuse_release_in *)h_body(h))->fh, 42);
    h_reply_ok(h);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_MEDIA_WRITE_PROTECTED);
    req = h_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    h_submit(h, req);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_HANDLE);
}

static void special_files_are_nfs_reparse_points(void **state)
{
    harness *h = *state;
    FSP_FSCTL_TRANSACT_REQ *req;
    FSP_FSCTL_TRANSACT_RSP *rsp;
    struct fuse_entry_out e;
    const UINT8 *rp;

    h_submit(h, h_create_req("\\tty", FILE_OPEN, FILE_OPEN_REPARSE_POINT, FILE_READ_ATTRIBUTES));
    h_expect(h, FUSE_LOOKUP);
    memset(&e, 0, sizeof e);
    e.nodeid = 80;
    e.entry_valid = e.attr_valid = 60;
    e.attr = h_attr(80, LINUX_S_IFCHR | 0620, 0);
    e.attr.rdev = (4 << 8) | 1; /* major 4, minor 1 */
    h_reply_raw(h, 0, &e, sizeof e);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    req = h_req(FspFsctlTransactFileSystemControlKind);
    req->Req.FileSystemControl.UserContext2 = h_done(h)->Rsp.Create.Opened.UserContext2;
    req->Req.FileSystemControl.FsControlCode = FSCTL_GET_REPARSE_POINT;
    h_submit(h, req);
    h_idle(h);
    rsp = h_done(h);
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_SUCCESS);
    assert_int_equal(rsp->IoStatus.Information, 24);
    rp = rsp->Buffer + rsp->Rsp.FileSystemControl.Buffer.Offset;
    assert_int_equal(rp[0] | rp[1] << 8 | rp[2] << 16 | (UINT32)rp[3] << 24, IO_REPARSE_TAG_NFS);
    assert_memory_equal(rp + 8, "CHR\0\0\0\0\0", 8);
    assert_int_equal(rp[16], 4);
    assert_int_equal(rp[20], 1);
}

static void close_twice_in_flight(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req;

    for (int i = 0; i < 2; i++) {
        req = h_req(FspFsctlTransactCloseKind);
        req->Req.Close.UserContext2 = handle;
        h_submit(h, req);
    }
    h_expect(h, FUSE_RELEASE);
    /* The handle ended with the first Close: the second finds it invalid. */
    assert_null(h_transact(h));
    assert_int_equal(h_status(h), STATUS_INVALID_HANDLE);
    h_reply_ok(h);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
}

static void request_outlives_its_handle(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    char buf[8];
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactReadKind);
    UINT64 read_unique;

    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Length = sizeof buf;
    h_submit(h, req);
    read_unique = h_expect(h, FUSE_READ)->unique;
    /* A Close while the read is out (no WinFsp would, but a provider might). */
    req = h_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_RELEASE);
    h_reply_ok(h);
    assert_null(h_transact(h));
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    /* The read's reply still finds its file. */
    h_reply_to(h, read_unique, 0, "ok", 2);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_memory_equal(buf, "ok", 2);
}

static FSP_FSCTL_TRANSACT_REQ *write_req(UINT64 handle, UINT64 offset, const char *data)
{
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactWriteKind);
    req->Req.Write.UserContext2 = handle;
    req->Req.Write.Address = (UINT64)(uintptr_t)data;
    req->Req.Write.Offset = offset;
    req->Req.Write.Length = (UINT32)strlen(data);
    return req;
}

static void reply_written(harness *h, UINT32 size)
{
    struct fuse_write_out wout;
    memset(&wout, 0, sizeof wout);
    wout.size = size;
    h_reply_raw(h, 0, &wout, sizeof wout);
}

static FSP_FSCTL_TRANSACT_REQ *query_req(UINT64 handle)
{
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactQueryInformationKind);
    req->Req.QueryInformation.UserContext2 = handle;
    return req;
}

/*
 * A GETATTR answered before a WRITE but delivered after it completed
 * carries the old size: it answers its own query, but must not be cached
 * (later queries would see the file shrink back for attr_valid).
 */
static void attr_reply_older_than_write_not_cached(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    UINT64 getattr_unique;
    struct fuse_attr_out a;

    h_submit(h, write_req(handle, 10, "abcdefgh"));
    h_expect(h, FUSE_WRITE);
    reply_written(h, 8);
    h_idle(h);
    assert_int_equal(h_done(h)->Rsp.Write.FileInfo.FileSize, 18);

    /* A query asks (the write left the attributes to be asked); a second write passes it. */
    h_submit(h, query_req(handle));
    getattr_unique = h_expect(h, FUSE_GETATTR)->unique;
    h_submit(h, write_req(handle, 18, "ijklmnop"));
    h_expect(h, FUSE_WRITE);
    reply_written(h, 8);
    assert_null(h_transact(h));
    assert_int_equal(h_done(h)->Rsp.Write.FileInfo.FileSize, 26);

    /* The file system had answered the GETATTR before the write: size 18, valid 60 s. */
    memset(&a, 0, sizeof a);
    a.attr_valid = 60;
    a.attr = h_attr(3, REG_MODE, 18);
    h_reply_to(h, getattr_unique, 0, &a, sizeof a);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    /* The next query asks again rather than believe the old answer. */
    h_submit(h, query_req(handle));
    h_expect(h, FUSE_GETATTR);
    h_reply_attr(h, 3, REG_MODE, 26, 60);
    h_idle(h);
    assert_int_equal(h_done(h)->Rsp.QueryInformation.FileInfo.FileSize, 26);

    /* An answer that left after the last change is cached as usual. */
    h_submit(h, query_req(handle));
    h_idle(h);
    assert_int_equal(h_done(h)->Rsp.QueryInformation.FileInfo.FileSize, 26);
}

/*
 * A LOOKUP answered before a write, whose reply comes after the written
 * file's node was forgotten (its handle closed, its entry dropped): the
 * node made anew must not take the older size as fresh.
 */
static void lookup_reply_older_than_forgotten_write_not_cached(void **state)
{
    harness *h = *state;
    UINT64 handle = open_file(h, "\\dir\\file", 42);
    FSP_FSCTL_TRANSACT_REQ *req;
    UINT64 lookup_unique;
    struct fuse_entry_out e;

    /* The file system drops the name from the cache: the next open asks. */
    assert_int_equal(inval_entry(h, 2, "file", 0), STATUS_SUCCESS);
    h_submit(h, h_create_req("\\dir\\file", FILE_OPEN, 0, FILE_READ_DATA));
    lookup_unique = h_expect(h, FUSE_LOOKUP)->unique;

    /* Meanwhile the file grows to 18 and its only handle goes: inode 3 is forgotten. */
    h_submit(h, write_req(handle, 10, "abcdefgh"));
    h_expect(h, FUSE_WRITE);
    reply_written(h, 8);
    assert_null(h_transact(h));
    req = h_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    h_submit(h, req);
    h_expect(h, FUSE_RELEASE);
    h_reply_ok(h);
    assert_int_equal(h_expect(h, FUSE_FORGET)->nodeid, 3);

    /* The LOOKUP had been answered before the write: size 10, valid 60 s. */
    memset(&e, 0, sizeof e);
    e.nodeid = 3;
    e.entry_valid = e.attr_valid = 60;
    e.attr = h_attr(3, REG_MODE, 10);
    h_reply_to(h, lookup_unique, 0, &e, sizeof e);
    /* Not believed: the open asks for the attributes. */
    h_expect(h, FUSE_GETATTR);
    h_reply_attr(h, 3, REG_MODE, 18, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 43);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->Rsp.Create.Opened.FileInfo.FileSize, 18);
}

static FSP_FSCTL_TRANSACT_REQ *rename_req(UINT64 handle, const char *from, const char *to)
{
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactSetInformationKind);
    req->Req.SetInformation.UserContext2 = handle;
    req->Req.SetInformation.FileInformationClass = FileRenameInformation;
    req->Req.SetInformation.Info.Rename.AccessToken = 1; /* replace if exists */
    req->FileName = h_req_wstr(req, from);
    req->Req.SetInformation.Info.Rename.NewFileName = h_req_wstr(req, to);
    return req;
}

/*
 * An open of \dir\old whose LOOKUP is out (*lookup_unique) while
 * \dir\file (node 3) is renamed over \dir\old (node 5): returns the
 * unique of the RENAME, sent and not answered.
 */
static UINT64 lookup_during_rename(harness *h, UINT64 *lookup_unique)
{
    UINT64 handle = open_file(h, "\\dir\\file", 42);

    h_submit(h, h_create_req("\\dir\\old", FILE_OPEN, 0, FILE_GENERIC_READ));
    *lookup_unique = h_expect(h, FUSE_LOOKUP)->unique;
    assert_string_equal(h_name(h, 0), "old");
    h_submit(h, rename_req(handle, "\\dir\\file", "\\dir\\old"));
    h_expect(h, FUSE_LOOKUP); /* the target, to see whether it exists */
    h_reply_entry(h, 5, REG_MODE, 99, 60);
    return h_expect(h, FUSE_RENAME)->unique;
}

/*
 * A LOOKUP of a name answered before a RENAME replaced it, delivered
 * after: it opens what it found, but the name must not stay cached as
 * the replaced file (new opens would reach it for entry_valid).
 */
static void lookup_reply_older_than_rename_not_cached(void **state)
{
    harness *h = *state;
    UINT64 lookup_unique;
    struct fuse_entry_out e;

    lookup_during_rename(h, &lookup_unique);
    h_reply_ok(h); /* the rename is done first */
    h_expect(h, FUSE_FORGET); /* the replaced file's lookup goes back */
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    /* The old file, as the file system saw it before the rename: its attributes are asked again. */
    memset(&e, 0, sizeof e);
    e.nodeid = 5;
    e.entry_valid = e.attr_valid = 60;
    e.attr = h_attr(5, REG_MODE, 99);
    h_reply_to(h, lookup_unique, 0, &e, sizeof e);
    h_expect(h, FUSE_GETATTR);
    h_reply_attr(h, 5, REG_MODE, 99, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 50);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    /* A new open of \dir\old looks the name up again and finds the renamed file. */
    h_submit(h, h_create_req("\\dir\\old", FILE_OPEN, 0, FILE_GENERIC_READ));
    h_expect(h, FUSE_LOOKUP);
    assert_string_equal(h_name(h, 0), "old");
    h_reply_entry(h, 3, REG_MODE, 10, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 51);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->Rsp.Create.Opened.FileInfo.FileSize, 10);
}

/*
 * A LOOKUP answered while a RENAME over its name is still out, seen first:
 * a path-based file system may pair the moved file's node with the
 * replaced file's attributes. The node is used, the attributes are asked.
 */
static void lookup_overlapping_rename_asks_attributes(void **state)
{
    harness *h = *state;
    UINT64 lookup_unique, rename_unique = lookup_during_rename(h, &lookup_unique);
    struct fuse_entry_out e;

    /* Node 3 (the moved file) with the replaced file's attributes. */
    memset(&e, 0, sizeof e);
    e.nodeid = 3;
    e.entry_valid = e.attr_valid = 60;
    e.attr = h_attr(5, REG_MODE, 99);
    h_reply_to(h, lookup_unique, 0, &e, sizeof e);
    h_expect(h, FUSE_GETATTR);
    assert_int_equal(((const struct fuse_in_header *)h->out)->nodeid, 3);
    h_reply_attr(h, 3, REG_MODE, 10, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 50);
    assert_null(h_transact(h));
    assert_int_equal(h_status(h), STATUS_SUCCESS);
    assert_int_equal(h_done(h)->Rsp.Create.Opened.FileInfo.FileSize, 10);
    assert_int_equal(h_done(h)->Rsp.Create.Opened.FileInfo.IndexNumber, 3);

    h_reply_to(h, rename_unique, 0, NULL, 0);
    h_expect(h, FUSE_FORGET);
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    /* Nothing of the overlapping answer was cached: the name is looked up again. */
    h_submit(h, h_create_req("\\dir\\old", FILE_OPEN, 0, FILE_GENERIC_READ));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 3, REG_MODE, 10, 60);
    h_expect(h, FUSE_OPEN);
    h_reply_open(h, 51);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
}

/* A negative LOOKUP answered before a CREATE of the name must not hide the new file. */
static void negative_reply_older_than_create_not_cached(void **state)
{
    harness *h = *state;
    UINT64 lookup_unique;
    struct fuse_entry_out e;
    struct {
        struct fuse_entry_out e;
        struct fuse_open_out o;
    } co;

    h_submit(h, h_create_req("\\dir\\new", FILE_OPEN, 0, FILE_GENERIC_READ));
    h_expect(h, FUSE_LOOKUP);
    h_reply_entry(h, 2, DIR_MODE, 0, 60);
    lookup_unique = h_expect(h, FUSE_LOOKUP)->unique;
    assert_string_equal(h_name(h, 0), "new");

    h_submit(h, h_create_req("\\dir\\new", FILE_CREATE, 0, FILE_GENERIC_READ));
    h_expect(h, FUSE_LOOKUP);
    h_reply_err(h, LINUX_ENOENT);
    h_expect(h, FUSE_CREATE);
    memset(&co, 0, sizeof co);
    co.e.nodeid = 6;
    co.e.entry_valid = co.e.attr_valid = 60;
    co.e.attr = h_attr(6, REG_MODE, 0);
    co.o.fh = 60;
    h_reply_raw(h, 0, &co, sizeof co);
    assert_null(h_transact(h));
    assert_int_equal(h_status(h), STATUS_SUCCESS);

    /* "No such name", as it was when the file system looked. */
    memset(&e, 0, sizeof e);
    e.entry_valid = 60;
    h_reply_to(h, lookup_unique, 0, &e, sizeof e);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_OBJECT_NAME_NOT_FOUND);

    /* The created file is what an open finds now (from the cache: no request). */
    h_submit(h, h_create_req("\\dir\\new", FILE_OPEN, 0, FILE_GENERIC_READ));
    h_expect(h, FUSE_OPEN);
    assert_int_equal(((const struct fuse_in_header *)h->out)->nodeid, 6);
    h_reply_open(h, 61);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_SUCCESS);
}

static void requests_of_unknown_kind(void **state)
{
    harness *h = *state;
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactKindCount + 3);

    h_submit(h, req);
    h_idle(h);
    assert_int_equal(h_status(h), STATUS_INVALID_DEVICE_REQUEST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_negotiates, setup, teardown),
        cmocka_unit_test(init_refuses_old_peer),
        cmocka_unit_test(nothing_before_init),
        cmocka_unit_test_setup_teardown(open_walks_path, setup, teardown),
        cmocka_unit_test_setup_teardown(open_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(open_through_file_is_path_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(open_dir_as_file_and_file_as_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(create_new_file, setup, teardown),
        cmocka_unit_test_setup_teardown(create_existing_collides, setup, teardown),
        cmocka_unit_test_setup_teardown(create_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(create_without_create_op, setup, teardown),
        cmocka_unit_test_setup_teardown(overwrite_truncates, setup, teardown),
        cmocka_unit_test_setup_teardown(read_and_eof, setup, teardown),
        cmocka_unit_test_setup_teardown(reply_in_pieces, setup, teardown),
        cmocka_unit_test_setup_teardown(read_longer_than_reply_max_is_malformed, setup, teardown),
        cmocka_unit_test(read_split_by_max_read),
        cmocka_unit_test_setup_teardown(write_sends_data, setup, teardown),
        cmocka_unit_test_setup_teardown(write_to_end_of_file, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(close_releases, setup, teardown),
        cmocka_unit_test_setup_teardown(cleanup_deletes, setup, teardown),
        cmocka_unit_test_setup_teardown(cleanup_flushes_once_enosys, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_unique_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_replies_fail_one_request, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_releases_waiters, setup, teardown),
        cmocka_unit_test_setup_teardown(query_volume, setup, teardown),
        cmocka_unit_test_setup_teardown(query_information_uses_attr_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(query_directory_plus, setup, teardown),
        cmocka_unit_test_setup_teardown(forgets_are_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(rename_without_replace_collides, setup, teardown),
        cmocka_unit_test_setup_teardown(rename_noreplace, setup, teardown),
        cmocka_unit_test_setup_teardown(delete_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(query_security_maps_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(symlink_reparse_point, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_names_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_of_unknown_kind, setup, teardown),
        cmocka_unit_test(case_insensitive_lookup),
        cmocka_unit_test(case_insensitive_index),
        cmocka_unit_test_setup_teardown(cancel_interrupts, setup, teardown),
        cmocka_unit_test_setup_teardown(unmount_sends_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(eas_are_user_xattrs, setup, teardown),
        cmocka_unit_test(user_mode_access_checked),
        cmocka_unit_test_setup_teardown(names_may_carry_their_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(overwrite_failure_releases, setup, teardown),
        cmocka_unit_test_setup_teardown(special_files_are_nfs_reparse_points, setup, teardown),
        cmocka_unit_test_setup_teardown(close_twice_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(request_outlives_its_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(attr_reply_older_than_write_not_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(lookup_reply_older_than_forgotten_write_not_cached, setup,
            teardown),
        cmocka_unit_test_setup_teardown(lookup_reply_older_than_rename_not_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(lookup_overlapping_rename_asks_attributes, setup,
            teardown),
        cmocka_unit_test_setup_teardown(negative_reply_older_than_create_not_cached, setup,
            teardown),
    };
    return WF_RUN_TESTS(tests);
}
