/*
 * wslfuse_programs.c - real, unmodified FUSE programs from Debian served
 * through the engine by the launcher (src/wslfuse/launch.c).
 *
 *   sshfs       libfuse 3, "/dev/fd/N"; against an sshd started here on
 *               127.0.0.1 with keys made here, serving a temporary
 *               directory: the tree written through the engine must be on
 *               that directory's disk, byte for byte
 *   squashfuse  libfuse 3, read-only; an image made with mksquashfs from a
 *               tree on disk: what the engine reads must be that tree
 *               (squashfuse_ll, the low-level variant, too)
 *   bindfs      libfuse 2 as root: the fusermount channel (mount(2)
 *               refused, our fusermount3 found) and the mount channel
 *               (mount(2) intercepted); the tree lands in the bound dir
 *   fuse2fs     libfuse 2, an ext4 image made with mkfs.ext4: written
 *               through the engine, unmounted, checked clean by e2fsck,
 *               served again and read back
 *
 * A program that is not installed is skipped (scripts/deps.sh installs
 * them). Every process started here is ended by its pid; every temporary
 * directory is removed.
 */
#include "wf_test.h"
#include "wslfuse_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SKIP_UNLESS(name, path)                                         \
    do {                                                                \
        if (!wh_have(name, path, sizeof path)) {                        \
            print_message("%s is not installed: skipped\n", name);     \
            skip();                                                     \
        }                                                               \
    } while (0)

/* What a test holds, so that its teardown ends it even after a failure. */
static struct {
    wh *h;
    pid_t daemon;
    char *tmp;
} held;

static int teardown(void **state)
{
    (void)state;
    wh_discard(held.h);
    held.h = NULL;
    if (held.daemon > 0)
        wh_end(held.daemon);
    held.daemon = 0;
    if (held.tmp)
        wh_rmtree(held.tmp);
    free(held.tmp);
    held.tmp = NULL;
    return 0;
}

static char *temp_dir(const char *prefix)
{
    held.tmp = wh_tempdir(prefix);
    return held.tmp;
}

/* Start argv through channel behind a fresh engine. */
static wh *serve(char **argv, wf_launch_channel channel)
{
    wh_config config = {.channel = channel, .threads = 2};
    int err;

    held.h = wh_new(&config);
    err = wh_launch(held.h, argv);
    if (err)
        fail_msg("cannot launch %s: %s", argv[0], strerror(-err));
    wh_expect_ready(held.h, argv[0]);
    return held.h;
}

/* The volume ends as the fsd would unmount it; the program answers DESTROY and exits. */
static void end_cleanly(wh *h, const char *name)
{
    int status;

    if (!wh_unmount(h, WH_DEADLINE_S))
        fail_msg("%s did not answer DESTROY", name);
    status = wh_stop(h);
    if (!WIFEXITED(status))
        fail_msg("%s ended by signal %d", name, WTERMSIG(status));
    assert_int_equal(wh_stray(h), 0);
    wh_free(h);
    held.h = NULL;
}

/* Call once the program answered requests: it mounts in its own time. */
static void expect_channel(wh *h, wf_launch_channel channel)
{
    wf_launch_info info;

    wf_launch_get_info(wh_launched(h), &info);
    assert_int_equal(info.channel, channel);
    if (channel == WF_LAUNCH_MOUNT)
        assert_int_equal(info.intercept.mounts, 1);
    if (channel == WF_LAUNCH_FUSERMOUNT)
        assert_int_equal(info.intercept.mounts, 0);
}

static void expect_read_only(wh *h)
{
    UINT64 handle;
    NTSTATUS status = wh_open(h, "\\new-file", FILE_CREATE, FILE_NON_DIRECTORY_FILE,
        FILE_GENERIC_READ | FILE_GENERIC_WRITE, &handle);

    if (NT_SUCCESS(status))
        fail_msg("a read-only file system created a file");
}

/* ---- sshfs ---- */

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

    assert_true(s >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(s);
    return port;
}

static bool port_open(int port)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    close(s);
    return ok;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    char buf[4096];
    int in = open(from, O_RDONLY);
    ssize_t n;

    assert_true(in >= 0);
    n = read(in, buf, sizeof buf - 1);
    close(in);
    assert_true(n > 0);
    buf[n] = 0;
    write_text(to, buf, mode);
}

static void sshfs_against_local_sshd(void **state)
{
    char sshfs[256], sshd[256], keygen[256];
    char host_key[300], user_key[300], user_pub[300], auth[300], config_path[300];
    char export[300], config[2048], remote[512], opts[1024], port_arg[16];
    struct passwd *pw = getpwuid(getuid());
    pid_t sshd_pid = 0;
    char *tmp;
    int port = 0;
    wh *h;

    (void)state;
    SKIP_UNLESS("sshfs", sshfs);
    SKIP_UNLESS("sshd", sshd);
    SKIP_UNLESS("ssh-keygen", keygen);
    assert_non_null(pw);
    tmp = temp_dir("wslfuse-sshfs");
    snprintf(host_key, sizeof host_key, "%s/host_key", tmp);
    snprintf(user_key, sizeof user_key, "%s/user_key", tmp);
    snprintf(user_pub, sizeof user_pub, "%s/user_key.pub", tmp);
    snprintf(auth, sizeof auth, "%s/authorized_keys", tmp);
    snprintf(config_path, sizeof config_path, "%s/sshd_config", tmp);
    snprintf(export, sizeof export, "%s/export", tmp);
    assert_int_equal(mkdir(export, 0755), 0);
    {
        char *host[] = {keygen, (char *)"-q", (char *)"-t", (char *)"ed25519", (char *)"-N",
            (char *)"", (char *)"-f", host_key, NULL};
        char *user[] = {keygen, (char *)"-q", (char *)"-t", (char *)"ed25519", (char *)"-N",
            (char *)"", (char *)"-f", user_key, NULL};
        assert_int_equal(wh_run(host), 0);
        assert_int_equal(wh_run(user), 0);
    }
    copy_file(user_pub, auth, 0600);
    /* sshd's privilege separation directory, which its package makes at boot. */
    if (getuid() == 0)
        mkdir("/run/sshd", 0755);

    /* A port that was free a moment ago may be taken by then: try a few. */
    for (int attempt = 0; attempt < 5 && !sshd_pid; attempt++) {
        char *argv[] = {sshd, (char *)"-D", (char *)"-e", (char *)"-f", config_path, NULL};
        port = free_port();
        snprintf(config, sizeof config,
            "Port %d\nListenAddress 127.0.0.1\nHostKey %s\nAuthorizedKeysFile %s\n"
            "PidFile none\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
            "Subsystem sftp internal-sftp\nLogLevel FATAL\n",
            port, host_key, auth);
        write_text(config_path, config, 0600);
        sshd_pid = held.daemon = wh_spawn(argv);
        assert_true(sshd_pid > 0);
        for (int i = 0; i < 1000 && !port_open(port); i++) {
            int status;
            if (waitpid(sshd_pid, &status, WNOHANG) == sshd_pid) {
                sshd_pid = held.daemon = 0;
                break;
            }
            usleep(10000);
        }
    }
    if (!sshd_pid || !port_open(port))
        fail_msg("sshd did not start");

    snprintf(remote, sizeof remote, "%s@127.0.0.1:%s", pw->pw_name, export);
    snprintf(opts, sizeof opts,
        "StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,IdentityFile=%s,"
        "BatchMode=yes,LogLevel=ERROR",
        user_key);
    snprintf(port_arg, sizeof port_arg, "%d", port);
    {
        char *argv[] = {sshfs, (char *)"-f", (char *)"-p", port_arg, (char *)"-o", opts, remote,
            (char *)"{}", NULL};
        h = serve(argv, WF_LAUNCH_AUTO);
    }
    wh_write_tree(h, wh_tree, wh_tree_count);
    wh_expect_tree(h, wh_tree, wh_tree_count);
    wh_exercise_namespace(h);
    expect_channel(h, WF_LAUNCH_FD);
    end_cleanly(h, "sshfs");
    /* What sshfs wrote went over SFTP to the served directory. */
    wh_expect_tree_on_disk(export, wh_tree, wh_tree_count);

}

/* ---- squashfuse ---- */

static void squashfuse_image(const char *program)
{
    char prog[256], mksquashfs[256], src[300], img[300];
    char *tmp;
    wh *h;

    SKIP_UNLESS(program, prog);
    SKIP_UNLESS("mksquashfs", mksquashfs);
    tmp = temp_dir("wslfuse-squash");
    snprintf(src, sizeof src, "%s/src", tmp);
    snprintf(img, sizeof img, "%s/image.sqfs", tmp);
    assert_int_equal(mkdir(src, 0755), 0);
    wh_make_tree_on_disk(src, wh_tree, wh_tree_count);
    {
        char *argv[] = {mksquashfs, src, img, (char *)"-noappend", (char *)"-quiet",
            (char *)"-no-progress", NULL};
        assert_int_equal(wh_run(argv), 0);
    }
    {
        char *argv[] = {prog, (char *)"-f", img, (char *)"{}", NULL};
        h = serve(argv, WF_LAUNCH_AUTO);
    }
    wh_expect_tree(h, wh_tree, wh_tree_count);
    expect_read_only(h);
    expect_channel(h, WF_LAUNCH_FD);
    end_cleanly(h, program);
}

static void squashfuse_reads_an_image(void **state)
{
    (void)state;
    squashfuse_image("squashfuse");
}

static void squashfuse_ll_reads_an_image(void **state)
{
    (void)state;
    squashfuse_image("squashfuse_ll");
}

/* ---- bindfs ---- */

static void bindfs_over_a_directory(wf_launch_channel channel)
{
    char bindfs[256], src[300];
    char *tmp;
    wh *h;

    SKIP_UNLESS("bindfs", bindfs);
    tmp = temp_dir("wslfuse-bindfs");
    snprintf(src, sizeof src, "%s/src", tmp);
    assert_int_equal(mkdir(src, 0755), 0);
    {
        char *argv[] = {bindfs, (char *)"-f", src, (char *)"{}", NULL};
        h = serve(argv, channel);
    }
    wh_write_tree(h, wh_tree, wh_tree_count);
    wh_expect_tree(h, wh_tree, wh_tree_count);
    wh_exercise_namespace(h);
    expect_channel(h, channel == WF_LAUNCH_AUTO ? WF_LAUNCH_FUSERMOUNT : channel);
    end_cleanly(h, "bindfs");
    wh_expect_tree_on_disk(src, wh_tree, wh_tree_count);
}

static void bindfs_through_fusermount(void **state)
{
    (void)state;
    /* libfuse 2: the launcher picks the fusermount channel by itself. */
    bindfs_over_a_directory(WF_LAUNCH_AUTO);
}

static void bindfs_through_intercepted_mount(void **state)
{
    (void)state;
    bindfs_over_a_directory(WF_LAUNCH_MOUNT);
}

/* ---- fuse2fs ---- */

static void fuse2fs_on_an_ext4_image(void **state)
{
    char fuse2fs[256], mkfs[256], e2fsck[256], img[300];
    char *tmp;
    wh *h;
    int fd;

    (void)state;
    SKIP_UNLESS("fuse2fs", fuse2fs);
    SKIP_UNLESS("mkfs.ext4", mkfs);
    SKIP_UNLESS("e2fsck", e2fsck);
    tmp = temp_dir("wslfuse-fuse2fs");
    snprintf(img, sizeof img, "%s/ext4.img", tmp);
    fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 64 << 20), 0);
    close(fd);
    {
        /* No journal: fuse2fs cannot write one (it says so, and e2fsck would replay it). */
        char *argv[] = {mkfs, (char *)"-q", (char *)"-F", (char *)"-O", (char *)"^has_journal",
            img, NULL};
        assert_int_equal(wh_run(argv), 0);
    }
    {
        char *argv[] = {fuse2fs, img, (char *)"{}", (char *)"-f", NULL};
        h = serve(argv, WF_LAUNCH_AUTO);
    }
    wh_write_tree(h, wh_tree, wh_tree_count);
    wh_expect_tree(h, wh_tree, wh_tree_count);
    wh_exercise_namespace(h);
    expect_channel(h, WF_LAUNCH_FUSERMOUNT);
    /* DESTROY makes fuse2fs write everything back and close the image. */
    end_cleanly(h, "fuse2fs");
    {
        char *argv[] = {e2fsck, (char *)"-f", (char *)"-n", img, NULL};
        if (wh_run(argv) != 0)
            fail_msg("e2fsck finds the image fuse2fs wrote damaged");
    }
    /* Served again, read-only, through the other channel: the tree is still there. */
    {
        char *argv[] = {fuse2fs, img, (char *)"{}", (char *)"-f", (char *)"-o", (char *)"ro",
            NULL};
        h = serve(argv, WF_LAUNCH_MOUNT);
    }
    wh_expect_tree(h, wh_tree, wh_tree_count);
    expect_read_only(h);
    expect_channel(h, WF_LAUNCH_MOUNT);
    end_cleanly(h, "fuse2fs");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(sshfs_against_local_sshd, teardown),
        cmocka_unit_test_teardown(squashfuse_reads_an_image, teardown),
        cmocka_unit_test_teardown(squashfuse_ll_reads_an_image, teardown),
        cmocka_unit_test_teardown(bindfs_through_fusermount, teardown),
        cmocka_unit_test_teardown(bindfs_through_intercepted_mount, teardown),
        cmocka_unit_test_teardown(fuse2fs_on_an_ext4_image, teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return WF_RUN_TESTS(tests);
}
