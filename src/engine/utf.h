/*
 * utf.h - UTF-8 <-> UTF-16 conversion for names crossing the NT/POSIX line.
 *
 * Windows names are UTF-16 (WCHAR) and FUSE names are UTF-8. Both calls
 * work on explicit lengths and never read or write a NUL terminator: a
 * U+0000 in the input is converted like any other code point, and no
 * terminator is appended to the output. (Callers that must reject
 * embedded NULs, such as the path mapping, do that themselves.)
 *
 * Buffers, Windows-style:
 *   - dst may be NULL with dst_cap 0 to measure;
 *   - if the output does not fit, STATUS_BUFFER_TOO_SMALL is returned,
 *     *dst_len holds the full size needed and dst holds an unspecified
 *     prefix of the output;
 *   - on success *dst_len holds the size written.
 *   dst_cap and *dst_len count WCHARs for UTF-16 output, bytes for UTF-8.
 *   dst_len may be NULL when the caller does not want the size.
 *
 * Invalid input is
 *   UTF-8:  a byte that cannot start a sequence (0x80-0xC1, 0xF5-0xFF),
 *           a truncated sequence, an overlong encoding, an encoded
 *           surrogate (U+D800-U+DFFF) or a value above U+10FFFF;
 *   UTF-16: a high surrogate not followed by a low one, or a low
 *           surrogate not preceded by a high one.
 * With flags 0 invalid input fails with STATUS_OBJECT_NAME_INVALID
 * (*dst_len = 0): these calls convert names, and that is what Windows
 * answers for a name it cannot accept (Win32 ERROR_INVALID_NAME).
 * STATUS_ILLEGAL_CHARACTER would be the generic alternative; callers that
 * convert other text may translate the status.
 *
 * With WF_UTF_REPLACE every invalid piece becomes U+FFFD instead, and the
 * call returns STATUS_SOME_NOT_MAPPED (a success status: test with
 * NT_SUCCESS) if any replacement happened, as RtlUTF8ToUnicodeN does.
 * The pieces are Unicode's "maximal subparts" (Unicode 14, section 3.9,
 * U+FFFD substitution of maximal subparts): in UTF-8 the longest prefix
 * of a well-formed sequence that the input starts is replaced by one
 * U+FFFD, any other bad byte by one U+FFFD each; in UTF-16 each unpaired
 * surrogate is one U+FFFD.
 *
 * STATUS_BUFFER_TOO_SMALL wins over STATUS_SOME_NOT_MAPPED;
 * STATUS_OBJECT_NAME_INVALID wins over STATUS_BUFFER_TOO_SMALL.
 */
#ifndef WINFUSE_ENGINE_UTF_H
#define WINFUSE_ENGINE_UTF_H

#include <stddef.h>
#include <stdint.h>

#include "winfuse/ntdefs.h"

/* Replace invalid input with U+FFFD instead of failing. */
#define WF_UTF_REPLACE 0x1u

/* The largest output one input unit can produce: 1 WCHAR per UTF-8 byte,
 * 3 UTF-8 bytes per WCHAR (a surrogate pair: 2 WCHARs -> 4 bytes). */
#define WF_UTF16_PER_UTF8_MAX 1
#define WF_UTF8_PER_UTF16_MAX 3

NTSTATUS wf_utf8_to_utf16(const char *src, size_t src_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len, unsigned flags);

NTSTATUS wf_utf16_to_utf8(const WCHAR *src, size_t src_len,
    char *dst, size_t dst_cap, size_t *dst_len, unsigned flags);

/*
 * Decoding one code point at a time, for callers that walk names without
 * converting them (case-insensitive compares, the path mapping).
 *
 * wf_utf8_decode reads the code point at src[*pos] (*pos < len) and
 * advances *pos past it. It returns the code point, or -1 for an invalid
 * maximal subpart (then *pos is advanced past that subpart).
 *
 * wf_utf16_decode does the same over WCHARs: a surrogate pair gives one
 * code point above U+FFFF; an unpaired surrogate gives -1 and advances
 * *pos by one.
 */
int32_t wf_utf8_decode(const char *src, size_t len, size_t *pos);
int32_t wf_utf16_decode(const WCHAR *src, size_t len, size_t *pos);

/* Bytes wf_utf8_encode writes for code point cp (1-4), 0 if cp is not a
 * Unicode scalar value. wf_utf8_encode writes them to out (4 bytes room). */
size_t wf_utf8_encoded_len(uint32_t cp);
size_t wf_utf8_encode(uint32_t cp, char *out);

/*
 * Append code point cp as UTF-16 at dst[*out] when it fits, a surrogate
 * pair only whole, so a truncated buffer never ends in half a character;
 * *out advances either way, so a too-small buffer measures what is needed.
 */
static inline void wf_utf16_put(WCHAR *dst, size_t cap, size_t *out, uint32_t cp)
{
    if (cp < 0x10000) {
        if (*out < cap)
            dst[*out] = (WCHAR)cp;
        *out += 1;
    } else {
        uint32_t v = cp - 0x10000u;
        if (cap >= 2 && *out <= cap - 2) {
            dst[*out] = (WCHAR)(0xD800u + (v >> 10));
            dst[*out + 1] = (WCHAR)(0xDC00u + (v & 0x3FFu));
        }
        *out += 2;
    }
}

#endif
