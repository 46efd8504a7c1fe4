/*
 * fsd.h - the WinFsp FSD stand-in: volumes that turn NT file API calls
 * (winfuse/nt.h) into FSP_FSCTL_TRANSACT requests for an engine.
 *
 * On Windows the WinFsp driver does this in the kernel; on Linux the fsd
 * does it in user mode, with the same rules: file objects and handles,
 * share access, delete-pending, Cleanup before Close, Overwrite after
 * Create, directory enumeration, byte-range locks, file info caching.
 *
 * Life of a volume:
 *     wf_fsd_volume_new(&vol);                       the provider exists
 *     wf_engine_create(&config, wf_fsd_volume_provider(vol), &engine);
 *     wf_fsd_volume_mount(vol, wf_engine_volume_params(engine));
 *     ... nt_* calls from any thread; FUSE threads call wf_transact ...
 *     wf_fsd_volume_unmount(vol);                    handles closed, requests drained
 *     wf_engine_delete(engine); wf_fsd_volume_delete(vol);
 */
#ifndef WINFUSE_FSD_H
#define WINFUSE_FSD_H

#include "winfuse/engine.h"
#include "winfuse/fsctl.h"
#include "winfuse/ntdefs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wf_fsd_volume wf_fsd_volume;

NTSTATUS wf_fsd_volume_new(wf_fsd_volume **volume);

/* The provider side the engine is created with (valid until delete). */
const wf_provider *wf_fsd_volume_provider(wf_fsd_volume *volume);

/* Start serving requests with these parameters (the engine's adjusted ones). */
NTSTATUS wf_fsd_volume_mount(wf_fsd_volume *volume, const FSP_FSCTL_VOLUME_PARAMS *params);

/*
 * End the volume: new calls fail with STATUS_VOLUME_DISMOUNTED, calls in
 * progress finish (a caller waiting for a byte-range lock gets
 * STATUS_CANCELLED), open handles are cleaned up and closed (so the file
 * system sees every Cleanup and Close), and then the provider reports the
 * volume gone (next_request fails), which makes the engine send DESTROY.
 * Handles stay allocated until nt_close, which then succeeds; every other
 * call on them fails with STATUS_VOLUME_DISMOUNTED.
 */
void wf_fsd_volume_unmount(wf_fsd_volume *volume);

/*
 * The file system is gone (its engine was stopped with wf_engine_stop:
 * the FUSE process died, its channel closed). Call it after
 * wf_engine_stop, which completes every request the engine had taken with
 * STATUS_CANCELLED. Here the requests still queued, and every request made
 * later, complete with STATUS_CANCELLED at once, as WinFsp fails the IRPs
 * of a stopped I/O queue; nt_close still releases handles (sending
 * nothing). Without it, a queued request nobody takes ends after
 * VolumeParams.IrpTimeout with STATUS_CANCELLED.
 *
 * Waiting, in general: a caller only ever waits for its own request, for
 * at most IrpTimeout while the request is queued, and for as long as the
 * engine holds it once taken, since the engine may be copying into the
 * caller's buffer (Read, Write); the engine always completes what it took,
 * with the reply or with STATUS_CANCELLED when stopped. Requests that do
 * not name caller memory are abandoned after IrpTimeout even when taken.
 */
void wf_fsd_volume_stop(wf_fsd_volume *volume);

void wf_fsd_volume_delete(wf_fsd_volume *volume);

/*
 * The calling thread's identity, as a Windows thread's access token: the
 * fsd turns it into the AccessToken of the requests this thread causes
 * (Create, Rename), which the engine resolves to a FUSE uid, gid and pid.
 * A thread that never sets one acts as the process (getuid, getgid, getpid).
 */
void wf_fsd_set_thread_credentials(UINT32 uid, UINT32 gid, UINT32 pid);

#ifdef __cplusplus
}
#endif

#endif
