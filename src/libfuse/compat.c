/*
 * compat.c - the entry points older programs were linked against.
 *
 * libfuse 3.14 exports some functions in several versions (fuse_new@FUSE_3.0
 * and fuse_new@@FUSE_3.1, ...) plus suffixed names (fuse_new_30,
 * fuse_loop_mt_32, ...). The rest of the library defines only the current
 * behaviour under the plain names; this file adds every older variant as a
 * thin wrapper and binds it to its version node with .symver, so no other
 * file needs to know about symbol versions (fuse_versionscript lists the
 * nodes).
 *
 * Suffixed names another file may define as well (libfuse defines them in
 * fuse.c and fuse_loop_mt.c) are weak here: a strong definition wins.
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <fuse.h>
#include <fuse_lowlevel.h>
#include <cuse_lowlevel.h>

#include "internal.h"

#define WEAK __attribute__((weak))

/* Bind local wrapper to name@node, an older (non-default) version. */
#define COMPAT_SYMVER(local, versioned) __asm__(".symver " #local ", " versioned)

/* Not declared at FUSE_USE_VERSION 314, but exported all the same. */
struct fuse *fuse_new_30(struct fuse_args *args, const struct fuse_operations *op,
    size_t op_size, void *private_data);
struct fuse *fuse_new_31(struct fuse_args *args, const struct fuse_operations *op,
    size_t op_size, void *private_data);
int fuse_loop_mt_31(struct fuse *f, int clone_fd);
int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config);
int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config);
int fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *opts);
int fuse_parse_cmdline_312(struct fuse_args *args, struct fuse_cmdline_opts *opts);

/* ---- fuse_new --------------------------------------------------------------- */

WEAK struct fuse *fuse_new_31(struct fuse_args *args, const struct fuse_operations *op,
    size_t op_size, void *private_data)
{
    return fuse_new(args, op, op_size, private_data);
}

static int keep_everything(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)data, (void)arg, (void)key, (void)outargs;
    return 1;
}

/* API 30: fuse_new itself answered -h/--help by printing the library's help. */
WEAK struct fuse *fuse_new_30(struct fuse_args *args, const struct fuse_operations *op,
    size_t op_size, void *private_data)
{
    int show_help = 0;
    const struct fuse_opt help_opts[] = {
        { "-h", 0, 1 },
        { "--help", 0, 1 },
        FUSE_OPT_END
    };

    if (fuse_opt_parse(args, &show_help, help_opts, keep_everything) == -1)
        return NULL;
    if (show_help) {
        fuse_lib_help(args);
        return NULL;
    }
    return fuse_new(args, op, op_size, private_data);
}

struct fuse *wf_compat_fuse_new_30(struct fuse_args *args, const struct fuse_operations *op,
    size_t op_size, void *private_data);
COMPAT_SYMVER(wf_compat_fuse_new_30, "fuse_new@FUSE_3.0");
struct fuse *wf_compat_fuse_new_30(struct fuse_args *args, const struct fuse_operations *op,
    size_t op_size, void *private_data)
{
    return fuse_new_30(args, op, op_size, private_data);
}

/* ---- fuse_loop_mt ----------------------------------------------------------- */

WEAK int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config)
{
    return fuse_loop_mt(f, config);
}

/* 3.2 to 3.11: the two-member configuration, now fuse_loop_config_v1. */
WEAK int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config_v1)
{
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    int res;

    if (!config)
        return ENOMEM;
    if (config_v1)
        fuse_loop_cfg_convert(config, config_v1);
    res = fuse_loop_mt(f, config);
    fuse_loop_cfg_destroy(config);
    return res;
}

/* 3.0 and 3.1: only clone_fd. */
WEAK int fuse_loop_mt_31(struct fuse *f, int clone_fd)
{
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    int res;

    if (!config)
        return ENOMEM;
    fuse_loop_cfg_set_clone_fd(config, (unsigned)clone_fd);
    res = fuse_loop_mt(f, config);
    fuse_loop_cfg_destroy(config);
    return res;
}

int wf_compat_fuse_loop_mt_31(struct fuse *f, int clone_fd);
COMPAT_SYMVER(wf_compat_fuse_loop_mt_31, "fuse_loop_mt@FUSE_3.0");
int wf_compat_fuse_loop_mt_31(struct fuse *f, int clone_fd)
{
    return fuse_loop_mt_31(f, clone_fd);
}

int wf_compat_fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config);
COMPAT_SYMVER(wf_compat_fuse_loop_mt_32, "fuse_loop_mt@FUSE_3.2");
int wf_compat_fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config)
{
    return fuse_loop_mt_32(f, config);
}

/* ---- fuse_session_loop_mt --------------------------------------------------- */

/* loop_mt.c defines the _312 variant; the plain name is this, unless it has its own. */
WEAK int fuse_session_loop_mt(struct fuse_session *se, struct fuse_loop_config *config)
{
    return fuse_session_loop_mt_312(se, config);
}

WEAK int fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config_v1)
{
    struct fuse_loop_config *config = NULL;
    int res;

    if (config_v1) {
        config = fuse_loop_cfg_create();
        if (!config)
            return ENOMEM;
        fuse_loop_cfg_convert(config, config_v1);
    }
    res = fuse_session_loop_mt_312(se, config);
    if (config)
        fuse_loop_cfg_destroy(config);
    return res;
}

WEAK int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd)
{
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    int res;

    if (!config)
        return ENOMEM;
    if (clone_fd > 0)
        fuse_loop_cfg_set_clone_fd(config, (unsigned)clone_fd);
    res = fuse_session_loop_mt_312(se, config);
    fuse_loop_cfg_destroy(config);
    return res;
}

int wf_compat_fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd);
COMPAT_SYMVER(wf_compat_fuse_session_loop_mt_31, "fuse_session_loop_mt@FUSE_3.0");
int wf_compat_fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd)
{
    return fuse_session_loop_mt_31(se, clone_fd);
}

int wf_compat_fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config);
COMPAT_SYMVER(wf_compat_fuse_session_loop_mt_32, "fuse_session_loop_mt@FUSE_3.2");
int wf_compat_fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config)
{
    return fuse_session_loop_mt_32(se, config);
}

/* ---- fuse_parse_cmdline ----------------------------------------------------- */

int fuse_parse_cmdline_312(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    return fuse_parse_cmdline(args, opts);
}

/* Before 3.12 the caller's structure ends after max_idle_threads. */
int fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *out)
{
    struct fuse_cmdline_opts opts;
    int res = fuse_parse_cmdline(args, &opts);

    if (res == 0)
        memcpy(out, &opts, offsetof(struct fuse_cmdline_opts, max_threads));
    return res;
}

int wf_compat_fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *opts);
COMPAT_SYMVER(wf_compat_fuse_parse_cmdline_30, "fuse_parse_cmdline@FUSE_3.0");
int wf_compat_fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    return fuse_parse_cmdline_30(args, opts);
}

/* ---- CUSE ---------------------------------------------------------------------- */

/*
 * No channel here carries CUSE (character devices): the entry points exist
 * so that programs linked against them load, and fail when called.
 */
static void no_cuse(void)
{
    fuse_log(FUSE_LOG_ERR, "fuse: CUSE is not supported by this library (winfuse)\n");
}

WEAK struct fuse_session *cuse_lowlevel_new(struct fuse_args *args, const struct cuse_info *ci,
    const struct cuse_lowlevel_ops *clop, void *userdata)
{
    (void)args, (void)ci, (void)clop, (void)userdata;
    no_cuse();
    return NULL;
}

WEAK struct fuse_session *cuse_lowlevel_setup(int argc, char *argv[], const struct cuse_info *ci,
    const struct cuse_lowlevel_ops *clop, int *multithreaded, void *userdata)
{
    (void)argc, (void)argv, (void)ci, (void)clop, (void)multithreaded, (void)userdata;
    no_cuse();
    return NULL;
}

WEAK void cuse_lowlevel_teardown(struct fuse_session *se)
{
    (void)se;
}

WEAK int cuse_lowlevel_main(int argc, char *argv[], const struct cuse_info *ci,
    const struct cuse_lowlevel_ops *clop, void *userdata)
{
    (void)argc, (void)argv, (void)ci, (void)clop, (void)userdata;
    no_cuse();
    return 1;
}
