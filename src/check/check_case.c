/*
 * check_case.c - case: a case-insensitive volume finds names in any case and
 * keeps the case they were made with; a case-sensitive one keeps names
 * that differ in case apart. Which set runs is what the volume says
 * (FILE_CASE_SENSITIVE_SEARCH); the other is skipped.
 */
#include "check/ck.h"

#define RW (FILE_GENERIC_READ | FILE_GENERIC_WRITE)

#define INSENSITIVE(c) CK_NEED(c, !(c)->case_sensitive, \
    "the volume is case-sensitive (FILE_CASE_SENSITIVE_SEARCH)")
#define SENSITIVE(c) CK_NEED(c, (c)->case_sensitive, \
    "the volume is case-insensitive (no FILE_CASE_SENSITIVE_SEARCH)")

static void preserved(ck_ctx *c)
{
    ck_list l;

    CK_TRUE(c, c->fs_attributes & FILE_CASE_PRESERVED_NAMES, "FILE_CASE_PRESERVED_NAMES");
    CK_OK(c, ck_mkfile(c, "MiXeD.TxT", NULL, 0));
    CK_OK(c, ck_mkdir(c, "SubDIR"));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "MiXeD.TxT", "SubDIR");
}

/* ---- case-insensitive volumes ---- */

static void ins_open(ck_ctx *c)
{
    INT64 a, b;
    nt_handle h1, h2;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "MixedCase", "x", 1));
    CK_OK(c, ck_open(c, &h1, "mixedcase", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h2, "MIXEDCASE", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_index(c, h1, &a));
    CK_OK(c, ck_index(c, h2, &b));
    CK_EQ(c, "IndexNumber through another case", b, a);
}

static void ins_listing(ck_ctx *c)
{
    ck_list l;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "MixedCase", NULL, 0));
    CK_OK(c, ck_open(c, NULL, "MIXEDCASE", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "MixedCase");
}

static void ins_collision(ck_ctx *c)
{
    ck_list l;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, ck_create(c, NULL, "A", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, 0, NULL));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, ck_mkdir(c, "A"));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "a");
}

static void ins_openif(ck_ctx *c)
{
    nt_io_status io;
    ck_list l;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_OK(c, ck_create(c, NULL, "A", RW, 0, CK_SHARE_ALL, FILE_OPEN_IF, 0, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, FILE_OPENED);
    CK_OK(c, ck_create(c, NULL, "A", RW, 0, CK_SHARE_ALL, FILE_OVERWRITE_IF, 0, &io));
    CK_EQ(c, "IoStatus.Information", io.Information, FILE_OVERWRITTEN);
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "a");
}

static void ins_name_info(ck_ctx *c)
{
    nt_handle h;
    char name[512];

    INSENSITIVE(c);
    CK_OK(c, ck_mkdir(c, "Dir"));
    CK_OK(c, ck_mkfile(c, "Dir\\fileFILE", NULL, 0));
    CK_OK(c, ck_open(c, &h, "DIR\\FILEfile", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_name(c, h, name, sizeof name));
    CK_STR(c, "FileNameInformation (the stored case)", name, ck_path(c, "Dir\\fileFILE"));
}

static void ins_pattern(ck_ctx *c)
{
    ck_list l;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "MixedCase.txt", NULL, 0));
    CK_OK(c, ck_mkfile(c, "other", NULL, 0));
    CK_OK(c, ck_list_dir(c, "", "MIXED*", &l));
    CK_LIST_IS(c, &l, "MixedCase.txt");
    CK_OK(c, ck_list_dir(c, "", "mixedcase.TXT", &l));
    CK_LIST_IS(c, &l, "MixedCase.txt");
    CK_OK(c, ck_list_dir(c, "", "*.TXT", &l));
    CK_LIST_IS(c, &l, "MixedCase.txt");
}

static void ins_delete(ck_ctx *c)
{
    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "MixedCase", NULL, 0));
    CK_OK(c, ck_delete(c, "MIXEDCASE"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "MixedCase"));
}

static void ins_path(ck_ctx *c)
{
    INSENSITIVE(c);
    CK_OK(c, ck_mkdir(c, "Dir"));
    CK_OK(c, ck_mkdir(c, "Dir\\Sub"));
    CK_OK(c, ck_mkfile(c, "Dir\\Sub\\File", "x", 1));
    CK_OK(c, ck_exists(c, "dir\\SUB\\file"));
    CK_OK(c, ck_mkfile(c, "DIR\\sub\\other", NULL, 0));
    CK_OK(c, ck_exists(c, "Dir\\Sub\\other"));
}

static void ins_share(ck_ctx *c)
{
    nt_handle h;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", "x", 1));
    CK_OK(c, ck_open(c, &h, "a", RW, 0));
    CK_STATUS(c, STATUS_SHARING_VIOLATION, ck_open(c, NULL, "A", FILE_GENERIC_READ,
        CK_SHARE_ALL));
}

static void ins_rename_case(ck_ctx *c)
{
    ck_list l;
    nt_handle h;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "MixedCase", NULL, 0));
    CK_OK(c, ck_open(c, &h, "mixedcase", DELETE, CK_SHARE_ALL));
    CK_OK(c, ck_rename(c, h, 0, ck_path(c, "mixedCASE"), false, 0));
    CK_OK(c, ck_close(c, h));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "mixedCASE");
}

static void ins_rename_collision(ck_ctx *c)
{
    nt_handle h;

    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", NULL, 0));
    CK_OK(c, ck_mkfile(c, "b", NULL, 0));
    CK_OK(c, ck_open(c, &h, "a", DELETE, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, ck_rename(c, h, 0, ck_path(c, "B"), false, 0));
}

static void ins_nonascii(ck_ctx *c)
{
    ck_list l;

    /* Case folding is Unicode's, not ASCII's: Greek and Cyrillic fold too. */
    INSENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "\xce\xb1\xce\xb2\xce\xb3-\xd0\xb4\xd0\xb6", NULL, 0)); /* αβγ-дж */
    CK_OK(c, ck_exists(c, "\xce\x91\xce\x92\xce\x93-\xd0\x94\xd0\x96")); /* ΑΒΓ-ДЖ */
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "\xce\xb1\xce\xb2\xce\xb3-\xd0\xb4\xd0\xb6");
}

/* ---- case-sensitive volumes ---- */

static void sens_both(ck_ctx *c)
{
    nt_handle h1, h2;
    INT64 a, b;
    UINT8 buf[8];
    size_t len;
    ck_list l;

    SENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", "lower", 5));
    CK_OK(c, ck_mkfile(c, "A", "UPPER!", 6));
    CK_OK(c, ck_open(c, &h1, "a", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_open(c, &h2, "A", FILE_READ_ATTRIBUTES, CK_SHARE_ALL));
    CK_OK(c, ck_index(c, h1, &a));
    CK_OK(c, ck_index(c, h2, &b));
    CK_TRUE(c, a != b, "different IndexNumbers for \"a\" and \"A\"");
    CK_OK(c, ck_read_file(c, "A", buf, sizeof buf, &len));
    CK_EQ(c, "size of \"A\"", len, 6);
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "a", "A");
}

static void sens_wrong_case(ck_ctx *c)
{
    SENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "Mixed", NULL, 0));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "mixed"));
    CK_STATUS(c, STATUS_OBJECT_NAME_NOT_FOUND, ck_exists(c, "MIXED"));
    CK_OK(c, ck_mkdir(c, "Dir"));
    CK_STATUS(c, STATUS_OBJECT_PATH_NOT_FOUND, ck_create(c, NULL, "dir\\f", RW, 0, CK_SHARE_ALL,
        FILE_CREATE, 0, NULL));
}

static void sens_pattern(ck_ctx *c)
{
    ck_list l;

    SENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "Mixed", NULL, 0));
    CK_OK(c, ck_mkfile(c, "mixed", NULL, 0));
    CK_OK(c, ck_list_dir(c, "", "M*", &l));
    CK_LIST_IS(c, &l, "Mixed");
    CK_OK(c, ck_list_dir(c, "", "mixed", &l));
    CK_LIST_IS(c, &l, "mixed");
    {
        nt_handle h;
        CK_OK(c, ck_open(c, &h, "", FILE_LIST_DIRECTORY, CK_SHARE_ALL));
        CK_STATUS(c, STATUS_NO_SUCH_FILE, ck_list_handle(c, h, "MIXED", FileDirectoryInformation,
            4096, false, false, &l));
    }
}

static void sens_delete_one(ck_ctx *c)
{
    ck_list l;

    SENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", NULL, 0));
    CK_OK(c, ck_mkfile(c, "A", NULL, 0));
    CK_OK(c, ck_delete(c, "A"));
    CK_OK(c, ck_list_dir(c, "", NULL, &l));
    CK_LIST_IS(c, &l, ".", "..", "a");
}

static void sens_rename_collision(ck_ctx *c)
{
    nt_handle h;

    SENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", NULL, 0));
    CK_OK(c, ck_mkfile(c, "A", NULL, 0));
    CK_OK(c, ck_open(c, &h, "a", DELETE, CK_SHARE_ALL));
    CK_STATUS(c, STATUS_OBJECT_NAME_COLLISION, ck_rename(c, h, 0, ck_path(c, "A"), false, 0));
    CK_OK(c, ck_rename(c, h, 0, ck_path(c, "A"), false, 1));
    CK_OK(c, ck_close(c, h));
    {
        ck_list l;
        CK_OK(c, ck_list_dir(c, "", NULL, &l));
        CK_LIST_IS(c, &l, ".", "..", "A");
    }
}

static void sens_share(ck_ctx *c)
{
    nt_handle h;

    SENSITIVE(c);
    CK_OK(c, ck_mkfile(c, "a", NULL, 0));
    CK_OK(c, ck_mkfile(c, "A", NULL, 0));
    CK_OK(c, ck_open(c, &h, "a", RW, 0));
    CK_OK(c, ck_open(c, NULL, "A", RW, 0));
}

const ck_case ck_cases_case[] = {
    {"case_preserved", preserved, 0,
        "names keep the case they were created with (FILE_CASE_PRESERVED_NAMES)",
        "getfileinfo_name_test"},
    {"case_ins_open", ins_open, 0,
        "case-insensitive: a file opens under any case, as the same file",
        "rename_caseins_test"},
    {"case_ins_listing", ins_listing, 0,
        "case-insensitive: listings show the case of creation, whatever case opened it",
        "getfileinfo_name_test"},
    {"case_ins_collision", ins_collision, 0,
        "case-insensitive: FILE_CREATE of \"A\" when \"a\" exists: STATUS_OBJECT_NAME_COLLISION",
        "rename_caseins_test"},
    {"case_ins_openif", ins_openif, 0,
        "case-insensitive: OPEN_IF and OVERWRITE_IF of \"A\" reach \"a\"",
        "rename_caseins_test"},
    {"case_ins_name_info", ins_name_info, 0,
        "case-insensitive: FileNameInformation is the stored case, not the case opened",
        "getfileinfo_name_test"},
    {"case_ins_pattern", ins_pattern, 0,
        "case-insensitive: patterns match in any case", "querydir_test"},
    {"case_ins_delete", ins_delete, 0,
        "case-insensitive: deleting under another case deletes the file", "delete_test"},
    {"case_ins_path", ins_path, 0,
        "case-insensitive: directories in a path match in any case", "create_test"},
    {"case_ins_share", ins_share, 0,
        "case-insensitive: \"a\" and \"A\" are one file for sharing", "create_share_test"},
    {"case_ins_rename_case", ins_rename_case, 0,
        "case-insensitive: a case-only rename changes the stored case",
        "rename_caseins_test"},
    {"case_ins_rename_collision", ins_rename_collision, 0,
        "case-insensitive: renaming onto \"B\" when \"b\" exists: STATUS_OBJECT_NAME_COLLISION",
        "rename_caseins_test"},
    {"case_ins_nonascii", ins_nonascii, 0,
        "case-insensitive: Greek and Cyrillic names fold case too", "rename_caseins_test"},
    {"case_sens_both", sens_both, 0,
        "case-sensitive: \"a\" and \"A\" are two files", "create_test"},
    {"case_sens_wrong_case", sens_wrong_case, 0,
        "case-sensitive: another case is another name: STATUS_OBJECT_NAME/PATH_NOT_FOUND",
        "create_test"},
    {"case_sens_pattern", sens_pattern, 0,
        "case-sensitive: patterns match the case given", "querydir_test"},
    {"case_sens_delete_one", sens_delete_one, 0,
        "case-sensitive: deleting \"A\" leaves \"a\"", "delete_test"},
    {"case_sens_rename_collision", sens_rename_collision, 0,
        "case-sensitive: renaming \"a\" onto an existing \"A\" needs ReplaceIfExists",
        "rename_test"},
    {"case_sens_share", sens_share, 0,
        "case-sensitive: \"a\" and \"A\" share independently", "create_share_test"},
    {NULL, NULL, 0, NULL, NULL},
};
