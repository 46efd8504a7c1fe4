/*
 * test_fuse3_abi.c - include/fuse3/ against libfuse 3.14's installed headers.
 *
 * Programs built for libfuse 3 and Debian's prebuilt ones (linked against
 * libfuse3.so.3) must work with our library unchanged, so every layout,
 * value and prototype of our headers must equal libfuse's. Our half of the
 * table is built here, Debian's in fuse3_abi_debian.c (see
 * fuse3_abi_list.h); prototypes are checked at compile time by both.
 */
#include "wf_test.h"

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <string.h>

#define FUSE_USE_VERSION 314
#include "fuse3/fuse.h"
#include "fuse3/fuse_lowlevel.h"
#include "fuse3/cuse_lowlevel.h"
#include "fuse3/winfuse.h"

#define FA_TABLE_FUNCTION fuse3_abi_ours_items
#include "fuse3_abi_list.h"

/* Our extension, which libfuse does not have: its prototypes are fixed too. */
_Static_assert(__builtin_types_compatible_p(__typeof__(&fuse_session_mount_engine),
               int (*)(struct fuse_session *, struct wf_engine *)), "fuse_session_mount_engine");
_Static_assert(__builtin_types_compatible_p(__typeof__(&fuse_mount_engine),
               int (*)(struct fuse *, struct wf_engine *)), "fuse_mount_engine");

/* Weak, so that a build without Debian's half links and says what is missing. */
#pragma weak fuse3_abi_debian_items

#define FA_DEBIAN_DIR "/usr/include/fuse3"

#define FA_CMAKE_HINT \
    "fuse3_abi_debian.c is not linked into test_fuse3_abi; CMakeLists.txt needs, after the " \
    "unit-test loop: target_sources(test_fuse3_abi PRIVATE " \
    "${CMAKE_SOURCE_DIR}/tests/unit/fuse3_abi_debian.c)"

/* The headers libfuse 3.14 installs; ours adds winfuse.h. */
static const char *const fa_headers[] = {
    "cuse_lowlevel.h", "fuse.h", "fuse_common.h", "fuse_log.h",
    "fuse_lowlevel.h", "fuse_opt.h", "libfuse_config.h",
};

/*
 * Names the headers define that the table cannot measure at API 314: include
 * guards, function-like macros, and the entry points of older API versions
 * (selected by FUSE_USE_VERSION). Each must be in both header sets.
 */
static const char *const fa_extra_names[] = {
    "FUSE_H_", "FUSE_COMMON_H_", "FUSE_LOWLEVEL_H_", "FUSE_OPT_H_", "FUSE_LOG_H_",
    "CUSE_LOWLEVEL_H_", "FUSE_USE_VERSION", "FUSE_REGISTER_MODULE", "fuse_main",
    "FUSE_BUFVEC_INIT", "FUSE_OPT_KEY", "FUSE_OPT_END", "FUSE_ARGS_INIT", "FUSE_MAKE_VERSION",
    "fuse_new_30", "fuse_new_31", "fuse_loop_mt_31", "fuse_loop_mt_32", "fuse_loop_mt_312",
    "fuse_session_loop_mt_31", "fuse_session_loop_mt_32", "fuse_session_loop_mt_312",
    "fuse_parse_cmdline_30", "fuse_parse_cmdline_312", "fuse_loop_config",
    "_fuse_off_t_must_be_64bit_dummy_struct",
};

/* ---- the two tables ------------------------------------------------------ */

static struct fa_item fa_ours[FA_MAX_ITEMS];
static struct fa_item fa_debian[FA_MAX_ITEMS];
static size_t fa_ours_count;
static size_t fa_debian_count;

static bool fa_tables(void)
{
    if (!fuse3_abi_debian_items)
        return false;
    if (!fa_ours_count) {
        fa_ours_count = fuse3_abi_ours_items(fa_ours, FA_MAX_ITEMS);
        fa_debian_count = fuse3_abi_debian_items(fa_debian, FA_MAX_ITEMS);
    }
    return true;
}

static void fa_require_tables(void)
{
    if (!fa_tables())
        fail_msg("%s", FA_CMAKE_HINT);
    assert_true(fa_ours_count <= FA_MAX_ITEMS);
    assert_int_equal(fa_ours_count, fa_debian_count);
}

static bool fa_quiet;

/* Differences between a and b among items of the given kinds; counts checks. */
static int fa_compare(const struct fa_item *a, const struct fa_item *b, size_t count,
                      const char *kinds, size_t *checked)
{
    int bad = 0;
    *checked = 0;
    for (size_t i = 0; i < count; i++) {
        if (!strchr(kinds, a[i].kind))
            continue;
        (*checked)++;
        const char *ta = a[i].type ? a[i].type : "", *tb = b[i].type ? b[i].type : "";
        if (a[i].kind != b[i].kind || strcmp(a[i].name, b[i].name) || a[i].size != b[i].size ||
            a[i].offset != b[i].offset || a[i].value != b[i].value || strcmp(ta, tb)) {
            bad++;
            if (!fa_quiet)
                print_message("%c %s: ours size %llu offset %llu value %#llx type %s; "
                              "libfuse size %llu offset %llu value %#llx type %s\n",
                              a[i].kind, a[i].name, (unsigned long long)a[i].size,
                              (unsigned long long)a[i].offset, (unsigned long long)a[i].value, ta,
                              (unsigned long long)b[i].size, (unsigned long long)b[i].offset,
                              (unsigned long long)b[i].value, tb);
        }
    }
    return bad;
}

/* ---- names in the header text --------------------------------------------- */

struct fa_names {
    char **v;
    size_t n, cap;
};

static void fa_names_add(struct fa_names *s, const char *p, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && !memcmp(s->v[i], p, len))
            return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
        assert_non_null(s->v);
    }
    s->v[s->n] = strndup(p, len);
    assert_non_null(s->v[s->n]);
    s->n++;
}

static bool fa_names_has(const struct fa_names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], name))
            return true;
    return false;
}

static void fa_names_free(struct fa_names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static bool fa_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Blank out comments, string literals and line continuations. */
static void fa_clean(char *t)
{
    for (char *p = t; *p; p++) {
        if (p[0] == '\\' && p[1] == '\n') {
            p[0] = ' ';
        } else if (p[0] == '/' && p[1] == '*') {
            char *e = strstr(p + 2, "*/");
            char *end = e ? e + 2 : p + strlen(p);
            for (; p < end; p++)
                if (*p != '\n')
                    *p = ' ';
            p--;
        } else if (p[0] == '/' && p[1] == '/') {
            for (; *p && *p != '\n'; p++)
                *p = ' ';
            p--;
        } else if (*p == '"') {
            for (p++; *p && *p != '"' && *p != '\n'; p++)
                *p = ' ';
            if (!*p)
                break;
        }
    }
}

static const char *fa_skip_space(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

/*
 * Collect what a header declares: macro names, struct and enum tags that
 * have a body, enumerators, and the fuse_ and cuse_ functions it declares
 * or its macros call.
 */
static void fa_scan_text(char *t, struct fa_names *out)
{
    bool in_enum = false, enum_item = false, after_define = false;
    char prev = '\0';
    const char *p = t;

    fa_clean(t);
    while (*p) {
        if (!fa_ident_char(*p) || (p > t && fa_ident_char(p[-1]))) {
            if (*p == '#') {
                const char *q = fa_skip_space(p + 1);
                after_define = !strncmp(q, "define", 6) && isspace((unsigned char)q[6]);
                if (after_define)
                    p = q + 6;
            }
            if (in_enum && *p == ',')
                enum_item = true;
            if (in_enum && *p == '}')
                in_enum = false;
            if (!isspace((unsigned char)*p))
                prev = *p;
            p++;
            continue;
        }
        const char *s = p;
        while (fa_ident_char(*p))
            p++;
        size_t len = (size_t)(p - s);
        const char *next = fa_skip_space(p);
        if (isdigit((unsigned char)*s)) {
            prev = '0';
            continue;
        }
        if (after_define) {
            fa_names_add(out, s, len);
            after_define = false;
        } else if ((len == 6 && !memcmp(s, "struct", 6)) || (len == 4 && !memcmp(s, "enum", 4))) {
            const char *tag = next, *e = tag;
            while (fa_ident_char(*e))
                e++;
            if (e > tag && *fa_skip_space(e) == '{') {
                fa_names_add(out, tag, (size_t)(e - tag));
                if (len == 4) {
                    in_enum = true;
                    enum_item = true;
                }
                p = fa_skip_space(e) + 1;
                prev = '{';
                continue;
            }
        } else if (in_enum && enum_item) {
            fa_names_add(out, s, len);
            enum_item = false;
        } else if (*next == '(' && prev != '*' && len > 5 &&
                   (!memcmp(s, "fuse_", 5) || !memcmp(s, "cuse_", 5))) {
            fa_names_add(out, s, len);
        }
        prev = 'a';
    }
}

static bool fa_scan_file(const char *path, struct fa_names *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char *t = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            t = realloc(t, cap);
            assert_non_null(t);
        }
        size_t r = fread(t + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    fclose(f);
    t[n] = '\0';
    fa_scan_text(t, out);
    free(t);
    return true;
}

static bool fa_scan_dir(const char *dir, struct fa_names *out)
{
    char path[4096];
    for (size_t i = 0; i < sizeof(fa_headers) / sizeof(fa_headers[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, fa_headers[i]);
        if (!fa_scan_file(path, out))
            return false;
    }
    return true;
}

/* Our include/fuse3/, found from this file's path. */
static void fa_our_dir(char *buf, size_t size)
{
    static const char self[] = "tests/unit/test_fuse3_abi.c";
    const char *file = __FILE__;
    size_t len = strlen(file), slen = sizeof(self) - 1;
    size_t root = len >= slen && !strcmp(file + len - slen, self) ? len - slen : 0;
    int w = snprintf(buf, size, "%.*sinclude/fuse3", (int)root, file);
    assert_true(w > 0 && (size_t)w < size);
}

static bool fa_listed(const char *name)
{
    for (size_t i = 0; i < fa_ours_count && i < FA_MAX_ITEMS; i++) {
        if (fa_ours[i].kind == 'F' || fa_ours[i].kind == 'B')
            continue;
        if (!strcmp(fa_ours[i].name, name))
            return true;
    }
    for (size_t i = 0; i < sizeof(fa_extra_names) / sizeof(fa_extra_names[0]); i++)
        if (!strcmp(fa_extra_names[i], name))
            return true;
    return false;
}

/* Every name the headers in dir define is listed, and every extra name is there. */
static int fa_check_dir(const char *dir, const char *what)
{
    struct fa_names names = { 0 };
    int bad = 0;

    if (!fa_scan_dir(dir, &names))
        fail_msg("cannot read the %s headers in %s", what, dir);
    print_message("%s headers: %zu names\n", what, names.n);
    assert_true(names.n > 250);
    for (size_t i = 0; i < names.n; i++) {
        if (!fa_listed(names.v[i])) {
            print_message("%s headers define %s, which fuse3_abi_list.h lacks\n", what, names.v[i]);
            bad++;
        }
    }
    for (size_t i = 0; i < sizeof(fa_extra_names) / sizeof(fa_extra_names[0]); i++) {
        if (!fa_names_has(&names, fa_extra_names[i])) {
            print_message("%s headers lack %s\n", what, fa_extra_names[i]);
            bad++;
        }
    }
    fa_names_free(&names);
    return bad;
}

/* ---- the tests ---------------------------------------------------------------- */

static void debian_half_is_linked(void **state)
{
    (void)state;
    if (!fa_tables())
        fail_msg("%s", FA_CMAKE_HINT);
}

static void both_tables_follow_one_list(void **state)
{
    (void)state;
    fa_require_tables();
    assert_true(fa_ours_count > 400);
    for (size_t i = 0; i < fa_ours_count; i++) {
        assert_int_equal(fa_ours[i].kind, fa_debian[i].kind);
        assert_string_equal(fa_ours[i].name, fa_debian[i].name);
    }
}

static void struct_layouts_match(void **state)
{
    size_t checked;
    (void)state;
    fa_require_tables();
    assert_int_equal(fa_compare(fa_ours, fa_debian, fa_ours_count, "SFBE", &checked), 0);
    assert_true(checked > 200);
}

static void constants_match(void **state)
{
    size_t checked;
    (void)state;
    fa_require_tables();
    assert_int_equal(fa_compare(fa_ours, fa_debian, fa_ours_count, "KM", &checked), 0);
    assert_true(checked > 70);
}

static void function_macros_match(void **state)
{
    size_t checked;
    (void)state;
    fa_require_tables();
    assert_int_equal(fa_compare(fa_ours, fa_debian, fa_ours_count, "P", &checked), 0);
    assert_int_equal(checked, 4);
}

static void prototypes_are_listed(void **state)
{
    size_t checked;
    (void)state;
    fa_require_tables();
    /* the check itself is at compile time; here only that the list is whole */
    assert_int_equal(fa_compare(fa_ours, fa_debian, fa_ours_count, "X", &checked), 0);
    assert_true(checked >= 140);
}

/* The bits of fuse_file_info, as libfuse 3.14 on x86-64 places them. */
static void file_info_bits_are_placed(void **state)
{
    static const struct { const char *name; uint64_t first, width; } want[] = {
        { "fuse_file_info.writepage", 32, 1 },     { "fuse_file_info.direct_io", 33, 1 },
        { "fuse_file_info.keep_cache", 34, 1 },    { "fuse_file_info.flush", 35, 1 },
        { "fuse_file_info.nonseekable", 36, 1 },   { "fuse_file_info.flock_release", 37, 1 },
        { "fuse_file_info.cache_readdir", 38, 1 }, { "fuse_file_info.noflush", 39, 1 },
        { "fuse_file_info.padding", 40, 24 },      { "fuse_file_info.padding2", 64, 32 },
    };
    size_t found = 0;
    (void)state;
    fa_require_tables();
    for (size_t i = 0; i < fa_ours_count; i++) {
        for (size_t j = 0; j < sizeof(want) / sizeof(want[0]); j++) {
            if (fa_ours[i].kind == 'B' && !strcmp(fa_ours[i].name, want[j].name)) {
                assert_int_equal(fa_ours[i].offset, want[j].first);
                assert_int_equal(fa_ours[i].size, want[j].width);
                found++;
            }
        }
    }
    assert_int_equal(found, sizeof(want) / sizeof(want[0]));
    assert_int_equal(sizeof(struct fuse_file_info), 40);
    assert_int_equal(offsetof(struct fuse_file_info, fh), 16);
}

static void comparison_detects_differences(void **state)
{
    static struct fa_item changed[FA_MAX_ITEMS];
    size_t checked;
    (void)state;
    fa_require_tables();
    fa_quiet = true;
    for (size_t i = 0; i < fa_ours_count; i++) {
        memcpy(changed, fa_debian, fa_ours_count * sizeof(changed[0]));
        switch (changed[i].kind) {
        case 'S': case 'E': case 'B': changed[i].size++; break;
        case 'F': changed[i].offset += 4; break;
        default: changed[i].value ^= 1; break;
        }
        assert_int_equal(fa_compare(fa_ours, changed, fa_ours_count, "SFBEKMPX", &checked), 1);
    }
    fa_quiet = false;
}

static void our_header_names_are_listed(void **state)
{
    char dir[4096];
    (void)state;
    fa_require_tables();
    fa_our_dir(dir, sizeof(dir));
    assert_int_equal(fa_check_dir(dir, "our"), 0);
}

static void debian_header_names_are_listed(void **state)
{
    (void)state;
    fa_require_tables();
    assert_int_equal(fa_check_dir(FA_DEBIAN_DIR, "libfuse"), 0);
}

/* The same set of files: a program including any of libfuse's finds ours. */
static void header_sets_match(void **state)
{
    char dir[4096];
    const char *dirs[2] = { dir, FA_DEBIAN_DIR };
    (void)state;
    fa_our_dir(dir, sizeof(dir));
    for (int d = 0; d < 2; d++) {
        DIR *h = opendir(dirs[d]);
        size_t n = 0;
        struct dirent *e;
        assert_non_null(h);
        while ((e = readdir(h))) {
            if (e->d_name[0] == '.' || !strcmp(e->d_name, "winfuse.h"))
                continue;
            bool known = false;
            for (size_t i = 0; i < sizeof(fa_headers) / sizeof(fa_headers[0]); i++)
                known |= !strcmp(e->d_name, fa_headers[i]);
            if (!known)
                print_message("unexpected header %s/%s\n", dirs[d], e->d_name);
            assert_true(known);
            n++;
        }
        closedir(h);
        assert_int_equal(n, sizeof(fa_headers) / sizeof(fa_headers[0]));
    }
}

static void scanner_reads_declarations(void **state)
{
    char text[] =
        "/* fuse_ghost(1) */ #define FUSE_A 1\n"
        "# define FUSE_B(x) fuse_called(x)\n"
        "struct fuse_s { int (*fuse_member)(int); };\n"
        "struct fuse_fwd;\n"
        "struct fuse_cont \\\n { int a; };\n"
        "enum fuse_e { FUSE_K1 = (1 << 0), FUSE_K2, };\n"
        "typedef int (*fuse_cb_t)(int);\n"
        "int fuse_real (const char *s);\n"
        "const char *x = \"fuse_quoted(\";\n";
    struct fa_names n = { 0 };
    (void)state;
    fa_scan_text(text, &n);
    static const char *const want[] = {
        "FUSE_A", "FUSE_B", "fuse_called", "fuse_s", "fuse_e", "fuse_cont", "FUSE_K1", "FUSE_K2", "fuse_real",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (!fa_names_has(&n, want[i]))
            print_message("scanner missed %s\n", want[i]);
        assert_true(fa_names_has(&n, want[i]));
    }
    assert_false(fa_names_has(&n, "fuse_ghost"));
    assert_false(fa_names_has(&n, "fuse_fwd"));
    assert_false(fa_names_has(&n, "fuse_cb_t"));
    assert_false(fa_names_has(&n, "fuse_member"));
    assert_false(fa_names_has(&n, "fuse_quoted"));
    assert_int_equal(n.n, sizeof(want) / sizeof(want[0]));
    fa_names_free(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(debian_half_is_linked),
        cmocka_unit_test(both_tables_follow_one_list),
        cmocka_unit_test(struct_layouts_match),
        cmocka_unit_test(constants_match),
        cmocka_unit_test(function_macros_match),
        cmocka_unit_test(prototypes_are_listed),
        cmocka_unit_test(file_info_bits_are_placed),
        cmocka_unit_test(comparison_detects_differences),
        cmocka_unit_test(our_header_names_are_listed),
        cmocka_unit_test(debian_header_names_are_listed),
        cmocka_unit_test(header_sets_match),
        cmocka_unit_test(scanner_reads_declarations),
    };
    return WF_RUN_TESTS(tests);
}
