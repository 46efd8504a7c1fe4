/*
 * wslfuse_faults.c - FUSE programs that die or talk nonsense: the engine
 * and its channel must end every request with an error at once, leak
 * nothing (this runs under the sanitizers too) and never hang.
 *
 *   kill         peer_fs (libfuse 3) killed with SIGKILL in the middle of
 *                reads, writes and directory listings, 50 times in a row,
 *                through each channel: every request completes well
 *                before a 5 s deadline, with success if it was answered
 *                before the kill and STATUS_CANCELLED otherwise, and later
 *                requests fail at once.
 *   garbage      garbage_fs answers every request with garbage (random
 *                lengths and errors, wrong uniques, wrong sizes, truncated
 *                and oversized messages): every request completes with a
 *                proper status, the engine counts the bad replies, and the
 *                volume still ends cleanly.
 *
 * Deadlines are generous bounds that catch a hang; nothing is timed.
 */
#include "wf_test.h"
#include "wslfuse_harness.h"

#include "os/os.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef WF_PEER_FS
#error "WF_PEER_FS must name the peer_fs executable"
#endif
#ifndef WF_GARBAGE_FS
#error "WF_GARBAGE_FS must name the garbage_fs executable"
#endif

#define KILL_ROUNDS 50
#define STORM 24
#define FILE_LEN (256u << 10)
/* A request pending when its file system dies must fail within this. */
#define DEATH_DEADLINE_MS 5000

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

static wh *held;

static int teardown(void **state)
{
    (void)state;
    wh_discard(held);
    held = NULL;
    return 0;
}

/* ---- kill ---- */

typedef struct storm_req {
    wh_slot *slot;
    UINT8 *buf;
    UINT32 kind;
} storm_req;

static wh_slot *submit_read(wh *h, UINT64 handle, UINT64 off, UINT8 *buf, UINT32 len)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactReadKind);

    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Offset = off;
    req->Req.Read.Length = len;
    return wh_submit(h, req);
}

static wh_slot *submit_write(wh *h, UINT64 handle, UINT64 off, const UINT8 *buf, UINT32 len)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactWriteKind);

    req->Req.Write.UserContext2 = handle;
    req->Req.Write.Address = (UINT64)(uintptr_t)buf;
    req->Req.Write.Offset = off;
    req->Req.Write.Length = len;
    return wh_submit(h, req);
}

static wh_slot *submit_list(wh *h, UINT64 dir, UINT8 *buf, UINT32 len)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactQueryDirectoryKind);

    req->Req.QueryDirectory.UserContext2 = dir;
    req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)buf;
    req->Req.QueryDirectory.Length = len;
    req->Req.QueryDirectory.CaseSensitive = 1;
    return wh_submit(h, req);
}

/* peer_fs's "__hang" is never answered: a request surely pending at the kill. */
static wh_slot *submit_hang(wh *h)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactCreateKind);

    req->Req.Create.CreateOptions = FILE_OPEN << 24;
    req->Req.Create.DesiredAccess = FILE_GENERIC_READ;
    req->FileName = wh_req_path(req, "\\__hang");
    return wh_submit(h, req);
}

static void kill_round(wf_launch_channel channel, unsigned round, UINT8 *data)
{
    wh_config config = {.channel = channel, .threads = 1 + round % 3};
    /* Caching nothing (--timeout=0): every request walks, so more of them are in flight. */
    char *argv[] = {(char *)WF_PEER_FS, (char *)"--mt", (char *)"--timeout=0", NULL, NULL, NULL};
    FSP_FSCTL_TRANSACT_RSP *rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    storm_req storm[STORM + 1];
    UINT64 file, dir;
    char name[32];
    wf_launch_info info;
    unsigned answered = 0, cancelled = 0;
    int status, argc = 3;
    wh *h;

    assert_non_null(rsp);
    if (round % 2)
        argv[argc++] = (char *)"--jitter";
    argv[argc] = (char *)"{}";
    h = held = wh_new(&config);
    assert_int_equal(wh_launch(h, argv), 0);
    wh_expect_ready(h, "peer_fs");

    /* Something to read, write and list. */
    assert_int_equal(wh_open(h, "\\file", FILE_CREATE, FILE_NON_DIRECTORY_FILE,
                         FILE_GENERIC_READ | FILE_GENERIC_WRITE, &file),
        STATUS_SUCCESS);
    assert_int_equal(wh_write(h, file, 0, data, FILE_LEN), STATUS_SUCCESS);
    assert_int_equal(wh_open(h, "\\dir", FILE_CREATE, FILE_DIRECTORY_FILE,
                         FILE_LIST_DIRECTORY | SYNCHRONIZE, &dir),
        STATUS_SUCCESS);
    for (int i = 0; i < 8; i++) {
        UINT64 f;
        snprintf(name, sizeof name, "\\dir\\entry-%d", i);
        assert_int_equal(wh_open(h, name, FILE_CREATE, FILE_NON_DIRECTORY_FILE,
                             FILE_GENERIC_WRITE, &f),
            STATUS_SUCCESS);
        wh_close(h, f);
    }

    /* A storm of reads, writes and listings, and one request that hangs. */
    for (int i = 0; i < STORM; i++) {
        UINT32 len = 4096 + rnd(FILE_LEN - 4096);
        storm[i].buf = malloc(FILE_LEN);
        assert_non_null(storm[i].buf);
        storm[i].kind = rnd(3);
        if (storm[i].kind == 0)
            storm[i].slot = submit_read(h, file, rnd(FILE_LEN), storm[i].buf, len);
        else if (storm[i].kind == 1)
            storm[i].slot = submit_write(h, file, rnd(FILE_LEN), data, len);
        else
            storm[i].slot = submit_list(h, dir, storm[i].buf, 4096);
    }
    storm[STORM].buf = NULL;
    storm[STORM].kind = 3;
    storm[STORM].slot = submit_hang(h);

    /* Die at a different moment each round: at once, or after a little while. */
    if (round % 5)
        usleep(rnd(4000));
    wf_launch_get_info(wh_launched(h), &info);
    assert_int_equal(kill(info.pid, SIGKILL), 0);

    for (int i = 0; i <= STORM; i++) {
        NTSTATUS st;
        if (!wh_await(h, storm[i].slot, DEATH_DEADLINE_MS, rsp))
            fail_msg("round %u: request %d (kind %u) still pending %d ms after the kill",
                round, i, storm[i].kind, DEATH_DEADLINE_MS);
        st = (NTSTATUS)rsp->IoStatus.Status;
        if (st == STATUS_CANCELLED)
            cancelled++;
        else if (NT_SUCCESS(st))
            answered++;
        else
            fail_msg("round %u: request %d (kind %u) ended with 0x%08x", round, i,
                storm[i].kind, (unsigned)st);
        if (i == STORM)
            assert_int_equal(st, STATUS_CANCELLED);
        free(storm[i].buf);
    }
    assert_true(cancelled >= 1);
    assert_int_equal(answered + cancelled, STORM + 1);

    /* The volume knows: what comes now fails at once, handles still close. */
    for (int i = 0; i < 200 && !wh_dead(h); i++)
        usleep(10000);
    assert_true(wh_dead(h));
    assert_int_equal(wh_call(h, wh_req(FspFsctlTransactQueryVolumeInformationKind), NULL),
        STATUS_CANCELLED);
    {
        wh_slot *s = submit_read(h, file, 0, data, 16);
        assert_true(wh_await(h, s, DEATH_DEADLINE_MS, rsp));
        assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_CANCELLED);
    }
    status = wh_stop(h);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_int_equal(wh_stray(h), 0);
    wh_free(h);
    held = NULL;
    free(rsp);
}

static void killed_mid_io(wf_launch_channel channel, unsigned rounds)
{
    UINT8 *data = malloc(FILE_LEN);

    assert_non_null(data);
    wh_fill(data, FILE_LEN, 99);
    for (unsigned round = 0; round < rounds; round++)
        kill_round(channel, round, data);
    free(data);
}

static void kill_fd_channel_50_times(void **state)
{
    (void)state;
    killed_mid_io(WF_LAUNCH_FD, KILL_ROUNDS);
}

static void kill_fusermount_channel(void **state)
{
    (void)state;
    killed_mid_io(WF_LAUNCH_FUSERMOUNT, 10);
}

static void kill_mount_channel(void **state)
{
    (void)state;
    killed_mid_io(WF_LAUNCH_MOUNT, 10);
}

/* ---- garbage ---- */

typedef struct garbage_stats {
    unsigned requests, succeeded, failed;
    unsigned by_status[8];
    NTSTATUS statuses[8];
} garbage_stats;

static void count_status(garbage_stats *g, NTSTATUS st)
{
    g->requests++;
    if (NT_SUCCESS(st))
        g->succeeded++;
    else
        g->failed++;
    /* An answer must be a real status: success, or an error or warning. */
    if (!NT_SUCCESS(st) && ((UINT32)st >> 30) < 2)
        fail_msg("a request ended with 0x%08x, which is no error", (unsigned)st);
    for (int i = 0; i < 8; i++) {
        if (g->by_status[i] && g->statuses[i] == st) {
            g->by_status[i]++;
            return;
        }
        if (!g->by_status[i]) {
            g->statuses[i] = st;
            g->by_status[i] = 1;
            return;
        }
    }
}

/* Build one random request, for a handle from hs (or a made-up one). */
static FSP_FSCTL_TRANSACT_REQ *random_request(UINT64 *hs, unsigned nh, UINT8 *buf, UINT32 cap)
{
    static const UINT32 kinds[] = {FspFsctlTransactCreateKind, FspFsctlTransactCreateKind,
        FspFsctlTransactReadKind, FspFsctlTransactWriteKind, FspFsctlTransactQueryDirectoryKind,
        FspFsctlTransactQueryInformationKind, FspFsctlTransactQueryVolumeInformationKind,
        FspFsctlTransactSetInformationKind, FspFsctlTransactFlushBuffersKind,
        FspFsctlTransactQueryEaKind, FspFsctlTransactQuerySecurityKind};
    UINT32 kind = kinds[rnd(sizeof kinds / sizeof kinds[0])];
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(kind);
    UINT64 handle = nh ? hs[rnd(nh)] : 0;
    char name[64];

    switch (kind) {
    case FspFsctlTransactCreateKind: {
        static const UINT32 dispositions[] = {FILE_OPEN, FILE_CREATE, FILE_OPEN_IF,
            FILE_OVERWRITE_IF, FILE_SUPERSEDE};
        snprintf(name, sizeof name, "\\%s%u\\f%u", rnd(2) ? "d" : "", rnd(4), rnd(8));
        req->Req.Create.CreateOptions = (dispositions[rnd(5)] << 24) |
                                        (rnd(3) == 0 ? FILE_DIRECTORY_FILE : 0);
        req->Req.Create.DesiredAccess = FILE_GENERIC_READ | FILE_GENERIC_WRITE;
        req->Req.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
        req->FileName = wh_req_path(req, name);
        break;
    }
    case FspFsctlTransactReadKind:
        req->Req.Read.UserContext2 = handle;
        req->Req.Read.Address = (UINT64)(uintptr_t)buf;
        req->Req.Read.Offset = rnd(1u << 20);
        req->Req.Read.Length = 1 + rnd(cap);
        break;
    case FspFsctlTransactWriteKind:
        req->Req.Write.UserContext2 = handle;
        req->Req.Write.Address = (UINT64)(uintptr_t)buf;
        req->Req.Write.Offset = rnd(1u << 20);
        req->Req.Write.Length = 1 + rnd(cap);
        break;
    case FspFsctlTransactQueryDirectoryKind:
        req->Req.QueryDirectory.UserContext2 = handle;
        req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)buf;
        req->Req.QueryDirectory.Length = 512 + rnd(cap - 512);
        break;
    case FspFsctlTransactQueryInformationKind:
        req->Req.QueryInformation.UserContext2 = handle;
        break;
    case FspFsctlTransactSetInformationKind:
        req->Req.SetInformation.UserContext2 = handle;
        req->Req.SetInformation.FileInformationClass = FileEndOfFileInformation;
        req->Req.SetInformation.Info.EndOfFile.FileSize = rnd(1u << 16);
        break;
    case FspFsctlTransactFlushBuffersKind:
        req->Req.FlushBuffers.UserContext2 = handle;
        break;
    case FspFsctlTransactQueryEaKind:
        req->Req.QueryEa.UserContext2 = handle;
        break;
    case FspFsctlTransactQuerySecurityKind:
        req->Req.QuerySecurity.UserContext2 = handle;
        break;
    default:
        break;
    }
    return req;
}

static void close_quietly(wh *h, UINT64 handle, garbage_stats *g)
{
    FSP_FSCTL_TRANSACT_REQ *req = wh_req(FspFsctlTransactCleanupKind);

    req->Req.Cleanup.UserContext2 = handle;
    count_status(g, wh_call(h, req, NULL));
    req = wh_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    count_status(g, wh_call(h, req, NULL));
}

static void garbage_round(unsigned seed, bool good_init, unsigned waves)
{
    wh_config config = {.channel = WF_LAUNCH_FD, .threads = 1 + seed % 3};
    enum { WAVE = 8, BUF = 128 * 1024 };
    FSP_FSCTL_TRANSACT_RSP *rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    char seed_arg[32], report_arg[32], report[256];
    char *argv[] = {(char *)WF_GARBAGE_FS, seed_arg, (char *)(good_init ? "--init=good"
                                                                        : "--init=garbage"),
        report_arg, (char *)"{}", NULL};
    UINT64 handles[64];
    unsigned nh = 0;
    garbage_stats g;
    wf_engine_stats stats;
    unsigned long replies = 0, noise = 0;
    int rp[2], status;
    ssize_t n;
    wh *h;

    assert_non_null(rsp);
    memset(&g, 0, sizeof g);
    /* The report pipe's write end is the one descriptor of ours the program inherits. */
    assert_int_equal(pipe2(rp, O_CLOEXEC), 0);
    fcntl(rp[1], F_SETFD, 0);
    snprintf(seed_arg, sizeof seed_arg, "--seed=%u", seed);
    snprintf(report_arg, sizeof report_arg, "--report-fd=%d", rp[1]);
    h = held = wh_new(&config);
    assert_int_equal(wh_launch(h, argv), 0);
    close(rp[1]);
    /* Every dropped message is a warning; hundreds would bury the results. */
    wf_os_set_log_level(WF_LOG_ERROR);

    for (unsigned w = 0; w < waves; w++) {
        wh_slot *slots[WAVE];
        UINT8 *bufs[WAVE];
        UINT32 kinds[WAVE];

        for (int i = 0; i < WAVE; i++) {
            FSP_FSCTL_TRANSACT_REQ *req;
            bufs[i] = malloc(BUF);
            assert_non_null(bufs[i]);
            memset(bufs[i], 0x33, BUF);
            req = random_request(handles, nh, bufs[i], BUF);
            kinds[i] = req->Kind;
            slots[i] = wh_submit(h, req);
        }
        for (int i = 0; i < WAVE; i++) {
            NTSTATUS st;
            if (!wh_await(h, slots[i], (int64_t)WH_DEADLINE_S * 1000, rsp)) {
                wf_engine_get_stats(wh_engine(h), &stats);
                fail_msg("seed %u: a request (kind %u) got no response (engine %s, %llu bad "
                         "replies)",
                    seed, kinds[i], stats.stopped ? "stopped" : "running",
                    (unsigned long long)stats.bad_replies);
            }
            st = (NTSTATUS)rsp->IoStatus.Status;
            count_status(&g, st);
            if (kinds[i] == FspFsctlTransactCreateKind && NT_SUCCESS(st) &&
                nh < sizeof handles / sizeof handles[0])
                handles[nh++] = rsp->Rsp.Create.Opened.UserContext2;
            free(bufs[i]);
        }
    }
    for (unsigned i = 0; i < nh; i++)
        close_quietly(h, handles[i], &g);

    wf_os_set_log_level(WF_LOG_WARNING);
    wf_engine_get_stats(wh_engine(h), &stats);
    print_message("seed %u, INIT %s: %u requests, %u succeeded, %u failed; engine: %llu bad "
                  "replies of %llu\n",
        seed, good_init ? "good" : "garbage", g.requests, g.succeeded, g.failed,
        (unsigned long long)stats.bad_replies, (unsigned long long)stats.fuse_replies);
    if (good_init) {
        /* Garbage reached the requests and the engine saw it for what it was. */
        assert_true(stats.bad_replies > 0);
        assert_true(g.failed > 0);
        /* DESTROY is answered properly: the volume ends cleanly. */
        assert_true(wh_unmount(h, WH_DEADLINE_S));
    } else {
        /* Nothing can work without a handshake; nothing may succeed. */
        assert_int_equal(g.succeeded, 0);
    }
    status = wh_stop(h);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    n = read(rp[0], report, sizeof report - 1);
    close(rp[0]);
    assert_true(n > 0);
    report[n] = 0;
    assert_int_equal(sscanf(report, "replies=%lu noise=%lu", &replies, &noise), 2);
    assert_true(replies > 0);
    if (good_init)
        assert_true(noise > 0);
    assert_int_equal(wh_stray(h), 0);
    wh_free(h);
    held = NULL;
    free(rsp);
}

static void garbage_after_a_good_init(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 8; seed++)
        garbage_round(seed, true, 40);
}

static void garbage_from_the_start(void **state)
{
    (void)state;
    for (unsigned seed = 11; seed <= 14; seed++)
        garbage_round(seed, false, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(kill_fd_channel_50_times, teardown),
        cmocka_unit_test_teardown(kill_fusermount_channel, teardown),
        cmocka_unit_test_teardown(kill_mount_channel, teardown),
        cmocka_unit_test_teardown(garbage_after_a_good_init, teardown),
        cmocka_unit_test_teardown(garbage_from_the_start, teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return WF_RUN_TESTS(tests);
}
