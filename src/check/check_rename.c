/*
 * check_rename.c - FileRenameInformation(Ex): MoveFileEx at the NT level.
 *
 * MoveFileEx opens the source for DELETE and sets FileRenameInformation
 * with the full target name; MOVEFILE_REPLACE_EXISTING is ReplaceIfExists.
 * ERROR_ALREADY_EXISTS is STATUS_OBJECT_NAME_COLLISION; ERROR_ACCESS_DENIED
 * for a directory target or an open one is STATUS_ACCESS_DENIED.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)

/* MoveFileEx(from, to, replace): open for DELETE, rename to the full path, close. */
static NTSTATUS move(ck_ctx *c, const char *from, const char *to, bool replace)
{
    nt_handle h;
    char target[CK_PATH_MAX];
    NTSTATUS status = ck_open(c, &h, from, DELETE, CK_SHARE_ALL);

    if (!NT_SUCCESS(status))
        return status;
    snprintf(target, sizeof target, "%s", ck_path(c, to));
    status = ck_rename(c, h, 0, target, false, replace);
    ck_close(c, h);
    return status;
}

static void file(ck_ctx *c)
{
    UINT8 buf[16];
    size_t len;

    CK_OK(c, ck_mkfile(c, "a", "content", 7));
    CK_OK(c, move(c, "a", "b", false));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "a"));
    CK_OK(c, ck_read_file(c, "b", buf, sizeof buf, &len));
    CK_EQ(c, "size after rename", len, 7);
    CK_DATA(c, "content after rename", buf, "content", 7);
}

static void simple_name(ck_ctx *c)
{
    nt_handle h;

    /* A target without a backslash names a file in the source's directory. */
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "d\\a", "x", 1));
    CK_OK(c, ck_open(c, &h, "d\\a", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_rename(c, h, 0, "b", false, 0));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "d\\b"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d\\a"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "b"));
}

static void no_replace(ck_ctx *c)
{
    UINT8 buf[16];
    size_t len;

    CK_OK(c, ck_mkfile(c, "a", "aaaa", 4));
    CK_OK(c, ck_mkfile(c, "b", "bb", 2));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, move(c, "a", "b", false));
    CK_OK(c, ck_read_file(c, "a", buf, sizeof buf, &len));
    CK_EQ(c, "size of the source", len, 4);
    CK_OK(c, ck_read_file(c, "b", buf, sizeof buf, &len));
    CK_EQ(c, "size of the target", len, 2);
}

static void replace(ck_ctx *c)
{
    UINT8 buf[16];
    size_t len;

    CK_OK(c, ck_mkfile(c, "a", "aaaa", 4));
    CK_OK(c, ck_mkfile(c, "b", "bb", 2));
    CK_OK(c, move(c, "a", "b", true));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "a"));
    CK_OK(c, ck_read_file(c, "b", buf, sizeof buf, &len));
    CK_EQ(c, "size of the replaced target", len, 4);
    CK_DATA(c, "content of the replaced target", buf, "aaaa", 4);
}

static void across_dirs(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d1"));
    CK_OK(c, ck_mkdir(c, "d2"));
    CK_OK(c, ck_mkfile(c, "d1\\f", "x", 1));
    CK_OK(c, move(c, "d1\\f", "d2\\g", false));
    CK_OK(c, ck_exists(c, "d2\\g"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d1\\f"));
}

static void dir(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d1"));
    CK_OK(c, ck_mkdir(c, "d1\\sub"));
    CK_OK(c, ck_mkfile(c, "d1\\sub\\f", "x", 1));
    CK_OK(c, move(c, "d1", "d2", false));
    CK_OK(c, ck_exists(c, "d2\\sub\\f"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d1"));
    CK_OK(c, move(c, "d2", "d1", false));
    CK_OK(c, ck_exists(c, "d1\\sub\\f"));
}

static void dir_over_dir(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d1"));
    CK_OK(c, ck_mkdir(c, "d2"));
    CK_STATUS(c, STATUS_ACCESS_DENIED, move(c, "d2", "d1", true));
    CK_OK(c, ck_exists(c, "d1"));
    CK_OK(c, ck_exists(c, "d2"));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, move(c, "d2", "d1", false));
}

static void file_over_dir(ck_ctx *c)
{
    UINT32 attr;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "f", "x", 1));
    CK_STATUS(c, STATUS_ACCESS_DENIED, move(c, "f", "d", true));
    CK_OK(c, ck_attributes(c, "d", &attr));
    CK_TRUE(c, attr & FILE_ATTRIBUTE_DIRECTORY, "the directory untouched");
    CK_OK(c, ck_exists(c, "f"));
}

static void dir_open_child(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkdir(c, "d1"));
    CK_OK(c, ck_mkfile(c, "d1\\f", "x", 1));
    CK_OK(c, ck_open(c, &h, "d1\\f", RW, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, move(c, "d1", "d2", false));
    CK_OK(c, ck_exists(c, "d1\\f"));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, move(c, "d1", "d2", false));
}

static void open_target(ck_ctx *c)
{
    nt_handle t;

    CK_OK(c, ck_mkfile(c, "a", "aaaa", 4));
    CK_OK(c, ck_mkfile(c, "b", "bb", 2));
    CK_OK(c, ck_open(c, &t, "b", RW, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, move(c, "a", "b", true));
    CK_OK(c, ck_exists(c, "a"));
    CK_OK(c, ck_close(c, t));
    CK_OK(c, move(c, "a", "b", true));
}

static void open_source_elsewhere(ck_ctx *c)
{
    nt_handle h0, h1;
    INT64 index;

    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_OK(c, ck_open(c, &h0, "a", DELETE, 0));
    /* An open for attributes only does not stand in the way. */
    CK_OK(c, ck_open(c, &h1, "a", FILE_READ_ATTRIBUTES, 0));
    CK_OK(c, ck_rename(c, h0, 0, ck_path(c, "b"), false, 0));
    CK_OK(c, ck_open(c, NULL, "b", FILE_READ_ATTRIBUTES, 0));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "a"));
    CK_OK(c, ck_index(c, h1, &index));
}

static void handle_name(ck_ctx *c)
{
    nt_handle h;
    char name[512];

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_OK(c, ck_open(c, &h, "a", DELETE | FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_rename(c, h, 0, ck_path(c, "d\\b"), false, 0));
    CK_OK(c, ck_name(c, h, name, sizeof name));
    CK_STR(c, "FileNameInformation after rename", name, ck_path(c, "d\\b"));
}

static void case_only(ck_ctx *c)
{
    ck_list l;

    CK_OK(c, ck_mkfile(c, "file1", NULL, 0));
    CK_OK(c, ck_mkdir(c, "dir1"));
    CK_OK(c, move(c, "file1", "FILE1", false));
    CK_OK(c, move(c, "dir1", "DIR1", false));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "FILE1", "DIR1");
}

static void self(ck_ctx *c)
{
    ck_list l;

    CK_OK(c, ck_mkfile(c, "f", "x", 1));
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, move(c, "f", "f", false));
    CK_OK(c, move(c, "d", "d", false));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "f", "d");
}

static void target_path_missing(ck_ctx *c)
{
    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, move(c, "a", "nodir\\b", false));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, move(c, "a", "nodir\\b", true));
    CK_OK(c, ck_exists(c, "a"));
}

static void no_delete_access(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_OK(c, ck_open(c, &h, "a", RW, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_rename(c, h, 0, ck_path(c, "b"), false, 0));
    CK_OK(c, ck_exists(c, "a"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "b"));
}

static void invalid_target(ck_ctx *c)
{
    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, move(c, "a", "b*c", false));
    CK_STATUS(c, STATUS_OBJECT_NAME_INVALID, move(c, "a", "b?c", false));
    CK_OK(c, ck_exists(c, "a"));
}

static void relative_root(ck_ctx *c)
{
    nt_handle d, h;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_OK(c, ck_open(c, &d, "d", FILE_LIST_DIRECTORY | FILE_TRAVERSE | FILE_ADD_FILE,
        CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h, "a", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_rename(c, h, d, "b", false, 0));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "d\\b"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "a"));
}

static void ex_posix_open_target(ck_ctx *c)
{
    nt_handle t, h;
    UINT8 buf[8];
    size_t len;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_mkfile(c, "a", "aaaa", 4));
    CK_OK(c, ck_mkfile(c, "b", "bb", 2));
    /* Without POSIX semantics an open target refuses; with them, an open for attributes does not. */
    CK_OK(c, ck_open(c, &t, "b", FILE_READ_ATTRIBUTES, 0));
    CK_OK(c, ck_open(c, &h, "a", DELETE, 0));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_rename(c, h, 0, ck_path(c, "b"), true,
        FILE_RENAME_REPLACE_IF_EXISTS));
    CK_OK(c, ck_rename(c, h, 0, ck_path(c, "b"), true,
        FILE_RENAME_REPLACE_IF_EXISTS | FILE_RENAME_POSIX_SEMANTICS));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read_file(c, "b", buf, sizeof buf, &len));
    CK_EQ(c, "size of the replaced target", len, 4);
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "a"));
}

static void ex_posix_sharing(ck_ctx *c)
{
    nt_handle t, h;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_mkfile(c, "a", "aaaa", 4));
    CK_OK(c, ck_mkfile(c, "b", "bb", 2));
    CK_OK(c, ck_open(c, &t, "b", RW, 0));
    CK_OK(c, ck_open(c, &h, "a", DELETE, 0));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_rename(c, h, 0, ck_path(c, "b"), true,
        FILE_RENAME_REPLACE_IF_EXISTS | FILE_RENAME_POSIX_SEMANTICS));
    CK_OK(c, ck_exists(c, "a"));
}

static void ex_plain(ck_ctx *c)
{
    nt_handle h;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_mkfile(c, "a", "aaaa", 4));
    CK_OK(c, ck_mkfile(c, "b", "bb", 2));
    CK_OK(c, ck_open(c, &h, "a", DELETE, 0));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, ck_rename(c, h, 0, ck_path(c, "b"), true, 0));
    CK_OK(c, ck_rename(c, h, 0, ck_path(c, "c"), true, 0));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "c"));
}

const ck_case ck_cases_rename[] = {
    {"rename_file", file, 0,
        "a file renamed: old name gone, new name has the data", "rename_test"},
    {"rename_simple_name", simple_name, 0,
        "a target name without a path renames within the source's directory", "rename_test"},
    {"rename_no_replace", no_replace, 0,
        "onto an existing file without ReplaceIfExists: STATUS_OBJECT_NAME_COLLISION",
        "rename_test"},
    {"rename_replace", replace, 0,
        "onto an existing file with ReplaceIfExists: the target is replaced", "rename_test"},
    {"rename_across_dirs", across_dirs, 0,
        "a file moved to another directory under another name", "rename_test"},
    {"rename_dir", dir, 0,
        "a directory renamed and back, its content with it", "rename_test"},
    {"rename_dir_over_dir", dir_over_dir, 0,
        "onto an existing directory, even with ReplaceIfExists: STATUS_ACCESS_DENIED",
        "rename_test"},
    {"rename_file_over_dir", file_over_dir, 0,
        "a file onto an existing directory with ReplaceIfExists: STATUS_ACCESS_DENIED",
        "rename_test"},
    {"rename_dir_open_child", dir_open_child, 0,
        "a directory with an open file below it: STATUS_ACCESS_DENIED", "rename_test"},
    {"rename_open_target", open_target, 0,
        "replacing a target that is open: STATUS_ACCESS_DENIED", "rename_ex_test"},
    {"rename_open_source_elsewhere", open_source_elsewhere, 0,
        "other opens of the source for attributes only do not prevent a rename",
        "rename_open_test"},
    {"rename_handle_name", handle_name, 0,
        "the renamed handle's FileNameInformation is the new name", "rename_test"},
    {"rename_case_only", case_only, 0,
        "renaming to the same name in another case changes the stored case",
        "rename_caseins_test"},
    {"rename_self", self, 0,
        "renaming a file or directory to its own name succeeds and changes nothing",
        "rename_caseins_test"},
    {"rename_target_path_missing", target_path_missing, 0,
        "into a directory that does not exist: STATUS_OBJECT_PATH_NOT_FOUND", "rename_test"},
    {"rename_no_delete_access", no_delete_access, 0,
        "renaming through a handle without DELETE access: STATUS_ACCESS_DENIED",
        "rename_test"},
    {"rename_invalid_target", invalid_target, 0,
        "a target name with wildcards: STATUS_OBJECT_NAME_INVALID", "rename_test"},
    {"rename_relative_root", relative_root, 0,
        "a target relative to a RootDirectory handle", "rename_test"},
    {"rename_ex_plain", ex_plain, 0,
        "FileRenameInformationEx without flags: collision refused, plain rename works",
        "rename_ex_test"},
    {"rename_ex_posix_open_target", ex_posix_open_target, 0,
        "POSIX_SEMANTICS replaces a target open for attributes (refused without them)",
        "rename_ex_test"},
    {"rename_ex_posix_sharing", ex_posix_sharing, 0,
        "POSIX_SEMANTICS onto a target open without delete sharing: STATUS_SHARING_VIOLATION",
        "rename_ex_test"},
    {NULL, NULL, 0, NULL, NULL},
};
