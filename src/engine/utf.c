/*
 * utf.c - UTF-8 <-> UTF-16, strict or with U+FFFD replacement.
 *
 * The converters always scan the whole input, even after the output
 * buffer has filled, so that a too-small buffer still reports the exact
 * size needed and invalid input is reported whatever the buffer size.
 */
#include "engine/utf.h"

#define WF_UTF_REPLACEMENT 0xFFFDu

int32_t wf_utf8_decode(const char *src, size_t len, size_t *pos)
{
    const uint8_t *s = (const uint8_t *)src;
    size_t i = *pos;
    uint8_t lead = s[i++];
    uint8_t lo = 0x80, hi = 0xBF;
    unsigned need;
    uint32_t cp;

    if (lead < 0x80) {
        *pos = i;
        return lead;
    }
    /* 0x80-0xBF cannot lead; 0xC0 and 0xC1 could only start overlongs. */
    if (lead < 0xC2 || lead > 0xF4) {
        *pos = i;
        return -1;
    }
    if (lead < 0xE0) {
        need = 1;
        cp = lead & 0x1Fu;
    } else if (lead < 0xF0) {
        need = 2;
        cp = lead & 0x0Fu;
        /* Narrowing the second byte's range rejects overlongs (E0) and
         * surrogates (ED) at the earliest byte, which is what makes the
         * replaced subpart "maximal" in Unicode's sense. */
        if (lead == 0xE0)
            lo = 0xA0;
        else if (lead == 0xED)
            hi = 0x9F;
    } else {
        need = 3;
        cp = lead & 0x07u;
        if (lead == 0xF0)
            lo = 0x90; /* overlong */
        else if (lead == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    }
    while (need--) {
        uint8_t c;
        if (i >= len) {
            *pos = i;
            return -1;
        }
        c = s[i];
        if (c < lo || c > hi) {
            /* The offending byte is not part of the subpart: it is
             * looked at again as the start of the next sequence. */
            *pos = i;
            return -1;
        }
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (c & 0x3Fu);
        i++;
    }
    *pos = i;
    return (int32_t)cp;
}

int32_t wf_utf16_decode(const WCHAR *src, size_t len, size_t *pos)
{
    size_t i = *pos;
    uint32_t c = (uint16_t)src[i++];

    if (c >= 0xD800 && c <= 0xDBFF) {
        if (i < len) {
            uint32_t d = (uint16_t)src[i];
            if (d >= 0xDC00 && d <= 0xDFFF) {
                *pos = i + 1;
                return (int32_t)(0x10000u + ((c - 0xD800u) << 10) + (d - 0xDC00u));
            }
        }
        *pos = i;
        return -1;
    }
    *pos = i;
    if (c >= 0xDC00 && c <= 0xDFFF)
        return -1;
    return (int32_t)c;
}

size_t wf_utf8_encoded_len(uint32_t cp)
{
    if (cp < 0x80)
        return 1;
    if (cp < 0x800)
        return 2;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000)
        return 3;
    if (cp <= 0x10FFFF)
        return 4;
    return 0;
}

size_t wf_utf8_encode(uint32_t cp, char *out)
{
    uint8_t *o = (uint8_t *)out;
    size_t n = wf_utf8_encoded_len(cp);

    switch (n) {
    case 1:
        o[0] = (uint8_t)cp;
        break;
    case 2:
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        break;
    case 3:
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        break;
    case 4:
        o[0] = (uint8_t)(0xF0 | (cp >> 18));
        o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (uint8_t)(0x80 | (cp & 0x3F));
        break;
    default:
        break;
    }
    return n;
}

NTSTATUS wf_utf8_to_utf16(const char *src, size_t src_len,
    WCHAR *dst, size_t dst_cap, size_t *dst_len, unsigned flags)
{
    size_t pos = 0, out = 0;
    bool replaced = false;

    if (dst == NULL)
        dst_cap = 0;
    if (src == NULL && src_len != 0) {
        if (dst_len)
            *dst_len = 0;
        return STATUS_INVALID_PARAMETER;
    }

    while (pos < src_len) {
        int32_t cp = wf_utf8_decode(src, src_len, &pos);

        if (cp < 0) {
            if (!(flags & WF_UTF_REPLACE)) {
                if (dst_len)
                    *dst_len = 0;
                return STATUS_OBJECT_NAME_INVALID;
            }
            replaced = true;
            cp = WF_UTF_REPLACEMENT;
        }
        wf_utf16_put(dst, dst_cap, &out, (uint32_t)cp);
    }

    if (dst_len)
        *dst_len = out;
    if (out > dst_cap)
        return STATUS_BUFFER_TOO_SMALL;
    return replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}

NTSTATUS wf_utf16_to_utf8(const WCHAR *src, size_t src_len,
    char *dst, size_t dst_cap, size_t *dst_len, unsigned flags)
{
    size_t pos = 0, out = 0;
    bool replaced = false;

    if (dst == NULL)
        dst_cap = 0;
    if (src == NULL && src_len != 0) {
        if (dst_len)
            *dst_len = 0;
        return STATUS_INVALID_PARAMETER;
    }

    while (pos < src_len) {
        int32_t cp = wf_utf16_decode(src, src_len, &pos);
        size_t n;

        if (cp < 0) {
            if (!(flags & WF_UTF_REPLACE)) {
                if (dst_len)
                    *dst_len = 0;
                return STATUS_OBJECT_NAME_INVALID;
            }
            replaced = true;
            cp = WF_UTF_REPLACEMENT;
        }
        n = wf_utf8_encoded_len((uint32_t)cp);
        if (dst_cap >= n && out <= dst_cap - n)
            wf_utf8_encode((uint32_t)cp, dst + out);
        out += n;
    }

    if (dst_len)
        *dst_len = out;
    if (out > dst_cap)
        return STATUS_BUFFER_TOO_SMALL;
    return replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
}
