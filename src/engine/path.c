/*
 * path.c - Windows <-> POSIX path mapping, name and path validation.
 *
 * The mapping walks code points (utf.c's decoders) rather than converting
 * first and patching afterwards, so one pass both converts and maps, and
 * a too-small buffer still learns the exact size it needs.
 */
#include "engine/path.h"
#include "engine/utf.h"

#include <string.h>

/* The private-use block the forbidden ASCII characters are moved into. */
#define WF_PATH_PUA_BASE 0xF000u

/*
 * ASCII characters a POSIX name may hold but a Windows name may not: the
 * controls 0x01-0x1F and " * : < > ? \ |. NUL is not here: no POSIX name
 * holds it, and U+F000 must stay itself so that the mapping is a bijection
 * on what it touches. '/' is not here either: it is the POSIX separator.
 */
static bool wf_path_ascii_forbidden(uint32_t c)
{
    if (c >= 0x01 && c <= 0x1F)
        return true;
    switch (c) {
    case '"': case '*': case ':': case '<': case '>': case '?': case '\\': case '|':
        return true;
    default:
        return false;
    }
}

static NTSTATUS wf_path_fail(size_t *dst_len, NTSTATUS status)
{
    if (dst_len)
        *dst_len = 0;
    return status;
}

static NTSTATUS wf_path_to_posix(const WCHAR *win, size_t win_len,
    char *dst, size_t dst_cap, size_t *dst_len, bool single_name)
{
    size_t pos = 0, out = 0;

    if (dst == NULL)
        dst_cap = 0;
    if (win == NULL && win_len != 0)
        return wf_path_fail(dst_len, STATUS_INVALID_PARAMETER);

    while (pos < win_len) {
        int32_t cp = wf_utf16_decode(win, win_len, &pos);
        char buf[4];
        size_t n;

        /* '/' would split a component on the POSIX side and NUL would
         * cut the path short: both would name a different file. */
        if (cp < 0 || cp == 0 || cp == '/')
            return wf_path_fail(dst_len, STATUS_OBJECT_NAME_INVALID);
        if (cp == '\\') {
            if (single_name)
                return wf_path_fail(dst_len, STATUS_OBJECT_NAME_INVALID);
            buf[0] = '/';
            n = 1;
        } else if ((uint32_t)cp >= WF_PATH_PUA_BASE && (uint32_t)cp < WF_PATH_PUA_BASE + 0x80 &&
            wf_path_ascii_forbidden((uint32_t)cp - WF_PATH_PUA_BASE)) {
            buf[0] = (char)((uint32_t)cp - WF_PATH_PUA_BASE);
            n = 1;
        } else {
            n = wf_utf8_encode((uint32_t)cp, buf);
        }
        if (dst_cap >= n && out <= dst_cap - n)
            memcpy(dst + out, buf, n);
        out += n;
    }

    if (dst_len)
        *dst_len = out;
    return out > dst_cap ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS;
}

static NTSTATUS wf_path_to_windows(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len, unsigned flags, bool single_name)
{
    size_t pos = 0, out = 0;
    bool replaced = false;

    if (dst == NULL)
        dst_cap = 0;
    if (posix == NULL && posix_len != 0)
        return wf_path_fail(dst_len, STATUS_INVALID_PARAMETER);

    while (pos < posix_len) {
        int32_t cp = wf_utf8_decode(posix, posix_len, &pos);

        if (cp < 0) {
            if (!(flags & WF_UTF_REPLACE))
                return wf_path_fail(dst_len, STATUS_OBJECT_NAME_INVALID);
            replaced = true;
            cp = 0xFFFD;
        }
        if (cp == 0)
            return wf_path_fail(dst_len, STATUS_OBJECT_NAME_INVALID);
        if (cp == '/') {
            if (single_name)
                return wf_path_fail(dst_len, STATUS_OBJECT_NAME_INVALID);
            cp = '\\';
        } else if (wf_path_ascii_forbidden((uint32_t)cp)) {
            cp = (int32_t)(WF_PATH_PUA_BASE + (uint32_t)cp);
        }

        wf_utf16_put(dst, dst_cap, &out, (uint32_t)cp);
    }

    if (dst_len)
        *dst_len = out;
    if (out > dst_cap)
        return STATUS_BUFFER_TOO_SMALL;
    return replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}

NTSTATUS wf_path_windows_to_posix(const WCHAR *win, size_t win_len,
    char *dst, size_t dst_cap, size_t *dst_len)
{
    return wf_path_to_posix(win, win_len, dst, dst_cap, dst_len, false);
}

NTSTATUS wf_name_windows_to_posix(const WCHAR *win, size_t win_len,
    char *dst, size_t dst_cap, size_t *dst_len)
{
    return wf_path_to_posix(win, win_len, dst, dst_cap, dst_len, true);
}

NTSTATUS wf_path_posix_to_windows(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len)
{
    return wf_path_to_windows(posix, posix_len, dst, dst_cap, dst_len, 0, false);
}

NTSTATUS wf_path_posix_to_windows_ex(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len, unsigned flags)
{
    return wf_path_to_windows(posix, posix_len, dst, dst_cap, dst_len, flags, false);
}

NTSTATUS wf_name_posix_to_windows(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len)
{
    return wf_path_to_windows(posix, posix_len, dst, dst_cap, dst_len, 0, true);
}

NTSTATUS wf_name_posix_to_windows_ex(const char *posix, size_t posix_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len, unsigned flags)
{
    return wf_path_to_windows(posix, posix_len, dst, dst_cap, dst_len, flags, true);
}

NTSTATUS wf_name_validate(const WCHAR *name, size_t len, size_t max_len, unsigned flags)
{
    size_t i;

    if (max_len == 0)
        max_len = WF_NAME_COMPONENT_MAX;
    if (name == NULL || len == 0 || len > max_len)
        return STATUS_OBJECT_NAME_INVALID;
    if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
        return STATUS_OBJECT_NAME_INVALID;

    for (i = 0; i < len; i++) {
        uint16_t c = (uint16_t)name[i];

        if (c >= 0x80)
            continue;
        if (c < 0x20)
            return STATUS_OBJECT_NAME_INVALID;
        switch (c) {
        case '/': case '\\': case ':': case '|':
            return STATUS_OBJECT_NAME_INVALID;
        case '*': case '?': case '<': case '>': case '"':
            if (!(flags & WF_NAME_WILDCARDS))
                return STATUS_OBJECT_NAME_INVALID;
            break;
        default:
            break;
        }
    }
    return STATUS_SUCCESS;
}

/* ":$DATA" without the colon, compared without regard to ASCII case. */
static bool wf_path_is_data_type(const WCHAR *s, size_t len)
{
    static const char data[5] = { '$', 'D', 'A', 'T', 'A' };
    size_t i;

    if (len != 5)
        return false;
    for (i = 0; i < 5; i++) {
        uint16_t c = (uint16_t)s[i];
        if (c >= 'a' && c <= 'z')
            c = (uint16_t)(c - 'a' + 'A');
        if (c != (uint16_t)data[i])
            return false;
    }
    return true;
}

/* Check the stream part after the first ':' of the last component. */
static NTSTATUS wf_path_validate_stream(const WCHAR *path, size_t off, size_t end,
    wf_path_info *out)
{
    size_t i, colon = end;

    for (i = off; i < end; i++) {
        uint16_t c = (uint16_t)path[i];
        if (c == ':') {
            colon = i;
            break;
        }
        /* Stream names are NTFS's "stream legal": all but NUL and the
         * separators ('\' cannot occur here, the caller split on it). */
        if (c == 0 || c == '/')
            return STATUS_OBJECT_NAME_INVALID;
    }

    out->has_stream = true;
    out->stream_off = off;
    out->stream_len = colon - off;
    if (colon == end) {
        /* "name:" names no stream at all. */
        return out->stream_len != 0 ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
    }
    /* The only stream type a file system sees is $DATA. */
    if (!wf_path_is_data_type(path + colon + 1, end - colon - 1))
        return STATUS_OBJECT_NAME_INVALID;
    out->stream_type_data = true;
    return STATUS_SUCCESS;
}

NTSTATUS wf_path_validate(const WCHAR *path, size_t len, size_t max_component,
    size_t max_path, unsigned flags, wf_path_info *info)
{
    wf_path_info local;
    wf_path_info *out = info ? info : &local;
    size_t end, start;

    memset(out, 0, sizeof *out);
    if (max_component == 0)
        max_component = WF_NAME_COMPONENT_MAX;
    if (max_path == 0)
        max_path = WF_PATH_WCHARS_MAX;

    if (path == NULL || len == 0 || path[0] != '\\')
        return STATUS_OBJECT_NAME_INVALID;

    end = len;
    if (len >= 2 && path[len - 1] == '\\') {
        out->trailing_backslash = true;
        end = len - 1;
        /* "\\" and "...\\" hold an empty component. */
        if (path[end - 1] == '\\')
            return STATUS_OBJECT_NAME_INVALID;
    }
    out->file_len = end;

    start = 1;
    while (start < end) {
        size_t stop = start, colon = end;
        bool last;
        NTSTATUS status;

        while (stop < end && path[stop] != '\\') {
            if (path[stop] == ':' && colon == end)
                colon = stop;
            stop++;
        }
        /* An empty component: "\\" inside the path or "\\" at its end. */
        if (stop == start)
            return STATUS_OBJECT_NAME_INVALID;
        last = stop == end;

        if (colon == end) {
            status = wf_name_validate(path + start, stop - start, max_component, 0);
            if (!NT_SUCCESS(status))
                return status;
        } else {
            /* Streams only in the last component, never before a '\'. */
            if (!(flags & WF_PATH_STREAMS) || !last || out->trailing_backslash)
                return STATUS_OBJECT_NAME_INVALID;
            if (stop - start > max_component)
                return STATUS_OBJECT_NAME_INVALID;
            /* An empty file part is only the root directory's ("\:s"). */
            if (colon == start) {
                if (start != 1)
                    return STATUS_OBJECT_NAME_INVALID;
            } else {
                status = wf_name_validate(path + start, colon - start, max_component, 0);
                if (!NT_SUCCESS(status))
                    return status;
            }
            status = wf_path_validate_stream(path, colon + 1, stop, out);
            if (!NT_SUCCESS(status))
                return status;
            out->file_len = colon;
        }
        start = stop + 1;
    }

    if (len > max_path)
        return STATUS_NAME_TOO_LONG;
    return STATUS_SUCCESS;
}

void wf_path_split_last(const WCHAR *path, size_t len, size_t *parent_len, size_t *name_off)
{
    size_t i, remain_end = 0, suffix = 0;
    bool seen = false;

    for (i = 0; i < len; i++) {
        if (path[i] == '\\') {
            seen = true;
            remain_end = i;
            while (i + 1 < len && path[i + 1] == '\\')
                i++;
            suffix = i + 1;
        }
    }
    if (!seen) {
        *parent_len = 0;
        *name_off = 0;
        return;
    }
    /* The parent of a top-level name is the root itself. */
    if (remain_end == 0 && path[0] == '\\')
        remain_end = 1;
    *parent_len = remain_end;
    *name_off = suffix;
}

bool wf_path_next_component(const WCHAR *path, size_t len, size_t *pos,
    size_t *comp_off, size_t *comp_len)
{
    size_t i = *pos, start;

    while (i < len && path[i] == '\\')
        i++;
    if (i >= len) {
        *pos = len;
        return false;
    }
    start = i;
    while (i < len && path[i] != '\\')
        i++;
    *comp_off = start;
    *comp_len = i - start;
    *pos = i;
    return true;
}
