/*
 * check_rw.c - NtReadFile / NtWriteFile: offsets, holes, the end of file,
 * zero lengths, append-only handles, large and unaligned transfers, and a
 * randomized run against a shadow copy.
 *
 * ReadFile's "success with 0 bytes" at the end of a file is
 * STATUS_END_OF_FILE at the NT level.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)
#define SECTOR 4096
#define MIB 1048576u

static void basic(ck_ctx *c)
{
    nt_handle h;
    UINT8 data[SECTOR], buf[SECTOR];
    UINT32 n;

    ck_fill(data, sizeof data, 10);
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 0, data, sizeof data, &n));
    CK_EQ(c, "bytes written", n, sizeof data);
    memset(buf, 0, sizeof buf);
    CK_OK(c, ck_read(c, h, 0, buf, sizeof buf, &n));
    CK_EQ(c, "bytes read", n, sizeof buf);
    CK_DATA(c, "data read back", buf, data, sizeof data);
}

static void holes(ck_ctx *c)
{
    nt_handle h;
    UINT8 data[SECTOR], buf[2 * SECTOR], zero[SECTOR] = {0};
    FILE_STANDARD_INFORMATION s;
    UINT32 n;

    ck_fill(data, sizeof data, 11);
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 0, data, SECTOR, &n));
    CK_OK(c, ck_write(c, h, 2 * SECTOR, data, SECTOR, &n));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "EndOfFile", s.EndOfFile, 3 * SECTOR);
    memset(buf, 0xee, sizeof buf);
    CK_OK(c, ck_read(c, h, SECTOR, buf, SECTOR, &n));
    CK_EQ(c, "bytes read from the hole", n, SECTOR);
    CK_DATA(c, "the hole", buf, zero, SECTOR);
    CK_OK(c, ck_read(c, h, 2 * SECTOR, buf, 2 * SECTOR, &n));
    CK_EQ(c, "bytes read up to the end (short read)", n, SECTOR);
    CK_DATA(c, "the last sector", buf, data, SECTOR);
}

static void read_at_eof(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[16];
    nt_io_status io;
    INT64 off = 10;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    memset(&io, 0, sizeof io);
    CK_STATUS(c, STATUS_END_OF_FILE, nt_read_file(c->vol, h, &io, buf, sizeof buf, &off, 0));
    CK_EQ(c, "IoStatus.Information", io.Information, 0);
    off = 11;
    CK_STATUS(c, STATUS_END_OF_FILE, nt_read_file(c->vol, h, &io, buf, sizeof buf, &off, 0));
    off = 1000000;
    CK_STATUS(c, STATUS_END_OF_FILE, nt_read_file(c->vol, h, &io, buf, sizeof buf, &off, 0));
    /* Sequentially: the read that reaches the end succeeds, the next one does not. */
    CK_OK(c, ck_read(c, h, CK_POS, buf, sizeof buf, NULL));
    CK_STATUS(c, STATUS_END_OF_FILE, ck_read(c, h, CK_POS, buf, sizeof buf, NULL));
}

static void read_empty(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[16];

    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_STATUS(c, STATUS_END_OF_FILE, ck_read(c, h, 0, buf, sizeof buf, NULL));
}

static void short_read(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[16];
    UINT32 n;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_read(c, h, 7, buf, sizeof buf, &n));
    CK_EQ(c, "bytes read across the end", n, 3);
    CK_DATA(c, "data", buf, "789", 3);
}

static void zero_length(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[4];
    UINT32 n = 99;
    INT64 eof;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_read(c, h, 0, buf, 0, &n));
    CK_EQ(c, "bytes read", n, 0);
    CK_OK(c, ck_read(c, h, 1000, buf, 0, &n));
    CK_EQ(c, "bytes read past the end", n, 0);
    CK_OK(c, ck_write(c, h, 1000, buf, 0, &n));
    CK_EQ(c, "bytes written", n, 0);
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_size(c, "f", &eof));
    CK_EQ(c, "EndOfFile after a zero-length write past it", eof, 10);
}

static void append_handle(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[32];
    size_t len;

    CK_OK(c, ck_create(c, &h, "f", FILE_APPEND_DATA | FILE_READ_ATTRIBUTES, 0, FILE_SHARE_READ,
        FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, CK_POS, "aaaa", 4, NULL));
    CK_OK(c, ck_write(c, h, CK_POS, "bbbb", 4, NULL));
    /* An append-only handle writes at the end whatever offset it names. */
    CK_OK(c, ck_write(c, h, 0, "cc", 2, NULL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size", len, 10);
    CK_DATA(c, "content", buf, "aaaabbbbcc", 10);
}

static void write_to_end(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[32];
    FILE_POSITION_INFORMATION p;
    size_t len;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_write(c, h, NT_WRITE_TO_END_OF_FILE, "xyz", 3, NULL));
    CK_OK(c, ck_query(c, h, &p, sizeof p, FilePositionInformation));
    CK_EQ(c, "CurrentByteOffset after writing at the end", p.CurrentByteOffset, 13);
    CK_OK(c, ck_write(c, h, NT_WRITE_TO_END_OF_FILE, "!", 1, NULL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size", len, 14);
    CK_DATA(c, "content", buf, "0123456789xyz!", 14);
}

static void large(ck_ctx *c)
{
    nt_handle h;
    UINT8 *data = ck_alloc(c, MIB), *buf = ck_alloc(c, MIB);
    UINT32 n;

    CK_TRUE(c, data && buf, "memory");
    ck_fill(data, MIB, 12);
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 0, data, MIB, &n));
    CK_EQ(c, "bytes written in one call", n, MIB);
    CK_OK(c, ck_read(c, h, 0, buf, MIB, &n));
    CK_EQ(c, "bytes read in one call", n, MIB);
    CK_DATA(c, "1 MiB read back", buf, data, MIB);
}

static void large_unaligned(ck_ctx *c)
{
    const UINT32 off = 4097, len = MIB + 13;
    nt_handle h;
    UINT8 *data = ck_alloc(c, len), *buf = ck_alloc(c, off + len + 100);
    UINT8 zero[4097] = {0};
    UINT32 n;
    size_t got;

    CK_TRUE(c, data && buf, "memory");
    ck_fill(data, len, 13);
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, off, data, len, &n));
    CK_EQ(c, "bytes written", n, len);
    /* Read back in odd pieces that straddle every boundary. */
    for (UINT32 pos = 0; pos < off + len;) {
        UINT32 room = off + len + 100 - pos, piece = room < 65537 ? room : 65537;
        CK_OK(c, ck_read(c, h, pos, buf + pos, piece, &n));
        CK_TRUE(c, n > 0, "progress reading back");
        pos += n;
    }
    CK_DATA(c, "the leading hole", buf, zero, off);
    CK_DATA(c, "unaligned data read in pieces", buf + off, data, len);
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, off + len + 100, &got));
    CK_EQ(c, "size", got, off + len);
    CK_DATA(c, "data after reopening", buf + off, data, len);
}

/* A deterministic random walk of writes, extensions and reads checked against a shadow copy. */
static void random_ops(ck_ctx *c)
{
    enum { SPACE = 262144, OPS = 400 };
    nt_handle h;
    UINT8 *shadow = ck_alloc(c, SPACE), *buf = ck_alloc(c, SPACE), *data = ck_alloc(c, SPACE);
    UINT32 size = 0, seed = 12345;

    CK_TRUE(c, shadow && buf && data, "memory");
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    for (unsigned i = 0; i < OPS; i++) {
        UINT32 r, off, len, n;

        seed = seed * 1103515245u + 12345u;
        r = seed >> 8;
        off = r % (SPACE / 2);
        seed = seed * 1103515245u + 12345u;
        len = 1 + (seed >> 8) % (i % 10 == 0 ? SPACE / 2 : 9000);
        if (i % 3 == 2) {
            memset(buf, 0xee, len);
            if (off >= size) {
                CK_STATUS(c, STATUS_END_OF_FILE, ck_read(c, h, off, buf, len, &n));
                continue;
            }
            CK_OK(c, ck_read(c, h, off, buf, len, &n));
            CK_EQ(c, "bytes read", n, off + len > size ? size - off : len);
            CK_DATA(c, "data against the shadow copy", buf, shadow + off, n);
        } else {
            ck_fill(data, len, i);
            CK_OK(c, ck_write(c, h, off, data, len, &n));
            CK_EQ(c, "bytes written", n, len);
            memcpy(shadow + off, data, len);
            if (off + len > size)
                size = off + len;
        }
    }
    {
        FILE_STANDARD_INFORMATION s;
        UINT32 n;
        CK_OK(c, ck_standard(c, h, &s));
        CK_EQ(c, "EndOfFile", s.EndOfFile, size);
        CK_OK(c, ck_read(c, h, 0, buf, SPACE, &n));
        CK_EQ(c, "bytes read", n, size);
        CK_DATA(c, "the whole file against the shadow copy", buf, shadow, size);
    }
}

static void two_handles(ck_ctx *c)
{
    nt_handle h1, h2;
    UINT8 buf[8];
    UINT32 n;

    CK_OK(c, ck_create(c, &h1, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_open(c, &h2, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_write(c, h1, 0, "abcdefgh", 8, NULL));
    CK_OK(c, ck_read(c, h2, 0, buf, 8, &n));
    CK_EQ(c, "bytes read through the other handle", n, 8);
    CK_DATA(c, "data through the other handle", buf, "abcdefgh", 8);
    CK_OK(c, ck_write(c, h1, 2, "XY", 2, NULL));
    CK_OK(c, ck_read(c, h2, 0, buf, 8, &n));
    CK_DATA(c, "overwritten data through the other handle", buf, "abXYefgh", 8);
}

static void extend_by_write(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[10010], zero[10000] = {0};
    FILE_STANDARD_INFORMATION s;
    UINT32 n;

    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 10000, "0123456789", 10, NULL));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "EndOfFile", s.EndOfFile, 10010);
    CK_OK(c, ck_read(c, h, 0, buf, sizeof buf, &n));
    CK_EQ(c, "bytes read", n, 10010);
    CK_DATA(c, "zeros before the write", buf, zero, 10000);
    CK_DATA(c, "written data", buf + 10000, "0123456789", 10);
}

static void overwrite_middle(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[16];
    size_t len;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_write(c, h, 3, "abc", 3, NULL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size", len, 10);
    CK_DATA(c, "content", buf, "012abc6789", 10);
}

static void sequential(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[16];
    UINT32 n;

    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, CK_POS, "abc", 3, NULL));
    CK_OK(c, ck_write(c, h, CK_POS, "def", 3, NULL));
    CK_OK(c, ck_write(c, h, CK_POS, "gh", 2, NULL));
    CK_OK(c, ck_read(c, h, 0, buf, 2, &n));
    CK_OK(c, ck_read(c, h, CK_POS, buf + 2, 4, &n));
    CK_EQ(c, "bytes read at the position", n, 4);
    CK_OK(c, ck_read(c, h, CK_POS, buf + 6, 10, &n));
    CK_EQ(c, "bytes read to the end", n, 2);
    CK_DATA(c, "content", buf, "abcdefgh", 8);
}

static void persist(ck_ctx *c)
{
    UINT8 *data = ck_alloc(c, 200000), *buf = ck_alloc(c, 200000);
    size_t len;

    CK_TRUE(c, data && buf, "memory");
    ck_fill(data, 200000, 14);
    CK_OK(c, ck_mkfile(c, "f", data, 200000));
    CK_OK(c, ck_read_file(c, "f", buf, 200000, &len));
    CK_EQ(c, "size after reopening", len, 200000);
    CK_DATA(c, "data after reopening", buf, data, 200000);
}

const ck_case ck_cases_rw[] = {
    {"rw_basic", basic, 0, "a sector written and read back", "rdwr_cached_test"},
    {"rw_holes", holes, 0,
        "writes past a gap leave zeros; a read to the end is short", "rdwr_cached_test"},
    {"rw_read_at_eof", read_at_eof, 0,
        "reads at or past the end: STATUS_END_OF_FILE with 0 bytes", "rdwr_cached_test"},
    {"rw_read_empty", read_empty, 0,
        "reading an empty file: STATUS_END_OF_FILE", "rdwr_cached_test"},
    {"rw_short_read", short_read, 0,
        "a read across the end returns the bytes up to it", "rdwr_cached_test"},
    {"rw_zero_length", zero_length, 0,
        "zero-length reads and writes succeed anywhere and change nothing",
        "rdwr_cached_test"},
    {"rw_append_handle", append_handle, 0,
        "a FILE_APPEND_DATA-only handle writes at the end, whatever the offset",
        "rdwr_cached_append_test"},
    {"rw_write_to_end", write_to_end, 0,
        "FILE_WRITE_TO_END_OF_FILE appends and moves the position there",
        "rdwr_cached_append_test"},
    {"rw_large", large, 0,
        "1 MiB written and read in one call each", "rdwr_cached_test"},
    {"rw_large_unaligned", large_unaligned, 0,
        "1 MiB + 13 bytes at offset 4097, read back in 64 KiB + 1 pieces",
        "rdwr_noncached_test"},
    {"rw_random", random_ops, 0,
        "400 random reads, writes and extensions agree with a shadow copy",
        "rdwr_mixed_test"},
    {"rw_two_handles", two_handles, 0,
        "what one handle writes another reads at once", "rdwr_mixed_test"},
    {"rw_extend_by_write", extend_by_write, 0,
        "a write past the end extends the file with zeros before it", "rdwr_cached_test"},
    {"rw_overwrite_middle", overwrite_middle, 0,
        "a write inside a file changes its bytes, not its size", "rdwr_cached_test"},
    {"rw_sequential", sequential, 0,
        "reads and writes without an offset go on from the handle's position",
        "rdwr_cached_test"},
    {"rw_persist", persist, 0,
        "data written survives close and reopen", "rdwr_cached_test"},
    {NULL, NULL, 0, NULL, NULL},
};
