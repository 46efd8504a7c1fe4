/*
 * launch.c - start an unmodified Linux FUSE program and serve an engine
 * to it.
 *
 * Everything the child needs is prepared before fork (the program's path,
 * its arguments and environment): between fork and exec it only makes
 * system calls, since the caller may have other threads. A close-on-exec
 * status socket tells the parent how the child fared: the seccomp
 * listener when the channel needs one, then nothing (end of file: the
 * exec worked) or the errno of the step that failed.
 *
 * Each launch has a private directory: "mnt", the mount point for the
 * fusermount and mount channels, and "bin", whose fusermount and
 * fusermount3 are links to our helper and come first in the program's
 * PATH; so neither a system fusermount nor anything else in the helper's
 * own directory is found by the program in its place.
 */
#include "wslfuse/launch.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "os/os.h"
#include "wslfuse/seqpacket.h"

extern char **environ;

#define WF_LAUNCH_THREADS_DEFAULT 2u
#define WF_LAUNCH_GRACE_NS (5ll * 1000000000ll)
#define WF_LAUNCH_ELF_PHDRS_MAX 256u
#define WF_LAUNCH_ELF_DYN_MAX 4096u

enum { MSG_LISTENER = 1, MSG_FAILED = 2 };
enum { STEP_CHANNEL = 1, STEP_INTERCEPT, STEP_EXEC };

typedef struct launch_msg {
    int kind;
    int step;
    int err;
} launch_msg;

struct wf_launched {
    wf_seqpacket *sp;
    wf_intercept *ic;
    pid_t pid;
    int pidfd;
    bool reaped;
    int status;
    wf_launch_channel channel;
    int channel_fd;
    char dir[PATH_MAX];         /* the private directory; "" when none */
    char mountpoint[PATH_MAX + 16]; /* what "{}" became */
};

/* ---- options ---- */

static const char *const channel_names[] = {"auto", "fd", "fusermount", "mount"};

void wf_launch_options_init(wf_launch_options *options)
{
    memset(options, 0, sizeof *options);
    options->channel = WF_LAUNCH_AUTO;
    options->threads = WF_LAUNCH_THREADS_DEFAULT;
}

int wf_launch_channel_parse(const char *name, wf_launch_channel *channel)
{
    for (size_t i = 0; i < sizeof channel_names / sizeof channel_names[0]; i++) {
        if (name && strcmp(name, channel_names[i]) == 0) {
            *channel = (wf_launch_channel)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *wf_launch_channel_name(wf_launch_channel channel)
{
    return (unsigned)channel < sizeof channel_names / sizeof channel_names[0]
               ? channel_names[channel]
               : "?";
}

/* ---- finding things ---- */

static bool is_executable_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* argv[0] as execvp would find it, with our PATH (not the program's). */
static int find_program(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");

    if (!*name)
        return -ENOENT;
    if (strchr(name, '/')) {
        if (snprintf(out, cap, "%s", name) >= (int)cap)
            return -ENAMETOOLONG;
        return is_executable_file(out) ? 0 : (access(out, F_OK) == 0 ? -EACCES : -ENOENT);
    }
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        int n = len ? snprintf(out, cap, "%.*s/%s", (int)len, path, name)
                    : snprintf(out, cap, "./%s", name);
        if (n > 0 && n < (int)cap && is_executable_file(out))
            return 0;
        path += len;
        if (*path == ':')
            path++;
    }
    return -ENOENT;
}

static int find_helper(const wf_launch_options *o, char *out, size_t cap)
{
    const char *env = getenv("WINFUSE_FUSERMOUNT");
    char self[PATH_MAX];
    ssize_t n;

    if (o->fusermount) {
        snprintf(out, cap, "%s", o->fusermount);
        return is_executable_file(out) ? 0 : -ENOENT;
    }
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        if (is_executable_file(out))
            return 0;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        char *slash;
        self[n] = 0;
        slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            if (snprintf(out, cap, "%s/fusermount3", self) < (int)cap && is_executable_file(out))
                return 0;
        }
    }
#ifdef WF_FUSERMOUNT_DEFAULT
    snprintf(out, cap, "%s", WF_FUSERMOUNT_DEFAULT);
    if (is_executable_file(out))
        return 0;
#endif
    out[0] = 0;
    return -ENOENT;
}

/*
 * The libfuse a dynamic ELF program needs: 3 (libfuse3.so.3), 2
 * (libfuse.so.2) or 0 (neither, not ELF, not ours to read).
 */
static int fuse_major_linked(const char *path)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph[WF_LAUNCH_ELF_PHDRS_MAX];
    Elf64_Dyn *dyn = NULL;
    Elf64_Xword needed[64];
    size_t nneeded = 0, ndyn = 0;
    uint64_t strtab = 0, strtab_off = 0;
    bool have_strtab = false, found = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC), major = 0;

    if (fd < 0)
        return 0;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        eh.e_ident[EI_DATA] != ELFDATA2LSB ||
#else
        eh.e_ident[EI_DATA] != ELFDATA2MSB ||
#endif
        eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phnum > WF_LAUNCH_ELF_PHDRS_MAX ||
        pread(fd, ph, (size_t)eh.e_phnum * sizeof ph[0], (off_t)eh.e_phoff) !=
            (ssize_t)((size_t)eh.e_phnum * sizeof ph[0]))
        goto out;
    for (unsigned i = 0; i < eh.e_phnum && !dyn; i++) {
        if (ph[i].p_type != PT_DYNAMIC)
            continue;
        ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
        if (ndyn == 0 || ndyn > WF_LAUNCH_ELF_DYN_MAX)
            goto out;
        dyn = malloc(ndyn * sizeof *dyn);
        if (!dyn || pread(fd, dyn, ndyn * sizeof *dyn, (off_t)ph[i].p_offset) !=
                        (ssize_t)(ndyn * sizeof *dyn))
            goto out;
    }
    if (!dyn)
        goto out;
    for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
        if (dyn[i].d_tag == DT_STRTAB) {
            strtab = dyn[i].d_un.d_ptr;
            have_strtab = true;
        } else if (dyn[i].d_tag == DT_NEEDED && nneeded < sizeof needed / sizeof needed[0]) {
            needed[nneeded++] = dyn[i].d_un.d_val;
        }
    }
    /* The string table is given by address: find the file offset that loads there. */
    for (unsigned i = 0; i < eh.e_phnum && have_strtab && !found; i++) {
        if (ph[i].p_type == PT_LOAD && strtab >= ph[i].p_vaddr &&
            strtab - ph[i].p_vaddr < ph[i].p_filesz) {
            strtab_off = strtab - ph[i].p_vaddr + ph[i].p_offset;
            found = true;
        }
    }
    for (size_t i = 0; i < nneeded && found; i++) {
        char name[32];
        ssize_t n = pread(fd, name, sizeof name - 1, (off_t)(strtab_off + needed[i]));
        if (n <= 0)
            continue;
        name[n] = 0;
        if (strcmp(name, "libfuse3.so.3") == 0)
            major = 3;
        else if (strcmp(name, "libfuse.so.2") == 0 && major == 0)
            major = 2;
    }
out:
    free(dyn);
    close(fd);
    return major;
}

/* ---- the private directory ---- */

static void remove_dir(wf_launched *l)
{
    char path[PATH_MAX + 32];

    if (!l->dir[0])
        return;
    snprintf(path, sizeof path, "%s/bin/fusermount", l->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bin/fusermount3", l->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bin", l->dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/mnt", l->dir);
    rmdir(path);
    if (rmdir(l->dir) != 0)
        wf_os_log(WF_LOG_WARNING, "wslfuse: cannot remove %s (errno %d): the program left "
                                  "something in its mount point", l->dir, errno);
    l->dir[0] = 0;
}

static int make_dir(wf_launched *l, const wf_launch_options *o, const char *helper)
{
    const char *tmp = o->tmpdir ? o->tmpdir : getenv("TMPDIR");
    char path[PATH_MAX + 32];

    if (!tmp || !*tmp)
        tmp = "/tmp";
    if (snprintf(l->dir, sizeof l->dir, "%s/winfuse-XXXXXX", tmp) >= (int)sizeof l->dir)
        return -ENAMETOOLONG;
    if (!mkdtemp(l->dir)) {
        int err = -errno;
        l->dir[0] = 0;
        return err;
    }
    snprintf(path, sizeof path, "%s/mnt", l->dir);
    if (mkdir(path, 0755) != 0)
        return -errno;
    if (!helper[0])
        return 0;
    snprintf(path, sizeof path, "%s/bin", l->dir);
    if (mkdir(path, 0755) != 0)
        return -errno;
    snprintf(path, sizeof path, "%s/bin/fusermount3", l->dir);
    if (symlink(helper, path) != 0)
        return -errno;
    snprintf(path, sizeof path, "%s/bin/fusermount", l->dir);
    if (symlink(helper, path) != 0)
        return -errno;
    return 0;
}

/* ---- the child ---- */

static void child_report(int status_fd, int step, int err)
{
    launch_msg m = {MSG_FAILED, step, err};

    (void)!send(status_fd, &m, sizeof m, MSG_NOSIGNAL);
}

static int send_listener(int status_fd, int listener)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    launch_msg m = {MSG_LISTENER, 0, 0};
    struct iovec iov = {&m, sizeof m};
    struct msghdr msg;
    struct cmsghdr *cmsg;

    memset(&control, 0, sizeof control);
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &listener, sizeof listener);
    return sendmsg(status_fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof m ? 0 : -errno;
}

typedef struct launch_plan {
    const char *path;
    char **argv;
    char **envp;
    int channel_fd;
    int status_fd;
    bool intercept;
    wf_intercept_mode mode;
} launch_plan;

static void __attribute__((noreturn)) child_run(const launch_plan *p)
{
    struct sigaction sa;
    sigset_t none;
    int r;

    /* What a fresh process would have: our caller may ignore SIGPIPE or block signals. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    if (fcntl(p->channel_fd, F_SETFD, 0) != 0) {
        child_report(p->status_fd, STEP_CHANNEL, errno);
        _exit(127);
    }
    if (p->intercept) {
        int listener = wf_intercept_install(p->mode);
        if (listener < 0) {
            child_report(p->status_fd, STEP_INTERCEPT, -listener);
            _exit(127);
        }
        r = send_listener(p->status_fd, listener);
        close(listener);
        if (r != 0)
            _exit(127);
    }
    execve(p->path, p->argv, p->envp);
    child_report(p->status_fd, STEP_EXEC, errno);
    _exit(127);
}

/* ---- the parent ---- */

static int recv_msg(int fd, launch_msg *m, int *passed)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = {m, sizeof *m};
    struct msghdr msg;
    struct cmsghdr *cmsg;
    ssize_t n;

    *passed = -1;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    do
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    for (cmsg = CMSG_FIRSTHDR(&msg); n >= 0 && cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
            cmsg->cmsg_len >= CMSG_LEN(sizeof(int)))
            memcpy(passed, CMSG_DATA(cmsg), sizeof(int));
    if (n < 0)
        return -errno;
    if (n == 0)
        return 0;
    return n == (ssize_t)sizeof *m ? 1 : -EPROTO;
}

static void free_strings(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* The program's arguments: "{}" is the mount point, or it goes last. */
static char **make_argv(char **argv, const char *mountpoint)
{
    size_t argc = 0;
    bool placed = false;
    char **out;

    while (argv[argc])
        argc++;
    out = calloc(argc + 2, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < argc; i++) {
        bool here = strcmp(argv[i], "{}") == 0;
        placed |= here;
        out[i] = strdup(here ? mountpoint : argv[i]);
        if (!out[i]) {
            free_strings(out);
            return NULL;
        }
    }
    if (!placed && !(out[argc] = strdup(mountpoint))) {
        free_strings(out);
        return NULL;
    }
    return out;
}

/* Our environment, with WINFUSE_CHANNEL_FD and bin_dir first in PATH. */
static char **make_envp(int channel_fd, const char *bin_dir)
{
    size_t n = 0, k = 0;
    const char *path = getenv("PATH");
    char **out;

    while (environ[n])
        n++;
    out = calloc(n + 3, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "WINFUSE_CHANNEL_FD=", 19) == 0 ||
            (bin_dir && strncmp(environ[i], "PATH=", 5) == 0))
            continue;
        if (!(out[k++] = strdup(environ[i])))
            goto fail;
    }
    if (asprintf(&out[k++], "WINFUSE_CHANNEL_FD=%d", channel_fd) < 0) {
        out[--k] = NULL;
        goto fail;
    }
    if (bin_dir && asprintf(&out[k++], "PATH=%s:%s", bin_dir,
                       path ? path : "/usr/local/bin:/usr/bin:/bin") < 0) {
        out[--k] = NULL;
        goto fail;
    }
    return out;
fail:
    free_strings(out);
    return NULL;
}

static const char *step_name(int step)
{
    switch (step) {
    case STEP_CHANNEL:
        return "passing the channel";
    case STEP_INTERCEPT:
        return "installing the mount interception (seccomp)";
    default:
        return "exec";
    }
}

static void reap_now(wf_launched *l)
{
    if (!l->reaped && waitpid(l->pid, &l->status, 0) == l->pid)
        l->reaped = true;
}

static void launched_free(wf_launched *l)
{
    if (l->pidfd >= 0)
        close(l->pidfd);
    remove_dir(l);
    free(l);
}

int wf_launch(wf_engine *engine, char **argv, unsigned threads, wf_launched **out)
{
    wf_launch_options o;

    wf_launch_options_init(&o);
    if (threads)
        o.threads = threads;
    return wf_launch_ex(engine, argv, &o, out);
}

int wf_launch_ex(wf_engine *engine, char **argv, const wf_launch_options *options,
    wf_launched **out)
{
    wf_launch_options defaults;
    const wf_launch_options *o = options;
    char path[PATH_MAX], helper[PATH_MAX], bin_dir[PATH_MAX + 8];
    char **args = NULL, **envp = NULL;
    int sv[2] = {-1, -1}, st[2] = {-1, -1}, listener = -1, err, r;
    wf_launched *l;
    launch_plan plan;
    launch_msg m;
    NTSTATUS status;

    if (out)
        *out = NULL;
    if (!engine || !argv || !argv[0] || !out)
        return -EINVAL;
    if (!o) {
        wf_launch_options_init(&defaults);
        o = &defaults;
    }
    l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    l->pid = -1;
    l->pidfd = -1;

    err = find_program(argv[0], path, sizeof path);
    if (err) {
        wf_os_log(WF_LOG_ERROR, "wslfuse: %s: %s", argv[0], strerror(-err));
        goto fail;
    }
    l->channel = o->channel;
    if (l->channel == WF_LAUNCH_AUTO) {
        int major = fuse_major_linked(path);
        l->channel = major == 3 ? WF_LAUNCH_FD
                     : major == 2 ? WF_LAUNCH_FUSERMOUNT
                                  : WF_LAUNCH_MOUNT;
    }
    if (l->channel != WF_LAUNCH_FD && !wf_intercept_available()) {
        err = -ENOSYS;
        wf_os_log(WF_LOG_ERROR, "wslfuse: the %s channel needs seccomp user notification, "
                                "which this system lacks: try -o channel=fd",
            wf_launch_channel_name(l->channel));
        goto fail;
    }
    err = find_helper(o, helper, sizeof helper);
    if (err && l->channel == WF_LAUNCH_FUSERMOUNT) {
        wf_os_log(WF_LOG_ERROR, "wslfuse: no fusermount3 helper (build/bin/fusermount3; "
                                "or set WINFUSE_FUSERMOUNT)");
        goto fail;
    }
    err = make_dir(l, o, helper);
    if (err) {
        wf_os_log(WF_LOG_ERROR, "wslfuse: cannot make the mount point directory: %s",
            strerror(-err));
        goto fail;
    }
    snprintf(bin_dir, sizeof bin_dir, "%s/bin", l->dir);

    err = wf_seqpacket_socketpair(sv);
    if (err)
        goto fail;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, st) != 0) {
        err = -errno;
        goto fail;
    }
    l->channel_fd = sv[1];
    if (l->channel == WF_LAUNCH_FD)
        snprintf(l->mountpoint, sizeof l->mountpoint, "/dev/fd/%d", sv[1]);
    else
        snprintf(l->mountpoint, sizeof l->mountpoint, "%s/mnt", l->dir);
    args = make_argv(argv, l->mountpoint);
    envp = make_envp(sv[1], helper[0] ? bin_dir : NULL);
    if (!args || !envp) {
        err = -ENOMEM;
        goto fail;
    }

    plan.path = path;
    plan.argv = args;
    plan.envp = envp;
    plan.channel_fd = sv[1];
    plan.status_fd = st[1];
    plan.intercept = l->channel != WF_LAUNCH_FD;
    plan.mode = l->channel == WF_LAUNCH_MOUNT ? WF_INTERCEPT_MOUNT : WF_INTERCEPT_FUSERMOUNT;
    l->pid = fork();
    if (l->pid < 0) {
        err = -errno;
        goto fail;
    }
    if (l->pid == 0) {
        close(sv[0]);
        close(st[0]);
        child_run(&plan);
    }
    close(st[1]);
    st[1] = -1;
    l->pidfd = (int)syscall(SYS_pidfd_open, l->pid, 0);

    if (plan.intercept) {
        r = recv_msg(st[0], &m, &listener);
        if (r == 1 && m.kind == MSG_LISTENER && listener >= 0) {
            /* Serve it before the exec: the exec itself is a call it answers. */
            err = wf_intercept_start(listener, plan.mode, sv[1], helper[0] ? helper : NULL,
                l->mountpoint, &l->ic);
            listener = -1;
            if (err) {
                wf_os_log(WF_LOG_ERROR, "wslfuse: cannot supervise the program: %s",
                    strerror(-err));
                goto fail_child;
            }
        } else {
            err = r == 1 && m.kind == MSG_FAILED ? -m.err : -ECHILD;
            if (listener >= 0)
                close(listener);
            wf_os_log(WF_LOG_ERROR, "wslfuse: %s: %s failed: %s", argv[0],
                step_name(r == 1 ? m.step : STEP_INTERCEPT), strerror(-err));
            goto fail_child;
        }
    }
    r = recv_msg(st[0], &m, &listener);
    if (listener >= 0)
        close(listener);
    if (r != 0) {
        err = r == 1 && m.kind == MSG_FAILED ? -m.err : (r < 0 ? r : -EPROTO);
        wf_os_log(WF_LOG_ERROR, "wslfuse: %s: %s failed: %s", argv[0],
            step_name(r == 1 ? m.step : STEP_EXEC), strerror(-err));
        goto fail_child;
    }
    close(st[0]);
    st[0] = -1;
    /* Only the program may hold its end: its exit must close the socket. */
    close(sv[1]);
    sv[1] = -1;
    free_strings(args);
    free_strings(envp);
    args = envp = NULL;

    status = wf_seqpacket_start_ex(engine, sv[0], o->threads ? o->threads : 2, o->gone,
        o->gone_context, &l->sp);
    sv[0] = -1;
    if (!NT_SUCCESS(status)) {
        err = status == STATUS_INSUFFICIENT_RESOURCES ? -ENOMEM : -EINVAL;
        wf_os_log(WF_LOG_ERROR, "wslfuse: cannot serve the program (status 0x%08x)",
            (unsigned)status);
        l->sp = NULL;
        goto fail_child;
    }
    *out = l;
    return 0;

fail_child:
    /* Whatever state it is in, it must not outlive a failed launch. */
    if (!l->reaped)
        kill(l->pid, SIGKILL);
    reap_now(l);
    wf_intercept_stop(l->ic);
    l->ic = NULL;
fail:
    free_strings(args);
    free_strings(envp);
    for (int i = 0; i < 2; i++) {
        if (sv[i] >= 0)
            close(sv[i]);
        if (st[i] >= 0)
            close(st[i]);
    }
    launched_free(l);
    return err;
}

void wf_launch_get_info(wf_launched *l, wf_launch_info *info)
{
    memset(info, 0, sizeof *info);
    info->pid = l->pid;
    info->channel = l->channel;
    info->channel_fd = l->channel_fd;
    info->mountpoint = l->mountpoint;
    wf_intercept_get_counts(l->ic, &info->intercept);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int wf_launch_wait(wf_launched *l, int64_t timeout_ns, int *status)
{
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;

    while (!l->reaped) {
        pid_t r = waitpid(l->pid, &l->status, WNOHANG);
        int64_t left;

        if (r == l->pid) {
            l->reaped = true;
            break;
        }
        if (r < 0 && errno != EINTR) {
            /* Someone else reaped it: it is gone all the same. */
            l->reaped = true;
            l->status = 0;
            break;
        }
        left = deadline - now_ns();
        if (left <= 0)
            return -ETIMEDOUT;
        if (l->pidfd >= 0) {
            struct pollfd p = {l->pidfd, POLLIN, 0};
            int ms = left > 1000000000ll ? 1000 : (int)(left / 1000000) + 1;
            (void)poll(&p, 1, ms);
        } else {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (status)
        *status = l->status;
    return 0;
}

int wf_launch_stop(wf_launched *l)
{
    int status = 0;

    if (!l)
        return 0;
    wf_seqpacket_stop(l->sp);
    l->sp = NULL;
    if (wf_launch_wait(l, WF_LAUNCH_GRACE_NS, &status) != 0) {
        wf_os_log(WF_LOG_WARNING, "wslfuse: process %d did not exit when its device ended; "
                                  "sending SIGTERM", (int)l->pid);
        kill(l->pid, SIGTERM);
        if (wf_launch_wait(l, WF_LAUNCH_GRACE_NS, &status) != 0) {
            wf_os_log(WF_LOG_WARNING, "wslfuse: process %d ignored SIGTERM; killing it",
                (int)l->pid);
            kill(l->pid, SIGKILL);
            wf_launch_wait(l, -1, &status);
        }
    }
    /* Only now: on its way out it may still unmount or run fusermount -u. */
    wf_intercept_stop(l->ic);
    l->ic = NULL;
    launched_free(l);
    return status;
}
