/*
 * libfuse_workload.c - one round of the libfuse benchmark's workload on a
 * directory (a FUSE mount), timed phase by phase.
 *
 * Usage: libfuse_workload [-n FILES] [-s SEQ_MIB] [-r RANDOM_OPS]
 *                         [-f RANDOM_FILE_MIB] [-d READDIR_PASSES] [-c PID] DIR
 *
 * Phases, in this order, each printed as "NAME RATE UNIT CPU" on stdout,
 * where RATE is items per second (UNIT says which items) and CPU is the
 * CPU time, in microseconds per item, that the process PID (-c: the file
 * system serving DIR) spent in the phase, all its threads, user and
 * kernel (0 without -c):
 *   create    FILES empty files made with open(O_CREAT|O_EXCL) + close
 *   stat      stat() of each of them
 *   readdir   READDIR_PASSES full listings of the directory (entries/s)
 *   unlink    unlink() of each of them
 *   seqwrite  SEQ_MIB MiB written in 1 MiB write() calls to a new file
 *   seqread   the same file read back in 1 MiB read() calls
 *   randwrite RANDOM_OPS 4 KiB pwrite() calls at random aligned offsets
 *             of a RANDOM_FILE_MIB file (made untimed, through the mount)
 *   randread  RANDOM_OPS 4 KiB pread() calls at random aligned offsets
 * Every result is checked (counts, sizes, the data read back carries the
 * pattern written); any failure exits 1 with a message on stderr. Leaves
 * DIR as it found it. Offsets come from a fixed-seed PRNG, so both sides
 * of the benchmark do exactly the same operations.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEQ_CHUNK (1024 * 1024)
#define RAND_BLOCK 4096

static const char *top;
static char server_tasks[64]; /* /proc/PID/task, or "" */

static void die(const char *fmt, ...)
{
    va_list ap;
    int err = errno;

    fprintf(stderr, "libfuse_workload: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", err ? strerror(err) : "check failed");
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * CPU time of the server so far, in ns: the sum over its threads of the
 * scheduler's precise run time (schedstat, not the 10 ms ticks of stat).
 * Both libraries keep their worker threads for the session's life, so no
 * thread's time is lost to its exit within a phase.
 */
static double server_cpu(void)
{
    char path[512], line[256];
    double total = 0;
    struct dirent *e;
    DIR *d;

    if (!server_tasks[0])
        return 0;
    d = opendir(server_tasks);
    if (!d)
        die("opendir %s", server_tasks);
    while ((e = readdir(d)) != NULL) {
        FILE *f;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/schedstat", server_tasks, e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue; /* a thread that just ended */
        if (fgets(line, sizeof line, f))
            total += strtod(line, NULL);
        fclose(f);
    }
    closedir(d);
    return total;
}

struct phase {
    double start, cpu;
};

static struct phase phase_begin(void)
{
    struct phase p;
    p.cpu = server_cpu();
    p.start = now();
    return p;
}

static void report(const char *name, double count, struct phase p, const char *unit)
{
    double seconds = now() - p.start, cpu = server_cpu() - p.cpu;
    if (seconds <= 0)
        seconds = 1e-9;
    printf("%s %.1f %s %.3f\n", name, count / seconds, unit, cpu / 1e3 / count);
    fflush(stdout);
}

static uint64_t prng_state = 0x9e3779b97f4a7c15ull;

static uint64_t prng(void)
{
    /* xorshift64*: deterministic, so both sides see the same offsets */
    prng_state ^= prng_state >> 12;
    prng_state ^= prng_state << 25;
    prng_state ^= prng_state >> 27;
    return prng_state * 0x2545f4914f6cdd1dull;
}

/* Each 8-byte word of a block says where it lives and which pass wrote it. */
static void fill(unsigned char *buf, size_t size, uint64_t offset, uint64_t tag)
{
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint64_t v = (offset + i) * 0x100000001b3ull ^ tag;
        memcpy(buf + i, &v, 8);
    }
}

static int matches(const unsigned char *buf, size_t size, uint64_t offset, uint64_t tag)
{
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint64_t v = (offset + i) * 0x100000001b3ull ^ tag, w;
        memcpy(&w, buf + i, 8);
        if (v != w)
            return 0;
    }
    return 1;
}

static void name_of(char *out, size_t size, const char *dir, unsigned i)
{
    if ((size_t)snprintf(out, size, "%s/f%07u", dir, i) >= size)
        die("path too long");
}

static void metadata(unsigned files, unsigned passes)
{
    char dir[4096], path[4200];
    struct stat st;
    struct phase t;

    if ((size_t)snprintf(dir, sizeof dir, "%s/meta", top) >= sizeof dir)
        die("path too long");
    if (mkdir(dir, 0755) != 0)
        die("mkdir %s", dir);

    t = phase_begin();
    for (unsigned i = 0; i < files; i++) {
        int fd;
        name_of(path, sizeof path, dir, i);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0)
            die("create %s", path);
        if (close(fd) != 0)
            die("close %s", path);
    }
    report("create", files, t, "ops/s");

    t = phase_begin();
    for (unsigned i = 0; i < files; i++) {
        name_of(path, sizeof path, dir, i);
        if (stat(path, &st) != 0)
            die("stat %s", path);
        if (!S_ISREG(st.st_mode) || st.st_size != 0)
            die("stat %s: not an empty file", path);
    }
    report("stat", files, t, "ops/s");

    t = phase_begin();
    for (unsigned p = 0; p < passes; p++) {
        DIR *d = opendir(dir);
        struct dirent *e;
        unsigned seen = 0;
        if (!d)
            die("opendir %s", dir);
        errno = 0;
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] == 'f')
                seen++;
        if (errno)
            die("readdir %s", dir);
        closedir(d);
        if (seen != files) {
            errno = 0;
            die("readdir %s: %u entries, expected %u", dir, seen, files);
        }
    }
    report("readdir", (double)files * passes, t, "entries/s");

    t = phase_begin();
    for (unsigned i = 0; i < files; i++) {
        name_of(path, sizeof path, dir, i);
        if (unlink(path) != 0)
            die("unlink %s", path);
    }
    report("unlink", files, t, "ops/s");

    if (rmdir(dir) != 0)
        die("rmdir %s", dir);
}

static void sequential(unsigned mib)
{
    char path[4200];
    unsigned char *buf = malloc(SEQ_CHUNK);
    struct phase t;
    int fd;

    if (!buf)
        die("malloc");
    snprintf(path, sizeof path, "%s/seq", top);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die("open %s", path);
    t = phase_begin();
    for (unsigned i = 0; i < mib; i++) {
        /* The pattern changes every chunk but costs the same on both sides. */
        fill(buf, 64, (uint64_t)i * SEQ_CHUNK, 1);
        fill(buf + SEQ_CHUNK - 64, 64, (uint64_t)i * SEQ_CHUNK + SEQ_CHUNK - 64, 1);
        if (write(fd, buf, SEQ_CHUNK) != SEQ_CHUNK)
            die("write %s", path);
    }
    if (close(fd) != 0)
        die("close %s", path);
    report("seqwrite", mib, t, "MiB/s");

    fd = open(path, O_RDONLY);
    if (fd < 0)
        die("open %s", path);
    t = phase_begin();
    for (unsigned i = 0;; i++) {
        size_t got = 0;
        ssize_t n;
        while (got < SEQ_CHUNK && (n = read(fd, buf + got, SEQ_CHUNK - got)) > 0)
            got += (size_t)n;
        if (got == 0 && i == mib)
            break;
        if (got != SEQ_CHUNK || i >= mib)
            die("read %s: short or long file at chunk %u", path, i);
        if (!matches(buf, 64, (uint64_t)i * SEQ_CHUNK, 1) ||
            !matches(buf + SEQ_CHUNK - 64, 64, (uint64_t)i * SEQ_CHUNK + SEQ_CHUNK - 64, 1)) {
            errno = 0;
            die("read %s: wrong data in chunk %u", path, i);
        }
    }
    report("seqread", mib, t, "MiB/s");
    close(fd);
    if (unlink(path) != 0)
        die("unlink %s", path);
    free(buf);
}

static void random_io(unsigned ops, unsigned file_mib)
{
    char path[4200];
    uint64_t blocks = (uint64_t)file_mib * 1024 * 1024 / RAND_BLOCK;
    unsigned char *buf = malloc(SEQ_CHUNK), block[RAND_BLOCK];
    uint64_t *written = calloc(blocks, sizeof *written);
    struct phase t;
    int fd;

    if (!buf || !written)
        die("malloc");
    if (blocks == 0) {
        errno = 0;
        die("random file size is 0");
    }
    snprintf(path, sizeof path, "%s/rand", top);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die("open %s", path);
    /* Untimed: every block carries tag 0 to begin with. */
    for (uint64_t off = 0; off < blocks * RAND_BLOCK; off += SEQ_CHUNK) {
        size_t size = blocks * RAND_BLOCK - off < SEQ_CHUNK ? blocks * RAND_BLOCK - off : SEQ_CHUNK;
        fill(buf, size, off, 0);
        if (pwrite(fd, buf, size, (off_t)off) != (ssize_t)size)
            die("pwrite %s", path);
    }

    t = phase_begin();
    for (unsigned i = 0; i < ops; i++) {
        uint64_t b = prng() % blocks;
        written[b] = i + 1;
        fill(block, sizeof block, b * RAND_BLOCK, written[b]);
        if (pwrite(fd, block, sizeof block, (off_t)(b * RAND_BLOCK)) != RAND_BLOCK)
            die("pwrite %s", path);
    }
    report("randwrite", ops, t, "ops/s");

    t = phase_begin();
    for (unsigned i = 0; i < ops; i++) {
        uint64_t b = prng() % blocks;
        if (pread(fd, block, sizeof block, (off_t)(b * RAND_BLOCK)) != RAND_BLOCK)
            die("pread %s", path);
        if (!matches(block, sizeof block, b * RAND_BLOCK, written[b])) {
            errno = 0;
            die("pread %s: wrong data in block %llu", path, (unsigned long long)b);
        }
    }
    report("randread", ops, t, "ops/s");
    close(fd);
    if (unlink(path) != 0)
        die("unlink %s", path);
    free(written);
    free(buf);
}

static unsigned number(const char *arg)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno || *end || end == arg || v == 0 || v > 100000000ul) {
        errno = 0;
        die("bad number '%s'", arg);
    }
    return (unsigned)v;
}

int main(int argc, char **argv)
{
    unsigned files = 5000, seq_mib = 256, ops = 20000, file_mib = 64, passes = 10;
    int c;

    while ((c = getopt(argc, argv, "n:s:r:f:d:c:")) != -1) {
        switch (c) {
        case 'n': files = number(optarg); break;
        case 's': seq_mib = number(optarg); break;
        case 'r': ops = number(optarg); break;
        case 'f': file_mib = number(optarg); break;
        case 'd': passes = number(optarg); break;
        case 'c':
            snprintf(server_tasks, sizeof server_tasks, "/proc/%u/task", number(optarg));
            break;
        default:
            fprintf(stderr, "usage: libfuse_workload [-n FILES] [-s SEQ_MIB] [-r RANDOM_OPS]"
                " [-f RANDOM_FILE_MIB] [-d READDIR_PASSES] [-c PID] DIR\n");
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "libfuse_workload: one directory expected\n");
        return 2;
    }
    top = argv[optind];
    metadata(files, passes);
    sequential(seq_mib);
    random_io(ops, file_mib);
    return 0;
}
