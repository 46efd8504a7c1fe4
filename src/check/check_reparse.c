/*
 * check_reparse.c - symbolic links as reparse points: FSCTL_SET_REPARSE_POINT
 * on a file, FSCTL_GET_REPARSE_POINT, FSCTL_DELETE_REPARSE_POINT, what
 * FILE_OPEN_REPARSE_POINT opens, what an open without it reaches.
 *
 * Only relative symbolic links are made here: they mean the same on every
 * volume. A FUSE file system keeps nothing but symbolic links, so the
 * GUID and NFS reparse points of winfsp-tests have no counterpart.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)
#define HEADER 8u      /* ReparseTag, ReparseDataLength, Reserved */
#define SYMLINK_HEADER 20u

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

static UINT16 get16(const UINT8 *p)
{
    return (UINT16)(p[0] | p[1] << 8);
}

static UINT32 get32(const UINT8 *p)
{
    return (UINT32)get16(p) | (UINT32)get16(p + 2) << 16;
}

/* A relative symbolic link's REPARSE_DATA_BUFFER: substitute and print name both the target. */
static UINT32 symlink_buffer(const char *target, UINT8 *buf, size_t cap)
{
    WCHAR name[512];
    size_t n = ck_to_utf16(target, name, 512);
    UINT32 bytes = (UINT32)(n * sizeof(WCHAR)), size = SYMLINK_HEADER + 2 * bytes;

    if (size > cap)
        return 0;
    put32(buf, IO_REPARSE_TAG_SYMLINK);
    put16(buf + 4, (UINT16)(size - HEADER));
    put16(buf + 6, 0);
    put16(buf + 8, 0);
    put16(buf + 10, (UINT16)bytes);
    put16(buf + 12, (UINT16)bytes);
    put16(buf + 14, (UINT16)bytes);
    put32(buf + 16, SYMLINK_FLAG_RELATIVE);
    memcpy(buf + SYMLINK_HEADER, name, bytes);
    memcpy(buf + SYMLINK_HEADER + bytes, name, bytes);
    return size;
}

static NTSTATUS fsctl(ck_ctx *c, nt_handle h, UINT32 code, const void *in, UINT32 in_len,
    void *out, UINT32 out_len, nt_io_status *io)
{
    nt_io_status local;
    if (!io)
        io = &local;
    memset(io, 0, sizeof *io);
    return nt_fs_control_file(c->vol, h, io, code, in, in_len, out, out_len);
}

/* Make rel a symbolic link to target (relative), the way CreateSymbolicLink does. */
static NTSTATUS make_link(ck_ctx *c, const char *rel, const char *target)
{
    UINT8 buf[2048];
    UINT32 len = symlink_buffer(target, buf, sizeof buf);
    nt_handle h;
    NTSTATUS status = ck_create(c, &h, rel, FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES | DELETE,
        0, CK_SHARE_ALL, FILE_CREATE, FILE_OPEN_REPARSE_POINT, NULL);

    if (!NT_SUCCESS(status))
        return status;
    status = fsctl(c, h, FSCTL_SET_REPARSE_POINT, buf, len, NULL, 0, NULL);
    ck_close(c, h);
    return status;
}

static NTSTATUS open_link(ck_ctx *c, nt_handle *h, const char *rel)
{
    return ck_create(c, h, rel, FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, 0, CK_SHARE_ALL,
        FILE_OPEN, FILE_OPEN_REPARSE_POINT, NULL);
}

#define NEED_LINKS(c) CK_NEED(c, (c)->reparse_points, \
    "no symbolic links (no FILE_SUPPORTS_REPARSE_POINTS, or told so)")

static void set_get(ck_ctx *c)
{
    nt_handle h;
    UINT8 in[2048], out[2048];
    UINT32 len;
    nt_io_status io;

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "target", "data", 4));
    len = symlink_buffer("target", in, sizeof in);
    CK_OK(c, ck_create(c, &h, "link", FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES, 0,
        CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, fsctl(c, h, FSCTL_SET_REPARSE_POINT, in, len, NULL, 0, NULL));
    memset(out, 0, sizeof out);
    CK_OK(c, fsctl(c, h, FSCTL_GET_REPARSE_POINT, NULL, 0, out, sizeof out, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, len);
    CK_EQ(c, "ReparseTag", get32(out), IO_REPARSE_TAG_SYMLINK);
    CK_EQ(c, "ReparseDataLength", get16(out + 4), len - HEADER);
    CK_EQ(c, "Flags", get32(out + 16), SYMLINK_FLAG_RELATIVE);
    {
        char sub[64];
        UINT16 off = get16(out + 8), n = get16(out + 10);
        WCHAR name[32];
        CK_TRUE(c, SYMLINK_HEADER + off + n <= len && n <= sizeof name, "a substitute name inside");
        memcpy(name, out + SYMLINK_HEADER + off, n);
        ck_from_utf16(name, n / 2, sub, sizeof sub);
        CK_STR(c, "SubstituteName", sub, "target");
    }
    CK_OK(c, ck_close(c, h));
    /* The same through a new handle on the link itself. */
    CK_OK(c, open_link(c, &h, "link"));
    memset(out, 0, sizeof out);
    CK_OK(c, fsctl(c, h, FSCTL_GET_REPARSE_POINT, NULL, 0, out, sizeof out, &io));
    CK_EQ(c, "IoStatus.Information through a new handle", io.Information, len);
    CK_DATA(c, "the reparse buffer through a new handle", out, in, len);
}

static void attributes(ck_ctx *c)
{
    nt_handle h;
    FILE_ATTRIBUTE_TAG_INFORMATION t;
    FILE_BASIC_INFORMATION b;
    ck_list l;
    const ck_entry *e;

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "target", "data", 4));
    CK_OK(c, make_link(c, "link", "target"));
    CK_OK(c, open_link(c, &h, "link"));
    CK_OK(c, ck_query(c, h, &t, sizeof t, FileAttributeTagInformation));
    CK_TRUE(c, t.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT, "FILE_ATTRIBUTE_REPARSE_POINT");
    CK_EQ(c, "ReparseTag", t.ReparseTag, IO_REPARSE_TAG_SYMLINK);
    CK_OK(c, ck_basic(c, h, &b));
    CK_TRUE(c, b.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT,
        "FILE_ATTRIBUTE_REPARSE_POINT in FileBasicInformation");
    CK_OK(c, ck_open(c, &h, "", FILE_LIST_DIRECTORY, CK_SHARE_ALL));
    CK_OK(c, ck_list_handle(c, h, NULL, FileFullDirectoryInformation, 4096, false, false, &l));
    e = ck_list_find(&l, "link");
    CK_TRUE(c, e != NULL, "the link listed");
    CK_TRUE(c, e->attributes & FILE_ATTRIBUTE_REPARSE_POINT, "the link listed as a reparse point");
    /* A reparse point's EaSize field holds its tag. */
    CK_EQ(c, "EaSize (the reparse tag) of the link", e->ea_size, IO_REPARSE_TAG_SYMLINK);
    e = ck_list_find(&l, "target");
    CK_TRUE(c, e != NULL && !(e->attributes & FILE_ATTRIBUTE_REPARSE_POINT),
        "the target listed as an ordinary file");
}

static void delete_point(ck_ctx *c)
{
    nt_handle h;
    UINT8 hdr[HEADER], out[2048];
    FILE_ATTRIBUTE_TAG_INFORMATION t;

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "target", "data", 4));
    CK_OK(c, make_link(c, "link", "target"));
    CK_OK(c, open_link(c, &h, "link"));
    put32(hdr, IO_REPARSE_TAG_SYMLINK);
    put16(hdr + 4, 0);
    put16(hdr + 6, 0);
    CK_OK(c, fsctl(c, h, FSCTL_DELETE_REPARSE_POINT, hdr, sizeof hdr, NULL, 0, NULL));
    CK_STATUS(c, STATUS_NOT_A_REPARSE_POINT, fsctl(c, h, FSCTL_GET_REPARSE_POINT, NULL, 0, out,
        sizeof out, NULL));
    CK_OK(c, ck_close(c, h));
    /* What is left is an ordinary file under the same name; the target is untouched. */
    CK_OK(c, ck_open(c, &h, "link", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_query(c, h, &t, sizeof t, FileAttributeTagInformation));
    CK_TRUE(c, !(t.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT), "no reparse point left");
    CK_EQ(c, "ReparseTag", t.ReparseTag, 0);
    CK_OK(c, ck_exists(c, "target"));
}

static void not_reparse(ck_ctx *c)
{
    nt_handle h;
    UINT8 out[512];

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_NOT_A_REPARSE_POINT, fsctl(c, h, FSCTL_GET_REPARSE_POINT, NULL, 0, out,
        sizeof out, NULL));
}

static void follow(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[8];
    UINT32 n;
    char name[512];
    FILE_ATTRIBUTE_TAG_INFORMATION t;

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "target", "data", 4));
    CK_OK(c, make_link(c, "link", "target"));
    /* Without FILE_OPEN_REPARSE_POINT the open reaches the target. */
    CK_OK(c, ck_open(c, &h, "link", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_read(c, h, 0, buf, sizeof buf, &n));
    CK_EQ(c, "bytes read through the link", n, 4);
    CK_DATA(c, "the target's data", buf, "data", 4);
    CK_OK(c, ck_query(c, h, &t, sizeof t, FileAttributeTagInformation));
    CK_TRUE(c, !(t.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT), "the target opened, not the link");
    CK_OK(c, ck_name(c, h, name, sizeof name));
    CK_STR(c, "FileNameInformation of what the link opened", name, ck_path(c, "target"));
}

static void dangling(ck_ctx *c)
{
    NEED_LINKS(c);
    CK_OK(c, make_link(c, "link", "nosuch"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_open(c, NULL, "link", FILE_GENERIC_READ,
        CK_SHARE_ALL));
    CK_OK(c, open_link(c, NULL, "link"));
}

static void small_buffer(ck_ctx *c)
{
    nt_handle h;
    UINT8 out[4];

    NEED_LINKS(c);
    CK_OK(c, make_link(c, "link", "target"));
    CK_OK(c, open_link(c, &h, "link"));
    CK_STATUS(c, STATUS_BUFFER_TOO_SMALL, fsctl(c, h, FSCTL_GET_REPARSE_POINT, NULL, 0, out,
        sizeof out, NULL));
}

static void bad_data(ck_ctx *c)
{
    nt_handle h;
    UINT8 in[2048];
    UINT32 len;
    FILE_ATTRIBUTE_TAG_INFORMATION t;

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    len = symlink_buffer("target", in, sizeof in);
    put16(in + 4, (UINT16)(len - HEADER + 2)); /* ReparseDataLength beyond the buffer */
    CK_OK(c, ck_open(c, &h, "f", FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_IO_REPARSE_DATA_INVALID, fsctl(c, h, FSCTL_SET_REPARSE_POINT, in, len,
        NULL, 0, NULL));
    CK_STATUS(c, STATUS_IO_REPARSE_DATA_INVALID, fsctl(c, h, FSCTL_SET_REPARSE_POINT, in, 4,
        NULL, 0, NULL));
    CK_OK(c, ck_query(c, h, &t, sizeof t, FileAttributeTagInformation));
    CK_TRUE(c, !(t.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT), "the file unchanged");
}

static void delete_link(ck_ctx *c)
{
    UINT8 buf[8];
    size_t len;

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "target", "data", 4));
    CK_OK(c, make_link(c, "link", "target"));
    CK_OK(c, ck_delete(c, "link"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "link"));
    CK_OK(c, ck_read_file(c, "target", buf, sizeof buf, &len));
    CK_EQ(c, "size of the target after deleting the link", len, 4);
}

static void rename_link(ck_ctx *c)
{
    nt_handle h;
    UINT8 out[2048];

    NEED_LINKS(c);
    CK_OK(c, ck_mkfile(c, "target", "data", 4));
    CK_OK(c, make_link(c, "link", "target"));
    CK_OK(c, ck_create(c, &h, "link", DELETE | FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL));
    CK_OK(c, ck_rename(c, h, 0, ck_path(c, "link2"), false, 0));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, open_link(c, &h, "link2"));
    CK_OK(c, fsctl(c, h, FSCTL_GET_REPARSE_POINT, NULL, 0, out, sizeof out, NULL));
    CK_EQ(c, "ReparseTag of the renamed link", get32(out), IO_REPARSE_TAG_SYMLINK);
    CK_OK(c, ck_exists(c, "target"));
}

const ck_case ck_cases_reparse[] = {
    {"reparse_set_get", set_get, 0,
        "FSCTL_SET_REPARSE_POINT makes a file a symbolic link; GET returns the same buffer",
        "reparse_symlink_test"},
    {"reparse_attributes", attributes, 0,
        "a link has FILE_ATTRIBUTE_REPARSE_POINT and its tag, in queries and listings",
        "reparse_symlink_test"},
    {"reparse_delete", delete_point, 0,
        "FSCTL_DELETE_REPARSE_POINT leaves an ordinary file; GET: STATUS_NOT_A_REPARSE_POINT",
        "reparse_guid_test"},
    {"reparse_not_reparse", not_reparse, 0,
        "FSCTL_GET_REPARSE_POINT of an ordinary file: STATUS_NOT_A_REPARSE_POINT",
        "reparse_guid_test"},
    {"reparse_follow", follow, 0,
        "an open without FILE_OPEN_REPARSE_POINT reaches the link's target",
        "reparse_symlink_test"},
    {"reparse_dangling", dangling, 0,
        "a link to nothing: STATUS_OBJECT_NAME_NOT_FOUND followed, opens as itself",
        "reparse_symlink_relative_test"},
    {"reparse_small_buffer", small_buffer, 0,
        "GET into a buffer smaller than the header: STATUS_BUFFER_TOO_SMALL",
        "reparse_guid_test"},
    {"reparse_bad_data", bad_data, 0,
        "SET with a ReparseDataLength that disagrees: STATUS_IO_REPARSE_DATA_INVALID",
        "reparse_guid_test"},
    {"reparse_delete_link", delete_link, 0,
        "deleting a link removes the link, not its target", "reparse_symlink_test"},
    {"reparse_rename_link", rename_link, 0,
        "a renamed link is still the same link", "reparse_symlink_relative_test"},
    {NULL, NULL, 0, NULL, NULL},
};
