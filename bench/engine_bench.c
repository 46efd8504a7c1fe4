/*
 * engine_bench.c - the engine alone, driven by a scripted in-process peer.
 *
 * A provider hands the engine WinFsp requests of one kind, over and over;
 * a peer answers every FUSE request with a canned reply. No sockets, no
 * threads: what is measured is the engine's translation work. Beside each
 * engine run, a reference loop does the same job by hand: it takes the
 * same WinFsp request from the same provider, writes the same FUSE request
 * bytes, gets the same canned reply from the same peer, parses it, copies
 * the data, fills the response and completes it. The ratio of the two says
 * what the engine costs over the bare message handling; absolute times on
 * a shared machine mean little, the ratio measured in one process does.
 *
 * The bench also checks two promises of the engine: a Read or Write on an
 * open file is exactly one FUSE round trip, and allocates nothing. Every
 * malloc, calloc and realloc of the process is counted (this file defines
 * them, forwarding to glibc's own), so "allocations per request" is exact.
 *
 * Usage: engine_bench [--kind NAME] [--iterations N] [--rounds R]
 *                     [--callgrind engine|reference] [--list]
 * With --callgrind the program does one round of one side, in a function
 * of its own (bench_engine_measured or bench_reference_measured), for
 * valgrind --tool=callgrind --collect-atstart=no --toggle-collect=...
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "winfuse/engine.h"
#include "winfuse/fuse_proto.h"
#include "winfuse/linux_abi.h"

/* ---- counting allocations: every allocation of the process goes through here ---- */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

static unsigned long long alloc_count;

void *malloc(size_t size)
{
    alloc_count++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    alloc_count++;
    return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
    alloc_count++;
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    __libc_free(ptr);
}

/* ---- the scripted file system ---- */

#define ROOT_ID 1
#define DIR_ID 2
#define FILE_ID 3
#define STALE_ID 4
#define ENTRY_ID0 1000
#define FH_FILE 42
#define FH_DIR 7
#define VALID_LONG 3600        /* seconds: "cached" for the whole run */
#define IO_SIZE 4096
#define DIR_ENTRIES 64
#define DIR_BUF (64 * 1024)
#define BATCH 1000u            /* requests between two untimed interludes */
#define OUT_CAP (1024 * 1024 + 8192)
#define MAX_WRITE (128 * 1024)
#define MAX_READ (32 * 4096)   /* 32 pages, the max_pages the peer offers */

#if defined(__clang__)
#define MEASURED __attribute__((noinline, used))
#else
#define MEASURED __attribute__((noinline, noipa, used))
#endif

/* What the provider hands out. */
enum {
    OP_OPEN_FILE,    /* Create FILE_OPEN "\dir\file" */
    OP_OPEN_STALE,   /* Create FILE_OPEN "\dir\stale" (attributes never cacheable) */
    OP_OPEN_DIR,     /* Create FILE_OPEN "\dir" as a directory */
    OP_READ,
    OP_WRITE,
    OP_QINFO_CACHED,
    OP_QINFO_EXPIRED,
    OP_CLOSE,
    OP_QDIR,
    OP_COUNT,
    OP_NONE = -1
};

typedef struct canned {
    UINT8 *buf;               /* a whole reply, header included */
    size_t len;
} canned;

/* The reference's view of an open file: all it needs to translate requests. */
typedef struct ref_file {
    UINT64 nodeid;
    UINT64 fh;
    UINT32 open_flags;
    struct fuse_attr attr;
} ref_file;

#define REF_FILES 1024u

typedef struct bench {
    wf_engine *engine;

    /* the WinFsp side */
    int op;
    UINT32 remaining, index, completed, failed;
    UINT32 fail_status, fail_kind;
    UINT64 hint;
    FSP_FSCTL_TRANSACT_REQ *tmpl[OP_COUNT];
    UINT64 *handles;          /* UserContext2 of the opens of a batch, for its closes */
    UINT64 handle;            /* the file a kind's requests are about */
    UINT8 *iobuf;             /* Read and Write buffers "in the caller's process" */
    UINT8 *dirbuf;

    /* the FUSE side */
    bool uncached;            /* LOOKUP answers with entry_valid 0 */
    UINT8 *out;
    UINT64 peer_forgets;
    struct {
        canned init, empty, open_file, open_dir, read, write, getattr_file, getattr_stale;
        canned lookup_dir[2], lookup_file[2], lookup_stale[2];
        canned listing;
    } c;

    /* the reference */
    FSP_FSCTL_TRANSACT_REQ *ref_req;
    FSP_FSCTL_TRANSACT_RSP *ref_rsp;
    UINT64 ref_unique;
    UINT32 ref_next_slot;
    ref_file ref_files[REF_FILES];
} bench;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("engine_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xalloc(size_t size)
{
    void *p = calloc(1, size);
    if (!p)
        die("out of memory");
    return p;
}

static canned make_canned(INT32 error, const void *body, size_t len)
{
    struct fuse_out_header h;
    canned c;

    c.len = sizeof h + len;
    c.buf = xalloc(c.len);
    memset(&h, 0, sizeof h);
    h.len = (UINT32)c.len;
    h.error = error;
    memcpy(c.buf, &h, sizeof h);
    if (len)
        memcpy(c.buf + sizeof h, body, len);
    return c;
}

static struct fuse_attr make_attr(UINT64 ino, UINT32 mode, UINT64 size)
{
    struct fuse_attr a;
    memset(&a, 0, sizeof a);
    a.ino = ino;
    a.mode = mode;
    a.size = size;
    a.nlink = 1;
    a.atime = a.mtime = a.ctime = 1700000000;
    a.blksize = 4096;
    a.blocks = (size + 511) / 512;
    return a;
}

static canned make_entry(UINT64 nodeid, UINT32 mode, UINT64 size, UINT64 entry_valid,
    UINT64 attr_valid)
{
    struct fuse_entry_out e;
    memset(&e, 0, sizeof e);
    e.nodeid = nodeid;
    e.entry_valid = entry_valid;
    e.attr_valid = attr_valid;
    e.attr = make_attr(nodeid, mode, size);
    return make_canned(0, &e, sizeof e);
}

static canned make_attr_reply(UINT64 ino, UINT32 mode, UINT64 size, UINT64 valid)
{
    struct fuse_attr_out a;
    memset(&a, 0, sizeof a);
    a.attr_valid = valid;
    a.attr = make_attr(ino, mode, size);
    return make_canned(0, &a, sizeof a);
}

static canned make_open(UINT64 fh)
{
    struct fuse_open_out o;
    memset(&o, 0, sizeof o);
    o.fh = fh;
    return make_canned(0, &o, sizeof o);
}

static canned make_listing(void)
{
    static UINT8 body[DIR_ENTRIES * 256];
    size_t n = 0;

    for (UINT32 i = 0; i < DIR_ENTRIES; i++) {
        struct fuse_direntplus d;
        char name[16];
        size_t len = (size_t)snprintf(name, sizeof name, "file%04u", (unsigned)i);
        size_t size;

        memset(&d, 0, sizeof d);
        d.entry_out.nodeid = ENTRY_ID0 + i;
        d.entry_out.entry_valid = VALID_LONG;
        d.entry_out.attr_valid = VALID_LONG;
        d.entry_out.attr = make_attr(ENTRY_ID0 + i, LINUX_S_IFREG | 0644, 1000 + i);
        d.dirent.ino = ENTRY_ID0 + i;
        d.dirent.off = i + 1;
        d.dirent.namelen = (UINT32)len;
        d.dirent.type = LINUX_S_IFREG >> 12;
        size = FUSE_DIRENTPLUS_SIZE(&d);
        memset(body + n, 0, size);
        memcpy(body + n, &d, sizeof d);
        memcpy(body + n + sizeof d, name, len);
        n += size;
    }
    return make_canned(0, body, n);
}

static void peer_init(bench *b)
{
    struct fuse_init_out init;
    static UINT8 data[IO_SIZE];
    struct fuse_write_out wout;

    memset(&init, 0, sizeof init);
    init.major = 7;
    init.minor = 31;
    init.flags = FUSE_DO_READDIRPLUS | FUSE_MAX_PAGES | FUSE_ASYNC_READ | FUSE_BIG_WRITES;
    init.max_write = MAX_WRITE;
    init.max_pages = MAX_READ / 4096;
    b->c.init = make_canned(0, &init, sizeof init);
    b->c.empty = make_canned(0, NULL, 0);
    b->c.open_file = make_open(FH_FILE);
    b->c.open_dir = make_open(FH_DIR);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (UINT8)(i * 7 + 1);
    b->c.read = make_canned(0, data, sizeof data);
    memset(&wout, 0, sizeof wout);
    b->c.write = make_canned(0, &wout, sizeof wout);
    b->c.getattr_file = make_attr_reply(FILE_ID, LINUX_S_IFREG | 0644, 1 << 20, VALID_LONG);
    b->c.getattr_stale = make_attr_reply(STALE_ID, LINUX_S_IFREG | 0644, 1 << 20, 0);
    for (int u = 0; u < 2; u++) {
        UINT64 entry_valid = u ? 0 : VALID_LONG;
        b->c.lookup_dir[u] = make_entry(DIR_ID, LINUX_S_IFDIR | 0755, 0, entry_valid, VALID_LONG);
        b->c.lookup_file[u] = make_entry(FILE_ID, LINUX_S_IFREG | 0644, 1 << 20, entry_valid,
            VALID_LONG);
        b->c.lookup_stale[u] = make_entry(STALE_ID, LINUX_S_IFREG | 0644, 1 << 20, entry_valid, 0);
    }
    b->c.listing = make_listing();
}

/*
 * The peer: the canned reply to a FUSE request (NULL for requests that
 * take none). The reply's unique (and, for READ and WRITE, its size) is
 * patched in place; the buffer stays valid until the next call.
 */
static const canned *peer_answer(bench *b, const UINT8 *msg, size_t len)
{
    struct fuse_in_header in;
    const UINT8 *body = msg + sizeof in;
    canned *r;

    if (len < sizeof in)
        die("peer: a FUSE request of %zu bytes", len);
    memcpy(&in, msg, sizeof in);
    if (in.len != len)
        die("peer: header says %u bytes, the request has %zu", in.len, len);
    switch (in.opcode) {
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
        b->peer_forgets++;
        return NULL;
    case FUSE_INIT:
        r = &b->c.init;
        break;
    case FUSE_LOOKUP: {
        const char *name = (const char *)body;
        int u = b->uncached ? 1 : 0;
        if (in.nodeid == ROOT_ID && memcmp(name, "dir", 4) == 0)
            r = &b->c.lookup_dir[u];
        else if (in.nodeid == DIR_ID && memcmp(name, "file", 5) == 0)
            r = &b->c.lookup_file[u];
        else if (in.nodeid == DIR_ID && memcmp(name, "stale", 6) == 0)
            r = &b->c.lookup_stale[u];
        else
            die("peer: LOOKUP of an unknown name in node %" PRIu64, in.nodeid);
        break;
    }
    case FUSE_OPEN:
        r = &b->c.open_file;
        break;
    case FUSE_OPENDIR:
        r = &b->c.open_dir;
        break;
    case FUSE_READ: {
        struct fuse_read_in rin;
        UINT32 n;
        memcpy(&rin, body, sizeof rin);
        n = rin.size < IO_SIZE ? rin.size : IO_SIZE;
        r = &b->c.read;
        r->len = sizeof(struct fuse_out_header) + n;
        memcpy(r->buf + offsetof(struct fuse_out_header, len), &(UINT32){(UINT32)r->len},
            sizeof(UINT32));
        break;
    }
    case FUSE_WRITE: {
        struct fuse_write_in win;
        memcpy(&win, body, sizeof win);
        r = &b->c.write;
        memcpy(r->buf + sizeof(struct fuse_out_header) + offsetof(struct fuse_write_out, size),
            &win.size, sizeof win.size);
        break;
    }
    case FUSE_GETATTR:
        r = in.nodeid == STALE_ID ? &b->c.getattr_stale : &b->c.getattr_file;
        break;
    case FUSE_RELEASE:
    case FUSE_RELEASEDIR:
    case FUSE_FLUSH:
        r = &b->c.empty;
        break;
    case FUSE_READDIRPLUS: {
        struct fuse_read_in rin;
        memcpy(&rin, body, sizeof rin);
        r = rin.offset == 0 ? &b->c.listing : &b->c.empty;
        break;
    }
    default:
        die("peer: unexpected FUSE opcode %u", in.opcode);
    }
    memcpy(r->buf + offsetof(struct fuse_out_header, unique), &in.unique, sizeof in.unique);
    return r;
}

/* ---- the WinFsp side ---- */

static FSP_FSCTL_TRANSACT_REQ *make_req(UINT32 kind)
{
    FSP_FSCTL_TRANSACT_REQ *req = xalloc(FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
    req->Size = sizeof *req;
    req->Kind = kind;
    return req;
}

static FSP_FSCTL_TRANSACT_REQ *make_create(const char *path, UINT32 options, UINT32 access)
{
    FSP_FSCTL_TRANSACT_REQ *req = make_req(FspFsctlTransactCreateKind);
    WCHAR w[64];
    size_t n = strlen(path);

    for (size_t i = 0; i < n; i++)
        w[i] = (WCHAR)(UINT8)path[i];
    req->Req.Create.CreateOptions = ((UINT32)FILE_OPEN << 24) | options;
    req->Req.Create.DesiredAccess = access;
    req->Req.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE;
    if (!wf_fsctl_req_append(req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, w, n * sizeof(WCHAR),
            &req->FileName))
        die("cannot build a Create request");
    return req;
}

static void provider_init(bench *b)
{
    b->iobuf = xalloc(IO_SIZE);
    b->dirbuf = xalloc(DIR_BUF);
    b->handles = xalloc(BATCH * sizeof *b->handles);
    for (size_t i = 0; i < IO_SIZE; i++)
        b->iobuf[i] = (UINT8)i;
    b->tmpl[OP_OPEN_FILE] = make_create("\\dir\\file", FILE_NON_DIRECTORY_FILE,
        FILE_GENERIC_READ | FILE_GENERIC_WRITE);
    b->tmpl[OP_OPEN_STALE] = make_create("\\dir\\stale", FILE_NON_DIRECTORY_FILE,
        FILE_GENERIC_READ | FILE_GENERIC_WRITE);
    b->tmpl[OP_OPEN_DIR] = make_create("\\dir", FILE_DIRECTORY_FILE, FILE_LIST_DIRECTORY);
    b->tmpl[OP_READ] = make_req(FspFsctlTransactReadKind);
    b->tmpl[OP_READ]->Req.Read.Address = (UINT64)(uintptr_t)b->iobuf;
    b->tmpl[OP_READ]->Req.Read.Length = IO_SIZE;
    b->tmpl[OP_WRITE] = make_req(FspFsctlTransactWriteKind);
    b->tmpl[OP_WRITE]->Req.Write.Address = (UINT64)(uintptr_t)b->iobuf;
    b->tmpl[OP_WRITE]->Req.Write.Length = IO_SIZE;
    b->tmpl[OP_QINFO_CACHED] = make_req(FspFsctlTransactQueryInformationKind);
    b->tmpl[OP_QINFO_EXPIRED] = make_req(FspFsctlTransactQueryInformationKind);
    b->tmpl[OP_CLOSE] = make_req(FspFsctlTransactCloseKind);
    b->tmpl[OP_QDIR] = make_req(FspFsctlTransactQueryDirectoryKind);
    b->tmpl[OP_QDIR]->Req.QueryDirectory.Address = (UINT64)(uintptr_t)b->dirbuf;
    b->tmpl[OP_QDIR]->Req.QueryDirectory.Length = DIR_BUF;
}

/* The file the requests of a kind are about. */
static void provider_set_handle(bench *b, UINT64 handle)
{
    b->handle = handle;
    b->tmpl[OP_READ]->Req.Read.UserContext2 = handle;
    b->tmpl[OP_WRITE]->Req.Write.UserContext2 = handle;
    b->tmpl[OP_QINFO_CACHED]->Req.QueryInformation.UserContext2 = handle;
    b->tmpl[OP_QINFO_EXPIRED]->Req.QueryInformation.UserContext2 = handle;
    b->tmpl[OP_QDIR]->Req.QueryDirectory.UserContext2 = handle;
}

static void provider_arm(bench *b, int op, UINT32 n)
{
    b->op = op;
    b->remaining = n;
    b->index = 0;
    b->completed = 0;
}

static void provider_check(bench *b, UINT32 n)
{
    if (b->failed)
        die("%u WinFsp request(s) failed; the last: kind %u, status 0x%08x", b->failed,
            b->fail_kind, b->fail_status);
    if (b->completed != n || b->remaining != 0)
        die("%u of %u WinFsp requests completed", b->completed, n);
}

static NTSTATUS prov_next(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
    int64_t timeout_ns)
{
    bench *b = context;
    const FSP_FSCTL_TRANSACT_REQ *t;

    (void)timeout_ns;
    if (b->remaining == 0)
        return STATUS_TIMEOUT;
    t = b->tmpl[b->op];
    if (t->Size > cap)
        die("a request of %u bytes, room for %zu", t->Size, cap);
    memcpy(req, t, t->Size);
    req->Hint = ++b->hint;
    if (b->op == OP_CLOSE)
        req->Req.Close.UserContext2 = b->handles[b->index];
    b->index++;
    b->remaining--;
    return STATUS_SUCCESS;
}

static void prov_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    bench *b = context;

    if ((NTSTATUS)rsp->IoStatus.Status != STATUS_SUCCESS) {
        b->failed++;
        b->fail_status = rsp->IoStatus.Status;
        b->fail_kind = rsp->Kind;
    } else if (rsp->Kind == FspFsctlTransactCreateKind && b->completed < BATCH) {
        b->handles[b->completed] = rsp->Rsp.Create.Opened.UserContext2;
    }
    b->completed++;
}

static void prov_wake(void *context)
{
    (void)context;
}

/* ---- the engine side ---- */

static void engine_transact(bench *b, const canned *reply, size_t *len)
{
    NTSTATUS status = wf_transact(b->engine, reply ? reply->buf : NULL, reply ? reply->len : 0,
        b->out, OUT_CAP, len);
    if (status != STATUS_SUCCESS)
        die("wf_transact failed: 0x%08x", (unsigned)status);
}

/* Run n requests of one kind through the engine, answering as the peer. */
static void __attribute__((noinline)) engine_drive(bench *b, int op, UINT32 n)
{
    size_t len = 0;

    provider_arm(b, op, n);
    engine_transact(b, NULL, &len);
    while (len)
        engine_transact(b, peer_answer(b, b->out, len), &len);
    provider_check(b, n);
}

MEASURED void bench_engine_measured(bench *b, int op, UINT32 n)
{
    engine_drive(b, op, n);
    __asm__ volatile("" ::: "memory"); /* no tail call: callgrind toggles on this frame */
}

static void engine_start(bench *b, bool uncached)
{
    wf_engine_config config;
    wf_provider provider = {b, prov_next, prov_complete, prov_wake, NULL};
    size_t len;

    wf_engine_config_init(&config);
    config.transact_timeout_ns = 0;
    if (wf_engine_create(&config, &provider, &b->engine) != STATUS_SUCCESS)
        die("wf_engine_create failed");
    b->uncached = uncached;
    b->failed = 0;
    engine_transact(b, NULL, &len);
    if (len == 0 || ((const struct fuse_in_header *)(const void *)b->out)->opcode != FUSE_INIT)
        die("the engine did not start with INIT");
    engine_transact(b, peer_answer(b, b->out, len), &len);
    if (len != 0)
        die("the engine sent something after INIT with no work queued");
}

static void engine_finish(bench *b)
{
    wf_engine_stop(b->engine);
    wf_engine_delete(b->engine);
    b->engine = NULL;
}

/* ---- the reference: the same messages, by hand ---- */

static UINT64 ref_filetime(UINT64 sec, UINT32 nsec)
{
    return (sec + 11644473600ull) * 10000000ull + nsec / 100;
}

static void ref_fileinfo(const struct fuse_attr *a, FSP_FSCTL_FILE_INFO *fi)
{
    bool dir = (a->mode & LINUX_S_IFMT) == LINUX_S_IFDIR;

    fi->FileAttributes = dir ? FILE_ATTRIBUTE_DIRECTORY : 0;
    if (!dir && !(a->mode & 0222))
        fi->FileAttributes |= FILE_ATTRIBUTE_READONLY;
    fi->ReparseTag = 0;
    fi->FileSize = dir ? 0 : a->size;
    fi->AllocationSize = (fi->FileSize + 4095) & ~(UINT64)4095;
    fi->LastAccessTime = ref_filetime(a->atime, a->atimensec);
    fi->LastWriteTime = ref_filetime(a->mtime, a->mtimensec);
    fi->ChangeTime = ref_filetime(a->ctime, a->ctimensec);
    fi->CreationTime = fi->LastWriteTime < fi->ChangeTime ? fi->LastWriteTime : fi->ChangeTime;
    fi->IndexNumber = a->ino;
    fi->HardLinks = 0;
    fi->EaSize = 0;
}

/*
 * One FUSE round trip by hand: header, body, name, data into the request
 * buffer; the peer's reply checked against the request. Returns the reply
 * body (NULL for requests without a reply).
 */
static const UINT8 *ref_round_trip(bench *b, UINT32 opcode, UINT64 nodeid, const void *body,
    UINT32 body_len, const char *name, UINT32 name_len, const void *data, UINT32 data_len,
    UINT32 *reply_len)
{
    struct fuse_in_header h;
    struct fuse_out_header oh;
    UINT8 *p = b->out + sizeof h;
    const canned *r;

    memcpy(p, body, body_len);
    p += body_len;
    if (name) {
        memcpy(p, name, name_len);
        p += name_len;
        *p++ = 0;
    }
    if (data_len) {
        memcpy(p, data, data_len);
        p += data_len;
    }
    memset(&h, 0, sizeof h);
    h.len = (UINT32)(p - b->out);
    h.opcode = opcode;
    h.unique = b->ref_unique += 2;
    h.nodeid = nodeid;
    memcpy(b->out, &h, sizeof h);
    r = peer_answer(b, b->out, h.len);
    if (!r)
        return NULL;
    memcpy(&oh, r->buf, sizeof oh);
    if (oh.len != r->len || oh.len < sizeof oh || oh.unique != h.unique || oh.error != 0)
        die("reference: a bad reply to opcode %u", opcode);
    *reply_len = oh.len - (UINT32)sizeof oh;
    return r->buf + sizeof oh;
}

static ref_file *ref_file_of(bench *b, UINT64 user_context2)
{
    return &b->ref_files[(UINT32)user_context2 % REF_FILES];
}

static void ref_entry(const UINT8 *body, UINT32 len, struct fuse_entry_out *e)
{
    if (len != sizeof *e)
        die("reference: a bad entry");
    memcpy(e, body, sizeof *e);
    if (e->nodeid == 0 || e->nodeid == ROOT_ID)
        die("reference: a bad entry");
}

static void ref_open(bench *b, const FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp,
    bool uncached)
{
    UINT32 slot = b->ref_next_slot++ % REF_FILES;
    ref_file *f = &b->ref_files[slot];
    struct fuse_open_in oin;
    struct fuse_open_out oo;
    const UINT8 *body;
    UINT32 len;

    f->nodeid = FILE_ID;
    if (uncached) {
        /* Walk the path by hand: one LOOKUP per component, names narrowed from UTF-16. */
        const WCHAR *w = (const WCHAR *)(const void *)(req->Buffer + req->FileName.Offset);
        UINT32 n = req->FileName.Size / sizeof(WCHAR), i = 0;
        UINT64 parent = ROOT_ID, last_dir = 0;
        struct fuse_entry_out e;
        char name[256];

        memset(&e, 0, sizeof e);
        while (i < n) {
            UINT32 k = 0;
            while (i < n && w[i] == '\\')
                i++;
            while (i < n && w[i] != '\\' && k < sizeof name - 1)
                name[k++] = (char)w[i++];
            if (k == 0)
                break;
            body = ref_round_trip(b, FUSE_LOOKUP, parent, NULL, 0, name, k, NULL, 0, &len);
            ref_entry(body, len, &e);
            last_dir = parent;
            parent = e.nodeid;
        }
        f->nodeid = parent;
        f->attr = e.attr;
        /* The directory's lookup goes back at once: nothing keeps it. */
        if (last_dir != ROOT_ID) {
            struct fuse_forget_in fin = {1};
            ref_round_trip(b, FUSE_FORGET, last_dir, &fin, sizeof fin, NULL, 0, NULL, 0, &len);
        }
    } else {
        f->attr = make_attr(FILE_ID, LINUX_S_IFREG | 0644, 1 << 20);
    }
    memset(&oin, 0, sizeof oin);
    oin.flags = LINUX_O_RDWR;
    body = ref_round_trip(b, FUSE_OPEN, f->nodeid, &oin, sizeof oin, NULL, 0, NULL, 0, &len);
    if (len != sizeof oo)
        die("reference: a bad OPEN reply");
    memcpy(&oo, body, sizeof oo);
    f->fh = oo.fh;
    f->open_flags = oin.flags;
    rsp->Rsp.Create.Opened.UserContext2 = ((UINT64)1 << 32) | slot;
    rsp->Rsp.Create.Opened.GrantedAccess = req->Req.Create.DesiredAccess;
    ref_fileinfo(&f->attr, &rsp->Rsp.Create.Opened.FileInfo);
    rsp->IoStatus.Information = FILE_OPENED;
}

static void ref_read(bench *b, const FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    ref_file *f = ref_file_of(b, req->Req.Read.UserContext2);
    struct fuse_read_in rin;
    const UINT8 *body;
    UINT32 len;

    memset(&rin, 0, sizeof rin);
    rin.fh = f->fh;
    rin.offset = req->Req.Read.Offset;
    rin.size = req->Req.Read.Length;
    rin.flags = f->open_flags;
    body = ref_round_trip(b, FUSE_READ, f->nodeid, &rin, sizeof rin, NULL, 0, NULL, 0, &len);
    if (len > rin.size)
        die("reference: a READ reply too long");
    memcpy((void *)(uintptr_t)req->Req.Read.Address, body, len);
    rsp->IoStatus.Information = len;
}

static void ref_write(bench *b, const FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    ref_file *f = ref_file_of(b, req->Req.Write.UserContext2);
    struct fuse_write_in win;
    struct fuse_write_out wout;
    const UINT8 *body;
    UINT32 len;

    memset(&win, 0, sizeof win);
    win.fh = f->fh;
    win.offset = req->Req.Write.Offset;
    win.size = req->Req.Write.Length;
    win.flags = f->open_flags;
    body = ref_round_trip(b, FUSE_WRITE, f->nodeid, &win, sizeof win, NULL, 0,
        (const void *)(uintptr_t)req->Req.Write.Address, win.size, &len);
    if (len != sizeof wout)
        die("reference: a bad WRITE reply");
    memcpy(&wout, body, sizeof wout);
    if (wout.size > win.size)
        die("reference: WRITE took more than it was given");
    if (win.offset + wout.size > f->attr.size)
        f->attr.size = win.offset + wout.size;
    ref_fileinfo(&f->attr, &rsp->Rsp.Write.FileInfo);
    rsp->IoStatus.Information = wout.size;
}

static void ref_qinfo(bench *b, const FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp,
    bool expired)
{
    ref_file *f = ref_file_of(b, req->Req.QueryInformation.UserContext2);

    if (expired) {
        struct fuse_getattr_in gin;
        struct fuse_attr_out aout;
        const UINT8 *body;
        UINT32 len;

        memset(&gin, 0, sizeof gin);
        gin.getattr_flags = FUSE_GETATTR_FH;
        gin.fh = f->fh;
        body = ref_round_trip(b, FUSE_GETATTR, STALE_ID, &gin, sizeof gin, NULL, 0, NULL, 0,
            &len);
        if (len != sizeof aout)
            die("reference: a bad GETATTR reply");
        memcpy(&aout, body, sizeof aout);
        f->attr = aout.attr;
    }
    ref_fileinfo(&f->attr, &rsp->Rsp.QueryInformation.FileInfo);
}

static void ref_close(bench *b, const FSP_FSCTL_TRANSACT_REQ *req)
{
    ref_file *f = ref_file_of(b, req->Req.Close.UserContext2);
    struct fuse_release_in rin;
    UINT32 len;

    memset(&rin, 0, sizeof rin);
    rin.fh = f->fh;
    rin.flags = f->open_flags;
    ref_round_trip(b, FUSE_RELEASE, f->nodeid, &rin, sizeof rin, NULL, 0, NULL, 0, &len);
    if (len != 0)
        die("reference: a bad RELEASE reply");
}

static void ref_qdir(bench *b, const FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    UINT8 *dst = (UINT8 *)(uintptr_t)req->Req.QueryDirectory.Address;
    UINT32 room = req->Req.QueryDirectory.Length, used = 0;
    UINT64 offset = 0;

    for (;;) {
        struct fuse_read_in rin;
        const UINT8 *p;
        UINT32 left;

        memset(&rin, 0, sizeof rin);
        rin.fh = FH_DIR;
        rin.offset = offset;
        rin.size = room < MAX_READ ? room : MAX_READ;
        p = ref_round_trip(b, FUSE_READDIRPLUS, DIR_ID, &rin, sizeof rin, NULL, 0, NULL, 0, &left);
        if (left > rin.size)
            die("reference: a READDIRPLUS reply too long");
        if (left == 0)
            break;
        while (left) {
            struct fuse_entry_out e;
            struct fuse_dirent d;
            union {
                FSP_FSCTL_DIR_INFO info;
                UINT8 bytes[sizeof(FSP_FSCTL_DIR_INFO) + 255 * sizeof(WCHAR)];
            } di;
            UINT32 size, info_size;
            const char *name;

            if (left < sizeof e + FUSE_NAME_OFFSET)
                die("reference: a short READDIRPLUS entry");
            memcpy(&e, p, sizeof e);
            memcpy(&d, p + sizeof e, FUSE_NAME_OFFSET);
            size = (UINT32)(sizeof e + FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + (UINT64)d.namelen));
            if (d.namelen == 0 || d.namelen > 255 || size > left)
                die("reference: a bad READDIRPLUS entry");
            name = (const char *)p + sizeof e + FUSE_NAME_OFFSET;
            for (UINT32 i = 0; i < d.namelen; i++)
                di.info.FileNameBuf[i] = (WCHAR)(UINT8)name[i];
            di.info.Size = (UINT16)(sizeof di.info + d.namelen * sizeof(WCHAR));
            memset(di.info.Padding, 0, sizeof di.info.Padding);
            di.info.NextOffset = d.off;
            ref_fileinfo(&e.attr, &di.info.FileInfo);
            info_size = (UINT32)FSP_FSCTL_DEFAULT_ALIGN_UP(di.info.Size);
            if (info_size > room - used)
                die("reference: the listing does not fit");
            memcpy(dst + used, &di, di.info.Size);
            used += info_size;
            offset = d.off;
            p += size;
            left -= size;
        }
    }
    if (room - used < sizeof(UINT16))
        die("reference: no room for the end of the listing");
    memset(dst + used, 0, sizeof(UINT16));
    used += sizeof(UINT16);
    rsp->IoStatus.Information = used;
}

static void __attribute__((noinline)) reference_drive(bench *b, int op, UINT32 n)
{
    FSP_FSCTL_TRANSACT_REQ *req = b->ref_req;
    FSP_FSCTL_TRANSACT_RSP *rsp = b->ref_rsp;

    provider_arm(b, op, n);
    for (UINT32 i = 0; i < n; i++) {
        if (prov_next(b, req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, 0) != STATUS_SUCCESS)
            die("reference: the provider ran dry");
        memset(rsp, 0, sizeof *rsp);
        rsp->Size = sizeof *rsp;
        rsp->Kind = req->Kind;
        rsp->Hint = req->Hint;
        switch (op) {
        case OP_OPEN_FILE:
            ref_open(b, req, rsp, b->uncached);
            break;
        case OP_READ:
            ref_read(b, req, rsp);
            break;
        case OP_WRITE:
            ref_write(b, req, rsp);
            break;
        case OP_QINFO_CACHED:
        case OP_QINFO_EXPIRED:
            ref_qinfo(b, req, rsp, op == OP_QINFO_EXPIRED);
            break;
        case OP_CLOSE:
            ref_close(b, req);
            break;
        case OP_QDIR:
            ref_qdir(b, req, rsp);
            break;
        default:
            die("reference: no reference for op %d", op);
        }
        rsp->IoStatus.Status = (UINT32)STATUS_SUCCESS;
        prov_complete(b, rsp);
    }
    provider_check(b, n);
}

MEASURED void bench_reference_measured(bench *b, int op, UINT32 n)
{
    reference_drive(b, op, n);
    __asm__ volatile("" ::: "memory");
}

static void reference_start(bench *b, bool uncached)
{
    b->uncached = uncached;
    b->failed = 0;
    for (UINT32 i = 0; i < REF_FILES; i++) {
        b->ref_files[i].nodeid = FILE_ID;
        b->ref_files[i].fh = FH_FILE;
        b->ref_files[i].open_flags = LINUX_O_RDWR;
        b->ref_files[i].attr = make_attr(FILE_ID, LINUX_S_IFREG | 0644, 1 << 20);
    }
}

/* ---- the kinds of request measured ---- */

typedef struct kind_def {
    const char *name;         /* for --kind */
    const char *label;        /* for the table */
    int op;                   /* the request measured */
    int setup;                /* opened once first; its handle is the kind's file */
    int before, after;        /* untimed, around every batch (open and close pair up) */
    bool prime;               /* open and close once first, to fill the caches */
    bool uncached;
    UINT32 iterations;        /* per round, by default */
} kind_def;

static const kind_def kinds[] = {
    {"open", "open (cached path)", OP_OPEN_FILE, OP_NONE, OP_NONE, OP_CLOSE, true, false, 200000},
    {"open-uncached", "open (uncached path)", OP_OPEN_FILE, OP_NONE, OP_NONE, OP_CLOSE, false,
        true, 100000},
    {"read", "read 4 KiB", OP_READ, OP_OPEN_FILE, OP_NONE, OP_NONE, false, false, 300000},
    {"write", "write 4 KiB", OP_WRITE, OP_OPEN_FILE, OP_NONE, OP_NONE, false, false, 300000},
    {"qinfo", "query info (cached)", OP_QINFO_CACHED, OP_OPEN_FILE, OP_NONE, OP_NONE, false,
        false, 1000000},
    {"qinfo-expired", "query info (expired)", OP_QINFO_EXPIRED, OP_OPEN_STALE, OP_NONE, OP_NONE,
        false, false, 300000},
    {"close", "close", OP_CLOSE, OP_NONE, OP_OPEN_FILE, OP_NONE, true, false, 200000},
    {"qdir", "query dir (64 entries)", OP_QDIR, OP_OPEN_DIR, OP_NONE, OP_NONE, false, false,
        20000},
};

#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

typedef struct result {
    double engine_best, reference_best;   /* requests per second */
    UINT64 requests, fuse_requests, fuse_replies, allocs;
} result;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void engine_setup(bench *b, const kind_def *k)
{
    engine_start(b, k->uncached);
    if (k->prime) {
        engine_drive(b, OP_OPEN_FILE, 1);
        engine_drive(b, OP_CLOSE, 1);
    }
    if (k->setup != OP_NONE) {
        engine_drive(b, k->setup, 1);
        provider_set_handle(b, b->handles[0]);
    }
}

/* One round of n requests through the engine; returns the seconds measured. */
static double engine_round(bench *b, const kind_def *k, UINT32 n, bool timed, result *res)
{
    double seconds = 0;

    for (UINT32 done = 0; done < n;) {
        UINT32 m = n - done < BATCH ? n - done : BATCH;
        wf_engine_stats s0, s1;
        unsigned long long a0, a1;
        double t0, t1;

        if (k->before != OP_NONE)
            engine_drive(b, k->before, m);
        wf_engine_get_stats(b->engine, &s0);
        a0 = alloc_count;
        t0 = now_seconds();
        if (timed)
            bench_engine_measured(b, k->op, m);
        else
            engine_drive(b, k->op, m);
        t1 = now_seconds();
        a1 = alloc_count;
        wf_engine_get_stats(b->engine, &s1);
        if (k->after != OP_NONE)
            engine_drive(b, k->after, m);
        seconds += t1 - t0;
        if (res) {
            res->requests += m;
            res->fuse_requests += s1.fuse_requests - s0.fuse_requests;
            res->fuse_replies += s1.fuse_replies - s0.fuse_replies;
            res->allocs += a1 - a0;
        }
        done += m;
    }
    return seconds;
}

static double reference_round(bench *b, const kind_def *k, UINT32 n, bool timed)
{
    double seconds = 0;

    for (UINT32 done = 0; done < n;) {
        UINT32 m = n - done < BATCH ? n - done : BATCH;
        double t0 = now_seconds(), t1;
        if (timed)
            bench_reference_measured(b, k->op, m);
        else
            reference_drive(b, k->op, m);
        t1 = now_seconds();
        seconds += t1 - t0;
        done += m;
    }
    return seconds;
}

static void measure(bench *b, const kind_def *k, UINT32 n, int rounds, result *res)
{
    memset(res, 0, sizeof *res);
    engine_setup(b, k);
    reference_start(b, k->uncached);
    /* Warm caches and the engine's free lists before anything counts. */
    engine_round(b, k, n < BATCH ? n : BATCH, false, NULL);
    reference_round(b, k, n < BATCH ? n : BATCH, false);
    for (int r = 0; r < rounds; r++) {
        double e, ref;
        e = engine_round(b, k, n, true, res);
        ref = reference_round(b, k, n, true);
        if (e > 0 && n / e > res->engine_best)
            res->engine_best = n / e;
        if (ref > 0 && n / ref > res->reference_best)
            res->reference_best = n / ref;
    }
    engine_finish(b);
}

/* One round of one side for callgrind, which counts inside the *_measured functions only. */
static void measure_callgrind(bench *b, const kind_def *k, UINT32 n, bool engine_side)
{
    engine_setup(b, k);
    reference_start(b, k->uncached);
    if (engine_side) {
        engine_round(b, k, n < BATCH ? n : BATCH, false, NULL);
        engine_round(b, k, n, true, NULL);
    } else {
        reference_round(b, k, n < BATCH ? n : BATCH, false);
        reference_round(b, k, n, true);
    }
    engine_finish(b);
    printf("%s %u\n", k->name, (unsigned)n);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: engine_bench [--kind NAME] [--iterations N] [--rounds R] "
               "[--callgrind engine|reference] [--list]\nkinds:");
    for (size_t i = 0; i < KIND_COUNT; i++)
        fprintf(f, " %s", kinds[i].name);
    fputc('\n', f);
}

int main(int argc, char **argv)
{
    static bench bench_;
    bench *b = &bench_;
    const char *only = NULL, *callgrind = NULL;
    UINT32 iterations = 0;
    int rounds = 5;
    result res[KIND_COUNT];
    bool ran[KIND_COUNT] = {false};
    bool broken = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--kind") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(a, "--iterations") == 0 && i + 1 < argc) {
            iterations = (UINT32)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--rounds") == 0 && i + 1 < argc) {
            rounds = atoi(argv[++i]);
        } else if (strcmp(a, "--callgrind") == 0 && i + 1 < argc) {
            callgrind = argv[++i];
        } else if (strcmp(a, "--list") == 0) {
            for (size_t k = 0; k < KIND_COUNT; k++)
                printf("%s\t%s\n", kinds[k].name, kinds[k].label);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (rounds < 1)
        rounds = 1;
    if (callgrind && strcmp(callgrind, "engine") != 0 && strcmp(callgrind, "reference") != 0) {
        usage(stderr);
        return 2;
    }

    b->out = xalloc(OUT_CAP);
    b->ref_req = xalloc(FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
    b->ref_rsp = xalloc(FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    peer_init(b);
    provider_init(b);

    if (!callgrind)
        printf("engine_bench: the engine vs a hand-written reference, same peer, same process;\n"
               "best of %d rounds; ratio = engine time / reference time per request\n\n"
               "%-24s %14s %16s %8s %12s %11s\n", rounds, "kind", "engine req/s",
            "reference req/s", "ratio", "round trips", "allocs/req");
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const kind_def *k = &kinds[i];
        UINT32 n = iterations ? iterations : k->iterations;
        result *r = &res[i];

        if (only && strcmp(only, k->name) != 0)
            continue;
        if (callgrind) {
            measure_callgrind(b, k, n, strcmp(callgrind, "engine") == 0);
            ran[i] = true;
            continue;
        }
        measure(b, k, n, rounds, r);
        ran[i] = true;
        printf("%-24s %14.0f %16.0f %7.2fx %12.2f %11.2f", k->label, r->engine_best,
            r->reference_best, r->reference_best / r->engine_best,
            (double)r->fuse_replies / (double)r->requests,
            (double)r->allocs / (double)r->requests);
        if (r->fuse_requests != r->fuse_replies)
            printf("  (+%.2f FORGET)",
                (double)(r->fuse_requests - r->fuse_replies) / (double)r->requests);
        putchar('\n');
        fflush(stdout);
    }
    if (only) {
        bool any = false;
        for (size_t i = 0; i < KIND_COUNT; i++)
            any |= ran[i];
        if (!any) {
            usage(stderr);
            return 2;
        }
    }
    if (callgrind)
        return 0;

    /* The engine's promises for an open file's data path. */
    printf("\n");
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const result *r = &res[i];
        bool one_trip, no_alloc;

        if (!ran[i] || (kinds[i].op != OP_READ && kinds[i].op != OP_WRITE))
            continue;
        one_trip = r->fuse_requests == r->requests && r->fuse_replies == r->requests;
        no_alloc = r->allocs == 0;
        printf("promise: %-11s = exactly 1 FUSE round trip: %s (%" PRIu64 " requests, %" PRIu64
               " FUSE requests, %" PRIu64 " replies)\n",
            kinds[i].label, one_trip ? "yes" : "NO", r->requests, r->fuse_requests,
            r->fuse_replies);
        printf("promise: %-11s = no memory allocation:      %s (%" PRIu64
               " allocations in %" PRIu64 " requests)\n",
            kinds[i].label, no_alloc ? "yes" : "NO", r->allocs, r->requests);
        broken |= !one_trip || !no_alloc;
    }
    return broken ? 1 : 0;
}
