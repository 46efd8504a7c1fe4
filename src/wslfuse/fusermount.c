/*
 * fusermount.c - winfuse's fusermount3: hands a FUSE program its winfuse
 * channel instead of mounting anything.
 *
 * libfuse mounts through this helper when it may not mount by itself
 * (libfuse 2 runs "fusermount", libfuse 3 "fusermount3"): it passes one
 * end of a unix socket in _FUSE_COMMFD (or --comm-fd) and the mount point
 * and options as arguments, and expects a /dev/fuse descriptor back as
 * SCM_RIGHTS with one byte of data. Started by winfuse (src/wslfuse/
 * launch.c), the program's environment also holds WINFUSE_CHANNEL_FD, a
 * SOCK_SEQPACKET socket that speaks the /dev/fuse protocol with the
 * engine: that descriptor is what goes back. Nothing is mounted.
 *
 *   fusermount3 [-o OPTS] [--sync-init] [--comm-fd=N] -- MOUNTPOINT   hand over
 *   fusermount3 -u [-q] [-z] -- MOUNTPOINT                            succeed
 *   fusermount3 --auto-unmount -- MOUNTPOINT                          wait, succeed
 *   fusermount3 -V | -h
 *
 * With the auto_unmount option (or --auto-unmount) it stays until the
 * program closes its end of the socket, as libfuse expects; "unmounting"
 * is then nothing to do: the volume ends when the program closes its
 * channel. Anything else is an error with a message on stderr.
 *
 * Linux user mode only; no dependency on the engine.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FM_VERSION "0.1.0"
/* libfuse's sync-init mode gives up on us after this long; so do we on it. */
#define FM_SYNC_INIT_WAIT_MS (5 * 60 * 1000)

static const char *progname = "fusermount3";

static const char usage_text[] =
    "usage: %s [-o OPTIONS] -- MOUNTPOINT\n"
    "       %s -u [-q] [-z] -- MOUNTPOINT\n"
    "       %s -V | -h\n"
    "\n"
    "winfuse's fusermount3. A FUSE library started by winfuse runs it to \"mount\":\n"
    "it hands the library the winfuse channel (WINFUSE_CHANNEL_FD) over the\n"
    "library's socket (_FUSE_COMMFD) instead of mounting /dev/fuse. -u succeeds:\n"
    "the volume ends when the program closes its channel. Outside winfuse, use\n"
    "the system's fusermount3.\n";

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", progname);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

/* A whole decimal descriptor number, nothing around it. */
static bool parse_fd(const char *s, int *fd)
{
    char *end;
    long v;

    if (!s || !*s)
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > INT_MAX)
        return false;
    *fd = (int)v;
    return true;
}

static bool is_socket(int fd, int *type)
{
    struct stat st;
    socklen_t len = sizeof *type;

    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
        return false;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &len) == 0;
}

/*
 * Does the comma-separated option list hold this option? Commas escaped
 * with a backslash (libfuse escapes those in fsname=) do not separate.
 */
static bool has_option(const char *opts, const char *name)
{
    size_t n = strlen(name);
    const char *p = opts;

    while (p && *p) {
        const char *q = p;
        while (*q && *q != ',') {
            if (*q == '\\' && q[1])
                q++;
            q++;
        }
        if ((size_t)(q - p) == n && memcmp(p, name, n) == 0)
            return true;
        p = *q ? q + 1 : q;
    }
    return false;
}

static int send_fd(int sock, int fd)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg;
    struct cmsghdr *cmsg;
    struct iovec iov;
    char byte = 0;
    ssize_t n;

    memset(&control, 0, sizeof control);
    memset(&msg, 0, sizeof msg);
    /* At least one byte of data must travel with the descriptor. */
    iov.iov_base = &byte;
    iov.iov_len = 1;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

/* Until the library closes its end: that is the end of the "mount". */
static void wait_for_close(int sock)
{
    char buf[64];

    for (;;) {
        ssize_t n = recv(sock, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EINTR))
            return;
    }
}

/* --sync-init: the library says when it is ready, then hears how the mount went. */
static int sync_init(int sock)
{
    struct pollfd p = {sock, POLLIN, 0};
    int32_t status = 0;
    char byte;
    ssize_t n;
    int r;

    do
        r = poll(&p, 1, FM_SYNC_INIT_WAIT_MS);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return fail("%s", "the library never said to proceed");
    do
        n = recv(sock, &byte, 1, 0);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        return fail("%s", "the library closed its socket before the mount");
    /* Nothing to mount: the channel is already live. */
    do
        n = send(sock, &status, sizeof status, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof status)
        return fail("cannot tell the library the mount status: %s", strerror(errno));
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"unmount", no_argument, NULL, 'u'},
        {"lazy", no_argument, NULL, 'z'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"options", required_argument, NULL, 'o'},
        {"auto-unmount", no_argument, NULL, 'U'},
        {"comm-fd", required_argument, NULL, 'c'},
        {"sync-init", no_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    const char *opts = "", *commfd_arg = NULL, *channel_arg, *mountpoint;
    bool unmount = false, lazy = false, auto_unmount_only = false, sync = false;
    int commfd, channel, type, opt;
    struct stat st;

    if (argc > 0 && argv[0] && *argv[0]) {
        const char *slash = strrchr(argv[0], '/');
        progname = slash ? slash + 1 : argv[0];
    }
    while ((opt = getopt_long(argc, argv, "hVo:uzq", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf(usage_text, progname, progname, progname);
            return 0;
        case 'V':
            printf("%s version: winfuse %s (hands over the winfuse channel; mounts nothing)\n",
                progname, FM_VERSION);
            return 0;
        case 'o':
            opts = optarg;
            break;
        case 'u':
            unmount = true;
            break;
        case 'z':
            lazy = true;
            break;
        case 'q':
            break;
        case 'U':
            unmount = true;
            auto_unmount_only = true;
            break;
        case 'c':
            commfd_arg = optarg;
            break;
        case 'S':
            sync = true;
            break;
        default:
            fprintf(stderr, usage_text, progname, progname, progname);
            return 1;
        }
    }
    if (lazy && !unmount)
        return fail("%s", "-z can only be used with -u");
    if (optind >= argc)
        return fail("%s", "missing mountpoint argument");
    if (argc > optind + 1)
        return fail("%s", "extra arguments after the mountpoint");
    mountpoint = argv[optind];

    /* Nothing was mounted, so there is nothing to take down. */
    if (unmount && !auto_unmount_only)
        return 0;

    if (!commfd_arg)
        commfd_arg = getenv("_FUSE_COMMFD");
    if (!commfd_arg)
        return fail("%s", "no _FUSE_COMMFD: only a FUSE library runs this helper "
                          "(old style mounting is not supported)");
    if (!parse_fd(commfd_arg, &commfd) || !is_socket(commfd, &type))
        return fail("_FUSE_COMMFD=%s is not a socket", commfd_arg);
    if (auto_unmount_only) {
        wait_for_close(commfd);
        return 0;
    }

    channel_arg = getenv("WINFUSE_CHANNEL_FD");
    if (!channel_arg)
        return fail("%s", "WINFUSE_CHANNEL_FD is not set: this fusermount3 only serves FUSE "
                          "programs started by winfuse; mount with the system's fusermount3");
    if (!parse_fd(channel_arg, &channel) || !is_socket(channel, &type) ||
        type != SOCK_SEQPACKET)
        return fail("WINFUSE_CHANNEL_FD=%s is not a winfuse channel (a SOCK_SEQPACKET socket)",
            channel_arg);
    /* As the real one: the mount point must at least be there. */
    if (stat(mountpoint, &st) != 0)
        return fail("cannot access the mountpoint: %s", strerror(errno));

    if (send_fd(commfd, channel) != 0)
        return fail("cannot pass the channel to the library: %s", strerror(errno));
    /* The library has its own copy now; ours must not keep the volume alive. */
    close(channel);
    if (sync && sync_init(commfd) != 0)
        return 1;
    if (has_option(opts, "auto_unmount"))
        wait_for_close(commfd);
    return 0;
}
