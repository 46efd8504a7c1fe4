/*
 * check_delete.c - deleting: FileDispositionInformation(Ex), delete-pending
 * files, read-only files, non-empty directories, POSIX semantics.
 *
 * DeleteFile and RemoveDirectory are an open for DELETE and a disposition;
 * ERROR_ACCESS_DENIED there is STATUS_CANNOT_DELETE from the disposition of
 * a read-only file, or STATUS_DELETE_PENDING from an open of a file whose
 * deletion is pending.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)

static void file(ck_ctx *c)
{
    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_delete(c, "f"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_delete(c, "f"));
}

static void dir_empty(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_delete(c, "d"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_delete(c, "d"));
}

static void dir_not_empty(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "d\\f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "d", DELETE | FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_DIRECTORY_NOT_EMPTY, ck_set_delete(c, h, true));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "DeletePending after the refusal", s.DeletePending, 0);
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "d\\f"));
    CK_OK(c, ck_delete(c, "d\\f"));
    CK_OK(c, ck_delete(c, "d"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "d"));
}

static void dir_child_pending(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "d\\f", NULL, 0));
    /* The child's deletion is pending while it stays open: the directory is not empty yet. */
    CK_OK(c, ck_open(c, &h, "d\\f", FILE_READ_ATTRIBUTES | DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete(c, h, true));
    CK_STATUS(c, STATUS_DIRECTORY_NOT_EMPTY, ck_delete(c, "d"));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_delete(c, "d"));
}

static void pending_open(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", DELETE, FILE_SHARE_DELETE));
    CK_OK(c, ck_set_delete(c, h, true));
    CK_STATUS(c, STATUS_DELETE_PENDING, ck_open(c, NULL, "f", FILE_READ_ATTRIBUTES, 0));
    CK_STATUS(c, STATUS_DELETE_PENDING, ck_open(c, NULL, "f", FILE_READ_ATTRIBUTES,
        CK_SHARE_ALL));
    CK_STATUS(c, STATUS_DELETE_PENDING, ck_create(c, NULL, "f", RW, 0, CK_SHARE_ALL,
        FILE_OPEN_IF, 0, NULL));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_delete(c, "f"));
}

static void pending_standard(ck_ctx *c)
{
    nt_handle h, h2;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", DELETE | FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h2, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete(c, h, true));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "DeletePending", s.DeletePending, 1);
    CK_OK(c, ck_standard(c, h2, &s));
    CK_EQ(c, "DeletePending seen by another handle", s.DeletePending, 1);
    /* The file lives until its last handle goes, and can still be read. */
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_read(c, h2, 0, &s, 3, NULL));
    CK_STATUS(c, STATUS_DELETE_PENDING, ck_exists(c, "f"));
    CK_OK(c, ck_close(c, h2));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void undo(ck_ctx *c)
{
    nt_handle h;
    FILE_STANDARD_INFORMATION s;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", DELETE | FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete(c, h, true));
    CK_OK(c, ck_set_delete(c, h, false));
    CK_OK(c, ck_standard(c, h, &s));
    CK_EQ(c, "DeletePending", s.DeletePending, 0);
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "f"));
}

static void delete_on_close_undo(ck_ctx *c)
{
    nt_handle h;

    /* Clearing the disposition does not cancel FILE_DELETE_ON_CLOSE: cleanup sets it again. */
    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_create(c, &h, "f", DELETE | FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DELETE_ON_CLOSE, NULL));
    CK_OK(c, ck_set_delete(c, h, false));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void last_handle(ck_ctx *c)
{
    nt_handle h1;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h1, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_delete(c, "f"));
    /* Deleted when the last handle closes, not before. */
    CK_STATUS(c, STATUS_DELETE_PENDING, ck_exists(c, "f"));
    CK_OK(c, ck_close(c, h1));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void readonly_file(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_create(c, NULL, "f", RW, FILE_ATTRIBUTE_READONLY, CK_SHARE_ALL, FILE_CREATE, 0,
        NULL));
    CK_STATUS(c, STATUS_CANNOT_DELETE, ck_delete(c, "f"));
    CK_OK(c, ck_exists(c, "f"));
    CK_OK(c, ck_open(c, &h, "f", FILE_WRITE_ATTRIBUTES | DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_set_basic(c, h, 0, 0, 0, 0, FILE_ATTRIBUTE_NORMAL));
    CK_OK(c, ck_set_delete(c, h, true));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void no_delete_access(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", RW, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_ACCESS_DENIED, ck_set_delete(c, h, true));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "f"));
}

static void root(ck_ctx *c)
{
    nt_handle h;

    CK_OK(c, ck_create(c, &h, "\\", DELETE | FILE_READ_ATTRIBUTES, 0, CK_SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE, NULL));
    CK_STATUS(c, STATUS_CANNOT_DELETE, ck_set_delete(c, h, true));
}

static void recreate_after(ck_ctx *c)
{
    UINT8 buf[8];
    size_t len;

    CK_OK(c, ck_mkfile(c, "f", "old", 3));
    CK_OK(c, ck_delete(c, "f"));
    CK_OK(c, ck_mkfile(c, "f", "new!", 4));
    CK_OK(c, ck_read_file(c, "f", buf, sizeof buf, &len));
    CK_EQ(c, "size of the new file", len, 4);
    CK_DATA(c, "content of the new file", buf, "new!", 4);
}

/* ---- FileDispositionInformationEx ---- */

static void ex_delete(ck_ctx *c)
{
    nt_handle h;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h, "f", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete_ex(c, h, FILE_DISPOSITION_DELETE));
    CK_STATUS(c, STATUS_DELETE_PENDING, ck_exists(c, "f"));
    CK_OK(c, ck_set_delete_ex(c, h, FILE_DISPOSITION_DO_NOT_DELETE));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_exists(c, "f"));
    CK_OK(c, ck_open(c, &h, "f", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete_ex(c, h, FILE_DISPOSITION_DELETE));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void posix(ck_ctx *c)
{
    nt_handle h0, h1, h2;
    FILE_STANDARD_INFORMATION s;
    UINT8 buf[4];
    ck_list l;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h0, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h1, "f", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete_ex(c, h1, FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS));
    CK_OK(c, ck_close(c, h1));
    /* The name is gone as soon as the deleting handle is, while h0 lives on. */
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..");
    CK_OK(c, ck_read(c, h0, 0, buf, 3, NULL));
    CK_DATA(c, "data through the remaining handle", buf, "abc", 3);
    CK_OK(c, ck_standard(c, h0, &s));
    CK_EQ(c, "EndOfFile through the remaining handle", s.EndOfFile, 3);
    /* The name can be used again at once. */
    CK_OK(c, ck_create(c, &h2, "f", RW, 0, CK_SHARE_ALL, FILE_CREATE, 0, NULL));
    CK_OK(c, ck_write(c, h2, 0, "new", 3, NULL));
    CK_OK(c, ck_close(c, h2));
    CK_OK(c, ck_read(c, h0, 0, buf, 3, NULL));
    CK_DATA(c, "the old file, not the new one", buf, "abc", 3);
    CK_OK(c, ck_close(c, h0));
    CK_OK(c, ck_exists(c, "f"));
}

static void posix_deleted_handle(ck_ctx *c)
{
    nt_handle h0, h1;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h0, "f", RW | DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h1, "f", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete_ex(c, h1, FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS));
    CK_OK(c, ck_close(c, h1));
    CK_STATUS(c, STATUS_FILE_DELETED, ck_set_delete_ex(c, h0, FILE_DISPOSITION_DO_NOT_DELETE));
    CK_STATUS(c, STATUS_FILE_DELETED, ck_set_delete_ex(c, h0, FILE_DISPOSITION_DELETE));
}

static void posix_readonly(ck_ctx *c)
{
    nt_handle h;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_create(c, NULL, "f", RW, FILE_ATTRIBUTE_READONLY, CK_SHARE_ALL, FILE_CREATE, 0,
        NULL));
    CK_OK(c, ck_open(c, &h, "f", DELETE, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_CANNOT_DELETE, ck_set_delete_ex(c, h,
        FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS));
    CK_OK(c, ck_set_delete_ex(c, h, FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS |
        FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE));
    CK_OK(c, ck_close(c, h));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "f"));
}

static void posix_undo(ck_ctx *c)
{
    nt_handle h0, h1;

    CK_NEED(c, c->posix_semantics, "no FILE_SUPPORTS_POSIX_UNLINK_RENAME");
    CK_OK(c, ck_mkfile(c, "f", "abc", 3));
    CK_OK(c, ck_open(c, &h0, "f", RW, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h1, "f", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_set_delete_ex(c, h1, FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS));
    CK_OK(c, ck_set_delete_ex(c, h1, FILE_DISPOSITION_DO_NOT_DELETE));
    CK_OK(c, ck_close(c, h1));
    CK_OK(c, ck_exists(c, "f"));
    CK_OK(c, ck_close(c, h0));
    CK_OK(c, ck_exists(c, "f"));
}

const ck_case ck_cases_delete[] = {
    {"delete_file", file, 0,
        "DeleteFile removes a file; again: STATUS_OBJECT_NAME_NOT_FOUND", "delete_test"},
    {"delete_dir_empty", dir_empty, 0,
        "RemoveDirectory removes an empty directory", "delete_test"},
    {"delete_dir_not_empty", dir_not_empty, 0,
        "the disposition of a non-empty directory: STATUS_DIRECTORY_NOT_EMPTY, nothing pending",
        "delete_test"},
    {"delete_dir_child_pending", dir_child_pending, 0,
        "a directory whose child is still delete-pending is not empty", "delete_test"},
    {"delete_pending_open", pending_open, 0,
        "opening a delete-pending file: STATUS_DELETE_PENDING; gone after the last close",
        "delete_pending_test"},
    {"delete_pending_standard", pending_standard, 0,
        "DeletePending is TRUE for every handle; the file lives until the last handle",
        "delete_pending_test"},
    {"delete_undo", undo, 0,
        "a disposition set and cleared again deletes nothing", "delete_test"},
    {"delete_on_close_undo", delete_on_close_undo, 0,
        "clearing the disposition does not cancel FILE_DELETE_ON_CLOSE", "create_test"},
    {"delete_last_handle", last_handle, 0,
        "a file deleted while open elsewhere goes when the last handle closes",
        "delete_pending_test"},
    {"delete_readonly", readonly_file, 0,
        "the disposition of a read-only file: STATUS_CANNOT_DELETE; fine once cleared",
        "delete_access_test"},
    {"delete_no_delete_access", no_delete_access, 0,
        "a disposition through a handle without DELETE access: STATUS_ACCESS_DENIED",
        "delete_access_test"},
    {"delete_root", root, 0,
        "the disposition of the root directory: STATUS_CANNOT_DELETE", "delete_test"},
    {"delete_recreate", recreate_after, 0,
        "a name deleted can be created again, as a new file", "delete_test"},
    {"delete_ex", ex_delete, 0,
        "FileDispositionInformationEx DELETE and DO_NOT_DELETE act as the classic disposition",
        "delete_ex_test"},
    {"delete_posix", posix, 0,
        "POSIX_SEMANTICS: the name goes with the deleting handle while others remain usable",
        "delete_ex_test"},
    {"delete_posix_deleted_handle", posix_deleted_handle, 0,
        "after a POSIX delete other handles' dispositions: STATUS_FILE_DELETED",
        "delete_ex_test"},
    {"delete_posix_readonly", posix_readonly, 0,
        "POSIX delete of a read-only file: STATUS_CANNOT_DELETE unless IGNORE_READONLY_ATTRIBUTE",
        "delete_ex_test"},
    {"delete_posix_undo", posix_undo, 0,
        "a POSIX disposition cleared before close deletes nothing", "delete_ex_test"},
    {NULL, NULL, 0, NULL, NULL},
};
