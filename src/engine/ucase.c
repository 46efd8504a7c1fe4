/*
 * ucase.c - upcase table lookups, comparisons and hashes over names.
 */
#include "engine/ucase.h"
#include "engine/utf.h"

#include <string.h>

#define WF_FNV_OFFSET 2166136261u
#define WF_FNV_PRIME 16777619u

WCHAR wf_ucase(WCHAR c)
{
    uint16_t u = (uint16_t)c;
    uint16_t block = wf_ucase_index[u >> WF_UCASE_SHIFT];
    uint16_t delta = wf_ucase_delta[((size_t)block << WF_UCASE_SHIFT) |
        (u & ((1u << WF_UCASE_SHIFT) - 1))];
    return (WCHAR)(uint16_t)(u + delta);
}

int wf_ucase_compare(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, i;

    for (i = 0; i < n; i++) {
        uint16_t x = (uint16_t)wf_ucase(a[i]), y = (uint16_t)wf_ucase(b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

bool wf_ucase_equal(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen)
{
    size_t i;

    if (alen != blen)
        return false;
    for (i = 0; i < alen; i++)
        if (a[i] != b[i] && wf_ucase(a[i]) != wf_ucase(b[i]))
            return false;
    return true;
}

static uint32_t wf_fnv_unit(uint32_t h, uint16_t u)
{
    h = (h ^ (u & 0xFFu)) * WF_FNV_PRIME;
    h = (h ^ (uint32_t)(u >> 8)) * WF_FNV_PRIME;
    return h;
}

uint32_t wf_ucase_hash(const WCHAR *s, size_t len)
{
    uint32_t h = WF_FNV_OFFSET;
    size_t i;

    for (i = 0; i < len; i++)
        h = wf_fnv_unit(h, (uint16_t)wf_ucase(s[i]));
    return h;
}

int wf_ustr_compare(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, i;

    for (i = 0; i < n; i++) {
        uint16_t x = (uint16_t)a[i], y = (uint16_t)b[i];
        if (x != y)
            return x < y ? -1 : 1;
    }
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/*
 * A code point as the case-insensitive compare sees it: BMP code points
 * upcased (they are one UTF-16 unit), astral ones untouched (their UTF-16
 * units are surrogates, which the table leaves alone).
 */
static uint32_t wf_ucase_cp(int32_t cp)
{
    if (cp < 0x10000)
        return (uint16_t)wf_ucase((WCHAR)cp);
    return (uint32_t)cp;
}

bool wf_ucase_equal_utf8(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;

    if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
        return true;

    while (i < alen && j < blen) {
        size_t si = i, sj = j;
        int32_t x = wf_utf8_decode(a, alen, &i);
        int32_t y = wf_utf8_decode(b, blen, &j);

        if (x < 0 || y < 0) {
            /* Bad bytes match only the very same bad bytes. */
            if (x >= 0 || y >= 0 || i - si != j - sj || memcmp(a + si, b + sj, i - si) != 0)
                return false;
            continue;
        }
        if (x != y && wf_ucase_cp(x) != wf_ucase_cp(y))
            return false;
    }
    return i == alen && j == blen;
}

uint32_t wf_ucase_hash_utf8(const char *s, size_t len)
{
    uint32_t h = WF_FNV_OFFSET;
    size_t i = 0;

    while (i < len) {
        size_t start = i;
        int32_t cp = wf_utf8_decode(s, len, &i);

        if (cp < 0) {
            /* No UTF-16 form: hash the raw bytes, each disguised as a
             * lone low surrogate, a unit valid UTF-8 never yields alone. */
            for (; start < i; start++)
                h = wf_fnv_unit(h, (uint16_t)(0xDC00u | (uint8_t)s[start]));
        } else if (cp < 0x10000) {
            h = wf_fnv_unit(h, (uint16_t)wf_ucase((WCHAR)cp));
        } else {
            uint32_t v = (uint32_t)cp - 0x10000u;
            h = wf_fnv_unit(h, (uint16_t)(0xD800u + (v >> 10)));
            h = wf_fnv_unit(h, (uint16_t)(0xDC00u + (v & 0x3FFu)));
        }
    }
    return h;
}
