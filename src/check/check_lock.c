/*
 * check_lock.c - NtLockFile / NtUnlockFile and the I/O they stand in the
 * way of (FsRtl file locks, as WinFsp keeps them in its FSD).
 *
 * An exclusive lock lets through only I/O of its own handle with its own
 * key; a shared lock lets everyone read and no one write, its owner
 * included. A lock conflicts with every overlapping exclusive lock, and
 * an exclusive one with every overlapping lock, whoever holds it. Unlock
 * takes exactly the range and key that were locked. ERROR_LOCK_VIOLATION is
 * STATUS_FILE_LOCK_CONFLICT for I/O and STATUS_LOCK_NOT_GRANTED for a lock
 * that fails immediately; ERROR_NOT_LOCKED is STATUS_RANGE_NOT_LOCKED.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)

static NTSTATUS lock(ck_ctx *c, nt_handle h, INT64 off, INT64 len, UINT32 key, bool excl)
{
    nt_io_status io;
    return nt_lock_file(c->vol, h, &io, off, len, key, true, excl);
}

static NTSTATUS unlock(ck_ctx *c, nt_handle h, INT64 off, INT64 len, UINT32 key)
{
    nt_io_status io;
    return nt_unlock_file(c->vol, h, &io, off, len, key);
}

static NTSTATUS rd(ck_ctx *c, nt_handle h, INT64 off, UINT32 len, UINT32 key)
{
    nt_io_status io;
    UINT8 buf[64];
    return nt_read_file(c->vol, h, &io, buf, len, &off, key);
}

static NTSTATUS wr(ck_ctx *c, nt_handle h, INT64 off, UINT32 len, UINT32 key)
{
    nt_io_status io;
    static const UINT8 buf[64] = "locklocklocklocklocklocklocklocklocklocklocklocklocklocklocklock";
    return nt_write_file(c->vol, h, &io, buf, len, &off, key);
}

/* A 64-byte file and two handles on it. */
static void two(ck_ctx *c, nt_handle *h1, nt_handle *h2)
{
    UINT8 data[64];

    ck_fill(data, sizeof data, 30);
    CK_OK(c, ck_mkfile(c, "f", data, sizeof data));
    CK_OK(c, ck_open(c, h1, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, h2, "f", RW, CK_SHARE_ALL));
}

static void exclusive_others(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 10, 10, 0, true));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, rd(c, h2, 10, 10, 0));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h2, 10, 10, 0));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, rd(c, h2, 5, 10, 0));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h2, 19, 2, 0));
    CK_OK(c, rd(c, h2, 0, 10, 0));
    CK_OK(c, rd(c, h2, 20, 10, 0));
    CK_OK(c, wr(c, h2, 20, 10, 0));
}

static void exclusive_owner(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 10, 10, 0, true));
    CK_OK(c, rd(c, h1, 10, 10, 0));
    CK_OK(c, wr(c, h1, 10, 10, 0));
}

static void shared_io(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 32, 0, false));
    CK_OK(c, rd(c, h1, 0, 32, 0));
    CK_OK(c, rd(c, h2, 0, 32, 0));
    /* No one writes under a shared lock, its owner included. */
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h1, 0, 8, 0));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h2, 16, 8, 0));
    CK_OK(c, wr(c, h2, 32, 8, 0));
}

static void shared_shared(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 20, 0, false));
    CK_OK(c, lock(c, h2, 10, 20, 0, false));
    CK_OK(c, lock(c, h1, 5, 5, 0, false));
}

static void exclusive_vs_shared(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 20, 0, false));
    CK_STATUS(c, STATUS_LOCK_NOT_GRANTED, lock(c, h2, 10, 20, 0, true));
    /* Its own shared lock stands in the way of an exclusive one too. */
    CK_STATUS(c, STATUS_LOCK_NOT_GRANTED, lock(c, h1, 10, 20, 0, true));
    CK_OK(c, lock(c, h2, 20, 10, 0, true));
}

static void shared_vs_exclusive(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 20, 0, true));
    CK_STATUS(c, STATUS_LOCK_NOT_GRANTED, lock(c, h2, 10, 5, 0, false));
    CK_STATUS(c, STATUS_LOCK_NOT_GRANTED, lock(c, h2, 0, 1, 0, true));
}

static void exclusive_same_handle(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 20, 0, true));
    CK_STATUS(c, STATUS_LOCK_NOT_GRANTED, lock(c, h1, 10, 20, 0, true));
    CK_STATUS(c, STATUS_LOCK_NOT_GRANTED, lock(c, h1, 10, 5, 0, false));
}

static void adjacent(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 10, 0, true));
    CK_OK(c, lock(c, h2, 10, 10, 0, true));
    CK_OK(c, rd(c, h2, 10, 10, 0));
    CK_OK(c, wr(c, h1, 0, 10, 0));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h1, 5, 10, 0));
}

static void unlock_not_locked(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_STATUS(c, STATUS_RANGE_NOT_LOCKED, unlock(c, h1, 0, 10, 0));
    CK_OK(c, lock(c, h1, 10, 10, 0, true));
    /* Only the exact range unlocks: not a part, not a larger one, not another handle's. */
    CK_STATUS(c, STATUS_RANGE_NOT_LOCKED, unlock(c, h1, 10, 5, 0));
    CK_STATUS(c, STATUS_RANGE_NOT_LOCKED, unlock(c, h1, 5, 20, 0));
    CK_STATUS(c, STATUS_RANGE_NOT_LOCKED, unlock(c, h2, 10, 10, 0));
    CK_OK(c, unlock(c, h1, 10, 10, 0));
    CK_STATUS(c, STATUS_RANGE_NOT_LOCKED, unlock(c, h1, 10, 10, 0));
    CK_OK(c, rd(c, h2, 10, 10, 0));
}

static void shared_twice(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 10, 0, false));
    CK_OK(c, lock(c, h1, 0, 10, 0, false));
    CK_OK(c, unlock(c, h1, 0, 10, 0));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h2, 0, 10, 0));
    CK_OK(c, unlock(c, h1, 0, 10, 0));
    CK_STATUS(c, STATUS_RANGE_NOT_LOCKED, unlock(c, h1, 0, 10, 0));
    CK_OK(c, wr(c, h2, 0, 10, 0));
}

static void released_on_close(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 64, 0, true));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, rd(c, h2, 0, 10, 0));
    CK_OK(c, ck_close(c, h1));
    CK_OK(c, rd(c, h2, 0, 10, 0));
    CK_OK(c, lock(c, h2, 0, 64, 0, true));
}

static void keys(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 0, 20, 7, true));
    CK_OK(c, rd(c, h1, 0, 10, 7));
    CK_OK(c, wr(c, h1, 0, 10, 7));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, rd(c, h1, 0, 10, 8));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h1, 0, 10, 0));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, rd(c, h2, 0, 10, 7));
    CK_STATUS(c, STATUS_RANGE_NOT_LOCKED, unlock(c, h1, 0, 20, 8));
    CK_OK(c, unlock(c, h1, 0, 20, 7));
    CK_OK(c, rd(c, h2, 0, 10, 0));
}

static void beyond_eof(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    CK_OK(c, lock(c, h1, 1000, 100, 0, true));
    CK_OK(c, lock(c, h1, (INT64)1 << 40, 4096, 0, false));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, wr(c, h2, 1050, 10, 0));
    CK_OK(c, unlock(c, h1, 1000, 100, 0));
    CK_OK(c, unlock(c, h1, (INT64)1 << 40, 4096, 0));
}

static void whole_file(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    /* LockFileEx(h, 0, 0, MAXDWORD, MAXDWORD): a length of 2^64 - 1 from offset 0. */
    CK_OK(c, lock(c, h1, 0, -1, 0, true));
    CK_STATUS(c, STATUS_LOCK_NOT_GRANTED, lock(c, h2, (INT64)1 << 62, 1, 0, false));
    CK_STATUS(c, STATUS_FILE_LOCK_CONFLICT, rd(c, h2, 0, 10, 0));
    CK_OK(c, unlock(c, h1, 0, -1, 0));
    /* A range whose end wraps is refused. */
    CK_STATUS(c, STATUS_INVALID_LOCK_RANGE, lock(c, h1, 2, -1, 0, true));
}

static void zero_length(ck_ctx *c)
{
    nt_handle h1, h2;

    two(c, &h1, &h2);
    CK_BAIL(c);
    /* A zero-length lock is granted and stands in the way of no I/O. */
    CK_OK(c, lock(c, h1, 10, 0, 0, true));
    CK_OK(c, rd(c, h2, 0, 20, 0));
    CK_OK(c, wr(c, h2, 0, 20, 0));
    CK_OK(c, unlock(c, h1, 10, 0, 0));
}

static void no_data_access(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, nt_lock_file(c->vol, h, &io, 0, 1, 0, true, true));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_DATA, CK_SHARE_ALL));
    CK_OK(c, nt_lock_file(c->vol, h, &io, 0, 1, 0, true, true));
    CK_OK(c, ck_open(c, &h, "f", FILE_WRITE_DATA, CK_SHARE_ALL));
    CK_OK(c, nt_lock_file(c->vol, h, &io, 1, 1, 0, true, false));
}

const ck_case ck_cases_lock[] = {
    {"lock_exclusive_others", exclusive_others, 0,
        "an exclusive lock refuses other handles' overlapping I/O: STATUS_FILE_LOCK_CONFLICT",
        "lock_cached_test"},
    {"lock_exclusive_owner", exclusive_owner, 0,
        "the exclusive lock's own handle reads and writes in its range", "lock_cached_test"},
    {"lock_shared_io", shared_io, 0,
        "under a shared lock everyone reads and no one writes, the owner included",
        "lock_cached_overlapped_test"},
    {"lock_shared_shared", shared_shared, 0,
        "overlapping shared locks are all granted", "lock_cached_overlapped_test"},
    {"lock_exclusive_vs_shared", exclusive_vs_shared, 0,
        "an exclusive lock over a shared one (even its own): STATUS_LOCK_NOT_GRANTED",
        "lock_cached_overlapped_test"},
    {"lock_shared_vs_exclusive", shared_vs_exclusive, 0,
        "any lock over another handle's exclusive lock: STATUS_LOCK_NOT_GRANTED",
        "lock_cached_overlapped_test"},
    {"lock_exclusive_same_handle", exclusive_same_handle, 0,
        "a handle's exclusive lock refuses its own overlapping locks",
        "lock_cached_overlapped_test"},
    {"lock_adjacent", adjacent, 0,
        "adjacent ranges do not overlap", "lock_cached_test"},
    {"lock_unlock_not_locked", unlock_not_locked, 0,
        "unlocking anything but an exact range held: STATUS_RANGE_NOT_LOCKED",
        "lock_cached_test"},
    {"lock_shared_twice", shared_twice, 0,
        "a range locked twice is unlocked twice", "lock_cached_test"},
    {"lock_released_on_close", released_on_close, 0,
        "closing a handle releases its locks", "lock_cached_test"},
    {"lock_keys", keys, 0,
        "an exclusive lock lets through only I/O with its key; unlock needs the key",
        "lock_cached_test"},
    {"lock_beyond_eof", beyond_eof, 0,
        "ranges past the end of the file (up to 2^40) lock", "lock_cached_test"},
    {"lock_whole_file", whole_file, 0,
        "offset 0, length 2^64-1 (LockFileEx with MAXDWORD, MAXDWORD) locks everything; "
        "a range that wraps: STATUS_INVALID_LOCK_RANGE", "lock_cached_test"},
    {"lock_zero_length", zero_length, 0,
        "a zero-length lock is granted and conflicts with no I/O", "lock_cached_test"},
    {"lock_no_data_access", no_data_access, 0,
        "locking without read or write data access: STATUS_ACCESS_DENIED", "lock_cached_test"},
    {NULL, NULL, 0, NULL, NULL},
};
