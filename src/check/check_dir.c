/*
 * check_dir.c - NtQueryDirectoryFile: patterns (with the DOS wildcards
 * FindFirstFile produces: '<' DOS_STAR, '>' DOS_QM, '"' DOS_DOT), resuming
 * across calls with small buffers, restart, single entries, large
 * directories, the end statuses and each information class's fields.
 *
 * FindFirstFile's ERROR_FILE_NOT_FOUND is STATUS_NO_SUCH_FILE (nothing
 * matched on the first call); FindNextFile's ERROR_NO_MORE_FILES is
 * STATUS_NO_MORE_FILES.
 */
#include <stdio.h>

#include "check/ck.h"

#define LIST_ACCESS (FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES)

static NTSTATUS open_dir(ck_ctx *c, nt_handle *h, const char *rel)
{
    return ck_create(c, h, rel, LIST_ACCESS, 0, CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE,
        NULL);
}

static NTSTATUS query(ck_ctx *c, nt_handle h, void *buf, UINT32 len, UINT32 cls, bool single,
    const char *pattern, bool restart, nt_io_status *io)
{
    memset(io, 0, sizeof *io);
    return nt_query_directory_file(c->vol, h, io, buf, len, cls, single, pattern, restart);
}

/* a, b, c (files of 1, 2, 3 bytes) and sub (a directory). */
static void populate(ck_ctx *c)
{
    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_mkfile(c, "d\\a", "1", 1));
    CK_OK(c, ck_mkfile(c, "d\\b", "22", 2));
    CK_OK(c, ck_mkfile(c, "d\\c", "333", 3));
    CK_OK(c, ck_mkdir(c, "d\\sub"));
}

static void all(ck_ctx *c)
{
    ck_list l;

    populate(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "a", "b", "c", "sub");
    CK_OK(c, ck_list_dir(c, "d", "*", &l));
    CK_LIST_IS(c, &l, ".", "..", "a", "b", "c", "sub");
}

static void dots_first(ck_ctx *c)
{
    ck_list l;

    populate(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "*", &l));
    CK_TRUE(c, l.count >= 2, "at least two entries");
    CK_STR(c, "first entry", l.e[0].name, ".");
    CK_STR(c, "second entry", l.e[1].name, "..");
    CK_TRUE(c, l.e[0].attributes & FILE_ATTRIBUTE_DIRECTORY, "\".\" is a directory");
    CK_TRUE(c, l.e[1].attributes & FILE_ATTRIBUTE_DIRECTORY, "\"..\" is a directory");
}

static void empty(ck_ctx *c)
{
    ck_list l;

    CK_OK(c, ck_mkdir(c, "d"));
    CK_OK(c, ck_list_dir(c, "d", "*", &l));
    CK_LIST_IS(c, &l, ".", "..");
}

static void no_such_file(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    UINT8 buf[4096];

    populate(c);
    CK_BAIL(c);
    CK_OK(c, open_dir(c, &h, "d"));
    CK_STATUS(c, STATUS_NO_SUCH_FILE, query(c, h, buf, sizeof buf, FileDirectoryInformation,
        false, "zzz*", false, &io));
    CK_OK(c, open_dir(c, &h, "d"));
    CK_STATUS(c, STATUS_NO_SUCH_FILE, query(c, h, buf, sizeof buf, FileDirectoryInformation,
        false, "nosuch", false, &io));
}

static void no_more_files(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    UINT8 buf[8192];

    populate(c);
    CK_BAIL(c);
    CK_OK(c, open_dir(c, &h, "d"));
    CK_OK(c, query(c, h, buf, sizeof buf, FileDirectoryInformation, false, "*", false, &io));
    CK_STATUS(c, STATUS_NO_MORE_FILES, query(c, h, buf, sizeof buf, FileDirectoryInformation,
        false, NULL, false, &io));
    CK_EQ(c, "IoStatus.Information at the end", io.Information, 0);
    CK_STATUS(c, STATUS_NO_MORE_FILES, query(c, h, buf, sizeof buf, FileDirectoryInformation,
        false, NULL, false, &io));
}

static void exact(ck_ctx *c)
{
    ck_list l;

    populate(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "b", &l));
    CK_LIST_IS(c, &l, "b");
    CK_EQ(c, "EndOfFile of b", l.e[0].end_of_file, 2);
    CK_OK(c, ck_list_dir(c, "d", "sub", &l));
    CK_LIST_IS(c, &l, "sub");
    CK_TRUE(c, l.e[0].attributes & FILE_ATTRIBUTE_DIRECTORY, "sub is a directory");
}

/* Names for the pattern cases, chosen so that each wildcard has something to tell apart. */
static void populate_names(ck_ctx *c)
{
    static const char *const names[] = {"a", "a.txt", "b.txt", "a.b.txt", "abc", "ab.c", "abcd",
        "file", "fale", "fille"};

    CK_OK(c, ck_mkdir(c, "d"));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "d\\%s", names[i]);
        CK_OK(c, ck_mkfile(c, rel, NULL, 0));
    }
}

static void star(ck_ctx *c)
{
    ck_list l;

    populate_names(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "a*", &l));
    CK_LIST_IS(c, &l, "a", "a.txt", "a.b.txt", "abc", "ab.c", "abcd");
    CK_OK(c, ck_list_dir(c, "d", "*.txt", &l));
    CK_LIST_IS(c, &l, "a.txt", "b.txt", "a.b.txt");
    CK_OK(c, ck_list_dir(c, "d", "*c*", &l));
    CK_LIST_IS(c, &l, "abc", "ab.c", "abcd");
}

static void star_dot_star(ck_ctx *c)
{
    ck_list l;

    /* At the NT level "*.*" wants a dot; FindFirstFile turns "*.*" into "*" first. */
    populate_names(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "*.*", &l));
    CK_LIST_IS(c, &l, ".", "..", "a.txt", "b.txt", "a.b.txt", "ab.c");
}

static void question(ck_ctx *c)
{
    ck_list l;

    populate_names(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "f?le", &l));
    CK_LIST_IS(c, &l, "file", "fale");
    CK_OK(c, ck_list_dir(c, "d", "a?c", &l));
    CK_LIST_IS(c, &l, "abc");
}

static void dos_star(ck_ctx *c)
{
    ck_list l;

    /* '<' matches up to the last dot: FindFirstFile's "*.txt" is "<.txt". */
    populate_names(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "<.txt", &l));
    CK_LIST_IS(c, &l, "a.txt", "b.txt", "a.b.txt");
    CK_OK(c, ck_list_dir(c, "d", "<.c", &l));
    CK_LIST_IS(c, &l, "ab.c");
}

static void dos_qm(ck_ctx *c)
{
    ck_list l;

    /* '>' is any one character, or none at a dot or the end: FindFirstFile's '?'. */
    populate_names(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "ab>", &l));
    CK_LIST_IS(c, &l, "abc");
    CK_OK(c, ck_list_dir(c, "d", "ab>>", &l));
    CK_LIST_IS(c, &l, "abc", "abcd");
}

static void dos_dot(ck_ctx *c)
{
    ck_list l;

    /* '"' is a dot, or nothing at the end: FindFirstFile's "a.*" is "a\"*". */
    populate_names(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", "a\"*", &l));
    CK_LIST_IS(c, &l, "a", "a.txt", "a.b.txt");
}

static void pattern_kept(ck_ctx *c)
{
    nt_handle h;
    ck_list l;
    nt_io_status io;
    UINT8 buf[4096];

    /* The pattern of the first call stays; later patterns are ignored. */
    populate_names(c);
    CK_BAIL(c);
    CK_OK(c, open_dir(c, &h, "d"));
    CK_OK(c, ck_list_handle(c, h, "a.*", FileDirectoryInformation, 96, true, false, &l));
    CK_LIST_IS(c, &l, "a.txt", "a.b.txt");
    CK_OK(c, open_dir(c, &h, "d"));
    CK_OK(c, query(c, h, buf, 96, FileDirectoryInformation, true, "b.txt", false, &io));
    CK_EQ(c, "FileNameLength of the match", ((FILE_DIRECTORY_INFORMATION *)(void *)buf)->FileNameLength, 10);
    CK_STATUS(c, STATUS_NO_MORE_FILES, query(c, h, buf, sizeof buf, FileDirectoryInformation,
        false, "a*", false, &io));
}

static void restart(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    union {
        FILE_NAMES_INFORMATION info;
        UINT8 b[256];
    } u;
    char name[64];

    populate(c);
    CK_BAIL(c);
    CK_OK(c, open_dir(c, &h, "d"));
    for (int i = 0; i < 3; i++)
        CK_OK(c, query(c, h, &u, sizeof u, FileNamesInformation, true, "*", false, &io));
    CK_OK(c, query(c, h, &u, sizeof u, FileNamesInformation, true, NULL, true, &io));
    ck_from_utf16(u.info.FileName, u.info.FileNameLength / 2, name, sizeof name);
    CK_STR(c, "first entry after restart", name, ".");
    CK_OK(c, query(c, h, &u, sizeof u, FileNamesInformation, true, NULL, false, &io));
    ck_from_utf16(u.info.FileName, u.info.FileNameLength / 2, name, sizeof name);
    CK_STR(c, "second entry after restart", name, "..");
}

static void single(ck_ctx *c)
{
    nt_handle h;
    ck_list l;

    populate(c);
    CK_BAIL(c);
    CK_OK(c, open_dir(c, &h, "d"));
    CK_OK(c, ck_list_handle(c, h, "*", FileDirectoryInformation, 65536, true, false, &l));
    CK_LIST_IS(c, &l, ".", "..", "a", "b", "c", "sub");
    CK_EQ(c, "calls (one per entry)", l.calls, 6);
}

static void small_buffer(ck_ctx *c)
{
    nt_handle h;
    ck_list l;

    populate(c);
    CK_BAIL(c);
    /* Room for one entry at a time: every call resumes after the last. */
    CK_OK(c, open_dir(c, &h, "d"));
    CK_OK(c, ck_list_handle(c, h, NULL, FileDirectoryInformation,
        offsetof(FILE_DIRECTORY_INFORMATION, FileName) + 16, false, false, &l));
    CK_LIST_IS(c, &l, ".", "..", "a", "b", "c", "sub");
    CK_EQ(c, "calls (one per entry)", l.calls, 6);
}

static void many(ck_ctx *c)
{
    enum { N = 1000 };
    static const UINT32 sizes[] = {104, 4096, 65536};
    char rel[64];

    CK_OK(c, ck_mkdir(c, "d"));
    for (unsigned i = 0; i < N; i++) {
        snprintf(rel, sizeof rel, "d\\xxxxxxx-file%u", i);
        CK_OK(c, ck_create(c, NULL, rel, FILE_GENERIC_WRITE, 0, CK_SHARE_ALL, FILE_CREATE, 0,
            NULL));
    }
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        nt_handle h;
        ck_list l;

        CK_OK(c, open_dir(c, &h, "d"));
        CK_OK(c, ck_list_handle(c, h, NULL, FileDirectoryInformation, sizes[k], false, false,
            &l));
        CK_EQ(c, "entries", l.count, N + 2);
        for (unsigned i = 0; i < N; i++) {
            snprintf(rel, sizeof rel, "xxxxxxx-file%u", i);
            if (ck_list_count(&l, rel) != 1) {
                ck_failf(c, __FILE__, __LINE__,
                    "expected \"%s\" once in a %u-byte-buffer listing got %u times", rel,
                    sizes[k], ck_list_count(&l, rel));
                return;
            }
        }
        CK_OK(c, ck_close(c, h));
    }
    /* And each name on its own, as FindFirstFile without wildcards asks. */
    for (unsigned i = 0; i < N; i += 37) {
        ck_list l;
        snprintf(rel, sizeof rel, "xxxxxxx-file%u", i);
        CK_OK(c, ck_list_dir(c, "d", rel, &l));
        CK_EQ(c, "entries for an exact name", l.count, 1);
    }
}

static void buffer_overflow(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    union {
        FILE_DIRECTORY_INFORMATION info;
        UINT8 b[sizeof(FILE_DIRECTORY_INFORMATION) + 16];
    } u;

    CK_OK(c, ck_mkfile(c, "file0", NULL, 0));
    CK_OK(c, open_dir(c, &h, ""));
    CK_STATUS(c, STATUS_INFO_LENGTH_MISMATCH, query(c, h, &u, 0, FileDirectoryInformation,
        false, "file0", false, &io));
    memset(&u, 0, sizeof u);
    CK_STATUS(c, STATUS_BUFFER_OVERFLOW, query(c, h, &u, sizeof(FILE_DIRECTORY_INFORMATION),
        FileDirectoryInformation, false, "file0", false, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, sizeof(FILE_DIRECTORY_INFORMATION));
    CK_EQ(c, "FileNameLength (the full length)", u.info.FileNameLength, 10);
    CK_OK(c, open_dir(c, &h, ""));
    memset(&u, 0, sizeof u);
    CK_STATUS(c, STATUS_BUFFER_OVERFLOW, query(c, h, &u, sizeof(FILE_DIRECTORY_INFORMATION),
        FileDirectoryInformation, true, "file0", false, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, sizeof(FILE_DIRECTORY_INFORMATION));
    CK_EQ(c, "FileNameLength (the full length)", u.info.FileNameLength, 10);
}

static void on_file(ck_ctx *c)
{
    nt_handle h;
    nt_io_status io;
    UINT8 buf[4096];

    CK_OK(c, ck_mkfile(c, "f", NULL, 0));
    CK_OK(c, ck_open(c, &h, "f", FILE_GENERIC_READ, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_INVALID_PARAMETER, query(c, h, buf, sizeof buf,
        FileDirectoryInformation, false, NULL, false, &io));
}

static void reflects_changes(ck_ctx *c)
{
    ck_list l;

    populate(c);
    CK_BAIL(c);
    CK_OK(c, ck_list_dir(c, "d", NULL, &l));
    CK_OK(c, ck_mkfile(c, "d\\new", NULL, 0));
    CK_OK(c, ck_delete(c, "d\\a"));
    CK_OK(c, ck_list_dir(c, "d", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "new", "b", "c", "sub");
    {
        nt_handle h;
        CK_OK(c, ck_open(c, &h, "d\\b", FILE_GENERIC_WRITE, CK_SHARE_ALL));
        CK_OK(c, ck_set_eof(c, h, 5000));
        CK_OK(c, ck_close(c, h));
    }
    CK_OK(c, ck_list_dir(c, "d", "b", &l));
    CK_EQ(c, "listed EndOfFile after a change", l.e[0].end_of_file, 5000);
}

/* Each class's fields against what the files are. */
static void fields(ck_ctx *c, UINT32 cls)
{
    nt_handle h;
    ck_list l;
    FILE_BASIC_INFORMATION b;
    FILE_STANDARD_INFORMATION s;
    INT64 index;
    const ck_entry *e;

    populate(c);
    CK_BAIL(c);
    CK_OK(c, open_dir(c, &h, "d"));
    CK_OK(c, ck_list_handle(c, h, NULL, cls, 65536, false, false, &l));
    CK_LIST_IS(c, &l, ".", "..", "a", "b", "c", "sub");
    if (cls == FileNamesInformation)
        return;
    CK_OK(c, ck_open(c, &h, "d\\c", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_basic(c, h, &b));
    CK_OK(c, ck_standard(c, h, &s));
    CK_OK(c, ck_index(c, h, &index));
    e = ck_list_find(&l, "c");
    CK_EQ(c, "EndOfFile", e->end_of_file, 3);
    CK_EQ(c, "AllocationSize", e->allocation_size, s.AllocationSize);
    CK_EQ(c, "FileAttributes", e->attributes, b.FileAttributes);
    CK_EQ(c, "CreationTime", e->creation_time, b.CreationTime);
    CK_EQ(c, "LastWriteTime", e->last_write_time, b.LastWriteTime);
    CK_EQ(c, "ChangeTime", e->change_time, b.ChangeTime);
    if (cls != FileDirectoryInformation)
        CK_EQ(c, "EaSize", e->ea_size, 0);
    if (cls == FileBothDirectoryInformation || cls == FileIdBothDirectoryInformation)
        CK_TRUE(c, e->short_name_len <= 24 && e->short_name_len % 2 == 0,
            "ShortNameLength of at most 12 characters");
    if (cls == FileIdBothDirectoryInformation)
        CK_EQ(c, "FileId (as IndexNumber)", e->file_id, index);
    e = ck_list_find(&l, "sub");
    CK_TRUE(c, e->attributes & FILE_ATTRIBUTE_DIRECTORY, "sub listed as a directory");
    e = ck_list_find(&l, "a");
    CK_TRUE(c, !(e->attributes & FILE_ATTRIBUTE_DIRECTORY), "a listed as a file");
    CK_EQ(c, "EndOfFile of a", e->end_of_file, 1);
}

static void class_directory(ck_ctx *c)
{
    fields(c, FileDirectoryInformation);
}

static void class_full(ck_ctx *c)
{
    fields(c, FileFullDirectoryInformation);
}

static void class_both(ck_ctx *c)
{
    fields(c, FileBothDirectoryInformation);
}

static void class_id_both(ck_ctx *c)
{
    fields(c, FileIdBothDirectoryInformation);
}

static void class_names(ck_ctx *c)
{
    fields(c, FileNamesInformation);
}

static void root(ck_ctx *c)
{
    nt_handle h;
    ck_list l;
    NTSTATUS status;

    CK_OK(c, ck_create(c, &h, "\\", LIST_ACCESS, 0, CK_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE,
        NULL));
    /* An empty root has nothing, not even "." and "..". */
    status = ck_list_handle(c, h, NULL, FileDirectoryInformation, 4096, false, false, &l);
    CK_BAIL(c);
    CK_STATUS(c, status == STATUS_NO_SUCH_FILE ? STATUS_NO_SUCH_FILE : STATUS_SUCCESS, status);
    for (unsigned i = 0; i < l.count; i++)
        CK_EQ(c, "occurrences of a root entry", ck_list_count(&l, l.e[i].name), 1);
    CK_EQ(c, "\".\" entries in the root", ck_list_count(&l, "."), 0);
    CK_EQ(c, "\"..\" entries in the root", ck_list_count(&l, ".."), 0);
}

const ck_case ck_cases_dir[] = {
    {"dir_all", all, 0,
        "no pattern and \"*\" list every entry once, with \".\" and \"..\"", "querydir_test"},
    {"dir_dots_first", dots_first, 0,
        "\".\" and \"..\" come first, as directories", "querydir_test"},
    {"dir_empty", empty, 0,
        "an empty directory lists just \".\" and \"..\"", "querydir_test"},
    {"dir_no_such_file", no_such_file, 0,
        "nothing matching on the first call: STATUS_NO_SUCH_FILE",
        "querydir_test"},
    {"dir_no_more_files", no_more_files, 0,
        "after the last entry: STATUS_NO_MORE_FILES, again and again", "querydir_test"},
    {"dir_exact_name", exact, 0,
        "a pattern without wildcards finds just that entry", "querydir_single_test"},
    {"dir_pattern_star", star, 0,
        "'*' patterns: prefix, suffix and infix", "querydir_test"},
    {"dir_pattern_star_dot_star", star_dot_star, 0,
        "\"*.*\" at the NT level matches names with a dot (and \".\", \"..\")",
        "querydir_test"},
    {"dir_pattern_question", question, 0,
        "'?' matches exactly one character", "querydir_test"},
    {"dir_pattern_dos_star", dos_star, 0,
        "'<' (DOS_STAR) matches up to the last dot", "querydir_test"},
    {"dir_pattern_dos_qm", dos_qm, 0,
        "'>' (DOS_QM) matches one character or none before a dot or the end",
        "querydir_test"},
    {"dir_pattern_dos_dot", dos_dot, 0,
        "'\"' (DOS_DOT) matches a dot or nothing at the end", "querydir_test"},
    {"dir_pattern_kept", pattern_kept, 0,
        "the first call's pattern holds for the calls after it", "querydir_test"},
    {"dir_restart", restart, 0,
        "RestartScan starts over from \".\"", "querydir_test"},
    {"dir_single_entry", single, 0,
        "ReturnSingleEntry returns one entry per call, all of them in the end",
        "querydir_single_test"},
    {"dir_small_buffer", small_buffer, 0,
        "a buffer for one entry: each call resumes after the last, none lost or repeated",
        "querydir_test"},
    {"dir_many", many, 0,
        "1000 entries listed exactly once with 104-byte, 4 KiB and 64 KiB buffers",
        "querydir_single_test"},
    {"dir_buffer_overflow", buffer_overflow, 0,
        "no room for the name: STATUS_BUFFER_OVERFLOW with the fixed part; 0 bytes: mismatch",
        "querydir_buffer_overflow_test"},
    {"dir_on_file", on_file, 0,
        "querying a file as a directory: STATUS_INVALID_PARAMETER", "querydir_test"},
    {"dir_reflects_changes", reflects_changes, 0,
        "a new listing shows files created, deleted and resized since the last",
        "querydir_expire_cache_test"},
    {"dir_class_directory", class_directory, 0,
        "FileDirectoryInformation: sizes, times, attributes as the files have them",
        "querydir_test"},
    {"dir_class_full", class_full, 0,
        "FileFullDirectoryInformation: the same, EaSize 0", "querydir_test"},
    {"dir_class_both", class_both, 0,
        "FileBothDirectoryInformation: the same, a short name of at most 12 characters",
        "querydir_test"},
    {"dir_class_id_both", class_id_both, 0,
        "FileIdBothDirectoryInformation: the same, FileId = IndexNumber", "querydir_test"},
    {"dir_class_names", class_names, 0,
        "FileNamesInformation lists the names", "querydir_test"},
    {"dir_root", root, CK_RO_SAFE,
        "the root directory lists each entry once, without \".\" and \"..\"", "querydir_test"},
    {NULL, NULL, 0, NULL, NULL},
};
