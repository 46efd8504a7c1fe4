/*
 * test_wildcard.c - FsRtlIsNameInExpression semantics.
 *
 * The first part of the table records results observed on Windows (the
 * FsRtlIsNameInExpression cases of ReactOS's kernel-mode test suite,
 * kmtests/ntos_fsrtl/FsRtlExpression.c, which are run against Windows);
 * the rest are cases worked out from the documented automaton. The
 * property tests compare against two reference matchers written here:
 * a plain recursive glob for * and ?, and a memoized recursive model of
 * the NT automaton for the DOS wildcards.
 */
#include "wf_test.h"

#include <stdlib.h>
#include <string.h>

#include "engine/wildcard.h"

#define U16(s) ((const WCHAR *)(u##s))
#define U16LEN(s) (sizeof(u##s) / 2 - 1)

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

struct wcase {
    const WCHAR *pattern;
    size_t plen;
    const WCHAR *name;
    size_t nlen;
    bool ci;
    bool expected;
};

#define C(p, n, ci, e) { U16(p), U16LEN(p), U16(n), U16LEN(n), ci, e }
#define T true
#define F false

static const struct wcase cases[] = {
    /* observed on Windows */
    C("", "", F, T),
    C("", "a", F, F),
    C("*", "a", F, T),
    C("*", "", F, F),
    C("**", "", F, F),
    C("**", "a", F, T),
    C("ntdll.dll", ".", F, F),
    C("ntdll.dll", "~1", F, F),
    C("ntdll.dll", "..", F, F),
    C("ntdll.dll", "ntdll.dll", F, T),
    C("smss.exe", "NTDLL.DLL", F, F),
    C("nt??krnl.???", "ntoskrnl.exe", F, T),
    C("he*o", "hello", F, T),
    C("he*o", "helo", F, T),
    C("he*o", "hella", F, F),
    C("he*", "hella", F, T),
    C("*.cpl", "kdcom.dll", F, F),
    C(".", "NTDLL.DLL", F, F),
    C("F0_*.*", ".", F, F),
    C("F0_*.*", "..", F, F),
    C("F0_*.*", "SETUP.EXE", F, F),
    C("F0_*.*", "f0_", T, F),
    C("F0_*.*", "F0_", F, F),
    C("F0_*.*", "f0_.", F, F),
    C("F0_*.*", "f0_.", T, T),
    C("F0_*.*", "F0_.", F, T),
    C("F0_*.*", "F0_001", F, F),
    C("F0_*.*", "F0_001.", F, T),
    C("F0_*.*", "f0_001.txt", F, F),
    C("F0_*.*", "f0_001.txt", T, T),
    C("F0_*.*", "F0_001.txt", F, T),
    C("F0_*.", "F0_.", F, T),
    C("F0_*.", "F0_001.", F, T),
    C("F0_*.", "F0_001.txt", F, F),
    C("F0_*.", "f0_001", T, F),
    C("F0_<\"*", ".", F, F),
    C("F0_<\"*", "..", F, F),
    C("F0_<\"*", "SETUP.EXE", F, F),
    C("F0_<\"*", "f0_", T, T),
    C("F0_<\"*", "F0_", F, T),
    C("F0_<\"*", "f0_.", F, F),
    C("F0_<\"*", "F0_.", F, T),
    C("F0_<\"*", "F0_001", F, T),
    C("F0_<\"*", "f0_001", T, T),
    C("F0_<\"*", "F0_001.", F, T),
    C("F0_<\"*", "F0_001.txt", F, T),
    C("F0_<\"*", "f0_001.txt", T, T),
    C("*.TTF", "SETUP.INI", F, F),
    C("*", ".", F, T),
    C("*", "..", F, T),
    C(".*", "1", F, F),
    C(".*", " ", F, F),
    C(".*", ".", F, T),
    C(".*", "1.txt", F, F),
    C(".*", ".txt", F, T),
    C("\"ntoskrnl.exe", "ntoskrnl.exe", F, F),
    C("ntoskrnl\"exe", "ntoskrnl.exe", F, T),
    C("ntoskrn\".exe", "ntoskrnl.exe", F, F),
    C("ntoskrn\"\"exe", "ntoskrnl.exe", F, F),
    C("ntoskrnl.\"exe", "ntoskrnl.exe", F, F),
    C("ntoskrnl.exe\"", "ntoskrnl.exe", F, T),
    C("*.c.d", "a.b.c.d", F, T),
    C("*.?.c.d", "a.b.c.d", F, T),
    C("**.?.c.d", "a.b.c.d", F, T),
    C("a.**.c.d", "a.b.c.d", F, T),
    C("a.b.??.d", "a.b.c1.d", F, T),
    C("a.b.??.d", "a.b.c.d", F, F),
    C("a.b.*?.d", "a.b.c.d", F, T),
    C("a.b.*??.d", "a.b.ccc.d", F, T),
    C("a.b.*??.d", "a.b.cc.d", F, T),
    C("a.b.*??.d", "a.b.c.d", F, F),
    C("a.b.*?*.d", "a.b.c.d", F, T),
    C("*?", "a", F, T),
    C("*?", "aaa", F, T),
    C("?*?", "a", F, F),
    C("?*?", "aa", F, T),
    C("?*?", "aaaa", F, T),
    C("C:\\ReactOS\\**", "C:\\ReactOS\\dings.bmp", F, T),
    C("C:\\Windows\\*a*", "C:\\ReactOS\\dings.bmp", F, F),
    C("*.bmp;*.dib", "winhlp32.exe", F, F),
    C("*.*.*.*", "127.0.0.1", F, T),
    C("*?*?*?*", "1.0.0.1", F, T),
    C("?*?*?*?", "1.0.0.1", F, T),
    C("?.?.?.?", "1.0.0.1", F, T),
    C("*a*ab*abc", "aabaabcdadabdabc", F, T),
    C("ab<exe", "abcd.exe", F, T),
    C("ab<exe", "ab.exe", F, T),
    C("ab<exe", "abcdexe", F, T),
    C("ab<exe", "acd.exe", F, F),
    C("a.b<exe", "a.bcd.exe", F, T),
    C("a<b.exe", "a.bcd.exe", F, F),
    C("a.b.exe", "a.bcd.exe", F, F),
    C("abc.exe", "abc.exe.", F, F),
    C("abc.exe", "abc.exes", F, F),
    C("a>c.exe", "abc.exe", F, T),
    C("a>c.exe", "ac.exe", F, F),
    C("a>>>exe", "abc.exe", F, F),
    C("a>>>exe", "ac.exe", F, F),
    C("<.exe", "test.exe", F, T),
    C("<.EXE", "test.exe", T, T),

    /* worked out from the automaton */
    C("*.*", "file", F, F),          /* NT-level: "*.*" needs a dot */
    C("*.*", "file.txt", F, T),
    C("*.*", ".", F, T),
    C("*.*", "a.b.c", F, T),
    C("<.txt", "a.txt", F, T),
    C("<.txt", "a.b.txt", F, T),     /* '<' may eat dots that are not the last */
    C("<.txt", ".txt", F, T),
    C("<.txt", "a.txt.bak", F, F),
    C("<.txt", "atxt", F, F),
    C("foo>.txt", "foo.txt", F, T),  /* '>' matches nothing before a '.' */
    C("foo>.txt", "fooa.txt", F, T),
    C("foo>.txt", "fooab.txt", F, F),
    C("foo>>.txt", "foo.txt", F, T),
    C("a\"b", "a.b", F, T),
    C("a\"b", "ab", F, F),
    C("a\"b", "a", F, F),
    C("a\"", "a", F, T),             /* '"' matches nothing at the end */
    C("a\"", "a.", F, T),
    C("a\"", "ab", F, F),
    C("?", "", F, F),
    C("?", "a", F, T),
    C("?", "ab", F, F),
    C(">", "a", F, T),
    C(">", "ab", F, F),
    C(">", ".", F, T),               /* NT quirk: the pattern ends at the last '.' */
    C("a>", "a.", F, T),
    C("a>", "a", F, T),
    C("a>", "ab", F, T),
    C("a>", "a.b", F, F),
    C("<", "ab", F, T),
    C("<", "a.", F, T),
    C("<", "a.b", F, F),             /* '<' stops at the last '.' */
    C("<b", "a.b", F, T),            /* ... and may eat it as it moves on */
    C("<<", "a.b", F, T),            /* the first eats the last dot, the second the rest */
    C("<*", "a.b", F, T),
    C(">>>>>>>>\">>>", "abc", F, T), /* what Win32 makes of "????????.???" */
    C(">>>>>>>>\">>>", "abc.txt", F, T),
    C(">>>>>>>>\">>>", "abcdefgh.txt", F, T),
    C(">>>>>>>>\">>>", "abcdefghi.txt", F, F),
    C(">>>>>>>>\">>>", "abc.defg", F, F),
    C("*.txt", "FILE.TXT", F, F),
    C("*.txt", "FILE.TXT", T, T),
    C("file*", "FILE.TXT", T, T),    /* the pattern is upcased too */
    C("FILE*", "file.txt", T, T),
    C("\u03c3*", "\u03a3\u039f\u03a6\u039f\u03a3", T, T),
    C("*\u03c2", "\u03a3\u039f\u03a6\u039f\u03a3", T, T),
    C("*\u03c2", "\u03a3\u039f\u03a6\u039f\u03a3", F, F),
    C("\u0131*", "IMAGE", T, T),
    C("a\\b", "a\\b", F, T),         /* '\' is not special */
    C("*", "\U0001F600", F, T),
    C("?", "\U0001F600", F, F),      /* units, not code points, as on Windows */
    C("??", "\U0001F600", F, T),
    C("*\U0001F600", "x\U0001F600", F, T),
};

static bool nt_ref(const WCHAR *p, size_t pl, const WCHAR *n, size_t nl);

static void test_table(void **state)
{
    size_t i;
    (void)state;

    assert_true(sizeof cases / sizeof cases[0] >= 60);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = wf_wildcard_match(cases[i].pattern, cases[i].plen, cases[i].name,
            cases[i].nlen, cases[i].ci);
        if (got != cases[i].expected)
            fail_msg("case %zu: pattern #%zu units, name %zu units, ci %d: got %d", i,
                cases[i].plen, cases[i].nlen, cases[i].ci, got);
        /* The reference model used below reproduces the table too. */
        if (!cases[i].ci && cases[i].plen < 32 && cases[i].nlen < 32 &&
            nt_ref(cases[i].pattern, cases[i].plen, cases[i].name, cases[i].nlen) !=
                cases[i].expected)
            fail_msg("case %zu: the reference model disagrees", i);
    }
}

static void test_has_wildcards(void **state)
{
    (void)state;
    assert_false(wf_wildcard_has_wildcards(U16("abc.txt"), 7));
    assert_false(wf_wildcard_has_wildcards(U16(""), 0));
    assert_false(wf_wildcard_has_wildcards(U16("a\\b:c|d"), 7));
    assert_true(wf_wildcard_has_wildcards(U16("*"), 1));
    assert_true(wf_wildcard_has_wildcards(U16("a?"), 2));
    assert_true(wf_wildcard_has_wildcards(U16("a<"), 2));
    assert_true(wf_wildcard_has_wildcards(U16(">a"), 2));
    assert_true(wf_wildcard_has_wildcards(U16("a\"b"), 3));
    /* Only within the given length. */
    assert_false(wf_wildcard_has_wildcards(U16("ab*"), 2));
}

/* ---- reference matchers ---- */

/* Plain glob: * any run, ? one unit. */
static bool glob_ref(const WCHAR *p, size_t pl, const WCHAR *n, size_t nl)
{
    if (pl == 0)
        return nl == 0;
    if (p[0] == '*')
        return glob_ref(p + 1, pl - 1, n, nl) || (nl > 0 && glob_ref(p, pl, n + 1, nl - 1));
    if (nl == 0)
        return false;
    if (p[0] == '?' || p[0] == n[0])
        return glob_ref(p + 1, pl - 1, n + 1, nl - 1);
    return false;
}

/*
 * The NT automaton as a recursion: at(q, i) = pattern from q matches
 * name from i. eps(q, i) is "reached q by a zero-width move while name[i]
 * is still to be consumed": the NT code then accepts if the pattern is
 * used up and name[i] is the last character.
 */
static const WCHAR *rp, *rn;
static size_t rpl, rnl, rlast;
static signed char memo[32][32];

static bool ref_at(size_t q, size_t i);

static bool ref_eps(size_t q, size_t i)
{
    if (q == rpl)
        return i + 1 >= rnl;
    return ref_at(q, i);
}

static bool ref_at(size_t q, size_t i)
{
    bool r;
    WCHAR e, c;

    if (memo[q][i] >= 0)
        return memo[q][i];
    if (q == rpl) {
        r = i == rnl;
    } else if (i == rnl) {
        e = rp[q];
        r = (e == '*' || e == '<' || e == '>' || e == '"') && ref_eps(q + 1, i);
    } else {
        e = rp[q];
        c = rn[i];
        switch (e) {
        case '*':
            r = ref_at(q, i + 1) || ref_eps(q + 1, i);
            break;
        case '<':
            if (c != '.' || i != rlast)
                r = ref_at(q, i + 1) || ref_eps(q + 1, i);
            else
                r = ref_at(q + 1, i + 1) || ref_eps(q + 1, i);
            break;
        case '>':
            r = c == '.' ? ref_eps(q + 1, i) : ref_at(q + 1, i + 1);
            break;
        case '?':
            r = ref_at(q + 1, i + 1);
            break;
        default: /* '"' that is not at a '.' compares as itself */
            if (e == '"' && c == '.')
                r = ref_at(q + 1, i + 1);
            else
                r = e == c && ref_at(q + 1, i + 1);
            break;
        }
    }
    memo[q][i] = (signed char)r;
    return r;
}

static bool nt_ref(const WCHAR *p, size_t pl, const WCHAR *n, size_t nl)
{
    size_t i;

    if (pl == 0 || nl == 0)
        return pl == 0 && nl == 0;
    rp = p;
    rpl = pl;
    rn = n;
    rnl = nl;
    rlast = nl;
    for (i = 0; i < nl; i++)
        if (n[i] == '.')
            rlast = i;
    memset(memo, -1, sizeof memo);
    return ref_at(0, 0);
}

static void random_string(WCHAR *s, size_t len, const char *alphabet)
{
    size_t i, k = strlen(alphabet);
    for (i = 0; i < len; i++)
        s[i] = (WCHAR)(unsigned char)alphabet[rng_below((uint32_t)k)];
}

static void test_property_plain(void **state)
{
    int r, matches = 0;
    (void)state;

    rng_seed(0x3110CA2D);
    for (r = 0; r < 200000; r++) {
        WCHAR p[8], n[10];
        size_t pl = rng_below(8), nl = rng_below(10);
        bool expect, got;

        random_string(p, pl, "ab.*?*");
        random_string(n, nl, "ab.");
        expect = (pl == 0 || nl == 0) ? (pl == 0 && nl == 0) : glob_ref(p, pl, n, nl);
        got = wf_wildcard_match(p, pl, n, nl, false);
        if (got != expect)
            fail_msg("plain round %d: got %d", r, got);
        /* The NT model agrees with the plain glob on plain patterns. */
        assert_int_equal(nt_ref(p, pl, n, nl), expect);
        matches += got;
    }
    assert_true(matches > 1000);
}

static void test_property_dos(void **state)
{
    int r, matches = 0;
    (void)state;

    rng_seed(0xD05D05D0);
    for (r = 0; r < 200000; r++) {
        WCHAR p[10], n[12];
        size_t pl = rng_below(10), nl = rng_below(12);
        bool expect, got;

        random_string(p, pl, "ab.*?<>\"<>\"");
        random_string(n, nl, "ab..\"");
        expect = nt_ref(p, pl, n, nl);
        got = wf_wildcard_match(p, pl, n, nl, false);
        if (got != expect)
            fail_msg("dos round %d: got %d", r, got);
        matches += got;
    }
    assert_true(matches > 1000);
}

static void test_property_case(void **state)
{
    int r;
    (void)state;

    rng_seed(0xCA5ECA5E);
    for (r = 0; r < 50000; r++) {
        WCHAR p[8], n[10], pu[8], nu[10];
        size_t pl = 1 + rng_below(7), nl = 1 + rng_below(9), i;

        random_string(p, pl, "aAbB.*?<>\"");
        random_string(n, nl, "aAbB.");
        for (i = 0; i < pl; i++)
            pu[i] = (WCHAR)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
        for (i = 0; i < nl; i++)
            nu[i] = (WCHAR)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
        /* Case-insensitive is case-sensitive on the upcased strings. */
        assert_int_equal(wf_wildcard_match(p, pl, n, nl, true),
            wf_wildcard_match(pu, pl, nu, nl, false));
    }
}

/* ---- cost and size ---- */

static void test_no_exponential_blowup(void **state)
{
    enum { N = 200000 };
    WCHAR *name = malloc(N * sizeof(WCHAR));
    size_t i;
    (void)state;

    assert_non_null(name);
    for (i = 0; i < N; i++)
        name[i] = 'a';
    /* Each call would take astronomically long with naive backtracking. */
    assert_false(wf_wildcard_match(U16("*a*a*a*a*a*a*a*a*b"), 18, name, N, false));
    assert_false(wf_wildcard_match(U16("<a<a<a<a<a<a<a<a<b"), 18, name, N, false));
    assert_false(wf_wildcard_match(U16("*a*a*a*a>a*a*a*a*b"), 18, name, N, true));
    name[N - 1] = 'b';
    assert_true(wf_wildcard_match(U16("*a*a*a*a*a*a*a*a*b"), 18, name, N, false));
    assert_true(wf_wildcard_match(U16("<a<a<a<a<a<a<a<a<b"), 18, name, N, false));
    assert_true(wf_wildcard_match(U16("*A*A*A*A>A*A*A*A*B"), 18, name, N, true));
    free(name);
}

static void test_long_pattern(void **state)
{
    enum { L = 3000 };
    WCHAR *p = malloc(L * sizeof(WCHAR)), *n = malloc(L * sizeof(WCHAR));
    size_t i;
    (void)state;

    assert_non_null(p);
    assert_non_null(n);
    /* More states than the on-stack sets hold: the allocated path. */
    for (i = 0; i < L; i++) {
        p[i] = (WCHAR)(i % 3 == 0 ? '<' : i % 3 == 1 ? '>' : 'x');
        n[i] = 'x';
    }
    /* Each "<>x" needs at least two characters: '>' matches nothing only
     * at a '.' or at the end, and 'x' always needs one. */
    assert_false(wf_wildcard_match(p, L, n, 2 * L / 3 - 1, false));
    assert_true(wf_wildcard_match(p, L, n, 2 * L / 3, false));
    assert_true(wf_wildcard_match(p, L, n, L, false));
    n[L / 2] = 'y';               /* eaten by a '<' */
    assert_true(wf_wildcard_match(p, L, n, L, false));
    n[L - 1] = 'y';               /* the last 'x' cannot match it */
    assert_false(wf_wildcard_match(p, L, n, L, false));
    free(p);
    free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_has_wildcards),
        cmocka_unit_test(test_property_plain),
        cmocka_unit_test(test_property_dos),
        cmocka_unit_test(test_property_case),
        cmocka_unit_test(test_no_exponential_blowup),
        cmocka_unit_test(test_long_pattern),
    };
    return WF_RUN_TESTS(tests);
}
