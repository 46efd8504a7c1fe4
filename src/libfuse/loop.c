/*
 * loop.c - fuse_session_loop(): serve requests in the calling thread until
 * the session exits, over whatever channel the session has.
 *
 * Exit is noticed between requests: a signal handler that calls
 * fuse_session_exit() interrupts the blocking read (the handlers are
 * installed without SA_RESTART, so read() fails with EINTR), and transact
 * channels come back empty-handed at their timeout.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

int fuse_session_loop(struct fuse_session *se)
{
    struct fuse_buf fbuf = {.mem = NULL};
    int res = 0;

    while (!fuse_session_exited(se)) {
        res = fuse_session_receive_buf_int(se, &fbuf, NULL);
        if (res == -EINTR || res == -EAGAIN)
            continue;
        if (res <= 0)
            break;
        fuse_session_process_buf_int(se, &fbuf, NULL);
    }
    /* The last reply may still wait in this thread for a receive that won't come. */
    fuse_session_flush_int(se);
    free(fbuf.mem);
    /* > 0 is only the size of the last request: a normal end. */
    if (res > 0 || res == -EINTR || res == -EAGAIN)
        res = 0;
    if (fuse_session_error_int(se) != 0)
        res = fuse_session_error_int(se);
    fuse_session_reset(se);
    return res;
}
