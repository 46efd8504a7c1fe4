/*
 * fuse_proto.h - the FUSE wire protocol, as the Linux kernel speaks it.
 *
 * Protocol 7.38 (FUSE_KERNEL_VERSION 7, FUSE_KERNEL_MINOR_VERSION 38): every
 * opcode, request and reply structure, flag and limit of Linux's
 * include/uapi/linux/fuse.h at that version, under the kernel's own names, so
 * that code written against the Linux header reads the same here and bytes
 * produced on either side are interchangeable.
 *
 * Why our own copy: the engine must build for the NT kernel and for Linux user
 * mode from the same source, and neither may reach for <linux/fuse.h>. So this
 * header depends on <stdint.h> alone (fixed-width types instead of the
 * kernel's __u32) and on one compiler extension only, the kernel's own:
 * struct fuse_direntplus ends in a struct with a flexible array member
 * (GCC and Clang accept it; -pedantic warns).
 *
 * NOT to be included together with <linux/fuse.h> (or libfuse's
 * fuse_kernel.h, which is the same header) in one translation unit: both
 * define the same structures and macros. Whichever comes second fails to
 * compile; if <linux/fuse.h> came first, the #error below says so plainly.
 * tests/unit/test_fuse_proto.c therefore compares the two from separate
 * translation units, field by field and constant by constant.
 *
 * Constants have the kernel's types as well as its values (int for the
 * 32-bit flag words, unsigned long long for the flags2 bits and DAX mapping
 * flags), because the type decides how a constant sign-extends when it meets
 * a 64-bit flag word.
 *
 * The layouts need no packing pragmas: every structure (but the 4-byte
 * fuse_removemapping_in) is explicitly padded to a multiple of 8 bytes, with
 * 64-bit members on 8-byte offsets, so natural alignment gives the wire
 * layout on every ABI we build for (LP64 Linux, LLP64 Windows, 32-bit x86).
 * The sizes are asserted at the end.
 */
#ifndef WINFUSE_FUSE_PROTO_H
#define WINFUSE_FUSE_PROTO_H

#include <stdint.h>

#if defined(_LINUX_FUSE_H)
#error "winfuse/fuse_proto.h and <linux/fuse.h> define the same names; include only one of them"
#endif

/* ---- version ---------------------------------------------------------- */

#define FUSE_KERNEL_VERSION         7
#define FUSE_KERNEL_MINOR_VERSION   38

/* The node id of the mount's root directory; it is never looked up. */
#define FUSE_ROOT_ID                1

/* ---- attributes, statfs, locks ------------------------------------------ */

struct fuse_attr {
    uint64_t ino;
    uint64_t size;
    uint64_t blocks;
    uint64_t atime;
    uint64_t mtime;
    uint64_t ctime;
    uint32_t atimensec;
    uint32_t mtimensec;
    uint32_t ctimensec;
    uint32_t mode;
    uint32_t nlink;
    uint32_t uid;
    uint32_t gid;
    uint32_t rdev;
    uint32_t blksize;
    uint32_t flags;             /* FUSE_ATTR_* (7.32) */
};

struct fuse_kstatfs {
    uint64_t blocks;
    uint64_t bfree;
    uint64_t bavail;
    uint64_t files;
    uint64_t ffree;
    uint32_t bsize;
    uint32_t namelen;
    uint32_t frsize;
    uint32_t padding;
    uint32_t spare[6];
};

struct fuse_file_lock {
    uint64_t start;
    uint64_t end;
    uint32_t type;              /* F_RDLCK, F_WRLCK, F_UNLCK */
    uint32_t pid;               /* thread group id of the owner */
};

/* fuse_attr.flags */
#define FUSE_ATTR_SUBMOUNT          (1 << 0)
#define FUSE_ATTR_DAX               (1 << 1)

/* ---- fuse_setattr_in.valid: which fields of the request to apply ------- */

#define FATTR_MODE                  (1 << 0)
#define FATTR_UID                   (1 << 1)
#define FATTR_GID                   (1 << 2)
#define FATTR_SIZE                  (1 << 3)
#define FATTR_ATIME                 (1 << 4)
#define FATTR_MTIME                 (1 << 5)
#define FATTR_FH                    (1 << 6)
#define FATTR_ATIME_NOW             (1 << 7)
#define FATTR_MTIME_NOW             (1 << 8)
#define FATTR_LOCKOWNER             (1 << 9)
#define FATTR_CTIME                 (1 << 10)
#define FATTR_KILL_SUIDGID          (1 << 11)

/* ---- fuse_open_out.open_flags: how the kernel should treat the open ---- */

#define FOPEN_DIRECT_IO             (1 << 0)
#define FOPEN_KEEP_CACHE            (1 << 1)
#define FOPEN_NONSEEKABLE           (1 << 2)
#define FOPEN_CACHE_DIR             (1 << 3)
#define FOPEN_STREAM                (1 << 4)
#define FOPEN_NOFLUSH               (1 << 5)
#define FOPEN_PARALLEL_DIRECT_WRITES (1 << 6)

/* ---- INIT capability flags ---------------------------------------------
 * Bits 0..31 travel in fuse_init_in/out.flags; bits 32..63 travel in flags2,
 * shifted down by 32, and only when both sides set FUSE_INIT_EXT.
 */
#define FUSE_ASYNC_READ             (1 << 0)
#define FUSE_POSIX_LOCKS            (1 << 1)
#define FUSE_FILE_OPS               (1 << 2)
#define FUSE_ATOMIC_O_TRUNC         (1 << 3)
#define FUSE_EXPORT_SUPPORT         (1 << 4)
#define FUSE_BIG_WRITES             (1 << 5)
#define FUSE_DONT_MASK              (1 << 6)
#define FUSE_SPLICE_WRITE           (1 << 7)
#define FUSE_SPLICE_MOVE            (1 << 8)
#define FUSE_SPLICE_READ            (1 << 9)
#define FUSE_FLOCK_LOCKS            (1 << 10)
#define FUSE_HAS_IOCTL_DIR          (1 << 11)
#define FUSE_AUTO_INVAL_DATA        (1 << 12)
#define FUSE_DO_READDIRPLUS         (1 << 13)
#define FUSE_READDIRPLUS_AUTO       (1 << 14)
#define FUSE_ASYNC_DIO              (1 << 15)
#define FUSE_WRITEBACK_CACHE        (1 << 16)
#define FUSE_NO_OPEN_SUPPORT        (1 << 17)
#define FUSE_PARALLEL_DIROPS        (1 << 18)
#define FUSE_HANDLE_KILLPRIV        (1 << 19)
#define FUSE_POSIX_ACL              (1 << 20)
#define FUSE_ABORT_ERROR            (1 << 21)
#define FUSE_MAX_PAGES              (1 << 22)
#define FUSE_CACHE_SYMLINKS         (1 << 23)
#define FUSE_NO_OPENDIR_SUPPORT     (1 << 24)
#define FUSE_EXPLICIT_INVAL_DATA    (1 << 25)
#define FUSE_MAP_ALIGNMENT          (1 << 26)
#define FUSE_SUBMOUNTS              (1 << 27)
#define FUSE_HANDLE_KILLPRIV_V2     (1 << 28)
#define FUSE_SETXATTR_EXT           (1 << 29)
#define FUSE_INIT_EXT               (1 << 30)
/*
 * The kernel spells this 1 << 31, which overflows int; converting the
 * unsigned bit gives the same int value (INT_MIN) without the overflow.
 */
#define FUSE_INIT_RESERVED          ((int)(1u << 31))
#define FUSE_SECURITY_CTX           (1ULL << 32)
#define FUSE_HAS_INODE_DAX          (1ULL << 33)
#define FUSE_HAS_EXPIRE_ONLY        (1ULL << 35)

/* cuse_init_in/out.flags */
#define CUSE_UNRESTRICTED_IOCTL     (1 << 0)

/* ---- per-request flags -------------------------------------------------- */

/* fuse_release_in.release_flags */
#define FUSE_RELEASE_FLUSH          (1 << 0)
#define FUSE_RELEASE_FLOCK_UNLOCK   (1 << 1)

/* fuse_getattr_in.getattr_flags: fh is valid */
#define FUSE_GETATTR_FH             (1 << 0)

/* fuse_lk_in.lk_flags: the lock is a flock(2) lock, not a POSIX one */
#define FUSE_LK_FLOCK               (1 << 0)

/* fuse_write_in.write_flags */
#define FUSE_WRITE_CACHE            (1 << 0)
#define FUSE_WRITE_LOCKOWNER        (1 << 1)
#define FUSE_WRITE_KILL_SUIDGID     (1 << 2)
/* The older name; it has only ever meant suid/sgid. */
#define FUSE_WRITE_KILL_PRIV        FUSE_WRITE_KILL_SUIDGID

/* fuse_read_in.read_flags: lock_owner is valid */
#define FUSE_READ_LOCKOWNER         (1 << 1)

/* fuse_ioctl_in/out.flags */
#define FUSE_IOCTL_COMPAT           (1 << 0)
#define FUSE_IOCTL_UNRESTRICTED     (1 << 1)
#define FUSE_IOCTL_RETRY            (1 << 2)
#define FUSE_IOCTL_32BIT            (1 << 3)
#define FUSE_IOCTL_DIR              (1 << 4)
#define FUSE_IOCTL_COMPAT_X32       (1 << 5)

/* The most fuse_ioctl_iovec entries a retry may ask for. */
#define FUSE_IOCTL_MAX_IOV          256

/* fuse_poll_in.flags: reply to this poll with a FUSE_NOTIFY_POLL later */
#define FUSE_POLL_SCHEDULE_NOTIFY   (1 << 0)

/* fuse_fsync_in.fsync_flags */
#define FUSE_FSYNC_FDATASYNC        (1 << 0)

/* fuse_open_in/fuse_create_in.open_flags */
#define FUSE_OPEN_KILL_SUIDGID      (1 << 0)

/* fuse_setxattr_in.setxattr_flags */
#define FUSE_SETXATTR_ACL_KILL_SGID (1 << 0)

/* fuse_notify_inval_entry_out.flags: expire the entry, keep the dentry */
#define FUSE_EXPIRE_ONLY            (1 << 0)

/* ---- request extensions (7.38), after the request's own arguments ------ */

enum fuse_ext_type {
    /* Types 0 to 31 belong to the security contexts (fuse_secctx_header). */
    FUSE_MAX_NR_SECCTX = 31
};

/* ---- opcodes ------------------------------------------------------------ */

enum fuse_opcode {
    FUSE_LOOKUP             = 1,
    FUSE_FORGET             = 2,    /* not answered */
    FUSE_GETATTR            = 3,
    FUSE_SETATTR            = 4,
    FUSE_READLINK           = 5,
    FUSE_SYMLINK            = 6,
    /* 7: unused */
    FUSE_MKNOD              = 8,
    FUSE_MKDIR              = 9,
    FUSE_UNLINK             = 10,
    FUSE_RMDIR              = 11,
    FUSE_RENAME             = 12,
    FUSE_LINK               = 13,
    FUSE_OPEN               = 14,
    FUSE_READ               = 15,
    FUSE_WRITE              = 16,
    FUSE_STATFS             = 17,
    FUSE_RELEASE            = 18,
    /* 19: unused */
    FUSE_FSYNC              = 20,
    FUSE_SETXATTR           = 21,
    FUSE_GETXATTR           = 22,
    FUSE_LISTXATTR          = 23,
    FUSE_REMOVEXATTR        = 24,
    FUSE_FLUSH              = 25,
    FUSE_INIT               = 26,
    FUSE_OPENDIR            = 27,
    FUSE_READDIR            = 28,
    FUSE_RELEASEDIR         = 29,
    FUSE_FSYNCDIR           = 30,
    FUSE_GETLK              = 31,
    FUSE_SETLK              = 32,
    FUSE_SETLKW             = 33,
    FUSE_ACCESS             = 34,
    FUSE_CREATE             = 35,
    FUSE_INTERRUPT          = 36,
    FUSE_BMAP               = 37,
    FUSE_DESTROY            = 38,
    FUSE_IOCTL              = 39,
    FUSE_POLL               = 40,
    FUSE_NOTIFY_REPLY       = 41,
    FUSE_BATCH_FORGET       = 42,
    FUSE_FALLOCATE          = 43,
    FUSE_READDIRPLUS        = 44,
    FUSE_RENAME2            = 45,
    FUSE_LSEEK              = 46,
    FUSE_COPY_FILE_RANGE    = 47,
    FUSE_SETUPMAPPING       = 48,
    FUSE_REMOVEMAPPING      = 49,
    FUSE_SYNCFS             = 50,
    FUSE_TMPFILE            = 51,

    /* Character devices in user space */
    CUSE_INIT               = 4096,

    /*
     * Never sent: the INIT opcodes as they read with the wrong byte order,
     * kept free so that a server can recognise a peer of the other
     * endianness.
     */
    CUSE_INIT_BSWAP_RESERVED = CUSE_INIT << 8,
    FUSE_INIT_BSWAP_RESERVED = FUSE_INIT << 24
};

/* Unsolicited messages from the server: fuse_out_header.error holds the code. */
enum fuse_notify_code {
    FUSE_NOTIFY_POLL        = 1,
    FUSE_NOTIFY_INVAL_INODE = 2,
    FUSE_NOTIFY_INVAL_ENTRY = 3,
    FUSE_NOTIFY_STORE       = 4,
    FUSE_NOTIFY_RETRIEVE    = 5,
    FUSE_NOTIFY_DELETE      = 6,
    FUSE_NOTIFY_CODE_MAX
};

/* A server's read buffer must hold at least this much; the kernel refuses less. */
#define FUSE_MIN_READ_BUFFER        8192

/* ---- lookup, forget, getattr --------------------------------------------- */

/* Before 7.9 the reply ended before fuse_attr.blksize. */
#define FUSE_COMPAT_ENTRY_OUT_SIZE  120

struct fuse_entry_out {
    uint64_t nodeid;
    uint64_t generation;        /* nodeid and generation together never repeat */
    uint64_t entry_valid;       /* seconds the name may be cached */
    uint64_t attr_valid;        /* seconds the attributes may be cached */
    uint32_t entry_valid_nsec;
    uint32_t attr_valid_nsec;
    struct fuse_attr attr;
};

struct fuse_forget_in {
    uint64_t nlookup;
};

struct fuse_forget_one {
    uint64_t nodeid;
    uint64_t nlookup;
};

/* Followed by count struct fuse_forget_one. */
struct fuse_batch_forget_in {
    uint32_t count;
    uint32_t dummy;
};

struct fuse_getattr_in {
    uint32_t getattr_flags;     /* FUSE_GETATTR_* */
    uint32_t dummy;
    uint64_t fh;
};

/* Before 7.9 the reply ended before fuse_attr.blksize. */
#define FUSE_COMPAT_ATTR_OUT_SIZE   96

struct fuse_attr_out {
    uint64_t attr_valid;
    uint32_t attr_valid_nsec;
    uint32_t dummy;
    struct fuse_attr attr;
};

/* ---- creating and renaming names ----------------------------------------- */

/* Before 7.12 the request was only mode and rdev. */
#define FUSE_COMPAT_MKNOD_IN_SIZE   8

struct fuse_mknod_in {
    uint32_t mode;
    uint32_t rdev;
    uint32_t umask;
    uint32_t padding;
};

struct fuse_mkdir_in {
    uint32_t mode;
    uint32_t umask;
};

struct fuse_rename_in {
    uint64_t newdir;
};

struct fuse_rename2_in {
    uint64_t newdir;
    uint32_t flags;             /* RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT */
    uint32_t padding;
};

struct fuse_link_in {
    uint64_t oldnodeid;
};

struct fuse_setattr_in {
    uint32_t valid;             /* FATTR_* */
    uint32_t padding;
    uint64_t fh;
    uint64_t size;
    uint64_t lock_owner;
    uint64_t atime;
    uint64_t mtime;
    uint64_t ctime;
    uint32_t atimensec;
    uint32_t mtimensec;
    uint32_t ctimensec;
    uint32_t mode;
    uint32_t unused4;
    uint32_t uid;
    uint32_t gid;
    uint32_t unused5;
};

/* ---- open, create, release, flush ---------------------------------------- */

struct fuse_open_in {
    uint32_t flags;             /* open(2) flags */
    uint32_t open_flags;        /* FUSE_OPEN_* */
};

struct fuse_create_in {
    uint32_t flags;
    uint32_t mode;
    uint32_t umask;
    uint32_t open_flags;        /* FUSE_OPEN_* */
};

struct fuse_open_out {
    uint64_t fh;
    uint32_t open_flags;        /* FOPEN_* */
    uint32_t padding;
};

struct fuse_release_in {
    uint64_t fh;
    uint32_t flags;
    uint32_t release_flags;     /* FUSE_RELEASE_* */
    uint64_t lock_owner;
};

struct fuse_flush_in {
    uint64_t fh;
    uint32_t unused;
    uint32_t padding;
    uint64_t lock_owner;
};

/* ---- read, write, statfs, fsync ------------------------------------------ */

struct fuse_read_in {
    uint64_t fh;
    uint64_t offset;
    uint32_t size;
    uint32_t read_flags;        /* FUSE_READ_* */
    uint64_t lock_owner;
    uint32_t flags;
    uint32_t padding;
};

/* Before 7.9 the request ended after write_flags. */
#define FUSE_COMPAT_WRITE_IN_SIZE   24

/* Followed by the data. */
struct fuse_write_in {
    uint64_t fh;
    uint64_t offset;
    uint32_t size;
    uint32_t write_flags;       /* FUSE_WRITE_* */
    uint64_t lock_owner;
    uint32_t flags;
    uint32_t padding;
};

struct fuse_write_out {
    uint32_t size;
    uint32_t padding;
};

/* Before 7.4 the reply ended before fuse_kstatfs.frsize. */
#define FUSE_COMPAT_STATFS_SIZE     48

struct fuse_statfs_out {
    struct fuse_kstatfs st;
};

struct fuse_fsync_in {
    uint64_t fh;
    uint32_t fsync_flags;       /* FUSE_FSYNC_* */
    uint32_t padding;
};

/* ---- extended attributes ------------------------------------------------- */

/* Without FUSE_SETXATTR_EXT the request is only size and flags. */
#define FUSE_COMPAT_SETXATTR_IN_SIZE 8

/* Followed by the name (NUL-terminated) and the value. */
struct fuse_setxattr_in {
    uint32_t size;
    uint32_t flags;
    uint32_t setxattr_flags;    /* FUSE_SETXATTR_* */
    uint32_t padding;
};

struct fuse_getxattr_in {
    uint32_t size;
    uint32_t padding;
};

struct fuse_getxattr_out {
    uint32_t size;
    uint32_t padding;
};

/* ---- locks, access -------------------------------------------------------- */

struct fuse_lk_in {
    uint64_t fh;
    uint64_t owner;
    struct fuse_file_lock lk;
    uint32_t lk_flags;          /* FUSE_LK_* */
    uint32_t padding;
};

struct fuse_lk_out {
    struct fuse_file_lock lk;
};

struct fuse_access_in {
    uint32_t mask;
    uint32_t padding;
};

/* ---- INIT ------------------------------------------------------------------ */

struct fuse_init_in {
    uint32_t major;
    uint32_t minor;
    uint32_t max_readahead;
    uint32_t flags;
    uint32_t flags2;            /* INIT flags 32..63, shifted down; 7.36 */
    uint32_t unused[11];
};

/* The reply's length before 7.5, and before 7.23. */
#define FUSE_COMPAT_INIT_OUT_SIZE   8
#define FUSE_COMPAT_22_INIT_OUT_SIZE 24

struct fuse_init_out {
    uint32_t major;
    uint32_t minor;
    uint32_t max_readahead;
    uint32_t flags;
    uint16_t max_background;
    uint16_t congestion_threshold;
    uint32_t max_write;
    uint32_t time_gran;
    uint16_t max_pages;
    uint16_t map_alignment;
    uint32_t flags2;
    uint32_t unused[7];
};

/* The most device information a CUSE_INIT reply may carry. */
#define CUSE_INIT_INFO_MAX          4096

struct cuse_init_in {
    uint32_t major;
    uint32_t minor;
    uint32_t unused;
    uint32_t flags;             /* CUSE_* */
};

/* Followed by the device information, "key=value" strings. */
struct cuse_init_out {
    uint32_t major;
    uint32_t minor;
    uint32_t unused;
    uint32_t flags;
    uint32_t max_read;
    uint32_t max_write;
    uint32_t dev_major;
    uint32_t dev_minor;
    uint32_t spare[10];
};

/* ---- interrupt, bmap, ioctl, poll, fallocate ------------------------------ */

struct fuse_interrupt_in {
    uint64_t unique;            /* of the request to interrupt */
};

struct fuse_bmap_in {
    uint64_t block;
    uint32_t blocksize;
    uint32_t padding;
};

struct fuse_bmap_out {
    uint64_t block;
};

struct fuse_ioctl_in {
    uint64_t fh;
    uint32_t flags;             /* FUSE_IOCTL_* */
    uint32_t cmd;
    uint64_t arg;
    uint32_t in_size;
    uint32_t out_size;
};

struct fuse_ioctl_iovec {
    uint64_t base;
    uint64_t len;
};

struct fuse_ioctl_out {
    int32_t result;
    uint32_t flags;             /* FUSE_IOCTL_* */
    uint32_t in_iovs;
    uint32_t out_iovs;
};

struct fuse_poll_in {
    uint64_t fh;
    uint64_t kh;
    uint32_t flags;             /* FUSE_POLL_* */
    uint32_t events;
};

struct fuse_poll_out {
    uint32_t revents;
    uint32_t padding;
};

struct fuse_notify_poll_wakeup_out {
    uint64_t kh;
};

struct fuse_fallocate_in {
    uint64_t fh;
    uint64_t offset;
    uint64_t length;
    uint32_t mode;
    uint32_t padding;
};

/* ---- message headers --------------------------------------------------------- */

/* Starts every request; len counts the header, the arguments and extensions. */
struct fuse_in_header {
    uint32_t len;
    uint32_t opcode;            /* enum fuse_opcode */
    uint64_t unique;
    uint64_t nodeid;
    uint32_t uid;
    uint32_t gid;
    uint32_t pid;
    uint16_t total_extlen;      /* request extensions, in units of 8 bytes; 7.38 */
    uint16_t padding;
};

/*
 * Starts every reply (error is 0 or a negated errno) and every notification
 * (unique is 0 and error is the enum fuse_notify_code).
 */
struct fuse_out_header {
    uint32_t len;
    int32_t error;
    uint64_t unique;
};

/* ---- directory entries (READDIR, READDIRPLUS) ------------------------------ */

struct fuse_dirent {
    uint64_t ino;
    uint64_t off;
    uint32_t namelen;
    uint32_t type;              /* DT_* */
    char name[];                /* namelen bytes, no NUL */
};

/* Records in a directory reply start on 8-byte boundaries. */
#define FUSE_REC_ALIGN(x) \
    (((x) + (sizeof(uint64_t) - 1)) & ~(sizeof(uint64_t) - 1))
#define FUSE_DIRENT_ALIGN(x)        FUSE_REC_ALIGN(x)

/*
 * The kernel takes offsetof(struct fuse_dirent, name); that needs
 * <stddef.h>, and the name starts exactly where the fixed part ends (the
 * fixed part is already a multiple of 8), so the size of the fixed part is
 * the same number and the same type (size_t).
 */
#define FUSE_NAME_OFFSET            sizeof(struct fuse_dirent)
#define FUSE_DIRENT_SIZE(d) \
    FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + (d)->namelen)

struct fuse_direntplus {
    struct fuse_entry_out entry_out;
    struct fuse_dirent dirent;
};

#define FUSE_NAME_OFFSET_DIRENTPLUS (sizeof(struct fuse_entry_out) + FUSE_NAME_OFFSET)
#define FUSE_DIRENTPLUS_SIZE(d) \
    FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + (d)->dirent.namelen)

/* ---- notifications (server to kernel) ----------------------------------------- */

struct fuse_notify_inval_inode_out {
    uint64_t ino;
    int64_t off;
    int64_t len;
};

/* Followed by the name and a NUL. */
struct fuse_notify_inval_entry_out {
    uint64_t parent;
    uint32_t namelen;
    uint32_t flags;             /* FUSE_EXPIRE_ONLY; was padding before 7.38 */
};

/* Followed by the name and a NUL. */
struct fuse_notify_delete_out {
    uint64_t parent;
    uint64_t child;
    uint32_t namelen;
    uint32_t padding;
};

/* Followed by the data. */
struct fuse_notify_store_out {
    uint64_t nodeid;
    uint64_t offset;
    uint32_t size;
    uint32_t padding;
};

struct fuse_notify_retrieve_out {
    uint64_t notify_unique;
    uint64_t nodeid;
    uint64_t offset;
    uint32_t size;
    uint32_t padding;
};

/*
 * The kernel's answer to a retrieve, as a FUSE_NOTIFY_REPLY request followed
 * by the data. Shaped like fuse_write_in so the write path can carry it.
 */
struct fuse_notify_retrieve_in {
    uint64_t dummy1;
    uint64_t offset;
    uint32_t size;
    uint32_t dummy2;
    uint64_t dummy3;
    uint64_t dummy4;
};

/* ---- /dev/fuse ioctls ------------------------------------------------------------ */

#define FUSE_DEV_IOC_MAGIC          229

/*
 * _IOR(FUSE_DEV_IOC_MAGIC, 0, uint32_t), spelled out because the Linux
 * ioctl macros are not available here. Most architectures put the read
 * direction in bit 31 (with a 14-bit size field); powerpc, mips, sparc and
 * alpha put it in bit 30 (13-bit size). unsigned long, as the kernel's
 * expression has.
 */
#if defined(__powerpc__) || defined(__mips__) || defined(__sparc__) || defined(__alpha__)
#define FUSE_DEV_IOC_CLONE          ((unsigned long)0x4004E500u)
#else
#define FUSE_DEV_IOC_CLONE          ((unsigned long)0x8004E500u)
#endif

/* ---- lseek, copy_file_range ------------------------------------------------------- */

struct fuse_lseek_in {
    uint64_t fh;
    uint64_t offset;
    uint32_t whence;
    uint32_t padding;
};

struct fuse_lseek_out {
    uint64_t offset;
};

struct fuse_copy_file_range_in {
    uint64_t fh_in;
    uint64_t off_in;
    uint64_t nodeid_out;
    uint64_t fh_out;
    uint64_t off_out;
    uint64_t len;
    uint64_t flags;
};

/* ---- DAX mappings (virtio-fs) -------------------------------------------------- */

#define FUSE_SETUPMAPPING_FLAG_WRITE (1ULL << 0)
#define FUSE_SETUPMAPPING_FLAG_READ  (1ULL << 1)

struct fuse_setupmapping_in {
    uint64_t fh;                /* an open file */
    uint64_t foffset;           /* where in the file the mapping starts */
    uint64_t len;
    uint64_t flags;             /* FUSE_SETUPMAPPING_FLAG_* */
    uint64_t moffset;           /* where in the DAX window it goes */
};

/* Followed by count struct fuse_removemapping_one. */
struct fuse_removemapping_in {
    uint32_t count;
};

struct fuse_removemapping_one {
    uint64_t moffset;
    uint64_t len;
};

/*
 * How many ranges the kernel puts in one REMOVEMAPPING: a page's worth. The
 * kernel divides its PAGE_SIZE; we have no such macro here and take the
 * 4 KiB page of x86, x64 and Windows on arm64.
 */
#define FUSE_REMOVEMAPPING_MAX_ENTRY \
    (4096 / sizeof(struct fuse_removemapping_one))

/* ---- syncfs ------------------------------------------------------------------------ */

struct fuse_syncfs_in {
    uint64_t padding;
};

/* ---- security contexts (7.36) and request extensions (7.38) ---------------------- */

/*
 * After the arguments of CREATE, MKDIR, SYMLINK and MKNOD when
 * FUSE_SECURITY_CTX was agreed: a fuse_secctx_header, then nr_secctx times a
 * fuse_secctx followed by the NUL-terminated xattr name and size bytes of
 * context.
 */
struct fuse_secctx {
    uint32_t size;
    uint32_t padding;
};

struct fuse_secctx_header {
    uint32_t size;              /* of the whole block, this header included */
    uint32_t nr_secctx;
};

/*
 * One request extension; size counts this header and its payload and is a
 * multiple of 8. The extensions together are fuse_in_header.total_extlen * 8
 * bytes at the end of the request.
 */
struct fuse_ext_header {
    uint32_t size;
    uint32_t type;              /* enum fuse_ext_type */
};

/* ---- sizes on the wire ------------------------------------------------------------ */

#if defined(__cplusplus)
#define WF_FUSE_PROTO_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define WF_FUSE_PROTO_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#define WF_FUSE_PROTO_SIZE(type, size) \
    WF_FUSE_PROTO_ASSERT(sizeof(type) == (size), "sizeof(" #type ") on the FUSE wire is " #size)

WF_FUSE_PROTO_SIZE(struct fuse_attr, 88);
WF_FUSE_PROTO_SIZE(struct fuse_kstatfs, 80);
WF_FUSE_PROTO_SIZE(struct fuse_file_lock, 24);
WF_FUSE_PROTO_SIZE(struct fuse_entry_out, 128);
WF_FUSE_PROTO_SIZE(struct fuse_forget_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_forget_one, 16);
WF_FUSE_PROTO_SIZE(struct fuse_batch_forget_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_getattr_in, 16);
WF_FUSE_PROTO_SIZE(struct fuse_attr_out, 104);
WF_FUSE_PROTO_SIZE(struct fuse_mknod_in, 16);
WF_FUSE_PROTO_SIZE(struct fuse_mkdir_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_rename_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_rename2_in, 16);
WF_FUSE_PROTO_SIZE(struct fuse_link_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_setattr_in, 88);
WF_FUSE_PROTO_SIZE(struct fuse_open_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_create_in, 16);
WF_FUSE_PROTO_SIZE(struct fuse_open_out, 16);
WF_FUSE_PROTO_SIZE(struct fuse_release_in, 24);
WF_FUSE_PROTO_SIZE(struct fuse_flush_in, 24);
WF_FUSE_PROTO_SIZE(struct fuse_read_in, 40);
WF_FUSE_PROTO_SIZE(struct fuse_write_in, 40);
WF_FUSE_PROTO_SIZE(struct fuse_write_out, 8);
WF_FUSE_PROTO_SIZE(struct fuse_statfs_out, 80);
WF_FUSE_PROTO_SIZE(struct fuse_fsync_in, 16);
WF_FUSE_PROTO_SIZE(struct fuse_setxattr_in, 16);
WF_FUSE_PROTO_SIZE(struct fuse_getxattr_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_getxattr_out, 8);
WF_FUSE_PROTO_SIZE(struct fuse_lk_in, 48);
WF_FUSE_PROTO_SIZE(struct fuse_lk_out, 24);
WF_FUSE_PROTO_SIZE(struct fuse_access_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_init_in, 64);
WF_FUSE_PROTO_SIZE(struct fuse_init_out, 64);
WF_FUSE_PROTO_SIZE(struct cuse_init_in, 16);
WF_FUSE_PROTO_SIZE(struct cuse_init_out, 72);
WF_FUSE_PROTO_SIZE(struct fuse_interrupt_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_bmap_in, 16);
WF_FUSE_PROTO_SIZE(struct fuse_bmap_out, 8);
WF_FUSE_PROTO_SIZE(struct fuse_ioctl_in, 32);
WF_FUSE_PROTO_SIZE(struct fuse_ioctl_iovec, 16);
WF_FUSE_PROTO_SIZE(struct fuse_ioctl_out, 16);
WF_FUSE_PROTO_SIZE(struct fuse_poll_in, 24);
WF_FUSE_PROTO_SIZE(struct fuse_poll_out, 8);
WF_FUSE_PROTO_SIZE(struct fuse_notify_poll_wakeup_out, 8);
WF_FUSE_PROTO_SIZE(struct fuse_fallocate_in, 32);
WF_FUSE_PROTO_SIZE(struct fuse_in_header, 40);
WF_FUSE_PROTO_SIZE(struct fuse_out_header, 16);
WF_FUSE_PROTO_SIZE(struct fuse_dirent, 24);
WF_FUSE_PROTO_SIZE(struct fuse_direntplus, 152);
WF_FUSE_PROTO_SIZE(struct fuse_notify_inval_inode_out, 24);
WF_FUSE_PROTO_SIZE(struct fuse_notify_inval_entry_out, 16);
WF_FUSE_PROTO_SIZE(struct fuse_notify_delete_out, 24);
WF_FUSE_PROTO_SIZE(struct fuse_notify_store_out, 24);
WF_FUSE_PROTO_SIZE(struct fuse_notify_retrieve_out, 32);
WF_FUSE_PROTO_SIZE(struct fuse_notify_retrieve_in, 40);
WF_FUSE_PROTO_SIZE(struct fuse_lseek_in, 24);
WF_FUSE_PROTO_SIZE(struct fuse_lseek_out, 8);
WF_FUSE_PROTO_SIZE(struct fuse_copy_file_range_in, 56);
WF_FUSE_PROTO_SIZE(struct fuse_setupmapping_in, 40);
WF_FUSE_PROTO_SIZE(struct fuse_removemapping_in, 4);
WF_FUSE_PROTO_SIZE(struct fuse_removemapping_one, 16);
WF_FUSE_PROTO_SIZE(struct fuse_syncfs_in, 8);
WF_FUSE_PROTO_SIZE(struct fuse_secctx, 8);
WF_FUSE_PROTO_SIZE(struct fuse_secctx_header, 8);
WF_FUSE_PROTO_SIZE(struct fuse_ext_header, 8);

WF_FUSE_PROTO_ASSERT(sizeof(struct fuse_notify_retrieve_in) == sizeof(struct fuse_write_in),
    "the kernel passes a retrieve reply through its write path");

#undef WF_FUSE_PROTO_SIZE
#undef WF_FUSE_PROTO_ASSERT

#endif
