/*
 * test_fuse_proto.c - include/winfuse/fuse_proto.h against <linux/fuse.h>.
 *
 * The two headers cannot meet in one translation unit, so this unit measures
 * ours and fuse_proto_kernel.c measures the kernel's, each through the one
 * list in fuse_proto_list.h: every struct's size and alignment, every
 * member's offset, size and type, every constant's value and type, and what
 * the function-like macros compute. Then both headers' text is read back and
 * every name found in either must be on the list, so nothing can be added to
 * or left out of one side unnoticed.
 */
#include "wf_test.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "winfuse/fuse_proto.h"

#define FP_TABLE_FUNCTION fuse_proto_ours_items
#include "fuse_proto_list.h"

/*
 * The kernel's half lives in fuse_proto_kernel.c. Weak, so that an
 * executable built without it still links and then says what is missing
 * instead of breaking everybody's build.
 */
#pragma weak fuse_proto_kernel_items

#define FP_KERNEL_HEADER "/usr/include/linux/fuse.h"

#define FP_CMAKE_HINT \
    "fuse_proto_kernel.c is not linked into test_fuse_proto; CMakeLists.txt needs, after the " \
    "unit-test loop: target_sources(test_fuse_proto PRIVATE " \
    "${CMAKE_SOURCE_DIR}/tests/unit/fuse_proto_kernel.c)"

/* ---- the two tables ------------------------------------------------------ */

static struct fp_item fp_ours[FP_MAX_ITEMS];
static struct fp_item fp_kernel[FP_MAX_ITEMS];
static size_t fp_ours_count;
static size_t fp_kernel_count;

static bool fp_tables(void)
{
    if (!fuse_proto_kernel_items)
        return false;
    if (!fp_ours_count) {
        fp_ours_count = fuse_proto_ours_items(fp_ours, FP_MAX_ITEMS);
        fp_kernel_count = fuse_proto_kernel_items(fp_kernel, FP_MAX_ITEMS);
    }
    return true;
}

static void fp_require_tables(void)
{
    if (!fp_tables())
        fail_msg("%s", FP_CMAKE_HINT);
    assert_true(fp_ours_count <= FP_MAX_ITEMS);
    assert_int_equal(fp_ours_count, fp_kernel_count);
}

static const char *fp_kind_name(char kind)
{
    switch (kind) {
    case 'S': return "struct";
    case 'F': return "member";
    case 'V': return "flexible member";
    case 'E': return "enum";
    case 'K': return "enumerator";
    case 'M': return "macro";
    case 'P': return "function-like macro";
    default: return "?";
    }
}

/* One difference; quiet when a test provokes differences on purpose. */
static bool fp_quiet;

static void fp_report(const char *format, ...) CMOCKA_PRINTF_ATTRIBUTE(1, 2);

static void fp_report(const char *format, ...)
{
    va_list ap;
    if (fp_quiet)
        return;
    va_start(ap, format);
    vprint_error(format, ap);
    va_end(ap);
}

/*
 * Compare the items of the given kinds; report every difference rather than
 * stop at the first, so one run shows everything that is wrong.
 */
static int fp_compare(const char *kinds, size_t *checked)
{
    int bad = 0;

    *checked = 0;
    for (size_t i = 0; i < fp_ours_count; i++) {
        const struct fp_item *o = &fp_ours[i], *k = &fp_kernel[i];
        const char *what = fp_kind_name(o->kind);
        if (!strchr(kinds, o->kind))
            continue;
        ++*checked;
        if (o->kind != k->kind || strcmp(o->name, k->name)) {
            fp_report("item %zu: ours is %s %s, the kernel's is %s %s\n",
                i, what, o->name, fp_kind_name(k->kind), k->name);
            bad++;
            continue;
        }
        if (o->size != k->size) {
            fp_report("%s %s: size %llu, the kernel's %llu\n", what, o->name,
                (unsigned long long)o->size, (unsigned long long)k->size);
            bad++;
        }
        if (o->offset != k->offset) {
            fp_report("%s %s: %s %llu, the kernel's %llu\n", what, o->name,
                o->kind == 'S' ? "alignment" : "offset",
                (unsigned long long)o->offset, (unsigned long long)k->offset);
            bad++;
        }
        if (o->value != k->value) {
            fp_report("%s %s: %s 0x%llx, the kernel's 0x%llx\n", what, o->name,
                o->kind == 'P' ? "digest of results" : "value",
                (unsigned long long)o->value, (unsigned long long)k->value);
            bad++;
        }
        /* "?" is a type FP_TYPE does not know, so it proves nothing */
        if (strcmp(o->type, k->type) || !strcmp(o->type, "?")) {
            fp_report("%s %s: type %s, the kernel's %s\n", what, o->name, o->type, k->type);
            bad++;
        }
    }
    return bad;
}

/* ---- reading a header's names ------------------------------------------------ */

/*
 * A sorted set of "kind name" strings: "S tag", "F tag.member", "E tag",
 * "K enumerator", "M macro", "P macro". Flexible members count as F: the
 * header text does not tell them apart any better than a declaration does.
 */
struct fp_names {
    char **v;
    size_t n, cap;
};

static void fp_names_add(struct fp_names *s, char kind, const char *a, size_t alen,
    const char *b, size_t blen)
{
    size_t len = 2 + alen + (b ? 1 + blen : 0);
    char *e = malloc(len + 1);
    assert_non_null(e);
    e[0] = kind;
    e[1] = ' ';
    memcpy(e + 2, a, alen);
    if (b) {
        e[2 + alen] = '.';
        memcpy(e + 3 + alen, b, blen);
    }
    e[len] = 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
        assert_non_null(s->v);
    }
    s->v[s->n++] = e;
}

static int fp_names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates (a macro defined in two #if branches). */
static void fp_names_finish(struct fp_names *s)
{
    size_t w = 0;
    if (!s->n)
        return;
    qsort(s->v, s->n, sizeof(*s->v), fp_names_cmp);
    for (size_t r = 1; r < s->n; r++) {
        if (strcmp(s->v[r], s->v[w]))
            s->v[++w] = s->v[r];
        else
            free(s->v[r]);
    }
    s->n = w + 1;
}

static void fp_names_free(struct fp_names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static bool fp_is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool fp_is_ident(char c)
{
    return fp_is_ident_start(c) || (c >= '0' && c <= '9');
}

/*
 * Blank out comments and line continuations (keeping newlines, so that
 * preprocessor lines stay lines); string and character literals are kept
 * whole so that a quote cannot open a comment.
 */
static void fp_clean(char *t, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
            t[i++] = ' ';
            t[i++] = ' ';
            while (i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/')) {
                if (t[i] != '\n')
                    t[i] = ' ';
                i++;
            }
            for (int k = 0; k < 2 && i < len; k++)
                t[i++] = ' ';
        } else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n')
                t[i++] = ' ';
        } else if (t[i] == '"' || t[i] == '\'') {
            char q = t[i++];
            while (i < len && t[i] != q && t[i] != '\n') {
                if (t[i] == '\\' && i + 1 < len)
                    i++;
                i++;
            }
            if (i < len)
                i++;
        } else if (t[i] == '\\' && i + 1 < len && t[i + 1] == '\n') {
            t[i++] = ' ';
            t[i++] = ' ';
        } else {
            i++;
        }
    }
}

/* Names of our own making that are not part of the protocol. */
static bool fp_private_macro(const char *name, size_t len)
{
    return name[0] == '_' ||
        (len >= 8 && !memcmp(name, "WINFUSE_", 8)) || (len >= 3 && !memcmp(name, "WF_", 3));
}

/* Record each #define and blank the line, leaving only C for the next pass. */
static void fp_scan_directives(char *t, size_t len, struct fp_names *out)
{
    size_t line = 0;
    while (line < len) {
        size_t end = line;
        while (end < len && t[end] != '\n')
            end++;
        size_t i = line;
        while (i < end && (t[i] == ' ' || t[i] == '\t'))
            i++;
        if (i < end && t[i] == '#') {
            i++;
            while (i < end && (t[i] == ' ' || t[i] == '\t'))
                i++;
            if (end - i > 6 && !memcmp(t + i, "define", 6) && (t[i + 6] == ' ' || t[i + 6] == '\t')) {
                i += 6;
                while (i < end && (t[i] == ' ' || t[i] == '\t'))
                    i++;
                size_t name = i;
                while (i < end && fp_is_ident(t[i]))
                    i++;
                if (i > name && !fp_private_macro(t + name, i - name))
                    fp_names_add(out, i < end && t[i] == '(' ? 'P' : 'M', t + name, i - name, NULL, 0);
            }
            memset(t + line, ' ', end - line);
        }
        line = end + 1;
    }
}

struct fp_token {
    const char *p;
    size_t len;
    char kind;                  /* 'i' identifier, 'n' number, 's' literal, else the punctuator */
};

static size_t fp_tokenize(const char *t, size_t len, struct fp_token *tok, size_t cap)
{
    size_t n = 0, i = 0;
    while (i < len) {
        char c = t[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        size_t start = i;
        char kind;
        if (fp_is_ident_start(c)) {
            while (i < len && fp_is_ident(t[i]))
                i++;
            kind = 'i';
        } else if (c >= '0' && c <= '9') {
            while (i < len && (fp_is_ident(t[i]) || t[i] == '.'))
                i++;
            kind = 'n';
        } else if (c == '"' || c == '\'') {
            i++;
            while (i < len && t[i] != c && t[i] != '\n') {
                if (t[i] == '\\' && i + 1 < len)
                    i++;
                i++;
            }
            if (i < len)
                i++;
            kind = 's';
        } else {
            i++;
            kind = c;
        }
        assert_true(n < cap);
        tok[n++] = (struct fp_token){ t + start, i - start, kind };
    }
    return n;
}

static bool fp_tok_is(const struct fp_token *t, const char *word)
{
    return t->kind == 'i' && t->len == strlen(word) && !memcmp(t->p, word, t->len);
}

/*
 * Walk one struct or enum body, tok[b] being the token after '{'; returns
 * the index of the matching '}'. A member's name is the last identifier of
 * its declarator outside brackets; an enumerator is the first identifier
 * after '{' or a comma.
 */
static size_t fp_scan_body(const struct fp_token *tok, size_t n, size_t b, bool is_enum,
    const struct fp_token *tag, struct fp_names *out)
{
    int depth = 0;
    const struct fp_token *last = NULL;
    bool want_first = true;
    size_t i;

    for (i = b; i < n; i++) {
        char k = tok[i].kind;
        if (k == '{' || k == '(' || k == '[') {
            depth++;
            continue;
        }
        if (k == ')' || k == ']') {
            depth--;
            continue;
        }
        if (k == '}') {
            if (depth == 0)
                break;
            depth--;
            continue;
        }
        if (depth)
            continue;
        if (is_enum) {
            if (k == ',')
                want_first = true;
            else if (k == 'i' && want_first) {
                fp_names_add(out, 'K', tok[i].p, tok[i].len, NULL, 0);
                want_first = false;
            }
        } else if (k == ',' || k == ';') {
            if (last)
                fp_names_add(out, 'F', tag->p, tag->len, last->p, last->len);
            last = NULL;
        } else if (k == 'i') {
            last = &tok[i];
        }
    }
    /* a member left without its ';' is a declaration the scanner cannot read */
    assert_null(last);
    return i;
}

static void fp_scan_text(char *t, size_t len, struct fp_names *out)
{
    fp_clean(t, len);
    fp_scan_directives(t, len, out);

    size_t cap = len + 16;
    struct fp_token *tok = malloc(cap * sizeof(*tok));
    assert_non_null(tok);
    size_t n = fp_tokenize(t, len, tok, cap);

    for (size_t i = 0; i + 2 < n; i++) {
        bool is_struct = fp_tok_is(&tok[i], "struct"), is_enum = fp_tok_is(&tok[i], "enum");
        if ((!is_struct && !is_enum) || tok[i + 1].kind != 'i' || tok[i + 2].kind != '{')
            continue;
        fp_names_add(out, is_enum ? 'E' : 'S', tok[i + 1].p, tok[i + 1].len, NULL, 0);
        i = fp_scan_body(tok, n, i + 3, is_enum, &tok[i + 1], out);
    }
    free(tok);
    fp_names_finish(out);
}

static bool fp_scan_file(const char *path, struct fp_names *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = 1 << 16, len = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    for (;;) {
        size_t got = fread(t + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        cap *= 2;
        t = realloc(t, cap);
        assert_non_null(t);
    }
    fclose(f);
    fp_scan_text(t, len, out);
    free(t);
    return true;
}

/* The names the list holds, in the same form. */
static void fp_list_names(struct fp_names *out)
{
    for (size_t i = 0; i < fp_ours_count; i++) {
        const struct fp_item *it = &fp_ours[i];
        const char *dot = strchr(it->name, '.');
        char kind = it->kind == 'V' ? 'F' : it->kind;
        if (dot)
            fp_names_add(out, kind, it->name, (size_t)(dot - it->name), dot + 1, strlen(dot + 1));
        else
            fp_names_add(out, kind, it->name, strlen(it->name), NULL, 0);
    }
    fp_names_finish(out);
}

/* Print the names only one side has; return how many. */
static int fp_names_diff(const struct fp_names *list, const struct fp_names *hdr, const char *what)
{
    size_t i = 0, j = 0;
    int bad = 0;
    while (i < list->n || j < hdr->n) {
        int c = i == list->n ? 1 : j == hdr->n ? -1 : strcmp(list->v[i], hdr->v[j]);
        if (c < 0) {
            print_error("%s lacks \"%s\", which the list has\n", what, list->v[i++]);
            bad++;
        } else if (c > 0) {
            print_error("%s has \"%s\", which the list lacks\n", what, hdr->v[j++]);
            bad++;
        } else {
            i++;
            j++;
        }
    }
    return bad;
}

/* Our header, found from this file's path: tests/unit/ -> include/winfuse/. */
static void fp_our_header_path(char *buf, size_t size)
{
    static const char self[] = "tests/unit/test_fuse_proto.c";
    const char *file = __FILE__;
    size_t len = strlen(file), slen = sizeof(self) - 1;
    size_t root = len >= slen && !strcmp(file + len - slen, self) ? len - slen : 0;
    int w = snprintf(buf, size, "%.*sinclude/winfuse/fuse_proto.h", (int)root, file);
    assert_true(w > 0 && (size_t)w < size);
}

static void fp_check_header_names(const char *path, const char *what)
{
    struct fp_names list = { 0 }, hdr = { 0 };

    fp_require_tables();
    if (!fp_scan_file(path, &hdr))
        fail_msg("cannot read %s (%s)", what, path);
    fp_list_names(&list);
    assert_true(hdr.n > 400);
    int bad = fp_names_diff(&list, &hdr, what);
    fp_names_free(&list);
    fp_names_free(&hdr);
    assert_int_equal(bad, 0);
}

/* ---- the tests ---------------------------------------------------------------- */

static void kernel_half_is_linked(void **state)
{
    (void)state;
    if (!fp_tables())
        fail_msg("%s", FP_CMAKE_HINT);
}

static void both_tables_follow_one_list(void **state)
{
    (void)state;
    fp_require_tables();
    /* about 490 names in 7.38; far fewer means the list was cut */
    assert_true(fp_ours_count > 450);
    for (size_t i = 0; i < fp_ours_count; i++) {
        assert_int_equal(fp_ours[i].kind, fp_kernel[i].kind);
        assert_string_equal(fp_ours[i].name, fp_kernel[i].name);
    }
}

static void struct_layouts_match(void **state)
{
    size_t checked;
    (void)state;
    fp_require_tables();
    assert_int_equal(fp_compare("SFVE", &checked), 0);
    assert_true(checked > 300);
}

static void constants_match(void **state)
{
    size_t checked;
    (void)state;
    fp_require_tables();
    assert_int_equal(fp_compare("KM", &checked), 0);
    assert_true(checked > 150);
}

static void function_macros_match(void **state)
{
    size_t checked;
    (void)state;
    fp_require_tables();
    assert_int_equal(fp_compare("P", &checked), 0);
    assert_int_equal(checked, 4);
}

static void kernel_header_names_are_listed(void **state)
{
    (void)state;
    fp_check_header_names(FP_KERNEL_HEADER, "<linux/fuse.h>");
}

static void our_header_names_are_listed(void **state)
{
    char path[4096];
    (void)state;
    fp_our_header_path(path, sizeof(path));
    fp_check_header_names(path, "winfuse/fuse_proto.h");
}

/* The scanner on a small header with every construct it must understand. */
static void scanner_reads_declarations(void **state)
{
    static const char text[] =
        "#ifndef _GUARD_H\n"
        "#define _GUARD_H\n"
        "  #  define FUSE_A (1 << 0) /* a comment with struct x { int y; } */\n"
        "#define FUSE_F(x) \\\n"
        "    ((x) + 1)\n"
        "#define WF_PRIVATE 1\n"
        "// struct commented { int out; };\n"
        "struct fuse_s {\n"
        "    uint64_t a;         /* ; , */\n"
        "    uint32_t b[11];\n"
        "    struct fuse_t c, d;\n"
        "    char name[];\n"
        "};\n"
        "enum fuse_e { FUSE_X = 1, FUSE_Y = FUSE_X << 8, /* FUSE_NOT */ FUSE_Z };\n"
        "WF_ASSERT(sizeof(struct fuse_s) == 24, \"struct q { int r; }\");\n"
        "#endif\n";
    static const char *const want[] = {
        "E fuse_e", "F fuse_s.a", "F fuse_s.b", "F fuse_s.c", "F fuse_s.d", "F fuse_s.name",
        "K FUSE_X", "K FUSE_Y", "K FUSE_Z", "M FUSE_A", "P FUSE_F", "S fuse_s",
    };
    struct fp_names got = { 0 };
    char *t = malloc(sizeof(text));
    (void)state;
    assert_non_null(t);
    memcpy(t, text, sizeof(text));
    fp_scan_text(t, sizeof(text) - 1, &got);
    free(t);
    bool same = got.n == sizeof(want) / sizeof(want[0]);
    for (size_t i = 0; same && i < got.n; i++)
        same = !strcmp(got.v[i], want[i]);
    for (size_t i = 0; !same && i < got.n; i++)
        print_error("scanned: %s\n", got.v[i]);
    assert_true(same);
    fp_names_free(&got);
}

/* The comparison itself must notice a difference in any column. */
static void comparison_detects_differences(void **state)
{
    size_t checked;
    (void)state;
    fp_require_tables();
    assert_string_equal(fp_kernel[4].name, "fuse_attr.ino");
    fp_quiet = true;
    /* counted on top of whatever else differs, which other tests report */
    int base = fp_compare("SFVEKMP", &checked);
    assert_int_equal(checked, fp_ours_count);
    for (int column = 0; column < 5; column++) {
        size_t i = 4 + (size_t)column % 2;     /* fuse_attr.ino or fuse_attr.size */
        struct fp_item saved = fp_kernel[i];
        switch (column) {
        case 0: fp_kernel[i].size++; break;
        case 1: fp_kernel[i].offset++; break;
        case 2: fp_kernel[i].value ^= 1; break;
        case 3: fp_kernel[i].type = "long"; break;
        case 4: fp_kernel[i].name = "fuse_attr.other"; break;
        }
        int bad = fp_compare("SFVEKMP", &checked);
        fp_kernel[i] = saved;
        if (bad != base + 1)
            fp_quiet = false;
        assert_int_equal(bad, base + 1);
    }
    fp_quiet = false;
}

static void version_is_at_least_7_31(void **state)
{
    (void)state;
    assert_int_equal(FUSE_KERNEL_VERSION, 7);
    assert_true(FUSE_KERNEL_MINOR_VERSION >= 31);
    assert_int_equal(FUSE_ROOT_ID, 1);
}

/*
 * Constants keep the kernel's types, which decide how they widen into a
 * 64-bit flag word: a 32-bit int flag sign-extends, a flags2 bit is 64-bit.
 */
static void flag_types_widen_like_the_kernel(void **state)
{
    uint64_t flags = 0;
    (void)state;
    flags |= FUSE_ASYNC_READ | FUSE_INIT_EXT;
    flags |= FUSE_SECURITY_CTX | FUSE_HAS_INODE_DAX;
    assert_true(flags & FUSE_HAS_INODE_DAX);
    assert_int_equal((uint32_t)(flags >> 32), 0x3);
    flags &= ~(uint64_t)FUSE_ASYNC_READ;
    assert_int_equal(flags, (uint64_t)FUSE_INIT_EXT | FUSE_SECURITY_CTX | FUSE_HAS_INODE_DAX);
    assert_int_equal((uint32_t)FUSE_INIT_RESERVED, 0x80000000u);
    assert_int_equal(sizeof(FUSE_INIT_RESERVED), sizeof(int));
    assert_int_equal(FUSE_HAS_EXPIRE_ONLY >> 32, 1u << 3);
    assert_int_equal(FUSE_SETUPMAPPING_FLAG_READ, 2);
    assert_int_equal(FUSE_WRITE_KILL_PRIV, FUSE_WRITE_KILL_SUIDGID);
    assert_int_equal(FUSE_NOTIFY_CODE_MAX, FUSE_NOTIFY_DELETE + 1);
    assert_int_equal(FUSE_INIT_BSWAP_RESERVED, 0x1a000000);
    assert_int_equal(CUSE_INIT_BSWAP_RESERVED, 0x100000);
}

static uint32_t fp_rand_state = 0x2545f491u;

static uint32_t fp_rand(void)
{
    uint32_t x = fp_rand_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return fp_rand_state = x;
}

/*
 * A READDIR reply packed and walked with the header's macros, as a server
 * and the engine would: names of random lengths survive, every record
 * starts 8-byte aligned, and sizes agree with the arithmetic done by hand.
 */
static void dirents_round_trip(void **state)
{
    enum { BUF = 1 << 16 };
    unsigned char *buf = calloc(1, BUF);
    char names[64][256];
    size_t lens[64];
    size_t used = 0, count = 0;
    (void)state;
    assert_non_null(buf);

    fp_rand_state = 0x2545f491u;
    while (count < 64) {
        size_t nlen = 1 + fp_rand() % 255;
        for (size_t k = 0; k < nlen; k++)
            names[count][k] = (char)('a' + fp_rand() % 26);
        struct fuse_dirent d = { 0 };
        d.ino = 1000 + count;
        d.off = count + 1;
        d.namelen = (uint32_t)nlen;
        d.type = count & 1 ? 4 : 8;
        size_t rec = FUSE_DIRENT_SIZE(&d);
        assert_int_equal(rec, (24 + nlen + 7) / 8 * 8);
        assert_int_equal(rec % 8, 0);
        if (used + rec > BUF)
            break;
        memcpy(buf + used, &d, FUSE_NAME_OFFSET);
        memcpy(buf + used + FUSE_NAME_OFFSET, names[count], nlen);
        lens[count++] = nlen;
        used += rec;
    }

    size_t at = 0;
    for (size_t n = 0; n < count; n++) {
        struct fuse_dirent d;
        assert_true(at + FUSE_NAME_OFFSET <= used);
        memcpy(&d, buf + at, FUSE_NAME_OFFSET);
        assert_int_equal(d.ino, 1000 + n);
        assert_int_equal(d.off, n + 1);
        assert_int_equal(d.namelen, lens[n]);
        assert_memory_equal(buf + at + FUSE_NAME_OFFSET, names[n], lens[n]);
        /* the padding after a name is zero, as the kernel expects */
        for (size_t k = FUSE_NAME_OFFSET + lens[n]; k < FUSE_DIRENT_SIZE(&d); k++)
            assert_int_equal(buf[at + k], 0);
        at += FUSE_DIRENT_SIZE(&d);
    }
    assert_int_equal(at, used);

    struct fuse_direntplus dp;
    memset(&dp, 0, sizeof(dp));
    for (uint32_t nlen = 0; nlen < 64; nlen++) {
        dp.dirent.namelen = nlen;
        assert_int_equal(FUSE_DIRENTPLUS_SIZE(&dp), (152 + nlen + 7) / 8 * 8);
    }
    assert_int_equal(FUSE_NAME_OFFSET, 24);
    assert_int_equal(FUSE_NAME_OFFSET_DIRENTPLUS, 152);
    assert_int_equal(FUSE_REC_ALIGN(0), 0);
    assert_int_equal(FUSE_REC_ALIGN(1), 8);
    assert_int_equal(FUSE_REC_ALIGN(8), 8);
    free(buf);
}

/* The headers the protocol begins and ends every message with, byte by byte. */
static void headers_lay_out_little_endian_bytes(void **state)
{
    struct fuse_in_header in;
    struct fuse_out_header out;
    unsigned char b[40];
    const uint16_t probe = 1;
    (void)state;
    if (*(const unsigned char *)&probe != 1)
        skip();

    memset(&in, 0, sizeof(in));
    in.len = 0x11223344;
    in.opcode = FUSE_LOOKUP;
    in.unique = 0x0102030405060708ull;
    in.nodeid = FUSE_ROOT_ID;
    in.uid = 1000;
    in.gid = 100;
    in.pid = 4242;
    in.total_extlen = 3;
    memcpy(b, &in, sizeof(in));
    static const unsigned char want_in[40] = {
        0x44, 0x33, 0x22, 0x11, 1, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1,
        1, 0, 0, 0, 0, 0, 0, 0, 0xe8, 3, 0, 0, 100, 0, 0, 0,
        0x92, 0x10, 0, 0, 3, 0, 0, 0,
    };
    assert_memory_equal(b, want_in, 40);

    memset(&out, 0, sizeof(out));
    out.len = 16;
    out.error = -2;
    out.unique = 7;
    memcpy(b, &out, sizeof(out));
    static const unsigned char want_out[16] = {
        16, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 7, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_memory_equal(b, want_out, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kernel_half_is_linked),
        cmocka_unit_test(both_tables_follow_one_list),
        cmocka_unit_test(struct_layouts_match),
        cmocka_unit_test(constants_match),
        cmocka_unit_test(function_macros_match),
        cmocka_unit_test(kernel_header_names_are_listed),
        cmocka_unit_test(our_header_names_are_listed),
        cmocka_unit_test(scanner_reads_declarations),
        cmocka_unit_test(comparison_detects_differences),
        cmocka_unit_test(version_is_at_least_7_31),
        cmocka_unit_test(flag_types_widen_like_the_kernel),
        cmocka_unit_test(dirents_round_trip),
        cmocka_unit_test(headers_lay_out_little_endian_bytes),
    };
    return WF_RUN_TESTS(tests);
}
