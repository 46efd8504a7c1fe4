/*
 * wildcard.c - FsRtlIsNameInExpression semantics without its recursion
 * hazards.
 *
 * The matcher is a nondeterministic automaton over pattern positions
 * 0..plen (plen = the pattern is used up), simulated with two bitsets.
 * For each name character every live position is followed forward: the
 * zero-width moves (* and < matching nothing, > at a '.' or at the end,
 * " at the end) continue the walk, a position that consumes the
 * character ends it. Walks are chains, so a live position inside a chain
 * already walked for this character adds nothing new and is skipped:
 * each character costs O(plen), the whole match O(plen * nlen).
 *
 * One extra step runs after the last character ("the name is finished")
 * so that trailing zero-width elements can reach the end of the pattern.
 * As in the NT implementation, reaching the end of the pattern during a
 * walk counts as a match even though that walk did not consume the
 * character, which is how "a>" comes to match "a.".
 */
#include "engine/wildcard.h"
#include "engine/ucase.h"
#include "os/os.h"

#include <stdint.h>
#include <string.h>

#define WF_DOS_STAR '<'
#define WF_DOS_QM '>'
#define WF_DOS_DOT '"'

#define WF_BITS_WORDS(n) (((n) + 63) / 64)

static inline void wf_bit_set(uint64_t *set, size_t i)
{
    set[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline bool wf_bit_test(const uint64_t *set, size_t i)
{
    return (set[i / 64] >> (i % 64)) & 1;
}

static inline bool wf_char_equal(WCHAR p, WCHAR n, bool ci)
{
    return p == n || (ci && wf_ucase(p) == wf_ucase(n));
}

bool wf_wildcard_has_wildcards(const WCHAR *pattern, size_t plen)
{
    size_t i;

    for (i = 0; i < plen; i++) {
        switch (pattern[i]) {
        case '*': case '?': case WF_DOS_STAR: case WF_DOS_QM: case WF_DOS_DOT:
            return true;
        default:
            break;
        }
    }
    return false;
}

static bool wf_has_dos_wildcards(const WCHAR *pattern, size_t plen)
{
    size_t i;

    for (i = 0; i < plen; i++)
        if (pattern[i] == WF_DOS_STAR || pattern[i] == WF_DOS_QM || pattern[i] == WF_DOS_DOT)
            return true;
    return false;
}

/*
 * * and ? only: the classic greedy match that, on a mismatch, lets the
 * most recent * absorb one more character. Sound because a later *
 * can absorb anything an earlier one could.
 */
static bool wf_match_greedy(const WCHAR *pat, size_t plen,
    const WCHAR *name, size_t nlen, bool ci)
{
    size_t p = 0, n = 0, star = 0, mark = 0;
    bool have_star = false;

    while (n < nlen) {
        if (p < plen && pat[p] == '*') {
            have_star = true;
            star = p++;
            mark = n;
        } else if (p < plen && (pat[p] == '?' || wf_char_equal(pat[p], name[n], ci))) {
            p++;
            n++;
        } else if (have_star) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

static bool wf_match_nfa(const WCHAR *pat, size_t plen,
    const WCHAR *name, size_t nlen, bool ci, uint64_t *cur, uint64_t *next, size_t words)
{
    size_t last_dot = nlen, i;

    for (i = nlen; i > 0; i--) {
        if (name[i - 1] == '.') {
            last_dot = i - 1;
            break;
        }
    }

    memset(cur, 0, words * sizeof *cur);
    wf_bit_set(cur, 0);

    for (i = 0; i <= nlen; i++) {
        bool finished = i == nlen;
        WCHAR c = finished ? 0 : name[i];
        bool any = false, walked = false;
        size_t walked_to = 0, w;

        if (finished && wf_bit_test(cur, plen))
            return true;

        memset(next, 0, words * sizeof *next);
        for (w = 0; w < words; w++) {
            uint64_t bits = cur[w];

            while (bits) {
                size_t q = w * 64 + (size_t)__builtin_ctzll(bits);
                bits &= bits - 1;

                /* The pattern is used up: no further character fits. */
                if (q == plen)
                    continue;
                /* Inside a chain already followed for this character. */
                if (walked && q <= walked_to)
                    continue;

                for (;;) {
                    WCHAR e;

                    walked = true;
                    walked_to = q;
                    if (q == plen) {
                        wf_bit_set(next, plen);
                        any = true;
                        break;
                    }
                    e = pat[q];
                    if (e == '*') {
                        wf_bit_set(next, q);
                        wf_bit_set(next, q + 1);
                        any = true;
                        q++;
                        continue;
                    }
                    if (e == WF_DOS_STAR) {
                        /* It may eat any character but the last '.';
                         * that one it may only eat as it moves on. */
                        if (finished || c != '.' || i != last_dot)
                            wf_bit_set(next, q);
                        wf_bit_set(next, q + 1);
                        any = true;
                        q++;
                        continue;
                    }
                    if (e == WF_DOS_QM) {
                        if (finished || c == '.') {
                            q++;
                            continue;
                        }
                        wf_bit_set(next, q + 1);
                        any = true;
                        break;
                    }
                    if (e == WF_DOS_DOT) {
                        if (finished) {
                            q++;
                            continue;
                        }
                        if (c == '.') {
                            wf_bit_set(next, q + 1);
                            any = true;
                            break;
                        }
                        /* Otherwise it is compared as a literal below,
                         * as the NT implementation does. */
                    }
                    if (finished)
                        break;
                    if (e == '?' || wf_char_equal(e, c, ci)) {
                        wf_bit_set(next, q + 1);
                        any = true;
                    }
                    break;
                }
            }
        }

        if (!any)
            return false;
        {
            uint64_t *t = cur;
            cur = next;
            next = t;
        }
    }
    return wf_bit_test(cur, plen);
}

bool wf_wildcard_match(const WCHAR *pattern, size_t plen,
    const WCHAR *name, size_t nlen, bool case_insensitive)
{
    uint64_t stack[2 * WF_BITS_WORDS(WF_WILDCARD_STACK_STATES)];
    uint64_t *sets = stack;
    size_t words;
    bool result;

    if (plen == 0 || nlen == 0)
        return plen == 0 && nlen == 0;
    if (pattern == NULL || name == NULL)
        return false;
    if (plen == 1 && pattern[0] == '*')
        return true;
    if (!wf_has_dos_wildcards(pattern, plen))
        return wf_match_greedy(pattern, plen, name, nlen, case_insensitive);

    /* plen + 1 states; plen < SIZE_MAX because the pattern is in memory. */
    words = WF_BITS_WORDS(plen + 1);
    if (words > WF_BITS_WORDS(WF_WILDCARD_STACK_STATES)) {
        if (words > SIZE_MAX / (2 * sizeof *sets))
            return false;
        sets = wf_os_alloc(2 * words * sizeof *sets);
        if (sets == NULL)
            return false;
    }
    result = wf_match_nfa(pattern, plen, name, nlen, case_insensitive,
        sets, sets + words, words);
    if (sets != stack)
        wf_os_free(sets);
    return result;
}
