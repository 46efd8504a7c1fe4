/*
 * check_create.c - NtCreateFile: dispositions, files against directories,
 * related opens, name validity and length, trailing backslashes,
 * FILE_DELETE_ON_CLOSE, the read-only attribute, the root directory.
 *
 * Win32 names in winfsp-tests, NT names here: CREATE_NEW = FILE_CREATE,
 * CREATE_ALWAYS = FILE_OVERWRITE_IF, OPEN_EXISTING = FILE_OPEN,
 * OPEN_ALWAYS = FILE_OPEN_IF, TRUNCATE_EXISTING = FILE_OVERWRITE;
 * ERROR_FILE_EXISTS is STATUS_OBJECT_NAME_COLLISION, ERROR_INVALID_NAME
 * STATUS_OBJECT_NAME_INVALID.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)

static const char data100[100] = "0123456789012345678901234567890123456789"
                                 "0123456789012345678901234567890123456789"
                                 "01234567890123456789";

/*
 * One disposition against an existing file (100 bytes) or a missing one:
 * the status, IoStatus.Information and the size afterwards; a failed
 * create must leave things as they were.
 */
static void disposition(ck_ctx *c, UINT32 disp, bool exists, NTSTATUS expected, UINT64 info,
    bool truncates)
{
    nt_io_status io;
    nt_handle h;
    INT64 eof;

    if (exists)
        CK_OK(c, ck_mkfile(c, "f", data100, sizeof data100));
    CK_STATUS(c, expected, ck_create(c, &h, "f", RW, FILE_ATTRIBUTE_NORMAL, CK_SHARE_ALL, disp,
        FILE_NON_DIRECTORY_FILE, &io));
    if (NT_SUCCESS(expected)) {
        FILE_STANDARD_INFORMATION std;
        CK_EQ(c, "IoStatus.Information", io.Information, info);
        CK_OK(c, ck_standard(c, h, &std));
        CK_EQ(c, "EndOfFile", std.EndOfFile, exists && !truncates ? 100 : 0);
        CK_EQ(c, "Directory", std.Directory, 0);
        CK_OK(c, ck_close(c, h));
        CK_OK(c, ck_size(c, "f", &eof));
        CK_EQ(c, "EndOfFile after close", eof, exists && !truncates ? 100 : 0);
    } else if (exists) {
        CK_OK(c, ck_size(c, "f", &eof));
        CK_EQ(c, "EndOfFile of the untouched file", eof, 100);
    } else {
        CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
    }
}

static void supersede_new(ck_ctx *c)
{
    disposition(c, FILE_SUPERSEDE, false, STATUS_SUCCESS, FILE_CREATED, false);
}

static void supersede_existing(ck_ctx *c)
{
    disposition(c, FILE_SUPERSEDE, true, STATUS_SUCCESS, FILE_SUPERSEDED, true);
}

static void open_new(ck_ctx *c)
{
    disposition(c, FILE_OPEN, false, STATUS_OBJECT_NAME_NOT_FOUND, 0, false);
}

static void open_existing(ck_ctx *c)
{
    disposition(c, FILE_OPEN, true, STATUS_SUCCESS, FILE_OPENED, false);
}

static void create_new(ck_ctx *c)
{
    disposition(c, FILE_CREATE, false, STATUS_SUCCESS, FILE_CREATED, false);
}

static void create_existing(ck_ctx *c)
{
    disposition(c, FILE_CREATE, true, STATUS_OBJECT_NAME_COLLISION, 0, false);
}

static void openif_new(ck_ctx *c)
{
    disposition(c, FILE_OPEN_IF, false, STATUS_SUCCESS, FILE_CREATED, false);
}

static void openif_existing(ck_ctx *c)
{
    disposition(c, FILE_OPEN_IF, true, STATUS_SUCCESS, FILE_OPENED, false);
}

static void overwrite_new(ck_ctx *c)
{
    disposition(c, FILE_OVERWRITE, false, STATUS_OBJECT_NAME_NOT_FOUND, 0, false);
}

static void overwrite_existing(ck_ctx *c)
{
    disposition(c, FILE_OVERWRITE, true, STATUS_SUCCESS, FILE_OVERWRITTEN, true);
}

static void overwriteif_new(ck_ctx *c)
{
    disposition(c, FILE_OVERWRITE_IF, false, STATUS_SUCCESS, FILE_CREATED, false);
}

static void overwriteif_existing(ck_ctx *c)
{
    disposition(c, FILE_OVERWRITE_IF, true, STATUS_SUCCESS, FILE_OVERWRITTEN, true);
}

/* ---- paths ---- */

static void path_not_found(ck_ctx *c)
{
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, ck_create(c, NULL, "nodir\\f", RW, 0,
        CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, ck_create(c, NULL, "nodir\\f", RW, 0,
        CK_SHARE_ALL, FILE_OPEN, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, ck_create(c, NULL, "nodir\\deeper\\f", RW, 0,
        CK_SHARE_ALL, FILE_OPEN_IF, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "nodir"));
}

static void path_through_file(ck_ctx *c)
{
    CK_OK(c, ck_mkfile(c, "file", NULL, 0));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, ck_create(c, NULL, "file\\f", RW, 0,
        CK_SHARE_ALL, FILE_OPEN, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, ck_create(c, NULL, "file\\f", RW, 0,
        CK_SHARE_ALL, FILE_CREATE, 0, NULL));
}

static void deep_path(ck_ctx *c)
{
    nt_handle h;
    char name[256];

    CK_OK(c, ck_mkdir(c, "d1"));
    CK_OK(c, ck_mkdir(c, "d1\\d2"));
    CK_OK(c, ck_mkdir(c, "d1\\d2\\d3"));
    CK_OK(c, ck_mkfile(c, "d1\\d2\\d3\\f", "x", 1));
    CK_OK(c, ck_open(c, &h, "d1\\d2\\d3\\f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_name(c, h, name, sizeof name));
    CK_STR(c, "FileNameInformation", name, ck_path(c, "d1\\d2\\d3\\f"));
}

/* ---- files and directories ---- */

static void dir_new(ck_ctx *c)
{
    nt_io_status io;
    nt_handle h;
    FILE_STANDARD_INFORMATION std;
    FILE_BASIC_INFORMATION basic;

    CK_OK(c, ck_create(c, &h, "d", FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL,
        FILE_CREATE, FILE_DIRECTORY_FILE, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, FILE_CREATED);
    CK_OK(c, ck_standard(c, h, &std));
    CK_EQ(c, "Directory", std.Directory, 1);
    CK_OK(c, ck_basic(c, h, &basic));
    CK_TRUE(c, basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY, "FILE_ATTRIBUTE_DIRECTORY");
}

static void dir_existing(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, ck_mkdir(c, "d"));
}

static void dir_over_file(ck_ctx *c)
{
    UINT32 attr;

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, ck_mkdir(c, "f"));
    CK_OK(c, ck_attributes(c, "f", &attr));
    CK_TRUE(c, !(attr & FILE_ATTRIBUTE_DIRECTORY), "f still a file");
}

static void file_as_dir(ck_ctx *c)
{
    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_STATUS(c, STATUS_NOT_A_DIRECTORY, ck_create(c, NULL, "f", FILE_LIST_DIRECTORY, 0,
        CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_NOT_A_DIRECTORY, ck_create(c, NULL, "f", FILE_LIST_DIRECTORY, 0,
        CK_SHARE_ALL, FILE_OPEN_IF, FILE_DIRECTORY_FILE, NULL));
}

static void dir_as_file(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_STATUS(c, STATUS_FILE_IS_A_DIRECTORY, ck_create(c, NULL, "d", FILE_GENERIC_READ, 0,
        CK_SHARE_ALL, FILE_OPEN, FILE_NON_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_FILE_IS_A_DIRECTORY, ck_create(c, NULL, "d", FILE_GENERIC_READ, 0,
        CK_SHARE_ALL, FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE, NULL));
}

static void dir_plain_open(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION std;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_open(c, &h, "d", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_standard(c, h, &std));
    CK_EQ(c, "Directory", std.Directory, 1);
}

static void dir_bad_disposition(ck_ctx *c)
{
    static const UINT32 disps[] = {FILE_SUPERSEDE, FILE_OVERWRITE, FILE_OVERWRITE_IF};

    for (size_t i = 0; i < sizeof disps / sizeof disps[0]; i++)
        CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "d", FILE_LIST_DIRECTORY, 0,
            CK_SHARE_ALL, disps[i], FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d"));
}

static void dir_and_nondir(ck_ctx *c)
{
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "x", FILE_LIST_DIRECTORY, 0,
        CK_SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "x"));
}

static void dir_temporary(ck_ctx *c)
{
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "d", FILE_LIST_DIRECTORY,
        FILE_ATTRIBUTE_TEMPORARY, CK_SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d"));
}

/* ---- related opens ---- */

static void related_create(ck_ctx *c)
{
    nt_handle dir, h;
    nt_io_status io;
    char name[512];

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_open(c, &dir, "d", FILE_LIST_DIRECTORY | FILE_TRAVERSE, CK_SHARE_ALL));
    CK_OK(c, ck_create_rel(c, &h, dir, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, FILE_CREATED);
    CK_OK(c, ck_name(c, h, name, sizeof name));
    CK_STR(c, "FileNameInformation", name, ck_path(c, "d\\f"));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "d\\f"));
    CK_OK(c, ck_create_rel(c, &h, dir, "f", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        0, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, FILE_OPENED);
}

static void related_subpath(ck_ctx *c)
{
    nt_handle dir;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkdir(c, "d\\e"));
    CK_OK(c, ck_mkfile(c, "d\\e\\f", "x", 1));
    CK_OK(c, ck_open(c, &dir, "d", FILE_LIST_DIRECTORY | FILE_TRAVERSE, CK_SHARE_ALL));
    CK_OK(c, ck_create_rel(c, NULL, dir, "e\\f", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL,
        FILE_OPEN, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_create_rel(c, NULL, dir, "e\\g",
        FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, ck_create_rel(c, NULL, dir, "x\\g",
        FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN, 0, NULL));
}

static void related_empty_name(ck_ctx *c)
{
    nt_handle dir, h;
    INT64 a, b;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_open(c, &dir, "d", FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_create_rel(c, &h, dir, "", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN, 0,
        NULL));
    CK_OK(c, ck_index(c, dir, &a));
    CK_OK(c, ck_index(c, h, &b));
    CK_EQ(c, "IndexNumber of the reopened directory", b, a);
}

static void related_absolute(ck_ctx *c)
{
    nt_handle dir;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "d\\f", NULL, 0));
    CK_OK(c, ck_open(c, &dir, "d", FILE_LIST_DIRECTORY | FILE_TRAVERSE, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create_rel(c, NULL, dir, "\\f",
        FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN, 0, NULL));
}

static void related_missing(ck_ctx *c)
{
    nt_handle dir;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_open(c, &dir, "d", FILE_LIST_DIRECTORY | FILE_TRAVERSE, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_create_rel(c, NULL, dir, "nosuch",
        FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN, 0, NULL));
}

/* ---- names ---- */

/* A name of n characters: digits, or hiragana (one UTF-16 unit, three UTF-8 bytes each). */
static char *long_name(ck_ctx *c, unsigned n, bool unicode)
{
    char *s = ck_alloc(c, n * 3 + 1), *p = s;

    if (!s)
        return NULL;
    for (unsigned i = 0; i < n; i++) {
        if (unicode) {
            unsigned cp = 0x3041 + i % 10;
            *p++ = (char)(0xe0 | cp >> 12);
            *p++ = (char)(0x80 | (cp >> 6 & 0x3f));
            *p++ = (char)(0x80 | (cp & 0x3f));
        } else {
            *p++ = (char)('0' + i % 10);
        }
    }
    *p = 0;
    return s;
}

static void name_length(ck_ctx *c, unsigned n, bool unicode, NTSTATUS expected)
{
    char *name = long_name(c, n, unicode);
    ck_list l;

    NTSTATUS status;

    CK_TRUE(c, name != NULL, "memory");
    status = ck_create(c, NULL, name, RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL);
    /* A POSIX file system counts bytes: 255 characters of three bytes each may not fit. */
    if (unicode && NT_SUCCESS(expected) && status == STATUS_NAME_TOO_LONG)
        CK_SKIP(c, "the file system keeps at most %u bytes per name, %zu needed (%s)",
            255u, strlen(name), ck_status(status));
    CK_STATUS(c, expected, status);
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    if (NT_SUCCESS(expected)) {
        CK_OK(c, ck_exists(c, name));
        CK_EQ(c, "listed entries with the long name", ck_list_count(&l, name), 1);
        CK_OK(c, ck_delete(c, name));
    } else {
        CK_STATUS(c, expected, ck_exists(c, name));
        CK_LIST_IS(c, &l, ".", "..");
    }
}

static void name_255(ck_ctx *c)
{
    name_length(c, 255, false, STATUS_SUCCESS);
}

static void name_256(ck_ctx *c)
{
    name_length(c, 256, false, STATUS_OBJECT_NAME_INVALID);
}

static void name_255_unicode(ck_ctx *c)
{
    name_length(c, 255, true, STATUS_SUCCESS);
}

static void name_256_unicode(ck_ctx *c)
{
    name_length(c, 256, true, STATUS_OBJECT_NAME_INVALID);
}

/* A name with a character NTFS does not allow: refused to create and to open. */
static void invalid_name(ck_ctx *c, const char *name)
{
    ck_list l;

    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, name, RW, 0, CK_SHARE_ALL,
        FILE_CREATE, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, name, RW, 0, CK_SHARE_ALL,
        FILE_OPEN_IF, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, name, FILE_LIST_DIRECTORY, 0,
        CK_SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_exists(c, name));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..");
}

static void invalid_star(ck_ctx *c)
{
    invalid_name(c, "a*b");
}

static void invalid_question(ck_ctx *c)
{
    invalid_name(c, "a?b");
}

static void invalid_lt(ck_ctx *c)
{
    invalid_name(c, "a<b");
}

static void invalid_gt(ck_ctx *c)
{
    invalid_name(c, "a>b");
}

static void invalid_pipe(ck_ctx *c)
{
    invalid_name(c, "a|b");
}

static void invalid_quote(ck_ctx *c)
{
    invalid_name(c, "a\"b");
}

static void invalid_slash(ck_ctx *c)
{
    invalid_name(c, "a/b");
}

static void invalid_control(ck_ctx *c)
{
    invalid_name(c, "a\001b");
    CK_BAIL(c);
    invalid_name(c, "a\037b");
    CK_BAIL(c);
    invalid_name(c, "a\nb");
}

static void invalid_colon(ck_ctx *c)
{
    CK_NEED(c, !c->named_streams, "the volume has named streams: a colon names a stream");
    invalid_name(c, "a:b");
}

static void invalid_wildcard_in_dir(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, "d*\\f", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, "d\\f?", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, 0, NULL));
}

static void trailing_backslash_file(ck_ctx *c)
{
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, "f\\", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, FILE_NON_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, "f\\", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void trailing_backslash_existing_file(ck_ctx *c)
{
    CK_OK(c, ck_mkfile(c, "f", "x", 1));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, "f\\", FILE_READ_ATTRIBUTES, 0,
        CK_SHARE_ALL, FILE_OPEN, 0, NULL));
}

static void trailing_backslash_dir(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION std;

    CK_OK(c, ck_create(c, NULL, "d\\", FILE_LIST_DIRECTORY, 0, CK_SHARE_ALL, FILE_CREATE,
        FILE_DIRECTORY_FILE, NULL));
    CK_OK(c, ck_create(c, &h, "d\\", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN, 0, NULL));
    CK_OK(c, ck_standard(c, h, &std));
    CK_EQ(c, "Directory", std.Directory, 1);
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "d"));
}

static void double_backslash(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, ck_create(c, NULL, "d\\\\f", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d\\f"));
}

/* ---- FILE_DELETE_ON_CLOSE ---- */

static void delete_on_close(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_create(c, &h, "f", RW | DELETE, 0, CK_SHARE_ALL, FILE_CREATE,
        FILE_DELETE_ON_CLOSE, NULL));
    CK_OK(c, ck_write(c, h, 0, "abc", 3, NULL));
    CK_OK(c, ck_exists(c, "f"));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void delete_on_close_existing(ck_ctx *c)
{
    nt_handle h, h2;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_create(c, &h, "f", FILE_GENERIC_READ | DELETE, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DELETE_ON_CLOSE, NULL));
    /* Another handle keeps the file until it too is closed. */
    CK_OK(c, ck_open(c, &h2, "f", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_close(c, h2));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_create(c, NULL, "f", FILE_GENERIC_READ | DELETE,
        0, CK_SHARE_ALL, FILE_OPEN, FILE_DELETE_ON_CLOSE, NULL));
}

static void delete_on_close_no_delete_access(ck_ctx *c)
{
    CK_STATUS(c, STATUS_INVALID_PARAMETER, ck_create(c, NULL, "f", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, FILE_DELETE_ON_CLOSE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void delete_on_close_readonly(ck_ctx *c)
{
    CK_OK(c, ck_create(c, NULL, "f", RW, FILE_ATTRIBUTE_READONLY, CK_SHARE_ALL, FILE_CREATE, 0,
        NULL));
    CK_STATUS(c, STATUS_CANNOT_DELETE, ck_create(c, NULL, "f", FILE_READ_ATTRIBUTES | DELETE, 0,
        CK_SHARE_ALL, FILE_OPEN, FILE_DELETE_ON_CLOSE, NULL));
    CK_OK(c, ck_exists(c, "f"));
    CK_STATUS(c, STATUS_CANNOT_DELETE, ck_create(c, NULL, "g", RW | DELETE,
        FILE_ATTRIBUTE_READONLY, CK_SHARE_ALL, FILE_CREATE, FILE_DELETE_ON_CLOSE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "g"));
}

static void delete_on_close_dir(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_create(c, NULL, "d", FILE_LIST_DIRECTORY | DELETE, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d"));
}

static void delete_on_close_nonempty_dir(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "d\\f", "x", 1));
    /* The open succeeds; the deletion quietly does not happen. */
    CK_OK(c, ck_create(c, NULL, "d", FILE_LIST_DIRECTORY | DELETE, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, NULL));
    CK_OK(c, ck_exists(c, "d"));
    CK_OK(c, ck_exists(c, "d\\f"));
}

static void delete_on_close_related(ck_ctx *c)
{
    nt_handle dir, h;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_open(c, &dir, "d", FILE_LIST_DIRECTORY | FILE_TRAVERSE, CK_SHARE_ALL));
    CK_OK(c, ck_create_rel(c, &h, dir, "f", RW | DELETE, 0, 0, FILE_CREATE,
        FILE_DELETE_ON_CLOSE, NULL));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d\\f"));
}

/* ---- attributes and allocation on create ---- */

static void attributes_new(ck_ctx *c)
{
    UINT32 attr;

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_attributes(c, "f", &attr));
    CK_EQ(c, "FileAttributes without ARCHIVE/NORMAL", ck_attr(attr), 0);
    CK_TRUE(c, attr == FILE_ATTRIBUTE_NORMAL || !(attr & FILE_ATTRIBUTE_NORMAL),
        "FILE_ATTRIBUTE_NORMAL only alone");
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_attributes(c, "d", &attr));
    CK_EQ(c, "FileAttributes of a new directory", ck_attr(attr), FILE_ATTRIBUTE_DIRECTORY);
}

static void readonly_new(ck_ctx *c)
{
    nt_handle h;
    UINT32 attr;

    CK_OK(c, ck_create(c, &h, "f", RW, FILE_ATTRIBUTE_READONLY, CK_SHARE_ALL, FILE_CREATE, 0,
        NULL));
    /* The creator's handle may write what it made. */
    CK_OK(c, ck_write(c, h, 0, "abc", 3, NULL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_attributes(c, "f", &attr));
    CK_EQ(c, "FileAttributes", ck_attr(attr), FILE_ATTRIBUTE_READONLY);
}

static void readonly_open_write(ck_ctx *c)
{
    nt_handle h;
    INT64 eof;

    CK_OK(c, ck_create(c, NULL, "f", RW, FILE_ATTRIBUTE_READONLY, CK_SHARE_ALL, FILE_CREATE, 0,
        NULL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_open(c, NULL, "f", FILE_WRITE_DATA, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_open(c, NULL, "f", FILE_APPEND_DATA, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_create(c, NULL, "f", RW, 0, CK_SHARE_ALL,
        FILE_OVERWRITE_IF, 0, NULL));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_size(c, "f", &eof));
    CK_EQ(c, "EndOfFile", eof, 0);
}

static void allocation_size(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION std;

    CK_OK(c, ck_create_sd(c, &h, "f", RW, CK_SHARE_ALL, FILE_CREATE, 0, NULL, 0, 65536, NULL));
    CK_OK(c, ck_standard(c, h, &std));
    CK_EQ(c, "EndOfFile", std.EndOfFile, 0);
    CK_TRUE(c, std.AllocationSize >= std.EndOfFile, "AllocationSize >= EndOfFile");
}

/* ---- the root directory ---- */

static void root_create_denied(ck_ctx *c)
{
    static const UINT32 disps[] = {FILE_CREATE, FILE_OVERWRITE, FILE_OVERWRITE_IF, FILE_SUPERSEDE};

    for (size_t i = 0; i < sizeof disps / sizeof disps[0]; i++)
        CK_STATUS(c, STATUS_ACCESS_DENIED, ck_create(c, NULL, "\\", FILE_READ_ATTRIBUTES, 0,
            CK_SHARE_ALL, disps[i], 0, NULL));
    /* With FILE_DIRECTORY_FILE the I/O manager refuses OVERWRITE/SUPERSEDE before the root is looked at. */
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_create(c, NULL, "\\", FILE_READ_ATTRIBUTES, 0,
        CK_SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE, NULL));
}

static void root_open(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    FILE_STANDARD_INFORMATION std;
    char name[64];

    CK_OK(c, ck_create(c, &h, "\\", FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN_IF,
        FILE_DIRECTORY_FILE, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, FILE_OPENED);
    CK_OK(c, ck_standard(c, h, &std));
    CK_EQ(c, "Directory", std.Directory, 1);
    CK_OK(c, ck_name(c, h, name, sizeof name));
    CK_STR(c, "FileNameInformation of the root", name, "\\");
    CK_STATUS(c, STATUS_FILE_IS_A_DIRECTORY, ck_create(c, NULL, "\\", FILE_READ_ATTRIBUTES, 0,
        CK_SHARE_ALL, FILE_OPEN, FILE_NON_DIRECTORY_FILE, NULL));
}

static void root_delete_on_close(ck_ctx *c)
{
    CK_STATUS(c, STATUS_CANNOT_DELETE, ck_create(c, NULL, "\\", FILE_READ_ATTRIBUTES | DELETE, 0,
        CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, NULL));
    CK_OK(c, ck_exists(c, "\\"));
}

const ck_case ck_cases_create[] = {
    {"create_supersede_new", supersede_new, 0,
        "FILE_SUPERSEDE of a missing file creates it: FILE_CREATED", "create_test"},
    {"create_supersede_existing", supersede_existing, 0,
        "FILE_SUPERSEDE of an existing file replaces it: FILE_SUPERSEDED, size 0", "create_test"},
    {"create_open_missing", open_new, 0,
        "FILE_OPEN of a missing file: STATUS_OBJECT_NAME_NOT_FOUND, nothing created",
        "create_test"},
    {"create_open_existing", open_existing, 0,
        "FILE_OPEN of an existing file: FILE_OPENED, data kept", "create_test"},
    {"create_create_new", create_new, 0,
        "FILE_CREATE of a missing file: FILE_CREATED", "create_test"},
    {"create_create_existing", create_existing, 0,
        "FILE_CREATE of an existing file: STATUS_OBJECT_NAME_COLLISION, file untouched",
        "create_test"},
    {"create_openif_new", openif_new, 0,
        "FILE_OPEN_IF of a missing file: FILE_CREATED", "create_test"},
    {"create_openif_existing", openif_existing, 0,
        "FILE_OPEN_IF of an existing file: FILE_OPENED, data kept", "create_test"},
    {"create_overwrite_missing", overwrite_new, 0,
        "FILE_OVERWRITE of a missing file: STATUS_OBJECT_NAME_NOT_FOUND", "create_test"},
    {"create_overwrite_existing", overwrite_existing, 0,
        "FILE_OVERWRITE of an existing file: FILE_OVERWRITTEN, size 0", "create_test"},
    {"create_overwriteif_new", overwriteif_new, 0,
        "FILE_OVERWRITE_IF of a missing file: FILE_CREATED", "create_test"},
    {"create_overwriteif_existing", overwriteif_existing, 0,
        "FILE_OVERWRITE_IF of an existing file: FILE_OVERWRITTEN, size 0", "create_test"},
    {"create_path_not_found", path_not_found, 0,
        "a missing directory in the path: STATUS_OBJECT_PATH_NOT_FOUND for every disposition",
        "create_test"},
    {"create_path_through_file", path_through_file, 0,
        "a file used as a directory in the path: STATUS_OBJECT_PATH_NOT_FOUND", "create_test"},
    {"create_deep_path", deep_path, 0,
        "files several directories down open and report their full name", "create_test"},
    {"create_dir_new", dir_new, 0,
        "FILE_DIRECTORY_FILE creates a directory: Directory TRUE, FILE_ATTRIBUTE_DIRECTORY",
        "create_test"},
    {"create_dir_existing", dir_existing, 0,
        "creating an existing directory: STATUS_OBJECT_NAME_COLLISION", "create_test"},
    {"create_dir_over_file", dir_over_file, 0,
        "creating a directory where a file exists: STATUS_OBJECT_NAME_COLLISION", "create_test"},
    {"create_file_as_dir", file_as_dir, 0,
        "FILE_DIRECTORY_FILE on a file: STATUS_NOT_A_DIRECTORY", "create_test"},
    {"create_dir_as_file", dir_as_file, 0,
        "FILE_NON_DIRECTORY_FILE on a directory: STATUS_FILE_IS_A_DIRECTORY", "create_test"},
    {"create_dir_plain_open", dir_plain_open, 0,
        "a directory opens without FILE_DIRECTORY_FILE", "create_test"},
    {"create_dir_bad_disposition", dir_bad_disposition, 0,
        "FILE_DIRECTORY_FILE with SUPERSEDE/OVERWRITE(_IF): STATUS_INVALID_PARAMETER",
        "create_test"},
    {"create_dir_and_nondir", dir_and_nondir, 0,
        "FILE_DIRECTORY_FILE with FILE_NON_DIRECTORY_FILE: STATUS_INVALID_PARAMETER",
        "create_test"},
    {"create_dir_temporary", dir_temporary, 0,
        "a new directory with FILE_ATTRIBUTE_TEMPORARY: STATUS_INVALID_PARAMETER",
        "create_fileattr_test"},
    {"create_related", related_create, 0,
        "create and open relative to a directory handle; the name is the full path",
        "create_related_test"},
    {"create_related_subpath", related_subpath, 0,
        "relative opens of deeper paths: found, name not found, path not found",
        "create_related_test"},
    {"create_related_empty_name", related_empty_name, 0,
        "an empty name relative to a directory opens that directory", "create_related_test"},
    {"create_related_absolute", related_absolute, 0,
        "a relative name beginning with a backslash: STATUS_INVALID_PARAMETER",
        "create_related_test"},
    {"create_related_missing", related_missing, 0,
        "a missing name relative to a directory: STATUS_OBJECT_NAME_NOT_FOUND",
        "create_related_test"},
    {"create_name_255", name_255, 0,
        "a 255-character name can be created, opened, listed", "create_namelen_test"},
    {"create_name_256", name_256, 0,
        "a 256-character name: STATUS_OBJECT_NAME_INVALID, nothing created",
        "create_namelen_test"},
    {"create_name_255_unicode", name_255_unicode, 0,
        "255 non-ASCII characters (765 UTF-8 bytes) make a valid name", "create_namelen_test"},
    {"create_name_256_unicode", name_256_unicode, 0,
        "256 non-ASCII characters: STATUS_OBJECT_NAME_INVALID", "create_namelen_test"},
    {"create_invalid_star", invalid_star, 0,
        "'*' in a name: STATUS_OBJECT_NAME_INVALID on create and open", "create_test"},
    {"create_invalid_question", invalid_question, 0,
        "'?' in a name: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_invalid_lt", invalid_lt, 0,
        "'<' in a name: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_invalid_gt", invalid_gt, 0,
        "'>' in a name: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_invalid_pipe", invalid_pipe, 0,
        "'|' in a name: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_invalid_quote", invalid_quote, 0,
        "'\"' in a name: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_invalid_slash", invalid_slash, 0,
        "'/' in a name (not a separator in NT paths): STATUS_OBJECT_NAME_INVALID",
        "create_test"},
    {"create_invalid_control", invalid_control, 0,
        "control characters 0x01-0x1f in a name: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_invalid_colon", invalid_colon, 0,
        "':' on a volume without named streams: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_invalid_in_dir", invalid_wildcard_in_dir, 0,
        "wildcards in a directory or last component: STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_trailing_backslash_file", trailing_backslash_file, 0,
        "creating a file named with a trailing backslash: STATUS_OBJECT_NAME_INVALID",
        "create_test"},
    {"create_trailing_backslash_existing", trailing_backslash_existing_file, 0,
        "opening an existing file with a trailing backslash: STATUS_OBJECT_NAME_INVALID",
        "create_test"},
    {"create_trailing_backslash_dir", trailing_backslash_dir, 0,
        "a directory created and opened with a trailing backslash", "create_test"},
    {"create_double_backslash", double_backslash, 0,
        "an empty path component (two backslashes): STATUS_OBJECT_NAME_INVALID", "create_test"},
    {"create_delete_on_close", delete_on_close, 0,
        "FILE_DELETE_ON_CLOSE: the new file exists while open, is gone after close",
        "create_test"},
    {"create_delete_on_close_existing", delete_on_close_existing, 0,
        "FILE_DELETE_ON_CLOSE on an existing file deletes it when the last handle closes",
        "create_test"},
    {"create_delete_on_close_no_delete", delete_on_close_no_delete_access, 0,
        "FILE_DELETE_ON_CLOSE without DELETE access: STATUS_INVALID_PARAMETER",
        "create_test"},
    {"create_delete_on_close_readonly", delete_on_close_readonly, 0,
        "FILE_DELETE_ON_CLOSE of a read-only file (old or new): STATUS_CANNOT_DELETE",
        "create_fileattr_test"},
    {"create_delete_on_close_dir", delete_on_close_dir, 0,
        "FILE_DELETE_ON_CLOSE removes an empty directory", "create_test"},
    {"create_delete_on_close_nonempty_dir", delete_on_close_nonempty_dir, 0,
        "FILE_DELETE_ON_CLOSE on a non-empty directory opens it and deletes nothing",
        "create_test"},
    {"create_delete_on_close_related", delete_on_close_related, 0,
        "FILE_DELETE_ON_CLOSE on a file created relative to a directory handle",
        "create_related_test"},
    {"create_attributes_new", attributes_new, 0,
        "a new file has no attributes but ARCHIVE/NORMAL; a directory only DIRECTORY",
        "create_fileattr_test"},
    {"create_readonly_new", readonly_new, 0,
        "a file created read-only has FILE_ATTRIBUTE_READONLY; its creator may write",
        "create_fileattr_test"},
    {"create_readonly_open_write", readonly_open_write, 0,
        "write access or overwrite of a read-only file: STATUS_ACCESS_DENIED; read works",
        "create_fileattr_test"},
    {"create_allocation_size", allocation_size, 0,
        "an AllocationSize on create leaves EndOfFile 0", "create_allocation_test"},
    {"create_root_create_denied", root_create_denied, CK_RO_SAFE,
        "FILE_CREATE/OVERWRITE/SUPERSEDE of the root directory: STATUS_ACCESS_DENIED",
        "create_test"},
    {"create_root_open", root_open, CK_RO_SAFE,
        "the root opens (FILE_OPEN_IF gives FILE_OPENED), is named \\, is a directory",
        "create_test"},
    {"create_root_delete_on_close", root_delete_on_close, 0,
        "FILE_DELETE_ON_CLOSE on the root directory: STATUS_CANNOT_DELETE", "create_test"},
    {NULL, NULL, 0, NULL, NULL},
};
