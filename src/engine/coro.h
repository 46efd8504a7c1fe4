/*
 * coro.h - stackless coroutines for the engine's request state machines.
 *
 * A WinFsp request may need several FUSE round trips, and the engine must
 * not park a thread while the file system answers. So each request family
 * is written as straight-line code that suspends at every FUSE request
 * (WF_SEND) and is resumed, by whichever thread brings the reply, right
 * after the suspension point. Nested steps (path walking, opening) are
 * coroutines too (WF_AWAIT), each with its own state slot.
 *
 * Rules that follow from the technique:
 * - locals do not survive WF_SEND or WF_AWAIT: keep state in the context;
 * - at most one WF_SEND or WF_AWAIT per source line;
 * - a coroutine body is WF_CORO_BEGIN(c) ... WF_CORO_END(c), and leaves
 *   early with WF_CORO_RETURN(c).
 */
#ifndef WINFUSE_ENGINE_CORO_H
#define WINFUSE_ENGINE_CORO_H

#if defined(__GNUC__)
#define WF_FALLTHROUGH __attribute__((fallthrough))
#else
#define WF_FALLTHROUGH ((void)0)
#endif

#define WF_CORO_DEPTH 8

#define WF_CORO_BEGIN(c)                                \
    int *wf_coro_state_ = &(c)->coro[(c)->coro_depth]; \
    switch (*wf_coro_state_) {                          \
    case 0:

#define WF_CORO_END(c)    \
    }                     \
    *wf_coro_state_ = 0; \
    return

#define WF_CORO_RETURN(c)     \
    do {                      \
        *wf_coro_state_ = 0; \
        return;               \
    } while (0)

/* Suspend until the reply to the request prepared with wf_prep() arrives. */
#define WF_SEND(c)                     \
    do {                               \
        *wf_coro_state_ = __LINE__;    \
        (c)->waiting = true;           \
        return;                        \
    case __LINE__:;                    \
    } while (0)

/* Run a nested coroutine to its end, suspending whenever it does. */
#define WF_AWAIT(c, call)                          \
    do {                                           \
        *wf_coro_state_ = __LINE__;                \
        (c)->coro[(c)->coro_depth + 1] = 0;        \
        WF_FALLTHROUGH;                            \
    case __LINE__:                                 \
        (c)->coro_depth++;                         \
        call;                                      \
        (c)->coro_depth--;                         \
        if ((c)->waiting)                          \
            return;                                \
    } while (0)

#endif
