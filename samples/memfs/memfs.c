/*
 * memfs - an in-memory file system, mounted like any FUSE program:
 *
 *     memfs [-f] [-d] [-s] [-o capacity=SIZE,hidden_unlink,noperm,...] MOUNTPOINT
 *
 * The file system itself lives in memfs_ops.c, shared with the winfuse
 * command that embeds it.
 */
#define FUSE_USE_VERSION 314

#include <fuse.h>

#include "memfs_ops.h"

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct memfs_options opts;

    if (memfs_opt_parse(&args, &opts) != 0)
        return 1;
    int ret = fuse_main(args.argc, args.argv, memfs_operations(), &opts);
    fuse_opt_free_args(&args);
    return ret;
}
