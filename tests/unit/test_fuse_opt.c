/*
 * test_fuse_opt.c - fuse_opt (src/libfuse/opt.c) and fuse_log (log.c).
 *
 * The parser must behave exactly as libfuse 3.14's: which templates match,
 * what the processing function sees, how -o lists are split, unescaped and
 * rebuilt, what "--" does, and the messages users read.
 *
 * The two sources are compiled into this program directly, so the test
 * needs neither the shared library nor a build-file line.
 */
#include "wf_test.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "../../src/libfuse/opt.c"
#include "../../src/libfuse/log.c"

/* ---- capturing the log ------------------------------------------------------ */

static char logged[4096];
static enum fuse_log_level logged_level;
static int log_calls;

static void capture_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
    size_t used = strlen(logged);
    logged_level = level;
    log_calls++;
    vsnprintf(logged + used, sizeof(logged) - used, fmt, ap);
}

static int setup_log(void **state)
{
    (void)state;
    logged[0] = '\0';
    log_calls = 0;
    fuse_set_log_func(capture_log);
    return 0;
}

static int teardown_log(void **state)
{
    (void)state;
    fuse_set_log_func(NULL);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

/* An allocated fuse_args from a NULL-terminated list. */
static struct fuse_args make_args(const char *const *v)
{
    struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
    for (; *v; v++)
        assert_int_equal(fuse_opt_add_arg(&a, *v), 0);
    return a;
}

#define ARGS(...) make_args((const char *const[]){ __VA_ARGS__, NULL })

static void assert_args(const struct fuse_args *a, const char *const *want)
{
    int n = 0;
    while (want[n])
        n++;
    if (a->argc != n) {
        for (int i = 0; i < a->argc; i++)
            print_message("  argv[%d] = '%s'\n", i, a->argv[i]);
    }
    assert_int_equal(a->argc, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(a->argv[i], want[i]);
    assert_null(a->argv[n]);
}

#define ASSERT_ARGS(a, ...) assert_args((a), (const char *const[]){ __VA_ARGS__, NULL })

/* What the processing function saw: "key:arg" lines. */
struct seen {
    char text[4096];
    int calls;
    int answer;             /* what the proc returns: 1 keep, 0 drop, -1 fail */
    const char *fail_on;    /* return -1 for this arg */
    const char *drop_on;    /* return 0 for this arg */
};

static int record_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct seen *s = *(struct seen **)data;
    size_t used = strlen(s->text);
    (void)outargs;
    s->calls++;
    snprintf(s->text + used, sizeof(s->text) - used, "%d:%s|", key, arg);
    if (s->fail_on && !strcmp(arg, s->fail_on))
        return -1;
    if (s->drop_on && !strcmp(arg, s->drop_on))
        return 0;
    return s->answer;
}

/* The data structure options write into; seen first so the proc finds it. */
struct data {
    struct seen *seen;
    char *str;
    char *str2;
    int flag;
    int flag2;
    int num;
    unsigned u;
    unsigned long ul;
    long long ll;
    int oct;
};

#define D(t, m, v) { t, offsetof(struct data, m), v }

/* ---- argument vectors -------------------------------------------------------- */

static void add_and_insert_args(void **state)
{
    struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
    (void)state;
    assert_int_equal(fuse_opt_add_arg(&a, "b"), 0);
    assert_int_equal(a.allocated, 1);
    assert_int_equal(fuse_opt_add_arg(&a, "d"), 0);
    assert_int_equal(fuse_opt_insert_arg(&a, 0, "a"), 0);
    assert_int_equal(fuse_opt_insert_arg(&a, 2, "c"), 0);
    assert_int_equal(fuse_opt_insert_arg(&a, 4, "e"), 0);
    ASSERT_ARGS(&a, "a", "b", "c", "d", "e");
    assert_int_equal(fuse_opt_insert_arg(&a, 6, "x"), -1);
    assert_int_equal(fuse_opt_insert_arg(&a, -1, "x"), -1);
    assert_int_equal(a.argc, 5);
    fuse_opt_free_args(&a);
    assert_int_equal(a.argc, 0);
    assert_null(a.argv);
    assert_int_equal(a.allocated, 0);
    fuse_opt_free_args(&a);     /* twice is harmless */
    fuse_opt_free_args(NULL);
}

/* The caller's own vector (FUSE_ARGS_INIT on main's argv) is copied, never touched. */
static void caller_vector_is_copied(void **state)
{
    char a0[] = "prog", a1[] = "x";
    char *argv[] = { a0, a1, NULL };
    struct fuse_args a = FUSE_ARGS_INIT(2, argv);
    (void)state;
    assert_int_equal(fuse_opt_add_arg(&a, "y"), 0);
    assert_int_equal(a.allocated, 1);
    assert_ptr_not_equal(a.argv, argv);
    ASSERT_ARGS(&a, "prog", "x", "y");
    assert_string_equal(argv[0], "prog");
    assert_null(argv[2]);
    fuse_opt_free_args(&a);
}

static void add_opt_joins_with_commas(void **state)
{
    char *o = NULL;
    (void)state;
    assert_int_equal(fuse_opt_add_opt(&o, "a"), 0);
    assert_string_equal(o, "a");
    assert_int_equal(fuse_opt_add_opt(&o, "b,c\\d"), 0);
    assert_string_equal(o, "a,b,c\\d");
    assert_int_equal(fuse_opt_add_opt_escaped(&o, "e,f\\g"), 0);
    assert_string_equal(o, "a,b,c\\d,e\\,f\\\\g");
    assert_int_equal(fuse_opt_add_opt(&o, ""), 0);
    assert_string_equal(o, "a,b,c\\d,e\\,f\\\\g,");
    free(o);

    /* an empty list gets no leading comma */
    o = strdup("");
    assert_int_equal(fuse_opt_add_opt(&o, "x"), 0);
    assert_string_equal(o, "x");
    free(o);
}

/* ---- parsing -------------------------------------------------------------------- */

static void empty_arguments_parse_to_nothing(void **state)
{
    struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
    struct fuse_opt none[] = { FUSE_OPT_END };
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, NULL, none, NULL), 0);
    assert_int_equal(fuse_opt_parse(NULL, NULL, none, NULL), 0);
    assert_null(a.argv);
}

static void templates_store_values(void **state)
{
    struct seen seen = { .answer = 1 };
    struct data d = { .seen = &seen };
    const struct fuse_opt opts[] = {
        D("foo=%s", str, 0),
        D("bar", flag, 7),
        D("--long", flag2, 3),
        D("-n %d", num, 0),
        D("u=%u", u, 0),
        D("ul=%lu", ul, 0),
        D("ll=%lli", ll, 0),
        D("oct=%o", oct, 0),
        FUSE_OPT_END
    };
    struct fuse_args a = ARGS("prog", "-o", "foo=one,bar", "--long", "-n", "-12", "-oul=99,u=4294967295",
                              "-oll=0x10,oct=17", "-ofoo=two");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, opts, record_proc), 0);
    assert_string_equal(d.str, "two");      /* replaced, the first freed */
    assert_int_equal(d.flag, 7);
    assert_int_equal(d.flag2, 3);
    assert_int_equal(d.num, -12);
    assert_int_equal(d.u, 4294967295u);
    assert_int_equal(d.ul, 99);
    assert_int_equal(d.ll, 16);
    assert_int_equal(d.oct, 15);
    assert_int_equal(seen.calls, 0);
    ASSERT_ARGS(&a, "prog");                /* all consumed */
    free(d.str);
    fuse_opt_free_args(&a);
}

static void separate_parameter_forms(void **state)
{
    struct seen seen = { .answer = 1 };
    struct data d = { .seen = &seen };
    const struct fuse_opt opts[] = {
        D("-n %d", num, 0),
        D("-s %s", str, 0),
        FUSE_OPT_KEY("-k ", 5),
        FUSE_OPT_END
    };
    struct fuse_args a = ARGS("prog", "-n42", "-s", "hello", "-k", "v1", "-kv2");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, opts, record_proc), 0);
    assert_int_equal(d.num, 42);
    assert_string_equal(d.str, "hello");
    /* a key option gets the joined form in both spellings */
    assert_string_equal(seen.text, "5:-kv1|5:-kv2|");
    ASSERT_ARGS(&a, "prog", "-kv1", "-kv2");
    free(d.str);
    fuse_opt_free_args(&a);
}

static void keys_reach_the_proc(void **state)
{
    struct seen seen = { .answer = 1, .drop_on = "dropme" };
    struct data d = { .seen = &seen };
    const struct fuse_opt opts[] = {
        FUSE_OPT_KEY("-k", 11),
        FUSE_OPT_KEY("kv=", 12),
        FUSE_OPT_KEY("keep", FUSE_OPT_KEY_KEEP),
        FUSE_OPT_KEY("-K", FUSE_OPT_KEY_KEEP),
        FUSE_OPT_KEY("gone", FUSE_OPT_KEY_DISCARD),
        FUSE_OPT_KEY("-G", FUSE_OPT_KEY_DISCARD),
        FUSE_OPT_END
    };
    struct fuse_args a = ARGS("prog", "-k", "-okv=1,keep,gone,other,dropme", "-K", "-G", "-z", "plain",
                              "-", "dropme");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, opts, record_proc), 0);
    assert_string_equal(seen.text, "11:-k|12:kv=1|-1:other|-1:dropme|-1:-z|-2:plain|-1:-|-2:dropme|");
    ASSERT_ARGS(&a, "prog", "-o", "kv=1,keep,other", "-k", "-K", "-z", "plain", "-");
    fuse_opt_free_args(&a);
}

static void without_proc_everything_unknown_is_kept(void **state)
{
    const struct fuse_opt opts[] = { FUSE_OPT_KEY("-x", 1), FUSE_OPT_END };
    struct fuse_args a = ARGS("prog", "-x", "-oa,b", "c", "-y");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, NULL, opts, NULL), 0);
    ASSERT_ARGS(&a, "prog", "-o", "a,b", "-x", "c", "-y");
    fuse_opt_free_args(&a);
}

static void every_matching_template_applies(void **state)
{
    struct seen seen = { .answer = 1 };
    struct data d = { .seen = &seen };
    const struct fuse_opt opts[] = {
        D("size=%u", u, 0),
        D("size=", flag, 1),
        FUSE_OPT_KEY("size=", FUSE_OPT_KEY_KEEP),
        D("-d", flag2, 1),
        D("-d", num, 9),
        FUSE_OPT_END
    };
    struct fuse_args a = ARGS("prog", "-osize=77", "-d");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, opts, record_proc), 0);
    assert_int_equal(d.u, 77);
    assert_int_equal(d.flag, 1);
    assert_int_equal(d.flag2, 1);
    assert_int_equal(d.num, 9);
    ASSERT_ARGS(&a, "prog", "-o", "size=77");
    assert_int_equal(fuse_opt_match(opts, "size=1"), 1);
    assert_int_equal(fuse_opt_match(opts, "size"), 0);
    assert_int_equal(fuse_opt_match(opts, "-d"), 1);
    assert_int_equal(fuse_opt_match(opts, "-dx"), 0);
    assert_int_equal(fuse_opt_match(NULL, "-d"), 0);
    fuse_opt_free_args(&a);
}

/* Templates match exactly unless they end in "=", "=%fmt", " " or " %fmt". */
static void template_matching_rules(void **state)
{
    const struct fuse_opt opts[] = {
        FUSE_OPT_KEY("exact", 1), FUSE_OPT_KEY("pre=", 2), FUSE_OPT_KEY("fmt=%s", 3),
        FUSE_OPT_KEY("-a ", 4), FUSE_OPT_KEY("-b %d", 5), FUSE_OPT_KEY("mid=x", 6),
        FUSE_OPT_KEY("-c%d", 7), FUSE_OPT_END
    };
    (void)state;
    assert_true(fuse_opt_match(opts, "exact"));
    assert_false(fuse_opt_match(opts, "exactly"));
    assert_false(fuse_opt_match(opts, "exac"));
    assert_true(fuse_opt_match(opts, "pre="));
    assert_true(fuse_opt_match(opts, "pre=anything"));
    assert_false(fuse_opt_match(opts, "pre"));
    assert_true(fuse_opt_match(opts, "fmt="));
    assert_true(fuse_opt_match(opts, "-a"));
    assert_true(fuse_opt_match(opts, "-avalue"));
    assert_true(fuse_opt_match(opts, "-b"));
    assert_true(fuse_opt_match(opts, "-b7"));
    assert_true(fuse_opt_match(opts, "mid=x"));
    assert_false(fuse_opt_match(opts, "mid=xy"));
    assert_true(fuse_opt_match(opts, "-c%d"));
    assert_false(fuse_opt_match(opts, "-c5"));
}

static void option_lists_unescape(void **state)
{
    struct seen seen = { .answer = 0 };
    struct data d = { .seen = &seen };
    const struct fuse_opt none[] = { FUSE_OPT_END };
    struct fuse_args a = ARGS("prog", "-o", "a\\,b,c\\\\d,\\101\\0410,\\8\\x,,end\\", "-o,");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, none, record_proc), 0);
    /* "\101" is 'A'; "\041" is '!' followed by '0'; "\8" is just '8' */
    assert_string_equal(seen.text, "-1:a,b|-1:c\\d|-1:A!0|-1:8x|-1:|-1:end\\|-1:|-1:|");
    ASSERT_ARGS(&a, "prog");
    fuse_opt_free_args(&a);
}

static void kept_list_items_are_escaped_again(void **state)
{
    const struct fuse_opt none[] = { FUSE_OPT_END };
    struct fuse_args a = ARGS("prog", "first", "-o", "a\\,b,c\\\\d", "-oe", "last");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, NULL, none, NULL), 0);
    ASSERT_ARGS(&a, "prog", "-o", "a\\,b,c\\\\d,e", "first", "last");
    fuse_opt_free_args(&a);
}

static void double_dash_ends_options(void **state)
{
    struct seen seen = { .answer = 1 };
    struct data d = { .seen = &seen };
    const struct fuse_opt opts[] = { D("-f", flag, 1), FUSE_OPT_END };
    struct fuse_args a = ARGS("prog", "-f", "--", "-f", "-ox");
    struct fuse_args b = ARGS("prog", "x", "--");
    struct fuse_args c = ARGS("prog", "-oa", "--");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, opts, record_proc), 0);
    assert_int_equal(d.flag, 1);
    assert_string_equal(seen.text, "-2:-f|-2:-ox|");
    ASSERT_ARGS(&a, "prog", "--", "-f", "-ox");

    /* a trailing "--" goes away ... */
    assert_int_equal(fuse_opt_parse(&b, &d, opts, record_proc), 0);
    ASSERT_ARGS(&b, "prog", "x");
    /* ... except when kept -o items were put in front of it, as libfuse does */
    assert_int_equal(fuse_opt_parse(&c, &d, opts, record_proc), 0);
    ASSERT_ARGS(&c, "prog", "-o", "a", "--");
    fuse_opt_free_args(&a);
    fuse_opt_free_args(&b);
    fuse_opt_free_args(&c);
}

static void proc_failure_leaves_args_alone(void **state)
{
    struct seen seen = { .answer = 1, .fail_on = "bad" };
    struct data d = { .seen = &seen };
    const struct fuse_opt none[] = { FUSE_OPT_END };
    struct fuse_args a = ARGS("prog", "-oa", "x", "-obad,c", "y");
    char **before = a.argv;
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, none, record_proc), -1);
    assert_ptr_equal(a.argv, before);
    ASSERT_ARGS(&a, "prog", "-oa", "x", "-obad,c", "y");
    assert_string_equal(seen.text, "-1:a|-2:x|-1:bad|");
    fuse_opt_free_args(&a);
}

/* ---- messages -------------------------------------------------------------------- */

static void missing_argument_message(void **state)
{
    struct data d = { 0 };
    const struct fuse_opt opts[] = { D("-n %d", num, 0), FUSE_OPT_END };
    struct fuse_args a = ARGS("prog", "-n");
    struct fuse_args b = ARGS("prog", "-o");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, opts, NULL), -1);
    assert_string_equal(logged, "fuse: missing argument after `-n'\n");
    assert_int_equal(logged_level, FUSE_LOG_ERR);
    logged[0] = '\0';
    assert_int_equal(fuse_opt_parse(&b, &d, opts, NULL), -1);
    assert_string_equal(logged, "fuse: missing argument after `-o'\n");
    fuse_opt_free_args(&a);
    fuse_opt_free_args(&b);
}

static void invalid_parameter_message(void **state)
{
    struct data d = { 0 };
    const struct fuse_opt opts[] = { D("num=%d", num, 0), D("-n %d", num, 0), FUSE_OPT_END };
    struct fuse_args a = ARGS("prog", "-onum=abc");
    struct fuse_args b = ARGS("prog", "-n", "xyz");
    (void)state;
    assert_int_equal(fuse_opt_parse(&a, &d, opts, NULL), -1);
    assert_string_equal(logged, "fuse: invalid parameter in option `num=abc'\n");
    logged[0] = '\0';
    /* the separate form is reported joined, as libfuse does */
    assert_int_equal(fuse_opt_parse(&b, &d, opts, NULL), -1);
    assert_string_equal(logged, "fuse: invalid parameter in option `-nxyz'\n");
    fuse_opt_free_args(&a);
    fuse_opt_free_args(&b);
}

static void log_goes_to_the_installed_function(void **state)
{
    (void)state;
    fuse_log(FUSE_LOG_WARNING, "%s %d\n", "hello", 42);
    assert_string_equal(logged, "hello 42\n");
    assert_int_equal(logged_level, FUSE_LOG_WARNING);
    assert_int_equal(log_calls, 1);
    fuse_set_log_func(NULL);        /* back to stderr: nothing captured */
    fuse_log(FUSE_LOG_DEBUG, "%s", "");
    assert_int_equal(log_calls, 1);
}

/* ---- randomized round trip ------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

/* Items escaped into one -o list come back one by one, unchanged and in order. */
static void escaped_lists_round_trip(void **state)
{
    static const char alphabet[] = "ab,\\=x 0-";
    const struct fuse_opt none[] = { FUSE_OPT_END };
    (void)state;
    for (int round = 0; round < 500; round++) {
        struct seen seen = { .answer = 1 };
        struct data d = { .seen = &seen };
        char items[8][16];
        char expect[4096] = "";
        char *list = NULL;
        int n = 1 + (int)(rng() % 8);
        for (int i = 0; i < n; i++) {
            /* an empty first item vanishes (libfuse adds no comma to an empty list) */
            int len = (int)(rng() % 15) + (i == 0);
            for (int j = 0; j < len; j++)
                items[i][j] = alphabet[rng() % (sizeof(alphabet) - 1)];
            items[i][len] = '\0';
            assert_int_equal(fuse_opt_add_opt_escaped(&list, items[i]), 0);
            size_t used = strlen(expect);
            snprintf(expect + used, sizeof(expect) - used, "-1:%s|", items[i]);
        }
        struct fuse_args a = ARGS("prog", "-o", list);
        assert_int_equal(fuse_opt_parse(&a, &d, none, record_proc), 0);
        assert_string_equal(seen.text, expect);
        /* kept, they are re-escaped into the same list */
        ASSERT_ARGS(&a, "prog", "-o", list);
        fuse_opt_free_args(&a);
        free(list);
    }
}


/* ---- against libfuse itself --------------------------------------------------- */

/*
 * The same random command lines through our parser and through Debian's
 * libfuse3.so.3 (loaded with dlopen; its internal calls stay inside it):
 * results, kept arguments, stored values, what the processing function
 * saw and the messages must all be equal.
 */
#define LIBFUSE_PATH "libfuse3.so.3"

struct diff_data {
    char trace[2048];
    char *str;
    int num;
    int flag;
    unsigned u;
    int flag2;
};

static int diff_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct diff_data *d = data;
    size_t used = strlen(d->trace), len = strlen(arg);
    (void)outargs;
    snprintf(d->trace + used, sizeof(d->trace) - used, "%d:%s|", key, arg);
    if (!strcmp(arg, "FAIL"))
        return -1;
    return len % 3 == 0 ? 0 : 1;
}

static char diff_log[2048];

static void diff_capture(enum fuse_log_level level, const char *fmt, va_list ap)
{
    size_t used = strlen(diff_log);
    (void)level;
    vsnprintf(diff_log + used, sizeof(diff_log) - used, fmt, ap);
}

struct opt_api {
    int (*parse)(struct fuse_args *, void *, const struct fuse_opt *, fuse_opt_proc_t);
    int (*add_arg)(struct fuse_args *, const char *);
    void (*free_args)(struct fuse_args *);
    void (*set_log)(fuse_log_func_t);
};

/* One run: everything observable, flattened into out. */
static void diff_run(const struct opt_api *api, const char *const *argv, int argc, char *out,
    size_t size)
{
    static const struct fuse_opt opts[] = {
        { "str=%s", offsetof(struct diff_data, str), 0 },
        { "-s %s", offsetof(struct diff_data, str), 0 },
        { "num=%d", offsetof(struct diff_data, num), 0 },
        { "-n %d", offsetof(struct diff_data, num), 0 },
        { "u=%u", offsetof(struct diff_data, u), 0 },
        { "u=", offsetof(struct diff_data, flag2), 4 },
        { "flag", offsetof(struct diff_data, flag), 1 },
        { "-f", offsetof(struct diff_data, flag), 2 },
        FUSE_OPT_KEY("-k", 21),
        FUSE_OPT_KEY("key=", 22),
        FUSE_OPT_KEY("-K ", 23),
        FUSE_OPT_KEY("keep", FUSE_OPT_KEY_KEEP),
        FUSE_OPT_KEY("gone", FUSE_OPT_KEY_DISCARD),
        FUSE_OPT_KEY("-g", FUSE_OPT_KEY_DISCARD),
        FUSE_OPT_END
    };
    struct diff_data d;
    struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
    int res, w;

    memset(&d, 0, sizeof(d));
    diff_log[0] = '\0';
    api->set_log(diff_capture);
    for (int i = 0; i < argc; i++)
        assert_int_equal(api->add_arg(&a, argv[i]), 0);
    res = api->parse(&a, &d, opts, diff_proc);
    w = snprintf(out, size, "res=%d str=%s num=%d flag=%d u=%u flag2=%d trace=%s log=%s args=",
        res, d.str ? d.str : "(null)", d.num, d.flag, d.u, d.flag2, d.trace, diff_log);
    for (int i = 0; i < a.argc && w > 0 && (size_t)w < size; i++)
        w += snprintf(out + w, size - (size_t)w, "[%s]", a.argv[i]);
    api->set_log(NULL);
    free(d.str);
    api->free_args(&a);
}

static void matches_libfuse_on_random_command_lines(void **state)
{
    static const char *const pool[] = {
        "-o", "-ostr=a", "-ostr=b,num=3", "-onum=x", "-onum=-4,u=7", "-ou=", "-oflag",
        "-oa\\,b,c\\\\d", "-o\\101\\0411", "-o,", "-okeep,gone,other", "-okey=v,keyless",
        "--", "-", "-f", "-fx", "-k", "-kk", "-K", "-Kv", "-g", "-s", "-sval", "-n", "-n5",
        "plain", "FAIL", "abc", "-x", "-opq,FAIL", "-o\\", "-ostr=\\,", "12", "",
    };
    struct opt_api ours = { fuse_opt_parse, fuse_opt_add_arg, fuse_opt_free_args,
                            fuse_set_log_func };
    struct opt_api theirs;
    void *h = dlopen(LIBFUSE_PATH, RTLD_NOW | RTLD_LOCAL);
    (void)state;
    if (!h) {
        print_message("libfuse3 (Debian libfuse3-3) not installed: %s\n", dlerror());
        skip();
    }
    *(void **)&theirs.parse = dlsym(h, "fuse_opt_parse");
    *(void **)&theirs.add_arg = dlsym(h, "fuse_opt_add_arg");
    *(void **)&theirs.free_args = dlsym(h, "fuse_opt_free_args");
    *(void **)&theirs.set_log = dlsym(h, "fuse_set_log_func");
    assert_non_null(theirs.parse);
    assert_non_null(theirs.add_arg);
    assert_non_null(theirs.free_args);
    assert_non_null(theirs.set_log);
    assert_ptr_not_equal((void *)theirs.parse, (void *)fuse_opt_parse);

    for (int round = 0; round < 3000; round++) {
        const char *argv[10];
        char a[4096], b[4096];
        int argc = 1 + (int)(rng() % 9);
        argv[0] = "prog";
        for (int i = 1; i < argc; i++)
            argv[i] = pool[rng() % (sizeof(pool) / sizeof(pool[0]))];
        diff_run(&ours, argv, argc, a, sizeof(a));
        diff_run(&theirs, argv, argc, b, sizeof(b));
        if (strcmp(a, b)) {
            for (int i = 0; i < argc; i++)
                print_message("  argv[%d] = '%s'\n", i, argv[i]);
        }
        assert_string_equal(a, b);
    }
    dlclose(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_and_insert_args),
        cmocka_unit_test(caller_vector_is_copied),
        cmocka_unit_test(add_opt_joins_with_commas),
        cmocka_unit_test(empty_arguments_parse_to_nothing),
        cmocka_unit_test(templates_store_values),
        cmocka_unit_test(separate_parameter_forms),
        cmocka_unit_test(keys_reach_the_proc),
        cmocka_unit_test(without_proc_everything_unknown_is_kept),
        cmocka_unit_test(every_matching_template_applies),
        cmocka_unit_test(template_matching_rules),
        cmocka_unit_test(option_lists_unescape),
        cmocka_unit_test(kept_list_items_are_escaped_again),
        cmocka_unit_test(double_dash_ends_options),
        cmocka_unit_test(proc_failure_leaves_args_alone),
        cmocka_unit_test_setup_teardown(missing_argument_message, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(invalid_parameter_message, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(log_goes_to_the_installed_function, setup_log, teardown_log),
        cmocka_unit_test(escaped_lists_round_trip),
        cmocka_unit_test(matches_libfuse_on_random_command_lines),
    };
    return WF_RUN_TESTS(tests);
}
