/*
 * wslfuse_harness.h - what the wslfuse tests share: an engine whose WinFsp
 * side is a queue the test fills (as the fsd would), a FUSE program
 * started with the launcher (src/wslfuse/launch.h) behind it, WinFsp
 * requests built by hand, and trees of files written through the engine
 * and compared byte for byte.
 *
 * Functions named wh_expect_* and wh_*_ok assert (cmocka); the others
 * return what happened.
 */
#ifndef WINFUSE_TESTS_WSLFUSE_HARNESS_H
#define WINFUSE_TESTS_WSLFUSE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "winfuse/engine.h"
#include "winfuse/fsctl.h"
#include "winfuse/ntdefs.h"
#include "winfuse/ntstatus.h"
#include "wslfuse/launch.h"

/* Deadlines keep a broken engine from hanging the run; nothing is timed. */
#define WH_DEADLINE_S 60

typedef struct wh wh;
/* A request in flight: queue_provider.h's slot. */
typedef struct tq_slot wh_slot;

typedef struct wh_config {
    wf_launch_channel channel;
    unsigned threads;             /* channel sending threads; 0: 2 */
    int64_t transact_timeout_ns;  /* 0: one second */
    UINT32 file_info_timeout_ms;  /* 0: the engine's default */
} wh_config;

/* An engine with the queue provider; no program yet. */
wh *wh_new(const wh_config *config);
/* Start the program (argv with "{}") behind it; 0 or -errno. */
int wh_launch(wh *h, char **argv);
wf_launched *wh_launched(wh *h);
wf_engine *wh_engine(wh *h);
/*
 * The volume goes away as the fsd would unmount it: the engine sends
 * DESTROY. True when the file system answered it before the deadline.
 */
bool wh_unmount(wh *h, int deadline_s);
/* wf_launch_stop: returns the program's wait status. */
int wh_stop(wh *h);
/* Delete the engine; every request submitted must have been awaited. */
void wh_free(wh *h);
/* After a failure: end the program, drop what is outstanding, delete the engine. */
void wh_discard(wh *h);
/* The file system went away by itself (the launcher said so). */
bool wh_dead(wh *h);
/* Responses that matched no request (must stay 0). */
unsigned wh_stray(wh *h);

/* ---- requests ---- */

FSP_FSCTL_TRANSACT_REQ *wh_req(UINT32 kind);
FSP_FSCTL_TRANSACT_BUF wh_req_bytes(FSP_FSCTL_TRANSACT_REQ *req, const void *p, size_t n);
FSP_FSCTL_TRANSACT_BUF wh_req_path(FSP_FSCTL_TRANSACT_REQ *req, const char *path);

wh_slot *wh_submit(wh *h, FSP_FSCTL_TRANSACT_REQ *req);
/*
 * Wait for a submitted request up to deadline_ms; false (and the slot
 * still pending) when it did not complete in time. On completion the slot
 * is freed and its response copied to rsp (FSP_FSCTL_TRANSACT_RSP_SIZEMAX
 * bytes) when given.
 */
bool wh_await(wh *h, wh_slot *s, int64_t deadline_ms, FSP_FSCTL_TRANSACT_RSP *rsp);
/* Submit and await (WH_DEADLINE_S; failing the test on timeout). */
NTSTATUS wh_call(wh *h, FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp);
/* The last response of wh_call and the helpers below. */
const FSP_FSCTL_TRANSACT_RSP *wh_rsp(wh *h);

NTSTATUS wh_open(wh *h, const char *path, UINT32 disposition, UINT32 options, UINT32 access,
    UINT64 *handle);
void wh_close(wh *h, UINT64 handle);
NTSTATUS wh_write(wh *h, UINT64 handle, UINT64 offset, const void *data, UINT32 len);
NTSTATUS wh_read(wh *h, UINT64 handle, UINT64 offset, void *buf, UINT32 len, UINT32 *got);
NTSTATUS wh_query_info(wh *h, UINT64 handle, FSP_FSCTL_FILE_INFO *info);

/* Rename as Windows does: open the source, set FileRenameInformation. */
NTSTATUS wh_rename(wh *h, const char *from, const char *to, bool replace);
/* Delete as Windows does: open, mark for deletion, the last cleanup removes it. */
NTSTATUS wh_delete(wh *h, const char *path, bool dir);
/*
 * Renames (plain, into another directory, replacing, of a directory) and
 * deletes through the engine, each checked; leaves the volume as it was.
 */
void wh_exercise_namespace(wh *h);
/*
 * The first request, given the time a program needs to start and mount:
 * fails the test with what the engine says when it does not come back.
 */
void wh_expect_ready(wh *h, const char *name);

/* ---- directory listings ---- */

typedef struct wh_listing {
    size_t count;
    char (*names)[256];
    FSP_FSCTL_FILE_INFO *info;
    size_t cap;
} wh_listing;

/* Every entry of an open directory, through as many requests as it takes. */
NTSTATUS wh_list(wh *h, UINT64 dir, UINT32 bufsize, wh_listing *out);
void wh_listing_free(wh_listing *l);

/* ---- trees ---- */

typedef struct wh_entry {
    const char *path;   /* Windows form, "\a\b"; the POSIX form swaps the separators */
    bool dir;
    UINT32 size;
    unsigned seed;      /* what the content is made of */
} wh_entry;

/* Nested directories; files of 0 bytes, a few, a page +- 1, and more than 1 MiB. */
extern const wh_entry wh_tree[];
extern const size_t wh_tree_count;

void wh_fill(UINT8 *buf, size_t len, unsigned seed);
/* Create the tree through the engine (WinFsp Create and Write). */
void wh_write_tree(wh *h, const wh_entry *tree, size_t n);
/* Read it back through the engine and compare, listing every directory too. */
void wh_expect_tree(wh *h, const wh_entry *tree, size_t n);
/* Create the tree on the local disk under root. */
void wh_make_tree_on_disk(const char *root, const wh_entry *tree, size_t n);
/* Compare the local disk under root with the tree, byte for byte. */
void wh_expect_tree_on_disk(const char *root, const wh_entry *tree, size_t n);

/* ---- processes and files ---- */

/* Run a command to its end; its exit status, or -1. Output goes to stderr. */
int wh_run(char **argv);
/* Start a command in the background: its pid (ended with wh_end). */
pid_t wh_spawn(char **argv);
/* SIGTERM, up to 5 seconds, then SIGKILL; reaped by pid. Its wait status. */
int wh_end(pid_t pid);
/* rm -rf, without a shell. */
void wh_rmtree(const char *path);
/* A directory made with mkdtemp under /tmp. */
char *wh_tempdir(const char *prefix);
/* An executable in PATH, or NULL. */
bool wh_have(const char *program, char *path, size_t cap);

#endif
