/*
 * winfuse.c - the `winfuse` command.
 *
 *   winfuse check [-o OPTS] [--json] [--only TEXT] [-- FS-COMMAND [ARGS...]]
 *   winfuse mount [-f] [-d] [-o OPTS] MOUNTPOINT [-- FS-COMMAND [ARGS...]]
 *   winfuse unmount [-z] MOUNTPOINT
 *
 * Each builds the whole Windows path in one process (backend.h): an fsd
 * volume (the WinFsp FSD stand-in), an engine (the winfuse driver), and a
 * FUSE file system behind it: the embedded memfs on our libfuse's engine
 * channel, or any FUSE program given after "--". `check` runs the
 * Windows conformance suite through the NT file API; `mount` puts
 * lxfront in front (the LXCORE role): a Linux kernel FUSE mount whose
 * requests become NT calls, so that Linux processes use the file system
 * through the whole Windows path.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUSE_USE_VERSION 314
#include <fuse.h>
#include <fuse_log.h>

#include "check/check.h"
#include "cli/backend.h"
#include "lxfront/lxfront.h"

#define WINFUSE_VERSION "0.1.0"
#define FUSE_SUPER_MAGIC 0x65735546

static const char usage_head[] =
    "usage: winfuse check [-o OPTIONS] [--json] [--only TEXT] [-- FS-COMMAND [ARGS...]]\n"
    "       winfuse mount [-f] [-d] [-o OPTIONS] MOUNTPOINT [-- FS-COMMAND [ARGS...]]\n"
    "       winfuse unmount [-z] MOUNTPOINT\n"
    "       winfuse --help | --version\n"
    "\n"
    "The file system behind the Windows path is the embedded in-memory file\n"
    "system (memfs) or, after \"--\", any FUSE program. \"{}\" in its arguments\n"
    "stands for its mountpoint argument (it is given a /dev/fuse-protocol\n"
    "channel, \"/dev/fd/N\", or a directory our fusermount3 serves); without\n"
    "\"{}\" that argument is appended last.\n"
    "\n"
    "check   run the Windows file-semantics conformance suite through the NT file\n"
    "        API, the WinFsp FSD stand-in and the winfuse engine. One line per\n"
    "        case, then \"N passed, N failed, N skipped\"; exit status 1 if any\n"
    "        case failed.\n"
    "mount   mount the file system at MOUNTPOINT for Linux processes, through the\n"
    "        whole Windows path: each Linux request becomes NT file API calls\n"
    "        (as WSL1's LXCORE makes them), WinFsp requests and FUSE requests\n"
    "        (docs/lxfront.md). It goes to the background once the mount works\n"
    "        (exit status 0), and ends with `winfuse unmount MOUNTPOINT` or\n"
    "        `fusermount3 -u MOUNTPOINT`: the file system gets DESTROY and exits.\n"
    "          -f   stay in the foreground\n"
    "          -d   log every Linux request, NT call, WinFsp request and (memfs)\n"
    "               FUSE request, one line each, on stderr (implies -f)\n"
    "unmount end a `winfuse mount`: unmount it and wait for it to finish.\n"
    "          -z   lazy: detach now, finish when the last file is closed\n"
    "\n"
    "  -o OPTIONS     comma-separated options; for every command:\n";

static const char usage_check[] =
    "       read_only, no_security, no_symlinks, no_times\n"
    "                            (check) what the file system cannot do: those\n"
    "                            cases are skipped with the reason, never passed\n"
    "       allow_other          (mount) let other users in (default for root;\n"
    "                            the engine checks their access)\n"
    "       ro                   (mount) read-only mount\n"
    "       attr_timeout=S, entry_timeout=S\n"
    "                            (mount) how long the Linux kernel caches\n"
    "                            attributes and names (default 1 second)\n"
    "       max_threads=N        (mount) request threads at most (default 16)\n"
    "  --json         (check) one JSON document instead of text lines\n"
    "  --only TEXT    (check) run only the cases whose name contains TEXT\n"
    "  -h, --help     this text\n"
    "  -V, --version  the version\n";

static void print_usage(FILE *out)
{
    fputs(usage_head, out);
    fputs(wf_cli_options_help, out);
    fputs(usage_check, out);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "winfuse: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return 2;
}

/* Split one -o list; each option goes to take(ctx, name, value): 1 taken, 0 unknown, -1 bad. */
static int parse_o(char *list, int (*take)(void *ctx, const char *name, const char *value),
    void *ctx)
{
    char *save = NULL;

    for (char *opt = strtok_r(list, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
        char *value = strchr(opt, '=');
        int r;

        if (value)
            *value++ = 0;
        r = take(ctx, opt, value);
        if (r == 0) {
            if (value)
                value[-1] = '=';
            return fail("unknown or malformed option: '-o %s'", opt);
        }
        if (r < 0)
            return 2;
    }
    return 0;
}

/* ---- check ---- */

typedef struct check_args {
    wf_cli_options vol;
    wf_check_options check;
} check_args;

static int take_check_option(void *ctx, const char *name, const char *value)
{
    check_args *a = ctx;
    int r = wf_cli_option(&a->vol, name, value);

    if (r != 0)
        return r;
    if (value)
        return 0;
    if (!strcmp(name, "read_only"))
        a->check.read_only = true;
    else if (!strcmp(name, "no_security"))
        a->check.no_security = true;
    else if (!strcmp(name, "no_symlinks"))
        a->check.no_symlinks = true;
    else if (!strcmp(name, "no_times"))
        a->check.no_times = true;
    else
        return 0;
    return 1;
}

/* Every subcommand takes --help as -h. */
static const struct option help_option[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"only", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    check_args a;
    wf_cli_stack s;
    wf_check_result result;
    int opt, rc;

    memset(&a, 0, sizeof a);
    wf_cli_options_init(&a.vol);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            if (parse_o(optarg, take_check_option, &a) != 0)
                return 2;
            break;
        case 'j':
            a.check.json = true;
            break;
        case 'O':
            a.check.only = optarg;
            break;
        case 'h':
            print_usage(stdout);
            return 0;
        default:
            print_usage(stderr);
            return 2;
        }
    }
    if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
        return fail("unexpected argument '%s' (a FUSE program goes after \"--\")", argv[optind]);
    rc = wf_cli_stack_start(&s, &a.vol, optind < argc ? argv + optind : NULL, NULL);
    if (rc)
        return rc;
    rc = wf_check_run(s.volume, &a.check, &result);
    wf_cli_stack_stop(&s);
    return rc;
}

/* ---- mount ---- */

typedef struct mount_args {
    wf_cli_options vol;
    wf_lx_options lx;
    bool allow_other_set;
} mount_args;

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    double v;

    if (!s || !*s)
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !(v >= 0 && v <= 86400.0 * 365))
        return false;
    *out = v;
    return true;
}

static int take_mount_option(void *ctx, const char *name, const char *value)
{
    mount_args *a = ctx;
    int r = wf_cli_option(&a->vol, name, value);
    char *end;

    if (r != 0)
        return r;
    if (!strcmp(name, "case_insensitive"))
        return 0;
    if (!strcmp(name, "allow_other") && !value) {
        a->lx.allow_other = true;
        a->allow_other_set = true;
    } else if (!strcmp(name, "ro") && !value) {
        a->lx.read_only = true;
    } else if (!strcmp(name, "attr_timeout") && parse_seconds(value, &a->lx.attr_timeout)) {
    } else if (!strcmp(name, "entry_timeout") && parse_seconds(value, &a->lx.entry_timeout)) {
    } else if (!strcmp(name, "max_threads") && value && *value) {
        unsigned long n = strtoul(value, &end, 10);
        if (*end || n == 0 || n > 256)
            return 0;
        a->lx.max_threads = (unsigned)n;
    } else {
        return 0;
    }
    return 1;
}

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

static void trace_line(void *context, const char *line)
{
    (void)context;
    pthread_mutex_lock(&trace_lock);
    fprintf(stderr, "%s\n", line);
    pthread_mutex_unlock(&trace_lock);
}

#ifndef WF_ENGINE_HAS_TRACE
/* libfuse's own debug lines (the embedded memfs with -d): the FUSE requests. */
static void fuse_log_line(enum fuse_log_level level, const char *fmt, va_list ap)
{
    char line[1024];
    size_t n;

    (void)level;
    vsnprintf(line, sizeof line, fmt, ap);
    n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = 0;
    pthread_mutex_lock(&trace_lock);
    fprintf(stderr, "fuse          %s\n", line);
    pthread_mutex_unlock(&trace_lock);
}
#endif

/* What the "gone" hook needs: the lxfront instance, once there is one. */
typedef struct mount_state {
    pthread_mutex_t lock;
    wf_lx *lx;
    bool gone;
    bool unusable;             /* the new mount did not answer */
    const char *mountpoint;
    int report_fd;             /* the waiting parent's pipe, or -1 */
} mount_state;

static void fs_gone(void *context)
{
    mount_state *m = context;

    pthread_mutex_lock(&m->lock);
    m->gone = true;
    if (m->lx)
        wf_lx_exit(m->lx);
    pthread_mutex_unlock(&m->lock);
}

static void report(mount_state *m, char status)
{
    if (m->report_fd >= 0) {
        ssize_t n = write(m->report_fd, &status, 1);
        (void)n;
        close(m->report_fd);
        m->report_fd = -1;
    }
}

/* Stat the new mount from a thread of our own: the whole path answers, or it does not. */
static void *verify_mount(void *arg)
{
    mount_state *m = arg;
    struct statfs sf;
    struct stat st;
    bool ok = statfs(m->mountpoint, &sf) == 0 && (unsigned long)sf.f_type == FUSE_SUPER_MAGIC &&
        stat(m->mountpoint, &st) == 0 && S_ISDIR(st.st_mode);

    if (!ok)
        fprintf(stderr, "winfuse: the mount at %s does not answer: %s\n", m->mountpoint,
            strerror(errno ? errno : EIO));
    if (ok && m->report_fd >= 0) {
        /* The parent reports for us; from now on nobody reads our output. */
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            if (null > STDERR_FILENO)
                close(null);
        }
    }
    report(m, ok ? 0 : 1);
    if (!ok) {
        pthread_mutex_lock(&m->lock);
        m->unusable = true;
        if (m->lx)
            wf_lx_exit(m->lx);
        pthread_mutex_unlock(&m->lock);
    }
    return NULL;
}

/* The program name shown in /proc/mounts: "winfuse:<pid>:<fs>". */
static void make_fsname(char *buf, size_t size, char **argv)
{
    const char *fs = "memfs";
    char clean[64];
    size_t n = 0;

    if (argv) {
        fs = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    }
    for (const char *p = fs; *p && n < sizeof clean - 1; p++)
        clean[n++] = (*p == ',' || *p == ' ' || *p == '\\' || *p == ':') ? '_' : *p;
    clean[n] = 0;
    snprintf(buf, size, "winfuse:%ld:%s", (long)getpid(), clean);
}

static int cmd_mount(int argc, char **argv)
{
    mount_args a;
    mount_state m;
    wf_cli_hooks hooks;
    wf_cli_stack s;
    wf_lx *lx = NULL;
    char fsname[128], mnt[PATH_MAX];
    char **prog = NULL;
    bool foreground = false, debug = false;
    pthread_t verifier;
    sigset_t exits;
    int opt, rc = 1, err, pipefd[2] = {-1, -1};

    memset(&a, 0, sizeof a);
    wf_cli_options_init(&a.vol);
    wf_lx_options_init(&a.lx);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+fdho:", help_option, NULL)) != -1) {
        switch (opt) {
        case 'f':
            foreground = true;
            break;
        case 'd':
            debug = foreground = true;
            break;
        case 'o':
            if (parse_o(optarg, take_mount_option, &a) != 0)
                return 2;
            break;
        case 'h':
            print_usage(stdout);
            return 0;
        default:
            print_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc || !strcmp(argv[optind - 1], "--"))
        return fail("mount: no mount point given");
    if (!realpath(argv[optind], mnt))
        return fail("mount: %s: %s", argv[optind], strerror(errno));
    optind++;
    if (optind < argc) {
        if (strcmp(argv[optind], "--") != 0)
            return fail("unexpected argument '%s' (a FUSE program goes after \"--\")",
                argv[optind]);
        if (optind + 1 >= argc)
            return fail("mount: no FUSE program after \"--\"");
        prog = argv + optind + 1;
    }
    if (!a.allow_other_set && geteuid() == 0)
        a.lx.allow_other = true;

    memset(&m, 0, sizeof m);
    pthread_mutex_init(&m.lock, NULL);
    m.mountpoint = mnt;
    m.report_fd = -1;

    /* Into the background first: threads do not survive fork(2). */
    if (!foreground) {
        pid_t pid;
        char status = 1;
        if (pipe(pipefd) != 0)
            return fail("mount: pipe: %s", strerror(errno));
        fflush(NULL);
        pid = fork();
        if (pid < 0)
            return fail("mount: fork: %s", strerror(errno));
        if (pid > 0) {
            close(pipefd[1]);
            if (read(pipefd[0], &status, 1) != 1)
                status = 1;
            close(pipefd[0]);
            if (status != 0) {
                int ws;
                waitpid(pid, &ws, WNOHANG);
                fprintf(stderr, "winfuse: mount at %s failed\n", mnt);
                return 1;
            }
            return 0;
        }
        close(pipefd[0]);
        m.report_fd = pipefd[1];
        setsid();
        /* Only the parent's terminal output matters now; stdout goes nowhere. */
        {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0) {
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                if (null > STDERR_FILENO)
                    close(null);
            }
        }
    }
    /* Exit signals go to the request loop alone (wf_lx_loop); every thread made from here blocks them. */
    sigemptyset(&exits);
    sigaddset(&exits, SIGINT);
    sigaddset(&exits, SIGTERM);
    sigaddset(&exits, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &exits, NULL);

    if (debug) {
#ifndef WF_ENGINE_HAS_TRACE
        /* Without the engine's trace hook, memfs's libfuse tells its FUSE requests. */
        a.vol.fuse_debug = true;
        fuse_set_log_func(fuse_log_line);
#endif
        a.lx.trace = trace_line;
    }
    memset(&hooks, 0, sizeof hooks);
    hooks.gone = fs_gone;
    hooks.trace = debug ? trace_line : NULL;
    hooks.context = &m;
    if (wf_cli_stack_start(&s, &a.vol, prog, &hooks) != 0) {
        report(&m, 1);
        return 1;
    }
    /* A daemon holds no directory busy (the program already has its own). */
    if (!foreground && chdir("/") != 0)
        fail("mount: chdir /: %s", strerror(errno));
    make_fsname(fsname, sizeof fsname, prog);
    a.lx.fsname = fsname;
    a.lx.subtype = "winfuse";
    err = wf_lx_new(s.volume, &a.lx, &lx);
    if (!err) {
        err = wf_lx_mount(lx, mnt);
        if (err)
            fail("mount: cannot mount %s: %s", mnt, strerror(-err));
    } else {
        fail("mount: %s", strerror(-err));
    }
    if (!err) {
        pthread_mutex_lock(&m.lock);
        m.lx = lx;
        if (m.gone)
            wf_lx_exit(lx);
        pthread_mutex_unlock(&m.lock);
        if (pthread_create(&verifier, NULL, verify_mount, &m) != 0) {
            fail("mount: cannot start: %s", strerror(errno));
            err = -EAGAIN;
        }
    }
    if (!err) {
        if (debug)
            trace_line(NULL, "winfuse: mounted; every request is traced below");
        err = wf_lx_loop(lx);
        pthread_join(verifier, NULL);
        rc = err || m.unusable ? 1 : 0;
    } else {
        report(&m, 1);
    }
    pthread_mutex_lock(&m.lock);
    m.lx = NULL;
    pthread_mutex_unlock(&m.lock);
    if (lx) {
        wf_lx_unmount(lx);
        wf_lx_delete(lx);
    }
    /* The volume goes: the file system gets DESTROY and is waited for. */
    {
        int status = wf_cli_stack_stop(&s);
        if (m.gone || (prog && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))) {
            if (debug)
                fprintf(stderr, "winfuse: the file system ended by itself or failed\n");
            rc = 1;
        }
    }
    pthread_mutex_destroy(&m.lock);
    return rc;
}

/* ---- unmount ---- */

/* Undo /proc/self/mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
    char *o = s;

    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

/* The pid of the winfuse mount at path (the last one mounted there), or 0. */
static pid_t find_mount(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char *line = NULL;
    size_t cap = 0;
    pid_t pid = 0;

    if (!f)
        return 0;
    while (getline(&line, &cap, f) > 0) {
        /* id parent major:minor root mountpoint opts [optional...] - fstype source superopts */
        char *fields[5] = {NULL}, *save = NULL, *sep, *fstype, *source;
        int i = 0;
        char *t;
        while (i < 5 && (t = strtok_r(i ? NULL : line, " ", &save)) != NULL)
            fields[i++] = t;
        if (i < 5 || !(sep = strstr(save ? save : "", " - ")))
            continue;
        fstype = strtok_r(sep + 3, " ", &save);
        source = fstype ? strtok_r(NULL, " ", &save) : NULL;
        if (!fstype || !source || strncmp(fstype, "fuse", 4) != 0)
            continue;
        unescape(fields[4]);
        unescape(source);
        if (strcmp(fields[4], path) == 0 && strncmp(source, "winfuse:", 8) == 0) {
            long p = strtol(source + 8, NULL, 10);
            pid = p > 0 ? (pid_t)p : 0;
        }
    }
    free(line);
    fclose(f);
    return pid;
}

/* Is the process gone: no such process, or a zombie nobody reaped yet? */
static bool process_gone(pid_t pid)
{
    char path[64], buf[512], *close_paren;
    FILE *f;
    size_t n;

    if (kill(pid, 0) != 0 && errno == ESRCH)
        return true;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "r");
    if (!f)
        return errno == ENOENT;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* "pid (comm) S ...": the state follows the last ')'. */
    close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

/*
 * Wait for a process that is not our child. (A pidfd is not used: some
 * kernels report it readable while the process still runs.)
 */
static bool wait_gone(pid_t pid, int timeout_ms)
{
    for (int t = 0; t < timeout_ms; t += 20) {
        struct timespec ts = {0, 20 * 1000000L};
        if (process_gone(pid))
            return true;
        nanosleep(&ts, NULL);
    }
    return process_gone(pid);
}

static int cmd_unmount(int argc, char **argv)
{
    char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2], *copy, *slash, *base;
    bool lazy = false;
    pid_t pid;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+zh", help_option, NULL)) != -1) {
        if (opt == 'z') {
            lazy = true;
        } else if (opt == 'h') {
            print_usage(stdout);
            return 0;
        } else {
            print_usage(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc)
        return fail("unmount: give one mount point");
    /* Resolve the parent only: the mount itself may not answer. */
    copy = strdup(argv[optind]);
    if (!copy)
        return fail("unmount: out of memory");
    while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
        copy[strlen(copy) - 1] = 0;
    slash = strrchr(copy, '/');
    base = slash ? slash + 1 : copy;
    if (slash)
        *slash = 0;
    if (!realpath(slash ? (*copy ? copy : "/") : ".", dir)) {
        free(copy);
        return fail("unmount: %s: %s", argv[optind], strerror(errno));
    }
    snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", base);
    free(copy);
    pid = find_mount(path);
    if (!pid)
        return fail("unmount: %s is not a winfuse mount", path);
    if (geteuid() == 0) {
        if (umount2(path, lazy ? MNT_DETACH : 0) != 0)
            return fail("unmount: %s: %s", path, strerror(errno));
    } else {
        /* The system's fusermount3, the setuid helper that may unmount what a user mounted. */
        pid_t child = fork();
        int ws;
        if (child == 0) {
            const char *helper = access("/usr/bin/fusermount3", X_OK) == 0
                ? "/usr/bin/fusermount3" : "fusermount3";
            execlp(helper, "fusermount3", lazy ? "-uz" : "-u", "--", path, (char *)NULL);
            _exit(127);
        }
        if (child < 0 || waitpid(child, &ws, 0) != child || !WIFEXITED(ws) ||
            WEXITSTATUS(ws) != 0)
            return fail("unmount: fusermount3 -u %s failed", path);
    }
    /* The file system gets DESTROY and exits; winfuse then ends too. */
    if (!wait_gone(pid, 60000))
        return fail("unmount: %s is unmounted but winfuse (pid %ld) is still running", path,
            (long)pid);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("winfuse %s (FUSE protocol 7.31, WinFsp transact ABI)\n", WINFUSE_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "check"))
        return cmd_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "mount"))
        return cmd_mount(argc - 1, argv + 1);
    if (!strcmp(argv[1], "unmount") || !strcmp(argv[1], "umount"))
        return cmd_unmount(argc - 1, argv + 1);
    fprintf(stderr, "winfuse: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return 2;
}
