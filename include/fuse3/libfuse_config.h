/*
 * libfuse_config.h - how this fuse3-compatible library was built.
 *
 * Part of winfuse. Programs (and fuse.h) test the macro below to learn that
 * the library carries versioned symbols, so the plain names (fuse_new,
 * fuse_loop_mt, ...) bind to the newest version at link time.
 */
#pragma once

#define LIBFUSE_BUILT_WITH_VERSIONED_SYMBOLS 1
