/*
 * helper.c - what turns a set of handlers into a program: the generic
 * command line (fuse_parse_cmdline), fuse_main(), daemonizing, the signal
 * handlers, the connection tuning options, and the version queries.
 *
 * Exit codes, option names and the messages users see follow libfuse 3.14,
 * since scripts and programs depend on them.
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fuse.h>
#include <fuse_lowlevel.h>

#include "internal.h"
#include "winfuse/fuse_proto.h"

/* The library version fuse_pkgversion() and -V report: the API we implement. */
#define WF_LIBFUSE_PKGVERSION "3.14.0"

int fuse_version(void)
{
    return FUSE_VERSION;
}

const char *fuse_pkgversion(void)
{
    return WF_LIBFUSE_PKGVERSION;
}

/* ---- the generic command line ------------------------------------------- */

#define CMDLINE_FLAG(t, member) { t, offsetof(struct fuse_cmdline_opts, member), 1 }

/*
 * "-d" and "debug" both set debug and foreground and stay in the arguments
 * for the session, which turns on its own debug output from them.
 * fsname= and subtype= stay too, and say the default subtype is not wanted.
 */
static const struct fuse_opt cmdline_opts[] = {
    CMDLINE_FLAG("-h", show_help),
    CMDLINE_FLAG("--help", show_help),
    CMDLINE_FLAG("-V", show_version),
    CMDLINE_FLAG("--version", show_version),
    CMDLINE_FLAG("-d", debug),
    CMDLINE_FLAG("debug", debug),
    CMDLINE_FLAG("-d", foreground),
    CMDLINE_FLAG("debug", foreground),
    FUSE_OPT_KEY("-d", FUSE_OPT_KEY_KEEP),
    FUSE_OPT_KEY("debug", FUSE_OPT_KEY_KEEP),
    CMDLINE_FLAG("-f", foreground),
    CMDLINE_FLAG("-s", singlethread),
    CMDLINE_FLAG("fsname=", nodefault_subtype),
    FUSE_OPT_KEY("fsname=", FUSE_OPT_KEY_KEEP),
    CMDLINE_FLAG("subtype=", nodefault_subtype),
    FUSE_OPT_KEY("subtype=", FUSE_OPT_KEY_KEEP),
    CMDLINE_FLAG("clone_fd", clone_fd),
    { "max_idle_threads=%u", offsetof(struct fuse_cmdline_opts, max_idle_threads), 0 },
    { "max_threads=%u", offsetof(struct fuse_cmdline_opts, max_threads), 0 },
    FUSE_OPT_END
};

void fuse_cmdline_help(void)
{
    printf("    -h   --help            print this help\n"
           "    -V   --version         print the version\n"
           "    -d   -o debug          print debug output (implies -f)\n"
           "    -f                     stay in the foreground\n"
           "    -s                     serve requests in one thread\n"
           "    -o clone_fd            one fuse device descriptor per thread\n"
           "    -o max_idle_threads    most idle worker threads to keep\n"
           "                           (default: -1)\n"
           "    -o max_threads         most worker threads to run\n"
           "                           (default: 10)\n");
}

/* "/dev/fd/N": a mount the caller already made (fusermount3 style). */
static int is_fuse_fd_path(const char *arg)
{
    const char *p = arg;

    if (strncmp(p, "/dev/fd/", 8) != 0)
        return 0;
    p += 8;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == '\0';
}

static int cmdline_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct fuse_cmdline_opts *opts = data;
    char path[PATH_MAX];

    (void)outargs;
    if (key != FUSE_OPT_KEY_NONOPT)
        return 1;       /* not ours: leave it for the session and the fs */
    if (opts->mountpoint) {
        fuse_log(FUSE_LOG_ERR, "fuse: invalid argument `%s'\n", arg);
        return -1;
    }
    if (is_fuse_fd_path(arg))
        return fuse_opt_add_opt(&opts->mountpoint, arg);
    if (!realpath(arg, path)) {
        fuse_log(FUSE_LOG_ERR, "fuse: bad mount point `%s': %s\n", arg, strerror(errno));
        return -1;
    }
    return fuse_opt_add_opt(&opts->mountpoint, path);
}

/* "-osubtype=<program name>", unless the command line named one. */
static int add_default_subtype(const char *progname, struct fuse_args *args)
{
    const char *base = strrchr(progname, '/');
    char *opt;
    int res;

    if (!base)
        base = progname;
    else if (base[1] != '\0')
        base++;
    opt = malloc(strlen(base) + sizeof("-osubtype="));
    if (!opt) {
        fuse_log(FUSE_LOG_ERR, "fuse: memory allocation failed\n");
        return -1;
    }
    strcpy(opt, "-osubtype=");
    strcat(opt, base);
    res = fuse_opt_add_arg(args, opt);
    free(opt);
    return res;
}

/* The 3.12 layout (with max_threads); compat.c serves the 3.0 one. */
int fuse_parse_cmdline(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->max_idle_threads = UINT_MAX;  /* -1: no limit, the 3.12 default */
    opts->max_threads = 10;

    /* On failure the mountpoint goes too (libfuse leaks it; callers never free it then). */
    if (fuse_opt_parse(args, opts, cmdline_opts, cmdline_proc) == -1)
        goto fail;
    if (!opts->nodefault_subtype) {
        const char *prog = args->argc > 0 && args->argv[0] ? args->argv[0] : "";
        if (add_default_subtype(prog, args) == -1)
            goto fail;
    }
    return 0;
fail:
    free(opts->mountpoint);
    opts->mountpoint = NULL;
    return -1;
}

void fuse_lowlevel_help(void)
{
    /* the mount options an end user is most likely to want */
    printf("    -o allow_other         let all users access the file system\n"
           "    -o allow_root          let root access the file system too\n"
           "    -o auto_unmount        unmount when the process ends\n");
}

void fuse_lowlevel_version(void)
{
    printf("using FUSE kernel interface version %i.%i\n", FUSE_KERNEL_VERSION,
        FUSE_KERNEL_MINOR_VERSION);
    fuse_mount_version();
}

/* ---- daemon ---------------------------------------------------------------- */

int fuse_daemonize(int foreground)
{
    int ready[2];
    char done = 0;
    int nullfd;

    if (foreground) {
        if (chdir("/") == -1) {
            /* as libfuse: a failed chdir is not fatal */
        }
        return 0;
    }
    if (pipe(ready) == -1) {
        perror("fuse_daemonize: pipe");
        return -1;
    }
    /* The parent stays until the child has detached, then exits 0. */
    switch (fork()) {
    case -1:
        perror("fuse_daemonize: fork");
        close(ready[0]);
        close(ready[1]);
        return -1;
    case 0:
        break;
    default:
        if (read(ready[0], &done, 1) < 0) {
            /* exit anyway: the child carries on */
        }
        _exit(0);
    }
    if (setsid() == -1) {
        perror("fuse_daemonize: setsid");
        return -1;
    }
    if (chdir("/") == -1) {
        /* not fatal */
    }
    nullfd = open("/dev/null", O_RDWR, 0);
    if (nullfd != -1) {
        dup2(nullfd, 0);
        dup2(nullfd, 1);
        dup2(nullfd, 2);
        if (nullfd > 2)
            close(nullfd);
    }
    done = 1;
    if (write(ready[1], &done, 1) < 0) {
        /* the parent then sees end of file and exits just the same */
    }
    close(ready[0]);
    close(ready[1]);
    return 0;
}

/* ---- signals --------------------------------------------------------------- */

static struct fuse_session *volatile signalled_session;

static void on_exit_signal(int sig)
{
    struct fuse_session *se = signalled_session;

    if (se)
        fuse_session_exit_error(se, sig);
}

/* SIGPIPE: a handler rather than SIG_IGN, so that removing it restores exactly. */
static void on_ignored_signal(int sig)
{
    (void)sig;
}

/*
 * Install handler for sig if the program left the default in place, or put
 * the default back if handler is ours (remove): a program's own handlers
 * are never touched.
 */
static int swap_handler(int sig, void (*handler)(int), int remove)
{
    struct sigaction sa, old;

    if (sigaction(sig, NULL, &old) == -1) {
        perror("fuse: cannot get old signal handler");
        return -1;
    }
    if (old.sa_handler != (remove ? handler : SIG_DFL))
        return 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = remove ? SIG_DFL : handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;    /* no SA_RESTART: a blocked read must see EINTR */
    if (sigaction(sig, &sa, NULL) == -1) {
        perror("fuse: cannot set signal handler");
        return -1;
    }
    return 0;
}

int fuse_set_signal_handlers(struct fuse_session *se)
{
    if (swap_handler(SIGHUP, on_exit_signal, 0) == -1 ||
        swap_handler(SIGINT, on_exit_signal, 0) == -1 ||
        swap_handler(SIGTERM, on_exit_signal, 0) == -1 ||
        swap_handler(SIGPIPE, on_ignored_signal, 0) == -1)
        return -1;
    signalled_session = se;
    return 0;
}

void fuse_remove_signal_handlers(struct fuse_session *se)
{
    if (signalled_session != se)
        fuse_log(FUSE_LOG_ERR, "fuse: fuse_remove_signal_handlers: unknown session\n");
    else
        signalled_session = NULL;
    swap_handler(SIGHUP, on_exit_signal, 1);
    swap_handler(SIGINT, on_exit_signal, 1);
    swap_handler(SIGTERM, on_exit_signal, 1);
    swap_handler(SIGPIPE, on_ignored_signal, 1);
}

/* ---- fuse_main ------------------------------------------------------------- */

/*
 * Exit codes as libfuse's: 1 bad command line, 2 no mount point, 3
 * fuse_new failed, 4 mount failed, 5 daemonizing failed, 6 signal handlers,
 * 7 loop configuration, 8 the loop ended with an error.
 */
int fuse_main_real(int argc, char *argv[], const struct fuse_operations *op,
    size_t op_size, void *private_data)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    struct fuse_loop_config *config = NULL;
    struct fuse_session *se;
    struct fuse *fuse;
    int res;

    if (fuse_parse_cmdline(&args, &opts) != 0)
        return 1;

    if (opts.show_version) {
        printf("FUSE library version %s\n", fuse_pkgversion());
        fuse_lowlevel_version();
        res = 0;
        goto out_args;
    }
    if (opts.show_help) {
        if (args.argv[0][0] != '\0')
            printf("usage: %s [options] <mountpoint>\n\n", args.argv[0]);
        printf("FUSE options:\n");
        fuse_cmdline_help();
        fuse_lib_help(&args);
        res = 0;
        goto out_args;
    }
    if (!opts.mountpoint) {
        fuse_log(FUSE_LOG_ERR, "error: no mountpoint specified\n");
        res = 2;
        goto out_args;
    }

    fuse = fuse_new(&args, op, op_size, private_data);
    if (!fuse) {
        res = 3;
        goto out_args;
    }
    if (fuse_mount(fuse, opts.mountpoint) != 0) {
        res = 4;
        goto out_destroy;
    }
    if (fuse_daemonize(opts.foreground) != 0) {
        res = 5;
        goto out_unmount;
    }
    se = fuse_get_session(fuse);
    if (fuse_set_signal_handlers(se) != 0) {
        res = 6;
        goto out_unmount;
    }

    if (opts.singlethread) {
        res = fuse_loop(fuse);
    } else {
        config = fuse_loop_cfg_create();
        if (!config) {
            res = 7;
            fuse_remove_signal_handlers(se);
            goto out_unmount;
        }
        fuse_loop_cfg_set_clone_fd(config, (unsigned)opts.clone_fd);
        fuse_loop_cfg_set_idle_threads(config, opts.max_idle_threads);
        fuse_loop_cfg_set_max_threads(config, opts.max_threads);
        res = fuse_loop_mt(fuse, config);
    }
    if (res)
        res = 8;
    fuse_remove_signal_handlers(se);
out_unmount:
    fuse_unmount(fuse);
out_destroy:
    fuse_destroy(fuse);
out_args:
    if (config)
        fuse_loop_cfg_destroy(config);
    free(opts.mountpoint);
    fuse_opt_free_args(&args);
    return res;
}

/* ---- connection tuning options --------------------------------------------- */

struct fuse_conn_info_opts {
    unsigned max_write, max_readahead, max_background, congestion_threshold, time_gran;
    int set_max_write, set_max_readahead, set_max_background;
    int set_congestion_threshold, set_time_gran;
    int async_read, sync_read, atomic_o_trunc;
    int no_remote_posix_lock, no_remote_flock;
    int splice_write, no_splice_write, splice_move, no_splice_move;
    int splice_read, no_splice_read;
    int auto_inval_data, no_auto_inval_data;
    int no_readdirplus, no_readdirplus_auto;
    int async_dio, no_async_dio;
    int writeback_cache, no_writeback_cache;
};

#define CONN_OPT(t, member, v) { t, offsetof(struct fuse_conn_info_opts, member), v }

/* A "name=%u" value is stored by the first template and noted by the second. */
static const struct fuse_opt conn_opts[] = {
    CONN_OPT("max_write=%u", max_write, 0),
    CONN_OPT("max_write=", set_max_write, 1),
    CONN_OPT("max_readahead=%u", max_readahead, 0),
    CONN_OPT("max_readahead=", set_max_readahead, 1),
    CONN_OPT("max_background=%u", max_background, 0),
    CONN_OPT("max_background=", set_max_background, 1),
    CONN_OPT("congestion_threshold=%u", congestion_threshold, 0),
    CONN_OPT("congestion_threshold=", set_congestion_threshold, 1),
    CONN_OPT("sync_read", sync_read, 1),
    CONN_OPT("async_read", async_read, 1),
    CONN_OPT("atomic_o_trunc", atomic_o_trunc, 1),
    CONN_OPT("no_remote_lock", no_remote_posix_lock, 1),
    CONN_OPT("no_remote_lock", no_remote_flock, 1),
    CONN_OPT("no_remote_flock", no_remote_flock, 1),
    CONN_OPT("no_remote_posix_lock", no_remote_posix_lock, 1),
    CONN_OPT("splice_write", splice_write, 1),
    CONN_OPT("no_splice_write", no_splice_write, 1),
    CONN_OPT("splice_move", splice_move, 1),
    CONN_OPT("no_splice_move", no_splice_move, 1),
    CONN_OPT("splice_read", splice_read, 1),
    CONN_OPT("no_splice_read", no_splice_read, 1),
    CONN_OPT("auto_inval_data", auto_inval_data, 1),
    CONN_OPT("no_auto_inval_data", no_auto_inval_data, 1),
    CONN_OPT("readdirplus=no", no_readdirplus, 1),
    CONN_OPT("readdirplus=yes", no_readdirplus, 0),
    CONN_OPT("readdirplus=yes", no_readdirplus_auto, 1),
    CONN_OPT("readdirplus=auto", no_readdirplus, 0),
    CONN_OPT("readdirplus=auto", no_readdirplus_auto, 0),
    CONN_OPT("async_dio", async_dio, 1),
    CONN_OPT("no_async_dio", no_async_dio, 1),
    CONN_OPT("writeback_cache", writeback_cache, 1),
    CONN_OPT("no_writeback_cache", no_writeback_cache, 1),
    CONN_OPT("time_gran=%u", time_gran, 0),
    CONN_OPT("time_gran=", set_time_gran, 1),
    FUSE_OPT_END
};

struct fuse_conn_info_opts *fuse_parse_conn_info_opts(struct fuse_args *args)
{
    struct fuse_conn_info_opts *opts = calloc(1, sizeof(*opts));

    if (!opts) {
        fuse_log(FUSE_LOG_ERR, "fuse: memory allocation failed\n");
        return NULL;
    }
    if (fuse_opt_parse(args, opts, conn_opts, NULL) == -1) {
        free(opts);
        return NULL;
    }
    return opts;
}

static void want(struct fuse_conn_info *conn, int on, int off, unsigned cap)
{
    if (on)
        conn->want |= cap;
    if (off)
        conn->want &= ~cap;
}

void fuse_apply_conn_info_opts(struct fuse_conn_info_opts *opts, struct fuse_conn_info *conn)
{
    if (opts->set_max_write)
        conn->max_write = opts->max_write;
    if (opts->set_max_background)
        conn->max_background = opts->max_background;
    if (opts->set_congestion_threshold)
        conn->congestion_threshold = opts->congestion_threshold;
    if (opts->set_time_gran)
        conn->time_gran = opts->time_gran;
    if (opts->set_max_readahead)
        conn->max_readahead = opts->max_readahead;

    want(conn, opts->splice_read, opts->no_splice_read, FUSE_CAP_SPLICE_READ);
    want(conn, opts->splice_write, opts->no_splice_write, FUSE_CAP_SPLICE_WRITE);
    want(conn, opts->splice_move, opts->no_splice_move, FUSE_CAP_SPLICE_MOVE);
    want(conn, opts->auto_inval_data, opts->no_auto_inval_data, FUSE_CAP_AUTO_INVAL_DATA);
    want(conn, 0, opts->no_readdirplus, FUSE_CAP_READDIRPLUS);
    want(conn, 0, opts->no_readdirplus_auto, FUSE_CAP_READDIRPLUS_AUTO);
    want(conn, opts->async_dio, opts->no_async_dio, FUSE_CAP_ASYNC_DIO);
    want(conn, opts->writeback_cache, opts->no_writeback_cache, FUSE_CAP_WRITEBACK_CACHE);
    want(conn, opts->async_read, opts->sync_read, FUSE_CAP_ASYNC_READ);
    want(conn, 0, opts->no_remote_posix_lock, FUSE_CAP_POSIX_LOCKS);
    want(conn, 0, opts->no_remote_flock, FUSE_CAP_FLOCK_LOCKS);
}

/* ---- fuse_open_channel ------------------------------------------------------ */

/* Mount with the kernel's mount options alone; the /dev/fuse descriptor or -1. */
int fuse_open_channel(const char *mountpoint, const char *options)
{
    char *argv[] = { (char *)"", (char *)"-o", (char *)options, NULL };
    struct fuse_args args = FUSE_ARGS_INIT(3, argv);
    struct mount_opts *mo;
    int fd;

    mo = parse_mount_opts(&args);
    if (!mo)
        return -1;
    fd = fuse_kern_mount(mountpoint, mo);
    destroy_mount_opts(mo);
    return fd;
}
