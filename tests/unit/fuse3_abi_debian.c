/*
 * fuse3_abi_debian.c - Debian's half of test_fuse3_abi.
 *
 * The list in fuse3_abi_list.h measured against libfuse 3.14's installed
 * headers (libfuse3-dev). Included by absolute path: the test's include
 * path would otherwise find our include/fuse3/ first. Linked into the
 * test_fuse3_abi executable by a target_sources line in CMakeLists.txt.
 */
#define FUSE_USE_VERSION 314

#include "/usr/include/fuse3/fuse.h"
#include "/usr/include/fuse3/fuse_lowlevel.h"
#include "/usr/include/fuse3/cuse_lowlevel.h"

#define FA_TABLE_FUNCTION fuse3_abi_debian_items
#include "fuse3_abi_list.h"
