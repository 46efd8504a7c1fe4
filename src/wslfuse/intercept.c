/*
 * intercept.c - a FUSE program's mount(2) and fusermount, redirected to a
 * winfuse channel through seccomp user notification.
 *
 * The supervisor reads the program's arguments from its memory
 * (process_vm_readv) and checks that the notification is still live after
 * reading, so that a recycled thread id cannot mislead it. This is no
 * security boundary: the program runs with all of its own rights, it is
 * only steered away from the kernel's FUSE and towards our channel.
 */
#include "wslfuse/intercept.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "os/os.h"

#if defined(__x86_64__)
#define WF_IC_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define WF_IC_ARCH AUDIT_ARCH_AARCH64
#endif

/* /dev/fuse: misc device 229. */
#define WF_IC_FUSE_MAJOR 10
#define WF_IC_FUSE_MINOR 229
#define WF_IC_PAGE 4096u
#define WF_IC_STR_MAX 4096u

struct wf_intercept {
    int listener;
    int stop[2];            /* a pipe: written to end the thread */
    int channel;            /* ours until a mount takes it; -1 after */
    wf_intercept_mode mode;
    dev_t helper_dev;
    ino_t helper_ino;
    bool have_helper;
    char mountpoint[PATH_MAX];
    pthread_t thread;
    pthread_mutex_t lock;   /* counts, channel */
    wf_intercept_counts counts;
    struct seccomp_notif_sizes sizes;
};

static long sys_seccomp(unsigned op, unsigned flags, void *arg)
{
    return syscall(SYS_seccomp, op, flags, arg);
}

bool wf_intercept_available(void)
{
#ifdef WF_IC_ARCH
    struct seccomp_notif_sizes sizes;
    return sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
#else
    return false;
#endif
}

/* ---- the filter (child side) ---- */

#define IC_LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
/* If the syscall number is nr, return action; else go on. */
#define IC_CASE(nr, action) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                            BPF_STMT(BPF_RET | BPF_K, (action))

int wf_intercept_install(wf_intercept_mode mode)
{
#ifdef WF_IC_ARCH
    const uint32_t notify = SECCOMP_RET_USER_NOTIF;
    const uint32_t nosys = SECCOMP_RET_ERRNO | ENOSYS;
    uint32_t on_mount = mode == WF_INTERCEPT_MOUNT ? notify : (SECCOMP_RET_ERRNO | EPERM);
    struct sock_filter code[] = {
        IC_LOAD(arch),
        /* Another ABI (x32, compat): left alone; no libfuse mounts through it. */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, WF_IC_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        IC_LOAD(nr),
        IC_CASE(__NR_mount, on_mount),
        IC_CASE(__NR_umount2, notify),
        IC_CASE(__NR_execve, notify),
        IC_CASE(__NR_execveat, notify),
        IC_CASE(__NR_fsopen, nosys),
        IC_CASE(__NR_fsconfig, nosys),
        IC_CASE(__NR_fsmount, nosys),
        IC_CASE(__NR_fspick, nosys),
        IC_CASE(__NR_move_mount, nosys),
        IC_CASE(__NR_open_tree, nosys),
        IC_CASE(__NR_mount_setattr, nosys),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {(unsigned short)(sizeof code / sizeof code[0]), code};
    long fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

    if (fd < 0 && errno == EACCES) {
        /* Not privileged: a filter needs no_new_privs then. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            return -errno;
        fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    }
    return fd < 0 ? -errno : (int)fd;
#else
    (void)mode;
    return -ENOSYS;
#endif
}

/* ---- reading the program ---- */

/* A NUL-terminated string at addr in pid, within cap bytes; page by page. */
static int read_string(pid_t pid, uint64_t addr, char *buf, size_t cap)
{
    size_t got = 0;

    if (addr == 0)
        return -EFAULT;
    while (got + 1 < cap) {
        size_t room = WF_IC_PAGE - (size_t)((addr + got) % WF_IC_PAGE);
        size_t want = cap - 1 - got < room ? cap - 1 - got : room;
        struct iovec local = {buf + got, want};
        struct iovec remote = {(void *)(uintptr_t)(addr + got), want};
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

        if (n <= 0)
            return n < 0 ? -errno : -EFAULT;
        if (memchr(buf + got, 0, (size_t)n))
            return 0;
        got += (size_t)n;
    }
    buf[cap - 1] = 0;
    return -ENAMETOOLONG;
}

static bool still_valid(wf_intercept *ic, uint64_t id)
{
    return ioctl(ic->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* A path as the program sees it: relative to its cwd, or to a directory descriptor. */
static void program_path(pid_t pid, int dirfd, const char *path, char *out, size_t cap)
{
    if (path[0] == '/')
        snprintf(out, cap, "%s", path);
    else if (dirfd == AT_FDCWD)
        snprintf(out, cap, "/proc/%d/cwd/%s", (int)pid, path);
    else
        snprintf(out, cap, "/proc/%d/fd/%d/%s", (int)pid, dirfd, path);
}

static bool is_fuse_type(const char *type)
{
    return strcmp(type, "fuse") == 0 || strncmp(type, "fuse.", 5) == 0 ||
           strcmp(type, "fuseblk") == 0 || strncmp(type, "fuseblk.", 8) == 0;
}

/* The fd=N option of a fuse mount, or -1. */
static int mount_fd_option(const char *data)
{
    const char *p = data;

    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 3 && strncmp(p, "fd=", 3) == 0) {
            char num[16];
            char *stop;
            long v;
            if (len - 3 >= sizeof num)
                return -1;
            memcpy(num, p + 3, len - 3);
            num[len - 3] = 0;
            errno = 0;
            v = strtol(num, &stop, 10);
            return errno || *stop || v < 0 || v > INT_MAX ? -1 : (int)v;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return -1;
}

/* Is the program's descriptor fd open with O_CLOEXEC? (fdinfo shows the open flags.) */
static bool fd_cloexec(pid_t pid, int fd)
{
    char path[64], text[512];
    unsigned flags = 0;
    const char *line;
    ssize_t n;
    int f;

    snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, fd);
    f = open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return false;
    n = read(f, text, sizeof text - 1);
    close(f);
    if (n <= 0)
        return false;
    text[n] = 0;
    line = strstr(text, "flags:");
    if (!line || sscanf(line + 6, "%o", &flags) != 1)
        return false;
    return (flags & O_CLOEXEC) != 0;
}

/* ---- the calls ---- */

typedef struct ic_answer {
    int64_t val;
    int error;              /* positive errno, or 0 */
    bool pass;              /* let the call run as it is */
} ic_answer;

static ic_answer ic_error(int err)
{
    ic_answer a = {-1, err, false};
    return a;
}

static ic_answer ic_value(int64_t val)
{
    ic_answer a = {val, 0, false};
    return a;
}

static ic_answer ic_pass(void)
{
    ic_answer a = {0, 0, true};
    return a;
}

static ic_answer on_mount(wf_intercept *ic, const struct seccomp_notif *req)
{
    pid_t pid = (pid_t)req->pid;
    char type[64], path[64];
    char *data;
    struct stat st;
    struct seccomp_notif_addfd add;
    int fd, r;

    if (ic->mode != WF_INTERCEPT_MOUNT || read_string(pid, req->data.args[2], type, sizeof type))
        goto refuse;
    if (!is_fuse_type(type))
        goto refuse;
    data = malloc(WF_IC_STR_MAX);
    if (!data)
        return ic_error(ENOMEM);
    r = read_string(pid, req->data.args[4], data, WF_IC_STR_MAX);
    fd = r == 0 ? mount_fd_option(data) : -1;
    free(data);
    if (fd < 0)
        return ic_error(EINVAL);
    /* As the kernel: the descriptor must be an open /dev/fuse. */
    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
    if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode) ||
        major(st.st_rdev) != WF_IC_FUSE_MAJOR || minor(st.st_rdev) != WF_IC_FUSE_MINOR)
        return ic_error(EINVAL);

    memset(&add, 0, sizeof add);
    add.id = req->id;
    add.flags = SECCOMP_ADDFD_FLAG_SETFD;
    add.newfd = (uint32_t)fd;
    /* libfuse 3 opens /dev/fuse close-on-exec: children (ssh, ...) must not hold the channel. */
    add.newfd_flags = fd_cloexec(pid, fd) ? O_CLOEXEC : 0;
    pthread_mutex_lock(&ic->lock);
    if (ic->channel < 0) {
        /* One volume per program: the channel went to an earlier mount. */
        pthread_mutex_unlock(&ic->lock);
        return ic_error(EBUSY);
    }
    if (!still_valid(ic, req->id)) {
        pthread_mutex_unlock(&ic->lock);
        return ic_error(EINTR);
    }
    add.srcfd = (uint32_t)ic->channel;
    if (ioctl(ic->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0) {
        r = errno;
        pthread_mutex_unlock(&ic->lock);
        wf_os_log(WF_LOG_ERROR, "wslfuse: cannot hand the channel to process %d (errno %d)",
            (int)pid, r);
        return ic_error(r == ENOENT ? EINTR : EIO);
    }
    /* The program holds the channel now; our copy must not outlive it. */
    close(ic->channel);
    ic->channel = -1;
    ic->counts.mounts++;
    pthread_mutex_unlock(&ic->lock);
    return ic_value(0);

refuse:
    pthread_mutex_lock(&ic->lock);
    ic->counts.refused++;
    pthread_mutex_unlock(&ic->lock);
    return ic_error(EPERM);
}

static bool same_path(pid_t pid, const char *path, const char *mountpoint)
{
    char full[PATH_MAX + 64], real[PATH_MAX];

    if (!mountpoint[0])
        return false;
    program_path(pid, AT_FDCWD, path, full, sizeof full);
    return realpath(full, real) && strcmp(real, mountpoint) == 0;
}

static ic_answer on_umount(wf_intercept *ic, const struct seccomp_notif *req)
{
    char path[PATH_MAX];

    if (read_string((pid_t)req->pid, req->data.args[0], path, sizeof path) != 0 ||
        !same_path((pid_t)req->pid, path, ic->mountpoint))
        return ic_pass();
    pthread_mutex_lock(&ic->lock);
    ic->counts.unmounts++;
    pthread_mutex_unlock(&ic->lock);
    return ic_value(0);
}

static ic_answer on_exec(wf_intercept *ic, const struct seccomp_notif *req, bool at)
{
    char path[PATH_MAX], full[PATH_MAX + 64];
    const char *base;
    int dirfd = AT_FDCWD;
    struct stat st;

    if (at) {
        dirfd = (int)req->data.args[0];
        if (req->data.args[4] & AT_EMPTY_PATH)
            return ic_pass();
    }
    if (read_string((pid_t)req->pid, req->data.args[at ? 1 : 0], path, sizeof path) != 0)
        return ic_pass();
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "fusermount") != 0 && strcmp(base, "fusermount3") != 0)
        return ic_pass();
    program_path((pid_t)req->pid, dirfd, path, full, sizeof full);
    if (stat(full, &st) != 0)
        return ic_pass(); /* it fails by itself */
    if (ic->have_helper && st.st_dev == ic->helper_dev && st.st_ino == ic->helper_ino)
        return ic_pass();
    /* Another fusermount would mount for real (or fail): send libfuse on to PATH. */
    pthread_mutex_lock(&ic->lock);
    ic->counts.redirected++;
    pthread_mutex_unlock(&ic->lock);
    return ic_error(ENOENT);
}

static void release_channel(wf_intercept *ic)
{
    pthread_mutex_lock(&ic->lock);
    if (ic->channel >= 0)
        close(ic->channel);
    ic->channel = -1;
    pthread_mutex_unlock(&ic->lock);
}

static void *ic_thread(void *arg)
{
    wf_intercept *ic = arg;
    struct seccomp_notif *req = calloc(1, ic->sizes.seccomp_notif);
    struct seccomp_notif_resp *resp = calloc(1, ic->sizes.seccomp_notif_resp);

    if (!req || !resp) {
        wf_os_log(WF_LOG_ERROR, "wslfuse: out of memory for the mount supervisor");
        goto out;
    }
    for (;;) {
        struct pollfd p[2] = {{ic->listener, POLLIN, 0}, {ic->stop[0], POLLIN, 0}};
        ic_answer a;

        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN)) {
            /* Every process under the filter is gone. */
            if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
                break;
            continue;
        }
        memset(req, 0, ic->sizes.seccomp_notif);
        if (ioctl(ic->listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
            if (errno == EINTR || errno == ENOENT)
                continue;
            break;
        }
        switch (req->data.nr) {
        case __NR_mount:
            a = on_mount(ic, req);
            break;
        case __NR_umount2:
            a = on_umount(ic, req);
            break;
        case __NR_execve:
            a = on_exec(ic, req, false);
            break;
        case __NR_execveat:
            a = on_exec(ic, req, true);
            break;
        default:
            a = ic_pass();
            break;
        }
        memset(resp, 0, ic->sizes.seccomp_notif_resp);
        resp->id = req->id;
        if (a.pass) {
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        } else {
            resp->val = a.val;
            resp->error = a.error ? -a.error : 0;
        }
        /* ENOENT: the caller went away meanwhile; nothing to answer. */
        (void)ioctl(ic->listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    }
out:
    release_channel(ic);
    free(req);
    free(resp);
    return NULL;
}

int wf_intercept_start(int listener, wf_intercept_mode mode, int channel, const char *helper,
    const char *mountpoint, wf_intercept **out)
{
    wf_intercept *ic;
    struct stat st;
    int err;

    *out = NULL;
    ic = calloc(1, sizeof *ic);
    if (!ic) {
        close(listener);
        return -ENOMEM;
    }
    ic->listener = listener;
    ic->mode = mode;
    ic->channel = -1;
    ic->stop[0] = ic->stop[1] = -1;
    pthread_mutex_init(&ic->lock, NULL);
    if (sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &ic->sizes) != 0) {
        err = -errno;
        goto fail;
    }
    if (helper && stat(helper, &st) == 0) {
        ic->helper_dev = st.st_dev;
        ic->helper_ino = st.st_ino;
        ic->have_helper = true;
    }
    if (mountpoint && !realpath(mountpoint, ic->mountpoint))
        ic->mountpoint[0] = 0;
    if (mode == WF_INTERCEPT_MOUNT) {
        ic->channel = fcntl(channel, F_DUPFD_CLOEXEC, 3);
        if (ic->channel < 0) {
            err = -errno;
            goto fail;
        }
    }
    if (pipe2(ic->stop, O_CLOEXEC) != 0) {
        err = -errno;
        goto fail;
    }
    err = pthread_create(&ic->thread, NULL, ic_thread, ic);
    if (err) {
        err = -err;
        goto fail;
    }
    *out = ic;
    return 0;

fail:
    if (ic->stop[0] >= 0) {
        close(ic->stop[0]);
        close(ic->stop[1]);
    }
    if (ic->channel >= 0)
        close(ic->channel);
    close(listener);
    pthread_mutex_destroy(&ic->lock);
    free(ic);
    return err;
}

void wf_intercept_stop(wf_intercept *ic)
{
    char byte = 1;

    if (!ic)
        return;
    while (write(ic->stop[1], &byte, 1) < 0 && errno == EINTR)
        ;
    pthread_join(ic->thread, NULL);
    close(ic->stop[0]);
    close(ic->stop[1]);
    close(ic->listener);
    release_channel(ic);
    pthread_mutex_destroy(&ic->lock);
    free(ic);
}

void wf_intercept_get_counts(wf_intercept *ic, wf_intercept_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    if (!ic)
        return;
    pthread_mutex_lock(&ic->lock);
    *counts = ic->counts;
    pthread_mutex_unlock(&ic->lock);
}
