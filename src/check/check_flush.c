/*
 * check_flush.c - NtFlushBuffersFile on files, directories and the volume
 * (a flush of the root directory is a flush of the whole volume).
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)

static NTSTATUS flush(ck_ctx *c, nt_handle h)
{
    nt_io_status io;
    return nt_flush_buffers_file(c->vol, h, &io);
}

static void file(ck_ctx *c)
{
    nt_handle h;
    UINT8 data[12288], buf[12288];
    size_t len;

    ck_fill(data, sizeof data, 20);
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 0, data, sizeof data, NULL));
    CK_OK(c, flush(c, h));
    CK_OK(c, ck_read(c, h, 0, buf, sizeof buf, NULL));
    CK_DATA(c, "data after the flush", buf, data, sizeof data);
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size after reopening", len, sizeof data);
    CK_DATA(c, "data after reopening", buf, data, sizeof data);
}

static void unmodified(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_OK(c, flush(c, h));
    CK_OK(c, flush(c, h));
}

static void append_only(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", FILE_APPEND_DATA, CK_SHARE_ALL));
    CK_OK(c, ck_write(c, h, CK_POS, "d", 1, NULL));
    CK_OK(c, flush(c, h));
}

static void no_write_access(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, flush(c, h));
}

static void directory(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "d\\f", "abc", 3));
    CK_OK(c, ck_create(c, &h, "d", FILE_LIST_DIRECTORY | FILE_ADD_FILE, 0, CK_SHARE_ALL,
        FILE_OPEN, FILE_DIRECTORY_FILE, NULL));
    CK_OK(c, flush(c, h));
}

static void volume(ck_ctx *c)
{
    nt_handle root, h;
    UINT8 data[8192], buf[8192];
    size_t len;

    ck_fill(data, sizeof data, 21);
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 0, data, sizeof data, NULL));
    /* The root directory stands for the volume: this flushes every file. */
    CK_OK(c, ck_create(c, &root, "\\", FILE_LIST_DIRECTORY | FILE_ADD_FILE, 0, CK_SHARE_ALL,
        FILE_OPEN, FILE_DIRECTORY_FILE, NULL));
    CK_OK(c, flush(c, root));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size after the volume flush", len, sizeof data);
    CK_DATA(c, "data after the volume flush", buf, data, sizeof data);
}

static void deleted_pending(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_create(c, &h, "f", RW | DELETE, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 0, "abc", 3, NULL));
    CK_OK(c, ck_set_delete(c, h, true));
    CK_OK(c, flush(c, h));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

const ck_case ck_cases_flush[] = {
    {"flush_file", file, 0,
        "a flushed file reads back the same, before and after close", "flush_test"},
    {"flush_unmodified", unmodified, 0,
        "flushing an unmodified file succeeds, twice", "flush_test"},
    {"flush_append_only", append_only, 0,
        "FILE_APPEND_DATA is enough access to flush", "flush_test"},
    {"flush_no_write_access", no_write_access, 0,
        "flushing a handle without write or append access: STATUS_ACCESS_DENIED",
        "flush_test"},
    {"flush_directory", directory, 0,
        "flushing a directory succeeds", "flush_test"},
    {"flush_volume", volume, 0,
        "flushing the root directory flushes the volume; data intact", "flush_volume_test"},
    {"flush_delete_pending", deleted_pending, 0,
        "a delete-pending file can still be flushed, then goes", "flush_test"},
    {NULL, NULL, 0, NULL, NULL},
};
