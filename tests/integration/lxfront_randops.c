/*
 * lxfront_randops.c - random file operations against a mount and against
 * a reference directory on a real file system, compared step by step.
 *
 *   lxfront_randops run MOUNT_DIR REF_DIR SEED NOPS
 *       NOPS random operations (write, pwrite through kept descriptors,
 *       append, truncate, read, mmap write and read, rename, renameat2
 *       NOREPLACE, unlink (also of open files), mkdir, rmdir, symlink,
 *       readlink, chmod, O_EXCL create, stat, readdir), each done on both
 *       trees: results and errnos must agree, and so must the state of the
 *       paths it touched; every 500 operations and at the end the whole
 *       trees (types, sizes, permission bits, contents, link targets).
 *       Exit 0, or 1 with the operations that led to the difference.
 *       Environment: LXFRONT_NO_DIR_META (no chmod of directories) and
 *       LXFRONT_NO_UNLINK_OPEN (no descriptors kept across operations)
 *       for file systems that cannot do those (the script says why).
 *
 *   lxfront_randops hammer DIR NPROCS SECONDS
 *       NPROCS processes at once in one directory for SECONDS: each writes
 *       files whose content checks itself (a header with its length and a
 *       checksum), publishes them by rename (over shared names too),
 *       reads and verifies whatever it finds, lists the directory and
 *       unlinks. Any torn or wrong content, or an error other than the
 *       races allow (ENOENT), fails; so does not ending in time (an alarm
 *       kills a stuck process). Exit 0 or 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- a deterministic generator ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static void fill(unsigned char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)rnd();
}

/* ---- the two trees ---- */

/* A result: the return value, or -errno. */
typedef long res;

static int mroot = -1, rroot = -1; /* directory descriptors */
static res open_m;                /* an open's result on the mount, errno kept */
static const char *mpath, *rpath;

#define HISTORY 40
static char history[HISTORY][256];
static unsigned long op_count;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(history[op_count % HISTORY], sizeof history[0], fmt, ap);
    va_end(ap);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    unsigned long first = op_count >= HISTORY ? op_count - HISTORY + 1 : 0;

    fprintf(stderr, "randops: after %lu operations: ", op_count);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nthe last operations:\n");
    for (unsigned long i = first; i <= op_count; i++)
        fprintf(stderr, "  %6lu %s\n", i, history[i % HISTORY]);
    exit(1);
}


static res R(long v)
{
    return v < 0 ? -errno : v;
}

static void same(const char *what, res m, res r)
{
    if (m != r)
        die("%s: mount gave %ld (%s), reference %ld (%s)", what, m, m < 0 ? strerror((int)-m) : "",
            r, r < 0 ? strerror((int)-r) : "");
}

/* ---- names ---- */

static const char *const dirs[] = {"", "d0/", "d1/", "d0/e/"};
#define NDIRS 4
#define NNAMES 6

static void rand_file(char *out, size_t size)
{
    snprintf(out, size, "%sf%u", dirs[pick(NDIRS)], pick(NNAMES));
}

static void rand_dir(char *out, size_t size)
{
    static const char *const d[] = {"d0", "d1", "d0/e", "d1/x", "d0/e/y"};
    snprintf(out, size, "%s", d[pick(5)]);
}

static void rand_any(char *out, size_t size)
{
    if (pick(4) == 0)
        rand_dir(out, size);
    else
        rand_file(out, size);
}

/* ---- state comparison ---- */

static void compare_path(const char *p)
{
    struct stat ms, rs;
    res m = R(fstatat(mroot, p, &ms, AT_SYMLINK_NOFOLLOW));
    res r = R(fstatat(rroot, p, &rs, AT_SYMLINK_NOFOLLOW));

    same(p, m, r);
    if (m < 0)
        return;
    if ((ms.st_mode & S_IFMT) != (rs.st_mode & S_IFMT))
        die("%s: type 0%o on the mount, 0%o in the reference", p, ms.st_mode & S_IFMT,
            rs.st_mode & S_IFMT);
    if (!S_ISLNK(ms.st_mode) && (ms.st_mode & 07777) != (rs.st_mode & 07777))
        die("%s: mode 0%o on the mount, 0%o in the reference", p, ms.st_mode & 07777,
            rs.st_mode & 07777);
    if (S_ISREG(ms.st_mode) && ms.st_size != rs.st_size)
        die("%s: size %lld on the mount, %lld in the reference", p, (long long)ms.st_size,
            (long long)rs.st_size);
}

static unsigned char *slurp(int dirfd, const char *p, size_t *len)
{
    int fd = openat(dirfd, p, O_RDONLY | O_NOFOLLOW);
    size_t cap = 65536, n = 0;
    unsigned char *buf;

    if (fd < 0)
        die("%s: cannot open for comparison: %s", p, strerror(errno));
    buf = malloc(cap);
    for (;;) {
        ssize_t k;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
        k = read(fd, buf + n, cap - n);
        if (k < 0)
            die("%s: read: %s", p, strerror(errno));
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    *len = n;
    return buf;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in a directory (without . and ..); *n of them. */
static char **list(int dirfd, const char *p, size_t *n)
{
    int fd = openat(dirfd, *p ? p : ".", O_RDONLY | O_DIRECTORY);
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t cap = 0;

    *n = 0;
    if (fd < 0)
        return NULL;
    d = fdopendir(fd);
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (*n == cap)
            names = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, cmpstr);
    else
        names = malloc(sizeof *names); /* empty, but not "no directory" */
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void compare_tree(const char *p)
{
    size_t mn, rn;
    char **m = list(mroot, p, &mn), **r = list(rroot, p, &rn);

    if (mn != rn)
        die("directory '%s': %zu entries on the mount, %zu in the reference", p, mn, rn);
    for (size_t i = 0; i < mn; i++) {
        char sub[512];
        struct stat st;
        if (strcmp(m[i], r[i]))
            die("directory '%s': '%s' on the mount where the reference has '%s'", p, m[i], r[i]);
        snprintf(sub, sizeof sub, "%s%s%s", p, *p ? "/" : "", m[i]);
        compare_path(sub);
        fstatat(rroot, sub, &st, AT_SYMLINK_NOFOLLOW);
        if (S_ISDIR(st.st_mode)) {
            compare_tree(sub);
        } else if (S_ISLNK(st.st_mode)) {
            char a[256], b[256];
            ssize_t x = readlinkat(mroot, sub, a, sizeof a), y = readlinkat(rroot, sub, b, sizeof b);
            same(sub, x, y);
            if (x > 0 && memcmp(a, b, (size_t)x))
                die("%s: link targets differ", sub);
        } else {
            size_t ml, rl;
            unsigned char *mb = slurp(mroot, sub, &ml), *rb = slurp(rroot, sub, &rl);
            if (ml != rl || memcmp(mb, rb, ml)) {
                size_t at = 0;
                while (at < ml && at < rl && mb[at] == rb[at])
                    at++;
                die("%s: contents differ (%zu and %zu bytes, first difference at %zu)", sub, ml,
                    rl, at);
            }
            free(mb);
            free(rb);
        }
    }
    free_list(m, mn);
    free_list(r, rn);
}

/* ---- kept descriptors: pwrite/pread/ftruncate/fstat on files that may be unlinked ---- */

#define NFDS 4
static struct {
    int m, r;
    char path[128];
} fds[NFDS];

static void close_fd(int i)
{
    if (fds[i].m < 0)
        return;
    {
        res a_ = R(close(fds[i].m));
        res b_ = R(close(fds[i].r));
        same("close", a_, b_);
    }
    fds[i].m = fds[i].r = -1;
}

/* ---- the operations ---- */

static unsigned char data[65536], mbuf[65536], rbuf[65536];

static void op_write(bool append)
{
    char p[128];
    int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : 0) | (pick(8) == 0 ? O_TRUNC : 0);
    size_t len = 1 + pick(8192);
    off_t off = pick(65536);
    int m, r;

    rand_file(p, sizeof p);
    note("%s %s %zu bytes at %lld flags 0%o", append ? "append" : "write", p, len, (long long)off,
        flags);
    m = openat(mroot, p, flags, 0644);
    open_m = m < 0 ? -errno : 0;
    r = openat(rroot, p, flags, 0644);
    same("open", open_m, r < 0 ? -errno : 0);
    if (m < 0)
        return;
    fill(data, len);
    if (append)
        {
            res a_ = R(write(m, data, len));
            res b_ = R(write(r, data, len));
            same("write", a_, b_);
        }
    else
        {
            res a_ = R(pwrite(m, data, len, off));
            res b_ = R(pwrite(r, data, len, off));
            same("pwrite", a_, b_);
        }
    {
        res a_ = R(close(m));
        res b_ = R(close(r));
        same("close", a_, b_);
    }
    compare_path(p);
}

static void op_truncate(void)
{
    char p[128];
    off_t size = pick(3) ? pick(65536) : 0;

    rand_file(p, sizeof p);
    note("truncate %s %lld", p, (long long)size);
    {
        char mp[512], rp[512];
        snprintf(mp, sizeof mp, "%s/%s", mpath, p);
        snprintf(rp, sizeof rp, "%s/%s", rpath, p);
        {
            res a_ = R(truncate(mp, size));
            res b_ = R(truncate(rp, size));
            same("truncate", a_, b_);
        }
    }
    compare_path(p);
}

static void op_read(void)
{
    char p[128];
    size_t len = 1 + pick(16384);
    off_t off = pick(70000);
    int m, r;
    res a, b;

    rand_any(p, sizeof p);
    note("read %s %zu at %lld", p, len, (long long)off);
    m = openat(mroot, p, O_RDONLY);
    open_m = m < 0 ? -errno : 0;
    r = openat(rroot, p, O_RDONLY);
    same("open", open_m, r < 0 ? -errno : 0);
    if (m < 0)
        return;
    a = R(pread(m, mbuf, len, off));
    b = R(pread(r, rbuf, len, off));
    same("pread", a, b);
    if (a > 0 && memcmp(mbuf, rbuf, (size_t)a))
        die("read %s: different data", p);
    {
        res a_ = R(close(m));
        res b_ = R(close(r));
        same("close", a_, b_);
    }
}

static void op_mmap(bool write)
{
    char p[128];
    struct stat ms, rs;
    int m, r;

    rand_file(p, sizeof p);
    note("mmap %s %s", write ? "write" : "read", p);
    m = openat(mroot, p, write ? O_RDWR : O_RDONLY);
    open_m = m < 0 ? -errno : 0;
    r = openat(rroot, p, write ? O_RDWR : O_RDONLY);
    same("open", open_m, r < 0 ? -errno : 0);
    if (m < 0)
        return;
    {
        res a_ = R(fstat(m, &ms));
        res b_ = R(fstat(r, &rs));
        same("fstat", a_, b_);
    }
    if ((ms.st_mode & S_IFMT) != (rs.st_mode & S_IFMT))
        die("mmap %s: types differ", p);
    if (S_ISREG(ms.st_mode) && ms.st_size != rs.st_size)
        die("mmap %s: sizes differ (%lld on the mount, %lld in the reference)", p,
            (long long)ms.st_size, (long long)rs.st_size);
    if (S_ISREG(ms.st_mode) && ms.st_size > 0) {
        size_t len = (size_t)ms.st_size;
        int prot = PROT_READ | (write ? PROT_WRITE : 0);
        unsigned char *a = mmap(NULL, len, prot, MAP_SHARED, m, 0);
        unsigned char *b = mmap(NULL, len, prot, MAP_SHARED, r, 0);
        if (a == MAP_FAILED || b == MAP_FAILED)
            die("mmap %s: %s", p, strerror(errno));
        if (write) {
            size_t off = pick((unsigned)len), n = 1 + pick(4096);
            if (n > len - off)
                n = len - off;
            fill(data, n);
            memcpy(a + off, data, n);
            memcpy(b + off, data, n);
            {
                res a_ = R(msync(a, len, MS_SYNC));
                res b_ = R(msync(b, len, MS_SYNC));
                same("msync", a_, b_);
            }
        } else if (memcmp(a, b, len)) {
            die("mmap %s: different data", p);
        }
        munmap(a, len);
        munmap(b, len);
    }
    {
        res a_ = R(close(m));
        res b_ = R(close(r));
        same("close", a_, b_);
    }
}

static void op_rename(void)
{
    char a[128], b[128];
    bool noreplace = pick(4) == 0;

    rand_any(a, sizeof a);
    if (pick(2))
        rand_any(b, sizeof b);
    else
        rand_dir(b, sizeof b), strcat(b, pick(2) ? "/f1" : "");
    note("rename%s %s -> %s", noreplace ? " (noreplace)" : "", a, b);
    {
        res a_ = R(renameat2(mroot, a, mroot, b, noreplace ? RENAME_NOREPLACE : 0));
        res b_ = R(renameat2(rroot, a, rroot, b, noreplace ? RENAME_NOREPLACE : 0));
        same("rename", a_, b_);
    }
    compare_path(a);
    compare_path(b);
}

static void op_unlink(void)
{
    char p[128];

    rand_file(p, sizeof p);
    note("unlink %s", p);
    {
        res a_ = R(unlinkat(mroot, p, 0));
        res b_ = R(unlinkat(rroot, p, 0));
        same("unlink", a_, b_);
    }
    compare_path(p);
}

static void op_mkdir_rmdir(void)
{
    char p[128];
    bool rm = pick(2);

    rand_dir(p, sizeof p);
    note("%s %s", rm ? "rmdir" : "mkdir", p);
    if (rm)
        {
            res a_ = R(unlinkat(mroot, p, AT_REMOVEDIR));
            res b_ = R(unlinkat(rroot, p, AT_REMOVEDIR));
            same("rmdir", a_, b_);
        }
    else
        {
            res a_ = R(mkdirat(mroot, p, 0755));
            res b_ = R(mkdirat(rroot, p, 0755));
            same("mkdir", a_, b_);
        }
    compare_path(p);
}

static void op_symlink(void)
{
    /*
     * Links are followed by later operations (truncate, writes): every target
     * must stay inside the tree, or lead nowhere that could be made.
     */
    static const char *const targets[] = {"f0", "f1", "d0/../f2", "d0", "nowhere",
        "/nonexistent.lxfront/f0", "a:b*c?"};
    char p[128], a[256], b[256];
    const char *t = targets[pick(7)];

    rand_file(p, sizeof p);
    note("symlink %s -> %s", p, t);
    {
        res a_ = R(symlinkat(t, mroot, p));
        res b_ = R(symlinkat(t, rroot, p));
        same("symlink", a_, b_);
    }
    {
        ssize_t x = readlinkat(mroot, p, a, sizeof a), y = readlinkat(rroot, p, b, sizeof b);
        {
            res a_ = R(x);
            res b_ = R(y);
            same("readlink", a_, b_);
        }
        if (x > 0 && memcmp(a, b, (size_t)x))
            die("readlink %s: targets differ", p);
    }
    compare_path(p);
}

static void op_chmod(void)
{
    static const mode_t modes[] = {0600, 0644, 0755, 0700, 0640, 0750, 0664};
    char p[128];
    mode_t mode = modes[pick(7)];

    /* LXFRONT_NO_DIR_META: the file system cannot change a directory's metadata (see the script). */
    rand_any(p, sizeof p);
    if (getenv("LXFRONT_NO_DIR_META")) {
        struct stat st;
        /* Through symbolic links too: the directory is what would change. */
        if (fstatat(rroot, p, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
            note("chmod %s: a directory, left out", p);
            return;
        }
    }
    note("chmod %s 0%o", p, mode);
    {
        res a_ = R(fchmodat(mroot, p, mode, 0));
        res b_ = R(fchmodat(rroot, p, mode, 0));
        same("chmod", a_, b_);
    }
    compare_path(p);
}

static void op_create_excl(void)
{
    char p[128];
    int m, r;

    rand_file(p, sizeof p);
    note("create O_EXCL %s", p);
    m = openat(mroot, p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    open_m = m < 0 ? -errno : 0;
    r = openat(rroot, p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    same("open O_EXCL", open_m, r < 0 ? -errno : 0);
    if (m >= 0)
        {
            res a_ = R(close(m));
            res b_ = R(close(r));
            same("close", a_, b_);
        }
    compare_path(p);
}

static void op_fd(void)
{
    int i = (int)pick(NFDS);
    unsigned what = pick(6);

    if (fds[i].m < 0) {
        char p[128];
        rand_file(p, sizeof p);
        note("keep open %s as %d", p, i);
        fds[i].m = openat(mroot, p, O_RDWR | O_CREAT, 0644);
        open_m = fds[i].m < 0 ? -errno : 0;
        fds[i].r = openat(rroot, p, O_RDWR | O_CREAT, 0644);
        same("open", open_m, fds[i].r < 0 ? -errno : 0);
        if (fds[i].m < 0)
            fds[i].m = fds[i].r = -1;
        snprintf(fds[i].path, sizeof fds[i].path, "%s", p);
        return;
    }
    if (what == 0) {
        note("close kept %d", i);
        close_fd(i);
    } else if (what == 1 || what == 2) {
        size_t len = 1 + pick(8192);
        off_t off = pick(65536);
        note("pwrite kept %d (%s) %zu at %lld", i, fds[i].path, len, (long long)off);
        fill(data, len);
        {
            res a_ = R(pwrite(fds[i].m, data, len, off));
            res b_ = R(pwrite(fds[i].r, data, len, off));
            same("pwrite", a_, b_);
        }
    } else if (what == 3) {
        size_t len = 1 + pick(16384);
        off_t off = pick(70000);
        res a, b;
        note("pread kept %d (%s) %zu at %lld", i, fds[i].path, len, (long long)off);
        a = R(pread(fds[i].m, mbuf, len, off));
        b = R(pread(fds[i].r, rbuf, len, off));
        same("pread", a, b);
        if (a > 0 && memcmp(mbuf, rbuf, (size_t)a))
            die("pread kept %d: different data", i);
    } else if (what == 4) {
        off_t size = pick(65536);
        note("ftruncate kept %d (%s) %lld", i, fds[i].path, (long long)size);
        {
            res a_ = R(ftruncate(fds[i].m, size));
            res b_ = R(ftruncate(fds[i].r, size));
            same("ftruncate", a_, b_);
        }
    } else {
        struct stat a, b;
        note("fstat kept %d (%s)", i, fds[i].path);
        {
            res a_ = R(fstat(fds[i].m, &a));
            res b_ = R(fstat(fds[i].r, &b));
            same("fstat", a_, b_);
        }
        if (a.st_size != b.st_size || (a.st_mode & 07777) != (b.st_mode & 07777))
            die("fstat kept %d: size %lld/%lld mode 0%o/0%o", i, (long long)a.st_size,
                (long long)b.st_size, a.st_mode & 07777, b.st_mode & 07777);
    }
}

static void op_list(void)
{
    char p[128];
    size_t mn, rn;
    char **m, **r;

    rand_dir(p, sizeof p);
    if (pick(3) == 0)
        p[0] = 0;
    note("list '%s'", p);
    m = list(mroot, p, &mn);
    r = list(rroot, p, &rn);
    if ((m == NULL) != (r == NULL) || mn != rn)
        die("list '%s': %zu entries on the mount, %zu in the reference", p, mn, rn);
    for (size_t i = 0; i < mn; i++)
        if (strcmp(m[i], r[i]))
            die("list '%s': '%s' and '%s'", p, m[i], r[i]);
    free_list(m, mn);
    free_list(r, rn);
}

static int run(int argc, char **argv)
{
    unsigned long nops;

    if (argc != 6) {
        fprintf(stderr, "usage: lxfront_randops run MOUNT_DIR REF_DIR SEED NOPS\n");
        return 2;
    }
    mpath = argv[2];
    rpath = argv[3];
    rng_state = strtoull(argv[4], NULL, 0) | 1;
    nops = strtoul(argv[5], NULL, 0);
    mroot = open(mpath, O_RDONLY | O_DIRECTORY);
    rroot = open(rpath, O_RDONLY | O_DIRECTORY);
    if (mroot < 0 || rroot < 0) {
        perror("open");
        return 2;
    }
    umask(022);
    for (int i = 0; i < NFDS; i++)
        fds[i].m = fds[i].r = -1;
    for (op_count = 0; op_count < nops; op_count++) {
        unsigned w = pick(100);
        if (w < 16)
            op_write(false);
        else if (w < 20)
            op_write(true);
        else if (w < 26)
            op_truncate();
        else if (w < 38)
            op_read();
        else if (w < 42)
            op_mmap(true);
        else if (w < 45)
            op_mmap(false);
        else if (w < 55)
            op_rename();
        else if (w < 62)
            op_unlink();
        else if (w < 69)
            op_mkdir_rmdir();
        else if (w < 72)
            op_symlink();
        else if (w < 75)
            op_chmod();
        else if (w < 78)
            op_create_excl();
        else if (w < 94) {
            /*
             * LXFRONT_NO_UNLINK_OPEN: the file system cannot use a file
             * after its last name went (bindfs on libfuse 2 with
             * hard_remove): no descriptors are kept across operations.
             */
            if (getenv("LXFRONT_NO_UNLINK_OPEN"))
                op_read();
            else
                op_fd();
        }
        else
            op_list();
        if (op_count % 500 == 499)
            compare_tree("");
    }
    for (int i = 0; i < NFDS; i++)
        close_fd(i);
    compare_tree("");
    printf("randops: %lu operations, the trees agree\n", nops);
    return 0;
}

/* ---- hammer ---- */

typedef struct blob_header {
    uint32_t magic, len;
    uint64_t sum;
} blob_header;

#define BLOB_MAGIC 0x6c786672u

static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Read a whole file (up to cap bytes): its length, or -errno; *st as fstat saw it first. */
static ssize_t read_whole(int dirfd, const char *name, unsigned char *buf, size_t cap,
    struct stat *st)
{
    int fd = openat(dirfd, name, O_RDONLY);
    ssize_t n, total = 0;

    if (fd < 0)
        return -errno;
    if (fstat(fd, st) != 0)
        memset(st, 0, sizeof *st);
    while ((n = read(fd, buf + total, cap - (size_t)total)) > 0)
        total += n;
    if (n < 0)
        total = -errno;
    close(fd);
    return total;
}

/* Whole and consistent, or gone (ENOENT): anything else is corruption. */
static int verify(int dirfd, const char *name)
{
    unsigned char buf[70000];
    struct stat st;
    ssize_t total = read_whole(dirfd, name, buf, sizeof buf, &st);
    blob_header h;

    if (total == -ENOENT)
        return 0;
    /* Unlinked while open: a file system that cannot read it then says ENOENT. */
    if (total < 0)
        return total == -ENOENT && getenv("LXFRONT_NO_UNLINK_OPEN") ? 0 : (int)total;
    /* Temporary files are written in place and may be short. */
    if (name[0] == 't')
        return 0;
    memset(&h, 0, sizeof h);
    if (total >= (ssize_t)sizeof h)
        memcpy(&h, buf, sizeof h);
    if (total < (ssize_t)sizeof h || h.magic != BLOB_MAGIC || h.len != total - (ssize_t)sizeof h ||
        h.sum != checksum(buf + sizeof h, h.len)) {
        /* What was seen, and what a second look sees: stale size, or bad data. */
        struct stat again;
        ssize_t second = read_whole(dirfd, name, buf, sizeof buf, &again);
        fprintf(stderr,
            "%s: read %zd bytes (fstat: inode %llu, size %lld), header: magic %#x, length %u; "
            "read again: %zd bytes (inode %llu, size %lld)\n",
            name, total, (unsigned long long)st.st_ino, (long long)st.st_size, h.magic, h.len,
            second, (unsigned long long)again.st_ino, (long long)again.st_size);
        return -EBADMSG;
    }
    return 0;
}

static int hammer_one(const char *dir, int id, int seconds)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    time_t end = time(NULL) + seconds;
    unsigned char buf[70000];
    unsigned long ops = 0;

    if (dfd < 0)
        return 1;
    rng_state = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1);
    while (time(NULL) < end) {
        char name[256], tmp[64];
        unsigned w = pick(10);
        int err = 0;

        ops++;
        if (w < 4) {
            blob_header h;
            size_t len = pick(60000);
            int fd;
            snprintf(tmp, sizeof tmp, "t%d", id);
            if (pick(2))
                snprintf(name, sizeof name, "s%u", pick(8)); /* shared names */
            else
                snprintf(name, sizeof name, "p%d_%u", id, pick(16));
            fill(buf + sizeof h, len);
            h.magic = BLOB_MAGIC;
            h.len = (uint32_t)len;
            h.sum = checksum(buf + sizeof h, len);
            memcpy(buf, &h, sizeof h);
            fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || write(fd, buf, sizeof h + len) != (ssize_t)(sizeof h + len) ||
                close(fd) != 0 || renameat(dfd, tmp, dfd, name) != 0)
                err = errno;
        } else if (w < 7) {
            snprintf(name, sizeof name, pick(2) ? "s%u" : "p%u_%u", pick(8), pick(16));
            err = -verify(dfd, name);
        } else if (w < 8) {
            snprintf(name, sizeof name, pick(2) ? "s%u" : "p%u_%u", pick(8), pick(16));
            if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT)
                err = errno;
        } else {
            size_t n;
            int fd = dup(dfd);
            DIR *d = fdopendir(fd);
            struct dirent *e;
            n = 0;
            if (!d) {
                err = errno;
            } else {
                rewinddir(d);
                while ((e = readdir(d)) != NULL) {
                    if (e->d_name[0] == '.')
                        continue;
                    n++;
                    snprintf(name, sizeof name, "%s", e->d_name);
                    err = -verify(dfd, name);
                    if (err)
                        break;
                }
                closedir(d);
            }
        }
        if (err) {
            fprintf(stderr, "hammer %d: operation %lu (kind %u, %s): %s\n", id, ops, w, name,
                strerror(err));
            return 1;
        }
    }
    printf("hammer %d: %lu operations\n", id, ops);
    close(dfd);
    return 0;
}

static int hammer(int argc, char **argv)
{
    int n, seconds, failed = 0;
    pid_t pids[64];

    if (argc != 5) {
        fprintf(stderr, "usage: lxfront_randops hammer DIR NPROCS SECONDS\n");
        return 2;
    }
    n = atoi(argv[3]);
    seconds = atoi(argv[4]);
    if (n < 1 || n > 64 || seconds < 1)
        return 2;
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            /* A process stuck well past its time is a deadlock: the alarm ends it, failed. */
            alarm((unsigned)seconds + 60);
            _exit(hammer_one(argv[2], i, seconds));
        }
    }
    for (int i = 0; i < n; i++) {
        int ws;
        if (waitpid(pids[i], &ws, 0) != pids[i] || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
            fprintf(stderr, "hammer %d: %s\n", i,
                WIFSIGNALED(ws) ? strsignal(WTERMSIG(ws)) : "failed");
            failed = 1;
        }
    }
    /* At rest, every file there must be whole. */
    {
        int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
        size_t count;
        char **names = list(dfd, ".", &count);
        for (size_t i = 0; i < count; i++) {
            int err = verify(dfd, names[i]);
            if (err) {
                fprintf(stderr, "hammer: %s at rest: %s\n", names[i], strerror(-err));
                failed = 1;
                /* Past every cache's timeout: a stale size heals, lost data does not. */
                sleep(3);
                err = verify(dfd, names[i]);
                fprintf(stderr, "hammer: %s 3 s later: %s\n", names[i],
                    err ? strerror(-err) : "whole");
            }
        }
        printf("hammer: %zu files at rest\n", count);
        free_list(names, count);
        close(dfd);
    }
    return failed;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return run(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "hammer"))
        return hammer(argc, argv);
    fprintf(stderr, "usage: lxfront_randops run|hammer ...\n");
    return 2;
}
