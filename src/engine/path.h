/*
 * path.h - Windows paths and names <-> POSIX paths and names.
 *
 * The Windows side is UTF-16 (WCHAR) with '\' separators, the POSIX side
 * UTF-8 with '/'. Lengths are explicit, no NUL terminator is read or
 * written, and buffers follow utf.h: dst may be NULL with cap 0 to
 * measure, STATUS_BUFFER_TOO_SMALL reports the size needed in *dst_len.
 *
 * Character mapping (WinFsp's, from src/shared/ku/posix.c, so a FUSE file
 * system sees the same names under winfuse as under WinFsp-FUSE, and the
 * Services-for-Macintosh / Cygwin convention):
 *
 *   POSIX -> Windows: the characters Windows forbids in names,
 *       0x01-0x1F  "  *  :  <  >  ?  \  |
 *     become U+F000 + ch (U+F001-U+F01F, U+F022, U+F02A, U+F03A, U+F03C,
 *     U+F03E, U+F03F, U+F05C, U+F07C). '/' separates components.
 *   Windows -> POSIX: exactly those images map back to their ASCII
 *     character; every other U+F0xx (U+F000 itself, U+F041, ...) passes
 *     through unchanged. '\' separates components.
 *
 * Round trips: POSIX -> Windows -> POSIX is exact for every valid UTF-8
 * name that does not already contain one of the images above (WinFsp has
 * the same ambiguity: a POSIX name holding a literal U+F02A reads back as
 * '*'). Windows -> POSIX -> Windows is exact for every name
 * wf_name_validate accepts that is also well-formed UTF-16.
 *
 * What is refused (STATUS_OBJECT_NAME_INVALID), because it would change
 * which POSIX file a name designates rather than merely spell it:
 *   Windows -> POSIX: U+0000, '/', an unpaired surrogate, and in the
 *     single-name variants also '\';
 *   POSIX -> Windows: a NUL byte, invalid UTF-8 (unless WF_UTF_REPLACE is
 *     passed to an _ex variant: then each bad piece becomes U+FFFD, and
 *     the status is STATUS_SOME_NOT_MAPPED), and in the single-name
 *     variants also '/'.
 * Other characters Windows forbids (':' '*' ...) pass Windows -> POSIX
 * unchanged, as in WinFsp: validating is wf_path_validate's job, and
 * ':' is the stream separator there. Likewise "." and ".." components
 * and relative paths are mapped as they are, since symbolic link targets
 * ("..\lib") go through the same mapping: callers mapping a name that
 * designates a file validate it first (wf_path_validate refuses them).
 */
#ifndef WINFUSE_ENGINE_PATH_H
#define WINFUSE_ENGINE_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "winfuse/ntdefs.h"

/* Longest name component when the caller passes 0: NTFS's, and the
 * MaxComponentLength WinFsp volumes default to. */
#define WF_NAME_COMPONENT_MAX 255
/* Longest path when the caller passes 0: the most a UNICODE_STRING holds. */
#define WF_PATH_WCHARS_MAX 32767

/* ---- mapping ---- */

NTSTATUS wf_path_windows_to_posix(const WCHAR *win, size_t win_len,
    char *dst, size_t dst_cap, size_t *dst_len);
NTSTATUS wf_path_posix_to_windows(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len);
NTSTATUS wf_path_posix_to_windows_ex(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len, unsigned flags);

/* One component: no separator either side. */
NTSTATUS wf_name_windows_to_posix(const WCHAR *win, size_t win_len,
    char *dst, size_t dst_cap, size_t *dst_len);
NTSTATUS wf_name_posix_to_windows(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len);
NTSTATUS wf_name_posix_to_windows_ex(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len, unsigned flags);

/* ---- validation ---- */

/* wf_name_validate flags */
#define WF_NAME_WILDCARDS 0x1u /* allow * ? < > " (a QueryDirectory pattern) */

/*
 * Is name a valid Windows file name component? STATUS_SUCCESS or
 * STATUS_OBJECT_NAME_INVALID, for:
 *   - empty, or longer than max_len WCHARs (0: WF_NAME_COMPONENT_MAX);
 *   - a character NTFS forbids: U+0000-U+001F  "  *  /  :  <  >  ?  \  |
 *     (with WF_NAME_WILDCARDS, * ? < > " are allowed; ':' and '|' never);
 *   - "." or "..": NTFS refuses them as names, and on the FUSE side they
 *     would walk the tree.
 * Accepted, as NTFS does through the NT API: trailing dots and spaces
 * ("a.", "a "; only Win32 strips them), unpaired surrogates and any other
 * non-ASCII unit (NTFS names are WCHAR strings, not Unicode text; the
 * POSIX mapping refuses unpaired surrogates later, with the same status).
 */
NTSTATUS wf_name_validate(const WCHAR *name, size_t len, size_t max_len, unsigned flags);

/* wf_path_validate flags */
#define WF_PATH_STREAMS 0x1u /* the volume has named streams: allow name:stream[:$DATA] */

typedef struct wf_path_info {
    size_t file_len;      /* WCHARs of the file part: no stream, no trailing '\' */
    size_t stream_off;    /* index of the stream name (after the first ':') */
    size_t stream_len;    /* WCHARs of the stream name; 0 for "name::$DATA" */
    bool has_stream;      /* the path had a ':' stream part */
    bool stream_type_data; /* the stream part ended in ":$DATA" */
    bool trailing_backslash; /* the path ended in a single '\' (not the root) */
} wf_path_info;

/*
 * Is path a valid absolute Windows path as the FSD forwards it (after
 * the volume prefix is removed)? Modelled on WinFsp's FSD
 * (src/sys/name.c FspFileNameIsValid and the checks in src/sys/create.c)
 * plus NTFS's refusal of "." and "..":
 *   - it starts with '\'; "\" alone is the root;
 *   - no "\\" anywhere (WinFsp refuses it; the FSD strips a doubled one at
 *     the very start before this point);
 *   - one trailing '\' is allowed and reported in info;
 *   - every component passes wf_name_validate(..., max_component, 0);
 *   - a ':' may only appear in the last component and only with
 *     WF_PATH_STREAMS; the stream part is ":name", ":name:$DATA" or
 *     "::$DATA" ($DATA in any case), a stream name may hold any character
 *     but NUL '/' '\' ':', and as in WinFsp the whole last component,
 *     stream part included, counts against max_component;
 *   - the whole path is at most max_path WCHARs (0: WF_PATH_WCHARS_MAX).
 * Statuses: STATUS_SUCCESS; STATUS_NAME_TOO_LONG when only the total
 * length is exceeded (Win32 ERROR_FILENAME_EXCED_RANGE); otherwise
 * STATUS_OBJECT_NAME_INVALID, the status WinFsp's FSD answers for every
 * other malformed name. info may be NULL.
 */
NTSTATUS wf_path_validate(const WCHAR *path, size_t len, size_t max_component,
    size_t max_path, unsigned flags, wf_path_info *info);

/* ---- helpers ---- */

/*
 * Split a Windows path at its last '\' (a run of them counts as one), as
 * WinFsp's FspFileNameSuffix does:
 *   "\a\b" -> parent "\a", name "b";   "\a" -> parent "\", name "a";
 *   "\"    -> parent "\", name "";     "a"  -> parent "",  name "a";
 *   "\a\"  -> parent "\a", name "".
 * The parent is path[0, *parent_len); the name path[*name_off, len).
 */
void wf_path_split_last(const WCHAR *path, size_t len, size_t *parent_len, size_t *name_off);

/*
 * Iterate over the components of a Windows path, skipping separators:
 *     size_t pos = 0, off, clen;
 *     while (wf_path_next_component(path, len, &pos, &off, &clen)) ...
 * yields "a" and "b" for "\a\b" and nothing for "\".
 */
bool wf_path_next_component(const WCHAR *path, size_t len, size_t *pos,
    size_t *comp_off, size_t *comp_len);

#endif
