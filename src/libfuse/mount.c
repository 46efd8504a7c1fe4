/*
 * mount.c - mounting and unmounting a kernel FUSE file system, as libfuse
 * 3.14 does it on Linux.
 *
 * Options: fuse_session_new() hands its -o options here. Mount flags
 * (ro, nosuid, noexec, ...) become mount(2) flags; kernel options
 * (allow_other, default_permissions, max_read=, blksize=, *context=) go
 * into mount(2)'s data after fd=,rootmode=,user_id=,group_id=; fsname= and
 * subtype= name the source and the type ("fuse.<subtype>"); auto_unmount,
 * blkdev and fsname= are also passed on to fusermount3.
 *
 * Root mounts with mount(2) itself. Anyone else (or root when mount(2)
 * says EPERM, or when auto_unmount asks for the helper) runs fusermount3,
 * the setuid helper: it opens /dev/fuse, mounts, and passes the descriptor
 * back over a socket named by _FUSE_COMMFD with SCM_RIGHTS. Unmounting is
 * umount2(MNT_DETACH) for root and "fusermount3 -u -q -z" otherwise, after
 * closing the descriptor (an unmount would otherwise wait on ourselves).
 * /etc/mtab is not written: it is /proc/self/mounts on every system we
 * target.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FUSERMOUNT_PROG "fusermount3"
#define FUSERMOUNT_PATH "/usr/bin/fusermount3"
#define FUSE_COMMFD_ENV "_FUSE_COMMFD"

extern char **environ;

enum {
    KEY_KERN_FLAG,
    KEY_KERN_OPT,
    KEY_FUSERMOUNT_OPT,
    KEY_SUBTYPE_OPT,
    KEY_MTAB_OPT,
    KEY_RO,
};

struct mount_opts {
    int allow_other;
    int flags;
    int auto_unmount;
    int blkdev;
    char *fsname;
    char *subtype;
    char *subtype_opt;
    char *mtab_opts;
    char *fusermount_opts;
    char *kernel_opts;
    unsigned max_read;
};

#define MOUNT_OPT(t, p) {t, offsetof(struct mount_opts, p), 1}

static const struct fuse_opt mount_opt_spec[] = {
    MOUNT_OPT("allow_other", allow_other),
    MOUNT_OPT("blkdev", blkdev),
    MOUNT_OPT("auto_unmount", auto_unmount),
    MOUNT_OPT("fsname=%s", fsname),
    MOUNT_OPT("max_read=%u", max_read),
    MOUNT_OPT("subtype=%s", subtype),
    FUSE_OPT_KEY("allow_other", KEY_KERN_OPT),
    FUSE_OPT_KEY("auto_unmount", KEY_FUSERMOUNT_OPT),
    FUSE_OPT_KEY("blkdev", KEY_FUSERMOUNT_OPT),
    FUSE_OPT_KEY("fsname=", KEY_FUSERMOUNT_OPT),
    FUSE_OPT_KEY("subtype=", KEY_SUBTYPE_OPT),
    FUSE_OPT_KEY("blksize=", KEY_KERN_OPT),
    FUSE_OPT_KEY("default_permissions", KEY_KERN_OPT),
    FUSE_OPT_KEY("context=", KEY_KERN_OPT),
    FUSE_OPT_KEY("fscontext=", KEY_KERN_OPT),
    FUSE_OPT_KEY("defcontext=", KEY_KERN_OPT),
    FUSE_OPT_KEY("rootcontext=", KEY_KERN_OPT),
    FUSE_OPT_KEY("max_read=", KEY_KERN_OPT),
    FUSE_OPT_KEY("user=", KEY_MTAB_OPT),
    FUSE_OPT_KEY("-n", KEY_MTAB_OPT),
    FUSE_OPT_KEY("-r", KEY_RO),
    FUSE_OPT_KEY("ro", KEY_KERN_FLAG),
    FUSE_OPT_KEY("rw", KEY_KERN_FLAG),
    FUSE_OPT_KEY("suid", KEY_KERN_FLAG),
    FUSE_OPT_KEY("nosuid", KEY_KERN_FLAG),
    FUSE_OPT_KEY("dev", KEY_KERN_FLAG),
    FUSE_OPT_KEY("nodev", KEY_KERN_FLAG),
    FUSE_OPT_KEY("exec", KEY_KERN_FLAG),
    FUSE_OPT_KEY("noexec", KEY_KERN_FLAG),
    FUSE_OPT_KEY("async", KEY_KERN_FLAG),
    FUSE_OPT_KEY("sync", KEY_KERN_FLAG),
    FUSE_OPT_KEY("dirsync", KEY_KERN_FLAG),
    FUSE_OPT_KEY("atime", KEY_KERN_FLAG),
    FUSE_OPT_KEY("noatime", KEY_KERN_FLAG),
    FUSE_OPT_END,
};

/* Mount flags by option name; "on" sets the flag, otherwise clears it. */
static const struct {
    const char *opt;
    unsigned long flag;
    int on;
} mount_flags[] = {
    {"rw", MS_RDONLY, 0},
    {"ro", MS_RDONLY, 1},
    {"suid", MS_NOSUID, 0},
    {"nosuid", MS_NOSUID, 1},
    {"dev", MS_NODEV, 0},
    {"nodev", MS_NODEV, 1},
    {"exec", MS_NOEXEC, 0},
    {"noexec", MS_NOEXEC, 1},
    {"async", MS_SYNCHRONOUS, 0},
    {"sync", MS_SYNCHRONOUS, 1},
    {"atime", MS_NOATIME, 0},
    {"noatime", MS_NOATIME, 1},
    {"dirsync", MS_DIRSYNC, 1},
};

#define NFLAGS (sizeof mount_flags / sizeof mount_flags[0])

static void set_mount_flag(const char *s, int *flags)
{
    for (size_t i = 0; i < NFLAGS; i++) {
        if (strcmp(mount_flags[i].opt, s) == 0) {
            if (mount_flags[i].on)
                *flags |= (int)mount_flags[i].flag;
            else
                *flags &= ~(int)mount_flags[i].flag;
            return;
        }
    }
}

static int mount_opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct mount_opts *mo = data;

    (void)outargs;
    switch (key) {
    case KEY_RO:
        set_mount_flag("ro", &mo->flags);
        return 0;
    case KEY_KERN_FLAG:
        set_mount_flag(arg, &mo->flags);
        return 0;
    case KEY_KERN_OPT:
        return fuse_opt_add_opt(&mo->kernel_opts, arg);
    case KEY_FUSERMOUNT_OPT:
        return fuse_opt_add_opt_escaped(&mo->fusermount_opts, arg);
    case KEY_SUBTYPE_OPT:
        return fuse_opt_add_opt(&mo->subtype_opt, arg);
    case KEY_MTAB_OPT:
        return fuse_opt_add_opt(&mo->mtab_opts, arg);
    }
    /* Not ours: leave it for whoever parses next. */
    return 1;
}

struct mount_opts *parse_mount_opts(struct fuse_args *args)
{
    struct mount_opts *mo = calloc(1, sizeof *mo);

    if (!mo)
        return NULL;
    mo->flags = MS_NOSUID | MS_NODEV;
    if (args && fuse_opt_parse(args, mo, mount_opt_spec, mount_opt_proc) == -1) {
        destroy_mount_opts(mo);
        return NULL;
    }
    return mo;
}

void destroy_mount_opts(struct mount_opts *mo)
{
    if (!mo)
        return;
    free(mo->fsname);
    free(mo->subtype);
    free(mo->fusermount_opts);
    free(mo->subtype_opt);
    free(mo->kernel_opts);
    free(mo->mtab_opts);
    free(mo);
}

unsigned get_max_read(struct mount_opts *mo)
{
    return mo ? mo->max_read : 0;
}

/* ---- running fusermount3 ---- */

/* The environment plus one variable, built before fork: the child only execs. */
static char **env_with(const char *var)
{
    size_t n = 0;
    char **env;

    while (environ && environ[n])
        n++;
    env = calloc(n + 2, sizeof *env);
    if (!env)
        return NULL;
    n = 0;
    for (size_t i = 0; environ && environ[i]; i++)
        if (strncmp(environ[i], FUSE_COMMFD_ENV "=", sizeof FUSE_COMMFD_ENV) != 0)
            env[n++] = environ[i];
    env[n++] = (char *)var;
    env[n] = NULL;
    return env;
}

static void exec_fusermount(char *const argv[], char *const envp[])
{
    execvpe(FUSERMOUNT_PROG, argv, envp);
    execve(FUSERMOUNT_PATH, argv, envp);
}

static int run_fusermount(char *const argv[])
{
    int status;
    pid_t pid = fork();

    if (pid == -1)
        return -1;
    if (pid == 0) {
        exec_fusermount(argv, environ);
        _exit(1);
    }
    while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    return 0;
}

void fuse_mount_version(void)
{
    char *argv[] = {(char *)FUSERMOUNT_PROG, (char *)"--version", NULL};
    run_fusermount(argv);
}

/* The descriptor fusermount3 sends, or -1. */
static int receive_fd(int sock)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cmsg;
    char byte;
    ssize_t res;
    int fd;

    iov.iov_base = &byte;
    iov.iov_len = 1;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof ctl.buf;
    do {
        res = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (res == -1 && errno == EINTR);
    if (res == -1) {
        fuse_log(FUSE_LOG_ERR, "fuse: recvmsg: %s\n", strerror(errno));
        return -1;
    }
    if (res == 0)
        return -1; /* fusermount3 failed and said why on stderr */
    cmsg = CMSG_FIRSTHDR(&msg);
    if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len < CMSG_LEN(sizeof(int))) {
        fuse_log(FUSE_LOG_ERR, "fuse: got no descriptor from " FUSERMOUNT_PROG "\n");
        return -1;
    }
    memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return fd;
}

static int mount_fusermount(const char *mountpoint, struct mount_opts *mo, const char *opts,
    int quiet)
{
    char envvar[32];
    char *argv[8];
    char **envp;
    int fds[2];
    int a = 0;
    pid_t pid;
    int fd;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1) {
        fuse_log(FUSE_LOG_ERR, "fuse: socketpair() failed: %s\n", strerror(errno));
        return -1;
    }
    snprintf(envvar, sizeof envvar, FUSE_COMMFD_ENV "=%i", fds[0]);
    envp = env_with(envvar);
    if (!envp) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    argv[a++] = (char *)FUSERMOUNT_PROG;
    if (opts) {
        argv[a++] = (char *)"-o";
        argv[a++] = (char *)opts;
    }
    argv[a++] = (char *)"--";
    argv[a++] = (char *)mountpoint;
    argv[a] = NULL;

    pid = fork();
    if (pid == -1) {
        fuse_log(FUSE_LOG_ERR, "fuse: fork() failed: %s\n", strerror(errno));
        free(envp);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        if (quiet) {
            int null = open("/dev/null", O_RDONLY);
            if (null != -1) {
                dup2(null, 1);
                dup2(null, 2);
            }
        }
        /* Only the helper's end crosses exec. */
        fcntl(fds[0], F_SETFD, 0);
        exec_fusermount(argv, envp);
        _exit(1);
    }
    free(envp);
    close(fds[0]);
    fd = receive_fd(fds[1]);
    if (!mo->auto_unmount) {
        /* With auto_unmount the helper stays until this socket closes (at our exit). */
        close(fds[1]);
        while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
            ;
    }
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* ---- mount(2) ---- */

static char *strjoin3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc + 1);
    return s;
}

/* The /dev/fuse descriptor; -1 after logging; -2: let fusermount3 try. */
static int mount_sys(const char *mnt, struct mount_opts *mo)
{
    const char *devname = "/dev/fuse";
    const char *base = mo->blkdev ? "fuseblk" : "fuse";
    char *opts = NULL, *type = NULL, *source = NULL;
    char tmp[128];
    struct stat st;
    int fd, res = -1;

    if (stat(mnt, &st) == -1) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to access mountpoint %s: %s\n", mnt,
            strerror(errno));
        return -1;
    }
    if (mo->auto_unmount)
        return -2; /* only fusermount3 can unmount after we are gone */
    fd = open(devname, O_RDWR | O_CLOEXEC);
    if (fd == -1) {
        if (errno == ENODEV || errno == ENOENT)
            fuse_log(FUSE_LOG_ERR, "fuse: device not found, try 'modprobe fuse' first\n");
        else
            fuse_log(FUSE_LOG_ERR, "fuse: failed to open %s: %s\n", devname, strerror(errno));
        return -1;
    }
    snprintf(tmp, sizeof tmp, "fd=%i,rootmode=%o,user_id=%u,group_id=%u", fd,
        (unsigned)(st.st_mode & S_IFMT), (unsigned)getuid(), (unsigned)getgid());
    if (fuse_opt_add_opt(&opts, tmp) == -1 ||
        (mo->kernel_opts && fuse_opt_add_opt(&opts, mo->kernel_opts) == -1))
        goto out;
    type = mo->subtype ? strjoin3(base, ".", mo->subtype) : strdup(base);
    source = strdup(mo->fsname ? mo->fsname : mo->subtype ? mo->subtype : devname);
    if (!type || !source)
        goto out;

    res = mount(source, mnt, type, (unsigned long)mo->flags, opts);
    if (res == -1 && errno == ENODEV && mo->subtype) {
        /* A kernel without subtypes: the old "subtype#fsname" source. */
        free(type);
        type = strdup(base);
        free(source);
        if (mo->fsname && !mo->blkdev)
            source = strjoin3(mo->subtype, "#", mo->fsname);
        else
            source = strdup(mo->fsname ? mo->fsname : base);
        if (!type || !source) {
            res = -1;
            goto out;
        }
        res = mount(source, mnt, type, (unsigned long)mo->flags, opts);
    }
    if (res == -1) {
        if (errno == EPERM) {
            res = -2;
        } else {
            fuse_log(FUSE_LOG_ERR, "fuse: mount failed: %s\n", strerror(errno));
            res = -1;
        }
        goto out;
    }
    res = fd;
out:
    if (res < 0)
        close(fd);
    free(opts);
    free(type);
    free(source);
    return res;
}

static int mnt_flag_opts(char **optsp, int flags)
{
    if (!(flags & MS_RDONLY) && fuse_opt_add_opt(optsp, "rw") == -1)
        return -1;
    for (size_t i = 0; i < NFLAGS; i++)
        if (mount_flags[i].on && (flags & (int)mount_flags[i].flag) &&
            fuse_opt_add_opt(optsp, mount_flags[i].opt) == -1)
            return -1;
    return 0;
}

int fuse_kern_mount(const char *mountpoint, struct mount_opts *mo)
{
    char *mnt_opts = NULL;
    int res = -1;

    if (!mountpoint) {
        fuse_log(FUSE_LOG_ERR, "fuse: missing mountpoint parameter\n");
        return -1;
    }
    if (mnt_flag_opts(&mnt_opts, mo->flags) == -1 ||
        (mo->kernel_opts && fuse_opt_add_opt(&mnt_opts, mo->kernel_opts) == -1) ||
        (mo->mtab_opts && fuse_opt_add_opt(&mnt_opts, mo->mtab_opts) == -1))
        goto out;

    res = mount_sys(mountpoint, mo);
    if (res == -2) {
        res = -1;
        if (mo->fusermount_opts && fuse_opt_add_opt(&mnt_opts, mo->fusermount_opts) == -1)
            goto out;
        if (mo->subtype) {
            char *with_subtype = NULL;
            if (fuse_opt_add_opt(&with_subtype, mnt_opts) == -1 ||
                fuse_opt_add_opt(&with_subtype, mo->subtype_opt) == -1) {
                free(with_subtype);
                goto out;
            }
            /* Quietly first: an old helper may not know subtype=. */
            res = mount_fusermount(mountpoint, mo, with_subtype, 1);
            free(with_subtype);
            if (res == -1)
                res = mount_fusermount(mountpoint, mo, mnt_opts, 0);
        } else {
            res = mount_fusermount(mountpoint, mo, mnt_opts, 0);
        }
    }
out:
    free(mnt_opts);
    return res;
}

void fuse_kern_unmount(const char *mountpoint, int fd)
{
    if (fd != -1) {
        struct pollfd pfd = {fd, 0, 0};
        int res = poll(&pfd, 1, 0);

        close(fd);
        /* POLLERR: already unmounted, or the connection was aborted. */
        if (res == 1 && (pfd.revents & POLLERR))
            return;
    }
    if (geteuid() == 0) {
        if (umount2(mountpoint, MNT_DETACH) == -1)
            fuse_log(FUSE_LOG_ERR, "fuse: failed to unmount %s: %s\n", mountpoint,
                strerror(errno));
        return;
    }
    if (umount2(mountpoint, MNT_DETACH) == 0)
        return;
    {
        char *argv[] = {(char *)FUSERMOUNT_PROG, (char *)"-u", (char *)"-q", (char *)"-z",
            (char *)"--", (char *)mountpoint, NULL};
        run_fusermount(argv);
    }
}
