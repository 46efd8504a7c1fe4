/*
 * fuzz_reply.c - libFuzzer target: one engine, driven from both sides by
 * the fuzz input.
 *
 * The input is a script. Its bytes pick, one action at a time, what the two
 * sides of the engine do next: the WinFsp side submits requests of every
 * kind (paths from a small vocabulary or raw UTF-16, handles from earlier
 * opens or made up, options and flags from the input); the FUSE side pulls
 * requests and answers them, in any order, with replies of the right shape
 * for the opcode whose fields come from the input, or with malformed ones
 * (wrong length, garbage, wrong unique, bad errors), and sends
 * notifications. The first request is INIT and its answer is fuzzed too.
 * When the input runs out the engine is stopped and deleted, so ASan and
 * LSan see every buffer and every leak.
 *
 * Besides the sanitizers, the target checks what the engine promises:
 *  - every WinFsp request it took is completed exactly once (by Hint),
 *    never with STATUS_PENDING, with a response whose Size is within
 *    [sizeof(FSP_FSCTL_TRANSACT_RSP), FSP_FSCTL_TRANSACT_RSP_SIZEMAX] and
 *    whose buffer references stay inside the response;
 *  - Read, Write and QueryDirectory never report more than Length, and the
 *    DIR_INFO list stays inside what was reported (the Address buffers are
 *    heap blocks of exactly Length bytes, freed at completion, so ASan
 *    catches both overruns and writes after completion);
 *  - FUSE requests are well framed, their uniques are never reused while
 *    outstanding, INIT comes first and only once;
 *  - the engine's pending count matches ours, and is 0 after stop.
 *
 * Build: tests/fuzz/CMakeLists.txt (clang, -fsanitize=fuzzer,address,undefined).
 * With -DWF_FUZZ_MAIN it builds without libFuzzer as a replayer of files.
 * WF_FUZZ_LOG=3 in the environment turns on the engine's log.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winfuse/engine.h"
#include "winfuse/fsctl.h"
#include "winfuse/fuse_proto.h"
#include "winfuse/linux_abi.h"
#include "winfuse/ntdefs.h"
#include "winfuse/ntstatus.h"

#include "engine/security.h"
#include "os/os.h"

#define FZ_MAX_REQS 384        /* WinFsp requests per input */
#define FZ_MAX_QUEUE 64        /* submitted, not yet taken */
#define FZ_MAX_OUT 1024        /* FUSE requests we still may answer */
#define FZ_MAX_HANDLES 32
#define FZ_MAX_ACTIONS 3000
#define FZ_IO_MAX (3u << 20)   /* largest Read/Write/QueryDirectory buffer */
#define FZ_BODY_MAX ((1u << 20) + 65536)
#define FZ_PATH_MAX 1100       /* WCHARs */

#define FZ_CHECK(cond, ...)                                              \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "fuzz_reply: invariant failed: %s (%s:%d): ", \
                #cond, __FILE__, __LINE__);                              \
            fprintf(stderr, __VA_ARGS__);                                \
            fputc('\n', stderr);                                         \
            abort();                                                     \
        }                                                                \
    } while (0)

/* ---- the input ---- */

typedef struct fz_src {
    const uint8_t *p;
    size_t n, pos;
} fz_src;

/* Past the end every read is 0, and 0 always picks the plain, well-formed choice. */
static uint8_t u8(fz_src *s)
{
    return s->pos < s->n ? s->p[s->pos++] : 0;
}

static uint16_t u16(fz_src *s)
{
    uint16_t v = u8(s);
    return (uint16_t)(v | (uint16_t)u8(s) << 8);
}

static uint32_t u32(fz_src *s)
{
    uint32_t v = u16(s);
    return v | (uint32_t)u16(s) << 16;
}

static uint64_t u64(fz_src *s)
{
    uint64_t v = u32(s);
    return v | (uint64_t)u32(s) << 32;
}

static bool more(const fz_src *s)
{
    return s->pos < s->n;
}

/* A number that is usually small, sometimes an edge, sometimes anything. */
static uint64_t num64(fz_src *s)
{
    switch (u8(s) & 7) {
    case 0: return 0;
    case 1: return u8(s);
    case 2: return u16(s);
    case 3: return u32(s);
    case 4: return u64(s);
    case 5: return (uint64_t)INT64_MAX + (u8(s) & 1);
    case 6: return UINT64_MAX - u8(s);
    default: return (uint64_t)1 << (u8(s) & 63);
    }
}

static uint32_t nsec(fz_src *s)
{
    uint8_t b = u8(s);
    if (b < 200)
        return 0;
    if (b < 250)
        return u32(s) % 1000000000u;
    return 1000000000u + u8(s); /* out of range */
}

/* ---- the fuzzer's state ---- */

typedef struct fz_req {
    UINT64 hint;
    UINT32 kind;
    bool taken;
    UINT32 completions;
    FSP_FSCTL_TRANSACT_REQ *req; /* while queued */
    UINT8 *addr;                 /* Read/Write/QueryDirectory buffer, exactly length bytes */
    UINT32 length;
    bool has_addr;
    UINT32 out_len;              /* DeviceControl OutputLength */
    WCHAR *path;                 /* Create: the name it opened */
    UINT32 path_len;
    bool has_ctx;                /* a per-file request: ctx2 names its handle */
    UINT64 ctx2;
} fz_req;

typedef struct fz_out {
    UINT64 unique;
    UINT32 opcode;
    UINT64 nodeid;
    UINT32 size;                 /* READ*, WRITE, *XATTR, IOCTL: the size asked */
} fz_out;

typedef struct fz_handle {
    UINT64 ctx, ctx2;
    WCHAR *path;
    UINT32 path_len;
} fz_handle;

typedef struct fz {
    fz_src in;
    wf_engine *engine;
    fz_req reqs[FZ_MAX_REQS];
    UINT32 nreqs;
    UINT32 queue[FZ_MAX_QUEUE];
    UINT32 qhead, qcount;
    UINT32 taken, completed;
    fz_out out[FZ_MAX_OUT];
    UINT32 nout;
    UINT64 answered[8];          /* recently answered uniques, for stale replies */
    UINT32 nanswered;
    fz_handle handles[FZ_MAX_HANDLES];
    UINT32 nhandles, handle_next;
    UINT8 *obuf;                 /* FUSE request buffer, exactly ocap bytes */
    size_t ocap;
    UINT8 *body;                 /* scratch for reply bodies */
    UINT64 dir_off;
    UINT64 fuse_requests;
    bool init_seen;
    bool stopped;
    bool out_overflow;           /* some requests were not tracked */
    bool deleting;               /* after stop: no completion may come */
    UINT32 offered_minor;        /* in our INIT */
    UINT32 peer_minor;           /* in the INIT reply we sent last */
} fz;

static fz F;
static wf_idmap fz_map;
static int fz_trace;             /* WF_FUZZ_TRACE=1: say what each action does */
static bool fz_unordered;        /* WF_FUZZ_UNORDERED=1: allow what WinFsp never sends */

#define TRACE(...)                           \
    do {                                     \
        if (fz_trace)                        \
            fprintf(stderr, __VA_ARGS__);    \
    } while (0)

#define FZ_HINT_BASE 0x5157000000000000ull

/* ---- the WinFsp side: provider callbacks ---- */

static NTSTATUS fz_next_request(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
    int64_t timeout_ns)
{
    fz *f = context;
    fz_req *r;
    size_t size;

    (void)timeout_ns;
    if (f->qcount == 0)
        return STATUS_TIMEOUT;
    r = &f->reqs[f->queue[f->qhead]];
    f->qhead = (f->qhead + 1) % FZ_MAX_QUEUE;
    f->qcount--;
    FZ_CHECK(cap >= FSP_FSCTL_TRANSACT_REQ_SIZEMAX, "cap %zu", cap);
    /* A lying Size is passed on as is; only the bytes we own are copied. */
    size = r->req->Size;
    if (size < sizeof *r->req)
        size = sizeof *r->req;
    if (size > FSP_FSCTL_TRANSACT_REQ_SIZEMAX)
        size = FSP_FSCTL_TRANSACT_REQ_SIZEMAX;
    memcpy(req, r->req, size);
    free(r->req);
    r->req = NULL;
    r->taken = true;
    f->taken++;
    TRACE("  winfsp: engine takes request #%u\n", (unsigned)(r->hint - FZ_HINT_BASE));
    return STATUS_SUCCESS;
}

static bool buf_inside(const FSP_FSCTL_TRANSACT_RSP *rsp, FSP_FSCTL_TRANSACT_BUF b)
{
    size_t room = rsp->Size - sizeof *rsp;
    return b.Offset <= room && b.Size <= room - b.Offset;
}

static void add_handle(fz *f, const FSP_FSCTL_TRANSACT_RSP *rsp, const fz_req *r)
{
    fz_handle *h;

    if (f->nhandles < FZ_MAX_HANDLES) {
        h = &f->handles[f->nhandles++];
    } else {
        h = &f->handles[f->handle_next];
        f->handle_next = (f->handle_next + 1) % FZ_MAX_HANDLES;
        free(h->path);
    }
    h->ctx = rsp->Rsp.Create.Opened.UserContext;
    h->ctx2 = rsp->Rsp.Create.Opened.UserContext2;
    h->path = NULL;
    h->path_len = 0;
    if (r->path_len) {
        h->path = malloc(r->path_len * sizeof(WCHAR));
        if (h->path) {
            memcpy(h->path, r->path, r->path_len * sizeof(WCHAR));
            h->path_len = r->path_len;
        }
    }
}

/* A QueryDirectory answer: DIR_INFO records, each whole, ended by a zero Size or the end. */
static void check_dir_info(const UINT8 *buf, UINT32 len)
{
    UINT32 pos = 0;

    while (pos < len) {
        UINT16 size;
        FZ_CHECK(len - pos >= sizeof size, "DIR_INFO Size cut at %u of %u", pos, len);
        memcpy(&size, buf + pos, sizeof size);
        if (size == 0)
            return;
        FZ_CHECK(size >= sizeof(FSP_FSCTL_DIR_INFO) && size <= len - pos,
            "DIR_INFO of Size %u at %u of %u", size, pos, len);
        FZ_CHECK((size - sizeof(FSP_FSCTL_DIR_INFO)) % sizeof(WCHAR) == 0,
            "DIR_INFO name of odd size %u", size);
        pos += (UINT32)FSP_FSCTL_DEFAULT_ALIGN_UP((UINT32)size);
    }
}

static void fz_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    fz *f = context;
    fz_req *r;
    UINT64 index;
    NTSTATUS status;
    bool ok;

    FZ_CHECK(rsp != NULL, "NULL response");
    FZ_CHECK(!f->deleting, "a completion after wf_engine_stop returned");
    index = rsp->Hint - FZ_HINT_BASE;
    FZ_CHECK(rsp->Hint >= FZ_HINT_BASE && index < f->nreqs, "unknown Hint 0x%llx",
        (unsigned long long)rsp->Hint);
    r = &f->reqs[index];
    FZ_CHECK(r->taken, "completion of request %llu the engine never took",
        (unsigned long long)index);
    FZ_CHECK(r->completions == 0, "request %llu (kind %u) completed twice",
        (unsigned long long)index, r->kind);
    r->completions++;
    f->completed++;

    status = (NTSTATUS)rsp->IoStatus.Status;
    TRACE("  winfsp: request #%llu (kind %u) completes: status 0x%08x, information %u\n",
        (unsigned long long)index, r->kind, (unsigned)status, rsp->IoStatus.Information);
    FZ_CHECK(status != STATUS_PENDING, "kind %u completed with STATUS_PENDING", r->kind);
    FZ_CHECK(rsp->Size >= sizeof *rsp && rsp->Size <= FSP_FSCTL_TRANSACT_RSP_SIZEMAX,
        "kind %u: response Size %u", r->kind, rsp->Size);
    FZ_CHECK(rsp->Kind == r->kind, "response Kind %u for a request of kind %u", rsp->Kind,
        r->kind);
    ok = NT_SUCCESS(status);

    switch (r->kind) {
    case FspFsctlTransactCreateKind:
        if (status == STATUS_REPARSE) {
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.Create.Reparse.Buffer), "Create reparse buffer");
        } else if (ok) {
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.Create.Opened.SecurityDescriptor),
                "Create security descriptor buffer");
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.Create.Opened.FileName), "Create FileName buffer");
            add_handle(f, rsp, r);
        }
        break;
    case FspFsctlTransactReadKind:
    case FspFsctlTransactWriteKind:
        FZ_CHECK(rsp->IoStatus.Information <= r->length,
            "kind %u: Information %u > Length %u", r->kind, rsp->IoStatus.Information,
            r->length);
        break;
    case FspFsctlTransactQueryDirectoryKind:
        FZ_CHECK(rsp->IoStatus.Information <= r->length,
            "QueryDirectory: Information %u > Length %u", rsp->IoStatus.Information, r->length);
        if (ok && r->addr)
            check_dir_info(r->addr, rsp->IoStatus.Information);
        break;
    case FspFsctlTransactQueryEaKind:
        if (ok)
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.QueryEa.Ea), "QueryEa buffer");
        break;
    case FspFsctlTransactSetEaKind:
        if (ok)
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.SetEa.Ea), "SetEa buffer");
        break;
    case FspFsctlTransactFileSystemControlKind:
        if (ok)
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.FileSystemControl.Buffer), "FSCTL buffer");
        break;
    case FspFsctlTransactDeviceControlKind:
        if (ok) {
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.DeviceControl.Buffer), "DeviceControl buffer");
            FZ_CHECK(rsp->Rsp.DeviceControl.Buffer.Size <= r->out_len,
                "DeviceControl output %u > OutputLength %u", rsp->Rsp.DeviceControl.Buffer.Size,
                r->out_len);
        }
        break;
    case FspFsctlTransactQuerySecurityKind:
        if (ok)
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.QuerySecurity.SecurityDescriptor),
                "QuerySecurity buffer");
        break;
    case FspFsctlTransactSetSecurityKind:
        if (ok)
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.SetSecurity.SecurityDescriptor),
                "SetSecurity buffer");
        break;
    case FspFsctlTransactQueryStreamInformationKind:
        if (ok)
            FZ_CHECK(buf_inside(rsp, rsp->Rsp.QueryStreamInformation.Buffer),
                "QueryStreamInformation buffer");
        break;
    default:
        break;
    }
    /* The buffer is WinFsp's only until completion: later writes are use-after-free. */
    free(r->addr);
    r->addr = NULL;
}

static void fz_wake(void *context)
{
    (void)context;
}

static NTSTATUS fz_credentials(void *context, UINT64 token, UINT32 *uid, UINT32 *gid,
    UINT32 *pid)
{
    (void)context;
    if (token & 1)
        return STATUS_ACCESS_DENIED;
    *uid = (UINT32)(token >> 8) & 0xffff;
    *gid = (UINT32)(token >> 24) & 0xffff;
    *pid = FSP_FSCTL_TRANSACT_REQ_TOKEN_PID(token);
    return STATUS_SUCCESS;
}

/* ---- building WinFsp requests ---- */

static const char *const path_vocab[] = {
    "a", "b", "dir", "file", "x.txt", "A", "Dir", "FILE", "sub", "link", "new", "c.bin",
    "..", ".", "a*b", "a?", "a:b", "con", "trail ", "dot.", ".hidden", "a b",
};

static UINT32 gen_component(fz_src *s, WCHAR *w, UINT32 cap)
{
    uint8_t c = u8(s);
    UINT32 n = 0;
    size_t nv = sizeof path_vocab / sizeof path_vocab[0];

    if (c < 200) {
        const char *v = path_vocab[c % nv];
        while (*v && n < cap)
            w[n++] = (WCHAR)(uint8_t)*v++;
        return n;
    }
    switch (c % 8) {
    case 0: /* e with acute, CJK, an emoji pair */
        if (cap >= 5) {
            w[n++] = 0xE9;
            w[n++] = 0x65E5;
            w[n++] = 0xD83D;
            w[n++] = 0xDE00;
        }
        return n;
    case 1: /* a lone surrogate */
        if (cap >= 2) {
            w[n++] = 'x';
            w[n++] = 0xD800 + (u8(s) & 0x7ff);
        }
        return n;
    case 2: /* the private-use mapping of '*' and a slash */
        if (cap >= 2) {
            w[n++] = 0xF02A;
            w[n++] = '/';
        }
        return n;
    case 3: { /* longest and one too long */
        UINT32 len = 254 + (u8(s) % 3);
        while (n < len && n < cap)
            w[n++] = 'l';
        return n;
    }
    case 4: /* empty: a double backslash */
        return 0;
    default: { /* raw UTF-16 */
        UINT32 len = 1 + u8(s) % 8;
        while (n < len && n < cap)
            w[n++] = u16(s);
        return n;
    }
    }
}

/* A path, usually "\a\b" from the vocabulary, sometimes below an opened file's path. */
static UINT32 gen_path(fz *f, WCHAR *w, UINT32 cap)
{
    fz_src *s = &f->in;
    uint8_t mode = u8(s), flags = u8(s);
    UINT32 n = 0, ncomp = mode % 5;

    if ((flags & 0x30) == 0x30 && f->nhandles) {
        const fz_handle *h = &f->handles[u8(s) % f->nhandles];
        if (h->path_len && h->path_len < cap) {
            memcpy(w, h->path, h->path_len * sizeof(WCHAR));
            n = h->path_len;
            if (n && w[n - 1] == 0)
                n--;
        }
        ncomp = mode % 2;
    }
    if (ncomp == 0 && n == 0) {
        if (!(flags & 4))
            w[n++] = '\\';
    }
    for (UINT32 i = 0; i < ncomp && n + 260 < cap; i++) {
        if (i > 0 || !(flags & 4) || n)
            w[n++] = '\\';
        n += gen_component(s, w + n, cap - n - 2);
    }
    if ((flags & 1) && n + 1 < cap && !(n == 1 && w[0] == '\\'))
        w[n++] = '\\';
    if ((flags & 2) && n + 1 < cap)
        w[n++] = 0;
    return n;
}

static FSP_FSCTL_TRANSACT_BUF append(FSP_FSCTL_TRANSACT_REQ *req, const void *data, size_t size)
{
    FSP_FSCTL_TRANSACT_BUF b = {0, 0};
    if (!wf_fsctl_req_append(req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, data, size, &b))
        b.Offset = b.Size = 0;
    return b;
}

/* Sometimes make a buffer reference lie: odd, past the end, or huge. */
static FSP_FSCTL_TRANSACT_BUF bend(fz_src *s, FSP_FSCTL_TRANSACT_BUF b)
{
    uint8_t c = u8(s);
    if (c < 240)
        return b;
    switch (c % 4) {
    case 0: b.Offset |= 1; break;
    case 1: b.Size = (UINT16)(b.Size + 1 + u8(s)); break;
    case 2: b.Offset = u16(s); break;
    default: b.Size = u16(s); break;
    }
    return b;
}

static FSP_FSCTL_TRANSACT_BUF append_path(fz *f, FSP_FSCTL_TRANSACT_REQ *req, fz_req *r)
{
    WCHAR w[FZ_PATH_MAX];
    UINT32 n = gen_path(f, w, FZ_PATH_MAX);
    FSP_FSCTL_TRANSACT_BUF b = append(req, w, n * sizeof(WCHAR));

    if (r && n) {
        r->path = malloc(n * sizeof(WCHAR));
        if (r->path) {
            memcpy(r->path, w, n * sizeof(WCHAR));
            r->path_len = n;
        }
    }
    return bend(&f->in, b);
}

/* The path a handle was opened with, or a new one. */
static FSP_FSCTL_TRANSACT_BUF append_handle_path(fz *f, FSP_FSCTL_TRANSACT_REQ *req,
    const fz_handle *h)
{
    if (h && h->path_len && u8(&f->in) < 200)
        return append(req, h->path, h->path_len * sizeof(WCHAR));
    return append_path(f, req, NULL);
}

static const fz_handle *pick_handle(fz *f, UINT64 *ctx, UINT64 *ctx2)
{
    uint8_t c = u8(&f->in);
    const fz_handle *h = NULL;

    if (f->nhandles && c < 200) {
        h = &f->handles[c % f->nhandles];
        *ctx = h->ctx;
        *ctx2 = h->ctx2;
    } else if (c < 215) {
        *ctx = *ctx2 = 0;
    } else if (f->nhandles && c < 235) {
        /* the slot of a real handle, a generation it never had */
        h = &f->handles[c % f->nhandles];
        *ctx = h->ctx;
        *ctx2 = h->ctx2 ^ ((UINT64)(1 + u8(&f->in)) << 32);
        h = NULL;
    } else {
        *ctx = u64(&f->in);
        *ctx2 = u64(&f->in);
    }
    return h;
}

static UINT32 pick_access(fz_src *s)
{
    static const UINT32 table[] = {
        FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_READ | FILE_GENERIC_WRITE,
        FILE_READ_DATA, FILE_WRITE_DATA, FILE_APPEND_DATA, DELETE, FILE_READ_ATTRIBUTES,
        MAXIMUM_ALLOWED, FILE_LIST_DIRECTORY, FILE_ALL_ACCESS, 0,
    };
    uint8_t c = u8(s);
    if (c < 240)
        return table[c % (sizeof table / sizeof table[0])];
    return u32(s);
}

static UINT32 pick_options(fz_src *s)
{
    static const UINT32 bits[] = {
        FILE_DIRECTORY_FILE, FILE_NON_DIRECTORY_FILE, FILE_OPEN_REPARSE_POINT,
        FILE_DELETE_ON_CLOSE,
    };
    uint8_t c = u8(s);
    UINT32 options = 0;

    for (unsigned i = 0; i < 4; i++)
        if (c & (1u << i))
            options |= bits[i];
    if (c >= 250)
        options |= u32(s) & 0x00ffffff;
    return options;
}

/* A security descriptor: a valid one for some uid, gid and mode, maybe damaged. */
static UINT32 gen_sd(fz_src *s, UINT8 *buf, UINT32 cap)
{
    size_t len = 0;
    uint8_t c = u8(s);

    if (c < 220) {
        UINT32 uid = c & 1 ? u32(s) : u8(s);
        UINT32 gid = c & 2 ? u32(s) : u8(s);
        UINT32 mode = u16(s) & 07777;
        if (c & 4)
            mode |= LINUX_S_IFDIR;
        if (!NT_SUCCESS(wf_sd_from_posix(&fz_map, uid, gid, mode, buf, cap, &len)))
            len = 0;
        if (len && (c & 0xf0) == 0xf0) {
            size_t at = u16(s) % len;
            buf[at] ^= (UINT8)(1 + u8(s));
        }
        if (len && (c & 0xf0) == 0xe0)
            len = u16(s) % len;
        return (UINT32)len;
    }
    len = u8(s) % 64;
    for (size_t i = 0; i < len && i < cap; i++)
        buf[i] = u8(s);
    return (UINT32)len;
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

/* FILE_FULL_EA_INFORMATION entries, or raw bytes. */
static UINT32 gen_ea(fz_src *s, UINT8 *buf, UINT32 cap)
{
    static const char *const names[] = {"A", "NAME", "user", "X.Y", "bad/name", "", "lower"};
    uint8_t c = u8(s);
    UINT32 used = 0, last = 0, count = 1 + c % 3;

    if (c >= 230) {
        UINT32 len = u8(s) % 96;
        for (UINT32 i = 0; i < len && i < cap; i++)
            buf[i] = u8(s);
        return len < cap ? len : cap;
    }
    for (UINT32 i = 0; i < count; i++) {
        const char *name = names[u8(s) % (sizeof names / sizeof names[0])];
        UINT32 nlen = (UINT32)strlen(name);
        UINT32 vlen = u8(s) % 24;
        UINT32 size = 8 + nlen + 1 + vlen;
        if (used + size + 4 > cap)
            break;
        if (i)
            put32(buf + last, used - last);
        last = used;
        put32(buf + used, 0);
        buf[used + 4] = u8(s) & 0x80;
        buf[used + 5] = (UINT8)nlen;
        put16(buf + used + 6, (UINT16)vlen);
        memcpy(buf + used + 8, name, nlen);
        buf[used + 8 + nlen] = 0;
        for (UINT32 k = 0; k < vlen; k++)
            buf[used + 9 + nlen + k] = (UINT8)('v' + k);
        used += (size + 3) & ~3u;
    }
    if (used && (c & 0x40))
        used -= 1 + u8(s) % 4;
    return used;
}

/* A symlink REPARSE_DATA_BUFFER, or raw bytes. */
static UINT32 gen_reparse(fz_src *s, UINT8 *buf, UINT32 cap)
{
    static const char *const targets[] = {
        "a\\b", "\\abs\\x", "..", "..\\up", "x", "\\", "\\??\\C:\\w", "a/b", "",
    };
    uint8_t c = u8(s);
    const char *t;
    UINT32 tlen, bytes;

    if (c >= 230) {
        UINT32 len = u8(s) % 64;
        for (UINT32 i = 0; i < len && i < cap; i++)
            buf[i] = u8(s);
        return len < cap ? len : cap;
    }
    t = targets[c % (sizeof targets / sizeof targets[0])];
    tlen = (UINT32)strlen(t);
    bytes = tlen * 2;
    if (20 + 2 * bytes > cap)
        return 0;
    put32(buf, (c & 0x80) ? u32(s) : IO_REPARSE_TAG_SYMLINK);
    put16(buf + 4, (UINT16)(12 + 2 * bytes));
    put16(buf + 6, 0);
    put16(buf + 8, 0);
    put16(buf + 10, (UINT16)bytes);
    put16(buf + 12, (UINT16)bytes);
    put16(buf + 14, (UINT16)bytes);
    put32(buf + 16, t[0] == '\\' ? 0 : 1); /* SYMLINK_FLAG_RELATIVE */
    for (UINT32 i = 0; i < tlen; i++) {
        put16(buf + 20 + 2 * i, (UINT8)t[i]);
        put16(buf + 20 + bytes + 2 * i, (UINT8)t[i]);
    }
    if (c & 0x40)
        put16(buf + 4 + 2 * (u8(s) % 6), u16(s));
    return 20 + 2 * bytes;
}

static UINT32 io_length(fz *f)
{
    fz_src *s = &f->in;
    switch (u8(s) % 10) {
    case 0: return 0;
    case 1: return 1 + u8(s);
    case 2: return 4096;
    case 3: return 104 + u8(s);
    case 4: return u16(s);
    case 5: return 65536;
    case 6: return 131072 + u8(s);
    case 7: return 1u << 20;
    case 8: return (3u << 20) - u8(s);
    default: return 512;
    }
}

static void set_address(fz *f, fz_req *r, UINT64 *address, UINT32 length, bool fill)
{
    r->length = length;
    r->has_addr = true;
    if (u8(&f->in) >= 250) {
        *address = 0; /* no buffer at all: the engine must say so, not crash */
        return;
    }
    /* Exactly Length bytes (even 0), so any overrun is a heap-buffer-overflow. */
    r->addr = malloc(length);
    if (!r->addr) {
        *address = 0;
        return;
    }
    if (fill)
        memset(r->addr, 'A' + (u8(&f->in) % 26), length);
    *address = (UINT64)(uintptr_t)r->addr;
}

/*
 * What the WinFsp FSD guarantees: Close comes last, when nothing else is in
 * flight on the file; Overwrite is part of the Create IRP, before the handle
 * exists for anyone else (and a failed one ends the file without a Close).
 * So either comes alone on its handle.
 */
static bool exclusive_kind(UINT32 kind)
{
    return kind == FspFsctlTransactCloseKind || kind == FspFsctlTransactOverwriteKind;
}

static bool ordered(const fz *f, const fz_req *r)
{
    if (r->ctx2 == 0)
        return true;
    for (UINT32 i = 0; i < f->nreqs; i++) {
        const fz_req *o = &f->reqs[i];
        if (!o->has_ctx || o->ctx2 != r->ctx2 || o->completions)
            continue;
        if (exclusive_kind(o->kind) || exclusive_kind(r->kind))
            return false;
    }
    return true;
}

static bool submit(fz *f)
{
    static const UINT32 kinds[] = {
        FspFsctlTransactCreateKind, FspFsctlTransactCreateKind, FspFsctlTransactCreateKind,
        FspFsctlTransactCreateKind, FspFsctlTransactOverwriteKind, FspFsctlTransactCleanupKind,
        FspFsctlTransactCloseKind, FspFsctlTransactReadKind, FspFsctlTransactWriteKind,
        FspFsctlTransactQueryInformationKind, FspFsctlTransactSetInformationKind,
        FspFsctlTransactSetInformationKind, FspFsctlTransactQueryEaKind,
        FspFsctlTransactSetEaKind, FspFsctlTransactFlushBuffersKind,
        FspFsctlTransactQueryVolumeInformationKind, FspFsctlTransactSetVolumeInformationKind,
        FspFsctlTransactQueryDirectoryKind, FspFsctlTransactQueryDirectoryKind,
        FspFsctlTransactFileSystemControlKind, FspFsctlTransactDeviceControlKind,
        FspFsctlTransactQuerySecurityKind, FspFsctlTransactSetSecurityKind,
        FspFsctlTransactQueryStreamInformationKind, FspFsctlTransactShutdownKind,
        FspFsctlTransactLockControlKind, FspFsctlTransactReservedKind, FspFsctlTransactKindCount,
    };
    fz_src *s = &f->in;
    FSP_FSCTL_TRANSACT_REQ *req;
    fz_req *r;
    const fz_handle *h;
    UINT8 tmp[1024];
    UINT32 kind;
    uint8_t c;

    if (f->nreqs >= FZ_MAX_REQS || f->qcount >= FZ_MAX_QUEUE)
        return false;
    req = calloc(1, FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
    if (!req)
        return false;
    r = &f->reqs[f->nreqs];
    memset(r, 0, sizeof *r);
    c = u8(s);
    kind = kinds[c % (sizeof kinds / sizeof kinds[0])];
    if (c >= 252)
        kind = u32(s);
    req->Size = sizeof *req;
    req->Kind = kind;
    req->Hint = FZ_HINT_BASE + f->nreqs;
    r->hint = req->Hint;
    r->kind = kind;

    switch (kind) {
    case FspFsctlTransactCreateKind: {
        UINT32 disposition = u8(s) % 8; /* 6 and 7 are not dispositions */
        c = u8(s);
        req->Req.Create.CreateOptions = disposition << 24 | pick_options(s);
        req->Req.Create.DesiredAccess = pick_access(s);
        req->Req.Create.GrantedAccess = c & 0x80 ? pick_access(s) : 0;
        req->Req.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE;
        req->Req.Create.FileAttributes = c & 0x40 ? u32(s) : (c & 1 ? FILE_ATTRIBUTE_READONLY : 0);
        req->Req.Create.AllocationSize = c & 0x20 ? num64(s) : 0;
        req->Req.Create.AccessToken = c & 0x10 ? u64(s) : 0;
        req->Req.Create.UserMode = 1;
        req->Req.Create.CaseSensitive = (c >> 1) & 1;
        req->Req.Create.OpenTargetDirectory = (c & 0x0c) == 0x0c;
        req->Req.Create.HasTrailingBackslash = (c & 0x06) == 0x06;
        req->FileName = append_path(f, req, r);
        c = u8(s);
        if (c & 1)
            req->Req.Create.SecurityDescriptor = bend(s, append(req, tmp, gen_sd(s, tmp, sizeof tmp)));
        if (c & 2) {
            req->Req.Create.EaIsReparsePoint = (c & 4) != 0;
            req->Req.Create.Ea = bend(s, append(req, tmp, (c & 4) ? gen_reparse(s, tmp, sizeof tmp)
                : gen_ea(s, tmp, sizeof tmp)));
        }
        if ((c & 0x18) == 0x18)
            req->Req.Create.NamedStream = u16(s);
        break;
    }
    case FspFsctlTransactOverwriteKind:
        pick_handle(f, &req->Req.Overwrite.UserContext, &req->Req.Overwrite.UserContext2);
        c = u8(s);
        req->Req.Overwrite.FileAttributes = c & 1 ? u32(s) : 0;
        req->Req.Overwrite.Supersede = (c >> 1) & 1;
        req->Req.Overwrite.AllocationSize = c & 4 ? num64(s) : 0;
        if (c & 8)
            req->Req.Overwrite.Ea = bend(s, append(req, tmp, gen_ea(s, tmp, sizeof tmp)));
        break;
    case FspFsctlTransactCleanupKind:
        h = pick_handle(f, &req->Req.Cleanup.UserContext, &req->Req.Cleanup.UserContext2);
        c = u8(s);
        req->Req.Cleanup.Delete = c & 1;
        req->Req.Cleanup.SetAllocationSize = (c >> 1) & 1;
        req->Req.Cleanup.SetArchiveBit = (c >> 2) & 1;
        req->Req.Cleanup.SetLastAccessTime = (c >> 3) & 1;
        req->Req.Cleanup.SetLastWriteTime = (c >> 4) & 1;
        req->Req.Cleanup.SetChangeTime = (c >> 5) & 1;
        req->FileName = append_handle_path(f, req, h);
        break;
    case FspFsctlTransactCloseKind:
        pick_handle(f, &req->Req.Close.UserContext, &req->Req.Close.UserContext2);
        break;
    case FspFsctlTransactReadKind:
        pick_handle(f, &req->Req.Read.UserContext, &req->Req.Read.UserContext2);
        req->Req.Read.Offset = num64(s);
        req->Req.Read.Length = io_length(f);
        set_address(f, r, &req->Req.Read.Address, req->Req.Read.Length, false);
        break;
    case FspFsctlTransactWriteKind:
        pick_handle(f, &req->Req.Write.UserContext, &req->Req.Write.UserContext2);
        c = u8(s);
        req->Req.Write.Offset = c & 1 ? UINT64_MAX : num64(s);
        req->Req.Write.ConstrainedIo = (c >> 1) & 1;
        req->Req.Write.Length = io_length(f);
        set_address(f, r, &req->Req.Write.Address, req->Req.Write.Length, true);
        break;
    case FspFsctlTransactQueryInformationKind:
        pick_handle(f, &req->Req.QueryInformation.UserContext,
            &req->Req.QueryInformation.UserContext2);
        break;
    case FspFsctlTransactSetInformationKind: {
        static const UINT32 classes[] = {
            FileBasicInformation, FileAllocationInformation, FileEndOfFileInformation,
            FileDispositionInformation, FileDispositionInformationEx, FileRenameInformation,
            FileRenameInformationEx,
        };
        h = pick_handle(f, &req->Req.SetInformation.UserContext,
            &req->Req.SetInformation.UserContext2);
        c = u8(s);
        req->Req.SetInformation.FileInformationClass =
            c < 250 ? classes[c % (sizeof classes / sizeof classes[0])] : u32(s);
        switch (req->Req.SetInformation.FileInformationClass) {
        case FileBasicInformation:
            c = u8(s);
            req->Req.SetInformation.Info.Basic.FileAttributes = c & 1 ? INVALID_FILE_ATTRIBUTES
                : c & 2 ? u32(s) : FILE_ATTRIBUTE_READONLY * ((c >> 2) & 1);
            req->Req.SetInformation.Info.Basic.CreationTime = c & 8 ? num64(s) : 0;
            req->Req.SetInformation.Info.Basic.LastAccessTime = c & 16 ? num64(s) : 0;
            req->Req.SetInformation.Info.Basic.LastWriteTime = c & 32 ? num64(s) : 0;
            req->Req.SetInformation.Info.Basic.ChangeTime = c & 64 ? num64(s) : 0;
            break;
        case FileAllocationInformation:
            req->Req.SetInformation.Info.Allocation.AllocationSize = num64(s);
            break;
        case FileEndOfFileInformation:
            req->Req.SetInformation.Info.EndOfFile.FileSize = num64(s);
            break;
        case FileDispositionInformation:
            req->Req.SetInformation.Info.Disposition.Delete = u8(s) & 1;
            req->FileName = append_handle_path(f, req, h);
            break;
        case FileDispositionInformationEx:
            req->Req.SetInformation.Info.DispositionEx.Flags = u8(s) & 0x1f;
            req->FileName = append_handle_path(f, req, h);
            break;
        case FileRenameInformation:
        case FileRenameInformationEx:
            req->FileName = append_handle_path(f, req, h);
            req->Req.SetInformation.Info.RenameEx.NewFileName = append_path(f, req, NULL);
            c = u8(s);
            req->Req.SetInformation.Info.RenameEx.AccessToken = c & 1 ? u64(s) : 0;
            if (req->Req.SetInformation.FileInformationClass == FileRenameInformationEx)
                req->Req.SetInformation.Info.RenameEx.Flags = c >> 1;
            break;
        default:
            req->Req.SetInformation.Info.Allocation.AllocationSize = u64(s);
            break;
        }
        break;
    }
    case FspFsctlTransactQueryEaKind:
        pick_handle(f, &req->Req.QueryEa.UserContext, &req->Req.QueryEa.UserContext2);
        break;
    case FspFsctlTransactSetEaKind:
        pick_handle(f, &req->Req.SetEa.UserContext, &req->Req.SetEa.UserContext2);
        req->Req.SetEa.Ea = bend(s, append(req, tmp, gen_ea(s, tmp, sizeof tmp)));
        break;
    case FspFsctlTransactFlushBuffersKind:
        pick_handle(f, &req->Req.FlushBuffers.UserContext, &req->Req.FlushBuffers.UserContext2);
        break;
    case FspFsctlTransactQueryVolumeInformationKind:
        break;
    case FspFsctlTransactSetVolumeInformationKind:
        c = u8(s);
        req->Req.SetVolumeInformation.FsInformationClass = c < 200 ? FileFsLabelInformation
                                                                   : u8(s);
        {
            WCHAR label[40];
            UINT32 n = u8(s) % 40;
            for (UINT32 i = 0; i < n; i++)
                label[i] = (WCHAR)('L' + i % 10);
            req->Req.SetVolumeInformation.Info.Label.VolumeLabel =
                bend(s, append(req, label, n * sizeof(WCHAR)));
        }
        break;
    case FspFsctlTransactQueryDirectoryKind: {
        static const char *const patterns[] = {"*", "*.txt", "a", "A?", "x.txt", "*b*", "dir",
            "<\"*", "file"};
        pick_handle(f, &req->Req.QueryDirectory.UserContext,
            &req->Req.QueryDirectory.UserContext2);
        c = u8(s);
        req->Req.QueryDirectory.CaseSensitive = c & 1;
        req->Req.QueryDirectory.PatternIsFileName = (c >> 1) & 1;
        if (c & 4) {
            WCHAR w[16];
            const char *p = patterns[u8(s) % (sizeof patterns / sizeof patterns[0])];
            UINT32 n = 0;
            while (*p)
                w[n++] = (WCHAR)(uint8_t)*p++;
            req->Req.QueryDirectory.Pattern = bend(s, append(req, w, n * sizeof(WCHAR)));
        }
        if (c & 8) {
            UINT64 marker[2] = {c & 16 ? num64(s) : f->dir_off, 0};
            req->Req.QueryDirectory.Marker =
                bend(s, append(req, marker, c & 32 ? (size_t)(1 + u8(s) % 12) : sizeof marker[0]));
        }
        req->Req.QueryDirectory.Length = io_length(f);
        set_address(f, r, &req->Req.QueryDirectory.Address, req->Req.QueryDirectory.Length,
            false);
        break;
    }
    case FspFsctlTransactFileSystemControlKind: {
        static const UINT32 codes[] = {FSCTL_GET_REPARSE_POINT, FSCTL_SET_REPARSE_POINT,
            FSCTL_DELETE_REPARSE_POINT};
        h = pick_handle(f, &req->Req.FileSystemControl.UserContext,
            &req->Req.FileSystemControl.UserContext2);
        c = u8(s);
        req->Req.FileSystemControl.FsControlCode = c < 240 ? codes[c % 3] : u32(s);
        req->Req.FileSystemControl.TargetOnFileSystem = (c >> 4) & 1;
        req->FileName = append_handle_path(f, req, h);
        if (req->Req.FileSystemControl.FsControlCode != FSCTL_GET_REPARSE_POINT)
            req->Req.FileSystemControl.Buffer =
                bend(s, append(req, tmp, gen_reparse(s, tmp, sizeof tmp)));
        break;
    }
    case FspFsctlTransactDeviceControlKind: {
        UINT32 n;
        pick_handle(f, &req->Req.DeviceControl.UserContext, &req->Req.DeviceControl.UserContext2);
        req->Req.DeviceControl.IoControlCode = u32(s);
        n = u8(s) % 64;
        for (UINT32 i = 0; i < n; i++)
            tmp[i] = u8(s);
        req->Req.DeviceControl.Buffer = bend(s, append(req, tmp, n));
        c = u8(s);
        req->Req.DeviceControl.OutputLength = c < 100 ? c : c < 200 ? 4096 : c < 250 ? 4097 : u32(s);
        r->out_len = req->Req.DeviceControl.OutputLength;
        break;
    }
    case FspFsctlTransactQuerySecurityKind:
        pick_handle(f, &req->Req.QuerySecurity.UserContext, &req->Req.QuerySecurity.UserContext2);
        break;
    case FspFsctlTransactSetSecurityKind:
        pick_handle(f, &req->Req.SetSecurity.UserContext, &req->Req.SetSecurity.UserContext2);
        c = u8(s);
        req->Req.SetSecurity.SecurityInformation = c < 240 ? (c & 0x0f) : u32(s);
        req->Req.SetSecurity.SecurityDescriptor =
            bend(s, append(req, tmp, gen_sd(s, tmp, sizeof tmp)));
        break;
    case FspFsctlTransactQueryStreamInformationKind:
        pick_handle(f, &req->Req.QueryStreamInformation.UserContext,
            &req->Req.QueryStreamInformation.UserContext2);
        break;
    default:
        break;
    }
    /* Rarely, a Size that lies about the record. */
    c = u8(s);
    if (c == 255)
        req->Size = u16(s);
    switch (kind) {
    case FspFsctlTransactCreateKind:
    case FspFsctlTransactQueryVolumeInformationKind:
    case FspFsctlTransactSetVolumeInformationKind:
        break;
    default:
        if (kind >= FspFsctlTransactKindCount || kind == FspFsctlTransactReservedKind)
            break;
        /* Every per-file request has UserContext, UserContext2 first. */
        r->has_ctx = true;
        memcpy(&r->ctx2, (const UINT8 *)&req->Req + sizeof(UINT64), sizeof r->ctx2);
        break;
    }
    if (!fz_unordered && r->has_ctx && !ordered(f, r)) {
        TRACE("submit: kind %u on handle 0x%llx dropped (WinFsp ordering)\n", kind,
            (unsigned long long)r->ctx2);
        free(req);
        free(r->addr);
        free(r->path);
        memset(r, 0, sizeof *r);
        return false;
    }
    TRACE("submit #%u: kind %u, handle 0x%llx, Size %u\n", f->nreqs, kind,
        (unsigned long long)r->ctx2, req->Size);
    r->req = req;
    f->queue[(f->qhead + f->qcount) % FZ_MAX_QUEUE] = f->nreqs;
    f->qcount++;
    f->nreqs++;
    return true;
}

/* ---- the FUSE side: taking requests ---- */

static void ensure_obuf(fz *f)
{
    size_t want = wf_engine_request_size_min(f->engine);
    if (f->obuf && f->ocap == want)
        return;
    free(f->obuf);
    /* Exactly what the engine asks for, so writing past it is caught. */
    f->obuf = malloc(want);
    f->ocap = f->obuf ? want : 0;
}

static void forget_unique(fz *f, UINT64 unique)
{
    for (UINT32 i = 0; i < f->nout; i++) {
        if (f->out[i].unique == unique) {
            f->out[i] = f->out[--f->nout];
            break;
        }
    }
    f->answered[f->nanswered++ % 8] = unique;
}

/* Check a FUSE request the engine produced and remember what it needs answered. */
static void record(fz *f, size_t len)
{
    struct fuse_in_header hdr;
    fz_out *o;
    const UINT8 *body;
    size_t blen;

    if (len == 0)
        return;
    FZ_CHECK(len >= sizeof hdr && len <= f->ocap, "request of %zu bytes, buffer %zu", len,
        f->ocap);
    memcpy(&hdr, f->obuf, sizeof hdr);
    FZ_CHECK(hdr.len == len, "header len %u, produced %zu", hdr.len, len);
    body = f->obuf + sizeof hdr;
    blen = len - sizeof hdr;
    f->fuse_requests++;
    TRACE("  fuse: request opcode %u, unique %llu, nodeid %llu, %zu bytes\n", hdr.opcode,
        (unsigned long long)hdr.unique, (unsigned long long)hdr.nodeid, len);
    if (!f->init_seen) {
        struct fuse_init_in in;
        FZ_CHECK(hdr.opcode == FUSE_INIT, "first request is opcode %u, not INIT", hdr.opcode);
        FZ_CHECK(blen >= 8, "INIT of %zu bytes", blen);
        memset(&in, 0, sizeof in);
        memcpy(&in, body, blen < sizeof in ? blen : sizeof in);
        f->offered_minor = in.minor;
        f->init_seen = true;
    } else {
        FZ_CHECK(hdr.opcode != FUSE_INIT, "a second INIT");
    }
    if (hdr.opcode == FUSE_FORGET) {
        FZ_CHECK(blen == sizeof(struct fuse_forget_in), "FORGET of %zu bytes", blen);
        return;
    }
    if (hdr.opcode == FUSE_BATCH_FORGET) {
        struct fuse_batch_forget_in b;
        FZ_CHECK(blen >= sizeof b, "BATCH_FORGET of %zu bytes", blen);
        memcpy(&b, body, sizeof b);
        FZ_CHECK(blen == sizeof b + (size_t)b.count * sizeof(struct fuse_forget_one),
            "BATCH_FORGET count %u in %zu bytes", b.count, blen);
        return;
    }
    FZ_CHECK(hdr.unique != 0, "opcode %u with unique 0", hdr.opcode);
    for (UINT32 i = 0; i < f->nout; i++)
        FZ_CHECK(f->out[i].unique != hdr.unique, "unique %llu reused while outstanding",
            (unsigned long long)hdr.unique);
    if (f->nout == FZ_MAX_OUT) {
        f->out_overflow = true; /* never answered; stop cancels it */
        return;
    }
    o = &f->out[f->nout++];
    memset(o, 0, sizeof *o);
    o->unique = hdr.unique;
    o->opcode = hdr.opcode;
    o->nodeid = hdr.nodeid;
    switch (hdr.opcode) {
    case FUSE_READ:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS: {
        struct fuse_read_in in;
        FZ_CHECK(blen == sizeof in, "READ* of %zu bytes", blen);
        memcpy(&in, body, sizeof in);
        o->size = in.size;
        break;
    }
    case FUSE_WRITE: {
        struct fuse_write_in in;
        FZ_CHECK(blen >= sizeof in, "WRITE of %zu bytes", blen);
        memcpy(&in, body, sizeof in);
        FZ_CHECK(blen - sizeof in == in.size, "WRITE size %u with %zu bytes of data", in.size,
            blen - sizeof in);
        o->size = in.size;
        break;
    }
    case FUSE_GETXATTR:
    case FUSE_LISTXATTR: {
        struct fuse_getxattr_in in;
        FZ_CHECK(blen >= sizeof in, "xattr request of %zu bytes", blen);
        memcpy(&in, body, sizeof in);
        o->size = in.size;
        break;
    }
    case FUSE_IOCTL: {
        struct fuse_ioctl_in in;
        FZ_CHECK(blen >= sizeof in, "IOCTL of %zu bytes", blen);
        memcpy(&in, body, sizeof in);
        o->size = in.out_size;
        break;
    }
    default:
        break;
    }
}

static void check_transact(fz *f, NTSTATUS status)
{
    /* Errors a transact may return; anything else is a surprise. */
    FZ_CHECK(status == STATUS_SUCCESS || status == STATUS_INVALID_PARAMETER ||
            status == STATUS_CANCELLED || status == STATUS_NOT_SUPPORTED ||
            status == STATUS_INSUFFICIENT_RESOURCES,
        "wf_transact returned 0x%08x", (unsigned)status);
    if (status == STATUS_CANCELLED)
        f->stopped = true;
}

static void pull(fz *f)
{
    size_t len = 0;
    NTSTATUS status;

    ensure_obuf(f);
    if (!f->obuf)
        return;
    status = wf_transact(f->engine, NULL, 0, f->obuf, f->ocap, &len);
    TRACE("pull: 0x%08x\n", (unsigned)status);
    check_transact(f, status);
    record(f, len);
}

static bool outstanding(const fz *f, UINT64 unique)
{
    for (UINT32 i = 0; i < f->nout; i++)
        if (f->out[i].unique == unique)
            return true;
    return false;
}

/*
 * Hand a message (header included) over; with want_next, take the next
 * request in the same call. *was_outstanding: it was framed right and
 * answered a request we hold, so the engine must have taken it.
 */
static NTSTATUS send_reply(fz *f, const UINT8 *msg, size_t len, bool want_next,
    bool *was_outstanding)
{
    UINT8 *copy = malloc(len ? len : 1);
    size_t out_len = 0;
    NTSTATUS status;
    struct fuse_out_header h;
    bool framed = false;

    if (was_outstanding)
        *was_outstanding = false;
    if (!copy)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (len >= sizeof h) {
        memcpy(&h, msg, sizeof h);
        framed = h.len == len && h.unique != 0 && outstanding(f, h.unique);
    }
    /* An exact-size copy: reading past the reply's end is an overflow. */
    memcpy(copy, msg, len);
    if (want_next) {
        ensure_obuf(f);
        status = wf_transact(f->engine, copy, len, f->obuf, f->ocap, &out_len);
    } else {
        status = wf_transact(f->engine, copy, len, NULL, 0, &out_len);
    }
    free(copy);
    check_transact(f, status);
    if (framed) {
        if (!f->stopped)
            FZ_CHECK(status != STATUS_INVALID_PARAMETER,
                "reply to outstanding unique %llu rejected as unknown",
                (unsigned long long)h.unique);
        forget_unique(f, h.unique);
        if (was_outstanding)
            *was_outstanding = true;
    }
    if (want_next)
        record(f, out_len);
    else
        FZ_CHECK(out_len == 0, "a request produced without a buffer");
    return status;
}

/* ---- the FUSE side: replies ---- */

static const UINT32 node_pool_size = 16;
static UINT64 fz_fresh_node;     /* reset per input */

static UINT64 pick_nodeid(fz_src *s, UINT64 self)
{
    uint8_t c = u8(s);
    if (c < 180)
        return 2 + c % node_pool_size;
    if (c < 200)
        return ++fz_fresh_node; /* never seen: the tables grow */
    if (c < 215)
        return 0;
    if (c < 225)
        return FUSE_ROOT_ID;
    if (c < 235)
        return self;
    return u64(s);
}

static void gen_attr(fz_src *s, struct fuse_attr *a, UINT64 ino)
{
    static const UINT32 types[] = {LINUX_S_IFREG, LINUX_S_IFDIR, LINUX_S_IFREG, LINUX_S_IFDIR,
        LINUX_S_IFLNK, LINUX_S_IFIFO, LINUX_S_IFCHR, LINUX_S_IFBLK, LINUX_S_IFSOCK};
    uint8_t c = u8(s);

    memset(a, 0, sizeof *a);
    a->ino = c & 0x80 ? u64(s) : ino;
    if (c < 240)
        a->mode = types[c % (sizeof types / sizeof types[0])] | (c & 0x40 ? u16(s) & 07777 : 0644);
    else
        a->mode = u32(s);
    a->size = c & 0x20 ? num64(s) : u8(s);
    a->blocks = (a->size + 511) / 512;
    a->nlink = 1;
    a->blksize = 4096;
    if (c & 0x10) {
        a->atime = num64(s);
        a->mtime = num64(s);
        a->ctime = num64(s);
        a->atimensec = nsec(s);
        a->mtimensec = nsec(s);
        a->ctimensec = nsec(s);
        a->uid = u32(s);
        a->gid = u32(s);
        a->nlink = u32(s);
        a->rdev = u32(s);
        a->blksize = u32(s);
        a->flags = u32(s);
    } else {
        a->mtime = a->ctime = a->atime = 1700000000;
    }
}

static UINT64 valid_secs(fz_src *s)
{
    uint8_t c = u8(s);
    if (c < 100)
        return 60;
    if (c < 180)
        return 0;
    if (c < 220)
        return 1;
    return num64(s);
}

static void gen_entry(fz_src *s, struct fuse_entry_out *e, UINT64 self)
{
    memset(e, 0, sizeof *e);
    e->nodeid = pick_nodeid(s, self);
    e->generation = u8(s) < 240 ? 0 : u64(s);
    e->entry_valid = valid_secs(s);
    e->attr_valid = valid_secs(s);
    e->entry_valid_nsec = nsec(s);
    e->attr_valid_nsec = nsec(s);
    gen_attr(s, &e->attr, e->nodeid);
}

static const char *const name_vocab[] = {
    ".", "..", "a", "b", "dir", "file", "x.txt", "A", "FILE", "sub", "c.bin", ".hidden",
    "a*b", "a:b", "a\\b", "con", "\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80", "\xff\xfe",
    "\xed\xa0\x80", "tab\there", "new", "link", "a b", "dot.",
};

/* A name for a directory entry or a notification; returns its length. */
static UINT32 gen_name(fz_src *s, char *buf, UINT32 cap)
{
    uint8_t c = u8(s);
    UINT32 n;

    if (c < 220) {
        const char *v = name_vocab[c % (sizeof name_vocab / sizeof name_vocab[0])];
        n = (UINT32)strlen(v);
        if (n > cap)
            n = cap;
        memcpy(buf, v, n);
        return n;
    }
    switch (c % 4) {
    case 0: /* longest, and one too long */
        n = 255 + (u8(s) & 1);
        break;
    case 1: /* with a slash or a NUL inside */
        n = 3;
        if (n <= cap) {
            buf[0] = 'q';
            buf[1] = u8(s) & 1 ? '/' : 0;
            buf[2] = 'r';
        }
        return n <= cap ? n : 0;
    case 2:
        return 0;
    default:
        n = 1 + u8(s) % 12;
        if (n > cap)
            n = cap;
        for (UINT32 i = 0; i < n; i++)
            buf[i] = (char)u8(s);
        return n;
    }
    if (n > cap)
        n = cap;
    memset(buf, 'n', n);
    return n;
}

static UINT64 next_dir_off(fz *f)
{
    uint8_t c = u8(&f->in);
    if (c < 220)
        return ++f->dir_off;
    if (c < 235)
        return f->dir_off; /* no progress */
    if (c < 245)
        return 0;
    return u64(&f->in);
}

static size_t gen_listing(fz *f, const fz_out *o, UINT8 *b, size_t cap, bool plus)
{
    fz_src *s = &f->in;
    UINT32 count = u8(s) % 9;
    size_t used = 0, limit = o->size < cap ? o->size : cap;

    for (UINT32 i = 0; i < count; i++) {
        struct fuse_entry_out e;
        struct fuse_dirent d;
        char name[300];
        UINT32 nlen = gen_name(s, name, sizeof name);
        size_t head = plus ? sizeof e : 0;
        size_t size = head + FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + nlen);

        memset(&e, 0, sizeof e);
        if (used + size > limit)
            break;
        if (plus) {
            gen_entry(s, &e, 0);
            if (u8(s) >= 200)
                e.nodeid = 0; /* "no lookup", as libfuse sends for . and .. */
            memcpy(b + used, &e, sizeof e);
        }
        memset(&d, 0, sizeof d);
        d.ino = plus ? e.attr.ino : 2 + u8(s) % node_pool_size;
        d.off = next_dir_off(f);
        d.namelen = nlen;
        d.type = plus && u8(s) < 200 ? (e.attr.mode >> 12) & 017 : u8(s);
        if (u8(s) >= 250)
            d.namelen = u32(s); /* a length that lies */
        memcpy(b + used + head, &d, sizeof d);
        memcpy(b + used + head + sizeof d, name, nlen);
        memset(b + used + head + sizeof d + nlen, 0, size - head - sizeof d - nlen);
        used += size;
    }
    return used;
}

static size_t gen_body(fz *f, const fz_out *o, UINT8 *b, size_t cap)
{
    fz_src *s = &f->in;
    size_t len = 0;

    switch (o->opcode) {
    case FUSE_INIT: {
        static const UINT32 minors[] = {31, 31, 31, 26, 27, 28, 29, 30, 36, 38, 25, 12, 19, 22,
            23, 18};
        struct fuse_init_out out;
        uint8_t c = u8(s);
        memset(&out, 0, sizeof out);
        out.major = c < 250 ? FUSE_KERNEL_VERSION : u32(s);
        out.minor = minors[u8(s) % (sizeof minors / sizeof minors[0])];
        c = u8(s);
        out.flags = c < 128 ? FUSE_DO_READDIRPLUS | FUSE_MAX_PAGES | FUSE_ATOMIC_O_TRUNC
            : c < 192 ? 0 : u32(s);
        out.max_readahead = u32(s);
        out.max_background = u16(s);
        out.congestion_threshold = u16(s);
        c = u8(s);
        out.max_write = c < 100 ? 128 * 1024 : c < 150 ? 4096 : c < 200 ? 1u << 20 : u32(s);
        out.time_gran = u32(s);
        c = u8(s);
        out.max_pages = c < 100 ? 32 : c < 150 ? 256 : c < 200 ? 1 : u16(s);
        c = u8(s);
        len = c < 200 ? sizeof out : c < 220 ? FUSE_COMPAT_22_INIT_OUT_SIZE
                                             : c % (sizeof out + 9);
        memset(b, 0, len);
        memcpy(b, &out, len < sizeof out ? len : sizeof out);
        return len;
    }
    case FUSE_LOOKUP:
    case FUSE_MKNOD:
    case FUSE_MKDIR:
    case FUSE_SYMLINK:
    case FUSE_LINK: {
        struct fuse_entry_out e;
        gen_entry(s, &e, o->nodeid);
        memcpy(b, &e, sizeof e);
        return sizeof e;
    }
    case FUSE_CREATE: {
        struct fuse_entry_out e;
        struct fuse_open_out op;
        gen_entry(s, &e, o->nodeid);
        memset(&op, 0, sizeof op);
        op.fh = u8(s) < 200 ? u8(s) : u64(s);
        op.open_flags = u8(s) < 200 ? 0 : u32(s);
        memcpy(b, &e, sizeof e);
        memcpy(b + sizeof e, &op, sizeof op);
        return sizeof e + sizeof op;
    }
    case FUSE_GETATTR:
    case FUSE_SETATTR: {
        struct fuse_attr_out a;
        memset(&a, 0, sizeof a);
        a.attr_valid = valid_secs(s);
        a.attr_valid_nsec = nsec(s);
        gen_attr(s, &a.attr, o->nodeid);
        memcpy(b, &a, sizeof a);
        return sizeof a;
    }
    case FUSE_OPEN:
    case FUSE_OPENDIR: {
        struct fuse_open_out op;
        memset(&op, 0, sizeof op);
        op.fh = u8(s) < 200 ? u8(s) : u64(s);
        op.open_flags = u8(s) < 200 ? 0 : u32(s);
        memcpy(b, &op, sizeof op);
        return sizeof op;
    }
    case FUSE_READ: {
        uint8_t c = u8(s);
        len = c < 160 ? o->size : c < 200 ? u32(s) % ((size_t)o->size + 1) : c < 230 ? 0
            : (size_t)o->size + 1 + u8(s);
        if (len > cap)
            len = cap;
        memset(b, 'a' + c % 26, len);
        return len;
    }
    case FUSE_READDIR:
        return gen_listing(f, o, b, cap, false);
    case FUSE_READDIRPLUS:
        return gen_listing(f, o, b, cap, true);
    case FUSE_READLINK: {
        static const char *const targets[] = {"a/b", "/abs/x", "..", "../up", "x", "/", "a//b",
            "./c", "\xff", "a\\b", "d/"};
        uint8_t c = u8(s);
        if (c < 220) {
            const char *t = targets[c % (sizeof targets / sizeof targets[0])];
            len = strlen(t);
            memcpy(b, t, len);
        } else {
            len = c & 1 ? 4096 + (u8(s) % 3) : u16(s) % 5000;
            if (len > cap)
                len = cap;
            memset(b, c & 2 ? 'p' : '/', len);
        }
        return len;
    }
    case FUSE_WRITE: {
        struct fuse_write_out w;
        uint8_t c = u8(s);
        memset(&w, 0, sizeof w);
        w.size = c < 180 ? o->size : c < 220 ? u32(s) % (o->size + 1) : c < 240 ? 0 : u32(s);
        memcpy(b, &w, sizeof w);
        return sizeof w;
    }
    case FUSE_STATFS: {
        struct fuse_statfs_out st;
        memset(&st, 0, sizeof st);
        st.st.blocks = num64(s);
        st.st.bfree = num64(s);
        st.st.bavail = num64(s);
        st.st.files = num64(s);
        st.st.ffree = num64(s);
        st.st.bsize = u8(s) < 200 ? 4096 : u32(s);
        st.st.frsize = u8(s) < 200 ? 4096 : u32(s);
        st.st.namelen = u8(s) < 200 ? 255 : u32(s);
        memcpy(b, &st, sizeof st);
        return sizeof st;
    }
    case FUSE_GETXATTR:
    case FUSE_LISTXATTR:
        if (o->size == 0) {
            struct fuse_getxattr_out x;
            memset(&x, 0, sizeof x);
            x.size = u8(s) < 200 ? u8(s) : u32(s);
            memcpy(b, &x, sizeof x);
            return sizeof x;
        }
        if (o->opcode == FUSE_LISTXATTR) {
            static const char *const names[] = {"user.a", "user.NAME", "security.selinux",
                "user.", "trusted.x", "user.bad/name", "user.x\x01"};
            UINT32 count = u8(s) % 5;
            for (UINT32 i = 0; i < count; i++) {
                const char *n = names[u8(s) % (sizeof names / sizeof names[0])];
                size_t nl = strlen(n) + 1;
                if (len + nl > o->size || len + nl > cap)
                    break;
                memcpy(b + len, n, nl);
                len += nl;
            }
            if (len && u8(s) >= 230)
                len--; /* the last name without its NUL */
            return len;
        }
        len = u8(s) < 200 ? u8(s) % (o->size + 1) : u32(s) % ((size_t)o->size + 2);
        if (len > cap)
            len = cap;
        memset(b, 'v', len);
        return len;
    case FUSE_IOCTL: {
        struct fuse_ioctl_out io;
        size_t data;
        memset(&io, 0, sizeof io);
        io.result = u8(s) < 200 ? 0 : (int32_t)u32(s);
        io.flags = u8(s) < 230 ? 0 : u32(s);
        data = u8(s) < 200 ? u16(s) % ((size_t)o->size + 1) : u16(s);
        if (sizeof io + data > cap)
            data = cap - sizeof io;
        memcpy(b, &io, sizeof io);
        memset(b + sizeof io, 'i', data);
        return sizeof io + data;
    }
    case FUSE_INTERRUPT:
        return 0;
    case FUSE_LSEEK:
    case FUSE_BMAP:
    case FUSE_GETLK:
    case FUSE_POLL:
        len = o->opcode == FUSE_GETLK ? sizeof(struct fuse_lk_out) : 8;
        for (size_t i = 0; i < len; i++)
            b[i] = u8(s);
        return len;
    default:
        return 0;
    }
}

static const INT32 errnos[] = {
    LINUX_ENOENT, LINUX_EACCES, LINUX_EPERM, LINUX_EEXIST, LINUX_ENOTDIR, LINUX_EISDIR,
    LINUX_ENOTEMPTY, LINUX_ENOSYS, LINUX_EINTR, LINUX_EAGAIN, LINUX_ENOSPC, LINUX_EIO,
    LINUX_EINVAL, LINUX_ERANGE, LINUX_ENODATA, LINUX_ENOTTY, LINUX_ENAMETOOLONG, LINUX_EXDEV,
    LINUX_ELOOP, LINUX_EROFS, LINUX_EOPNOTSUPP, LINUX_EBADF, LINUX_EFBIG, LINUX_EMLINK,
};

static INT32 gen_error(fz_src *s)
{
    uint8_t c = u8(s);
    if (c < 200)
        return -errnos[c % (sizeof errnos / sizeof errnos[0])];
    if (c < 220)
        return -(INT32)(u16(s) % 600); /* 0, valid, and past -511 */
    if (c < 235)
        return (INT32)u8(s) + 1; /* positive */
    return (INT32)u32(s);
}

static void put_header(UINT8 *msg, UINT32 len, INT32 error, UINT64 unique)
{
    struct fuse_out_header h;
    h.len = len;
    h.error = error;
    h.unique = unique;
    memcpy(msg, &h, sizeof h);
}

static void reply(fz *f)
{
    fz_src *s = &f->in;
    const size_t hs = sizeof(struct fuse_out_header);
    UINT8 *msg = f->body;
    size_t len;
    fz_out o;
    uint8_t c, mode;
    INT32 error = 0;
    UINT64 unique;
    bool known;
    NTSTATUS status;

    if (f->nout == 0) {
        pull(f);
        return;
    }
    c = u8(s);
    o = f->out[c < 128 ? f->nout - 1 : c % f->nout];
    unique = o.unique;
    mode = u8(s);
    len = gen_body(f, &o, msg + hs, FZ_BODY_MAX - hs);
    if (o.opcode == FUSE_INTERRUPT) {
        error = mode < 128 ? -LINUX_EAGAIN : gen_error(s);
    } else if (mode < 165) {
        /* well-formed */
    } else if (mode < 200) {
        error = gen_error(s);
        len = mode < 195 ? 0 : len;
    } else if (mode < 218) {
        /* the right shape, the wrong length */
        if (len && (mode & 1)) {
            len -= 1 + u16(s) % len;
        } else {
            size_t extra = 1 + u8(s) % 16;
            if (len + extra > FZ_BODY_MAX - hs)
                extra = 0;
            memset(msg + hs + len, u8(s), extra);
            len += extra;
        }
    } else if (mode < 232) {
        /* the right shape with one byte changed */
        if (len) {
            size_t at = u16(s) % len;
            msg[hs + at] ^= (UINT8)(1 + u8(s));
        }
    } else if (mode < 240) {
        /* garbage */
        len = u8(s) % 200;
        for (size_t i = 0; i < len; i++)
            msg[hs + i] = u8(s);
    } else if (mode < 248) {
        /* a unique nobody asked for, or one already answered */
        unique = mode & 1 && f->nanswered ? f->answered[u8(s) % (f->nanswered < 8 ? f->nanswered : 8)]
                                          : unique + 2 * (1 + u8(s));
    } else {
        /* a header that lies about the length, or a short one */
        size_t real = hs + len;
        put_header(msg, (UINT32)(mode & 1 ? real + 1 : real - 1), error, unique);
        if (mode & 2)
            real = u8(s) % hs;
        status = send_reply(f, msg, real, false, NULL);
        FZ_CHECK(status == STATUS_INVALID_PARAMETER || f->stopped,
            "a lying header accepted: 0x%08x", (unsigned)status);
        return;
    }
    known = outstanding(f, unique);
    if (known && o.opcode == FUSE_INIT && unique == o.unique) {
        /* What the peer said, after any damage done above. */
        f->peer_minor = 0;
        if (len >= 8)
            memcpy(&f->peer_minor, msg + hs + 4, sizeof f->peer_minor);
    }
    TRACE("reply to opcode %u unique %llu (mode %u): error %d, body %zu bytes\n", o.opcode,
        (unsigned long long)unique, mode, error, len);
    put_header(msg, (UINT32)(hs + len), error, unique);
    status = send_reply(f, msg, hs + len, u8(s) < 220, NULL);
    if (!known && !f->stopped && !f->out_overflow && !(unique & 1))
        FZ_CHECK(status == STATUS_INVALID_PARAMETER, "reply to unknown unique %llu accepted",
            (unsigned long long)unique);
}

static void notify(fz *f)
{
    fz_src *s = &f->in;
    const size_t hs = sizeof(struct fuse_out_header);
    UINT8 *msg = f->body;
    size_t len = 0;
    uint8_t c = u8(s);
    INT32 code;
    char name[300];
    UINT32 nlen;

    switch (c % 8) {
    case 0:
    case 1: {
        struct fuse_notify_inval_inode_out n;
        memset(&n, 0, sizeof n);
        n.ino = pick_nodeid(s, FUSE_ROOT_ID);
        n.off = (int64_t)num64(s);
        n.len = (int64_t)num64(s);
        memcpy(msg + hs, &n, sizeof n);
        len = sizeof n;
        code = FUSE_NOTIFY_INVAL_INODE;
        break;
    }
    case 2:
    case 3: {
        struct fuse_notify_inval_entry_out n;
        memset(&n, 0, sizeof n);
        n.parent = u8(s) < 128 ? FUSE_ROOT_ID : pick_nodeid(s, FUSE_ROOT_ID);
        nlen = gen_name(s, name, sizeof name);
        n.namelen = u8(s) < 240 ? nlen : u32(s);
        n.flags = u8(s) < 240 ? 0 : u32(s);
        memcpy(msg + hs, &n, sizeof n);
        memcpy(msg + hs + sizeof n, name, nlen);
        msg[hs + sizeof n + nlen] = 0;
        len = sizeof n + nlen + 1;
        code = FUSE_NOTIFY_INVAL_ENTRY;
        break;
    }
    case 4: {
        struct fuse_notify_delete_out n;
        memset(&n, 0, sizeof n);
        n.parent = u8(s) < 128 ? FUSE_ROOT_ID : pick_nodeid(s, FUSE_ROOT_ID);
        n.child = pick_nodeid(s, 0);
        nlen = gen_name(s, name, sizeof name);
        n.namelen = u8(s) < 240 ? nlen : u32(s);
        memcpy(msg + hs, &n, sizeof n);
        memcpy(msg + hs + sizeof n, name, nlen);
        msg[hs + sizeof n + nlen] = 0;
        len = sizeof n + nlen + 1;
        code = FUSE_NOTIFY_DELETE;
        break;
    }
    case 5:
        code = FUSE_NOTIFY_POLL;
        len = 8;
        memset(msg + hs, 0, len);
        break;
    case 6:
        code = u8(s) & 1 ? FUSE_NOTIFY_STORE : FUSE_NOTIFY_RETRIEVE;
        len = u8(s) % 64;
        memset(msg + hs, 0, len);
        break;
    default:
        code = (INT32)u32(s);
        len = u8(s) % 64;
        for (size_t i = 0; i < len; i++)
            msg[hs + i] = u8(s);
        break;
    }
    c = u8(s);
    if (c >= 230 && len) {
        /* one byte short, or one too many */
        len = c & 1 ? len - 1 : len + 1;
        msg[hs + len - (c & 1 ? 0 : 1)] = 'z';
    }
    TRACE("notify: code %d, %zu bytes\n", code, len);
    put_header(msg, (UINT32)(hs + len), code, 0);
    send_reply(f, msg, hs + len, false, NULL);
}

static void junk(fz *f)
{
    fz_src *s = &f->in;
    UINT8 msg[64];
    size_t len = u8(s) % sizeof msg;

    for (size_t i = 0; i < len; i++)
        msg[i] = u8(s);
    if (len >= sizeof(struct fuse_out_header) && u8(s) < 128) {
        struct fuse_out_header h;
        memcpy(&h, msg, sizeof h);
        h.len = (UINT32)len;
        /* An interrupt answer (odd unique) or an even one nobody asked for. */
        h.unique |= 1;
        if (u8(s) & 1)
            h.unique = (h.unique & ~(UINT64)1) | ((UINT64)1 << 62);
        memcpy(msg, &h, sizeof h);
    }
    send_reply(f, msg, len, u8(s) & 1, NULL);
}

static void cancel(fz *f)
{
    fz_src *s = &f->in;
    UINT64 hint;

    if (f->nreqs && u8(s) < 230)
        hint = FZ_HINT_BASE + u16(s) % f->nreqs;
    else
        hint = u64(s);
    TRACE("cancel: hint 0x%llx\n", (unsigned long long)hint);
    wf_engine_cancel(f->engine, hint);
}

static void check_stats(fz *f)
{
    wf_engine_stats st;

    wf_engine_get_stats(f->engine, &st);
    FZ_CHECK(st.pending == f->taken - f->completed,
        "engine has %u pending; taken %u, completed %u", st.pending, f->taken, f->completed);
    FZ_CHECK(st.winfsp_requests == f->taken, "engine took %llu, provider gave %u",
        (unsigned long long)st.winfsp_requests, f->taken);
    /* Never more than either side offered. */
    if (st.proto_minor)
        FZ_CHECK(st.proto_minor <= f->offered_minor && st.proto_minor <= f->peer_minor,
            "proto_minor %u; offered %u, peer %u", st.proto_minor, f->offered_minor,
            f->peer_minor);
}

/* ---- one input ---- */

static void fz_reset(fz *f)
{
    for (UINT32 i = 0; i < f->nreqs; i++) {
        free(f->reqs[i].req);
        free(f->reqs[i].addr);
        free(f->reqs[i].path);
    }
    for (UINT32 i = 0; i < f->nhandles; i++)
        free(f->handles[i].path);
    free(f->obuf);
    UINT8 *body = f->body;
    memset(f, 0, sizeof *f);
    f->body = body;
}

static void fz_init_once(void)
{
    static bool done;
    const char *log;

    if (done)
        return;
    done = true;
    wf_idmap_init(&fz_map);
    fz_trace = getenv("WF_FUZZ_TRACE") != NULL;
    fz_unordered = getenv("WF_FUZZ_UNORDERED") != NULL;
    log = getenv("WF_FUZZ_LOG");
    wf_os_set_log_level(log ? atoi(log) : -1);
    F.body = malloc(FZ_BODY_MAX);
    if (!F.body)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz *f = &F;
    wf_engine_config config;
    wf_provider provider;
    wf_engine_stats st;
    NTSTATUS status;
    size_t len;
    uint8_t c;

    fz_init_once();
    fz_reset(f);
    f->in.p = data;
    f->in.n = size;
    f->dir_off = 2;
    fz_fresh_node = 1000;

    wf_engine_config_init(&config);
    config.transact_timeout_ns = 0;
    c = u8(&f->in);
    config.hide_dot_files = c & 1;
    config.volume_params.CaseSensitiveSearch = (c >> 1) & 1;
    if (c & 4)
        config.cache_entries_max = 1 + u8(&f->in) % 8; /* evictions all the time */
    if (c & 8) {
        config.default_uid = u32(&f->in);
        config.default_gid = u32(&f->in);
    }
    if (c & 16)
        config.volume_params.MaxComponentLength = u16(&f->in);
    memset(&provider, 0, sizeof provider);
    provider.context = f;
    provider.next_request = fz_next_request;
    provider.complete = fz_complete;
    provider.wake = fz_wake;
    provider.credentials = c & 32 ? fz_credentials : NULL;
    status = wf_engine_create(&config, &provider, &f->engine);
    FZ_CHECK(status == STATUS_SUCCESS, "wf_engine_create: 0x%08x", (unsigned)status);

    /* INIT first; its answer comes from the input like any other. */
    pull(f);
    FZ_CHECK(f->init_seen, "no INIT from a fresh engine");

    for (int actions = 0; more(&f->in) && actions < FZ_MAX_ACTIONS; actions++) {
        c = u8(&f->in);
        switch (c % 16) {
        case 0: case 1: case 2: case 3: case 4:
            reply(f);
            break;
        case 5: case 6: case 7:
            submit(f);
            break;
        case 8: case 9:
            pull(f);
            break;
        case 10:
            notify(f);
            break;
        case 11:
            junk(f);
            break;
        case 12:
            cancel(f);
            break;
        case 13:
            check_stats(f);
            break;
        default:
            if (submit(f))
                pull(f);
            break;
        }
    }

    check_stats(f);
    TRACE("stop\n");
    wf_engine_stop(f->engine);
    for (UINT32 i = 0; i < f->nreqs; i++) {
        const fz_req *r = &f->reqs[i];
        FZ_CHECK(!r->taken || r->completions == 1, "request %u (kind %u) completed %u times",
            i, r->kind, r->completions);
    }
    wf_engine_get_stats(f->engine, &st);
    FZ_CHECK(st.pending == 0, "%u pending after stop", st.pending);
    ensure_obuf(f);
    if (f->obuf) {
        status = wf_transact(f->engine, NULL, 0, f->obuf, f->ocap, &len);
        FZ_CHECK(status == STATUS_CANCELLED && len == 0, "transact after stop: 0x%08x, %zu",
            (unsigned)status, len);
    }
    f->deleting = true;
    wf_engine_delete(f->engine);
    f->engine = NULL;
    fz_reset(f);
    return 0;
}

#ifdef WF_FUZZ_MAIN
/* Without libFuzzer: run each file named on the command line once. */
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *fp = fopen(argv[i], "rb");
        uint8_t *buf;
        long n;
        if (!fp) {
            perror(argv[i]);
            return 2;
        }
        fseek(fp, 0, SEEK_END);
        n = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        buf = malloc(n > 0 ? (size_t)n : 1);
        if (!buf || (n > 0 && fread(buf, 1, (size_t)n, fp) != (size_t)n)) {
            fclose(fp);
            return 2;
        }
        fclose(fp);
        LLVMFuzzerTestOneInput(buf, (size_t)n);
        free(buf);
        printf("%s: ok\n", argv[i]);
    }
    return 0;
}
#endif
