/*
 * winfuse.c - the `winfuse` command.
 *
 *   winfuse check [-o OPTS] [--json] [--only TEXT] [-- FS-COMMAND [ARGS...]]
 *
 * builds the whole Windows path in one process: an fsd volume (the WinFsp
 * FSD stand-in), an engine (the winfuse driver), and a FUSE file system
 * behind it: the embedded memfs on our libfuse's engine channel, or any
 * FUSE program given after "--", served over a /dev/fuse-protocol socket
 * it gets as its mountpoint argument ("/dev/fd/N"). Then it runs the
 * Windows conformance suite through the NT file API.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUSE_USE_VERSION 314
#include <fuse.h>
#include <winfuse.h>

#include "check/check.h"
#include "engine/status.h"
#include "memfs_ops.h"
#include "winfuse/engine.h"
#include "winfuse/fsd.h"
#include "wslfuse/launch.h"

#define WINFUSE_VERSION "0.1.0"

static const char usage[] =
    "usage: winfuse check [-o OPTIONS] [--json] [--only TEXT] [-- FS-COMMAND [ARGS...]]\n"
    "       winfuse --help | --version\n"
    "\n"
    "check   run the Windows file-semantics conformance suite through the NT file\n"
    "        API, the WinFsp FSD stand-in and the winfuse engine, against the\n"
    "        embedded in-memory file system (memfs) or, after \"--\", any FUSE\n"
    "        program. \"{}\" in its arguments stands for its mountpoint argument\n"
    "        (it is given a /dev/fuse-protocol channel, \"/dev/fd/N\"); without\n"
    "        \"{}\" that argument is appended last. One line per case, then\n"
    "        \"N passed, N failed, N skipped\"; exit status 1 if any case failed.\n"
    "\n"
    "  -o OPTIONS     comma-separated volume and suite options:\n"
    "       case_insensitive     the volume folds case in names (FUSE cannot say so)\n"
    "       FileInfoTimeout=MS   how long file information is cached (default 1000)\n"
    "       hide_dot_files       report names that begin with '.' as hidden\n"
    "       uid=N,gid=N          whom requests come from (default: you)\n"
    "       threads=N            file system threads (default 2)\n"
    "       channel=auto|fd|fusermount|mount\n"
    "                            how the program gets its channel (docs/wslfuse.md):\n"
    "                            \"/dev/fd/N\" (libfuse 3), our fusermount3 (libfuse 2),\n"
    "                            or its own mount(2), intercepted (default: auto)"
    "       read_only, no_security, no_symlinks, no_times\n"
    "                            what the file system cannot do: those cases are\n"
    "                            skipped with the reason, never passed\n"
    "  --json         one JSON document instead of text lines\n"
    "  --only TEXT    run only the cases whose name contains TEXT\n"
    "  -h, --help     this text\n"
    "  -V, --version  the version\n";

typedef struct cli_options {
    wf_engine_config engine;
    wf_check_options check;
    UINT32 uid, gid;
    unsigned threads;
    wf_launch_channel channel;
} cli_options;

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "winfuse: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return 2;
}

static bool parse_number(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (!*s)
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* One -o list; unknown or malformed options are errors, as in libfuse. */
static int parse_o(cli_options *o, char *list)
{
    char *save = NULL;

    for (char *opt = strtok_r(list, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
        char *value = strchr(opt, '=');
        unsigned long n;

        if (value)
            *value++ = 0;
        if (!strcmp(opt, "case_insensitive") && !value) {
            o->engine.volume_params.CaseSensitiveSearch = 0;
        } else if (!strcmp(opt, "FileInfoTimeout") && value &&
            parse_number(value, UINT32_MAX, &n)) {
            o->engine.volume_params.FileInfoTimeout = (UINT32)n;
        } else if (!strcmp(opt, "hide_dot_files") && !value) {
            o->engine.hide_dot_files = true;
        } else if (!strcmp(opt, "uid") && value && parse_number(value, UINT32_MAX - 1, &n)) {
            o->uid = (UINT32)n;
        } else if (!strcmp(opt, "gid") && value && parse_number(value, UINT32_MAX - 1, &n)) {
            o->gid = (UINT32)n;
        } else if (!strcmp(opt, "threads") && value && parse_number(value, 64, &n) && n) {
            o->threads = (unsigned)n;
        } else if (!strcmp(opt, "channel") && value &&
            wf_launch_channel_parse(value, &o->channel) == 0) {
        } else if (!strcmp(opt, "read_only") && !value) {
            o->check.read_only = true;
        } else if (!strcmp(opt, "no_security") && !value) {
            o->check.no_security = true;
        } else if (!strcmp(opt, "no_symlinks") && !value) {
            o->check.no_symlinks = true;
        } else if (!strcmp(opt, "no_times") && !value) {
            o->check.no_times = true;
        } else {
            if (value)
                value[-1] = '=';
            return fail("unknown or malformed option: '-o %s'", opt);
        }
    }
    return 0;
}

/* ---- the file system behind the engine ---- */

typedef struct backend {
    /* embedded memfs */
    struct fuse *fuse;
    pthread_t loop;
    bool loop_running;
    struct memfs_options memfs;
    /* an external FUSE program */
    wf_launched *launched;
} backend;

static void *memfs_loop(void *arg)
{
    backend *b = arg;
    struct fuse_loop_config *config = fuse_loop_cfg_create();

    fuse_loop_cfg_set_max_threads(config, 4);
    fuse_loop_mt(b->fuse, config);
    fuse_loop_cfg_destroy(config);
    return NULL;
}

static int start_memfs(backend *b, wf_engine *engine)
{
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

    memset(&b->memfs, 0, sizeof b->memfs);
    if (fuse_opt_add_arg(&args, "winfuse-memfs") != 0)
        return -1;
    b->fuse = fuse_new(&args, memfs_operations(), sizeof(struct fuse_operations), &b->memfs);
    fuse_opt_free_args(&args);
    if (!b->fuse)
        return -1;
    if (fuse_mount_engine(b->fuse, engine) != 0) {
        fuse_destroy(b->fuse);
        b->fuse = NULL;
        return -1;
    }
    if (pthread_create(&b->loop, NULL, memfs_loop, b) != 0) {
        fuse_destroy(b->fuse);
        b->fuse = NULL;
        return -1;
    }
    b->loop_running = true;
    return 0;
}

/* The program went away by itself: what the volume still holds fails at once. */
static void volume_gone(void *context)
{
    wf_fsd_volume_stop(context);
}

/* Start argv with "{}" (or a last argument) standing for its mountpoint. */
static int start_program(backend *b, wf_engine *engine, wf_fsd_volume *volume, char **argv,
    const cli_options *o)
{
    wf_launch_options lo;
    int err;

    wf_launch_options_init(&lo);
    lo.channel = o->channel;
    lo.threads = o->threads;
    lo.gone = volume_gone;
    lo.gone_context = volume;
    err = wf_launch_ex(engine, argv, &lo, &b->launched);
    if (err)
        return fail("cannot start the file system: %s", strerror(-err));
    return 0;
}

static int stop_backend(backend *b)
{
    int status = 0;

    if (b->loop_running)
        pthread_join(b->loop, NULL);
    if (b->fuse) {
        fuse_unmount(b->fuse);
        fuse_destroy(b->fuse);
    }
    if (b->launched)
        status = wf_launch_stop(b->launched);
    b->launched = NULL;
    return status;
}

/* ---- check ---- */

static int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"only", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_options o;
    wf_fsd_volume *volume = NULL;
    wf_engine *engine = NULL;
    backend b;
    wf_check_result result;
    NTSTATUS status;
    int opt, rc = 2;

    memset(&o, 0, sizeof o);
    memset(&b, 0, sizeof b);
    wf_engine_config_init(&o.engine);
    o.uid = getuid();
    o.gid = getgid();
    o.threads = 2;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            if (parse_o(&o, optarg) != 0)
                return 2;
            break;
        case 'j':
            o.check.json = true;
            break;
        case 'O':
            o.check.only = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
        return fail("unexpected argument '%s' (a FUSE program goes after \"--\")", argv[optind]);

    o.engine.default_uid = o.uid;
    o.engine.default_gid = o.gid;
    wf_fsd_set_thread_credentials(o.uid, o.gid, (UINT32)getpid());
    status = wf_fsd_volume_new(&volume);
    if (NT_SUCCESS(status))
        status = wf_engine_create(&o.engine, wf_fsd_volume_provider(volume), &engine);
    if (NT_SUCCESS(status))
        status = wf_fsd_volume_mount(volume, wf_engine_volume_params(engine));
    if (!NT_SUCCESS(status)) {
        char name[WF_STATUS_FORMAT_MAX];
        wf_status_format(status, name, sizeof name);
        fail("cannot create the volume: %s", name);
        goto out;
    }
    if (optind < argc ? start_program(&b, engine, volume, argv + optind, &o)
                      : start_memfs(&b, engine)) {
        fail("%s", "cannot start the file system");
        wf_fsd_volume_unmount(volume);
        wf_engine_stop(engine);
        stop_backend(&b);
        goto out;
    }
    rc = wf_check_run(volume, &o.check, &result);
    wf_fsd_volume_unmount(volume);
    stop_backend(&b);
out:
    if (engine) {
        wf_engine_stop(engine);
        wf_engine_delete(engine);
    }
    if (volume)
        wf_fsd_volume_delete(volume);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("winfuse %s (FUSE protocol 7.31, WinFsp transact ABI)\n", WINFUSE_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "check"))
        return cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "winfuse: unknown command '%s'\n", argv[1]);
    fputs(usage, stderr);
    return 2;
}
