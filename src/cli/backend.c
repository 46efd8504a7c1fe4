/*
 * backend.c - the fsd volume, the engine and the FUSE file system behind
 * them, as every `winfuse` subcommand builds them (backend.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUSE_USE_VERSION 314
#include <fuse.h>
#include <winfuse.h>

#include "cli/backend.h"
#include "engine/status.h"
#include "engine/utf.h"
#include "winfuse/fuse_proto.h"
#include "memfs_ops.h"

const char wf_cli_options_help[] =
    "       case_insensitive     the volume folds case in names (FUSE cannot say so)\n"
    "       FileInfoTimeout=MS   how long file information is cached (default 1000)\n"
    "       hide_dot_files       report names that begin with '.' as hidden\n"
    "       uid=N,gid=N          whom requests come from by default (default: you)\n"
    "       threads=N            file system threads (default 2)\n"
    "       channel=auto|fd|fusermount|mount\n"
    "                            how the program gets its channel (docs/wslfuse.md):\n"
    "                            \"/dev/fd/N\" (libfuse 3), our fusermount3 (libfuse 2),\n"
    "                            or its own mount(2), intercepted (default: auto)\n";

void wf_cli_options_init(wf_cli_options *o)
{
    memset(o, 0, sizeof *o);
    wf_engine_config_init(&o->engine);
    o->uid = getuid();
    o->gid = getgid();
    o->threads = 2;
    o->channel = WF_LAUNCH_AUTO;
}

static bool parse_number(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

int wf_cli_option(wf_cli_options *o, const char *name, const char *value)
{
    unsigned long n;
    bool ok;

    if (!strcmp(name, "case_insensitive")) {
        ok = !value;
        if (ok)
            o->engine.volume_params.CaseSensitiveSearch = 0;
    } else if (!strcmp(name, "FileInfoTimeout")) {
        ok = parse_number(value, UINT32_MAX, &n);
        if (ok)
            o->engine.volume_params.FileInfoTimeout = (UINT32)n;
    } else if (!strcmp(name, "hide_dot_files")) {
        ok = !value;
        if (ok)
            o->engine.hide_dot_files = true;
    } else if (!strcmp(name, "uid")) {
        ok = parse_number(value, UINT32_MAX - 1, &n);
        if (ok)
            o->uid = (UINT32)n;
    } else if (!strcmp(name, "gid")) {
        ok = parse_number(value, UINT32_MAX - 1, &n);
        if (ok)
            o->gid = (UINT32)n;
    } else if (!strcmp(name, "threads")) {
        ok = parse_number(value, 64, &n) && n;
        if (ok)
            o->threads = (unsigned)n;
    } else if (!strcmp(name, "channel")) {
        ok = value && wf_launch_channel_parse(value, &o->channel) == 0;
    } else {
        return 0;
    }
    if (!ok) {
        fprintf(stderr, "winfuse: malformed option: '-o %s%s%s'\n", name, value ? "=" : "",
            value ? value : "");
        return -1;
    }
    return 1;
}

/* ---- the tracing provider: the fsd's, with a line per request and response ---- */

const char *wf_cli_request_kind_name(UINT32 kind)
{
    static const char *const names[] = {
        "Reserved", "Create", "Overwrite", "Cleanup", "Close", "Read", "Write",
        "QueryInformation", "SetInformation", "QueryEa", "SetEa", "FlushBuffers",
        "QueryVolumeInformation", "SetVolumeInformation", "QueryDirectory",
        "FileSystemControl", "DeviceControl", "Shutdown", "LockControl", "QuerySecurity",
        "SetSecurity", "QueryStreamInformation",
    };
    return kind < sizeof names / sizeof names[0] ? names[kind] : "Unknown";
}

static void trace(wf_cli_stack *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(wf_cli_stack *s, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->hooks.trace(s->hooks.context, line);
}

static NTSTATUS trace_next_request(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
    int64_t timeout_ns)
{
    wf_cli_stack *s = context;
    NTSTATUS status = s->inner->next_request(s->inner->context, req, cap, timeout_ns);
    const WCHAR *w;
    size_t wlen, len = 0;
    char name[256] = "";

    if (status != STATUS_SUCCESS)
        return status;
    if (req->FileName.Size && wf_fsctl_req_wstr(req, req->FileName, &w, &wlen)) {
        if (!NT_SUCCESS(wf_utf16_to_utf8(w, wlen, name, sizeof name - 1, &len, WF_UTF_REPLACE)))
            len = 0;
        name[len] = 0;
    }
    trace(s, "winfsp    %s%s%s%s (hint %llu)", wf_cli_request_kind_name(req->Kind),
        len ? " \"" : "", name, len ? "\"" : "", (unsigned long long)req->Hint);
    return status;
}

static void trace_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    wf_cli_stack *s = context;
    char status[WF_STATUS_FORMAT_MAX];

    wf_status_format((NTSTATUS)rsp->IoStatus.Status, status, sizeof status);
    trace(s, "winfsp    %s -> %s, %u (hint %llu)", wf_cli_request_kind_name(rsp->Kind), status,
        rsp->IoStatus.Information, (unsigned long long)rsp->Hint);
    s->inner->complete(s->inner->context, rsp);
}

static void trace_wake(void *context)
{
    wf_cli_stack *s = context;
    s->inner->wake(s->inner->context);
}

static NTSTATUS trace_credentials(void *context, UINT64 access_token, UINT32 *uid, UINT32 *gid,
    UINT32 *pid)
{
    wf_cli_stack *s = context;
    if (!s->inner->credentials)
        return STATUS_NOT_SUPPORTED;
    return s->inner->credentials(s->inner->context, access_token, uid, gid, pid);
}

/* FUSE opcode names (winfuse/fuse_proto.h's numbers). */
static const char *fuse_opcode_name(uint32_t op)
{
    static const char *const names[] = {
        NULL, "LOOKUP", "FORGET", "GETATTR", "SETATTR", "READLINK", "SYMLINK", NULL, "MKNOD",
        "MKDIR", "UNLINK", "RMDIR", "RENAME", "LINK", "OPEN", "READ", "WRITE", "STATFS",
        "RELEASE", NULL, "FSYNC", "SETXATTR", "GETXATTR", "LISTXATTR", "REMOVEXATTR", "FLUSH",
        "INIT", "OPENDIR", "READDIR", "RELEASEDIR", "FSYNCDIR", "GETLK", "SETLK", "SETLKW",
        "ACCESS", "CREATE", "INTERRUPT", "BMAP", "DESTROY", "IOCTL", "POLL", "NOTIFY_REPLY",
        "BATCH_FORGET", "FALLOCATE", "READDIRPLUS", "RENAME2", "LSEEK", "COPY_FILE_RANGE",
        "SETUPMAPPING", "REMOVEMAPPING", "SYNCFS", "TMPFILE",
    };
    return op < sizeof names / sizeof names[0] && names[op] ? names[op] : "?";
}

/* The engine's view of the FUSE side: each request out, each reply in. */
static void trace_fuse(void *context, bool reply, const void *msg, size_t len)
{
    wf_cli_stack *s = context;

    if (!reply && len >= sizeof(struct fuse_in_header)) {
        struct fuse_in_header in;
        memcpy(&in, msg, sizeof in);
        trace(s, "fuse          %s nodeid %llu (unique %llu, %zu bytes)",
            fuse_opcode_name(in.opcode), (unsigned long long)in.nodeid,
            (unsigned long long)in.unique, len);
    } else if (reply && len >= sizeof(struct fuse_out_header)) {
        struct fuse_out_header out;
        memcpy(&out, msg, sizeof out);
        trace(s, "fuse          reply %d (unique %llu, %zu bytes)", out.error,
            (unsigned long long)out.unique, len);
    }
}

/* ---- the file system ---- */

static void *memfs_loop(void *arg)
{
    wf_cli_stack *s = arg;
    struct fuse_loop_config *config = fuse_loop_cfg_create();

    fuse_loop_cfg_set_max_threads(config, 4);
    fuse_loop_mt(s->fuse, config);
    fuse_loop_cfg_destroy(config);
    return NULL;
}

static int start_memfs(wf_cli_stack *s, const wf_cli_options *o)
{
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

    s->memfs = calloc(1, sizeof(struct memfs_options));
    if (!s->memfs)
        return -1;
    if (fuse_opt_add_arg(&args, "winfuse-memfs") != 0 ||
        (o->fuse_debug && fuse_opt_add_arg(&args, "-d") != 0)) {
        fuse_opt_free_args(&args);
        return -1;
    }
    s->fuse = fuse_new(&args, memfs_operations(), sizeof(struct fuse_operations), s->memfs);
    fuse_opt_free_args(&args);
    if (!s->fuse)
        return -1;
    if (fuse_mount_engine(s->fuse, s->engine) != 0) {
        fuse_destroy(s->fuse);
        s->fuse = NULL;
        return -1;
    }
    if (pthread_create(&s->loop, NULL, memfs_loop, s) != 0) {
        fuse_destroy(s->fuse);
        s->fuse = NULL;
        return -1;
    }
    s->loop_running = true;
    return 0;
}

/* The program went away by itself: what the volume still holds fails at once. */
static void volume_gone(void *context)
{
    wf_cli_stack *s = context;

    wf_fsd_volume_stop(s->volume);
    if (s->hooks.gone)
        s->hooks.gone(s->hooks.context);
}

static int start_program(wf_cli_stack *s, const wf_cli_options *o, char **argv)
{
    wf_launch_options lo;
    int err;

    wf_launch_options_init(&lo);
    lo.channel = o->channel;
    lo.threads = o->threads;
    lo.gone = volume_gone;
    lo.gone_context = s;
    err = wf_launch_ex(s->engine, argv, &lo, &s->launched);
    if (err) {
        fprintf(stderr, "winfuse: cannot start the file system: %s\n", strerror(-err));
        return -1;
    }
    return 0;
}

static int stop_file_system(wf_cli_stack *s)
{
    int status = 0;

    if (s->loop_running)
        pthread_join(s->loop, NULL);
    s->loop_running = false;
    if (s->fuse) {
        fuse_unmount(s->fuse);
        fuse_destroy(s->fuse);
        s->fuse = NULL;
    }
    free(s->memfs);
    s->memfs = NULL;
    if (s->launched)
        status = wf_launch_stop(s->launched);
    s->launched = NULL;
    return status;
}

static void release(wf_cli_stack *s)
{
    if (s->engine) {
        wf_engine_stop(s->engine);
        wf_engine_delete(s->engine);
        s->engine = NULL;
    }
    if (s->volume)
        wf_fsd_volume_delete(s->volume);
    s->volume = NULL;
}

int wf_cli_stack_start(wf_cli_stack *s, const wf_cli_options *o, char **argv,
    const wf_cli_hooks *hooks)
{
    wf_engine_config config = o->engine;
    const wf_provider *provider;
    NTSTATUS status;

    memset(s, 0, sizeof *s);
    if (hooks)
        s->hooks = *hooks;
    config.default_uid = o->uid;
    config.default_gid = o->gid;
    wf_fsd_set_thread_credentials(o->uid, o->gid, (UINT32)getpid());
    status = wf_fsd_volume_new(&s->volume);
    if (NT_SUCCESS(status)) {
        provider = s->inner = wf_fsd_volume_provider(s->volume);
        if (s->hooks.trace) {
            s->provider.context = s;
            s->provider.next_request = trace_next_request;
            s->provider.complete = trace_complete;
            s->provider.wake = trace_wake;
            s->provider.credentials = trace_credentials;
            provider = &s->provider;
        }
        if (s->hooks.trace) {
            config.trace = trace_fuse;
            config.trace_context = s;
        }
        status = wf_engine_create(&config, provider, &s->engine);
    }
    if (NT_SUCCESS(status))
        status = wf_fsd_volume_mount(s->volume, wf_engine_volume_params(s->engine));
    if (!NT_SUCCESS(status)) {
        char name[WF_STATUS_FORMAT_MAX];
        wf_status_format(status, name, sizeof name);
        fprintf(stderr, "winfuse: cannot create the volume: %s\n", name);
        release(s);
        return 2;
    }
    if (argv ? start_program(s, o, argv) : start_memfs(s, o)) {
        fprintf(stderr, "winfuse: cannot start the file system\n");
        wf_fsd_volume_unmount(s->volume);
        wf_engine_stop(s->engine);
        stop_file_system(s);
        release(s);
        return 2;
    }
    return 0;
}

int wf_cli_stack_pid(wf_cli_stack *s)
{
    wf_launch_info info;

    if (!s->launched)
        return 0;
    wf_launch_get_info(s->launched, &info);
    return (int)info.pid;
}

int wf_cli_stack_stop(wf_cli_stack *s)
{
    int status;

    if (!s->volume)
        return 0;
    wf_fsd_volume_unmount(s->volume);
    status = stop_file_system(s);
    release(s);
    return status;
}
