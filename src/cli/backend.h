/*
 * backend.h - the Windows path the `winfuse` subcommands share: an fsd
 * volume (the WinFsp FSD stand-in), an engine (the winfuse driver) and
 * the FUSE file system behind it, either the embedded memfs on our
 * libfuse's engine channel or an external FUSE program started by the
 * wslfuse launcher ("{}" standing for its mountpoint argument).
 *
 *     wf_cli_options o;  wf_cli_options_init(&o);  wf_cli_option(&o, "uid", "0") ...
 *     wf_cli_stack s;    wf_cli_stack_start(&s, &o, argv_or_NULL, &hooks);
 *     ... nt_* calls on s.volume ...
 *     wf_cli_stack_stop(&s);
 */
#ifndef WINFUSE_CLI_BACKEND_H
#define WINFUSE_CLI_BACKEND_H

#include <pthread.h>
#include <stdbool.h>

#include "winfuse/engine.h"
#include "winfuse/fsd.h"
#include "wslfuse/launch.h"

/* What builds the volume and its file system (the -o options they share). */
typedef struct wf_cli_options {
    wf_engine_config engine;
    UINT32 uid, gid;             /* whom requests come from by default */
    unsigned threads;            /* file system threads (memfs) or channel threads */
    wf_launch_channel channel;
    bool fuse_debug;             /* the embedded memfs logs every FUSE request (libfuse -d) */
} wf_cli_options;

void wf_cli_options_init(wf_cli_options *o);

/*
 * One "-o name[=value]" option of the volume: 1 when taken, 0 when it is
 * not a volume option (the caller may know it), -1 when malformed (a
 * message was printed).
 *   case_insensitive, FileInfoTimeout=MS, hide_dot_files, uid=N, gid=N,
 *   threads=N, channel=auto|fd|fusermount|mount
 */
int wf_cli_option(wf_cli_options *o, const char *name, const char *value);

/* The lines of --help that describe those options. */
extern const char wf_cli_options_help[];

/* Optional observers of the stack. */
typedef struct wf_cli_hooks {
    /*
     * The file system went away by itself (its process exited or died):
     * called once, on a channel thread, after the volume was stopped (every
     * NT call fails from now on).
     */
    void (*gone)(void *context);
    /*
     * Every WinFsp request the engine takes and every response it gives,
     * one line of text each (no newline). Set: the stack interposes a
     * provider that reports them.
     */
    void (*trace)(void *context, const char *line);
    void *context;
} wf_cli_hooks;

typedef struct wf_cli_stack {
    wf_fsd_volume *volume;
    wf_engine *engine;
    /* embedded memfs */
    struct fuse *fuse;
    pthread_t loop;
    bool loop_running;
    void *memfs;                 /* struct memfs_options */
    /* an external FUSE program */
    wf_launched *launched;
    /* the tracing provider, when hooks->trace */
    wf_provider provider;
    const wf_provider *inner;
    wf_cli_hooks hooks;
} wf_cli_stack;

/*
 * Build volume and engine, mount the volume, start the file system:
 * argv (a NULL-terminated FUSE program command) or, when NULL, the
 * embedded memfs. Returns 0, or 2 after printing why (nothing is left
 * running). The thread's credentials become o->uid/o->gid.
 */
int wf_cli_stack_start(wf_cli_stack *s, const wf_cli_options *o, char **argv,
    const wf_cli_hooks *hooks);

/* The program's pid, or 0 for the embedded memfs. */
int wf_cli_stack_pid(wf_cli_stack *s);

/*
 * End it cleanly: unmount the volume (every handle closed, the file
 * system gets DESTROY), wait for the file system to end, free it all.
 * Returns the program's wait status (0 for memfs).
 */
int wf_cli_stack_stop(wf_cli_stack *s);

/* "Create", "Read", ... for a FspFsctlTransact*Kind. */
const char *wf_cli_request_kind_name(UINT32 kind);

#endif
