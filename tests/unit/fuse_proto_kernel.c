/*
 * fuse_proto_kernel.c - the kernel's half of test_fuse_proto.
 *
 * The list in fuse_proto_list.h measured against <linux/fuse.h>; it has to
 * be a translation unit of its own because that header and ours define the
 * same names. Linked into the test_fuse_proto executable (a target_sources
 * line in CMakeLists.txt); not a test program by itself, hence no test_
 * prefix.
 */
#include <linux/ioctl.h>        /* _IOR, which <linux/fuse.h> uses but does not include */
#include <linux/fuse.h>

/*
 * FUSE_REMOVEMAPPING_MAX_ENTRY divides the kernel's PAGE_SIZE, which user
 * space does not define. A 4 KiB page, as in our header; a machine that
 * defines another page size here makes the comparison report it.
 */
#ifndef PAGE_SIZE
#define PAGE_SIZE 4096
#endif

/*
 * The kernel writes FUSE_INIT_RESERVED as 1 << 31, an int overflow that
 * UBSan reports where the table reads it. It is the kernel's header, not
 * ours, and the value (INT_MIN) is what we mean to compare.
 */
#define FP_TABLE_ATTRIBUTES __attribute__((no_sanitize("shift")))

#define FP_TABLE_FUNCTION fuse_proto_kernel_items
#include "fuse_proto_list.h"
