/*
 * test_fuse3_lib.c - the built libfuse3.so.3 against Debian's.
 *
 * Programs linked against Debian's libfuse3.so.3 must load ours unchanged:
 * the same version nodes (with the same parents) and every symbol in the
 * same node, hidden (name@node) or default (name@@node), read here from
 * both files' ELF dynamic symbol tables. Then the helpers that need the
 * whole library (fuse_parse_cmdline in both layouts, the connection
 * options, the signal handlers, the versions) are called in ours, loaded
 * with dlopen, and where it makes sense in Debian's for comparison.
 *
 * Ours is found beside this program: <build>/tests/ -> <build>/lib/.
 */
#include "wf_test.h"

#include <dlfcn.h>
#include <elf.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define FUSE_USE_VERSION 314
#include "fuse3/fuse_lowlevel.h"

#define DEBIAN_LIB "/lib/x86_64-linux-gnu/libfuse3.so.3"

/*
 * Debian's library stays loaded for the whole run: libfuse 3.14 leaks on
 * some of the error paths compared here (fuse_parse_conn_info_opts on a
 * malformed option), and LeakSanitizer can only tell its leaks from ours
 * while it is still mapped, by its path.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:" DEBIAN_LIB "\n";
}

static void *open_debian(void)
{
    static void *handle;
    if (!handle)
        handle = dlopen(DEBIAN_LIB, RTLD_NOW | RTLD_LOCAL);
    return handle;
}

#define BUILD_HINT \
    "build the library first (cmake --build <dir> --target fuse3); CMakeLists.txt can make " \
    "that automatic: add_dependencies(test_fuse3_lib fuse3)"

/* What we export beyond libfuse: the engine channel (include/fuse3/winfuse.h). */
static const char *const our_extensions[] = {
    "fuse_session_mount_engine@@WINFUSE_1.0",
    "fuse_mount_engine@@WINFUSE_1.0",
};

static void our_lib_path(char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    assert_non_null(slash);
    *slash = '\0';
    slash = strrchr(exe, '/');
    assert_non_null(slash);
    *slash = '\0';
    int w = snprintf(buf, size, "%s/lib/libfuse3.so.3", exe);
    assert_true(w > 0 && (size_t)w < size);
}

/* ---- reading the dynamic symbols --------------------------------------------- */

struct exports {
    char **sym;         /* "name@node" (hidden) or "name@@node" (default) */
    size_t nsym;
    char **node;        /* "node" or "node:parent" */
    size_t nnode;
    size_t weak;        /* defined symbols with weak binding */
};

static void push(char ***v, size_t *n, const char *s)
{
    *v = realloc(*v, (*n + 1) * sizeof(**v));
    assert_non_null(*v);
    (*v)[*n] = strdup(s);
    assert_non_null((*v)[*n]);
    (*n)++;
}

static void exports_free(struct exports *e)
{
    for (size_t i = 0; i < e->nsym; i++)
        free(e->sym[i]);
    for (size_t i = 0; i < e->nnode; i++)
        free(e->node[i]);
    free(e->sym);
    free(e->node);
    memset(e, 0, sizeof(*e));
}

static bool has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, r;
    if (!f)
        return NULL;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *size = n;
    return buf;
}

#define IN_FILE(off, len) ((uint64_t)(off) <= size && (uint64_t)(len) <= size - (uint64_t)(off))

/* The exported symbols and version nodes of an x86-64 shared object. */
static bool read_exports(const char *path, struct exports *out)
{
    size_t size;
    unsigned char *f = read_all(path, &size);
    const Elf64_Shdr *dynsym = NULL, *versym = NULL, *verdef = NULL;
    const char *verdef_names[64] = { 0 };

    memset(out, 0, sizeof(*out));
    if (!f)
        return false;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    assert_true(size >= sizeof(*eh) && !memcmp(eh->e_ident, ELFMAG, SELFMAG));
    assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
    assert_true(IN_FILE(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)));
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        assert_true(IN_FILE(sh[i].sh_offset, sh[i].sh_size) || sh[i].sh_type == SHT_NOBITS);
        if (sh[i].sh_type == SHT_DYNSYM)
            dynsym = &sh[i];
        else if (sh[i].sh_type == SHT_GNU_versym)
            versym = &sh[i];
        else if (sh[i].sh_type == SHT_GNU_verdef)
            verdef = &sh[i];
    }
    assert_non_null(dynsym);
    assert_non_null(versym);
    assert_non_null(verdef);

    /* version definitions: index -> name, and the node list with parents */
    const char *vstr = (const char *)(f + sh[verdef->sh_link].sh_offset);
    size_t off = verdef->sh_offset;
    for (unsigned i = 0; i < verdef->sh_info; i++) {
        assert_true(IN_FILE(off, sizeof(Elf64_Verdef)));
        const Elf64_Verdef *vd = (const Elf64_Verdef *)(f + off);
        const Elf64_Verdaux *aux = (const Elf64_Verdaux *)(f + off + vd->vd_aux);
        const char *name = vstr + aux->vda_name;
        assert_true(vd->vd_ndx < 64);
        verdef_names[vd->vd_ndx] = name;
        if (!(vd->vd_flags & VER_FLG_BASE)) {
            char node[256];
            if (vd->vd_cnt > 1) {
                const Elf64_Verdaux *parent =
                    (const Elf64_Verdaux *)((const unsigned char *)aux + aux->vda_next);
                snprintf(node, sizeof(node), "%s:%s", name, vstr + parent->vda_name);
            } else {
                snprintf(node, sizeof(node), "%s", name);
            }
            push(&out->node, &out->nnode, node);
        }
        off += vd->vd_next;
    }

    const Elf64_Sym *syms = (const Elf64_Sym *)(f + dynsym->sh_offset);
    const char *str = (const char *)(f + sh[dynsym->sh_link].sh_offset);
    const Elf64_Half *vs = (const Elf64_Half *)(f + versym->sh_offset);
    size_t count = dynsym->sh_size / sizeof(Elf64_Sym);
    for (size_t i = 1; i < count; i++) {
        unsigned type = ELF64_ST_TYPE(syms[i].st_info);
        if (syms[i].st_shndx == SHN_UNDEF || syms[i].st_shndx == SHN_ABS)
            continue;
        if (type != STT_FUNC && type != STT_OBJECT)
            continue;
        unsigned ndx = vs[i] & 0x7fff;
        assert_true(ndx < 64 && verdef_names[ndx]);
        char name[512];
        snprintf(name, sizeof(name), "%s%s%s", str + syms[i].st_name,
            (vs[i] & 0x8000) ? "@" : "@@", verdef_names[ndx]);
        push(&out->sym, &out->nsym, name);
        if (ELF64_ST_BIND(syms[i].st_info) == STB_WEAK)
            out->weak++;
    }
    free(f);
    return true;
}

static struct exports ours_x, debian_x;
static bool have_ours, have_debian;

static int load_exports(void **state)
{
    char path[PATH_MAX];
    (void)state;
    our_lib_path(path, sizeof(path));
    have_ours = read_exports(path, &ours_x);
    have_debian = read_exports(DEBIAN_LIB, &debian_x);
    return 0;
}

static int free_exports(void **state)
{
    (void)state;
    exports_free(&ours_x);
    exports_free(&debian_x);
    return 0;
}

static void require_both(void)
{
    if (!have_debian) {
        print_message("%s missing (Debian libfuse3-3)\n", DEBIAN_LIB);
        skip();
    }
    if (!have_ours)
        fail_msg("libfuse3.so.3 not built: %s", BUILD_HINT);
}

/* ---- symbols ----------------------------------------------------------------- */

/* The reader itself, on facts of Debian's library. */
static void reader_sees_libfuse_versions(void **state)
{
    (void)state;
    require_both();
    assert_true(has(debian_x.sym, debian_x.nsym, "fuse_new@FUSE_3.0"));
    assert_true(has(debian_x.sym, debian_x.nsym, "fuse_new@@FUSE_3.1"));
    assert_true(has(debian_x.sym, debian_x.nsym, "fuse_loop_mt@FUSE_3.2"));
    assert_true(has(debian_x.sym, debian_x.nsym, "fuse_loop_mt@@FUSE_3.12"));
    assert_true(has(debian_x.sym, debian_x.nsym, "fuse_opt_parse@@FUSE_3.0"));
    assert_true(has(debian_x.node, debian_x.nnode, "FUSE_3.12:FUSE_3.4"));
    assert_false(has(debian_x.sym, debian_x.nsym, "fuse_opt_parse@FUSE_3.0"));
    assert_int_equal(debian_x.nsym, 158);    /* 3.14.0: 165 dynamic symbols less 7 node names */
}

static void version_nodes_match(void **state)
{
    (void)state;
    require_both();
    for (size_t i = 0; i < debian_x.nnode; i++) {
        if (!has(ours_x.node, ours_x.nnode, debian_x.node[i]))
            print_message("missing version node %s\n", debian_x.node[i]);
        assert_true(has(ours_x.node, ours_x.nnode, debian_x.node[i]));
    }
    /* ours adds only WINFUSE_1.0 */
    assert_int_equal(ours_x.nnode, debian_x.nnode + 1);
    assert_true(has(ours_x.node, ours_x.nnode, "WINFUSE_1.0:FUSE_3.12"));
}

static void every_libfuse_symbol_is_exported(void **state)
{
    int missing = 0;
    (void)state;
    require_both();
    for (size_t i = 0; i < debian_x.nsym; i++) {
        if (!has(ours_x.sym, ours_x.nsym, debian_x.sym[i])) {
            print_message("not exported: %s\n", debian_x.sym[i]);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
}

static void nothing_else_is_exported(void **state)
{
    int extra = 0;
    (void)state;
    require_both();
    for (size_t i = 0; i < ours_x.nsym; i++) {
        bool ext = false;
        for (size_t j = 0; j < sizeof(our_extensions) / sizeof(our_extensions[0]); j++)
            ext |= !strcmp(ours_x.sym[i], our_extensions[j]);
        if (!ext && !has(debian_x.sym, debian_x.nsym, ours_x.sym[i])) {
            print_message("exported but not by libfuse: %s\n", ours_x.sym[i]);
            extra++;
        }
    }
    assert_int_equal(extra, 0);
    if (ours_x.weak)
        print_message("note: %zu exported symbols are still weak defaults (compat.c)\n",
            ours_x.weak);
}

/* ---- calling the helpers ------------------------------------------------------ */

/* Loaded once and kept, like Debian's: leak reports must name the library. */
static void *open_ours(void)
{
    static void *h;
    char path[PATH_MAX];
    if (h)
        return h;
    our_lib_path(path, sizeof(path));
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        fail_msg("cannot load %s: %s; %s", path, dlerror(), BUILD_HINT);
    return h;
}

#define SYM(h, name) sym_or_fail((h), (name), NULL)
#define VSYM(h, name, ver) sym_or_fail((h), (name), (ver))

static void *sym_or_fail(void *h, const char *name, const char *ver)
{
    void *p = ver ? dlvsym(h, name, ver) : dlsym(h, name);
    if (!p)
        fail_msg("%s%s%s not found: %s", name, ver ? "@" : "", ver ? ver : "", dlerror());
    return p;
}

typedef int (*parse_cmdline_fn)(struct fuse_args *, struct fuse_cmdline_opts *);
typedef int (*add_arg_fn)(struct fuse_args *, const char *);
typedef void (*free_args_fn)(struct fuse_args *);

struct cmdline_result {
    int res;
    struct fuse_cmdline_opts o;
    char args[1024];
};

static void run_parse_cmdline(void *h, parse_cmdline_fn parse, const char *const *argv,
    struct cmdline_result *r, unsigned canary)
{
    add_arg_fn add = (add_arg_fn)SYM(h, "fuse_opt_add_arg");
    free_args_fn free_args = (free_args_fn)SYM(h, "fuse_opt_free_args");
    struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
    size_t used = 0;

    memset(r, 0, sizeof(*r));
    r->o.max_threads = canary;
    for (; *argv; argv++)
        assert_int_equal(add(&a, *argv), 0);
    r->res = parse(&a, &r->o);
    for (int i = 0; i < a.argc; i++)
        used += (size_t)snprintf(r->args + used, sizeof(r->args) - used, "[%s]", a.argv[i]);
    free_args(&a);
}

static void cmdline_parses_like_libfuse(void **state)
{
    static const char *const lines[][10] = {
        { "/usr/bin/myfs", "-f", "-s", "/tmp", NULL },
        { "myfs", "-d", "-o", "clone_fd,max_idle_threads=5,max_threads=3,ro", "/", NULL },
        { "myfs", "-o", "debug,fsname=x", "-h", NULL },
        { "myfs", "--version", "-osubtype=y", "-oallow_other", NULL },
        { "myfs", "/dev/fd/7", NULL },
        { "myfs/", "/tmp", "/tmp", NULL },
        { "myfs", "/nonexistent/dir", NULL },
        { "myfs", "-omax_threads=abc", NULL },
        { "myfs", "-oclone_fd", "--", "-f", NULL },
    };
    void *ours = open_ours();
    void *theirs = open_debian();
    (void)state;
    if (!theirs)
        skip();
    parse_cmdline_fn our312 = (parse_cmdline_fn)VSYM(ours, "fuse_parse_cmdline", "FUSE_3.12");
    parse_cmdline_fn their312 = (parse_cmdline_fn)VSYM(theirs, "fuse_parse_cmdline", "FUSE_3.12");
    parse_cmdline_fn our30 = (parse_cmdline_fn)VSYM(ours, "fuse_parse_cmdline", "FUSE_3.0");
    parse_cmdline_fn their30 = (parse_cmdline_fn)VSYM(theirs, "fuse_parse_cmdline", "FUSE_3.0");

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct cmdline_result a, b;
        for (int layout = 0; layout < 2; layout++) {
            run_parse_cmdline(ours, layout ? our30 : our312, lines[i], &a, 0xdeadbeef);
            run_parse_cmdline(theirs, layout ? their30 : their312, lines[i], &b, 0xdeadbeef);
            print_message("line %zu layout %s: res %d args %s\n", i, layout ? "3.0" : "3.12",
                a.res, a.args);
            assert_int_equal(a.res, b.res);
            if (a.res != 0)
                continue;
            assert_string_equal(a.args, b.args);
            assert_int_equal(a.o.singlethread, b.o.singlethread);
            assert_int_equal(a.o.foreground, b.o.foreground);
            assert_int_equal(a.o.debug, b.o.debug);
            assert_int_equal(a.o.nodefault_subtype, b.o.nodefault_subtype);
            assert_int_equal(a.o.show_version, b.o.show_version);
            assert_int_equal(a.o.show_help, b.o.show_help);
            assert_int_equal(a.o.clone_fd, b.o.clone_fd);
            assert_int_equal(a.o.max_idle_threads, b.o.max_idle_threads);
            assert_int_equal(a.o.max_threads, b.o.max_threads);
            if (layout)     /* the 3.0 structure has no max_threads: untouched */
                assert_int_equal(a.o.max_threads, 0xdeadbeef);
            assert_int_equal(!a.o.mountpoint, !b.o.mountpoint);
            if (a.o.mountpoint)
                assert_string_equal(a.o.mountpoint, b.o.mountpoint);
            free(a.o.mountpoint);
            free(b.o.mountpoint);
        }
    }
}

static void conn_info_options_apply_like_libfuse(void **state)
{
    typedef struct fuse_conn_info_opts *(*parse_fn)(struct fuse_args *);
    typedef void (*apply_fn)(struct fuse_conn_info_opts *, struct fuse_conn_info *);
    static const char *const lists[] = {
        "max_write=4096,max_readahead=8192,max_background=7,congestion_threshold=5,time_gran=10",
        "sync_read,no_remote_lock,splice_write,splice_move,splice_read,auto_inval_data",
        "async_read,no_splice_write,no_splice_move,no_splice_read,no_auto_inval_data",
        "readdirplus=no,async_dio,writeback_cache,atomic_o_trunc,unrelated",
        "readdirplus=yes,no_async_dio,no_writeback_cache,no_remote_flock",
        "readdirplus=auto,no_remote_posix_lock",
        "max_write=xyz",
    };
    void *ours = open_ours();
    void *theirs = open_debian();
    (void)state;
    if (!theirs)
        skip();
    void *h[2] = { ours, theirs };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        struct fuse_conn_info conn[2];
        char args_out[2][256];
        int ok[2];
        for (int k = 0; k < 2; k++) {
            parse_fn parse = (parse_fn)SYM(h[k], "fuse_parse_conn_info_opts");
            apply_fn apply = (apply_fn)SYM(h[k], "fuse_apply_conn_info_opts");
            add_arg_fn add = (add_arg_fn)SYM(h[k], "fuse_opt_add_arg");
            free_args_fn free_args = (free_args_fn)SYM(h[k], "fuse_opt_free_args");
            struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
            add(&a, "prog");
            add(&a, "-o");
            add(&a, lists[i]);
            memset(&conn[k], 0, sizeof(conn[k]));
            conn[k].want = 0x00ffffffu & ~(1u << 13);   /* all but READDIRPLUS */
            conn[k].capable = 0x00ffffffu;
            struct fuse_conn_info_opts *o = parse(&a);
            ok[k] = o != NULL;
            if (o) {
                apply(o, &conn[k]);
                free(o);
            }
            args_out[k][0] = '\0';
            for (int j = 0; j < a.argc; j++)
                strncat(args_out[k], a.argv[j], sizeof(args_out[k]) - strlen(args_out[k]) - 2);
            free_args(&a);
        }
        assert_int_equal(ok[0], ok[1]);
        assert_memory_equal(&conn[0], &conn[1], sizeof(conn[0]));
        assert_string_equal(args_out[0], args_out[1]);
    }
}

static void versions_are_3_14(void **state)
{
    void *h = open_ours();
    (void)state;
    int (*version)(void) = (int (*)(void))SYM(h, "fuse_version");
    const char *(*pkgversion)(void) = (const char *(*)(void))SYM(h, "fuse_pkgversion");
    assert_int_equal(version(), 314);
    assert_string_equal(pkgversion(), "3.14.0");
}

static void noop_handler(int sig)
{
    (void)sig;
}

static void signal_handlers_install_and_restore(void **state)
{
    void *h = open_ours();
    int (*set)(struct fuse_session *) = (int (*)(struct fuse_session *))SYM(h,
        "fuse_set_signal_handlers");
    void (*rm)(struct fuse_session *) = (void (*)(struct fuse_session *))SYM(h,
        "fuse_remove_signal_handlers");
    struct fuse_session *fake = (struct fuse_session *)&fake;
    struct sigaction sa, old_int, old_hup;
    (void)state;

    /* a handler the program set itself stays */
    sigaction(SIGINT, NULL, &old_int);
    sigaction(SIGHUP, NULL, &old_hup);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = noop_handler;
    sigaction(SIGHUP, &sa, NULL);

    assert_int_equal(set(fake), 0);
    sigaction(SIGINT, NULL, &sa);
    assert_true(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
    assert_false(sa.sa_flags & SA_RESTART);
    sigaction(SIGPIPE, NULL, &sa);
    assert_true(sa.sa_handler != SIG_DFL);
    sigaction(SIGHUP, NULL, &sa);
    assert_ptr_equal((void *)sa.sa_handler, (void *)noop_handler);

    rm(fake);
    sigaction(SIGINT, NULL, &sa);
    assert_ptr_equal((void *)sa.sa_handler, (void *)SIG_DFL);
    sigaction(SIGPIPE, NULL, &sa);
    assert_ptr_equal((void *)sa.sa_handler, (void *)SIG_DFL);
    sigaction(SIGHUP, NULL, &sa);
    assert_ptr_equal((void *)sa.sa_handler, (void *)noop_handler);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_sees_libfuse_versions),
        cmocka_unit_test(version_nodes_match),
        cmocka_unit_test(every_libfuse_symbol_is_exported),
        cmocka_unit_test(nothing_else_is_exported),
        cmocka_unit_test(cmdline_parses_like_libfuse),
        cmocka_unit_test(conn_info_options_apply_like_libfuse),
        cmocka_unit_test(versions_are_3_14),
        cmocka_unit_test(signal_handlers_install_and_restore),
    };
    int failed = cmocka_run_group_tests(tests, load_exports, free_exports);
    return wf_test_tally(sizeof(tests) / sizeof(tests[0]), failed);
}
