/*
 * check_share.c - share access: which opens of a file already open are
 * refused with STATUS_SHARING_VIOLATION.
 *
 * The rule (IoCheckShareAccess): only opens asking for read (FILE_READ_DATA,
 * FILE_EXECUTE), write (FILE_WRITE_DATA, FILE_APPEND_DATA) or DELETE take
 * part. A new open is refused if it asks for an access some earlier open
 * did not share, or does not share an access some earlier open has.
 * Overwriting counts as writing.
 */
#include <stdio.h>

#include "check/ck.h"

#define R FILE_READ_DATA
#define W FILE_WRITE_DATA
#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)

static void first_second(ck_ctx *c, ACCESS_MASK a1, UINT32 s1, ACCESS_MASK a2, UINT32 s2,
    NTSTATUS expected)
{
    nt_handle h1;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h1, "f", a1, s1));
    CK_STATUS(c, expected, ck_open(c, NULL, "f", a2, s2));
}

static void read_read(ck_ctx *c)
{
    first_second(c, FILE_GENERIC_READ, FILE_SHARE_READ, FILE_GENERIC_READ, FILE_SHARE_READ,
        STATUS_SUCCESS);
}

static void read_unshared(ck_ctx *c)
{
    first_second(c, FILE_GENERIC_READ, 0, FILE_GENERIC_READ, CK_SHARE_ALL,
        STATUS_SHARING_VIOLATION);
}

static void write_unshared(ck_ctx *c)
{
    first_second(c, RW, FILE_SHARE_READ, RW, FILE_SHARE_READ | FILE_SHARE_WRITE,
        STATUS_SHARING_VIOLATION);
}

static void must_share_existing(ck_ctx *c)
{
    /* The first open writes; the second will not share writing with it. */
    first_second(c, RW, FILE_SHARE_READ | FILE_SHARE_WRITE, RW, FILE_SHARE_READ,
        STATUS_SHARING_VIOLATION);
}

static void delete_unshared(ck_ctx *c)
{
    nt_handle h1;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h1, "f", FILE_GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_open(c, NULL, "f", DELETE, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_delete(c, "f"));
    CK_OK(c, ck_close(c, h1));
    CK_OK(c, ck_open(c, &h1, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, NULL, "f", DELETE, CK_SHARE_ALL));
}

static void attributes_only(ck_ctx *c)
{
    nt_handle h1;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h1, "f", RW | DELETE, 0));
    CK_OK(c, ck_open(c, NULL, "f", FILE_READ_ATTRIBUTES, 0));
    CK_OK(c, ck_open(c, NULL, "f", FILE_WRITE_ATTRIBUTES | READ_CONTROL, 0));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_open(c, NULL, "f", FILE_READ_DATA, CK_SHARE_ALL));
}

static void overwrite_is_write(ck_ctx *c)
{
    nt_handle h1;
    INT64 eof;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h1, "f", FILE_GENERIC_READ, FILE_SHARE_READ));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_create(c, NULL, "f", FILE_GENERIC_READ, 0,
        FILE_SHARE_READ, FILE_OVERWRITE_IF, 0, NULL));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_create(c, NULL, "f", FILE_GENERIC_READ, 0,
        FILE_SHARE_READ, FILE_OVERWRITE, 0, NULL));
    CK_OK(c, ck_size(c, "f", &eof));
    CK_EQ(c, "EndOfFile after the refused overwrite", eof, 4);
}

static void released_on_close(ck_ctx *c)
{
    nt_handle h1;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h1, "f", RW, 0));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_open(c, NULL, "f", FILE_GENERIC_READ,
        CK_SHARE_ALL));
    CK_OK(c, ck_close(c, h1));
    CK_OK(c, ck_open(c, NULL, "f", FILE_GENERIC_READ, 0));
}

static void last_holder(ck_ctx *c)
{
    nt_handle h1, h2;
    UINT32 rw = FILE_SHARE_READ | FILE_SHARE_WRITE;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h1, "f", RW, rw));
    CK_OK(c, ck_open(c, &h2, "f", RW, rw));
    CK_OK(c, ck_close(c, h1));
    /* h2 still writes: an open that will not share writing stays refused. */
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_open(c, NULL, "f", FILE_GENERIC_READ,
        FILE_SHARE_READ));
    CK_OK(c, ck_close(c, h2));
    CK_OK(c, ck_open(c, NULL, "f", FILE_GENERIC_READ, FILE_SHARE_READ));
}

static void execute_is_read(ck_ctx *c)
{
    nt_handle h1;

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    CK_OK(c, ck_open(c, &h1, "f", FILE_EXECUTE, 0));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_open(c, NULL, "f", FILE_READ_DATA, CK_SHARE_ALL));
    CK_OK(c, ck_close(c, h1));
    CK_OK(c, ck_open(c, &h1, "f", FILE_READ_DATA, FILE_SHARE_WRITE));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_open(c, NULL, "f", FILE_EXECUTE, CK_SHARE_ALL));
}

static void append_is_write(ck_ctx *c)
{
    first_second(c, FILE_APPEND_DATA, FILE_SHARE_READ, FILE_WRITE_DATA,
        FILE_SHARE_READ | FILE_SHARE_WRITE, STATUS_SHARING_VIOLATION);
}

static void directories(ck_ctx *c)
{
    nt_handle h1;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_create(c, &h1, "d", FILE_LIST_DIRECTORY, 0, 0, FILE_OPEN, FILE_DIRECTORY_FILE,
        NULL));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_create(c, NULL, "d", FILE_LIST_DIRECTORY, 0,
        CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE, NULL));
    CK_OK(c, ck_create(c, NULL, "d", FILE_READ_ATTRIBUTES, 0, 0, FILE_OPEN, FILE_DIRECTORY_FILE,
        NULL));
    /* Sharing is per file: a child opens whatever its parent's handles share. */
    CK_OK(c, ck_mkfile(c, "d\\f", NULL, 0));
}

/* The expected result of a second open, by the rule above. */
static bool compatible(ACCESS_MASK a1, UINT32 s1, ACCESS_MASK a2, UINT32 s2)
{
    bool r1 = a1 & (FILE_READ_DATA | FILE_EXECUTE), w1 = a1 & (FILE_WRITE_DATA | FILE_APPEND_DATA);
    bool d1 = a1 & DELETE;
    bool r2 = a2 & (FILE_READ_DATA | FILE_EXECUTE), w2 = a2 & (FILE_WRITE_DATA | FILE_APPEND_DATA);
    bool d2 = a2 & DELETE;

    if (!(r1 || w1 || d1) || !(r2 || w2 || d2))
        return true;
    if ((r2 && !(s1 & FILE_SHARE_READ)) || (w2 && !(s1 & FILE_SHARE_WRITE)) ||
        (d2 && !(s1 & FILE_SHARE_DELETE)))
        return false;
    if ((r1 && !(s2 & FILE_SHARE_READ)) || (w1 && !(s2 & FILE_SHARE_WRITE)) ||
        (d1 && !(s2 & FILE_SHARE_DELETE)))
        return false;
    return true;
}

static const char *access_name(ACCESS_MASK a)
{
    switch (a) {
    case FILE_READ_DATA: return "R";
    case FILE_WRITE_DATA: return "W";
    case DELETE: return "D";
    case FILE_READ_DATA | FILE_WRITE_DATA: return "RW";
    case FILE_READ_DATA | FILE_WRITE_DATA | DELETE: return "RWD";
    case FILE_APPEND_DATA: return "A";
    default: return "attributes";
    }
}

static void matrix(ck_ctx *c)
{
    static const ACCESS_MASK accesses[] = {FILE_READ_DATA, FILE_WRITE_DATA, DELETE,
        FILE_READ_DATA | FILE_WRITE_DATA, FILE_READ_DATA | FILE_WRITE_DATA | DELETE,
        FILE_APPEND_DATA, FILE_READ_ATTRIBUTES};
    const size_t n = sizeof accesses / sizeof accesses[0];

    CK_OK(c, ck_mkfile(c, "f", "data", 4));
    for (size_t i = 0; i < n; i++)
        for (UINT32 s1 = 0; s1 < 8; s1++)
            for (size_t j = 0; j < n; j++)
                for (UINT32 s2 = 0; s2 < 8; s2++) {
                    nt_handle h1, h2;
                    NTSTATUS want = compatible(accesses[i], s1, accesses[j], s2) ?
                        STATUS_SUCCESS : STATUS_SHARING_VIOLATION;
                    NTSTATUS got;

                    CK_OK(c, ck_open(c, &h1, "f", accesses[i], s1));
                    got = ck_open(c, &h2, "f", accesses[j], s2);
                    if (got != want) {
                        ck_failf(c, __FILE__, __LINE__,
                            "expected %s got %s (open 1: %s sharing %u, open 2: %s sharing %u; "
                            "sharing bits 1 read, 2 write, 4 delete)",
                            ck_status(want), ck_status(got), access_name(accesses[i]), s1,
                            access_name(accesses[j]), s2);
                        return;
                    }
                    if (NT_SUCCESS(got))
                        CK_OK(c, ck_close(c, h2));
                    CK_OK(c, ck_close(c, h1));
                }
}

const ck_case ck_cases_share[] = {
    {"share_read_read", read_read, 0,
        "two readers sharing read both open", "create_share_test"},
    {"share_read_unshared", read_unshared, 0,
        "an open not sharing read refuses a second reader: STATUS_SHARING_VIOLATION",
        "create_share_test"},
    {"share_write_unshared", write_unshared, 0,
        "an open not sharing write refuses a second writer", "create_share_test"},
    {"share_must_share_existing", must_share_existing, 0,
        "a new open must share the access earlier opens have (write)", "create_share_test"},
    {"share_delete_unshared", delete_unshared, 0,
        "DELETE (and so DeleteFile) is refused unless every open shares delete",
        "create_share_test"},
    {"share_attributes_only", attributes_only, 0,
        "opens for attributes or READ_CONTROL only ignore sharing", "rename_open_test"},
    {"share_overwrite_is_write", overwrite_is_write, 0,
        "FILE_OVERWRITE(_IF) needs write sharing even without write access; file kept",
        "create_share_test"},
    {"share_released_on_close", released_on_close, 0,
        "closing the refusing handle lets the next open in", "create_share_test"},
    {"share_last_holder", last_holder, 0,
        "sharing is checked against every open still there, not the first",
        "create_share_test"},
    {"share_execute_is_read", execute_is_read, 0,
        "FILE_EXECUTE counts as read access for sharing", "create_share_test"},
    {"share_append_is_write", append_is_write, 0,
        "FILE_APPEND_DATA counts as write access for sharing", "create_share_test"},
    {"share_directories", directories, 0,
        "directories share like files; a child is not affected", "create_share_test"},
    {"share_matrix", matrix, 0,
        "every pair of (R, W, D, RW, RWD, A, attributes) x 8 sharings gives IoCheckShareAccess' answer",
        "create_share_test"},
    {NULL, NULL, 0, NULL, NULL},
};
