/*
 * check_badinput.c - what the I/O manager refuses before a file system
 * sees anything, and what must stay unchanged when it does: bad handles,
 * missing access, bad lengths and classes, bad create parameters, paths
 * too long.
 */
#include <stdio.h>

#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)
#define BOGUS ((nt_handle)0x7ead0000beefull)

static void bad_handle(ck_ctx *c)
{
    nt_io_status io;
    UINT8 buf[1024];
    FILE_BASIC_INFORMATION b;
    INT64 off = 0;

    /* Buffers are big enough: classes and lengths are checked before the handle. */
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_close(c->vol, BOGUS));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_close(c->vol, 0));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_read_file(c->vol, BOGUS, &io, buf, sizeof buf, &off,
        0));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_write_file(c->vol, BOGUS, &io, buf, sizeof buf, &off,
        0));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_query_information_file(c->vol, BOGUS, &io, &b,
        sizeof b, FileBasicInformation));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_set_information_file(c->vol, BOGUS, &io, &b,
        sizeof b, FileBasicInformation));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_query_directory_file(c->vol, BOGUS, &io, buf,
        sizeof buf, FileDirectoryInformation, false, NULL, false));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_query_volume_information_file(c->vol, BOGUS, &io, buf,
        sizeof buf, FileFsSizeInformation));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_flush_buffers_file(c->vol, BOGUS, &io));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_lock_file(c->vol, BOGUS, &io, 0, 1, 0, true, true));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_unlock_file(c->vol, BOGUS, &io, 0, 1, 0));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_fs_control_file(c->vol, BOGUS, &io,
        FSCTL_GET_REPARSE_POINT, NULL, 0, buf, sizeof buf));
}

static void closed_handle(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    FILE_BASIC_INFORMATION b;

    CK_OK(c, ck_create(c, &h, "\\", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE, NULL));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_query_information_file(c->vol, h, &io, &b, sizeof b,
        FileBasicInformation));
    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_close(c->vol, h));
}

static void bad_related_handle(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;

    CK_STATUS(c, STATUS_INVALID_HANDLE, nt_create_file(c->vol, &h, FILE_READ_ATTRIBUTES, BOGUS,
        "f", &io, 0, 0, CK_SHARE_ALL, FILE_OPEN, 0, NULL, 0, NULL, 0));
}

static void read_no_access(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[8];

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", FILE_WRITE_DATA | FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_read(c, h, 0, buf, sizeof buf, NULL));
}

static void write_no_access(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[8];
    size_t len;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_write(c, h, 0, "XXXXXXXX", 8, NULL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_write(c, h, NT_WRITE_TO_END_OF_FILE, "XX", 2, NULL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size after the refused writes", len, 4);
    CK_DATA(c, "content after the refused writes", buf, "data", 4);
}

static void set_eof_no_access(ck_ctx *c)
{
    nt_handle h;
    INT64 eof;
    FILE_ALLOCATION_INFORMATION a;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ | FILE_WRITE_ATTRIBUTES, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_set_eof(c, h, 100));
    a.AllocationSize = 0;
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_set(c, h, &a, sizeof a, FileAllocationInformation));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_size(c, "f", &eof));
    CK_EQ(c, "EndOfFile after the refusals", eof, 4);
}

static void set_basic_no_access(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b0, b1;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ | FILE_WRITE_DATA, CK_SHARE_ALL));
    CK_OK(c, ck_basic(c, h, &b0));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_set_basic(c, h, 0, 0, 133170048000000000LL, 0,
        FILE_ATTRIBUTE_READONLY));
    CK_OK(c, ck_basic(c, h, &b1));
    CK_EQ(c, "LastWriteTime after the refusal", b1.LastWriteTime, b0.LastWriteTime);
    CK_EQ(c, "FileAttributes after the refusal", b1.FileAttributes, b0.FileAttributes);
}

static void query_basic_no_access(ck_ctx *c)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_create(c, &h, "\\", SYNCHRONIZE, 0, CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE,
        NULL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_basic(c, h, &b));
    {
        FILE_NETWORK_OPEN_INFORMATION n;
        union {
            FILE_ALL_INFORMATION info;
            UINT8 b[sizeof(FILE_ALL_INFORMATION) + 512];
        } u;
        CK_STATUS(c, STATUS_ACCESS_DENIED, ck_query(c, h, &n, sizeof n,
            FileNetworkOpenInformation));
        CK_STATUS(c, STATUS_ACCESS_DENIED, ck_query(c, h, &u, sizeof u, FileAllInformation));
    }
    /* Standard information needs no access at all. */
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "Directory", s.Directory, 1);
}

static void info_length(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[256];

    CK_OK(c, ck_create(c, &h, "\\", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_query(c, h, buf,
        sizeof(FILE_BASIC_INFORMATION) - 1, FileBasicInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_query(c, h, buf,
        sizeof(FILE_STANDARD_INFORMATION) - 1, FileStandardInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_query(c, h, buf, 0, FileInternalInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_query(c, h, buf,
        sizeof(FILE_NETWORK_OPEN_INFORMATION) - 8, FileNetworkOpenInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_query(c, h, buf, 4,
        FileAttributeTagInformation));
}

static void set_info_length(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[64] = {0};
    INT64 eof;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", RW | DELETE, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_set(c, h, buf, 4, FileEndOfFileInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_set(c, h, buf, 0, FileDispositionInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_set(c, h, buf,
        sizeof(FILE_BASIC_INFORMATION) - 1, FileBasicInformation));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, ck_set(c, h, buf, 4, FilePositionInformation));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_size(c, "f", &eof));
    CK_EQ(c, "EndOfFile afterwards", eof, 4);
    CK_OK(c, ck_exists(c, "f"));
}

static void info_class(ck_ctx *c)
{
    nt_handle h;
    UINT8 buf[1024];

    CK_OK(c, ck_create(c, &h, "\\", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, ck_query(c, h, buf, sizeof buf, 0));
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, ck_query(c, h, buf, sizeof buf, 200));
    /* Directory classes are for NtQueryDirectoryFile, not NtQueryInformationFile. */
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, ck_query(c, h, buf, sizeof buf,
        FileDirectoryInformation));
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, ck_set(c, h, buf, sizeof buf, 200));
}

static void dir_info_class(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    UINT8 buf[1024];

    CK_OK(c, ck_create(c, &h, "\\", FILE_LIST_DIRECTORY, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, nt_query_directory_file(c->vol, h, &io, buf,
        sizeof buf, FileBasicInformation, false, NULL, false));
    CK_STATUS(c, STATUS_INVALID_INFO_CLASS, nt_query_directory_file(c->vol, h, &io, buf,
        sizeof buf, 0, false, NULL, false));
}

static void create_disposition(ck_ctx *c)
{
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "\\check-bad", RW, 0,
        CK_SHARE_ALL, FILE_MAXIMUM_DISPOSITION + 1, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "\\check-bad"));
}

static void create_options(ck_ctx *c)
{
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "\\check-bad", RW, 0,
        CK_SHARE_ALL, FILE_OPEN_IF, 0x00ffffffu + 1, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "\\check-bad"));
}

static void create_sync_without_synchronize(ck_ctx *c)
{
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "\\", FILE_READ_ATTRIBUTES, 0,
        CK_SHARE_ALL, FILE_OPEN, CK_RAW | FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT,
        NULL));
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "\\",
        FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, CK_SHARE_ALL, FILE_OPEN,
        CK_RAW | FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_SYNCHRONOUS_IO_ALERT,
        NULL));
}

static void create_share_flags(ck_ctx *c)
{
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "\\", FILE_READ_ATTRIBUTES, 0,
        FILE_SHARE_VALID_FLAGS + 1, FILE_OPEN, FILE_DIRECTORY_FILE, NULL));
}

static void path_too_long(ck_ctx *c)
{
    /* Past what a UNICODE_STRING holds (32767 characters), made of valid components. */
    enum { LEN = 33000 };
    WCHAR *path = ck_alloc(c, LEN * sizeof(WCHAR));
    nt_handle h = 0;
    nt_io_status io;

    CK_TRUE(c, path != NULL, "memory");
    for (size_t i = 0; i < LEN; i++)
        path[i] = i % 101 == 0 ? '\\' : (WCHAR)('a' + i % 26);
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, nt_create_file_w(c->vol, &h, FILE_READ_ATTRIBUTES,
        0, path, LEN, &io, 0, 0, CK_SHARE_ALL, FILE_OPEN, 0, NULL, 0, NULL, 0));
}

static void component_too_long_open(ck_ctx *c)
{
    char name[258];

    name[0] = '\\';
    memset(name + 1, 'n', 256);
    name[257] = 0;
    /* An overlong name is invalid, not merely absent. */
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, name, FILE_READ_ATTRIBUTES, 0,
        CK_SHARE_ALL, FILE_OPEN, 0, NULL));
}

static void write_readonly_handle_append(ck_ctx *c)
{
    nt_handle h;
    INT64 eof;

    /* FILE_APPEND_DATA alone may not set the size either way. */
    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h, "f", FILE_APPEND_DATA, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_set_eof(c, h, 0));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_size(c, "f", &eof));
    CK_EQ(c, "EndOfFile after the refusal", eof, 4);
}

const ck_case ck_cases_badinput[] = {
    {"bad_handle", bad_handle, CK_RO_SAFE,
        "every call with a handle that was never opened (or 0): STATUS_INVALID_HANDLE",
        "-"},
    {"bad_closed_handle", closed_handle, CK_RO_SAFE,
        "a handle used or closed after it was closed: STATUS_INVALID_HANDLE", "-"},
    {"bad_related_handle", bad_related_handle, CK_RO_SAFE,
        "a create relative to a handle that does not exist: STATUS_INVALID_HANDLE",
        "create_related_test"},
    {"bad_read_no_access", read_no_access, 0,
        "reading without FILE_READ_DATA: STATUS_ACCESS_DENIED", "rdwr_cached_test"},
    {"bad_write_no_access", write_no_access, 0,
        "writing without FILE_WRITE_DATA or FILE_APPEND_DATA: STATUS_ACCESS_DENIED; data kept",
        "rdwr_cached_test"},
    {"bad_set_eof_no_access", set_eof_no_access, 0,
        "end of file or allocation without FILE_WRITE_DATA: STATUS_ACCESS_DENIED; size kept",
        "setfileinfo_test"},
    {"bad_set_eof_append_only", write_readonly_handle_append, 0,
        "end of file through an append-only handle: STATUS_ACCESS_DENIED; size kept",
        "setfileinfo_test"},
    {"bad_set_basic_no_access", set_basic_no_access, 0,
        "FileBasicInformation without FILE_WRITE_ATTRIBUTES: STATUS_ACCESS_DENIED; kept",
        "setfileinfo_test"},
    {"bad_query_basic_no_access", query_basic_no_access, CK_RO_SAFE,
        "basic, network open, all information without FILE_READ_ATTRIBUTES: STATUS_ACCESS_DENIED",
        "getfileattr_test"},
    {"bad_info_length", info_length, CK_RO_SAFE,
        "query buffers below the fixed size: STATUS_INFO_LENGTH_MISMATCH", "getfileinfo_test"},
    {"bad_set_info_length", set_info_length, 0,
        "set buffers below the fixed size: STATUS_INFO_LENGTH_MISMATCH; nothing changed",
        "setfileinfo_test"},
    {"bad_info_class", info_class, CK_RO_SAFE,
        "unknown or directory-only classes: STATUS_INVALID_INFO_CLASS", "getfileinfo_test"},
    {"bad_dir_info_class", dir_info_class, CK_RO_SAFE,
        "NtQueryDirectoryFile with a non-directory class: STATUS_INVALID_INFO_CLASS",
        "querydir_test"},
    {"bad_create_disposition", create_disposition, CK_RO_SAFE,
        "a disposition above FILE_MAXIMUM_DISPOSITION: STATUS_INVALID_PARAMETER",
        "create_test"},
    {"bad_create_options", create_options, CK_RO_SAFE,
        "create options outside FILE_VALID_OPTION_FLAGS: STATUS_INVALID_PARAMETER",
        "create_test"},
    {"bad_create_synchronous", create_sync_without_synchronize, CK_RO_SAFE,
        "synchronous I/O without SYNCHRONIZE, or both kinds: STATUS_INVALID_PARAMETER",
        "create_test"},
    {"bad_create_share_flags", create_share_flags, CK_RO_SAFE,
        "share access outside FILE_SHARE_VALID_FLAGS: STATUS_INVALID_PARAMETER",
        "create_share_test"},
    {"bad_path_too_long", path_too_long, CK_RO_SAFE,
        "a path longer than 32767 characters: STATUS_OBJECT_NAME_INVALID", "create_namelen_test"},
    {"bad_component_too_long", component_too_long_open, CK_RO_SAFE,
        "opening a 256-character name: STATUS_OBJECT_NAME_INVALID, not not-found",
        "create_namelen_test"},
    {NULL, NULL, 0, NULL, NULL},
};
