/*
 * fuse_proto_list.h - every name of the FUSE wire protocol, listed once.
 *
 * test_fuse_proto compares include/winfuse/fuse_proto.h with the kernel's
 * <linux/fuse.h>. The two define the same names and cannot share a
 * translation unit, so each side is measured in its own: a unit includes one
 * of the two headers, then this file with FP_TABLE_FUNCTION naming the
 * function to generate, and gets a table of sizes, offsets, types and values
 * built from the one list below. A name the list has and a header lacks does
 * not compile; a name a header has and the list lacks is caught at run time,
 * when the test reads both headers' text and compares the names it finds
 * with this list.
 *
 * The list, FUSE_PROTO_ITEMS(S, F, V, E, K, M, P):
 *   S(tag)          a struct
 *   F(tag, member)  a member of fixed size (scalar, array or struct)
 *   V(tag, member)  a flexible array member
 *   E(tag)          an enum
 *   K(name)         an enumerator
 *   M(name)         an object-like macro
 *   P(name, arg)    a function-like macro, tried on arguments of kind arg:
 *                   NUMBER, DIRENT (struct fuse_dirent *) or DIRENTPLUS
 *
 * A unit may define FP_TABLE_ATTRIBUTES (function attributes) for the
 * generated function.
 */
#ifndef WINFUSE_TESTS_FUSE_PROTO_LIST_H
#define WINFUSE_TESTS_FUSE_PROTO_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fp_item {
    char kind;                  /* S F V E K M P, as in the list */
    const char *name;           /* "tag", "tag.member" or the constant */
    const char *type;           /* F V K M P: the C type, by _Generic */
    uint64_t size;              /* S E F: sizeof; K M P: sizeof the constant */
    uint64_t offset;            /* F V: offsetof; S: _Alignof */
    uint64_t value;             /* K M: the value; P: a digest of the results */
};

/* Room for the whole list; the generator counts past it rather than overrun. */
#define FP_MAX_ITEMS 1024

/*
 * Fill out[0..cap) and return how many items the list has. One function per
 * side: ours is built in test_fuse_proto.c, the kernel's in fuse_proto_kernel.c.
 */
size_t fuse_proto_ours_items(struct fp_item *out, size_t cap);
size_t fuse_proto_kernel_items(struct fp_item *out, size_t cap);

/*
 * The C type of an expression, as a name both sides can compare. Arrays
 * decay to pointers here, so "unsigned int *" stands for an array member.
 */
#define FP_TYPE(e) _Generic((e), \
    char: "char", signed char: "signed char", unsigned char: "unsigned char", \
    short: "short", unsigned short: "unsigned short", \
    int: "int", unsigned int: "unsigned int", \
    long: "long", unsigned long: "unsigned long", \
    long long: "long long", unsigned long long: "unsigned long long", \
    char *: "char *", unsigned int *: "unsigned int *", \
    struct fuse_attr: "struct fuse_attr", \
    struct fuse_kstatfs: "struct fuse_kstatfs", \
    struct fuse_file_lock: "struct fuse_file_lock", \
    struct fuse_entry_out: "struct fuse_entry_out", \
    struct fuse_dirent: "struct fuse_dirent", \
    default: "?")

/* The arguments a function-like macro is tried on: edges, then pseudo-random. */
#define FP_SAMPLES 4096

static inline uint32_t fp_sample(uint32_t i)
{
    static const uint32_t edges[] = {
        0, 1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 255, 256, 4095, 4096,
        0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xfffffff7u, 0xfffffff8u, 0xffffffffu,
    };
    if (i < sizeof(edges) / sizeof(edges[0]))
        return edges[i];
    /* xorshift32 from a fixed seed per index, so both sides agree */
    uint32_t x = 0x9e3779b9u ^ (i * 0x85ebca6bu);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    /* most names are short: keep half the samples small */
    return (i & 1) ? x : (x & 0x3ff);
}

static inline uint64_t fp_digest(uint64_t h, uint64_t v)
{
    /* FNV-1a over the 8 bytes of v */
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    return h;
}

#define FP_DIGEST_SEED 0xcbf29ce484222325ull

/* In the kernel header's order. */
#define FUSE_PROTO_ITEMS(S, F, V, E, K, M, P) \
    M(FUSE_KERNEL_VERSION) \
    M(FUSE_KERNEL_MINOR_VERSION) \
    M(FUSE_ROOT_ID) \
    S(fuse_attr) \
    F(fuse_attr, ino) \
    F(fuse_attr, size) \
    F(fuse_attr, blocks) \
    F(fuse_attr, atime) \
    F(fuse_attr, mtime) \
    F(fuse_attr, ctime) \
    F(fuse_attr, atimensec) \
    F(fuse_attr, mtimensec) \
    F(fuse_attr, ctimensec) \
    F(fuse_attr, mode) \
    F(fuse_attr, nlink) \
    F(fuse_attr, uid) \
    F(fuse_attr, gid) \
    F(fuse_attr, rdev) \
    F(fuse_attr, blksize) \
    F(fuse_attr, flags) \
    S(fuse_kstatfs) \
    F(fuse_kstatfs, blocks) \
    F(fuse_kstatfs, bfree) \
    F(fuse_kstatfs, bavail) \
    F(fuse_kstatfs, files) \
    F(fuse_kstatfs, ffree) \
    F(fuse_kstatfs, bsize) \
    F(fuse_kstatfs, namelen) \
    F(fuse_kstatfs, frsize) \
    F(fuse_kstatfs, padding) \
    F(fuse_kstatfs, spare) \
    S(fuse_file_lock) \
    F(fuse_file_lock, start) \
    F(fuse_file_lock, end) \
    F(fuse_file_lock, type) \
    F(fuse_file_lock, pid) \
    M(FATTR_MODE) \
    M(FATTR_UID) \
    M(FATTR_GID) \
    M(FATTR_SIZE) \
    M(FATTR_ATIME) \
    M(FATTR_MTIME) \
    M(FATTR_FH) \
    M(FATTR_ATIME_NOW) \
    M(FATTR_MTIME_NOW) \
    M(FATTR_LOCKOWNER) \
    M(FATTR_CTIME) \
    M(FATTR_KILL_SUIDGID) \
    M(FOPEN_DIRECT_IO) \
    M(FOPEN_KEEP_CACHE) \
    M(FOPEN_NONSEEKABLE) \
    M(FOPEN_CACHE_DIR) \
    M(FOPEN_STREAM) \
    M(FOPEN_NOFLUSH) \
    M(FOPEN_PARALLEL_DIRECT_WRITES) \
    M(FUSE_ASYNC_READ) \
    M(FUSE_POSIX_LOCKS) \
    M(FUSE_FILE_OPS) \
    M(FUSE_ATOMIC_O_TRUNC) \
    M(FUSE_EXPORT_SUPPORT) \
    M(FUSE_BIG_WRITES) \
    M(FUSE_DONT_MASK) \
    M(FUSE_SPLICE_WRITE) \
    M(FUSE_SPLICE_MOVE) \
    M(FUSE_SPLICE_READ) \
    M(FUSE_FLOCK_LOCKS) \
    M(FUSE_HAS_IOCTL_DIR) \
    M(FUSE_AUTO_INVAL_DATA) \
    M(FUSE_DO_READDIRPLUS) \
    M(FUSE_READDIRPLUS_AUTO) \
    M(FUSE_ASYNC_DIO) \
    M(FUSE_WRITEBACK_CACHE) \
    M(FUSE_NO_OPEN_SUPPORT) \
    M(FUSE_PARALLEL_DIROPS) \
    M(FUSE_HANDLE_KILLPRIV) \
    M(FUSE_POSIX_ACL) \
    M(FUSE_ABORT_ERROR) \
    M(FUSE_MAX_PAGES) \
    M(FUSE_CACHE_SYMLINKS) \
    M(FUSE_NO_OPENDIR_SUPPORT) \
    M(FUSE_EXPLICIT_INVAL_DATA) \
    M(FUSE_MAP_ALIGNMENT) \
    M(FUSE_SUBMOUNTS) \
    M(FUSE_HANDLE_KILLPRIV_V2) \
    M(FUSE_SETXATTR_EXT) \
    M(FUSE_INIT_EXT) \
    M(FUSE_INIT_RESERVED) \
    M(FUSE_SECURITY_CTX) \
    M(FUSE_HAS_INODE_DAX) \
    M(FUSE_HAS_EXPIRE_ONLY) \
    M(CUSE_UNRESTRICTED_IOCTL) \
    M(FUSE_RELEASE_FLUSH) \
    M(FUSE_RELEASE_FLOCK_UNLOCK) \
    M(FUSE_GETATTR_FH) \
    M(FUSE_LK_FLOCK) \
    M(FUSE_WRITE_CACHE) \
    M(FUSE_WRITE_LOCKOWNER) \
    M(FUSE_WRITE_KILL_SUIDGID) \
    M(FUSE_WRITE_KILL_PRIV) \
    M(FUSE_READ_LOCKOWNER) \
    M(FUSE_IOCTL_COMPAT) \
    M(FUSE_IOCTL_UNRESTRICTED) \
    M(FUSE_IOCTL_RETRY) \
    M(FUSE_IOCTL_32BIT) \
    M(FUSE_IOCTL_DIR) \
    M(FUSE_IOCTL_COMPAT_X32) \
    M(FUSE_IOCTL_MAX_IOV) \
    M(FUSE_POLL_SCHEDULE_NOTIFY) \
    M(FUSE_FSYNC_FDATASYNC) \
    M(FUSE_ATTR_SUBMOUNT) \
    M(FUSE_ATTR_DAX) \
    M(FUSE_OPEN_KILL_SUIDGID) \
    M(FUSE_SETXATTR_ACL_KILL_SGID) \
    M(FUSE_EXPIRE_ONLY) \
    E(fuse_ext_type) \
    K(FUSE_MAX_NR_SECCTX) \
    E(fuse_opcode) \
    K(FUSE_LOOKUP) \
    K(FUSE_FORGET) \
    K(FUSE_GETATTR) \
    K(FUSE_SETATTR) \
    K(FUSE_READLINK) \
    K(FUSE_SYMLINK) \
    K(FUSE_MKNOD) \
    K(FUSE_MKDIR) \
    K(FUSE_UNLINK) \
    K(FUSE_RMDIR) \
    K(FUSE_RENAME) \
    K(FUSE_LINK) \
    K(FUSE_OPEN) \
    K(FUSE_READ) \
    K(FUSE_WRITE) \
    K(FUSE_STATFS) \
    K(FUSE_RELEASE) \
    K(FUSE_FSYNC) \
    K(FUSE_SETXATTR) \
    K(FUSE_GETXATTR) \
    K(FUSE_LISTXATTR) \
    K(FUSE_REMOVEXATTR) \
    K(FUSE_FLUSH) \
    K(FUSE_INIT) \
    K(FUSE_OPENDIR) \
    K(FUSE_READDIR) \
    K(FUSE_RELEASEDIR) \
    K(FUSE_FSYNCDIR) \
    K(FUSE_GETLK) \
    K(FUSE_SETLK) \
    K(FUSE_SETLKW) \
    K(FUSE_ACCESS) \
    K(FUSE_CREATE) \
    K(FUSE_INTERRUPT) \
    K(FUSE_BMAP) \
    K(FUSE_DESTROY) \
    K(FUSE_IOCTL) \
    K(FUSE_POLL) \
    K(FUSE_NOTIFY_REPLY) \
    K(FUSE_BATCH_FORGET) \
    K(FUSE_FALLOCATE) \
    K(FUSE_READDIRPLUS) \
    K(FUSE_RENAME2) \
    K(FUSE_LSEEK) \
    K(FUSE_COPY_FILE_RANGE) \
    K(FUSE_SETUPMAPPING) \
    K(FUSE_REMOVEMAPPING) \
    K(FUSE_SYNCFS) \
    K(FUSE_TMPFILE) \
    K(CUSE_INIT) \
    K(CUSE_INIT_BSWAP_RESERVED) \
    K(FUSE_INIT_BSWAP_RESERVED) \
    E(fuse_notify_code) \
    K(FUSE_NOTIFY_POLL) \
    K(FUSE_NOTIFY_INVAL_INODE) \
    K(FUSE_NOTIFY_INVAL_ENTRY) \
    K(FUSE_NOTIFY_STORE) \
    K(FUSE_NOTIFY_RETRIEVE) \
    K(FUSE_NOTIFY_DELETE) \
    K(FUSE_NOTIFY_CODE_MAX) \
    M(FUSE_MIN_READ_BUFFER) \
    M(FUSE_COMPAT_ENTRY_OUT_SIZE) \
    S(fuse_entry_out) \
    F(fuse_entry_out, nodeid) \
    F(fuse_entry_out, generation) \
    F(fuse_entry_out, entry_valid) \
    F(fuse_entry_out, attr_valid) \
    F(fuse_entry_out, entry_valid_nsec) \
    F(fuse_entry_out, attr_valid_nsec) \
    F(fuse_entry_out, attr) \
    S(fuse_forget_in) \
    F(fuse_forget_in, nlookup) \
    S(fuse_forget_one) \
    F(fuse_forget_one, nodeid) \
    F(fuse_forget_one, nlookup) \
    S(fuse_batch_forget_in) \
    F(fuse_batch_forget_in, count) \
    F(fuse_batch_forget_in, dummy) \
    S(fuse_getattr_in) \
    F(fuse_getattr_in, getattr_flags) \
    F(fuse_getattr_in, dummy) \
    F(fuse_getattr_in, fh) \
    M(FUSE_COMPAT_ATTR_OUT_SIZE) \
    S(fuse_attr_out) \
    F(fuse_attr_out, attr_valid) \
    F(fuse_attr_out, attr_valid_nsec) \
    F(fuse_attr_out, dummy) \
    F(fuse_attr_out, attr) \
    M(FUSE_COMPAT_MKNOD_IN_SIZE) \
    S(fuse_mknod_in) \
    F(fuse_mknod_in, mode) \
    F(fuse_mknod_in, rdev) \
    F(fuse_mknod_in, umask) \
    F(fuse_mknod_in, padding) \
    S(fuse_mkdir_in) \
    F(fuse_mkdir_in, mode) \
    F(fuse_mkdir_in, umask) \
    S(fuse_rename_in) \
    F(fuse_rename_in, newdir) \
    S(fuse_rename2_in) \
    F(fuse_rename2_in, newdir) \
    F(fuse_rename2_in, flags) \
    F(fuse_rename2_in, padding) \
    S(fuse_link_in) \
    F(fuse_link_in, oldnodeid) \
    S(fuse_setattr_in) \
    F(fuse_setattr_in, valid) \
    F(fuse_setattr_in, padding) \
    F(fuse_setattr_in, fh) \
    F(fuse_setattr_in, size) \
    F(fuse_setattr_in, lock_owner) \
    F(fuse_setattr_in, atime) \
    F(fuse_setattr_in, mtime) \
    F(fuse_setattr_in, ctime) \
    F(fuse_setattr_in, atimensec) \
    F(fuse_setattr_in, mtimensec) \
    F(fuse_setattr_in, ctimensec) \
    F(fuse_setattr_in, mode) \
    F(fuse_setattr_in, unused4) \
    F(fuse_setattr_in, uid) \
    F(fuse_setattr_in, gid) \
    F(fuse_setattr_in, unused5) \
    S(fuse_open_in) \
    F(fuse_open_in, flags) \
    F(fuse_open_in, open_flags) \
    S(fuse_create_in) \
    F(fuse_create_in, flags) \
    F(fuse_create_in, mode) \
    F(fuse_create_in, umask) \
    F(fuse_create_in, open_flags) \
    S(fuse_open_out) \
    F(fuse_open_out, fh) \
    F(fuse_open_out, open_flags) \
    F(fuse_open_out, padding) \
    S(fuse_release_in) \
    F(fuse_release_in, fh) \
    F(fuse_release_in, flags) \
    F(fuse_release_in, release_flags) \
    F(fuse_release_in, lock_owner) \
    S(fuse_flush_in) \
    F(fuse_flush_in, fh) \
    F(fuse_flush_in, unused) \
    F(fuse_flush_in, padding) \
    F(fuse_flush_in, lock_owner) \
    S(fuse_read_in) \
    F(fuse_read_in, fh) \
    F(fuse_read_in, offset) \
    F(fuse_read_in, size) \
    F(fuse_read_in, read_flags) \
    F(fuse_read_in, lock_owner) \
    F(fuse_read_in, flags) \
    F(fuse_read_in, padding) \
    M(FUSE_COMPAT_WRITE_IN_SIZE) \
    S(fuse_write_in) \
    F(fuse_write_in, fh) \
    F(fuse_write_in, offset) \
    F(fuse_write_in, size) \
    F(fuse_write_in, write_flags) \
    F(fuse_write_in, lock_owner) \
    F(fuse_write_in, flags) \
    F(fuse_write_in, padding) \
    S(fuse_write_out) \
    F(fuse_write_out, size) \
    F(fuse_write_out, padding) \
    M(FUSE_COMPAT_STATFS_SIZE) \
    S(fuse_statfs_out) \
    F(fuse_statfs_out, st) \
    S(fuse_fsync_in) \
    F(fuse_fsync_in, fh) \
    F(fuse_fsync_in, fsync_flags) \
    F(fuse_fsync_in, padding) \
    M(FUSE_COMPAT_SETXATTR_IN_SIZE) \
    S(fuse_setxattr_in) \
    F(fuse_setxattr_in, size) \
    F(fuse_setxattr_in, flags) \
    F(fuse_setxattr_in, setxattr_flags) \
    F(fuse_setxattr_in, padding) \
    S(fuse_getxattr_in) \
    F(fuse_getxattr_in, size) \
    F(fuse_getxattr_in, padding) \
    S(fuse_getxattr_out) \
    F(fuse_getxattr_out, size) \
    F(fuse_getxattr_out, padding) \
    S(fuse_lk_in) \
    F(fuse_lk_in, fh) \
    F(fuse_lk_in, owner) \
    F(fuse_lk_in, lk) \
    F(fuse_lk_in, lk_flags) \
    F(fuse_lk_in, padding) \
    S(fuse_lk_out) \
    F(fuse_lk_out, lk) \
    S(fuse_access_in) \
    F(fuse_access_in, mask) \
    F(fuse_access_in, padding) \
    S(fuse_init_in) \
    F(fuse_init_in, major) \
    F(fuse_init_in, minor) \
    F(fuse_init_in, max_readahead) \
    F(fuse_init_in, flags) \
    F(fuse_init_in, flags2) \
    F(fuse_init_in, unused) \
    M(FUSE_COMPAT_INIT_OUT_SIZE) \
    M(FUSE_COMPAT_22_INIT_OUT_SIZE) \
    S(fuse_init_out) \
    F(fuse_init_out, major) \
    F(fuse_init_out, minor) \
    F(fuse_init_out, max_readahead) \
    F(fuse_init_out, flags) \
    F(fuse_init_out, max_background) \
    F(fuse_init_out, congestion_threshold) \
    F(fuse_init_out, max_write) \
    F(fuse_init_out, time_gran) \
    F(fuse_init_out, max_pages) \
    F(fuse_init_out, map_alignment) \
    F(fuse_init_out, flags2) \
    F(fuse_init_out, unused) \
    M(CUSE_INIT_INFO_MAX) \
    S(cuse_init_in) \
    F(cuse_init_in, major) \
    F(cuse_init_in, minor) \
    F(cuse_init_in, unused) \
    F(cuse_init_in, flags) \
    S(cuse_init_out) \
    F(cuse_init_out, major) \
    F(cuse_init_out, minor) \
    F(cuse_init_out, unused) \
    F(cuse_init_out, flags) \
    F(cuse_init_out, max_read) \
    F(cuse_init_out, max_write) \
    F(cuse_init_out, dev_major) \
    F(cuse_init_out, dev_minor) \
    F(cuse_init_out, spare) \
    S(fuse_interrupt_in) \
    F(fuse_interrupt_in, unique) \
    S(fuse_bmap_in) \
    F(fuse_bmap_in, block) \
    F(fuse_bmap_in, blocksize) \
    F(fuse_bmap_in, padding) \
    S(fuse_bmap_out) \
    F(fuse_bmap_out, block) \
    S(fuse_ioctl_in) \
    F(fuse_ioctl_in, fh) \
    F(fuse_ioctl_in, flags) \
    F(fuse_ioctl_in, cmd) \
    F(fuse_ioctl_in, arg) \
    F(fuse_ioctl_in, in_size) \
    F(fuse_ioctl_in, out_size) \
    S(fuse_ioctl_iovec) \
    F(fuse_ioctl_iovec, base) \
    F(fuse_ioctl_iovec, len) \
    S(fuse_ioctl_out) \
    F(fuse_ioctl_out, result) \
    F(fuse_ioctl_out, flags) \
    F(fuse_ioctl_out, in_iovs) \
    F(fuse_ioctl_out, out_iovs) \
    S(fuse_poll_in) \
    F(fuse_poll_in, fh) \
    F(fuse_poll_in, kh) \
    F(fuse_poll_in, flags) \
    F(fuse_poll_in, events) \
    S(fuse_poll_out) \
    F(fuse_poll_out, revents) \
    F(fuse_poll_out, padding) \
    S(fuse_notify_poll_wakeup_out) \
    F(fuse_notify_poll_wakeup_out, kh) \
    S(fuse_fallocate_in) \
    F(fuse_fallocate_in, fh) \
    F(fuse_fallocate_in, offset) \
    F(fuse_fallocate_in, length) \
    F(fuse_fallocate_in, mode) \
    F(fuse_fallocate_in, padding) \
    S(fuse_in_header) \
    F(fuse_in_header, len) \
    F(fuse_in_header, opcode) \
    F(fuse_in_header, unique) \
    F(fuse_in_header, nodeid) \
    F(fuse_in_header, uid) \
    F(fuse_in_header, gid) \
    F(fuse_in_header, pid) \
    F(fuse_in_header, total_extlen) \
    F(fuse_in_header, padding) \
    S(fuse_out_header) \
    F(fuse_out_header, len) \
    F(fuse_out_header, error) \
    F(fuse_out_header, unique) \
    S(fuse_dirent) \
    F(fuse_dirent, ino) \
    F(fuse_dirent, off) \
    F(fuse_dirent, namelen) \
    F(fuse_dirent, type) \
    V(fuse_dirent, name) \
    P(FUSE_REC_ALIGN, NUMBER) \
    M(FUSE_NAME_OFFSET) \
    P(FUSE_DIRENT_ALIGN, NUMBER) \
    P(FUSE_DIRENT_SIZE, DIRENT) \
    S(fuse_direntplus) \
    F(fuse_direntplus, entry_out) \
    F(fuse_direntplus, dirent) \
    M(FUSE_NAME_OFFSET_DIRENTPLUS) \
    P(FUSE_DIRENTPLUS_SIZE, DIRENTPLUS) \
    S(fuse_notify_inval_inode_out) \
    F(fuse_notify_inval_inode_out, ino) \
    F(fuse_notify_inval_inode_out, off) \
    F(fuse_notify_inval_inode_out, len) \
    S(fuse_notify_inval_entry_out) \
    F(fuse_notify_inval_entry_out, parent) \
    F(fuse_notify_inval_entry_out, namelen) \
    F(fuse_notify_inval_entry_out, flags) \
    S(fuse_notify_delete_out) \
    F(fuse_notify_delete_out, parent) \
    F(fuse_notify_delete_out, child) \
    F(fuse_notify_delete_out, namelen) \
    F(fuse_notify_delete_out, padding) \
    S(fuse_notify_store_out) \
    F(fuse_notify_store_out, nodeid) \
    F(fuse_notify_store_out, offset) \
    F(fuse_notify_store_out, size) \
    F(fuse_notify_store_out, padding) \
    S(fuse_notify_retrieve_out) \
    F(fuse_notify_retrieve_out, notify_unique) \
    F(fuse_notify_retrieve_out, nodeid) \
    F(fuse_notify_retrieve_out, offset) \
    F(fuse_notify_retrieve_out, size) \
    F(fuse_notify_retrieve_out, padding) \
    S(fuse_notify_retrieve_in) \
    F(fuse_notify_retrieve_in, dummy1) \
    F(fuse_notify_retrieve_in, offset) \
    F(fuse_notify_retrieve_in, size) \
    F(fuse_notify_retrieve_in, dummy2) \
    F(fuse_notify_retrieve_in, dummy3) \
    F(fuse_notify_retrieve_in, dummy4) \
    M(FUSE_DEV_IOC_MAGIC) \
    M(FUSE_DEV_IOC_CLONE) \
    S(fuse_lseek_in) \
    F(fuse_lseek_in, fh) \
    F(fuse_lseek_in, offset) \
    F(fuse_lseek_in, whence) \
    F(fuse_lseek_in, padding) \
    S(fuse_lseek_out) \
    F(fuse_lseek_out, offset) \
    S(fuse_copy_file_range_in) \
    F(fuse_copy_file_range_in, fh_in) \
    F(fuse_copy_file_range_in, off_in) \
    F(fuse_copy_file_range_in, nodeid_out) \
    F(fuse_copy_file_range_in, fh_out) \
    F(fuse_copy_file_range_in, off_out) \
    F(fuse_copy_file_range_in, len) \
    F(fuse_copy_file_range_in, flags) \
    M(FUSE_SETUPMAPPING_FLAG_WRITE) \
    M(FUSE_SETUPMAPPING_FLAG_READ) \
    S(fuse_setupmapping_in) \
    F(fuse_setupmapping_in, fh) \
    F(fuse_setupmapping_in, foffset) \
    F(fuse_setupmapping_in, len) \
    F(fuse_setupmapping_in, flags) \
    F(fuse_setupmapping_in, moffset) \
    S(fuse_removemapping_in) \
    F(fuse_removemapping_in, count) \
    S(fuse_removemapping_one) \
    F(fuse_removemapping_one, moffset) \
    F(fuse_removemapping_one, len) \
    M(FUSE_REMOVEMAPPING_MAX_ENTRY) \
    S(fuse_syncfs_in) \
    F(fuse_syncfs_in, padding) \
    S(fuse_secctx) \
    F(fuse_secctx, size) \
    F(fuse_secctx, padding) \
    S(fuse_secctx_header) \
    F(fuse_secctx_header, size) \
    F(fuse_secctx_header, nr_secctx) \
    S(fuse_ext_header) \
    F(fuse_ext_header, size) \
    F(fuse_ext_header, type)

#endif /* WINFUSE_TESTS_FUSE_PROTO_LIST_H */

#ifdef FP_TABLE_FUNCTION

#define FP_PUT(...) \
    do { \
        if (n < cap) \
            out[n] = (struct fp_item){ __VA_ARGS__ }; \
        n++; \
    } while (0);

#define FP_GEN_S(tag) \
    FP_PUT('S', #tag, "", sizeof(struct tag), _Alignof(struct tag), 0)
#define FP_GEN_F(tag, m) \
    FP_PUT('F', #tag "." #m, FP_TYPE(((struct tag *)0)->m), \
        sizeof(((struct tag *)0)->m), offsetof(struct tag, m), 0)
#define FP_GEN_V(tag, m) \
    FP_PUT('V', #tag "." #m, FP_TYPE(((struct tag *)0)->m), 0, offsetof(struct tag, m), 0)
#define FP_GEN_E(tag) \
    FP_PUT('E', #tag, "", sizeof(enum tag), 0, 0)
#define FP_GEN_K(name) \
    FP_PUT('K', #name, FP_TYPE(name), sizeof(name), 0, (uint64_t)(name))
#define FP_GEN_M(name) \
    FP_PUT('M', #name, FP_TYPE(name), sizeof(name), 0, (uint64_t)(name))

/* How each kind of argument is made from a sample, and passed. */
#define FP_ARG_NUMBER(s)      uint32_t arg = (s);
#define FP_USE_NUMBER         arg
#define FP_ARG_DIRENT(s)      struct fuse_dirent arg; memset(&arg, 0, sizeof(arg)); arg.namelen = (s);
#define FP_USE_DIRENT         (&arg)
#define FP_ARG_DIRENTPLUS(s)  struct fuse_direntplus arg; memset(&arg, 0, sizeof(arg)); arg.dirent.namelen = (s);
#define FP_USE_DIRENTPLUS     (&arg)

#define FP_GEN_P(name, kind) \
    { \
        uint64_t digest = FP_DIGEST_SEED; \
        const char *type = ""; \
        uint64_t size = 0; \
        for (uint32_t i = 0; i < FP_SAMPLES; i++) { \
            FP_ARG_##kind(fp_sample(i)) \
            digest = fp_digest(digest, (uint64_t)name(FP_USE_##kind)); \
            type = FP_TYPE(name(FP_USE_##kind)); \
            size = sizeof(name(FP_USE_##kind)); \
        } \
        FP_PUT('P', #name, type, size, 0, digest) \
    }

#ifndef FP_TABLE_ATTRIBUTES
#define FP_TABLE_ATTRIBUTES
#endif

FP_TABLE_ATTRIBUTES size_t FP_TABLE_FUNCTION(struct fp_item *out, size_t cap)
{
    size_t n = 0;
    FUSE_PROTO_ITEMS(FP_GEN_S, FP_GEN_F, FP_GEN_V, FP_GEN_E, FP_GEN_K, FP_GEN_M, FP_GEN_P)
    return n;
}

#endif /* FP_TABLE_FUNCTION */
