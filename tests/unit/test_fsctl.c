/* The WinFsp transact ABI: layouts as WinFsp's, and the buffer helpers. */
#include "wf_test.h"

#include <string.h>

#include "winfuse/fsctl.h"

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
    rng_state = seed ? seed : 1;
}

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng_next() % n) : 0;
}

/* The buffer is exactly len bytes on the heap, so ASan sees any over-read. */
static uint8_t *exact_buffer(size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % FSP_FSCTL_DEFAULT_ALIGNMENT, 0);
    return p;
}

static uint32_t load32(const void *p, size_t offset)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)p + offset, sizeof v);
    return v;
}

static uint64_t load64(const void *p, size_t offset)
{
    uint64_t v;
    memcpy(&v, (const uint8_t *)p + offset, sizeof v);
    return v;
}

/* Which single bit a one-bit store set, counting from the start of the object. */
static int only_bit(const void *p, size_t size)
{
    const uint8_t *b = p;
    int found = -1;
    for (size_t i = 0; i < size; i++)
        for (int k = 0; k < 8; k++)
            if (b[i] >> k & 1) {
                if (found >= 0)
                    return -2;
                found = (int)(i * 8 + (size_t)k);
            }
    return found;
}

/* ---- layout ---- */

static void file_info_is_winfsps(void **state)
{
    (void)state;
    FSP_FSCTL_FILE_INFO fi;
    memset(&fi, 0, sizeof fi);
    fi.FileAttributes = 0x11111111;
    fi.ReparseTag = 0x22222222;
    fi.AllocationSize = 0x3333333333333333ULL;
    fi.FileSize = 0x4444444444444444ULL;
    fi.CreationTime = 0x5555555555555555ULL;
    fi.LastAccessTime = 0x6666666666666666ULL;
    fi.LastWriteTime = 0x7777777777777777ULL;
    fi.ChangeTime = 0x8888888888888888ULL;
    fi.IndexNumber = 0x9999999999999999ULL;
    fi.HardLinks = 0xaaaaaaaa;
    fi.EaSize = 0xbbbbbbbb;

    assert_int_equal(sizeof fi, 72);
    assert_int_equal(load32(&fi, 0), 0x11111111);
    assert_int_equal(load32(&fi, 4), 0x22222222);
    assert_true(load64(&fi, 8) == 0x3333333333333333ULL);
    assert_true(load64(&fi, 16) == 0x4444444444444444ULL);
    assert_true(load64(&fi, 24) == 0x5555555555555555ULL);
    assert_true(load64(&fi, 32) == 0x6666666666666666ULL);
    assert_true(load64(&fi, 40) == 0x7777777777777777ULL);
    assert_true(load64(&fi, 48) == 0x8888888888888888ULL);
    assert_true(load64(&fi, 56) == 0x9999999999999999ULL);
    assert_int_equal(load32(&fi, 64), 0xaaaaaaaa);
    assert_int_equal(load32(&fi, 68), 0xbbbbbbbb);
}

static void dir_info_is_winfsps(void **state)
{
    (void)state;
    union {
        FSP_FSCTL_DIR_INFO di;
        uint8_t bytes[sizeof(FSP_FSCTL_DIR_INFO) + 8];
    } u;
    memset(&u, 0, sizeof u);
    u.di.Size = (UINT16)(sizeof u.di + 4);
    u.di.FileInfo.FileAttributes = FILE_ATTRIBUTE_DIRECTORY;
    u.di.FileInfo.IndexNumber = 0x0102030405060708ULL;
    u.di.NextOffset = 0xfedcba9876543210ULL;
    u.di.FileNameBuf[0] = 'a';
    u.di.FileNameBuf[1] = 'b';

    assert_int_equal(sizeof u.di, 104);
    assert_int_equal(u.bytes[0] | u.bytes[1] << 8, 108);
    assert_int_equal(load32(u.bytes, 8), FILE_ATTRIBUTE_DIRECTORY);
    assert_true(load64(u.bytes, 8 + 56) == 0x0102030405060708ULL);
    assert_true(load64(u.bytes, 80) == 0xfedcba9876543210ULL);
    assert_int_equal(u.bytes[104], 'a');
    assert_int_equal(u.bytes[106], 'b');
    /* the padding makes the fixed part as big as FILE_ID_BOTH_DIR_INFORMATION */
    assert_int_equal(sizeof u.di.Padding, 24);
    assert_int_equal(offsetof(FSP_FSCTL_DIR_INFO, FileNameBuf), 104);
}

static void record_sizes_are_winfsps(void **state)
{
    (void)state;
    assert_int_equal(sizeof(FSP_FSCTL_VOLUME_PARAMS_V0), 456);
    assert_int_equal(sizeof(FSP_FSCTL_VOLUME_PARAMS), 504);
    assert_int_equal(sizeof(FSP_FSCTL_VOLUME_INFO), 88);
    assert_int_equal(sizeof(FSP_FSCTL_STREAM_INFO), 24);
    assert_int_equal(sizeof(FSP_FSCTL_NOTIFY_INFO), 12);
    assert_int_equal(sizeof(FSP_FSCTL_TRANSACT_REQ), 88);
    assert_int_equal(sizeof(FSP_FSCTL_TRANSACT_RSP), 128);
    assert_int_equal(offsetof(FSP_FSCTL_TRANSACT_REQ, Buffer), 88);
    assert_int_equal(offsetof(FSP_FSCTL_TRANSACT_RSP, Buffer), 128);
    assert_int_equal(offsetof(FSP_FSCTL_TRANSACT_REQ, Req.Overwrite.Ea), 52);
    assert_int_equal(offsetof(FSP_FSCTL_TRANSACT_REQ, Req.Create.NamedStream), 72);
    assert_int_equal(offsetof(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.FileName), 120);
}

#define BIT_AT(T, field, bit)                  \
    do {                                       \
        T obj_;                                \
        memset(&obj_, 0, sizeof obj_);         \
        obj_.field = 1;                        \
        assert_int_equal(only_bit(&obj_, sizeof obj_), (bit)); \
    } while (0)

static void volume_params_flag_bits(void **state)
{
    (void)state;
    /* the V0 flag word is the UINT32 at byte 36, allocated from bit 0 up */
    const int v0 = 36 * 8;
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, CaseSensitiveSearch, v0 + 0);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, CasePreservedNames, v0 + 1);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, UnicodeOnDisk, v0 + 2);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, PersistentAcls, v0 + 3);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, ReparsePoints, v0 + 4);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, ReparsePointsAccessCheck, v0 + 5);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, NamedStreams, v0 + 6);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, HardLinks, v0 + 7);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, ExtendedAttributes, v0 + 8);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, ReadOnlyVolume, v0 + 9);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, PostCleanupWhenModifiedOnly, v0 + 10);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, PassQueryDirectoryPattern, v0 + 11);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, AlwaysUseDoubleBuffering, v0 + 12);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, PassQueryDirectoryFileName, v0 + 13);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, FlushAndPurgeOnCleanup, v0 + 14);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, DeviceControl, v0 + 15);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, UmFileContextIsUserContext2, v0 + 16);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, UmFileContextIsFullContext, v0 + 17);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, UmNoReparsePointsDirCheck, v0 + 18);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, UmReservedFlags, v0 + 19);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, AllowOpenInKernelMode, v0 + 24);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, CasePreservedExtendedAttributes, v0 + 25);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, WslFeatures, v0 + 26);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, DirectoryMarkerAsNextOffset, v0 + 27);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, RejectIrpPriorToTransact0, v0 + 28);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, SupportsPosixUnlinkRename, v0 + 29);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, PostDispositionWhenNecessaryOnly, v0 + 30);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, KmReservedFlags, v0 + 31);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS_V0, KmReservedFlags, v0 + 31);
    /* the V1 flag word is at byte 456 */
    const int v1 = 456 * 8;
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, VolumeInfoTimeoutValid, v1 + 0);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, DirInfoTimeoutValid, v1 + 1);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, SecurityTimeoutValid, v1 + 2);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, StreamInfoTimeoutValid, v1 + 3);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, EaTimeoutValid, v1 + 4);
    BIT_AT(FSP_FSCTL_VOLUME_PARAMS, KmAdditionalReservedFlags, v1 + 5);
}

static void transact_flag_bits(void **state)
{
    (void)state;
    /* Create flags: 9 bits at 64; ReservedFlags does not fit and starts at 68 */
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.UserMode, 64 * 8 + 0);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.HasTraversePrivilege, 64 * 8 + 1);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.HasBackupPrivilege, 64 * 8 + 2);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.HasRestorePrivilege, 64 * 8 + 3);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.OpenTargetDirectory, 64 * 8 + 4);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.CaseSensitive, 64 * 8 + 5);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.HasTrailingBackslash, 64 * 8 + 6);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.AcceptsSecurityDescriptor, 64 * 8 + 7);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.EaIsReparsePoint, 64 * 8 + 8);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Create.ReservedFlags, 68 * 8);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Overwrite.Supersede, 48 * 8);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.Delete, 32 * 8 + 0);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.SetAllocationSize, 32 * 8 + 1);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.SetArchiveBit, 32 * 8 + 2);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.SetLastAccessTime, 32 * 8 + 3);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.SetLastWriteTime, 32 * 8 + 4);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Cleanup.SetChangeTime, 32 * 8 + 5);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.Write.ConstrainedIo, 56 * 8);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.SetInformation.Info.Disposition.Delete, 40 * 8);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.CaseSensitive, 52 * 8 + 0);
    BIT_AT(FSP_FSCTL_TRANSACT_REQ, Req.QueryDirectory.PatternIsFileName, 52 * 8 + 1);
    BIT_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.DisableCache, 124 * 8 + 0);
    BIT_AT(FSP_FSCTL_TRANSACT_RSP, Rsp.Create.Opened.HasSecurityDescriptor, 124 * 8 + 1);
}

static void constants_are_windows(void **state)
{
    (void)state;
    assert_int_equal(FspFsctlTransactCreateKind, 1);
    assert_int_equal(FspFsctlTransactQueryDirectoryKind, 14);
    assert_int_equal(FspFsctlTransactQueryStreamInformationKind, 21);
    assert_int_equal(FspFsctlTransactKindCount, 22);
    assert_int_equal(FSP_FSCTL_TRANSACT, 0x00092150);
    assert_int_equal(FSP_IOCTL_TRANSACT, 0xC6572150u);
    assert_int_equal(FSCTL_GET_REPARSE_POINT, 0x000900A8);
    assert_int_equal(FSCTL_SET_REPARSE_POINT, 0x000900A4);
    assert_int_equal(FSCTL_DELETE_REPARSE_POINT, 0x000900AC);
    assert_int_equal(FILE_ALL_ACCESS, 0x001F01FF);
    assert_int_equal(FILE_GENERIC_READ, 0x00120089);
    assert_int_equal(FILE_GENERIC_WRITE, 0x00120116);
    assert_int_equal(FILE_GENERIC_EXECUTE, 0x001200A0);
    assert_int_equal(FileRenameInformationEx, 65);
    assert_int_equal(FileStatInformation, 68);
    assert_int_equal(FileFsSectorSizeInformation, 11);
    assert_int_equal(wf_fsctl_create_disposition(FILE_OVERWRITE_IF << 24 | FILE_DIRECTORY_FILE),
        FILE_OVERWRITE_IF);
    assert_int_equal(wf_fsctl_create_options(FILE_OVERWRITE_IF << 24 | FILE_DIRECTORY_FILE),
        FILE_DIRECTORY_FILE);
}

/* ---- producing and consuming ---- */

static size_t make_request(FSP_FSCTL_TRANSACT_REQ *req, size_t capacity, UINT32 kind,
    UINT64 hint, size_t extra)
{
    memset(req, 0, sizeof *req);
    req->Size = sizeof *req;
    req->Kind = kind;
    req->Hint = hint;
    if (extra) {
        static uint8_t data[FSP_FSCTL_TRANSACT_REQ_SIZEMAX];
        for (size_t i = 0; i < extra; i++)
            data[i] = (uint8_t)(hint + i);
        assert_true(wf_fsctl_req_append(req, capacity, data, extra, &req->FileName));
    }
    return req->Size;
}

static void requests_round_trip(void **state)
{
    (void)state;
    enum { LEN = 4 * FSP_FSCTL_TRANSACT_REQ_SIZEMAX };
    uint8_t *buf = exact_buffer(LEN);
    uint8_t *end = buf + LEN;
    static const size_t extras[] = {0, 1, 7, 8, 100, 2001};
    size_t n = 0;

    FSP_FSCTL_TRANSACT_REQ *req = (FSP_FSCTL_TRANSACT_REQ *)buf;
    while (FspFsctlTransactCanProduceRequest(req, end)) {
        size_t extra = extras[n % 6];
        size_t size = make_request(req, (size_t)(end - (uint8_t *)req),
            (UINT32)(1 + n % (FspFsctlTransactKindCount - 1)), 1000 + n, extra);
        assert_int_equal(size, extra ? sizeof *req + extra : sizeof *req);
        req = FspFsctlTransactProduceRequest(req, size);
        assert_int_equal((uintptr_t)req % FSP_FSCTL_DEFAULT_ALIGNMENT, 0);
        n++;
    }
    /* at least one maximal request must always have fit */
    assert_true(n >= 3);
    size_t used = (size_t)((uint8_t *)req - buf);
    assert_true(LEN - used < FSP_FSCTL_TRANSACT_REQ_SIZEMAX);

    /* WinFsp's consumer */
    size_t seen = 0;
    for (FSP_FSCTL_TRANSACT_REQ *r = (FSP_FSCTL_TRANSACT_REQ *)buf, *next;
         NULL != (next = FspFsctlTransactConsumeRequest(r, buf + used)); r = next) {
        assert_int_equal(r->Hint, 1000 + seen);
        seen++;
    }
    assert_int_equal(seen, n);

    /* ours */
    size_t offset = 0;
    const FSP_FSCTL_TRANSACT_REQ *r;
    seen = 0;
    while (WF_FSCTL_WALK_ITEM == wf_fsctl_req_next(buf, used, &offset, &r)) {
        assert_int_equal((uintptr_t)r % 8, 0);
        assert_int_equal(r->Hint, 1000 + seen);
        assert_int_equal(r->Kind, 1 + seen % (FspFsctlTransactKindCount - 1));
        const void *data;
        assert_true(wf_fsctl_req_buf(r, r->FileName, &data));
        assert_int_equal(r->FileName.Size, extras[seen % 6]);
        for (size_t i = 0; i < r->FileName.Size; i++)
            assert_int_equal(((const uint8_t *)data)[i], (uint8_t)(r->Hint + i));
        seen++;
    }
    assert_int_equal(seen, n);
    assert_int_equal(offset, used);
    assert_int_equal(wf_fsctl_req_next(buf, used, &offset, &r), WF_FSCTL_WALK_END);
    assert_null(r);
    free(buf);
}

static void responses_round_trip(void **state)
{
    (void)state;
    enum { LEN = 3 * FSP_FSCTL_TRANSACT_RSP_SIZEMAX + 24 };
    uint8_t *buf = exact_buffer(LEN);
    uint8_t *end = buf + LEN;
    size_t n = 0;

    FSP_FSCTL_TRANSACT_RSP *rsp = (FSP_FSCTL_TRANSACT_RSP *)buf;
    while (FspFsctlTransactCanProduceResponse(rsp, end)) {
        memset(rsp, 0, sizeof *rsp);
        rsp->Size = sizeof *rsp;
        rsp->Kind = FspFsctlTransactQuerySecurityKind;
        rsp->Hint = 77 + n;
        uint8_t sd[40];
        memset(sd, (uint8_t)(n + 1), sizeof sd);
        assert_true(wf_fsctl_rsp_append(rsp, FSP_FSCTL_TRANSACT_RSP_SIZEMAX, sd, 20 + n % 21,
            &rsp->Rsp.QuerySecurity.SecurityDescriptor));
        rsp = FspFsctlTransactProduceResponse(rsp, rsp->Size);
        n++;
    }
    /* small responses: many fit before less than a maximal one is left */
    assert_true(n > 200);
    size_t used = (size_t)((uint8_t *)rsp - buf);

    size_t seen = 0;
    for (FSP_FSCTL_TRANSACT_RSP *r = (FSP_FSCTL_TRANSACT_RSP *)buf, *next;
         NULL != (next = FspFsctlTransactConsumeResponse(r, buf + used)); r = next)
        assert_int_equal(r->Hint, 77 + seen++);
    assert_int_equal(seen, n);

    size_t offset = 0;
    const FSP_FSCTL_TRANSACT_RSP *r;
    seen = 0;
    while (WF_FSCTL_WALK_ITEM == wf_fsctl_rsp_next(buf, used, &offset, &r)) {
        const void *sd;
        assert_true(wf_fsctl_rsp_buf(r, r->Rsp.QuerySecurity.SecurityDescriptor, &sd));
        assert_int_equal(r->Rsp.QuerySecurity.SecurityDescriptor.Size, 20 + seen % 21);
        assert_int_equal(((const uint8_t *)sd)[0], (uint8_t)(seen + 1));
        seen++;
    }
    assert_int_equal(seen, n);
    free(buf);
}

static void walk_rejects_lying_sizes(void **state)
{
    (void)state;
    const size_t hdr = sizeof(FSP_FSCTL_TRANSACT_REQ);
    size_t offset;
    const FSP_FSCTL_TRANSACT_REQ *r;

    /* a buffer too short to hold the header is never read as one */
    for (size_t len = 1; len < hdr; len++) {
        uint8_t *buf = exact_buffer(len);
        memset(buf, 0xff, len);
        offset = 0;
        assert_int_equal(wf_fsctl_req_next(buf, len, &offset, &r), WF_FSCTL_WALK_BAD);
        assert_int_equal(offset, 0);
        assert_null(FspFsctlTransactConsumeRequest((FSP_FSCTL_TRANSACT_REQ *)buf, buf + len));
        free(buf);
    }

    uint8_t *buf = exact_buffer(2 * hdr);
    FSP_FSCTL_TRANSACT_REQ *req = (FSP_FSCTL_TRANSACT_REQ *)buf;
    memset(buf, 0, 2 * hdr);

    /* Size smaller than the fixed part */
    req->Size = (UINT16)(hdr - 1);
    offset = 0;
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr, &offset, &r), WF_FSCTL_WALK_BAD);
    assert_null(FspFsctlTransactConsumeRequest(req, buf + 2 * hdr));
    req->Size = 0;
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr, &offset, &r), WF_FSCTL_WALK_BAD);

    /* Size running past the end of the buffer */
    req->Size = (UINT16)(2 * hdr + 1);
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr, &offset, &r), WF_FSCTL_WALK_BAD);
    assert_null(FspFsctlTransactConsumeRequest(req, buf + 2 * hdr));
    req->Size = UINT16_MAX;
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr, &offset, &r), WF_FSCTL_WALK_BAD);
    assert_null(FspFsctlTransactConsumeRequest(req, buf + 2 * hdr));
    assert_int_equal(offset, 0);

    /* an exact fit is fine, and so is an unaligned last record */
    req->Size = (UINT16)(2 * hdr);
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr, &offset, &r), WF_FSCTL_WALK_ITEM);
    assert_ptr_equal(r, req);
    assert_int_equal(offset, 2 * hdr);
    req->Size = (UINT16)(hdr + 3);
    offset = 0;
    assert_int_equal(wf_fsctl_req_next(buf, hdr + 3, &offset, &r), WF_FSCTL_WALK_ITEM);
    assert_int_equal(offset, hdr + 3);
    assert_int_equal(wf_fsctl_req_next(buf, hdr + 3, &offset, &r), WF_FSCTL_WALK_END);
    /* WinFsp's consumer wants the aligned step inside the buffer */
    assert_null(FspFsctlTransactConsumeRequest(req, buf + hdr + 3));

    /* a second record cut short by the buffer end */
    req->Size = (UINT16)hdr;
    offset = 0;
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr - 8, &offset, &r), WF_FSCTL_WALK_ITEM);
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr - 8, &offset, &r), WF_FSCTL_WALK_BAD);

    /* offsets past the end or misaligned, and a misaligned buffer */
    offset = 2 * hdr + 8;
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr, &offset, &r), WF_FSCTL_WALK_BAD);
    offset = 4;
    assert_int_equal(wf_fsctl_req_next(buf, 2 * hdr, &offset, &r), WF_FSCTL_WALK_BAD);
    UINT16 plausible = (UINT16)hdr;
    memcpy(buf + 4 + 2, &plausible, sizeof plausible);
    offset = 0;
    assert_int_equal(wf_fsctl_req_next(buf + 4, hdr, &offset, &r), WF_FSCTL_WALK_BAD);
    free(buf);
}

static void size_limits(void **state)
{
    (void)state;
    assert_int_equal(FSP_FSCTL_TRANSACT_REQ_SIZEMAX, 16320);
    assert_int_equal(FSP_FSCTL_TRANSACT_RSP_SIZEMAX, 16384);
    assert_int_equal(FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX, 16320 - 88);
    assert_int_equal(FSP_FSCTL_TRANSACT_RSP_BUFFER_SIZEMAX, 16384 - 128);
    assert_int_equal(FSP_FSCTL_TRANSACT_BUFFER_SIZEMIN, 16320);
    assert_int_equal(FSP_FSCTL_TRANSACT_PATH_SIZEMAX, 2048);
    assert_int_equal(FSP_FSCTL_VOLUME_NAME_SIZEMAX, 512);

    /* room for exactly one maximal record, and not one byte less */
    enum { LEN = FSP_FSCTL_TRANSACT_RSP_SIZEMAX + 8 };
    uint8_t *buf = exact_buffer(LEN);
    FSP_FSCTL_TRANSACT_REQ *req = (FSP_FSCTL_TRANSACT_REQ *)buf;
    FSP_FSCTL_TRANSACT_RSP *rsp = (FSP_FSCTL_TRANSACT_RSP *)buf;
    assert_true(FspFsctlTransactCanProduceRequest(req, buf + FSP_FSCTL_TRANSACT_REQ_SIZEMAX));
    assert_false(FspFsctlTransactCanProduceRequest(req, buf + FSP_FSCTL_TRANSACT_REQ_SIZEMAX - 1));
    assert_false(FspFsctlTransactCanProduceRequest((FSP_FSCTL_TRANSACT_REQ *)(buf + 8), buf));
    assert_true(FspFsctlTransactCanProduceResponse(rsp, buf + FSP_FSCTL_TRANSACT_RSP_SIZEMAX));
    assert_false(FspFsctlTransactCanProduceResponse(rsp, buf + FSP_FSCTL_TRANSACT_RSP_SIZEMAX - 1));

    /* a request grows to its maximum and no further */
    static uint8_t data[FSP_FSCTL_TRANSACT_RSP_SIZEMAX];
    FSP_FSCTL_TRANSACT_BUF b;
    memset(req, 0, sizeof *req);
    req->Size = sizeof *req;
    assert_false(
        wf_fsctl_req_append(req, LEN, data, FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX + 1, &b));
    assert_int_equal(req->Size, sizeof *req);
    assert_true(wf_fsctl_req_append(req, LEN, data, FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX, &b));
    assert_int_equal(req->Size, FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
    assert_false(wf_fsctl_req_append(req, LEN, data, 1, &b));
    size_t offset = 0;
    const FSP_FSCTL_TRANSACT_REQ *r;
    assert_int_equal(wf_fsctl_req_next(buf, LEN, &offset, &r), WF_FSCTL_WALK_ITEM);

    /* a walker refuses a request above the maximum even when the buffer holds it */
    req->Size = FSP_FSCTL_TRANSACT_REQ_SIZEMAX + 8;
    offset = 0;
    assert_int_equal(wf_fsctl_req_next(buf, LEN, &offset, &r), WF_FSCTL_WALK_BAD);

    /* a response likewise, with its own larger maximum */
    memset(rsp, 0, sizeof *rsp);
    rsp->Size = sizeof *rsp;
    assert_false(
        wf_fsctl_rsp_append(rsp, LEN, data, FSP_FSCTL_TRANSACT_RSP_BUFFER_SIZEMAX + 1, &b));
    assert_true(wf_fsctl_rsp_append(rsp, LEN, data, FSP_FSCTL_TRANSACT_RSP_BUFFER_SIZEMAX, &b));
    assert_int_equal(rsp->Size, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    const FSP_FSCTL_TRANSACT_RSP *s;
    offset = 0;
    assert_int_equal(wf_fsctl_rsp_next(buf, LEN, &offset, &s), WF_FSCTL_WALK_ITEM);
    assert_int_equal(offset, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);

    /* the storage the caller has is a limit too */
    memset(req, 0, sizeof *req);
    req->Size = sizeof *req;
    assert_false(wf_fsctl_req_append(req, sizeof *req + 15, data, 16, &b));
    assert_true(wf_fsctl_req_append(req, sizeof *req + 16, data, 16, &b));
    free(buf);
}

/* ---- the variable part ---- */

static void append_lays_out_like_the_fsd(void **state)
{
    (void)state;
    union {
        FSP_FSCTL_TRANSACT_REQ req;
        uint8_t bytes[1024];
    } u;
    memset(&u, 0xcc, sizeof u);
    memset(&u.req, 0, sizeof u.req);
    u.req.Size = sizeof u.req;
    u.req.Kind = FspFsctlTransactCreateKind;

    static const WCHAR name[] = {'\\', 'd', 'i', 'r', '\\', 'f', 0};
    static const uint8_t sd[] = {1, 0, 4, 0x80, 9, 9, 9, 9, 9, 9, 9};
    static const uint8_t ea[] = {0, 0, 0, 0, 0, 1, 2, 0, 'A', 0, 'x', 'y'};
    assert_true(wf_fsctl_req_append(&u.req, sizeof u, name, sizeof name, &u.req.FileName));
    assert_true(wf_fsctl_req_append(&u.req, sizeof u, sd, sizeof sd,
        &u.req.Req.Create.SecurityDescriptor));
    assert_true(wf_fsctl_req_append(&u.req, sizeof u, ea, sizeof ea, &u.req.Req.Create.Ea));

    /* each piece at the aligned end of the one before, as create.c's NEXTOFS */
    assert_int_equal(u.req.FileName.Offset, 0);
    assert_int_equal(u.req.FileName.Size, 14);
    assert_int_equal(u.req.Req.Create.SecurityDescriptor.Offset, 16);
    assert_int_equal(u.req.Req.Create.SecurityDescriptor.Size, 11);
    assert_int_equal(u.req.Req.Create.Ea.Offset, 32);
    assert_int_equal(u.req.Req.Create.Ea.Size, 12);
    assert_int_equal(u.req.Size, 88 + 32 + 12);
    /* the gaps are zeroed, and nothing beyond Size was touched */
    assert_int_equal(u.bytes[88 + 14], 0);
    assert_int_equal(u.bytes[88 + 15], 0);
    for (size_t i = 88 + 27; i < 88 + 32; i++)
        assert_int_equal(u.bytes[i], 0);
    assert_int_equal(u.bytes[88 + 44], 0xcc);

    const WCHAR *str;
    size_t len;
    assert_true(wf_fsctl_req_wstr(&u.req, u.req.FileName, &str, &len));
    assert_int_equal(len, 6);
    assert_memory_equal(str, name, 6 * sizeof(WCHAR));
    const void *p;
    assert_true(wf_fsctl_req_buf(&u.req, u.req.Req.Create.Ea, &p));
    assert_memory_equal(p, ea, sizeof ea);

    /* nothing to add is WinFsp's "absent" */
    FSP_FSCTL_TRANSACT_BUF none = {5, 5};
    assert_true(wf_fsctl_req_append(&u.req, sizeof u, NULL, 0, &none));
    assert_int_equal(none.Offset, 0);
    assert_int_equal(none.Size, 0);
    assert_int_equal(u.req.Size, 88 + 44);

    /* a record whose Size does not cover its fixed part cannot grow */
    u.req.Size = 10;
    assert_false(wf_fsctl_req_append(&u.req, sizeof u, sd, 1, &none));
    assert_int_equal(u.req.Size, 10);
}

static void pieces_outside_the_record_are_refused(void **state)
{
    (void)state;
    union {
        FSP_FSCTL_TRANSACT_REQ req;
        uint8_t bytes[256];
    } u;
    memset(&u, 0, sizeof u);
    u.req.Size = sizeof u.req + 20;
    const void *p;
    const WCHAR *s;
    size_t n;

    assert_true(wf_fsctl_req_buf(&u.req, (FSP_FSCTL_TRANSACT_BUF){0, 20}, &p));
    assert_ptr_equal(p, u.bytes + 88);
    assert_true(wf_fsctl_req_buf(&u.req, (FSP_FSCTL_TRANSACT_BUF){20, 0}, &p));
    assert_false(wf_fsctl_req_buf(&u.req, (FSP_FSCTL_TRANSACT_BUF){0, 21}, &p));
    assert_null(p);
    assert_false(wf_fsctl_req_buf(&u.req, (FSP_FSCTL_TRANSACT_BUF){21, 0}, &p));
    assert_false(wf_fsctl_req_buf(&u.req, (FSP_FSCTL_TRANSACT_BUF){UINT16_MAX, UINT16_MAX}, &p));
    /* strings: whole code units at even offsets only */
    assert_false(wf_fsctl_req_wstr(&u.req, (FSP_FSCTL_TRANSACT_BUF){1, 4}, &s, &n));
    assert_false(wf_fsctl_req_wstr(&u.req, (FSP_FSCTL_TRANSACT_BUF){2, 3}, &s, &n));
    assert_null(s);
    assert_int_equal(n, 0);
    /* no NUL inside the piece: the length is the whole piece */
    for (int i = 0; i < 20; i++)
        u.bytes[88 + i] = 'x';
    assert_true(wf_fsctl_req_wstr(&u.req, (FSP_FSCTL_TRANSACT_BUF){4, 16}, &s, &n));
    assert_int_equal(n, 8);
    /* a Size below the fixed part leaves no variable part at all */
    u.req.Size = 40;
    assert_false(wf_fsctl_req_buf(&u.req, (FSP_FSCTL_TRANSACT_BUF){0, 0}, &p));
}

/* ---- information lists ---- */

static size_t make_dirinfo(FSP_FSCTL_DIR_INFO *di, size_t namelen, UINT64 index)
{
    memset(di, 0, sizeof *di + namelen * sizeof(WCHAR));
    di->Size = (UINT16)(sizeof *di + namelen * sizeof(WCHAR));
    di->FileInfo.IndexNumber = index;
    for (size_t i = 0; i < namelen; i++)
        di->FileNameBuf[i] = (WCHAR)('a' + (index + i) % 26);
    return di->Size;
}

static void dir_info_list_round_trip(void **state)
{
    (void)state;
    enum { LEN = 1000 };
    uint8_t *buf = exact_buffer(LEN);
    union {
        FSP_FSCTL_DIR_INFO di;
        uint8_t bytes[sizeof(FSP_FSCTL_DIR_INFO) + 512];
    } u;
    size_t done = 0, n = 0;
    for (;;) {
        make_dirinfo(&u.di, n % 13, n);
        if (!wf_fsctl_dirinfo_add(&u.di, buf, LEN, &done))
            break;
        assert_int_equal(done % 8, 0);
        n++;
    }
    assert_true(n >= 7);
    /* the end marker goes in if two bytes are left */
    size_t before = done;
    assert_int_equal(wf_fsctl_dirinfo_add(NULL, buf, LEN, &done), LEN - before >= 2);
    assert_true(done <= LEN);

    size_t offset = 0, seen = 0;
    const FSP_FSCTL_DIR_INFO *di;
    while (WF_FSCTL_WALK_ITEM == wf_fsctl_dirinfo_next(buf, done, &offset, &di)) {
        assert_true(di->FileInfo.IndexNumber == seen);
        assert_int_equal(wf_fsctl_dirinfo_name_length(di), seen % 13);
        for (size_t i = 0; i < seen % 13; i++)
            assert_int_equal(di->FileNameBuf[i], 'a' + (seen + i) % 26);
        seen++;
    }
    assert_int_equal(seen, n);
    assert_int_equal(offset, done);

    /* a record that does not fit is not written at all */
    size_t full = LEN - 8;
    memset(buf, 0xee, LEN);
    make_dirinfo(&u.di, 0, 1);
    assert_false(wf_fsctl_dirinfo_add(&u.di, buf, 100, &(size_t){0}));
    assert_false(wf_fsctl_dirinfo_add(&u.di, buf, LEN, &full));
    assert_int_equal(full, LEN - 8);
    assert_false(wf_fsctl_dirinfo_add(NULL, buf, LEN, &(size_t){LEN - 1}));
    assert_false(wf_fsctl_dirinfo_add(&u.di, buf, LEN, &(size_t){LEN + 8}));
    assert_int_equal(buf[0], 0xee);
    free(buf);
}

static void dir_info_walk_rejects_bad_records(void **state)
{
    (void)state;
    uint8_t *buf = exact_buffer(256);
    union {
        FSP_FSCTL_DIR_INFO di;
        uint8_t bytes[sizeof(FSP_FSCTL_DIR_INFO) + 16];
    } u;
    size_t offset;
    const FSP_FSCTL_DIR_INFO *di;

    make_dirinfo(&u.di, 4, 3);
    memset(buf, 0, 256);
    memcpy(buf, &u, u.di.Size);

    /* well formed, then the end marker */
    offset = 0;
    assert_int_equal(wf_fsctl_dirinfo_next(buf, 256, &offset, &di), WF_FSCTL_WALK_ITEM);
    assert_int_equal(offset, 112);
    assert_int_equal(wf_fsctl_dirinfo_next(buf, 256, &offset, &di), WF_FSCTL_WALK_END);
    assert_int_equal(offset, 256);

    /* Size below the fixed part, odd name, running past the end */
    UINT16 bad[] = {2, 103, 105, 257};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(buf, &bad[i], 2);
        offset = 0;
        assert_int_equal(wf_fsctl_dirinfo_next(buf, 256, &offset, &di), WF_FSCTL_WALK_BAD);
        assert_int_equal(offset, 0);
    }
    /* truncated by the length the producer reported */
    memcpy(buf, &u, u.di.Size);
    offset = 0;
    assert_int_equal(wf_fsctl_dirinfo_next(buf, 110, &offset, &di), WF_FSCTL_WALK_BAD);
    /* one stray byte where a record would start */
    offset = 0;
    assert_int_equal(wf_fsctl_dirinfo_next(buf, 113, &offset, &di), WF_FSCTL_WALK_ITEM);
    assert_int_equal(wf_fsctl_dirinfo_next(buf, 113, &offset, &di), WF_FSCTL_WALK_BAD);
    free(buf);
}

static void stream_and_notify_lists(void **state)
{
    (void)state;
    uint8_t *buf = exact_buffer(128);
    union {
        FSP_FSCTL_STREAM_INFO si;
        FSP_FSCTL_NOTIFY_INFO ni;
        uint8_t bytes[64];
    } u;
    size_t done = 0;

    memset(&u, 0, sizeof u);
    u.si.Size = sizeof u.si + 2 * sizeof(WCHAR);
    u.si.StreamSize = 12345;
    u.si.StreamNameBuf[0] = ':';
    u.si.StreamNameBuf[1] = 's';
    assert_true(wf_fsctl_streaminfo_add(&u.si, buf, 128, &done));
    assert_true(wf_fsctl_streaminfo_add(&u.si, buf, 128, &done));
    assert_int_equal(done, 64);
    u.si.Size = 10; /* below the fixed part: refused */
    assert_false(wf_fsctl_streaminfo_add(&u.si, buf, 128, &done));
    assert_true(wf_fsctl_streaminfo_add(NULL, buf, 128, &done));

    size_t offset = 0, n = 0;
    const FSP_FSCTL_STREAM_INFO *si;
    while (WF_FSCTL_WALK_ITEM == wf_fsctl_streaminfo_next(buf, done, &offset, &si)) {
        assert_true(si->StreamSize == 12345);
        assert_int_equal(si->StreamNameBuf[1], 's');
        n++;
    }
    assert_int_equal(n, 2);

    memset(&u, 0, sizeof u);
    u.ni.Size = sizeof u.ni + 3 * sizeof(WCHAR);
    u.ni.Filter = FILE_NOTIFY_CHANGE_FILE_NAME;
    u.ni.Action = FILE_ACTION_REMOVED;
    done = 0;
    assert_true(wf_fsctl_notifyinfo_add(&u.ni, buf, 128, &done));
    assert_int_equal(done, 24);
    const FSP_FSCTL_NOTIFY_INFO *ni;
    offset = 0;
    assert_int_equal(wf_fsctl_notifyinfo_next(buf, done, &offset, &ni), WF_FSCTL_WALK_ITEM);
    assert_int_equal(ni->Action, FILE_ACTION_REMOVED);
    assert_int_equal(wf_fsctl_notifyinfo_next(buf, done, &offset, &ni), WF_FSCTL_WALK_END);
    free(buf);
}

/* ---- randomized ---- */

/*
 * Random bytes, random lengths: the walkers must end (END or BAD) without
 * reading outside the buffer (ASan watches), and every record they hand
 * out must lie inside it.
 */
static void walkers_survive_garbage(void **state)
{
    (void)state;
    rng_seed(0x5eed0001);
    for (int round = 0; round < 4000; round++) {
        size_t len = rng_below(3 * 1024);
        uint8_t *buf = exact_buffer(len);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rng_next();
        /* make plausible sizes common so the walkers get past the first record */
        for (size_t at = 0; at + 4 <= len; at += 8 * (1 + rng_below(8))) {
            UINT16 size = (UINT16)(rng_below(2) ? 88 + rng_below(300) : 104 + 2 * rng_below(40));
            memcpy(buf + at + (rng_below(2) ? 2 : 0), &size, 2);
        }

        size_t offset = 0, steps = 0;
        const FSP_FSCTL_TRANSACT_REQ *req;
        while (WF_FSCTL_WALK_ITEM == wf_fsctl_req_next(buf, len, &offset, &req)) {
            assert_true((const uint8_t *)req + req->Size <= buf + len);
            const void *p;
            if (wf_fsctl_req_buf(req, req->FileName, &p))
                assert_true((const uint8_t *)p + req->FileName.Size <= buf + len);
            const WCHAR *s;
            size_t n;
            if (wf_fsctl_req_wstr(req, req->Req.QueryDirectory.Pattern, &s, &n))
                assert_true((const uint8_t *)(s + n) <= buf + len);
            assert_true(++steps <= len / 88);
        }
        assert_true(offset <= len);

        offset = steps = 0;
        const FSP_FSCTL_TRANSACT_RSP *rsp;
        while (WF_FSCTL_WALK_ITEM == wf_fsctl_rsp_next(buf, len, &offset, &rsp))
            assert_true(++steps <= len / 128);

        offset = steps = 0;
        const FSP_FSCTL_DIR_INFO *di;
        while (WF_FSCTL_WALK_ITEM == wf_fsctl_dirinfo_next(buf, len, &offset, &di)) {
            assert_true((const uint8_t *)di->FileNameBuf +
                    wf_fsctl_dirinfo_name_length(di) * sizeof(WCHAR) <= buf + len);
            assert_true(++steps <= len / 104);
        }

        /* WinFsp's consumer on the same bytes */
        FSP_FSCTL_TRANSACT_REQ *r = (FSP_FSCTL_TRANSACT_REQ *)buf;
        steps = 0;
        while (NULL != (r = FspFsctlTransactConsumeRequest(r, buf + len)))
            assert_true(++steps <= len / 88);
        free(buf);
    }
}

/* Random batches of random requests survive a trip through a buffer intact. */
static void random_batches_round_trip(void **state)
{
    (void)state;
    enum { LEN = 64 * 1024, MAXN = 512 };
    uint8_t *buf = exact_buffer(LEN);
    static UINT64 hints[MAXN];
    static size_t extras[MAXN];
    rng_seed(0x5eed0002);

    for (int round = 0; round < 200; round++) {
        uint8_t *end = buf + LEN;
        FSP_FSCTL_TRANSACT_REQ *req = (FSP_FSCTL_TRANSACT_REQ *)buf;
        size_t n = 0, want = 1 + rng_below(40);
        while (n < want && FspFsctlTransactCanProduceRequest(req, end)) {
            size_t extra = rng_below(8) ? rng_below(64)
                                        : rng_below(FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX + 1);
            hints[n] = rng_next();
            extras[n] = extra;
            size_t size = make_request(req, (size_t)(end - (uint8_t *)req),
                (UINT32)rng_below(FspFsctlTransactKindCount), hints[n], extra);
            req = FspFsctlTransactProduceRequest(req, size);
            n++;
        }
        size_t used = (size_t)((uint8_t *)req - buf);

        size_t offset = 0, seen = 0;
        const FSP_FSCTL_TRANSACT_REQ *r;
        wf_fsctl_walk w;
        while (WF_FSCTL_WALK_ITEM == (w = wf_fsctl_req_next(buf, used, &offset, &r))) {
            assert_true(seen < n);
            assert_true(r->Hint == hints[seen]);
            const void *p;
            assert_true(wf_fsctl_req_buf(r, r->FileName, &p));
            assert_int_equal(r->FileName.Size, extras[seen]);
            if (extras[seen])
                assert_int_equal(((const uint8_t *)p)[extras[seen] - 1],
                    (uint8_t)(hints[seen] + extras[seen] - 1));
            seen++;
        }
        assert_int_equal(w, WF_FSCTL_WALK_END);
        assert_int_equal(seen, n);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(file_info_is_winfsps),
        cmocka_unit_test(dir_info_is_winfsps),
        cmocka_unit_test(record_sizes_are_winfsps),
        cmocka_unit_test(volume_params_flag_bits),
        cmocka_unit_test(transact_flag_bits),
        cmocka_unit_test(constants_are_windows),
        cmocka_unit_test(requests_round_trip),
        cmocka_unit_test(responses_round_trip),
        cmocka_unit_test(walk_rejects_lying_sizes),
        cmocka_unit_test(size_limits),
        cmocka_unit_test(append_lays_out_like_the_fsd),
        cmocka_unit_test(pieces_outside_the_record_are_refused),
        cmocka_unit_test(dir_info_list_round_trip),
        cmocka_unit_test(dir_info_walk_rejects_bad_records),
        cmocka_unit_test(stream_and_notify_lists),
        cmocka_unit_test(walkers_survive_garbage),
        cmocka_unit_test(random_batches_round_trip),
    };
    return WF_RUN_TESTS(tests);
}
