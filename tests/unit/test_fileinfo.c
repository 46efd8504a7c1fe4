/*
 * test_fileinfo.c - one test per rule of engine/fileinfo.h.
 */
#include "wf_test.h"

#include <string.h>
#include <sys/stat.h>

#include "engine/fileinfo.h"
#include "engine/filetime.h"

static struct fuse_attr make_attr(uint32_t mode)
{
    struct fuse_attr a;

    memset(&a, 0, sizeof a);
    a.ino = 42;
    a.mode = mode;
    a.nlink = 1;
    a.atime = 1000;
    a.mtime = 2000;
    a.ctime = 3000;
    return a;
}

static FSP_FSCTL_FILE_INFO info_of(const struct fuse_attr *a, const wf_fileinfo_options *o,
    const char *name)
{
    FSP_FSCTL_FILE_INFO info;

    /* Garbage first, so that every field must be written. */
    memset(&info, 0xA5, sizeof info);
    wf_fileinfo_from_attr(a, o, name, name ? strlen(name) : 0, &info);
    return info;
}

static void types(void **state)
{
    static const struct { uint32_t type; uint32_t attributes; uint32_t tag; } cases[] = {
        { S_IFREG, 0, 0 },
        { S_IFDIR, FILE_ATTRIBUTE_DIRECTORY, 0 },
        { S_IFLNK, FILE_ATTRIBUTE_REPARSE_POINT, IO_REPARSE_TAG_SYMLINK },
        { S_IFIFO, FILE_ATTRIBUTE_REPARSE_POINT, IO_REPARSE_TAG_NFS },
        { S_IFCHR, FILE_ATTRIBUTE_REPARSE_POINT, IO_REPARSE_TAG_NFS },
        { S_IFBLK, FILE_ATTRIBUTE_REPARSE_POINT, IO_REPARSE_TAG_NFS },
        { S_IFSOCK, FILE_ATTRIBUTE_REPARSE_POINT, IO_REPARSE_TAG_NFS },
        /* No type, or a type Linux does not have: a plain file. */
        { 0, 0, 0 },
        { 0030000, 0, 0 },
        { 0170000, 0, 0 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fuse_attr a = make_attr(cases[i].type | 0644);
        FSP_FSCTL_FILE_INFO info = info_of(&a, NULL, "x");

        assert_int_equal(info.FileAttributes, cases[i].attributes);
        assert_int_equal(info.ReparseTag, cases[i].tag);
    }
    assert_int_equal(IO_REPARSE_TAG_SYMLINK, 0xA000000Cu);
    assert_int_equal(IO_REPARSE_TAG_NFS, 0x80000014u);
}

static void readonly_from_mode(void **state)
{
    (void)state;
    /* Any write bit keeps a file writable. */
    static const uint32_t writable[] = { 0200, 0020, 0002, 0644, 0666, 0777, 04222 };
    static const uint32_t readonly[] = { 0, 0444, 0555, 0111, 07555 };

    for (size_t i = 0; i < sizeof writable / sizeof writable[0]; i++) {
        struct fuse_attr a = make_attr(S_IFREG | writable[i]);

        assert_false(info_of(&a, NULL, "f").FileAttributes & FILE_ATTRIBUTE_READONLY);
    }
    for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++) {
        struct fuse_attr a = make_attr(S_IFREG | readonly[i]);

        assert_int_equal(info_of(&a, NULL, "f").FileAttributes, FILE_ATTRIBUTE_READONLY);
    }

    /* Special files follow their mode too. */
    struct fuse_attr fifo = make_attr(S_IFIFO | 0444);
    assert_int_equal(info_of(&fifo, NULL, "p").FileAttributes,
        FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_READONLY);

    /* Never for directories or symlinks. */
    struct fuse_attr dir = make_attr(S_IFDIR | 0555);
    assert_int_equal(info_of(&dir, NULL, "d").FileAttributes, FILE_ATTRIBUTE_DIRECTORY);
    struct fuse_attr lnk = make_attr(S_IFLNK | 0);
    assert_int_equal(info_of(&lnk, NULL, "l").FileAttributes, FILE_ATTRIBUTE_REPARSE_POINT);
}

static void hidden_dot_files(void **state)
{
    wf_fileinfo_options on = { .allocation_unit = 4096, .hide_dot_files = true };
    wf_fileinfo_options off = { .allocation_unit = 4096, .hide_dot_files = false };
    struct fuse_attr f = make_attr(S_IFREG | 0644);
    struct fuse_attr d = make_attr(S_IFDIR | 0755);

    (void)state;
    assert_int_equal(info_of(&f, &on, ".bashrc").FileAttributes, FILE_ATTRIBUTE_HIDDEN);
    assert_int_equal(info_of(&f, &on, ".x").FileAttributes, FILE_ATTRIBUTE_HIDDEN);
    assert_int_equal(info_of(&f, &on, "...").FileAttributes, FILE_ATTRIBUTE_HIDDEN);
    assert_int_equal(info_of(&d, &on, ".git").FileAttributes,
        FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_HIDDEN);
    assert_int_equal(info_of(&f, &on, "a.b").FileAttributes, 0);
    assert_int_equal(info_of(&f, &on, "x.").FileAttributes, 0);
    /* "." and ".." are directory entries, not hidden files. */
    assert_int_equal(info_of(&d, &on, ".").FileAttributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_int_equal(info_of(&d, &on, "..").FileAttributes, FILE_ATTRIBUTE_DIRECTORY);
    /* No name: the root. */
    assert_int_equal(info_of(&d, &on, NULL).FileAttributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_int_equal(info_of(&f, &on, "").FileAttributes, 0);
    /* Off, or without options. */
    assert_int_equal(info_of(&f, &off, ".bashrc").FileAttributes, 0);
    assert_int_equal(info_of(&f, NULL, ".bashrc").FileAttributes, 0);

    /* The name is counted, not terminated. */
    FSP_FSCTL_FILE_INFO info;
    wf_fileinfo_from_attr(&f, &on, ".hidden", 1, &info);
    assert_int_equal(info.FileAttributes, 0);
    wf_fileinfo_from_attr(&f, &on, "..x", 2, &info);
    assert_int_equal(info.FileAttributes, 0);
    wf_fileinfo_from_attr(&f, &on, "..x", 3, &info);
    assert_int_equal(info.FileAttributes, FILE_ATTRIBUTE_HIDDEN);
}

static void sizes(void **state)
{
    wf_fileinfo_options o = { .allocation_unit = 4096 };
    struct fuse_attr a = make_attr(S_IFREG | 0644);
    FSP_FSCTL_FILE_INFO info;

    (void)state;
    /* Rounded up to the unit; exact multiples stay. */
    a.size = 1;
    info = info_of(&a, &o, "f");
    assert_int_equal(info.FileSize, 1);
    assert_int_equal(info.AllocationSize, 4096);
    a.size = 8192;
    assert_int_equal(info_of(&a, &o, "f").AllocationSize, 8192);
    a.size = 0;
    assert_int_equal(info_of(&a, &o, "f").AllocationSize, 0);

    /* Sparse: fewer blocks than the size still allocates the size. */
    a.size = 1000000;
    a.blocks = 0;
    assert_int_equal(info_of(&a, &o, "f").AllocationSize, 1003520);
    /* Preallocated past the end of file: the blocks show. */
    a.size = 10;
    a.blocks = 2048;
    info = info_of(&a, &o, "f");
    assert_int_equal(info.FileSize, 10);
    assert_int_equal(info.AllocationSize, 1048576);
    a.blocks = 9; /* 4608 bytes */
    assert_int_equal(info_of(&a, &o, "f").AllocationSize, 8192);

    /* No unit (0) or no options: no rounding. */
    a.size = 1234;
    a.blocks = 0;
    assert_int_equal(info_of(&a, NULL, "f").AllocationSize, 1234);
    o.allocation_unit = 0;
    assert_int_equal(info_of(&a, &o, "f").AllocationSize, 1234);
    o.allocation_unit = 512;
    assert_int_equal(info_of(&a, &o, "f").AllocationSize, 1536);
    /* A unit that is not a power of two still rounds. */
    o.allocation_unit = 1000;
    assert_int_equal(info_of(&a, &o, "f").AllocationSize, 2000);

    /* Directories and symlinks have neither size. */
    struct fuse_attr d = make_attr(S_IFDIR | 0755);
    d.size = 4096;
    d.blocks = 8;
    info = info_of(&d, &o, "d");
    assert_int_equal(info.FileSize, 0);
    assert_int_equal(info.AllocationSize, 0);
    struct fuse_attr l = make_attr(S_IFLNK | 0777);
    l.size = 11;
    l.blocks = 1;
    info = info_of(&l, &o, "l");
    assert_int_equal(info.FileSize, 0);
    assert_int_equal(info.AllocationSize, 0);
}

static void sizes_from_an_untrusted_peer(void **state)
{
    static const uint32_t units[] = { 0, 1, 512, 4096, 65536, 1000, 0xFFFFFFFFu };
    static const uint64_t sizes[] = {
        0, 1, (uint64_t)INT64_MAX - 1, (uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1,
        UINT64_MAX - 4095, UINT64_MAX,
    };
    struct fuse_attr a = make_attr(S_IFREG | 0644);

    (void)state;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++) {
                wf_fileinfo_options o = { .allocation_unit = units[u] };
                uint64_t unit = units[u] ? units[u] : 1;
                FSP_FSCTL_FILE_INFO info;

                a.size = sizes[s];
                a.blocks = sizes[b];
                info = info_of(&a, &o, "f");
                assert_true(info.FileSize <= (uint64_t)INT64_MAX);
                assert_true(info.AllocationSize <= (uint64_t)INT64_MAX);
                assert_true(info.AllocationSize >= info.FileSize);
                assert_int_equal(info.AllocationSize % unit, 0);
                if (sizes[s] <= (uint64_t)INT64_MAX / unit * unit)
                    assert_int_equal(info.FileSize, sizes[s]);
            }
}

static void times(void **state)
{
    struct fuse_attr a = make_attr(S_IFREG | 0644);
    FSP_FSCTL_FILE_INFO info;

    (void)state;
    a.atime = 1700000000;
    a.atimensec = 123456789;
    a.mtime = 1600000000;
    a.mtimensec = 500;
    a.ctime = 1650000000;
    a.ctimensec = 0;
    info = info_of(&a, NULL, "f");
    assert_int_equal(info.LastAccessTime, wf_filetime_from_unix(1700000000, 123456789));
    assert_int_equal(info.LastWriteTime, wf_filetime_from_unix(1600000000, 500));
    assert_int_equal(info.ChangeTime, wf_filetime_from_unix(1650000000, 0));
    /* Creation: the earlier of mtime and ctime. */
    assert_int_equal(info.CreationTime, info.LastWriteTime);
    a.ctime = 1500000000;
    info = info_of(&a, NULL, "f");
    assert_int_equal(info.CreationTime, info.ChangeTime);
    assert_int_equal(info.CreationTime, wf_filetime_from_unix(1500000000, 0));

    /* The wire's seconds are signed: before 1970, and before 1601. */
    a.mtime = (uint64_t)-1;
    a.mtimensec = 0;
    assert_int_equal(info_of(&a, NULL, "f").LastWriteTime, WF_FILETIME_UNIX_EPOCH - 10000000);
    a.mtime = (uint64_t)INT64_MIN;
    assert_int_equal(info_of(&a, NULL, "f").LastWriteTime, 0);
    assert_int_equal(info_of(&a, NULL, "f").CreationTime, 0);
    /* Far future and bad nanoseconds are clamped, not wrapped. */
    a.atime = (uint64_t)INT64_MAX;
    a.atimensec = UINT32_MAX;
    assert_int_equal(info_of(&a, NULL, "f").LastAccessTime, WF_FILETIME_MAX);
}

static void identity_links_eas(void **state)
{
    struct fuse_attr a = make_attr(S_IFREG | 0644);
    FSP_FSCTL_FILE_INFO info;

    (void)state;
    a.ino = 0xFEDCBA9876543210ull;
    a.nlink = 7;
    info = info_of(&a, NULL, "f");
    assert_int_equal(info.IndexNumber, 0xFEDCBA9876543210ull);
    assert_int_equal(info.HardLinks, 0);
    assert_int_equal(info.EaSize, 0);
    assert_int_equal(info.ReparseTag, 0);
}

static void mode_apply_readonly(void **state)
{
    (void)state;
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 0644, true), S_IFREG | 0444);
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 0777, true), S_IFREG | 0555);
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 07666, true), S_IFREG | 07444);
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 0444, true), S_IFREG | 0444);
    /* Clearing read-only: the owner gets write if nobody had it ... */
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 0444, false), S_IFREG | 0644);
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 0, false), S_IFREG | 0200);
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 04555, false), S_IFREG | 04755);
    /* ... and a mode with any write bit is left alone. */
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 0464, false), S_IFREG | 0464);
    assert_int_equal(wf_mode_apply_readonly(S_IFREG | 0640, false), S_IFREG | 0640);

    /* The attribute and the mode agree both ways. */
    for (uint32_t perm = 0; perm <= 07777; perm++) {
        for (int ro = 0; ro <= 1; ro++) {
            struct fuse_attr a = make_attr(S_IFREG | wf_mode_apply_readonly(perm, ro));

            assert_int_equal(!!(info_of(&a, NULL, "f").FileAttributes & FILE_ATTRIBUTE_READONLY),
                ro);
            assert_int_equal(a.mode & ~0222u & 07777, perm & ~0222u);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(types),
        cmocka_unit_test(readonly_from_mode),
        cmocka_unit_test(hidden_dot_files),
        cmocka_unit_test(sizes),
        cmocka_unit_test(sizes_from_an_untrusted_peer),
        cmocka_unit_test(times),
        cmocka_unit_test(identity_links_eas),
        cmocka_unit_test(mode_apply_readonly),
    };
    return WF_RUN_TESTS(tests);
}
