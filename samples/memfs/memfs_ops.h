/*
 * memfs_ops.h - the in-memory file system as a library: its operations
 * table for the high-level fuse3 API, and its options.
 *
 * Usage:
 *     struct memfs_options opts;
 *     memfs_opt_parse(&args, &opts);            (optional: -o capacity=... etc.)
 *     fuse_new(&args, memfs_operations(), sizeof(struct fuse_operations), &opts);
 *
 * The private_data given to fuse_new()/fuse_main() must be a
 * `struct memfs_options *` or NULL (defaults). It is read once, in init();
 * every fuse instance gets its own, independent file system.
 */
#ifndef WINFUSE_MEMFS_OPS_H
#define WINFUSE_MEMFS_OPS_H

#include <stdint.h>

struct fuse_operations;
struct fuse_args;

struct memfs_options {
    /* Bytes of file data (plus a small per-inode charge) the file system
       may hold; statfs reports it as the volume size. 0: half of the
       physical memory, as tmpfs does. */
    uint64_t capacity;
    /* Non-zero: unlinking an open file is left to libfuse, which renames it
       to .fuse_hiddenXXX until the last close (hard_remove off). Zero
       (default): the file system itself keeps unlinked open files alive,
       POSIX style, and libfuse removes names at once (hard_remove on). */
    int hidden_unlink;
    /* Non-zero: no permission checks (every caller is treated as root). */
    int noperm;
};

/* The operations table (static storage; never NULL). */
const struct fuse_operations *memfs_operations(void);

/* Consumes memfs's own options from args (-o capacity=SIZE[KMGT],
   -o hidden_unlink, -o noperm) into opts (which it first resets to the
   defaults). Prints memfs's option help if args has -h/--help, leaving
   that argument for libfuse. Returns 0, or -1 on a malformed option. */
int memfs_opt_parse(struct fuse_args *args, struct memfs_options *opts);

#endif /* WINFUSE_MEMFS_OPS_H */
