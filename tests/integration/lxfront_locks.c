/*
 * lxfront_locks.c - fcntl(2) record locks on `winfuse mount`, seen from
 * both sides: Linux processes on the kernel mount (this process and
 * children it forks), and a Windows caller making NtLockFile/NtReadFile
 * calls on the same fsd volume. The embedded memfs serves it all. Also a
 * name changed from Windows behind the Linux side's back (the kernel's
 * cache of names and sizes must not pair the old file with the new one).
 *
 * Needs root and /dev/fuse (skipped otherwise).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/backend.h"
#include "lxfront/lxfront.h"
#include "winfuse/nt.h"
#include "winfuse/ntstatus.h"

#include "../wf_test.h"

/* The pid the Windows caller's NT calls name (any process but lxfront's 0). */
#define WINDOWS_PID 4242

static struct {
    bool up;
    char dir[64], path[96];
    wf_cli_stack stack;
    wf_lx *lx;
    pthread_t loop;
    nt_handle win;           /* the Windows caller's handle on "\lockfile" */
    pid_t children[16];      /* not yet waited for: ended by teardown if a case failed */
} g;

static void track(pid_t pid)
{
    for (size_t i = 0; i < sizeof g.children / sizeof g.children[0]; i++)
        if (!g.children[i]) {
            g.children[i] = pid;
            return;
        }
}

static void untrack(pid_t pid)
{
    for (size_t i = 0; i < sizeof g.children / sizeof g.children[0]; i++)
        if (g.children[i] == pid)
            g.children[i] = 0;
}

/*
 * A forked child must not keep the server's /dev/fuse descriptor: were
 * this process to die, the connection would outlive it in the children
 * and their requests would wait for ever.
 */
static void child_init(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    char link[300], target[64];

    while (d && (e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        ssize_t n;
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        n = readlink(link, target, sizeof target - 1);
        if (n > 0 && fd != dirfd(d)) {
            target[n] = 0;
            if (strcmp(target, "/dev/fuse") == 0)
                close(fd);
        }
    }
    if (d)
        closedir(d);
}

static pid_t fork_child(void)
{
    pid_t pid = fork();
    if (pid == 0)
        child_init();
    else if (pid > 0)
        track(pid);
    return pid;
}

/*
 * The mount is this process's: were it to die mid-test (a sanitizer ends
 * it with _exit, no handler runs), the kernel mount would stay behind. A
 * watcher forked before mounting waits for this process's end of a pipe
 * to close -- whatever way it closes -- and detaches the mount.
 */
static int guard_fd = -1;
static pid_t guard_pid;

static int start_guard(const char *dir)
{
    int p[2];

    if (pipe(p) != 0)
        return -1;
    guard_pid = fork();
    if (guard_pid < 0)
        return -1;
    if (guard_pid == 0) {
        char c;
        close(p[1]);
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
            ;
        umount2(dir, MNT_DETACH); /* fails harmlessly after a clean teardown */
        rmdir(dir);
        _exit(0);
    }
    close(p[0]);
    guard_fd = p[1];
    return 0;
}

static void stop_guard(void)
{
    if (guard_fd < 0)
        return;
    close(guard_fd);
    guard_fd = -1;
    waitpid(guard_pid, NULL, 0);
}

static void *loop_main(void *arg)
{
    (void)arg;
    wf_lx_loop(g.lx);
    return NULL;
}

static int group_setup(void **state)
{
    wf_cli_options o;
    wf_lx_options lo;
    nt_io_status iosb;
    char block[256];
    int fd;

    (void)state;
    if (getuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0)
        return 0;
    strcpy(g.dir, "/tmp/lxlocks.XXXXXX");
    if (!mkdtemp(g.dir))
        return -1;
    snprintf(g.path, sizeof g.path, "%s/lockfile", g.dir);
    if (start_guard(g.dir) != 0)
        return -1;
    wf_cli_options_init(&o);
    if (wf_cli_stack_start(&g.stack, &o, NULL, NULL) != 0)
        return -1;
    wf_lx_options_init(&lo);
    lo.allow_other = true;
    if (wf_lx_new(g.stack.volume, &lo, &g.lx) != 0 || wf_lx_mount(g.lx, g.dir) != 0 ||
        pthread_create(&g.loop, NULL, loop_main, NULL) != 0)
        return -1;
    g.up = true;
    /* 4 KiB of data, so that reads and writes have something to cross. */
    memset(block, 'x', sizeof block);
    fd = open(g.path, O_CREAT | O_RDWR, 0666);
    if (fd < 0)
        return -1;
    for (int i = 0; i < 16; i++)
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
            return -1;
    close(fd);
    wf_fsd_set_thread_credentials(0, 0, WINDOWS_PID);
    return NT_SUCCESS(nt_create_file(g.stack.volume, &g.win, FILE_READ_DATA | FILE_WRITE_DATA,
               0, "\\lockfile", &iosb, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
               FILE_OPEN, FILE_NON_DIRECTORY_FILE, NULL, 0, NULL, 0))
        ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    if (!g.up)
        return 0;
    for (size_t i = 0; i < sizeof g.children / sizeof g.children[0]; i++)
        if (g.children[i] > 0) {
            kill(g.children[i], SIGKILL);
            waitpid(g.children[i], NULL, 0);
        }
    nt_close(g.stack.volume, g.win);
    wf_lx_exit(g.lx);
    pthread_join(g.loop, NULL);
    wf_lx_unmount(g.lx);
    wf_lx_delete(g.lx);
    wf_cli_stack_stop(&g.stack);
    stop_guard();
    rmdir(g.dir);
    return 0;
}

static int test_setup(void **state)
{
    (void)state;
    if (!g.up)
        skip();
    return 0;
}

/* ---- Linux side ---- */

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl) == 0 ? 0 : errno;
}

static struct flock getlk(int fd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, F_GETLK, &fl) != 0)
        fl.l_type = -1;
    return fl;
}

static int open_file(void)
{
    int fd = open(g.path, O_RDWR);
    assert_true(fd >= 0);
    return fd;
}

/* A process holding locks until told to go: it closes nothing before it exits. */
typedef struct holder {
    pid_t pid;
    int go;                  /* a byte written to it lets the holder exit */
} holder;

typedef struct lock_spec {
    short type;
    off_t start, len;
} lock_spec;

static holder hold(const lock_spec *locks, int n)
{
    int ready[2], go[2];
    holder h;
    char c;

    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    h.pid = fork_child();
    assert_true(h.pid >= 0);
    if (h.pid == 0) {
        int fd = open(g.path, O_RDWR);
        close(ready[0]);
        close(go[1]);
        c = 0;
        for (int i = 0; i < n && fd >= 0 && !c; i++)
            c = (char)lk(fd, F_SETLK, locks[i].type, locks[i].start, locks[i].len);
        if (fd < 0)
            c = (char)errno;
        if (write(ready[1], &c, 1) != 1)
            _exit(2);
        /* A byte, not the end of the pipe: other children hold its write end too. */
        if (read(go[0], &c, 1) != 1)
            _exit(3);
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 0);
    close(ready[0]);
    h.go = go[1];
    return h;
}

static void let_go(holder *h)
{
    int status;
    assert_int_equal(write(h->go, "", 1), 1);
    close(h->go);
    assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
    untrack(h->pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Run fn in a child process (another lock owner); its result is the exit status. */
static int in_child(int (*fn)(void *), void *arg)
{
    int status;
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn(arg));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    untrack(pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* A child still blocked after a moment, then done once released. */
static void assert_still_waiting(pid_t pid)
{
    int status;
    usleep(300 * 1000);
    assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
}

static int wait_exit(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    untrack(pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* ---- Windows side ---- */

static NTSTATUS win_lock(INT64 off, INT64 len, bool exclusive)
{
    nt_io_status iosb;
    wf_fsd_set_thread_credentials(0, 0, WINDOWS_PID);
    return nt_lock_file(g.stack.volume, g.win, &iosb, off, len, 0, true, exclusive);
}

static NTSTATUS win_unlock(INT64 off, INT64 len)
{
    nt_io_status iosb;
    wf_fsd_set_thread_credentials(0, 0, WINDOWS_PID);
    return nt_unlock_file(g.stack.volume, g.win, &iosb, off, len, 0);
}

static NTSTATUS win_read(INT64 off, UINT32 len)
{
    nt_io_status iosb;
    char buf[64];
    wf_fsd_set_thread_credentials(0, 0, WINDOWS_PID);
    return nt_read_file(g.stack.volume, g.win, &iosb, buf, len, &off, 0);
}

/* ---- cases ---- */

static void linux_owners_conflict(void **state)
{
    lock_spec w = {F_WRLCK, 0, 100};
    holder h = hold(&w, 1);
    int fd = open_file();
    struct flock fl = getlk(fd, F_WRLCK, 50, 10);

    (void)state;
    assert_int_equal(fl.l_type, F_WRLCK);
    assert_int_equal(fl.l_start, 0);
    assert_int_equal(fl.l_len, 100);
    assert_int_equal(fl.l_pid, h.pid);
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 50, 10), EAGAIN);
    assert_int_equal(lk(fd, F_SETLK, F_RDLCK, 0, 1), EAGAIN);
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 100, 10), 0);
    let_go(&h);
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 0, 100), 0);
    close(fd);
}

static int child_split_checks(void *arg)
{
    int fd = open(g.path, O_RDWR);
    struct flock fl;
    (void)arg;
    if (getlk(fd, F_WRLCK, 40, 20).l_type != F_UNLCK)
        return 1;
    fl = getlk(fd, F_WRLCK, 0, 10);
    if (fl.l_type != F_WRLCK || fl.l_start != 0 || fl.l_len != 40)
        return 2;
    fl = getlk(fd, F_RDLCK, 70, 1);
    if (fl.l_type != F_WRLCK || fl.l_start != 60 || fl.l_len != 40)
        return 3;
    return lk(fd, F_SETLK, F_WRLCK, 45, 10) == 0 ? 0 : 4;
}

static int child_after_downgrade(void *arg)
{
    int fd = open(g.path, O_RDWR);
    (void)arg;
    if (lk(fd, F_SETLK, F_RDLCK, 0, 100) != 0)
        return 1;
    if (lk(fd, F_SETLK, F_WRLCK, 10, 1) != EAGAIN)
        return 2;
    return getlk(fd, F_WRLCK, 0, 0).l_type == F_RDLCK ? 0 : 3;
}

static void unlock_splits_and_type_changes(void **state)
{
    int fd = open_file();

    (void)state;
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 0, 100), 0);
    assert_int_equal(lk(fd, F_SETLK, F_UNLCK, 40, 20), 0);
    assert_int_equal(in_child(child_split_checks, NULL), 0);
    /* The hole is free on the Windows side too; the rest is not. */
    assert_int_equal(win_lock(40, 20, true), STATUS_SUCCESS);
    assert_int_equal(win_unlock(40, 20), STATUS_SUCCESS);
    assert_int_equal(win_lock(30, 1, false), STATUS_LOCK_NOT_GRANTED);
    /* Write to read across the whole range: readers may share it, writers may not. */
    assert_int_equal(lk(fd, F_SETLK, F_RDLCK, 0, 100), 0);
    assert_int_equal(in_child(child_after_downgrade, NULL), 0);
    assert_int_equal(win_lock(50, 10, false), STATUS_SUCCESS);
    assert_int_equal(win_unlock(50, 10), STATUS_SUCCESS);
    assert_int_equal(win_lock(50, 10, true), STATUS_LOCK_NOT_GRANTED);
    close(fd);
    assert_int_equal(win_lock(0, 100, true), STATUS_SUCCESS);
    assert_int_equal(win_unlock(0, 100), STATUS_SUCCESS);
}

static void windows_sees_linux_locks(void **state)
{
    lock_spec locks[] = {{F_WRLCK, 0, 10}, {F_RDLCK, 20, 10}};
    holder h = hold(locks, 2);

    (void)state;
    assert_int_equal(win_lock(0, 10, true), STATUS_LOCK_NOT_GRANTED);
    assert_int_equal(win_lock(5, 1, false), STATUS_LOCK_NOT_GRANTED);
    assert_int_equal(win_lock(20, 10, false), STATUS_SUCCESS);
    assert_int_equal(win_unlock(20, 10), STATUS_SUCCESS);
    assert_int_equal(win_lock(25, 10, true), STATUS_LOCK_NOT_GRANTED);
    assert_int_equal(win_lock(40, 10, true), STATUS_SUCCESS);
    assert_int_equal(win_unlock(40, 10), STATUS_SUCCESS);
    /* NT locks bind reads and writes through other handles: a Linux write lock does too. */
    assert_int_equal(win_read(0, 10), STATUS_FILE_LOCK_CONFLICT);
    assert_int_equal(win_read(20, 10), STATUS_SUCCESS);
    let_go(&h);
    assert_int_equal(win_read(0, 10), STATUS_SUCCESS);
    assert_int_equal(win_lock(0, 30, true), STATUS_SUCCESS);
    assert_int_equal(win_unlock(0, 30), STATUS_SUCCESS);
}

static void linux_sees_windows_locks(void **state)
{
    int fd = open_file();
    struct flock fl;

    (void)state;
    assert_int_equal(win_lock(1000, 10, true), STATUS_SUCCESS);
    assert_int_equal(win_lock(2000, 10, false), STATUS_SUCCESS);
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 1005, 1), EAGAIN);
    assert_int_equal(lk(fd, F_SETLK, F_RDLCK, 1005, 1), EAGAIN);
    fl = getlk(fd, F_RDLCK, 900, 200);
    /* NT cannot say who holds it or where it starts: a holder of the asked range, pid 0. */
    assert_int_equal(fl.l_type, F_WRLCK);
    assert_int_equal(fl.l_pid, 0);
    assert_true(fl.l_start <= 1005 && 1005 < fl.l_start + fl.l_len);
    assert_int_equal(getlk(fd, F_WRLCK, 2000, 10).l_type, F_RDLCK);
    assert_int_equal(getlk(fd, F_RDLCK, 2000, 10).l_type, F_UNLCK);
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 2005, 1), EAGAIN);
    assert_int_equal(lk(fd, F_SETLK, F_RDLCK, 2000, 10), 0);
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 0, 0), EAGAIN);
    assert_int_equal(win_unlock(1000, 10), STATUS_SUCCESS);
    assert_int_equal(win_unlock(2000, 10), STATUS_SUCCESS);
    assert_int_equal(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
    /* LockFileEx(0, MAXDWORD, MAXDWORD): the whole file, whatever Linux asks for. */
    assert_int_equal(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
    assert_int_equal(win_lock(0, -1, true), STATUS_SUCCESS);
    assert_int_equal(lk(fd, F_SETLK, F_RDLCK, 1 << 30, 1), EAGAIN);
    assert_int_equal(win_unlock(0, -1), STATUS_SUCCESS);
    close(fd);
}

static int child_setlkw(void *arg)
{
    const lock_spec *s = arg;
    int fd = open(g.path, O_RDWR);
    return lk(fd, F_SETLKW, s->type, s->start, s->len);
}

static pid_t spawn(int (*fn)(void *), void *arg)
{
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn(arg));
    return pid;
}

static void setlkw_waits_for_linux_and_windows(void **state)
{
    lock_spec w = {F_WRLCK, 0, 10};
    holder h = hold(&w, 1);
    pid_t waiter = spawn(child_setlkw, &w);

    (void)state;
    assert_still_waiting(waiter);
    let_go(&h);
    assert_int_equal(wait_exit(waiter), 0);

    assert_int_equal(win_lock(0, 10, true), STATUS_SUCCESS);
    waiter = spawn(child_setlkw, &w);
    assert_still_waiting(waiter);
    assert_int_equal(win_unlock(0, 10), STATUS_SUCCESS);
    assert_int_equal(wait_exit(waiter), 0);
}

static void on_signal(int sig)
{
    (void)sig;
}

static int child_setlkw_signalled(void *arg)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait ends with EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    return child_setlkw(arg);
}

static void setlkw_ends_on_a_signal(void **state)
{
    lock_spec w = {F_WRLCK, 0, 10};
    pid_t waiter;

    (void)state;
    assert_int_equal(win_lock(0, 10, true), STATUS_SUCCESS);
    waiter = spawn(child_setlkw_signalled, &w);
    assert_still_waiting(waiter);
    kill(waiter, SIGUSR1);
    assert_int_equal(wait_exit(waiter), EINTR);
    assert_int_equal(win_unlock(0, 10), STATUS_SUCCESS);
}

static int child_free(void *arg)
{
    int fd = open(g.path, O_RDWR);
    (void)arg;
    return getlk(fd, F_WRLCK, 0, 0).l_type == F_UNLCK ? 0 : 1;
}

static int child_lock_and_exit(void *arg)
{
    int fd = open(g.path, O_RDWR);
    (void)arg;
    return lk(fd, F_SETLK, F_WRLCK, 0, 0);
}

static void closing_any_descriptor_releases(void **state)
{
    int fd1 = open_file(), fd2 = open_file();

    (void)state;
    assert_int_equal(lk(fd1, F_SETLK, F_WRLCK, 0, 10), 0);
    assert_int_equal(lk(fd2, F_SETLK, F_RDLCK, 100, 10), 0);
    assert_int_equal(in_child(child_free, NULL), 1);
    close(fd2);
    assert_int_equal(in_child(child_free, NULL), 0);
    assert_int_equal(win_lock(0, 200, true), STATUS_SUCCESS);
    assert_int_equal(win_unlock(0, 200), STATUS_SUCCESS);
    close(fd1);
    /* A process that exits holding a lock lets it go. */
    assert_int_equal(in_child(child_lock_and_exit, NULL), 0);
    assert_int_equal(in_child(child_free, NULL), 0);
    assert_int_equal(win_lock(0, 10, true), STATUS_SUCCESS);
    assert_int_equal(win_unlock(0, 10), STATUS_SUCCESS);
}

static void flock_and_fcntl_locks_are_independent(void **state)
{
    lock_spec whole = {F_WRLCK, 0, 0};
    holder h = hold(&whole, 1);
    int fd = open_file();

    (void)state;
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    assert_int_equal(flock(fd, LOCK_UN), 0);
    let_go(&h);
    close(fd);
}

static int child_write_own_range(void *arg)
{
    int fd = open(g.path, O_RDWR);
    (void)arg;
    if (lk(fd, F_SETLK, F_WRLCK, 0, 10) != 0)
        return 1;
    return pwrite(fd, "mine", 4, 0) == 4 ? 0 : 2;
}

static void io_under_a_write_lock(void **state)
{
    lock_spec w = {F_WRLCK, 0, 10};
    holder h = hold(&w, 1);
    int fd = open_file();

    (void)state;
    /* NT locks are mandatory: a write through another handle fails as Windows would have it. */
    assert_int_equal(pwrite(fd, "z", 1, 5), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(pwrite(fd, "z", 1, 50), 1);
    let_go(&h);
    assert_int_equal(pwrite(fd, "z", 1, 5), 1);
    /* The holder's own writes pass. */
    assert_int_equal(in_child(child_write_own_range, NULL), 0);
    close(fd);
}

/* Retried while refused, for up to 10 s. */
static int eventually_lk(int fd, int cmd, short type, off_t start, off_t len)
{
    int err;
    for (int i = 0; (err = lk(fd, cmd, type, start, len)) == EAGAIN && i < 1000; i++)
        usleep(10 * 1000);
    return err;
}

static NTSTATUS eventually_win_lock(INT64 off, INT64 len, bool exclusive)
{
    NTSTATUS status;
    for (int i = 0; (status = win_lock(off, len, exclusive)) == STATUS_LOCK_NOT_GRANTED && i < 1000;
         i++)
        usleep(10 * 1000);
    return status;
}

static void ofd_locks_belong_to_the_open_file(void **state)
{
    int fd1 = open_file(), fd2 = open_file();

    (void)state;
    /* Open file description locks: two descriptors of one process are two owners. */
    assert_int_equal(lk(fd1, F_OFD_SETLK, F_WRLCK, 0, 10), 0);
    assert_int_equal(lk(fd2, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
    assert_int_equal(win_lock(0, 10, true), STATUS_LOCK_NOT_GRANTED);
    /*
     * ... and go when their file is released: the kernel sends RELEASE
     * after close(2) returned, so the other owner may have to try again.
     */
    close(fd1);
    assert_int_equal(eventually_lk(fd2, F_OFD_SETLK, F_WRLCK, 5, 1), 0);
    close(fd2);
    assert_int_equal(eventually_win_lock(0, 10, true), STATUS_SUCCESS);
    assert_int_equal(win_unlock(0, 10), STATUS_SUCCESS);
}

/* ---- a name changed from Windows ---- */

static void put_file(const char *name, const char *content)
{
    char path[128];
    int fd;

    snprintf(path, sizeof path, "%s/%s", g.dir, name);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    assert_int_equal(close(fd), 0);
}

static void windows_rename_behind_linux(void **state)
{
    char a[128], b[128], buf[64];
    struct stat sa, sb, st;
    nt_handle h;
    nt_io_status iosb;
    union {
        FILE_RENAME_INFORMATION ri;
        UINT8 bytes[sizeof(FILE_RENAME_INFORMATION) + 8];
    } u;
    ssize_t n;
    int fd;

    (void)state;
    snprintf(a, sizeof a, "%s/a", g.dir);
    snprintf(b, sizeof b, "%s/b", g.dir);
    put_file("a", "AAAA");
    put_file("b", "BBBBBBBB");
    /* The kernel now holds "a" and its size for a second (entry and attribute timeouts). */
    assert_int_equal(stat(a, &sa), 0);
    assert_int_equal(stat(b, &sb), 0);
    assert_int_equal(sa.st_size, 4);

    /* From Windows: "\b" becomes "\a", replacing it. */
    assert_true(NT_SUCCESS(nt_create_file(g.stack.volume, &h, DELETE | SYNCHRONIZE, 0, "\\b", &iosb,
        0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN,
        FILE_NON_DIRECTORY_FILE, NULL, 0, NULL, 0)));
    memset(&u, 0, sizeof u);
    u.ri.Flags = FILE_RENAME_REPLACE_IF_EXISTS | FILE_RENAME_POSIX_SEMANTICS;
    {
        static const WCHAR target[2] = {'\\', 'a'};
        u.ri.FileNameLength = sizeof target;
        memcpy(u.bytes + offsetof(FILE_RENAME_INFORMATION, FileName), target, sizeof target);
    }
    assert_true(NT_SUCCESS(nt_set_information_file(g.stack.volume, h, &iosb, &u, sizeof u,
        FileRenameInformationEx)));
    nt_close(g.stack.volume, h);

    /* Linux opens "a" at once: it is b's file, whole, whatever the kernel had cached. */
    fd = open(a, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    n = read(fd, buf, sizeof buf);
    close(fd);
    assert_int_equal(n, 8);
    assert_memory_equal(buf, "BBBBBBBB", 8);
    assert_int_equal(st.st_ino, sb.st_ino);
    assert_int_equal(st.st_size, 8);
    assert_int_equal(unlink(a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(linux_owners_conflict, test_setup),
        cmocka_unit_test_setup(unlock_splits_and_type_changes, test_setup),
        cmocka_unit_test_setup(windows_sees_linux_locks, test_setup),
        cmocka_unit_test_setup(linux_sees_windows_locks, test_setup),
        cmocka_unit_test_setup(setlkw_waits_for_linux_and_windows, test_setup),
        cmocka_unit_test_setup(setlkw_ends_on_a_signal, test_setup),
        cmocka_unit_test_setup(closing_any_descriptor_releases, test_setup),
        cmocka_unit_test_setup(flock_and_fcntl_locks_are_independent, test_setup),
        cmocka_unit_test_setup(io_under_a_write_lock, test_setup),
        cmocka_unit_test_setup(ofd_locks_belong_to_the_open_file, test_setup),
        cmocka_unit_test_setup(windows_rename_behind_linux, test_setup),
    };
    int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    return wf_test_tally(sizeof tests / sizeof tests[0], failed);
}
