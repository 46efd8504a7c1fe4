/*
 * wslfuse_launch.c - our fusermount3 and the launcher (src/wslfuse/).
 *
 * The helper is run as libfuse runs it: a socket in _FUSE_COMMFD, the
 * channel in WINFUSE_CHANNEL_FD; what comes back over the socket must be
 * the channel itself. The launcher starts peer_fs (libfuse 3) through
 * each of its channels: "/dev/fd/N", a directory whose mount(2) fails so
 * that libfuse runs fusermount3 (which must be ours, not the system's),
 * and a directory whose mount(2) is intercepted; a tree of files goes in
 * and comes back byte for byte, and the volume ends cleanly.
 */
#include "wf_test.h"
#include "wslfuse_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wslfuse/seqpacket.h"

#ifndef WF_PEER_FS
#error "WF_PEER_FS must name the peer_fs executable"
#endif
#ifndef WF_FUSERMOUNT
#error "WF_FUSERMOUNT must name our fusermount3"
#endif

/* ---- the helper, run as libfuse runs it ---- */

typedef struct helper_run {
    pid_t pid;
    int comm;          /* our end of _FUSE_COMMFD */
    int err;           /* its stderr */
    int chan[2];       /* the "channel": [1] goes to the helper */
} helper_run;

/* env_channel: "" for none, NULL for the real one, else a value to set. */
static void helper_start(helper_run *r, const char *const *args, const char *env_channel,
    int channel_type)
{
    int comm[2], err[2];
    char **argv;
    size_t n = 0;

    while (args[n])
        n++;
    argv = calloc(n + 2, sizeof *argv);
    assert_non_null(argv);
    argv[0] = (char *)WF_FUSERMOUNT;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, comm), 0);
    assert_int_equal(pipe2(err, O_CLOEXEC), 0);
    assert_int_equal(socketpair(AF_UNIX, channel_type | SOCK_CLOEXEC, 0, r->chan), 0);
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        char num[16], comm_arg[32];
        bool by_option = false;
        fcntl(comm[1], F_SETFD, 0);
        fcntl(r->chan[1], F_SETFD, 0);
        dup2(err[1], 2);
        snprintf(num, sizeof num, "%d", comm[1]);
        /* "--comm-fd" alone: the socket goes by option instead of _FUSE_COMMFD. */
        snprintf(comm_arg, sizeof comm_arg, "--comm-fd=%d", comm[1]);
        for (size_t i = 1; argv[i]; i++) {
            if (strcmp(argv[i], "--comm-fd") == 0) {
                argv[i] = comm_arg;
                by_option = true;
            }
        }
        if (by_option)
            unsetenv("_FUSE_COMMFD");
        else
            setenv("_FUSE_COMMFD", num, 1);
        if (!env_channel) {
            snprintf(num, sizeof num, "%d", r->chan[1]);
            setenv("WINFUSE_CHANNEL_FD", num, 1);
        } else if (*env_channel) {
            setenv("WINFUSE_CHANNEL_FD", env_channel, 1);
        } else {
            unsetenv("WINFUSE_CHANNEL_FD");
        }
        execv(argv[0], argv);
        _exit(127);
    }
    free(argv);
    close(comm[1]);
    close(err[1]);
    close(r->chan[1]);
    r->chan[1] = -1;
    r->comm = comm[0];
    r->err = err[0];
}

/* Its exit status; its stderr into text. */
static int helper_finish(helper_run *r, char *text, size_t cap)
{
    size_t len = 0;
    int status;
    ssize_t n;

    close(r->comm);
    while (len + 1 < cap && (n = read(r->err, text + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    text[len] = 0;
    close(r->err);
    close(r->chan[0]);
    assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int receive_fd(int sock)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    char byte;
    struct iovec iov = {&byte, 1};
    struct msghdr msg;
    struct cmsghdr *cmsg;
    int fd = -1;

    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return -1;
    cmsg = CMSG_FIRSTHDR(&msg);
    if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
        return -1;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return fd;
}

/* The descriptor received is the helper's channel: a message crosses it. */
static void expect_same_channel(int received, int ours)
{
    char buf[8];
    int type = 0;
    socklen_t len = sizeof type;

    assert_true(received >= 0);
    assert_int_equal(getsockopt(received, SOL_SOCKET, SO_TYPE, &type, &len), 0);
    assert_int_equal(type, SOCK_SEQPACKET);
    assert_int_equal(send(ours, "ping", 4, 0), 4);
    assert_int_equal(recv(received, buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "ping", 4);
}

static void helper_hands_over_the_channel(void **state)
{
    static const char *const args[] = {"-o", "rw,nosuid,nodev,fsname=a\\,b,subtype=x", "--",
        "/tmp", NULL};
    helper_run r;
    char text[1024];
    int fd;

    (void)state;
    helper_start(&r, args, NULL, SOCK_SEQPACKET);
    fd = receive_fd(r.comm);
    expect_same_channel(fd, r.chan[0]);
    close(fd);
    assert_int_equal(helper_finish(&r, text, sizeof text), 0);
    assert_string_equal(text, "");
}

static void helper_comm_fd_option_and_sync_init(void **state)
{
    static const char *const args[] = {"--sync-init", "--comm-fd", "-o", "rw", "--", "/tmp", NULL};
    helper_run r;
    char text[1024], go = 0;
    int32_t status = -1;
    int fd;

    (void)state;
    helper_start(&r, args, NULL, SOCK_SEQPACKET);
    fd = receive_fd(r.comm);
    expect_same_channel(fd, r.chan[0]);
    close(fd);
    /* Sync-init: the library says go, the helper answers with the mount status. */
    assert_int_equal(send(r.comm, &go, 1, 0), 1);
    assert_int_equal(recv(r.comm, &status, sizeof status, MSG_WAITALL), sizeof status);
    assert_int_equal(status, 0);
    assert_int_equal(helper_finish(&r, text, sizeof text), 0);
}

static void helper_auto_unmount_stays_until_closed(void **state)
{
    static const char *const args[] = {"-o", "rw,auto_unmount", "--", "/tmp", NULL};
    helper_run r;
    char text[1024];
    int fd, status;

    (void)state;
    helper_start(&r, args, NULL, SOCK_SEQPACKET);
    fd = receive_fd(r.comm);
    expect_same_channel(fd, r.chan[0]);
    close(fd);
    /* It must still be there: libfuse keeps the socket open as long as it runs. */
    for (int i = 0; i < 20; i++) {
        assert_int_equal(waitpid(r.pid, &status, WNOHANG), 0);
        usleep(5000);
    }
    assert_int_equal(helper_finish(&r, text, sizeof text), 0);
}

static void helper_unmount_and_version_succeed(void **state)
{
    static const char *const unmount[] = {"-u", "-q", "-z", "--", "/nonexistent", NULL};
    static const char *const version[] = {"-V", NULL};
    static const char *const auto_only[] = {"--auto-unmount", "--", "/tmp", NULL};
    helper_run r;
    char text[1024];

    (void)state;
    helper_start(&r, unmount, "", SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 0);
    helper_start(&r, version, "", SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 0);
    /* libfuse 3.17's separate auto-unmount helper: waits, then succeeds. */
    helper_start(&r, auto_only, "", SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 0);
}

static void helper_refuses_other_uses(void **state)
{
    static const char *const mount[] = {"--", "/tmp", NULL};
    static const char *const missing[] = {"--", "/nonexistent/dir", NULL};
    static const char *const two[] = {"--", "/tmp", "/tmp", NULL};
    static const char *const lazy[] = {"-z", "--", "/tmp", NULL};
    helper_run r;
    char text[1024];

    (void)state;
    /* Not started by winfuse: it must say so, not mount. */
    helper_start(&r, mount, "", SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 1);
    assert_non_null(strstr(text, "WINFUSE_CHANNEL_FD"));
    /* A channel that is no /dev/fuse-protocol socket. */
    helper_start(&r, mount, NULL, SOCK_STREAM);
    assert_int_equal(helper_finish(&r, text, sizeof text), 1);
    assert_non_null(strstr(text, "not a winfuse channel"));
    helper_start(&r, mount, "banana", SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 1);
    helper_start(&r, missing, NULL, SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 1);
    assert_non_null(strstr(text, "mountpoint"));
    helper_start(&r, two, NULL, SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 1);
    helper_start(&r, lazy, NULL, SOCK_SEQPACKET);
    assert_int_equal(helper_finish(&r, text, sizeof text), 1);
}

/* ---- the launcher ---- */

static const wh_entry small_tree[] = {
    {"\\dir", true, 0, 0},
    {"\\dir\\sub", true, 0, 0},
    {"\\dir\\sub\\zero", false, 0, 21},
    {"\\dir\\page", false, 4096, 22},
    {"\\big", false, (1u << 20) + 333, 23},
};

/* The engine of the test running, so that a failure still ends its program. */
static wh *held;

static int teardown(void **state)
{
    (void)state;
    wh_discard(held);
    held = NULL;
    return 0;
}

static wh *hold(wh *h)
{
    held = h;
    return h;
}

static void release(wh *h)
{
    wh_free(h);
    held = NULL;
}

static void peer_round_trip(wf_launch_channel channel, bool full_tree)
{
    wh_config config = {.channel = channel, .threads = 2};
    char *argv[] = {(char *)WF_PEER_FS, (char *)"--mt", (char *)"{}", NULL};
    wh *h = hold(wh_new(&config));
    wf_launch_info info;
    int status;

    assert_int_equal(wh_launch(h, argv), 0);
    wf_launch_get_info(wh_launched(h), &info);
    assert_int_equal(info.channel, channel);
    assert_true(info.pid > 0);
    wh_expect_ready(h, "peer_fs");
    if (full_tree) {
        wh_write_tree(h, wh_tree, wh_tree_count);
        wh_expect_tree(h, wh_tree, wh_tree_count);
        wh_exercise_namespace(h);
    } else {
        wh_write_tree(h, small_tree, sizeof small_tree / sizeof small_tree[0]);
        wh_expect_tree(h, small_tree, sizeof small_tree / sizeof small_tree[0]);
    }
    wf_launch_get_info(wh_launched(h), &info);
    switch (channel) {
    case WF_LAUNCH_FD:
        assert_int_equal(strncmp(info.mountpoint, "/dev/fd/", 8), 0);
        break;
    case WF_LAUNCH_FUSERMOUNT:
        /* libfuse's mount(2) was refused, the system's fusermount3 turned away. */
        assert_true(info.intercept.redirected >= 1);
        assert_int_equal(info.intercept.mounts, 0);
        assert_non_null(strstr(info.mountpoint, "/mnt"));
        break;
    default:
        assert_int_equal(info.intercept.mounts, 1);
        assert_int_equal(info.intercept.redirected, 0);
        break;
    }
    assert_true(wh_unmount(h, WH_DEADLINE_S));
    status = wh_stop(h);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(wh_stray(h), 0);
    release(h);
}

static void launch_fd_channel(void **state)
{
    (void)state;
    peer_round_trip(WF_LAUNCH_FD, true);
}

static void launch_fusermount_channel(void **state)
{
    (void)state;
    peer_round_trip(WF_LAUNCH_FUSERMOUNT, true);
}

static void launch_mount_channel(void **state)
{
    (void)state;
    peer_round_trip(WF_LAUNCH_MOUNT, true);
}

static void launch_auto_picks_by_library(void **state)
{
    wh_config config = {.channel = WF_LAUNCH_AUTO};
    char *peer[] = {(char *)WF_PEER_FS, NULL};
    char *shell[] = {(char *)"sh", (char *)"-c", (char *)"exit 0", NULL};
    char bindfs[256];
    wf_launch_info info;
    wh *h;

    (void)state;
    h = hold(wh_new(&config));
    assert_int_equal(wh_launch(h, peer), 0);
    wf_launch_get_info(wh_launched(h), &info);
    assert_int_equal(info.channel, WF_LAUNCH_FD);
    release(h);

    /* Not linked with any libfuse: its own mount(2) is the way. */
    h = hold(wh_new(&config));
    assert_int_equal(wh_launch(h, shell), 0);
    wf_launch_get_info(wh_launched(h), &info);
    assert_int_equal(info.channel, WF_LAUNCH_MOUNT);
    release(h);

    if (wh_have("bindfs", bindfs, sizeof bindfs)) {
        /* libfuse 2: fusermount. Asked for its version, it just exits. */
        char *argv[] = {bindfs, (char *)"--version", NULL};
        h = hold(wh_new(&config));
        assert_int_equal(wh_launch(h, argv), 0);
        wf_launch_get_info(wh_launched(h), &info);
        assert_int_equal(info.channel, WF_LAUNCH_FUSERMOUNT);
        release(h);
    }
}

static void launch_reports_what_cannot_start(void **state)
{
    wh_config config = {.channel = WF_LAUNCH_FD};
    char *missing[] = {(char *)"winfuse-no-such-program", NULL};
    char path[] = "/tmp/wslfuse-noexec-XXXXXX";
    char *bad[] = {path, NULL};
    wh *h = hold(wh_new(&config));
    int fd;

    (void)state;
    assert_int_equal(wh_launch(h, missing), -ENOENT);
    assert_null(wh_launched(h));
    /* Executable, but no format exec knows: the child's exec error comes back. */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\x01\x02garbage", 9), 9);
    close(fd);
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(wh_launch(h, bad), -ENOEXEC);
    assert_null(wh_launched(h));
    unlink(path);
    release(h);
}

/* A program that exits without a word: a pending request fails at once. */
static void program_exit_ends_the_volume(void **state)
{
    wh_config config = {.channel = WF_LAUNCH_FD};
    char *argv[] = {(char *)"sh", (char *)"-c", (char *)"sleep 0.2; exit 3", (char *)"{}", NULL};
    FSP_FSCTL_TRANSACT_RSP *rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    wh *h = hold(wh_new(&config));
    wh_slot *s;
    int status;

    (void)state;
    assert_non_null(rsp);
    assert_int_equal(wh_launch(h, argv), 0);
    s = wh_submit(h, wh_req(FspFsctlTransactQueryVolumeInformationKind));
    assert_true(wh_await(h, s, 5000, rsp));
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_CANCELLED);
    assert_true(wh_dead(h));
    /* And whatever comes later fails at once too. */
    s = wh_submit(h, wh_req(FspFsctlTransactQueryVolumeInformationKind));
    assert_true(wh_await(h, s, 5000, rsp));
    assert_int_equal((NTSTATUS)rsp->IoStatus.Status, STATUS_CANCELLED);
    assert_int_equal(wf_launch_wait(wh_launched(h), 5000000000ll, &status), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    status = wh_stop(h);
    assert_int_equal(WEXITSTATUS(status), 3);
    release(h);
    free(rsp);
}

static void channel_names_parse(void **state)
{
    wf_launch_channel c;

    (void)state;
    assert_int_equal(wf_launch_channel_parse("fd", &c), 0);
    assert_int_equal(c, WF_LAUNCH_FD);
    assert_int_equal(wf_launch_channel_parse("fusermount", &c), 0);
    assert_int_equal(c, WF_LAUNCH_FUSERMOUNT);
    assert_int_equal(wf_launch_channel_parse("mount", &c), 0);
    assert_int_equal(c, WF_LAUNCH_MOUNT);
    assert_int_equal(wf_launch_channel_parse("auto", &c), 0);
    assert_int_equal(c, WF_LAUNCH_AUTO);
    assert_int_equal(wf_launch_channel_parse("kernel", &c), -EINVAL);
    assert_int_equal(wf_launch_channel_parse(NULL, &c), -EINVAL);
    assert_string_equal(wf_launch_channel_name(WF_LAUNCH_FUSERMOUNT), "fusermount");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(helper_hands_over_the_channel),
        cmocka_unit_test(helper_comm_fd_option_and_sync_init),
        cmocka_unit_test(helper_auto_unmount_stays_until_closed),
        cmocka_unit_test(helper_unmount_and_version_succeed),
        cmocka_unit_test(helper_refuses_other_uses),
        cmocka_unit_test(channel_names_parse),
        cmocka_unit_test_teardown(launch_fd_channel, teardown),
        cmocka_unit_test_teardown(launch_fusermount_channel, teardown),
        cmocka_unit_test_teardown(launch_mount_channel, teardown),
        cmocka_unit_test_teardown(launch_auto_picks_by_library, teardown),
        cmocka_unit_test_teardown(launch_reports_what_cannot_start, teardown),
        cmocka_unit_test_teardown(program_exit_ends_the_volume, teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return WF_RUN_TESTS(tests);
}
