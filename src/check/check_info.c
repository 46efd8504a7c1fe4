/*
 * check_info.c - NtQueryInformationFile / NtSetInformationFile: basic
 * (times, attributes), end of file, allocation, position, standard,
 * internal, name, all, network open, attribute tag, access, mode.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)
#define TEN_SECONDS 100000000LL

/* 2023-01-01T00:00:00.1234567Z and 2022-06-15T12:34:56.7654321Z as FILETIMEs. */
#define T1 (133170048000000000LL + 1234567)
#define T2 (132998780967654321LL)

static bool near_now(INT64 t, INT64 now)
{
    return t > now - TEN_SECONDS && t < now + TEN_SECONDS;
}

static void basic_new_times(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;
    INT64 now = ck_now();

    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_basic(c, h, &b));
    CK_TRUE(c, near_now(b.CreationTime, now), "CreationTime within 10 s of now");
    CK_TRUE(c, near_now(b.LastAccessTime, now), "LastAccessTime within 10 s of now");
    CK_TRUE(c, near_now(b.LastWriteTime, now), "LastWriteTime within 10 s of now");
    CK_TRUE(c, near_now(b.ChangeTime, now), "ChangeTime within 10 s of now");
}

static void basic_set_times(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;

    CK_NEED(c, !c->opts->no_times, "the file system cannot set times (as told)");
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_set_basic(c, h, 0, T1, T2, 0, 0));
    CK_OK(c, ck_basic(c, h, &b));
    CK_EQ(c, "LastAccessTime", b.LastAccessTime, T1);
    CK_EQ(c, "LastWriteTime", b.LastWriteTime, T2);
    CK_OK(c, ck_close(c, h));
    /* And as a new handle sees them, after the file system kept them. */
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_basic(c, h, &b));
    CK_EQ(c, "LastAccessTime after reopen", b.LastAccessTime, T1);
    CK_EQ(c, "LastWriteTime after reopen", b.LastWriteTime, T2);
}

static void basic_zero_no_change(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b0, b1;

    CK_OK(c, ck_create(c, &h, "f", RW, FILE_ATTRIBUTE_READONLY, CK_SHARE_ALL, FILE_CREATE, 0,
        NULL));
    CK_OK(c, ck_basic(c, h, &b0));
    CK_OK(c, ck_set_basic(c, h, 0, 0, 0, 0, 0));
    CK_OK(c, ck_basic(c, h, &b1));
    CK_EQ(c, "LastAccessTime", b1.LastAccessTime, b0.LastAccessTime);
    CK_EQ(c, "LastWriteTime", b1.LastWriteTime, b0.LastWriteTime);
    CK_EQ(c, "CreationTime", b1.CreationTime, b0.CreationTime);
    CK_EQ(c, "FileAttributes", b1.FileAttributes, b0.FileAttributes);
    CK_TRUE(c, b1.FileAttributes & FILE_ATTRIBUTE_READONLY, "FILE_ATTRIBUTE_READONLY kept");
}

static void basic_readonly(ck_ctx *c)
{
    nt_handle h;
    UINT32 attr;

    CK_OK(c, ck_mkfile(c, "f", "x", 1));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_set_basic(c, h, 0, 0, 0, 0, FILE_ATTRIBUTE_READONLY));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_attributes(c, "f", &attr));
    CK_EQ(c, "FileAttributes", ck_attr(attr), FILE_ATTRIBUTE_READONLY);
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_open(c, NULL, "f", FILE_WRITE_DATA, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_set_basic(c, h, 0, 0, 0, 0, FILE_ATTRIBUTE_NORMAL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_attributes(c, "f", &attr));
    CK_EQ(c, "FileAttributes after clearing", ck_attr(attr), 0);
    CK_OK(c, ck_open(c, NULL, "f", FILE_WRITE_DATA, CK_SHARE_ALL));
}

static void basic_directory_bit(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    /* SetFileAttributes(DIRECTORY | x) on a file: the directory bit is not the caller's to set. */
    CK_OK(c, ck_set_basic(c, h, 0, 0, 0, 0, FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_READONLY));
    CK_OK(c, ck_basic(c, h, &b));
    CK_EQ(c, "FileAttributes", ck_attr(b.FileAttributes), FILE_ATTRIBUTE_READONLY);
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "Directory", s.Directory, 0);
}

static void write_updates_time(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;

    CK_NEED(c, !c->opts->no_times, "the file system cannot set times (as told)");
    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_set_basic(c, h, 0, T2, T2, 0, 0));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_write(c, h, 0, "data", 4, NULL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_basic(c, h, &b));
    CK_TRUE(c, near_now(b.LastWriteTime, ck_now()), "LastWriteTime now after a write");
}

static void eof_extend(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION s;
    UINT8 buf[64], zero[64] = {0};
    UINT32 got;

    CK_OK(c, ck_create(c, &h, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h, 0, "abc", 3, NULL));
    CK_OK(c, ck_set_eof(c, h, 42));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "EndOfFile", s.EndOfFile, 42);
    CK_TRUE(c, s.AllocationSize >= 42, "AllocationSize >= EndOfFile");
    CK_OK(c, ck_read(c, h, 0, buf, sizeof buf, &got));
    CK_EQ(c, "bytes read", got, 42);
    CK_DATA(c, "kept data", buf, "abc", 3);
    CK_DATA(c, "extension", buf + 3, zero, 39);
}

static void eof_truncate(ck_ctx *c)
{
    nt_handle h;
    UINT8 data[100], buf[100];
    size_t len;

    ck_fill(data, sizeof data, 1);
    CK_OK(c, ck_mkfile(c, "f", data, sizeof data));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_set_eof(c, h, 10));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size", len, 10);
    CK_DATA(c, "kept data", buf, data, 10);
}

static void eof_other_handle(ck_ctx *c)
{
    nt_handle h1, h2;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_mkfile(c, "f", "abcdef", 6));
    CK_OK(c, ck_open(c, &h1, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h2, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_set_eof(c, h1, 1000));
    CK_OK(c, ck_standard(c, h2, &s));
    CK_EQ(c, "EndOfFile seen by another handle", s.EndOfFile, 1000);
    CK_OK(c, ck_set_eof(c, h1, 2));
    CK_OK(c, ck_standard(c, h2, &s));
    CK_EQ(c, "EndOfFile seen by another handle", s.EndOfFile, 2);
}

static void allocation_truncate(ck_ctx *c)
{
    nt_handle h;
    FILE_ALLOCATION_INFORMATION a;
    FILE_STANDARD_INFORMATION s;
    UINT8 data[100];

    ck_fill(data, sizeof data, 2);
    CK_OK(c, ck_mkfile(c, "f", data, sizeof data));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    a.AllocationSize = 10;
    CK_OK(c, ck_set(c, h, &a, sizeof a, FileAllocationInformation));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "EndOfFile after shrinking the allocation", s.EndOfFile, 10);
    CK_TRUE(c, s.AllocationSize >= 10, "AllocationSize >= EndOfFile");
}

static void allocation_grow(ck_ctx *c)
{
    nt_handle h;
    FILE_ALLOCATION_INFORMATION a;
    FILE_STANDARD_INFORMATION s;
    UINT8 data[100], buf[200];
    size_t len;

    ck_fill(data, sizeof data, 3);
    CK_OK(c, ck_mkfile(c, "f", data, sizeof data));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    a.AllocationSize = 1048576;
    CK_OK(c, ck_set(c, h, &a, sizeof a, FileAllocationInformation));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "EndOfFile after growing the allocation", s.EndOfFile, 100);
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size", len, 100);
    CK_DATA(c, "data", buf, data, 100);
}

static void position(ck_ctx *c)
{
    nt_handle h, h2;
    FILE_POSITION_INFORMATION p;
    char buf[8];
    UINT32 got;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h2, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_query(c, h, &p, sizeof p, FilePositionInformation));
    CK_EQ(c, "CurrentByteOffset of a new handle", p.CurrentByteOffset, 0);
    p.CurrentByteOffset = 5;
    CK_OK(c, ck_set(c, h, &p, sizeof p, FilePositionInformation));
    CK_OK(c, ck_read(c, h, CK_POS, buf, 3, &got));
    CK_EQ(c, "bytes read", got, 3);
    CK_DATA(c, "data at the position", buf, "567", 3);
    CK_OK(c, ck_query(c, h, &p, sizeof p, FilePositionInformation));
    CK_EQ(c, "CurrentByteOffset after reading", p.CurrentByteOffset, 8);
    CK_OK(c, ck_write(c, h, CK_POS, "XY", 2, NULL));
    CK_OK(c, ck_query(c, h, &p, sizeof p, FilePositionInformation));
    CK_EQ(c, "CurrentByteOffset after writing", p.CurrentByteOffset, 10);
    /* An explicit offset moves the position to after what it transferred. */
    CK_OK(c, ck_read(c, h, 1, buf, 2, &got));
    CK_OK(c, ck_query(c, h, &p, sizeof p, FilePositionInformation));
    CK_EQ(c, "CurrentByteOffset after reading at offset 1", p.CurrentByteOffset, 3);
    /* Positions belong to handles. */
    CK_OK(c, ck_query(c, h2, &p, sizeof p, FilePositionInformation));
    CK_EQ(c, "CurrentByteOffset of the other handle", p.CurrentByteOffset, 0);
    CK_OK(c, ck_read(c, h2, CK_POS, buf, 8, &got));
    CK_DATA(c, "data", buf, "01234567", 8);
}

static void standard_file(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "EndOfFile", s.EndOfFile, 10);
    CK_TRUE(c, s.AllocationSize >= 10, "AllocationSize >= EndOfFile");
    CK_EQ(c, "NumberOfLinks", s.NumberOfLinks, 1);
    CK_EQ(c, "DeletePending", s.DeletePending, 0);
    CK_EQ(c, "Directory", s.Directory, 0);
}

static void standard_dir(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_open(c, &h, "d", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "Directory", s.Directory, 1);
    CK_EQ(c, "DeletePending", s.DeletePending, 0);
    CK_TRUE(c, s.NumberOfLinks >= 1, "NumberOfLinks >= 1");
}

static void internal_id(ck_ctx *c)
{
    nt_handle h1, h2, h3;
    INT64 a, b, d;

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_mkfile(c, "g", NULL, 0));
    CK_OK(c, ck_open(c, &h1, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h2, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h3, "g", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_index(c, h1, &a));
    CK_OK(c, ck_index(c, h2, &b));
    CK_OK(c, ck_index(c, h3, &d));
    CK_TRUE(c, a != 0, "a non-zero IndexNumber");
    CK_EQ(c, "IndexNumber of a second handle", b, a);
    CK_TRUE(c, d != a, "different IndexNumbers for different files");
}

static void name(ck_ctx *c)
{
    nt_handle h;
    char n[512];

    CK_OK(c, ck_mkdir(c, "sub"));
    CK_OK(c, ck_mkfile(c, "sub\\file.txt", NULL, 0));
    CK_OK(c, ck_open(c, &h, "sub\\file.txt", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_name(c, h, n, sizeof n));
    CK_STR(c, "FileNameInformation", n, ck_path(c, "sub\\file.txt"));
    CK_OK(c, ck_open(c, &h, "sub", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_name(c, h, n, sizeof n));
    CK_STR(c, "FileNameInformation of a directory", n, ck_path(c, "sub"));
}

static void name_overflow(ck_ctx *c)
{
    nt_handle h;
    union {
        FILE_NAME_INFORMATION info;
        UINT8 b[64];
    } u;
    nt_io_status io;
    const char *full = ck_path(c, "a-longer-file-name");
    size_t want = strlen(full) * sizeof(WCHAR);

    CK_OK(c, ck_mkfile(c, "a-longer-file-name", NULL, 0));
    CK_OK(c, ck_open(c, &h, "a-longer-file-name", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    memset(&u, 0xcc, sizeof u);
    memset(&io, 0, sizeof io);
    CK_STATUS(c, STATUS_BUFFER_OVERFLOW, nt_query_information_file(c->vol, h, &io, &u,
        sizeof(FILE_NAME_INFORMATION), FileNameInformation));
    CK_EQ(c, "FileNameLength (the full length)", u.info.FileNameLength, want);
    CK_EQ(c, "first character", u.info.FileName[0], '\\');
    CK_EQ(c, "IoStatus.Information", io.Information, sizeof(FILE_NAME_INFORMATION));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, nt_query_information_file(c->vol, h, &io, &u,
        offsetof(FILE_NAME_INFORMATION, FileName) - 1, FileNameInformation));
}

static void all(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;
    FILE_STANDARD_INFORMATION s;
    INT64 index;
    union {
        FILE_ALL_INFORMATION info;
        UINT8 b[sizeof(FILE_ALL_INFORMATION) + 1024];
    } u;
    const char *full = ck_path(c, "f");
    char n[512];

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_read(c, h, CK_POS, n, 4, NULL));
    CK_OK(c, ck_basic(c, h, &b));
    CK_OK(c, ck_standard(c, h, &s));
    CK_OK(c, ck_index(c, h, &index));
    memset(&u, 0, sizeof u);
    CK_OK(c, ck_query(c, h, &u, sizeof u, FileAllInformation));
    CK_EQ(c, "BasicInformation.LastWriteTime", u.info.BasicInformation.LastWriteTime,
        b.LastWriteTime);
    CK_EQ(c, "BasicInformation.FileAttributes", u.info.BasicInformation.FileAttributes,
        b.FileAttributes);
    CK_EQ(c, "StandardInformation.EndOfFile", u.info.StandardInformation.EndOfFile, 10);
    CK_EQ(c, "StandardInformation.NumberOfLinks", u.info.StandardInformation.NumberOfLinks,
        s.NumberOfLinks);
    CK_EQ(c, "StandardInformation.Directory", u.info.StandardInformation.Directory, 0);
    CK_EQ(c, "InternalInformation.IndexNumber", u.info.InternalInformation.IndexNumber, index);
    CK_EQ(c, "EaInformation.EaSize", u.info.EaInformation.EaSize, 0);
    CK_EQ(c, "AccessInformation.AccessFlags", u.info.AccessInformation.AccessFlags,
        FILE_GENERIC_READ);
    CK_EQ(c, "PositionInformation.CurrentByteOffset",
        u.info.PositionInformation.CurrentByteOffset, 4);
    CK_EQ(c, "ModeInformation.Mode", u.info.ModeInformation.Mode, FILE_SYNCHRONOUS_IO_NONALERT);
    CK_EQ(c, "NameInformation.FileNameLength", u.info.NameInformation.FileNameLength,
        strlen(full) * sizeof(WCHAR));
    ck_from_utf16(u.info.NameInformation.FileName,
        u.info.NameInformation.FileNameLength / sizeof(WCHAR), n, sizeof n);
    CK_STR(c, "NameInformation", n, full);
}

static void all_overflow(ck_ctx *c)
{
    nt_handle h;
    union {
        FILE_ALL_INFORMATION info;
        UINT8 b[sizeof(FILE_ALL_INFORMATION) + 64];
    } u;
    nt_io_status io;
    const char *full = ck_path(c, "a-longer-file-name");

    CK_OK(c, ck_mkfile(c, "a-longer-file-name", "abc", 3));
    CK_OK(c, ck_open(c, &h, "a-longer-file-name", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    memset(&u, 0, sizeof u);
    memset(&io, 0, sizeof io);
    CK_STATUS(c, STATUS_BUFFER_OVERFLOW, nt_query_information_file(c->vol, h, &io, &u,
        sizeof(FILE_ALL_INFORMATION), FileAllInformation));
    CK_EQ(c, "StandardInformation.EndOfFile", u.info.StandardInformation.EndOfFile, 3);
    CK_EQ(c, "NameInformation.FileNameLength (the full length)",
        u.info.NameInformation.FileNameLength, strlen(full) * sizeof(WCHAR));
    CK_EQ(c, "IoStatus.Information", io.Information, sizeof(FILE_ALL_INFORMATION));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, nt_query_information_file(c->vol, h, &io, &u,
        offsetof(FILE_ALL_INFORMATION, NameInformation), FileAllInformation));
}

static void network_open(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;
    FILE_STANDARD_INFORMATION s;
    FILE_NETWORK_OPEN_INFORMATION n;

    CK_OK(c, ck_mkfile(c, "f", "0123456789", 10));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_basic(c, h, &b));
    CK_OK(c, ck_standard(c, h, &s));
    memset(&n, 0, sizeof n);
    CK_OK(c, ck_query(c, h, &n, sizeof n, FileNetworkOpenInformation));
    CK_EQ(c, "CreationTime", n.CreationTime, b.CreationTime);
    CK_EQ(c, "LastAccessTime", n.LastAccessTime, b.LastAccessTime);
    CK_EQ(c, "LastWriteTime", n.LastWriteTime, b.LastWriteTime);
    CK_EQ(c, "ChangeTime", n.ChangeTime, b.ChangeTime);
    CK_EQ(c, "EndOfFile", n.EndOfFile, 10);
    CK_EQ(c, "AllocationSize", n.AllocationSize, s.AllocationSize);
    CK_EQ(c, "FileAttributes", n.FileAttributes, b.FileAttributes);
}

static void attribute_tag(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;
    FILE_ATTRIBUTE_TAG_INFORMATION t;

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_open(c, &h, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_basic(c, h, &b));
    memset(&t, 0xff, sizeof t);
    CK_OK(c, ck_query(c, h, &t, sizeof t, FileAttributeTagInformation));
    CK_EQ(c, "FileAttributes", t.FileAttributes, b.FileAttributes);
    CK_EQ(c, "ReparseTag", t.ReparseTag, 0);
    CK_OK(c, ck_open(c, &h, "d", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_query(c, h, &t, sizeof t, FileAttributeTagInformation));
    CK_EQ(c, "FileAttributes of a directory", ck_attr(t.FileAttributes),
        FILE_ATTRIBUTE_DIRECTORY);
    CK_EQ(c, "ReparseTag of a directory", t.ReparseTag, 0);
}

static void access_flags(ck_ctx *c)
{
    nt_handle h;
    FILE_ACCESS_INFORMATION a;

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_create(c, &h, "f", FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0,
        CK_SHARE_ALL, FILE_OPEN, CK_RAW | FILE_SYNCHRONOUS_IO_NONALERT, NULL));
    CK_OK(c, ck_query(c, h, &a, sizeof a, FileAccessInformation));
    CK_EQ(c, "AccessFlags", a.AccessFlags, FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE);
    /* Generic rights are mapped to the file-specific ones on open. */
    CK_OK(c, ck_create(c, &h, "f", GENERIC_READ | GENERIC_WRITE, 0, CK_SHARE_ALL, FILE_OPEN,
        CK_RAW, NULL));
    CK_OK(c, ck_query(c, h, &a, sizeof a, FileAccessInformation));
    CK_EQ(c, "AccessFlags of GENERIC_READ | GENERIC_WRITE", a.AccessFlags,
        FILE_GENERIC_READ | FILE_GENERIC_WRITE);
    CK_OK(c, ck_write(c, h, 0, "x", 1, NULL));
}

static void mode(ck_ctx *c)
{
    nt_handle h;
    FILE_MODE_INFORMATION m;

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_create(c, &h, "f", FILE_GENERIC_READ, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_SEQUENTIAL_ONLY | FILE_WRITE_THROUGH, NULL));
    CK_OK(c, ck_query(c, h, &m, sizeof m, FileModeInformation));
    CK_EQ(c, "Mode", m.Mode,
        FILE_SYNCHRONOUS_IO_NONALERT | FILE_SEQUENTIAL_ONLY | FILE_WRITE_THROUGH);
    CK_OK(c, ck_create(c, &h, "f", FILE_READ_DATA | FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL,
        FILE_OPEN, CK_RAW, NULL));
    CK_OK(c, ck_query(c, h, &m, sizeof m, FileModeInformation));
    CK_EQ(c, "Mode of an asynchronous handle", m.Mode, 0);
}

const ck_case ck_cases_info[] = {
    {"info_basic_new_times", basic_new_times, 0,
        "a new file's four times are now", "getfileinfo_test"},
    {"info_basic_set_times", basic_set_times, 0,
        "LastAccessTime/LastWriteTime set to 100 ns precision read back exactly",
        "setfileinfo_test"},
    {"info_basic_zero_no_change", basic_zero_no_change, 0,
        "FileBasicInformation with zero times and attributes changes nothing",
        "setfileinfo_test"},
    {"info_basic_readonly", basic_readonly, 0,
        "setting and clearing FILE_ATTRIBUTE_READONLY; write opens follow it",
        "setfileinfo_test"},
    {"info_basic_directory_bit", basic_directory_bit, 0,
        "FILE_ATTRIBUTE_DIRECTORY set on a file is ignored", "setfileinfo_test"},
    {"info_write_updates_time", write_updates_time, 0,
        "writing through a new handle makes LastWriteTime now", "setfileinfo_test"},
    {"info_eof_extend", eof_extend, 0,
        "FileEndOfFileInformation extends a file with zeros", "setfileinfo_test"},
    {"info_eof_truncate", eof_truncate, 0,
        "FileEndOfFileInformation truncates, keeping the data before", "setfileinfo_test"},
    {"info_eof_other_handle", eof_other_handle, 0,
        "a size set through one handle is what another handle sees", "setfileinfo_test"},
    {"info_allocation_truncate", allocation_truncate, 0,
        "an AllocationSize below EndOfFile truncates the file", "create_allocation_test"},
    {"info_allocation_grow", allocation_grow, 0,
        "a larger AllocationSize leaves EndOfFile and data alone", "create_allocation_test"},
    {"info_position", position, 0,
        "FilePositionInformation set/get; reads and writes move it; per handle",
        "rdwr_cached_test"},
    {"info_standard_file", standard_file, 0,
        "FileStandardInformation of a file: size, 1 link, not delete-pending, not a directory",
        "getfileinfo_test"},
    {"info_standard_dir", standard_dir, 0,
        "FileStandardInformation of a directory: Directory TRUE", "getfileinfo_test"},
    {"info_internal", internal_id, 0,
        "IndexNumber: non-zero, the same for every handle of a file, unique per file",
        "getfileinfo_test"},
    {"info_name", name, 0,
        "FileNameInformation: the full path from the volume root", "getfileinfo_name_test"},
    {"info_name_overflow", name_overflow, 0,
        "a small buffer: STATUS_BUFFER_OVERFLOW, the full FileNameLength, partial name",
        "getfileinfo_test"},
    {"info_all", all, 0,
        "FileAllInformation agrees with basic, standard, internal, access, position, mode, name",
        "getfileinfo_test"},
    {"info_all_overflow", all_overflow, 0,
        "FileAllInformation without room for the name: STATUS_BUFFER_OVERFLOW, fixed part filled",
        "getfileinfo_test"},
    {"info_network_open", network_open, 0,
        "FileNetworkOpenInformation agrees with basic and standard", "getfileinfo_test"},
    {"info_attribute_tag", attribute_tag, 0,
        "FileAttributeTagInformation: attributes, and tag 0 for files and directories",
        "getfileinfo_test"},
    {"info_access", access_flags, 0,
        "FileAccessInformation is the access granted, generic rights mapped",
        "getfileinfo_test"},
    {"info_mode", mode, 0,
        "FileModeInformation reports the handle's synchronous/sequential/write-through mode",
        "getfileinfo_test"},
    {NULL, NULL, 0, NULL, NULL},
};
