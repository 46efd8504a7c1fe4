/*
 * test_ucase.c - the upcase table and the comparisons and hashes on it.
 *
 * Expected mappings are hard-coded from the Unicode Character Database
 * (UnicodeData.txt field 12, simple uppercase), not computed with the C
 * library, whose towupper depends on the locale and libc version.
 */
#include "wf_test.h"

#include <string.h>

#include "engine/ucase.h"
#include "engine/utf.h"

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s;
}

static uint32_t rng_below(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

static const struct {
    uint16_t from, to;
} pairs[] = {
    /* ASCII edges */
    { 'a', 'A' }, { 'z', 'Z' }, { 'A', 'A' }, { '@', '@' }, { '[', '[' }, { '`', '`' },
    { '{', '{' }, { 0, 0 }, { 0x7F, 0x7F },
    /* Latin-1 */
    { 0xE0, 0xC0 }, { 0xE9, 0xC9 }, { 0xFE, 0xDE }, { 0xF7, 0xF7 }, { 0xD7, 0xD7 },
    { 0xFF, 0x178 }, { 0xB5, 0x39C }, { 0xDF, 0xDF }, { 0xAA, 0xAA }, { 0xBA, 0xBA },
    /* Latin Extended and the tricky ones */
    { 0x101, 0x100 }, { 0x131, 0x49 }, { 0x130, 0x130 }, { 0x17F, 0x53 }, { 0x149, 0x149 },
    { 0x1C4, 0x1C4 }, { 0x1C5, 0x1C4 }, { 0x1C6, 0x1C4 }, { 0x1F0, 0x1F0 }, { 0x1E9E, 0x1E9E },
    { 0x180, 0x243 }, { 0x250, 0x2C6F }, { 0x1D79, 0xA77D }, { 0xA7C1, 0xA7C0 },
    /* Greek */
    { 0x3B1, 0x391 }, { 0x3C9, 0x3A9 }, { 0x3C2, 0x3A3 }, { 0x3C3, 0x3A3 }, { 0x3AC, 0x386 },
    { 0x390, 0x390 }, { 0x3B0, 0x3B0 }, { 0x345, 0x399 }, { 0x1FBE, 0x399 }, { 0x3D0, 0x392 },
    { 0x1F80, 0x1F88 }, { 0x1FB3, 0x1FBC }, { 0x1FF3, 0x1FFC }, { 0x1FB2, 0x1FB2 },
    { 0x1F88, 0x1F88 },
    /* Cyrillic */
    { 0x430, 0x410 }, { 0x44F, 0x42F }, { 0x451, 0x401 }, { 0x450, 0x400 }, { 0x45F, 0x40F },
    { 0x4CF, 0x4C0 }, { 0x1C80, 0x412 }, { 0xA64B, 0xA64A },
    /* Armenian, Georgian, Cherokee */
    { 0x561, 0x531 }, { 0x587, 0x587 }, { 0x2D00, 0x10A0 }, { 0x2D25, 0x10C5 },
    { 0x10D0, 0x1C90 }, { 0x10A0, 0x10A0 }, { 0xAB70, 0x13A0 }, { 0x13F8, 0x13F0 },
    /* symbols, fullwidth, ligatures */
    { 0x2170, 0x2160 }, { 0x24D0, 0x24B6 }, { 0xFF41, 0xFF21 }, { 0xFF5A, 0xFF3A },
    { 0xFB00, 0xFB00 }, { 0x2C5F, 0x2C2F },
    /* untouched: CJK, private use, specials */
    { 0x4E00, 0x4E00 }, { 0xE000, 0xE000 }, { 0xF02A, 0xF02A }, { 0xFFFD, 0xFFFD },
    { 0xFFFF, 0xFFFF },
};

static void test_known_pairs(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        uint16_t got = (uint16_t)wf_ucase((WCHAR)pairs[i].from);
        if (got != pairs[i].to)
            fail_msg("U+%04X -> U+%04X, expected U+%04X", pairs[i].from, got, pairs[i].to);
    }
}

static void test_ascii_exhaustive(void **state)
{
    unsigned c;
    (void)state;

    for (c = 0; c < 0x80; c++)
        assert_int_equal(wf_ucase((WCHAR)c), c >= 'a' && c <= 'z' ? c - 32 : c);
}

static void test_surrogates_unchanged(void **state)
{
    unsigned c;
    (void)state;

    for (c = 0xD800; c <= 0xDFFF; c++)
        assert_int_equal(wf_ucase((WCHAR)c), c);
}

static void test_whole_table(void **state)
{
    static WCHAR all[0x10000];
    unsigned c, changed = 0, not_idempotent = 0;
    (void)state;

    for (c = 0; c < 0x10000; c++) {
        WCHAR u = wf_ucase((WCHAR)c);
        all[c] = (WCHAR)c;
        changed += u != (WCHAR)c;
        not_idempotent += wf_ucase(u) != u;
    }
    assert_int_equal(not_idempotent, 0);

    /*
     * For the Unicode version the table is generated from today, compare
     * the whole table with a digest computed independently (from Perl's
     * Unicode::UCD simple uppercase mappings, Unicode 14.0.0): FNV-1a
     * over the 65536 upcased units. A regenerated table for another
     * version must update these numbers deliberately.
     */
    if (strcmp(wf_ucase_unicode_version, "14.0.0") == 0) {
        assert_int_equal(changed, 1190);
        assert_int_equal(wf_ucase_hash(all, 0x10000), 0x4b82be42u);
    } else {
        print_message("ucase table is Unicode %s: whole-table digest not checked\n",
            wf_ucase_unicode_version);
        assert_true(changed > 1000);
    }
}

#define U16(s) ((const WCHAR *)(u##s))
#define U16LEN(s) (sizeof(u##s) / 2 - 1)
#define S(s) U16(s), U16LEN(s)

static void test_compare(void **state)
{
    (void)state;

    assert_int_equal(wf_ucase_compare(S("abc"), S("ABC")), 0);
    assert_true(wf_ucase_compare(S("abc"), S("ABD")) < 0);
    assert_true(wf_ucase_compare(S("ABD"), S("abc")) > 0);
    assert_true(wf_ucase_compare(S("ab"), S("ABC")) < 0);
    assert_true(wf_ucase_compare(S("abc"), S("AB")) > 0);
    assert_int_equal(wf_ucase_compare(S(""), S("")), 0);
    assert_true(wf_ucase_compare(S(""), S("a")) < 0);
    /* Ordered by the upcased units: 'a' -> 'A' (0x41) sorts before '_' (0x5F). */
    assert_true(wf_ucase_compare(S("a"), S("_")) < 0);
    assert_true(wf_ustr_compare(S("a"), S("_")) > 0);
    /* Units compare unsigned. */
    assert_true(wf_ucase_compare(S("\uE000"), S("A")) > 0);
    assert_true(wf_ustr_compare(S("\uE000"), S("A")) > 0);

    assert_true(wf_ucase_equal(S("\u03c3\u03bf\u03c6\u03bf\u03c2"), S("\u03a3\u039f\u03a6\u039f\u03a3")));
    assert_true(wf_ucase_equal(S("\u0444\u0430\u0439\u043b"), S("\u0424\u0410\u0419\u041b")));
    assert_true(wf_ucase_equal(S("\u0131"), S("i")));   /* both upcase to 'I' */
    assert_false(wf_ucase_equal(S("\u0130"), S("i")));  /* U+0130 stays */
    assert_false(wf_ucase_equal(S("stra\u00dfe"), S("STRASSE")));
    assert_true(wf_ucase_equal(S("stra\u00dfe"), S("STRA\u00dfE")));
    assert_false(wf_ucase_equal(S("ab"), S("abc")));
    assert_true(wf_ucase_equal(S(""), S("")));
    /* Astral characters compare exactly: Deseret small/capital long I. */
    assert_false(wf_ucase_equal(S("\U00010428"), S("\U00010400")));
    assert_true(wf_ucase_equal(S("\U0001F600"), S("\U0001F600")));

    assert_int_equal(wf_ustr_compare(S("abc"), S("abc")), 0);
    assert_true(wf_ustr_compare(S("ABC"), S("abc")) < 0);
    assert_true(wf_ustr_compare(S("ab"), S("abc")) < 0);
    assert_true(wf_ustr_compare(S("abc"), S("ab")) > 0);
}

static void test_hash_basic(void **state)
{
    (void)state;
    /* FNV-1a's offset basis for the empty string. */
    assert_int_equal(wf_ucase_hash(NULL, 0), 2166136261u);
    assert_int_equal(wf_ucase_hash(S("hello")), wf_ucase_hash(S("HeLLo")));
    assert_int_equal(wf_ucase_hash(S("\u03c2")), wf_ucase_hash(S("\u03a3")));
    assert_true(wf_ucase_hash(S("hello")) != wf_ucase_hash(S("hellp")));
    assert_true(wf_ucase_hash(S("ab")) != wf_ucase_hash(S("ba")));
}

/* Characters with a case partner, as (lower, upper) pairs. */
static const uint16_t case_pairs[][2] = {
    { 'a', 'A' }, { 'q', 'Q' }, { 0xE9, 0xC9 }, { 0xFF, 0x178 }, { 0x3B1, 0x391 },
    { 0x3C2, 0x3A3 }, { 0x3C3, 0x3A3 }, { 0x430, 0x410 }, { 0x44F, 0x42F }, { 0x2D00, 0x10A0 },
    { 0x561, 0x531 }, { 0xFF41, 0xFF21 }, { 0x131, 'I' }, { 0x17F, 'S' }, { 0x1F80, 0x1F88 },
};

static void random_name(WCHAR *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        switch (rng_below(4)) {
        case 0:
            s[i] = case_pairs[rng_below(sizeof case_pairs / sizeof case_pairs[0])][rng_below(2)];
            break;
        case 1:
            s[i] = (WCHAR)('a' + rng_below(26));
            break;
        case 2:
            s[i] = (WCHAR)rng_below(0x10000);
            break;
        default:
            s[i] = (WCHAR)(0x20 + rng_below(0x60));
            break;
        }
    }
}

/* Flip case where possible: swap within a known pair or toggle ASCII. */
static void flip_case(WCHAR *s, size_t len)
{
    size_t i, k;
    for (i = 0; i < len; i++) {
        if (rng_below(2))
            continue;
        if (s[i] >= 'a' && s[i] <= 'z') {
            s[i] = (WCHAR)(s[i] - 32);
            continue;
        }
        if (s[i] >= 'A' && s[i] <= 'Z') {
            s[i] = (WCHAR)(s[i] + 32);
            continue;
        }
        for (k = 0; k < sizeof case_pairs / sizeof case_pairs[0]; k++) {
            if (s[i] == case_pairs[k][0]) {
                s[i] = case_pairs[k][1];
                break;
            }
            if (s[i] == case_pairs[k][1] && s[i] > 0x7F) {
                s[i] = case_pairs[k][0];
                break;
            }
        }
    }
}

static void test_hash_consistency_random(void **state)
{
    int r;
    (void)state;

    rng_seed(0xCA5E0001);
    for (r = 0; r < 20000; r++) {
        WCHAR a[24], b[24];
        size_t len = rng_below(24);
        random_name(a, len);
        memcpy(b, a, len * sizeof *a);
        flip_case(b, len);
        assert_true(wf_ucase_equal(a, len, b, len));
        assert_int_equal(wf_ucase_compare(a, len, b, len), 0);
        assert_int_equal(wf_ucase_hash(a, len), wf_ucase_hash(b, len));
        /* compare is antisymmetric and agrees with equal */
        if (len > 0) {
            b[rng_below((uint32_t)len)] = (WCHAR)rng_below(0x10000);
            {
                int c1 = wf_ucase_compare(a, len, b, len), c2 = wf_ucase_compare(b, len, a, len);
                assert_int_equal(c1 == 0, wf_ucase_equal(a, len, b, len));
                assert_true((c1 < 0 && c2 > 0) || (c1 > 0 && c2 < 0) || (c1 == 0 && c2 == 0));
            }
        }
    }
}

static void test_hash_distribution(void **state)
{
    enum { N = 65536, BUCKETS = 1024 };
    static unsigned buckets[BUCKETS];
    unsigned i, max = 0, empty = 0;
    (void)state;

    /* Names that differ little, as in real directories: "file0".."file65535". */
    for (i = 0; i < N; i++) {
        WCHAR name[16];
        size_t len = 0;
        unsigned v = i;
        name[len++] = 'f';
        name[len++] = 'i';
        name[len++] = 'l';
        name[len++] = 'e';
        do {
            name[len++] = (WCHAR)('0' + v % 10);
            v /= 10;
        } while (v);
        buckets[wf_ucase_hash(name, len) % BUCKETS]++;
    }
    for (i = 0; i < BUCKETS; i++) {
        if (buckets[i] > max)
            max = buckets[i];
        empty += buckets[i] == 0;
    }
    /* 64 per bucket on average; a poor hash piles them up. */
    assert_true(max < 3 * (N / BUCKETS));
    assert_int_equal(empty, 0);
}

/* ---- UTF-8 ---- */

static void test_equal_utf8(void **state)
{
    (void)state;
#define E8(a, b) wf_ucase_equal_utf8(a, sizeof(a) - 1, b, sizeof(b) - 1)
    assert_true(E8("", ""));
    assert_true(E8("abc", "ABC"));
    assert_false(E8("abc", "ABCD"));
    assert_false(E8("abcd", "ABC"));
    assert_true(E8("\xCF\x83\xCE\xBF\xCF\x86\xCE\xBF\xCF\x82", "\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x9F\xCE\xA3"));
    assert_true(E8("\xC4\xB1", "I"));                       /* dotless i, different byte lengths */
    assert_true(E8("\xC5\xBF", "s"));                       /* long s */
    assert_false(E8("stra\xC3\x9F" "e", "STRASSE"));
    assert_true(E8("stra\xC3\x9F" "e", "STRA\xC3\x9F" "E"));
    assert_true(E8("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"));
    assert_false(E8("\xF0\x90\x90\xA8", "\xF0\x90\x90\x80")); /* Deseret stays apart */
    /* Invalid bytes equal only the same bytes. */
    assert_true(E8("a\x80", "A\x80"));
    assert_false(E8("a\x80", "a\x81"));
    assert_false(E8("a\x80", "a\xEF\xBF\xBD"));
    assert_false(E8("\xE2\x82", "\xE2"));
    assert_true(E8("x\xE2\x82y", "X\xE2\x82Y"));
    assert_false(E8("x\xE2\x82y", "X\xE2\x82"));
#undef E8
    assert_int_equal(wf_ucase_hash_utf8("HeLLo", 5), wf_ucase_hash(S("hello")));
    assert_int_equal(wf_ucase_hash_utf8("", 0), wf_ucase_hash(NULL, 0));
}

static void test_utf8_agrees_with_utf16_random(void **state)
{
    int r;
    (void)state;

    rng_seed(0xCA5E0002);
    for (r = 0; r < 20000; r++) {
        WCHAR a[16], b[16];
        char a8[64], b8[64];
        size_t alen = rng_below(12), blen, n8a, n8b, k;

        for (k = 0; k < alen; k++) {
            /* valid UTF-16: avoid lone surrogates, sometimes add a pair */
            WCHAR c;
            do {
                random_name(&c, 1);
            } while (c >= 0xD800 && c <= 0xDFFF);
            a[k] = c;
        }
        if (rng_below(4) == 0 && alen + 2 <= 16) {
            a[alen++] = (WCHAR)(0xD800 + rng_below(0x400));
            a[alen++] = (WCHAR)(0xDC00 + rng_below(0x400));
        }
        memcpy(b, a, alen * sizeof *a);
        blen = alen;
        flip_case(b, blen);
        if (rng_below(3) == 0 && blen > 0) {
            WCHAR c;
            do {
                random_name(&c, 1);
            } while (c >= 0xD800 && c <= 0xDFFF);
            /* don't break a pair */
            k = rng_below((uint32_t)blen);
            if (!(b[k] >= 0xD800 && b[k] <= 0xDFFF))
                b[k] = c;
        }

        assert_int_equal(wf_utf16_to_utf8(a, alen, a8, sizeof a8, &n8a, 0), STATUS_SUCCESS);
        assert_int_equal(wf_utf16_to_utf8(b, blen, b8, sizeof b8, &n8b, 0), STATUS_SUCCESS);
        assert_int_equal(wf_ucase_equal_utf8(a8, n8a, b8, n8b), wf_ucase_equal(a, alen, b, blen));
        assert_int_equal(wf_ucase_hash_utf8(a8, n8a), wf_ucase_hash(a, alen));
        assert_int_equal(wf_ucase_hash_utf8(b8, n8b), wf_ucase_hash(b, blen));
        if (wf_ucase_equal_utf8(a8, n8a, b8, n8b))
            assert_int_equal(wf_ucase_hash_utf8(a8, n8a), wf_ucase_hash_utf8(b8, n8b));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_pairs),
        cmocka_unit_test(test_ascii_exhaustive),
        cmocka_unit_test(test_surrogates_unchanged),
        cmocka_unit_test(test_whole_table),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_hash_basic),
        cmocka_unit_test(test_hash_consistency_random),
        cmocka_unit_test(test_hash_distribution),
        cmocka_unit_test(test_equal_utf8),
        cmocka_unit_test(test_utf8_agrees_with_utf16_random),
    };
    return WF_RUN_TESTS(tests);
}
