/*
 * fuse3_abi_list.h - the public ABI of libfuse 3.14, listed once.
 *
 * test_fuse3_abi compares include/fuse3/ (ours) with Debian's
 * /usr/include/fuse3/ (libfuse3-dev). Both define the same names, so each is
 * measured in a translation unit of its own: the unit defines
 * FA_TABLE_FUNCTION, includes one set of headers and then this file, and
 * gets a table built from the lists below. A listed name a header lacks does
 * not compile; a name a header has and the list lacks is caught at run time
 * by scanning the header text.
 *
 * FUSE3_ABI_ITEMS(S, F, B, E, K, M):
 *   S(tag)          a struct: size and alignment
 *   F(tag, member)  a member: size, offset, type name
 *   B(tag, member)  a bit-field: first bit and width, found by setting it
 *   E(tag)          an enum: size
 *   K(name)         an enumerator: value
 *   M(name)         an object-like macro: value, size and type
 * FUSE3_ABI_FUNCTIONS(X): X(return type, name, (parameter types)), each
 *   checked at compile time against the header's prototype.
 * Both units are compiled with FUSE_USE_VERSION 314.
 */
#ifndef WINFUSE_TESTS_FUSE3_ABI_LIST_H
#define WINFUSE_TESTS_FUSE3_ABI_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fa_item {
    char kind;                  /* S F B E K M P, as in the list */
    const char *name;           /* "tag", "tag.member" or the constant */
    const char *type;           /* F K M: the C type, by _Generic */
    uint64_t size;              /* S E F K M: sizeof; B: width in bits */
    uint64_t offset;            /* F: offsetof; S: _Alignof; B: first bit */
    uint64_t value;             /* K M: the value; P: a digest */
};

#define FA_MAX_ITEMS 512

size_t fuse3_abi_ours_items(struct fa_item *out, size_t cap);
size_t fuse3_abi_debian_items(struct fa_item *out, size_t cap);

#define FA_TYPE(e) _Generic((e), \
    char: "char", signed char: "signed char", unsigned char: "unsigned char", \
    short: "short", unsigned short: "unsigned short", \
    int: "int", unsigned int: "unsigned int", \
    long: "long", unsigned long: "unsigned long", \
    long long: "long long", unsigned long long: "unsigned long long", \
    double: "double", float: "float", \
    char *: "char *", const char *: "const char *", char **: "char **", \
    const char **: "const char **", void *: "void *", \
    unsigned int *: "unsigned int *", \
    default: "other")

#endif /* WINFUSE_TESTS_FUSE3_ABI_LIST_H */

/* Everything below is generated again by each unit that includes this file. */
#ifdef FA_TABLE_FUNCTION

#define FUSE3_ABI_ITEMS(S, F, B, E, K, M) \
    S(fuse_opt) \
    F(fuse_opt, templ) \
    F(fuse_opt, offset) \
    F(fuse_opt, value) \
    S(fuse_args) \
    F(fuse_args, argc) \
    F(fuse_args, argv) \
    F(fuse_args, allocated) \
    S(fuse_file_info) \
    F(fuse_file_info, flags) \
    B(fuse_file_info, writepage) \
    B(fuse_file_info, direct_io) \
    B(fuse_file_info, keep_cache) \
    B(fuse_file_info, flush) \
    B(fuse_file_info, nonseekable) \
    B(fuse_file_info, flock_release) \
    B(fuse_file_info, cache_readdir) \
    B(fuse_file_info, noflush) \
    B(fuse_file_info, padding) \
    B(fuse_file_info, padding2) \
    F(fuse_file_info, fh) \
    F(fuse_file_info, lock_owner) \
    F(fuse_file_info, poll_events) \
    S(fuse_loop_config_v1) \
    F(fuse_loop_config_v1, clone_fd) \
    F(fuse_loop_config_v1, max_idle_threads) \
    S(fuse_conn_info) \
    F(fuse_conn_info, proto_major) \
    F(fuse_conn_info, proto_minor) \
    F(fuse_conn_info, max_write) \
    F(fuse_conn_info, max_read) \
    F(fuse_conn_info, max_readahead) \
    F(fuse_conn_info, capable) \
    F(fuse_conn_info, want) \
    F(fuse_conn_info, max_background) \
    F(fuse_conn_info, congestion_threshold) \
    F(fuse_conn_info, time_gran) \
    F(fuse_conn_info, reserved) \
    S(fuse_buf) \
    F(fuse_buf, size) \
    F(fuse_buf, flags) \
    F(fuse_buf, mem) \
    F(fuse_buf, fd) \
    F(fuse_buf, pos) \
    S(fuse_bufvec) \
    F(fuse_bufvec, count) \
    F(fuse_bufvec, idx) \
    F(fuse_bufvec, off) \
    F(fuse_bufvec, buf) \
    S(fuse_config) \
    F(fuse_config, set_gid) \
    F(fuse_config, gid) \
    F(fuse_config, set_uid) \
    F(fuse_config, uid) \
    F(fuse_config, set_mode) \
    F(fuse_config, umask) \
    F(fuse_config, entry_timeout) \
    F(fuse_config, negative_timeout) \
    F(fuse_config, attr_timeout) \
    F(fuse_config, intr) \
    F(fuse_config, intr_signal) \
    F(fuse_config, remember) \
    F(fuse_config, hard_remove) \
    F(fuse_config, use_ino) \
    F(fuse_config, readdir_ino) \
    F(fuse_config, direct_io) \
    F(fuse_config, kernel_cache) \
    F(fuse_config, auto_cache) \
    F(fuse_config, no_rofd_flush) \
    F(fuse_config, ac_attr_timeout_set) \
    F(fuse_config, ac_attr_timeout) \
    F(fuse_config, nullpath_ok) \
    F(fuse_config, show_help) \
    F(fuse_config, modules) \
    F(fuse_config, debug) \
    S(fuse_operations) \
    F(fuse_operations, getattr) \
    F(fuse_operations, readlink) \
    F(fuse_operations, mknod) \
    F(fuse_operations, mkdir) \
    F(fuse_operations, unlink) \
    F(fuse_operations, rmdir) \
    F(fuse_operations, symlink) \
    F(fuse_operations, rename) \
    F(fuse_operations, link) \
    F(fuse_operations, chmod) \
    F(fuse_operations, chown) \
    F(fuse_operations, truncate) \
    F(fuse_operations, open) \
    F(fuse_operations, read) \
    F(fuse_operations, write) \
    F(fuse_operations, statfs) \
    F(fuse_operations, flush) \
    F(fuse_operations, release) \
    F(fuse_operations, fsync) \
    F(fuse_operations, setxattr) \
    F(fuse_operations, getxattr) \
    F(fuse_operations, listxattr) \
    F(fuse_operations, removexattr) \
    F(fuse_operations, opendir) \
    F(fuse_operations, readdir) \
    F(fuse_operations, releasedir) \
    F(fuse_operations, fsyncdir) \
    F(fuse_operations, init) \
    F(fuse_operations, destroy) \
    F(fuse_operations, access) \
    F(fuse_operations, create) \
    F(fuse_operations, lock) \
    F(fuse_operations, utimens) \
    F(fuse_operations, bmap) \
    F(fuse_operations, ioctl) \
    F(fuse_operations, poll) \
    F(fuse_operations, write_buf) \
    F(fuse_operations, read_buf) \
    F(fuse_operations, flock) \
    F(fuse_operations, fallocate) \
    F(fuse_operations, copy_file_range) \
    F(fuse_operations, lseek) \
    S(fuse_context) \
    F(fuse_context, fuse) \
    F(fuse_context, uid) \
    F(fuse_context, gid) \
    F(fuse_context, pid) \
    F(fuse_context, private_data) \
    F(fuse_context, umask) \
    S(fuse_entry_param) \
    F(fuse_entry_param, ino) \
    F(fuse_entry_param, generation) \
    F(fuse_entry_param, attr) \
    F(fuse_entry_param, attr_timeout) \
    F(fuse_entry_param, entry_timeout) \
    S(fuse_ctx) \
    F(fuse_ctx, uid) \
    F(fuse_ctx, gid) \
    F(fuse_ctx, pid) \
    F(fuse_ctx, umask) \
    S(fuse_forget_data) \
    F(fuse_forget_data, ino) \
    F(fuse_forget_data, nlookup) \
    S(fuse_custom_io) \
    F(fuse_custom_io, writev) \
    F(fuse_custom_io, read) \
    F(fuse_custom_io, splice_receive) \
    F(fuse_custom_io, splice_send) \
    S(fuse_lowlevel_ops) \
    F(fuse_lowlevel_ops, init) \
    F(fuse_lowlevel_ops, destroy) \
    F(fuse_lowlevel_ops, lookup) \
    F(fuse_lowlevel_ops, forget) \
    F(fuse_lowlevel_ops, getattr) \
    F(fuse_lowlevel_ops, setattr) \
    F(fuse_lowlevel_ops, readlink) \
    F(fuse_lowlevel_ops, mknod) \
    F(fuse_lowlevel_ops, mkdir) \
    F(fuse_lowlevel_ops, unlink) \
    F(fuse_lowlevel_ops, rmdir) \
    F(fuse_lowlevel_ops, symlink) \
    F(fuse_lowlevel_ops, rename) \
    F(fuse_lowlevel_ops, link) \
    F(fuse_lowlevel_ops, open) \
    F(fuse_lowlevel_ops, read) \
    F(fuse_lowlevel_ops, write) \
    F(fuse_lowlevel_ops, flush) \
    F(fuse_lowlevel_ops, release) \
    F(fuse_lowlevel_ops, fsync) \
    F(fuse_lowlevel_ops, opendir) \
    F(fuse_lowlevel_ops, readdir) \
    F(fuse_lowlevel_ops, releasedir) \
    F(fuse_lowlevel_ops, fsyncdir) \
    F(fuse_lowlevel_ops, statfs) \
    F(fuse_lowlevel_ops, setxattr) \
    F(fuse_lowlevel_ops, getxattr) \
    F(fuse_lowlevel_ops, listxattr) \
    F(fuse_lowlevel_ops, removexattr) \
    F(fuse_lowlevel_ops, access) \
    F(fuse_lowlevel_ops, create) \
    F(fuse_lowlevel_ops, getlk) \
    F(fuse_lowlevel_ops, setlk) \
    F(fuse_lowlevel_ops, bmap) \
    F(fuse_lowlevel_ops, ioctl) \
    F(fuse_lowlevel_ops, poll) \
    F(fuse_lowlevel_ops, write_buf) \
    F(fuse_lowlevel_ops, retrieve_reply) \
    F(fuse_lowlevel_ops, forget_multi) \
    F(fuse_lowlevel_ops, flock) \
    F(fuse_lowlevel_ops, fallocate) \
    F(fuse_lowlevel_ops, readdirplus) \
    F(fuse_lowlevel_ops, copy_file_range) \
    F(fuse_lowlevel_ops, lseek) \
    S(fuse_cmdline_opts) \
    F(fuse_cmdline_opts, singlethread) \
    F(fuse_cmdline_opts, foreground) \
    F(fuse_cmdline_opts, debug) \
    F(fuse_cmdline_opts, nodefault_subtype) \
    F(fuse_cmdline_opts, mountpoint) \
    F(fuse_cmdline_opts, show_version) \
    F(fuse_cmdline_opts, show_help) \
    F(fuse_cmdline_opts, clone_fd) \
    F(fuse_cmdline_opts, max_idle_threads) \
    F(fuse_cmdline_opts, max_threads) \
    S(cuse_info) \
    F(cuse_info, dev_major) \
    F(cuse_info, dev_minor) \
    F(cuse_info, dev_info_argc) \
    F(cuse_info, dev_info_argv) \
    F(cuse_info, flags) \
    S(cuse_lowlevel_ops) \
    F(cuse_lowlevel_ops, init) \
    F(cuse_lowlevel_ops, init_done) \
    F(cuse_lowlevel_ops, destroy) \
    F(cuse_lowlevel_ops, open) \
    F(cuse_lowlevel_ops, read) \
    F(cuse_lowlevel_ops, write) \
    F(cuse_lowlevel_ops, flush) \
    F(cuse_lowlevel_ops, release) \
    F(cuse_lowlevel_ops, fsync) \
    F(cuse_lowlevel_ops, ioctl) \
    F(cuse_lowlevel_ops, poll) \
    E(fuse_log_level) \
    K(FUSE_LOG_EMERG) \
    K(FUSE_LOG_ALERT) \
    K(FUSE_LOG_CRIT) \
    K(FUSE_LOG_ERR) \
    K(FUSE_LOG_WARNING) \
    K(FUSE_LOG_NOTICE) \
    K(FUSE_LOG_INFO) \
    K(FUSE_LOG_DEBUG) \
    E(fuse_buf_flags) \
    K(FUSE_BUF_IS_FD) \
    K(FUSE_BUF_FD_SEEK) \
    K(FUSE_BUF_FD_RETRY) \
    E(fuse_buf_copy_flags) \
    K(FUSE_BUF_NO_SPLICE) \
    K(FUSE_BUF_FORCE_SPLICE) \
    K(FUSE_BUF_SPLICE_MOVE) \
    K(FUSE_BUF_SPLICE_NONBLOCK) \
    E(fuse_readdir_flags) \
    K(FUSE_READDIR_PLUS) \
    E(fuse_fill_dir_flags) \
    K(FUSE_FILL_DIR_PLUS) \
    E(fuse_expire_flags) \
    K(FUSE_LL_EXPIRE_ONLY) \
    M(CUSE_UNRESTRICTED_IOCTL) \
    M(FUSE_CAP_ASYNC_DIO) \
    M(FUSE_CAP_ASYNC_READ) \
    M(FUSE_CAP_ATOMIC_O_TRUNC) \
    M(FUSE_CAP_AUTO_INVAL_DATA) \
    M(FUSE_CAP_CACHE_SYMLINKS) \
    M(FUSE_CAP_DONT_MASK) \
    M(FUSE_CAP_EXPIRE_ONLY) \
    M(FUSE_CAP_EXPLICIT_INVAL_DATA) \
    M(FUSE_CAP_EXPORT_SUPPORT) \
    M(FUSE_CAP_FLOCK_LOCKS) \
    M(FUSE_CAP_HANDLE_KILLPRIV) \
    M(FUSE_CAP_IOCTL_DIR) \
    M(FUSE_CAP_NO_OPENDIR_SUPPORT) \
    M(FUSE_CAP_NO_OPEN_SUPPORT) \
    M(FUSE_CAP_PARALLEL_DIROPS) \
    M(FUSE_CAP_POSIX_ACL) \
    M(FUSE_CAP_POSIX_LOCKS) \
    M(FUSE_CAP_READDIRPLUS) \
    M(FUSE_CAP_READDIRPLUS_AUTO) \
    M(FUSE_CAP_SPLICE_MOVE) \
    M(FUSE_CAP_SPLICE_READ) \
    M(FUSE_CAP_SPLICE_WRITE) \
    M(FUSE_CAP_WRITEBACK_CACHE) \
    M(FUSE_IOCTL_COMPAT) \
    M(FUSE_IOCTL_DIR) \
    M(FUSE_IOCTL_MAX_IOV) \
    M(FUSE_IOCTL_RETRY) \
    M(FUSE_IOCTL_UNRESTRICTED) \
    M(FUSE_MAJOR_VERSION) \
    M(FUSE_MINOR_VERSION) \
    M(FUSE_OPT_KEY_DISCARD) \
    M(FUSE_OPT_KEY_KEEP) \
    M(FUSE_OPT_KEY_NONOPT) \
    M(FUSE_OPT_KEY_OPT) \
    M(FUSE_ROOT_ID) \
    M(FUSE_SET_ATTR_ATIME) \
    M(FUSE_SET_ATTR_ATIME_NOW) \
    M(FUSE_SET_ATTR_CTIME) \
    M(FUSE_SET_ATTR_FILE) \
    M(FUSE_SET_ATTR_FORCE) \
    M(FUSE_SET_ATTR_GID) \
    M(FUSE_SET_ATTR_KILL_PRIV) \
    M(FUSE_SET_ATTR_KILL_SGID) \
    M(FUSE_SET_ATTR_KILL_SUID) \
    M(FUSE_SET_ATTR_MODE) \
    M(FUSE_SET_ATTR_MTIME) \
    M(FUSE_SET_ATTR_MTIME_NOW) \
    M(FUSE_SET_ATTR_OPEN) \
    M(FUSE_SET_ATTR_SIZE) \
    M(FUSE_SET_ATTR_TIMES_SET) \
    M(FUSE_SET_ATTR_TOUCH) \
    M(FUSE_SET_ATTR_UID) \
    M(FUSE_VERSION) \
    M(LIBFUSE_BUILT_WITH_VERSIONED_SYMBOLS) \
    /* end */

#define FUSE3_ABI_FUNCTIONS(X) \
    X(int, cuse_lowlevel_main, (int, char **, const struct cuse_info *, const struct cuse_lowlevel_ops *, void *)) \
    X(struct fuse_session *, cuse_lowlevel_new, (struct fuse_args *, const struct cuse_info *, const struct cuse_lowlevel_ops *, void *)) \
    X(struct fuse_session *, cuse_lowlevel_setup, (int, char **, const struct cuse_info *, const struct cuse_lowlevel_ops *, int *, void *)) \
    X(void, cuse_lowlevel_teardown, (struct fuse_session *)) \
    X(size_t, fuse_add_direntry, (fuse_req_t, char *, size_t, const char *, const struct stat *, off_t)) \
    X(size_t, fuse_add_direntry_plus, (fuse_req_t, char *, size_t, const char *, const struct fuse_entry_param *, off_t)) \
    X(void, fuse_apply_conn_info_opts, (struct fuse_conn_info_opts *, struct fuse_conn_info *)) \
    X(ssize_t, fuse_buf_copy, (struct fuse_bufvec *, struct fuse_bufvec *, enum fuse_buf_copy_flags)) \
    X(size_t, fuse_buf_size, (const struct fuse_bufvec *)) \
    X(int, fuse_clean_cache, (struct fuse *)) \
    X(void, fuse_cmdline_help, (void)) \
    X(int, fuse_daemonize, (int)) \
    X(void, fuse_destroy, (struct fuse *)) \
    X(void, fuse_exit, (struct fuse *)) \
    X(int, fuse_fs_access, (struct fuse_fs *, const char *, int)) \
    X(int, fuse_fs_bmap, (struct fuse_fs *, const char *, size_t, uint64_t *)) \
    X(int, fuse_fs_chmod, (struct fuse_fs *, const char *, mode_t, struct fuse_file_info *)) \
    X(int, fuse_fs_chown, (struct fuse_fs *, const char *, uid_t, gid_t, struct fuse_file_info *)) \
    X(ssize_t, fuse_fs_copy_file_range, (struct fuse_fs *, const char *, struct fuse_file_info *, off_t, const char *, struct fuse_file_info *, off_t, size_t, int)) \
    X(int, fuse_fs_create, (struct fuse_fs *, const char *, mode_t, struct fuse_file_info *)) \
    X(void, fuse_fs_destroy, (struct fuse_fs *)) \
    X(int, fuse_fs_fallocate, (struct fuse_fs *, const char *, int, off_t, off_t, struct fuse_file_info *)) \
    X(int, fuse_fs_flock, (struct fuse_fs *, const char *, struct fuse_file_info *, int)) \
    X(int, fuse_fs_flush, (struct fuse_fs *, const char *, struct fuse_file_info *)) \
    X(int, fuse_fs_fsync, (struct fuse_fs *, const char *, int, struct fuse_file_info *)) \
    X(int, fuse_fs_fsyncdir, (struct fuse_fs *, const char *, int, struct fuse_file_info *)) \
    X(int, fuse_fs_getattr, (struct fuse_fs *, const char *, struct stat *, struct fuse_file_info *)) \
    X(int, fuse_fs_getxattr, (struct fuse_fs *, const char *, const char *, char *, size_t)) \
    X(void, fuse_fs_init, (struct fuse_fs *, struct fuse_conn_info *, struct fuse_config *)) \
    X(int, fuse_fs_ioctl, (struct fuse_fs *, const char *, unsigned int, void *, struct fuse_file_info *, unsigned int, void *)) \
    X(int, fuse_fs_link, (struct fuse_fs *, const char *, const char *)) \
    X(int, fuse_fs_listxattr, (struct fuse_fs *, const char *, char *, size_t)) \
    X(int, fuse_fs_lock, (struct fuse_fs *, const char *, struct fuse_file_info *, int, struct flock *)) \
    X(off_t, fuse_fs_lseek, (struct fuse_fs *, const char *, off_t, int, struct fuse_file_info *)) \
    X(int, fuse_fs_mkdir, (struct fuse_fs *, const char *, mode_t)) \
    X(int, fuse_fs_mknod, (struct fuse_fs *, const char *, mode_t, dev_t)) \
    X(struct fuse_fs *, fuse_fs_new, (const struct fuse_operations *, size_t, void *)) \
    X(int, fuse_fs_open, (struct fuse_fs *, const char *, struct fuse_file_info *)) \
    X(int, fuse_fs_opendir, (struct fuse_fs *, const char *, struct fuse_file_info *)) \
    X(int, fuse_fs_poll, (struct fuse_fs *, const char *, struct fuse_file_info *, struct fuse_pollhandle *, unsigned int *)) \
    X(int, fuse_fs_read, (struct fuse_fs *, const char *, char *, size_t, off_t, struct fuse_file_info *)) \
    X(int, fuse_fs_read_buf, (struct fuse_fs *, const char *, struct fuse_bufvec **, size_t, off_t, struct fuse_file_info *)) \
    X(int, fuse_fs_readdir, (struct fuse_fs *, const char *, void *, fuse_fill_dir_t, off_t, struct fuse_file_info *, enum fuse_readdir_flags)) \
    X(int, fuse_fs_readlink, (struct fuse_fs *, const char *, char *, size_t)) \
    X(int, fuse_fs_release, (struct fuse_fs *, const char *, struct fuse_file_info *)) \
    X(int, fuse_fs_releasedir, (struct fuse_fs *, const char *, struct fuse_file_info *)) \
    X(int, fuse_fs_removexattr, (struct fuse_fs *, const char *, const char *)) \
    X(int, fuse_fs_rename, (struct fuse_fs *, const char *, const char *, unsigned int)) \
    X(int, fuse_fs_rmdir, (struct fuse_fs *, const char *)) \
    X(int, fuse_fs_setxattr, (struct fuse_fs *, const char *, const char *, const char *, size_t, int)) \
    X(int, fuse_fs_statfs, (struct fuse_fs *, const char *, struct statvfs *)) \
    X(int, fuse_fs_symlink, (struct fuse_fs *, const char *, const char *)) \
    X(int, fuse_fs_truncate, (struct fuse_fs *, const char *, off_t, struct fuse_file_info *)) \
    X(int, fuse_fs_unlink, (struct fuse_fs *, const char *)) \
    X(int, fuse_fs_utimens, (struct fuse_fs *, const char *, const struct timespec *, struct fuse_file_info *)) \
    X(int, fuse_fs_write, (struct fuse_fs *, const char *, const char *, size_t, off_t, struct fuse_file_info *)) \
    X(int, fuse_fs_write_buf, (struct fuse_fs *, const char *, struct fuse_bufvec *, off_t, struct fuse_file_info *)) \
    X(struct fuse_context *, fuse_get_context, (void)) \
    X(struct fuse_session *, fuse_get_session, (struct fuse *)) \
    X(int, fuse_getgroups, (int, gid_t *)) \
    X(int, fuse_interrupted, (void)) \
    X(int, fuse_invalidate_path, (struct fuse *, const char *)) \
    X(void, fuse_lib_help, (struct fuse_args *)) \
    X(void, fuse_log, (enum fuse_log_level, const char *, ...)) \
    X(int, fuse_loop, (struct fuse *)) \
    X(void, fuse_loop_cfg_convert, (struct fuse_loop_config *, struct fuse_loop_config_v1 *)) \
    X(struct fuse_loop_config *, fuse_loop_cfg_create, (void)) \
    X(void, fuse_loop_cfg_destroy, (struct fuse_loop_config *)) \
    X(void, fuse_loop_cfg_set_clone_fd, (struct fuse_loop_config *, unsigned int)) \
    X(void, fuse_loop_cfg_set_idle_threads, (struct fuse_loop_config *, unsigned int)) \
    X(void, fuse_loop_cfg_set_max_threads, (struct fuse_loop_config *, unsigned int)) \
    X(int, fuse_loop_mt, (struct fuse *, struct fuse_loop_config *)) \
    X(void, fuse_lowlevel_help, (void)) \
    X(int, fuse_lowlevel_notify_delete, (struct fuse_session *, fuse_ino_t, fuse_ino_t, const char *, size_t)) \
    X(int, fuse_lowlevel_notify_expire_entry, (struct fuse_session *, fuse_ino_t, const char *, size_t, enum fuse_expire_flags)) \
    X(int, fuse_lowlevel_notify_inval_entry, (struct fuse_session *, fuse_ino_t, const char *, size_t)) \
    X(int, fuse_lowlevel_notify_inval_inode, (struct fuse_session *, fuse_ino_t, off_t, off_t)) \
    X(int, fuse_lowlevel_notify_poll, (struct fuse_pollhandle *)) \
    X(int, fuse_lowlevel_notify_retrieve, (struct fuse_session *, fuse_ino_t, size_t, off_t, void *)) \
    X(int, fuse_lowlevel_notify_store, (struct fuse_session *, fuse_ino_t, off_t, struct fuse_bufvec *, enum fuse_buf_copy_flags)) \
    X(void, fuse_lowlevel_version, (void)) \
    X(int, fuse_main_real, (int, char **, const struct fuse_operations *, size_t, void *)) \
    X(int, fuse_mount, (struct fuse *, const char *)) \
    X(struct fuse *, fuse_new, (struct fuse_args *, const struct fuse_operations *, size_t, void *)) \
    X(int, fuse_notify_poll, (struct fuse_pollhandle *)) \
    X(int, fuse_open_channel, (const char *, const char *)) \
    X(int, fuse_opt_add_arg, (struct fuse_args *, const char *)) \
    X(int, fuse_opt_add_opt, (char **, const char *)) \
    X(int, fuse_opt_add_opt_escaped, (char **, const char *)) \
    X(void, fuse_opt_free_args, (struct fuse_args *)) \
    X(int, fuse_opt_insert_arg, (struct fuse_args *, int, const char *)) \
    X(int, fuse_opt_match, (const struct fuse_opt *, const char *)) \
    X(int, fuse_opt_parse, (struct fuse_args *, void *, const struct fuse_opt *, fuse_opt_proc_t)) \
    X(int, fuse_parse_cmdline, (struct fuse_args *, struct fuse_cmdline_opts *)) \
    X(struct fuse_conn_info_opts *, fuse_parse_conn_info_opts, (struct fuse_args *)) \
    X(const char *, fuse_pkgversion, (void)) \
    X(void, fuse_pollhandle_destroy, (struct fuse_pollhandle *)) \
    X(void, fuse_remove_signal_handlers, (struct fuse_session *)) \
    X(int, fuse_reply_attr, (fuse_req_t, const struct stat *, double)) \
    X(int, fuse_reply_bmap, (fuse_req_t, uint64_t)) \
    X(int, fuse_reply_buf, (fuse_req_t, const char *, size_t)) \
    X(int, fuse_reply_create, (fuse_req_t, const struct fuse_entry_param *, const struct fuse_file_info *)) \
    X(int, fuse_reply_data, (fuse_req_t, struct fuse_bufvec *, enum fuse_buf_copy_flags)) \
    X(int, fuse_reply_entry, (fuse_req_t, const struct fuse_entry_param *)) \
    X(int, fuse_reply_err, (fuse_req_t, int)) \
    X(int, fuse_reply_ioctl, (fuse_req_t, int, const void *, size_t)) \
    X(int, fuse_reply_ioctl_iov, (fuse_req_t, int, const struct iovec *, int)) \
    X(int, fuse_reply_ioctl_retry, (fuse_req_t, const struct iovec *, size_t, const struct iovec *, size_t)) \
    X(int, fuse_reply_iov, (fuse_req_t, const struct iovec *, int)) \
    X(int, fuse_reply_lock, (fuse_req_t, const struct flock *)) \
    X(int, fuse_reply_lseek, (fuse_req_t, off_t)) \
    X(void, fuse_reply_none, (fuse_req_t)) \
    X(int, fuse_reply_open, (fuse_req_t, const struct fuse_file_info *)) \
    X(int, fuse_reply_poll, (fuse_req_t, unsigned int)) \
    X(int, fuse_reply_readlink, (fuse_req_t, const char *)) \
    X(int, fuse_reply_statfs, (fuse_req_t, const struct statvfs *)) \
    X(int, fuse_reply_write, (fuse_req_t, size_t)) \
    X(int, fuse_reply_xattr, (fuse_req_t, size_t)) \
    X(const struct fuse_ctx *, fuse_req_ctx, (fuse_req_t)) \
    X(int, fuse_req_getgroups, (fuse_req_t, int, gid_t *)) \
    X(void, fuse_req_interrupt_func, (fuse_req_t, fuse_interrupt_func_t, void *)) \
    X(int, fuse_req_interrupted, (fuse_req_t)) \
    X(void *, fuse_req_userdata, (fuse_req_t)) \
    X(int, fuse_session_custom_io, (struct fuse_session *, const struct fuse_custom_io *, int)) \
    X(void, fuse_session_destroy, (struct fuse_session *)) \
    X(void, fuse_session_exit, (struct fuse_session *)) \
    X(int, fuse_session_exited, (struct fuse_session *)) \
    X(int, fuse_session_fd, (struct fuse_session *)) \
    X(int, fuse_session_loop, (struct fuse_session *)) \
    X(int, fuse_session_loop_mt, (struct fuse_session *, struct fuse_loop_config *)) \
    X(int, fuse_session_mount, (struct fuse_session *, const char *)) \
    X(struct fuse_session *, fuse_session_new, (struct fuse_args *, const struct fuse_lowlevel_ops *, size_t, void *)) \
    X(void, fuse_session_process_buf, (struct fuse_session *, const struct fuse_buf *)) \
    X(int, fuse_session_receive_buf, (struct fuse_session *, struct fuse_buf *)) \
    X(void, fuse_session_reset, (struct fuse_session *)) \
    X(void, fuse_session_unmount, (struct fuse_session *)) \
    X(void, fuse_set_log_func, (fuse_log_func_t)) \
    X(int, fuse_set_signal_handlers, (struct fuse_session *)) \
    X(int, fuse_start_cleanup_thread, (struct fuse *)) \
    X(void, fuse_stop_cleanup_thread, (struct fuse *)) \
    X(void, fuse_unmount, (struct fuse *)) \
    X(int, fuse_version, (void)) \
    /* end */

/* Every prototype equals the listed one, or this unit does not compile. */
#define FA_CHECK_FUNCTION(ret, name, params) \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&name), ret (*) params), \
                   #name " has another prototype");
FUSE3_ABI_FUNCTIONS(FA_CHECK_FUNCTION)
#undef FA_CHECK_FUNCTION

static size_t fa_put(struct fa_item *out, size_t cap, size_t n, struct fa_item item)
{
    if (n < cap)
        out[n] = item;
    return n + 1;
}

/* First set bit and number of set bits of an object's representation. */
static void fa_bits(const void *obj, size_t size, uint64_t *first, uint64_t *width)
{
    const unsigned char *p = obj;
    *first = UINT64_MAX;
    *width = 0;
    for (size_t i = 0; i < size * 8; i++) {
        if (p[i / 8] & (1u << (i % 8))) {
            if (*first == UINT64_MAX)
                *first = i;
            (*width)++;
        }
    }
}

#define FA_S(tag) \
    n = fa_put(out, cap, n, (struct fa_item){ 'S', #tag, NULL, \
        sizeof(struct tag), _Alignof(struct tag), 0 });
#define FA_F(tag, m) \
    n = fa_put(out, cap, n, (struct fa_item){ 'F', #tag "." #m, \
        FA_TYPE(((struct tag *)0)->m), sizeof(((struct tag *)0)->m), \
        offsetof(struct tag, m), 0 });
/* A bit-field has no offsetof: set all its bits in a zeroed object. */
#define FA_B(tag, m) { \
        struct tag obj; \
        uint64_t first, width; \
        memset(&obj, 0, sizeof(obj)); \
        obj.m--; \
        fa_bits(&obj, sizeof(obj), &first, &width); \
        n = fa_put(out, cap, n, (struct fa_item){ 'B', #tag "." #m, NULL, \
            width, first, 0 }); \
    }
#define FA_E(tag) \
    n = fa_put(out, cap, n, (struct fa_item){ 'E', #tag, NULL, \
        sizeof(enum tag), 0, 0 });
#define FA_K(name) \
    n = fa_put(out, cap, n, (struct fa_item){ 'K', #name, FA_TYPE(name), \
        sizeof(name), 0, (uint64_t)(int64_t)(name) });
#define FA_M(name) \
    n = fa_put(out, cap, n, (struct fa_item){ 'M', #name, FA_TYPE(name), \
        sizeof(name), 0, (uint64_t)(int64_t)(name) });
#define FA_FUNCTION(ret, name, params) \
    n = fa_put(out, cap, n, (struct fa_item){ 'X', #name, NULL, 0, 0, 0 });

/* What the function-like macros build, reduced to numbers. */
static uint64_t fa_mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3ull;
}

size_t FA_TABLE_FUNCTION(struct fa_item *out, size_t cap)
{
    size_t n = 0;

    FUSE3_ABI_ITEMS(FA_S, FA_F, FA_B, FA_E, FA_K, FA_M)
    FUSE3_ABI_FUNCTIONS(FA_FUNCTION)

    {
        struct fuse_bufvec v = FUSE_BUFVEC_INIT(12345);
        uint64_t h = 0xcbf29ce484222325ull;
        h = fa_mix(h, v.count);
        h = fa_mix(h, v.idx);
        h = fa_mix(h, v.off);
        h = fa_mix(h, v.buf[0].size);
        h = fa_mix(h, (uint64_t)v.buf[0].flags);
        h = fa_mix(h, v.buf[0].mem == NULL);
        h = fa_mix(h, (uint64_t)(int64_t)v.buf[0].fd);
        h = fa_mix(h, (uint64_t)v.buf[0].pos);
        n = fa_put(out, cap, n, (struct fa_item){ 'P', "FUSE_BUFVEC_INIT", NULL,
            sizeof(v), 0, h });
    }
    {
        struct fuse_opt opts[] = { FUSE_OPT_KEY("-x", 42), FUSE_OPT_END };
        uint64_t h = 0xcbf29ce484222325ull;
        h = fa_mix(h, strcmp(opts[0].templ, "-x") == 0);
        h = fa_mix(h, opts[0].offset);
        h = fa_mix(h, (uint64_t)(int64_t)opts[0].value);
        h = fa_mix(h, opts[1].templ == NULL);
        h = fa_mix(h, opts[1].offset);
        h = fa_mix(h, (uint64_t)(int64_t)opts[1].value);
        n = fa_put(out, cap, n, (struct fa_item){ 'P', "FUSE_OPT_KEY/FUSE_OPT_END", NULL,
            sizeof(opts), 0, h });
    }
    {
        static char arg0[] = "prog";
        char *argv[] = { arg0, NULL };
        struct fuse_args a = FUSE_ARGS_INIT(1, argv);
        uint64_t h = 0xcbf29ce484222325ull;
        h = fa_mix(h, (uint64_t)a.argc);
        h = fa_mix(h, a.argv == argv);
        h = fa_mix(h, (uint64_t)a.allocated);
        n = fa_put(out, cap, n, (struct fa_item){ 'P', "FUSE_ARGS_INIT", NULL,
            sizeof(a), 0, h });
    }
    n = fa_put(out, cap, n, (struct fa_item){ 'P', "FUSE_MAKE_VERSION", NULL,
        sizeof(FUSE_MAKE_VERSION(3, 12)), 0, (uint64_t)FUSE_MAKE_VERSION(3, 12) });
    return n;
}

#undef FA_S
#undef FA_F
#undef FA_B
#undef FA_E
#undef FA_K
#undef FA_M
#undef FA_FUNCTION

#endif /* FA_TABLE_FUNCTION */
