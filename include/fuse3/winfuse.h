/*
 * winfuse.h - winfuse's extension of the fuse3-compatible API: serve a
 * session through the in-process winfuse engine instead of /dev/fuse.
 *
 * Include after <fuse.h> or <fuse_lowlevel.h>. The engine is created with
 * include/winfuse/engine.h; it must outlive the session.
 */
#ifndef WINFUSE_FUSE3_WINFUSE_H
#define WINFUSE_FUSE3_WINFUSE_H

#ifdef __cplusplus
extern "C" {
#endif

struct fuse;
struct fuse_session;
struct wf_engine;

/*
 * Attach the session to engine in place of fuse_session_mount(): requests
 * come from the engine and replies go back to it. 0, or -1 after logging.
 */
int fuse_session_mount_engine(struct fuse_session *se, struct wf_engine *engine);

/* The high-level counterpart of fuse_session_mount_engine(), for fuse_mount(). */
int fuse_mount_engine(struct fuse *f, struct wf_engine *engine);

#ifdef __cplusplus
}
#endif

#endif /* WINFUSE_FUSE3_WINFUSE_H */
