/*
 * log.c - where the library's messages go: stderr unless the program
 * installs its own function with fuse_set_log_func().
 */
#include <stdarg.h>
#include <stdio.h>

#include "fuse3/fuse_log.h"

static void log_to_stderr(enum fuse_log_level level, const char *fmt, va_list ap)
{
    (void)level;
    vfprintf(stderr, fmt, ap);
}

static fuse_log_func_t log_func = log_to_stderr;

void fuse_set_log_func(fuse_log_func_t func)
{
    log_func = func ? func : log_to_stderr;
}

void fuse_log(enum fuse_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_func(level, fmt, ap);
    va_end(ap);
}
