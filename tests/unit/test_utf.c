/*
 * test_utf.c - UTF-8 <-> UTF-16 conversion: known encodings, every class
 * of invalid input, Unicode's maximal-subpart replacement examples,
 * buffer sizing, and randomized round trips against reference encoders
 * written here independently of the engine's.
 */
#include "wf_test.h"

#include <string.h>

#include "engine/utf.h"

#define U16(s) ((const WCHAR *)(u##s))
#define U16LEN(s) (sizeof(u##s) / 2 - 1)

/* ---- a deterministic PRNG (xorshift64*) ---- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s ? s : 0x9E3779B97F4A7C15ull;
}

static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t rng_below(uint32_t n)
{
    return rng() % n;
}

/* ---- reference encoders, written from the definitions ---- */

static size_t ref_utf8(uint32_t cp, unsigned char *o)
{
    if (cp <= 0x7F) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp <= 0x7FF) {
        o[0] = (unsigned char)(0xC0 + cp / 64);
        o[1] = (unsigned char)(0x80 + cp % 64);
        return 2;
    }
    if (cp <= 0xFFFF) {
        o[0] = (unsigned char)(0xE0 + cp / 4096);
        o[1] = (unsigned char)(0x80 + cp / 64 % 64);
        o[2] = (unsigned char)(0x80 + cp % 64);
        return 3;
    }
    o[0] = (unsigned char)(0xF0 + cp / 262144);
    o[1] = (unsigned char)(0x80 + cp / 4096 % 64);
    o[2] = (unsigned char)(0x80 + cp / 64 % 64);
    o[3] = (unsigned char)(0x80 + cp % 64);
    return 4;
}

static size_t ref_utf16(uint32_t cp, WCHAR *o)
{
    if (cp < 0x10000) {
        o[0] = (WCHAR)cp;
        return 1;
    }
    o[0] = (WCHAR)(0xD800 + (cp - 0x10000) / 1024);
    o[1] = (WCHAR)(0xDC00 + (cp - 0x10000) % 1024);
    return 2;
}

/* A random Unicode scalar value, biased towards the interesting ranges. */
static uint32_t random_scalar(void)
{
    for (;;) {
        uint32_t cp;
        switch (rng_below(6)) {
        case 0: cp = rng_below(0x80); break;
        case 1: cp = 0x80 + rng_below(0x780); break;
        case 2: cp = 0x800 + rng_below(0xF800); break;
        case 3: cp = 0x10000 + rng_below(0x100000); break;
        case 4: {
            static const uint32_t edges[] = { 0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000,
                0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF, 0xF000, 0xF02A, 0xFEFF };
            cp = edges[rng_below(sizeof edges / sizeof edges[0])];
            break;
        }
        default: cp = rng_below(0x110000); break;
        }
        if (cp < 0xD800 || cp > 0xDFFF)
            return cp;
    }
}

/*
 * Reference validity of a UTF-8 byte string, from the definition: decode
 * greedily by the lead byte's length, then reject what the decoded value
 * shows to be overlong, a surrogate or out of range.
 */
static bool ref_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t n, k;
        uint32_t cp, min;
        if (b < 0x80) {
            i++;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            n = 2; cp = b & 0x1F; min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            n = 3; cp = b & 0x0F; min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            n = 4; cp = b & 0x07; min = 0x10000;
        } else {
            return false;
        }
        if (i + n > len)
            return false;
        for (k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp * 64 + (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

/* ---- known encodings ---- */

static void test_known_utf8_to_utf16(void **state)
{
    static const struct {
        const char *utf8;
        WCHAR utf16[4];
        size_t n;
    } cases[] = {
        { "A", { 0x41 }, 1 },
        { "\x7F", { 0x7F }, 1 },
        { "\xC2\x80", { 0x80 }, 1 },
        { "\xC3\xA9", { 0xE9 }, 1 },
        { "\xDF\xBF", { 0x7FF }, 1 },
        { "\xE0\xA0\x80", { 0x800 }, 1 },
        { "\xE2\x82\xAC", { 0x20AC }, 1 },
        { "\xED\x9F\xBF", { 0xD7FF }, 1 },
        { "\xEE\x80\x80", { 0xE000 }, 1 },
        { "\xEF\xBF\xBD", { 0xFFFD }, 1 },
        { "\xEF\xBF\xBF", { 0xFFFF }, 1 },
        { "\xF0\x90\x80\x80", { 0xD800, 0xDC00 }, 2 },
        { "\xF0\x9F\x98\x80", { 0xD83D, 0xDE00 }, 2 },
        { "\xF4\x8F\xBF\xBF", { 0xDBFF, 0xDFFF }, 2 },
        { "a\xCE\xA3\xF0\x9F\x98\x80", { 0x61, 0x3A3, 0xD83D, 0xDE00 }, 4 },
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        WCHAR out[8];
        char back[16];
        size_t n = 99, m = 99;
        size_t len = strlen(cases[i].utf8);

        assert_int_equal(wf_utf8_to_utf16(cases[i].utf8, len, out, 8, &n, 0), STATUS_SUCCESS);
        assert_int_equal(n, cases[i].n);
        assert_memory_equal(out, cases[i].utf16, n * sizeof(WCHAR));

        assert_int_equal(wf_utf16_to_utf8(cases[i].utf16, cases[i].n, back, sizeof back, &m, 0),
            STATUS_SUCCESS);
        assert_int_equal(m, len);
        assert_memory_equal(back, cases[i].utf8, len);
    }
}

static void test_embedded_nul_and_no_terminator(void **state)
{
    WCHAR out[8];
    char back[8];
    size_t n;
    (void)state;

    for (n = 0; n < 8; n++)
        out[n] = 0x7777;
    memset(back, 0x77, sizeof back);

    assert_int_equal(wf_utf8_to_utf16("a\0b", 3, out, 8, &n, 0), STATUS_SUCCESS);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 'a');
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 'b');
    assert_int_equal(out[3], 0x7777); /* nothing written past the output */

    assert_int_equal(wf_utf16_to_utf8(out, 3, back, 8, &n, 0), STATUS_SUCCESS);
    assert_int_equal(n, 3);
    assert_memory_equal(back, "a\0b", 3);
    assert_int_equal((unsigned char)back[3], 0x77);

    /* Empty input, with and without buffers. */
    assert_int_equal(wf_utf8_to_utf16("", 0, NULL, 0, &n, 0), STATUS_SUCCESS);
    assert_int_equal(n, 0);
    assert_int_equal(wf_utf16_to_utf8(NULL, 0, NULL, 0, &n, 0), STATUS_SUCCESS);
    assert_int_equal(n, 0);
    /* dst_len may be NULL. */
    assert_int_equal(wf_utf8_to_utf16("ab", 2, out, 8, NULL, 0), STATUS_SUCCESS);
    /* A NULL source with a length is a caller bug, not a crash. */
    assert_int_equal(wf_utf8_to_utf16(NULL, 3, out, 8, &n, 0), STATUS_INVALID_PARAMETER);
    assert_int_equal(wf_utf16_to_utf8(NULL, 3, back, 8, &n, 0), STATUS_INVALID_PARAMETER);
}

/* ---- invalid input ---- */

static const struct {
    const char *bytes;
    size_t len;
    size_t fffd; /* U+FFFD count under maximal-subpart replacement */
} bad_utf8[] = {
    { "\x80", 1, 1 },                 /* lone continuation */
    { "\xBF", 1, 1 },
    { "\xC0\x80", 2, 2 },             /* overlong NUL */
    { "\xC0\xAF", 2, 2 },             /* overlong '/' */
    { "\xC1\xBF", 2, 2 },
    { "\xE0\x80\xAF", 3, 3 },         /* overlong 3-byte */
    { "\xE0\x9F\xBF", 3, 3 },
    { "\xF0\x80\x80\xAF", 4, 4 },     /* overlong 4-byte */
    { "\xF0\x8F\xBF\xBF", 4, 4 },
    { "\xED\xA0\x80", 3, 3 },         /* U+D800 */
    { "\xED\xBF\xBF", 3, 3 },         /* U+DFFF */
    { "\xED\xA0\x80\xED\xB0\x80", 6, 6 }, /* CESU-8 pair */
    { "\xF4\x90\x80\x80", 4, 4 },     /* U+110000 */
    { "\xF5\x80\x80\x80", 4, 4 },
    { "\xF8\x88\x80\x80\x80", 5, 5 },  /* 5-byte form */
    { "\xFE", 1, 1 },
    { "\xFF", 1, 1 },
    { "\xC3", 1, 1 },                 /* truncated at the end */
    { "\xE2\x82", 2, 1 },
    { "\xF0\x9F\x98", 3, 1 },
    { "\xE2\x82" "a", 3, 1 },         /* truncated before ASCII (+ the 'a') */
    { "\xF0\x9F" "\xE2\x82\xAC", 5, 1 }, /* truncated before a valid char */
};

static void test_invalid_utf8_rejected(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        WCHAR out[16];
        size_t n = 99;
        assert_false(ref_utf8_valid((const unsigned char *)bad_utf8[i].bytes, bad_utf8[i].len));
        assert_int_equal(wf_utf8_to_utf16(bad_utf8[i].bytes, bad_utf8[i].len, out, 16, &n, 0),
            STATUS_OBJECT_NAME_INVALID);
        assert_int_equal(n, 0);
        /* Invalid wins over a too-small buffer. */
        assert_int_equal(wf_utf8_to_utf16(bad_utf8[i].bytes, bad_utf8[i].len, NULL, 0, &n, 0),
            STATUS_OBJECT_NAME_INVALID);
    }
}

static void test_invalid_utf8_replaced(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        WCHAR out[16];
        size_t n = 0, k, fffd = 0;
        assert_int_equal(wf_utf8_to_utf16(bad_utf8[i].bytes, bad_utf8[i].len, out, 16, &n,
            WF_UTF_REPLACE), STATUS_SOME_NOT_MAPPED);
        for (k = 0; k < n; k++)
            fffd += out[k] == 0xFFFD;
        assert_int_equal(fffd, bad_utf8[i].fffd);
    }
}

static void test_unicode_table_3_8_example(void **state)
{
    /* The example of U+FFFD substitution in the Unicode Standard, 3.9. */
    static const char in[] = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
    static const WCHAR expect[] = { 0x61, 0xFFFD, 0xFFFD, 0xFFFD, 0x62, 0xFFFD, 0x63,
        0xFFFD, 0xFFFD, 0x64 };
    WCHAR out[32];
    size_t n;
    (void)state;

    assert_int_equal(wf_utf8_to_utf16(in, sizeof in - 1, out, 32, &n, WF_UTF_REPLACE),
        STATUS_SOME_NOT_MAPPED);
    assert_int_equal(n, sizeof expect / sizeof expect[0]);
    assert_memory_equal(out, expect, sizeof expect);

    /* Valid input with the flag: plain success. */
    assert_int_equal(wf_utf8_to_utf16("ok", 2, out, 32, &n, WF_UTF_REPLACE), STATUS_SUCCESS);
}

static void test_invalid_utf16(void **state)
{
    static const struct {
        WCHAR units[4];
        size_t len;
        const char *replaced;
    } cases[] = {
        { { 0xD800 }, 1, "\xEF\xBF\xBD" },
        { { 0xDC00 }, 1, "\xEF\xBF\xBD" },
        { { 0xDFFF, 0x41 }, 2, "\xEF\xBF\xBD" "A" },
        { { 0x41, 0xD83D }, 2, "A\xEF\xBF\xBD" },
        { { 0xD83D, 0x41 }, 2, "\xEF\xBF\xBD" "A" },
        { { 0xDC00, 0xD800 }, 2, "\xEF\xBF\xBD\xEF\xBF\xBD" },
        { { 0xD800, 0xD800, 0xDC00 }, 3, "\xEF\xBF\xBD\xF0\x90\x80\x80" },
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[16];
        size_t n = 99;
        assert_int_equal(wf_utf16_to_utf8(cases[i].units, cases[i].len, out, 16, &n, 0),
            STATUS_OBJECT_NAME_INVALID);
        assert_int_equal(n, 0);
        assert_int_equal(wf_utf16_to_utf8(cases[i].units, cases[i].len, out, 16, &n,
            WF_UTF_REPLACE), STATUS_SOME_NOT_MAPPED);
        assert_int_equal(n, strlen(cases[i].replaced));
        assert_memory_equal(out, cases[i].replaced, n);
    }
}

/* ---- buffer sizing ---- */

static void test_buffer_too_small(void **state)
{
    /* "aé€😀": 1+1+1+2 WCHARs, 1+2+3+4 bytes. */
    static const char u8[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    static const WCHAR u16[] = { 0x61, 0xE9, 0x20AC, 0xD83D, 0xDE00 };
    WCHAR w[8];
    char b[16];
    size_t n, cap;
    (void)state;

    assert_int_equal(wf_utf8_to_utf16(u8, 10, NULL, 0, &n, 0), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(n, 5);
    assert_int_equal(wf_utf16_to_utf8(u16, 5, NULL, 0, &n, 0), STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(n, 10);

    for (cap = 0; cap < 5; cap++) {
        size_t k;
        for (k = 0; k < 8; k++)
            w[k] = 0x7777;
        n = 0;
        assert_int_equal(wf_utf8_to_utf16(u8, 10, w, cap, &n, 0), STATUS_BUFFER_TOO_SMALL);
        assert_int_equal(n, 5);
        assert_int_equal(w[cap], 0x7777); /* never past cap */
        /* With cap 4 the pair does not fit: no half of it is written. */
        if (cap == 4)
            assert_int_equal(w[3], 0x7777);
    }
    assert_int_equal(wf_utf8_to_utf16(u8, 10, w, 5, &n, 0), STATUS_SUCCESS);
    assert_memory_equal(w, u16, sizeof u16);

    for (cap = 0; cap < 10; cap++) {
        memset(b, 0x77, sizeof b);
        assert_int_equal(wf_utf16_to_utf8(u16, 5, b, cap, &n, 0), STATUS_BUFFER_TOO_SMALL);
        assert_int_equal(n, 10);
        assert_int_equal((unsigned char)b[cap], 0x77);
    }
    assert_int_equal(wf_utf16_to_utf8(u16, 5, b, 10, &n, 0), STATUS_SUCCESS);
    assert_memory_equal(b, u8, 10);

    /* Too small and replaced: the size problem is what is reported. */
    assert_int_equal(wf_utf8_to_utf16("\xFF\xFF", 2, w, 1, &n, WF_UTF_REPLACE),
        STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(n, 2);
}

/* ---- the decoders and encoder used by other modules ---- */

static void test_decode_encode_helpers(void **state)
{
    size_t pos = 0;
    char buf[4];
    (void)state;

    assert_int_equal(wf_utf8_decode("\xE2\x82\xAC" "x", 4, &pos), 0x20AC);
    assert_int_equal(pos, 3);
    assert_int_equal(wf_utf8_decode("\xE2\x82\xAC" "x", 4, &pos), 'x');
    assert_int_equal(pos, 4);
    pos = 0;
    assert_int_equal(wf_utf8_decode("\xE2\x82" "x", 3, &pos), -1);
    assert_int_equal(pos, 2); /* the maximal subpart, not the 'x' */

    pos = 0;
    assert_int_equal(wf_utf16_decode(U16("\U0001F600"), 2, &pos), 0x1F600);
    assert_int_equal(pos, 2);
    pos = 0;
    assert_int_equal(wf_utf16_decode(U16("\U0001F600"), 1, &pos), -1); /* cut pair */
    assert_int_equal(pos, 1);

    assert_int_equal(wf_utf8_encoded_len(0xD800), 0);
    assert_int_equal(wf_utf8_encoded_len(0x110000), 0);
    assert_int_equal(wf_utf8_encoded_len(0x10FFFF), 4);
    assert_int_equal(wf_utf8_encode(0x10FFFF, buf), 4);
    assert_memory_equal(buf, "\xF4\x8F\xBF\xBF", 4);
    assert_int_equal(U16LEN("ab"), 2);
}

/* ---- randomized ---- */

static void test_random_round_trips(void **state)
{
    enum { ROUNDS = 3000, MAXCP = 40 };
    int r;
    (void)state;

    rng_seed(0x5EED0001);
    for (r = 0; r < ROUNDS; r++) {
        uint32_t cps[MAXCP];
        unsigned char u8[MAXCP * 4];
        WCHAR u16[MAXCP * 2], w[MAXCP * 2];
        char b[MAXCP * 4];
        size_t ncp = rng_below(MAXCP + 1), l8 = 0, l16 = 0, k, n;

        for (k = 0; k < ncp; k++) {
            cps[k] = random_scalar();
            l8 += ref_utf8(cps[k], u8 + l8);
            l16 += ref_utf16(cps[k], u16 + l16);
        }

        assert_int_equal(wf_utf8_to_utf16((const char *)u8, l8, w, sizeof w / 2, &n, 0),
            STATUS_SUCCESS);
        assert_int_equal(n, l16);
        assert_memory_equal(w, u16, l16 * 2);

        assert_int_equal(wf_utf16_to_utf8(u16, l16, b, sizeof b, &n, 0), STATUS_SUCCESS);
        assert_int_equal(n, l8);
        assert_memory_equal(b, u8, l8);

        /* Measuring agrees with converting. */
        assert_int_equal(wf_utf8_to_utf16((const char *)u8, l8, NULL, 0, &n, 0),
            l16 ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS);
        assert_int_equal(n, l16);
        assert_int_equal(wf_utf16_to_utf8(u16, l16, NULL, 0, &n, 0),
            l8 ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS);
        assert_int_equal(n, l8);
    }
}

static void test_random_bytes(void **state)
{
    enum { ROUNDS = 20000, MAXLEN = 12 };
    int r, valid = 0;
    (void)state;

    rng_seed(0x5EED0002);
    for (r = 0; r < ROUNDS; r++) {
        unsigned char in[MAXLEN];
        WCHAR w[MAXLEN], w2[MAXLEN];
        char back[MAXLEN * 3];
        size_t len = rng_below(MAXLEN + 1), k, n, n2, nb;
        bool ok;
        NTSTATUS st;

        for (k = 0; k < len; k++) {
            /* Mostly bytes that can form sequences, so valid input occurs. */
            static const unsigned char pick[] = { 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF };
            in[k] = rng_below(2) ? pick[rng_below(sizeof pick)] : (unsigned char)rng_below(256);
        }
        ok = ref_utf8_valid(in, len);
        valid += ok;

        st = wf_utf8_to_utf16((const char *)in, len, w, MAXLEN, &n, 0);
        assert_int_equal(st, ok ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID);

        st = wf_utf8_to_utf16((const char *)in, len, w2, MAXLEN, &n2, WF_UTF_REPLACE);
        assert_int_equal(st, ok ? STATUS_SUCCESS : STATUS_SOME_NOT_MAPPED);
        assert_true(n2 <= len);
        if (ok) {
            assert_int_equal(n2, n);
            assert_memory_equal(w2, w, n * 2);
        }
        /* Replaced output is always well-formed UTF-16 and round-trips. */
        assert_int_equal(wf_utf16_to_utf8(w2, n2, back, sizeof back, &nb, 0), STATUS_SUCCESS);
        assert_true(ref_utf8_valid((const unsigned char *)back, nb));
        if (ok) {
            assert_int_equal(nb, len);
            assert_memory_equal(back, in, len);
        }
    }
    /* The generator does produce both kinds. */
    assert_true(valid > ROUNDS / 20);
    assert_true(valid < ROUNDS - ROUNDS / 20);
}

static void test_random_utf16_units(void **state)
{
    enum { ROUNDS = 20000, MAXLEN = 10 };
    int r;
    (void)state;

    rng_seed(0x5EED0003);
    for (r = 0; r < ROUNDS; r++) {
        WCHAR in[MAXLEN], w[MAXLEN * 2];
        char b[MAXLEN * 3];
        size_t len = rng_below(MAXLEN + 1), k, n, nw;
        bool ok = true;
        NTSTATUS st;

        for (k = 0; k < len; k++) {
            static const WCHAR pick[] = { 0x41, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xD83D, 0xDE00,
                0xFFFD, 0x7FF, 0x800 };
            in[k] = rng_below(2) ? pick[rng_below(sizeof pick / sizeof pick[0])] :
                (WCHAR)rng_below(0x10000);
        }
        /* Reference: scan for an unpaired surrogate. */
        for (k = 0; k < len; k++) {
            if (in[k] >= 0xD800 && in[k] <= 0xDBFF) {
                if (k + 1 < len && in[k + 1] >= 0xDC00 && in[k + 1] <= 0xDFFF)
                    k++;
                else
                    ok = false;
            } else if (in[k] >= 0xDC00 && in[k] <= 0xDFFF) {
                ok = false;
            }
        }
        st = wf_utf16_to_utf8(in, len, b, sizeof b, &n, 0);
        assert_int_equal(st, ok ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID);
        st = wf_utf16_to_utf8(in, len, b, sizeof b, &n, WF_UTF_REPLACE);
        assert_int_equal(st, ok ? STATUS_SUCCESS : STATUS_SOME_NOT_MAPPED);
        assert_true(ref_utf8_valid((const unsigned char *)b, n));
        assert_int_equal(wf_utf8_to_utf16(b, n, w, MAXLEN * 2, &nw, 0), STATUS_SUCCESS);
        /* Pairs stay pairs and each unpaired unit became one U+FFFD. */
        assert_int_equal(nw, len);
        for (k = 0; k < len; k++)
            assert_true(w[k] == in[k] || (w[k] == 0xFFFD && in[k] >= 0xD800 && in[k] <= 0xDFFF));
        if (ok)
            assert_memory_equal(w, in, len * 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_utf8_to_utf16),
        cmocka_unit_test(test_embedded_nul_and_no_terminator),
        cmocka_unit_test(test_invalid_utf8_rejected),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_unicode_table_3_8_example),
        cmocka_unit_test(test_invalid_utf16),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_decode_encode_helpers),
        cmocka_unit_test(test_random_round_trips),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_random_utf16_units),
    };
    return WF_RUN_TESTS(tests);
}
